"""A download button for dashboards: one click, the kernel builds the file, the browser saves it.

ipywidgets has no download. A data: link would need the file built before anyone asks
for it, on every change. :class:`DownloadButton` instead asks its kernel when clicked (a
custom message); the kernel calls ``build()`` and answers with the bytes as one binary
buffer, which the page saves under the file name given (a Blob and a temporary link). An
error becomes a plain message beside the button.
"""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import traitlets

from workbench import formatting as fmt
from workbench.errors import WorkbenchError

_ESM = """
function render({ model, el }) {
  const button = document.createElement("button");
  button.className = "wb-download-button jupyter-button";
  const note = document.createElement("span");
  note.className = "wb-download-note";
  note.style.marginLeft = "10px";
  const draw = () => {
    button.textContent = model.get("description");
    button.disabled = model.get("disabled") || model.get("busy");
    note.textContent = model.get("note");
    note.style.color = model.get("failed") ? "#b3261e" : "#52606d";
  };
  button.addEventListener("click", () => model.send({ type: "request" }));
  model.on("change", draw);
  model.on("msg:custom", (msg, buffers) => {
    if (!msg || msg.type !== "file" || !buffers.length) return;
    const blob = new Blob([buffers[0]], { type: msg.mime });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = msg.filename;
    link.className = "wb-download-link";
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(url); link.remove(); }, 1000);
  });
  draw();
  el.append(button, note);
}
export default { render };
"""


class DownloadButton(anywidget.AnyWidget):
    """A button that saves the file ``build()`` returns as ``(filename, bytes, mime)``."""

    _esm = _ESM
    description = traitlets.Unicode("Download").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    failed = traitlets.Bool(False).tag(sync=True)

    def __init__(self, build: Callable[[], tuple[str, bytes, str]], **kwargs):
        super().__init__(**kwargs)
        self._build = build
        self.on_msg(self._on_message)

    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or content.get("type") != "request":
            return
        self.busy, self.failed, self.note = True, False, "Preparing the file..."
        try:
            filename, data, mime = self._build()
        except WorkbenchError as exc:
            self.failed, self.note = True, str(exc)
            return
        finally:
            self.busy = False
        self.note = f"{filename} ({fmt.file_size(len(data))})"
        self.send({"type": "file", "filename": filename, "mime": mime}, buffers=[data])
