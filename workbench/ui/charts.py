"""Light charts for dashboards and notebooks: one small widget per chart, figure JSON only.

A plotly ``FigureWidget`` ships about 5 MB of widget code and state per chart. A
:class:`Chart` instead holds one synced trait, ``figure`` (the figure as plain JSON, tens of
KB), and a tiny ES module that draws it with ``Plotly.react``:

- plotly.js reaches the page once: the first chart drawn asks its kernel for it (a custom
  message), the kernel answers with the installed plotly package's ``plotly.min.js`` as one
  binary buffer, and every chart of the page awaits that one load (a promise on
  ``window``). A page that already has ``window.Plotly`` asks for nothing. Nothing comes
  from a CDN.
- A change of ``figure`` sends only the new figure JSON; an unchanged figure sends nothing
  (traitlets compares the values), and ``Plotly.react`` redraws only what changed.
- The chart is as wide as its container: no width in the layout, ``responsive`` on, and a
  ``ResizeObserver`` redraws it when its box changes (after a selection change that hid or
  moved it, after a window resize).

Use it as ``chart = Chart(figure)``, later ``chart.show(other_figure)``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import anywidget
import ipywidgets as widgets
import plotly.graph_objects as go
import traitlets

PLOTLY_JS_REQUEST = "workbench:plotly.js?"
PLOTLY_JS_REPLY = "workbench:plotly.js"

_ESM = """
const KEY = "__workbenchPlotly";

function plotly(model) {
  if (window.Plotly && window.Plotly.react) return Promise.resolve(window.Plotly);
  let entry = window[KEY];
  if (!entry) {
    entry = window[KEY] = {asked: false};
    entry.promise = new Promise((resolve, reject) => { entry.resolve = resolve; entry.reject = reject; });
  }
  if (!entry.asked) {
    entry.asked = true;
    const onMessage = async (msg, buffers) => {
      if (!msg || msg.type !== "@REPLY@") return;
      model.off("msg:custom", onMessage);
      const url = URL.createObjectURL(new Blob([buffers[0]], {type: "text/javascript"}));
      try {
        await import(url);  // plotly.min.js sets window.Plotly
        entry.resolve(window.Plotly);
      } catch (error) {
        entry.asked = false;
        entry.reject(error);
      } finally {
        URL.revokeObjectURL(url);
      }
    };
    model.on("msg:custom", onMessage);
    model.send({type: "@REQUEST@"});
  }
  return entry.promise;
}

const CONFIG = {responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]};

export default {
  async render({ model, el }) {
    el.classList.add("wb-chart");
    const plot = document.createElement("div");
    plot.className = "wb-chart-plot";
    el.appendChild(plot);
    const Plotly = await plotly(model);
    let width = 0;
    const draw = () => {
      const figure = model.get("figure") || {};
      const layout = Object.assign({}, figure.layout || {}, {autosize: true});
      delete layout.width;
      // The figure decides the height, the page the width: autosize reads both from the box.
      plot.style.height = (layout.height || 450) + "px";
      width = plot.clientWidth;
      return Plotly.react(plot, figure.data || [], layout, CONFIG);
    };
    await draw();
    model.on("change:figure", draw);
    const observer = new ResizeObserver(() => {
      if (plot.clientWidth > 0 && plot.clientWidth !== width) {
        width = plot.clientWidth;
        Plotly.Plots.resize(plot);
      }
    });
    observer.observe(plot);
    return () => {
      observer.disconnect();
      model.off("change:figure", draw);
      Plotly.purge(plot);
    };
  },
};
""".replace("@REQUEST@", PLOTLY_JS_REQUEST).replace("@REPLY@", PLOTLY_JS_REPLY)

_CSS = """
.wb-chart { width: 100%; min-width: 0; }
.wb-chart .wb-chart-plot { width: 100%; }
"""


@cache
def plotly_js() -> bytes:
    """The installed plotly package's ``plotly.min.js`` (the version its figures are made for)."""
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


def figure_json(figure: go.Figure | dict[str, Any]) -> dict[str, Any]:
    """A figure as plain JSON types (arrays as plotly's compact typed-array form)."""
    if isinstance(figure, dict):
        return figure
    return json.loads(figure.to_json(validate=False))


class Chart(anywidget.AnyWidget):
    """One plotly figure on the page, sent as JSON; see the module's description."""

    _esm = _ESM
    _css = _CSS
    figure = traitlets.Dict().tag(sync=True)

    def __init__(self, figure: go.Figure | dict[str, Any] | None = None, **kwargs: Any):
        kwargs.setdefault("layout", widgets.Layout(width="100%"))
        super().__init__(**kwargs)
        if figure is not None:
            self.show(figure)
        self.on_msg(self._answer)

    def show(self, figure: go.Figure | dict[str, Any]) -> None:
        """Draw ``figure`` (sends nothing when it is the figure already shown)."""
        self.figure = figure_json(figure)

    def _answer(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == PLOTLY_JS_REQUEST:
            self.send({"type": PLOTLY_JS_REPLY}, [plotly_js()])


__all__ = ["Chart", "figure_json", "plotly_js"]
