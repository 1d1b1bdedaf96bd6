"""``ws.templates`` and ``ws.documents``: the document library.

Templates are .docx files (or .xlsx for BOMs) checked on registration (zip and XML guards,
see :mod:`workbench.io.docx_template`), stored under ``HOME/library/templates`` and
described in ``document_template``; each type has one default, and the workbench ships
one template of its own per type. A document is generated from a project's data into a
template: its inputs are gathered into a JSON snapshot, turned into content
(:mod:`workbench.documents`), images are drawn locally and the template is filled
(:mod:`workbench.io.docx_writer`). The file, its inputs and any attachments (the network
diagram's SVG and PNG) go under ``HOME/library/documents``; the record keeps relative keys
only, resolved under the data directory with every escape refused.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import documents as rules
from workbench import formatting as fmt
from workbench.api.pool import who
from workbench.documents import (
    DocumentTemplate,
    ProjectDocument,
)
from workbench.errors import ConflictError, InvalidInputError, NotFoundError
from workbench.io.library import resolve_key
from workbench.projects import Project
from workbench.settings import Settings
from workbench.store import Store
from workbench.store import documents as records
from workbench.store.connection import file_system_error, record_id
from workbench.text import clean_text

if TYPE_CHECKING:
    from workbench.api.workbench import Workbench

LIBRARY = "library"
DOCUMENT_CAPACITY = {
    key: fmt.CAPACITY_REPORT[key]
    for key in (
        "cluster",
        "hosts",
        "cores",
        "memory_mib",
        "vms",
        "vcpus",
        "vram_mib",
        "vcpu_per_core_on",
        "vram_per_ram_on",
    )
}
"""The capacity columns a portrait page holds (the dashboards show all of them)."""
MAX_TEMPLATE_BYTES = 50 * 1024 * 1024
_SPREADSHEET_NOT_DEFAULT = (
    "A spreadsheet template is kept for reference and cannot be a default: documents are "
    "written into Word templates, and the BOM spreadsheet beside each hardware_bom document "
    "is the workbench's own."
)
CONFIG_KEYS = {
    "customer": "the customer's name on the cover",
    "legal_name": "the customer's legal name",
    "classification": "the classification on the cover",
    "owner": "the document's owner",
    "import_id": "which RVTools import (default: the project's newest)",
    "vendor": "the BOM's vendor (default: the cheapest feasible option)",
    "lot": "the BOM's lot",
    "scenario": "'policy' or 'today' (default: policy)",
    "vm_rows": "the most VMs listed in the VM table (default: all)",
}
"""What ``generate(..., **config)`` accepts; stored in ``generation_config``."""


class _Library:
    """Where the library's files live: keys under ``HOME/library``, never outside it."""

    def __init__(self, settings: Settings):
        self.root = Path(settings.home) / LIBRARY

    def path(self, key: str) -> Path:
        return resolve_key(self.root, key)

    def read(self, key: str) -> bytes:
        path = self.path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"The file {key} is missing from {self.root}.") from None
        except OSError as exc:
            raise file_system_error(str(self.root), exc) from exc

    def write(self, key: str, data: bytes, *, replace: bool = False) -> None:
        """Write through a temporary file, then into place: atomically, and (unless
        ``replace``) never over a file already there.

        Raises
        ------
        ConflictError
            The key is taken (another kernel wrote it at the same moment).
        StoreUnavailableError
            The file system refused (full, read-only, permissions).
        """
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            resolve_key(self.root, key)  # the folders just made must not be links out
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        except OSError as exc:
            raise file_system_error(str(self.root), exc) from exc
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            if replace:
                os.replace(temporary, path)
            else:
                os.link(temporary, path)  # fails if the key is taken, where rename would not
        except FileExistsError:
            raise ConflictError(
                f"{key} was written by another process at the same moment; try again."
            ) from None
        except OSError as exc:
            raise file_system_error(str(self.root), exc) from exc
        finally:
            Path(temporary).unlink(missing_ok=True)

    def remove(self, key: str) -> None:
        try:
            self.path(key).unlink(missing_ok=True)
        except InvalidInputError:
            pass  # a key that escapes was never written by us: nothing of ours to remove
        except OSError:
            pass  # left behind: a stray file costs less than failing the action


def _template_info(data: bytes, file_format: str) -> dict[str, Any]:
    if file_format == "docx":
        from workbench.io.docx_template import inspect_docx

        info = inspect_docx(data)
        return {
            "style_config": info.style_config,
            "placeholder_map": info.placeholder_map,
            "table_structures": [
                shape.__dict__ | {"header": list(shape.header)} for shape in info.table_structures
            ],
        }
    from workbench.io.xlsx_template import inspect_xlsx

    return inspect_xlsx(data)


class Templates:
    """Document templates: register, list, choose the default, read."""

    def __init__(self, store: Store, settings: Settings):
        self._store = store
        self._library = _Library(settings)
        self._shipped_checked = False

    def ensure_shipped(self) -> None:
        """Register the workbench's own template of every type that has none (idempotent)."""
        if self._shipped_checked:
            return
        with self._store.unit_of_work() as session:
            present = {(r["template_type"], r["source"]) for r in records.templates(session)}
        missing = [t for t in rules.DOCUMENT_TYPES if (t, "shipped") not in present]
        if missing:
            from workbench.io.default_templates import default_template

            for kind in missing:
                try:
                    self._register(
                        default_template(kind),
                        f"Workbench {rules.TITLES[kind]}",
                        kind,
                        description=f"The Infra Workbench's own {rules.TITLES[kind]} template",
                        default=not any(t == kind for t, _ in present),
                        source="shipped",
                        file_format="docx",
                        by="workbench",
                    )
                except ConflictError:
                    pass  # another kernel registered it at the same moment
        self._shipped_checked = True

    def register(
        self,
        source: str | Path | bytes,
        name: str | None = None,
        document_type: str = "HLD",
        *,
        description: str | None = None,
        default: bool = False,
        by: str | None = None,
    ) -> DocumentTemplate:
        """Register a template file; the same name again makes its next version.

        Parameters
        ----------
        source : path or bytes
            A .docx (any type) or .xlsx (hardware_bom). Checked before anything is stored:
            a damaged or hostile file (zip bomb, XML entities, broken parts) is refused.
        name : str, optional
            Default: the file's name without extension.
        document_type : str
            HLD, LLD, migration_plan, hardware_bom, network_diagram or custom.
        default : bool
            Make it its type's default.

        Raises
        ------
        ImportRejectedError
            The file is damaged, hostile, or not a template of a known format.
        InvalidInputError
            Bad name or type.
        """
        self.ensure_shipped()
        if isinstance(source, (bytes, bytearray)):
            data, filename = bytes(source), name or "template.docx"
        else:
            path = Path(source)
            try:
                if path.stat().st_size > MAX_TEMPLATE_BYTES:
                    raise InvalidInputError(f"{path.name} is larger than 50 MB; not a template.")
                data = path.read_bytes()
            except FileNotFoundError:
                raise NotFoundError(f"No file {path}.") from None
            except OSError as exc:
                raise InvalidInputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
            filename = path.name
        file_format = _format_of(data, filename)
        kind = rules.document_type(document_type, template=True)
        if file_format == "xlsx" and kind not in ("hardware_bom", "custom"):
            raise InvalidInputError("A spreadsheet template can only be a hardware_bom template.")
        if file_format == "xlsx" and default:
            raise InvalidInputError(_SPREADSHEET_NOT_DEFAULT)
        text = clean_text(
            name or Path(filename).stem, "template name", required=True, max_length=200
        )
        return self._register(
            data,
            text,
            kind,
            description=description,
            default=default,
            source="registered",
            file_format=file_format,
            by=who(by),
        )

    def _register(self, data, name, kind, *, description, default, source, file_format, by):
        info = _template_info(data, file_format)  # refuses a hostile file before any write
        digest = rules.sha256(data)
        with self._store.unit_of_work() as session:
            if source == "shipped" and any(
                r["source"] == "shipped" for r in records.templates(session, kind)
            ):
                return None  # another kernel registered it since this one looked
            versions = [r["version"] for r in records.templates_named(session, name.lower())]
            version = rules.next_version(versions)
            key = (
                f"templates/{rules.slug(name)}-{_name_tag(name)}-v{version}-{digest[:12]}"
                f".{file_format}"
            )
            self._library.write(key, data)
            try:
                row = records.create_template(
                    session,
                    {
                        "template_name": name,
                        "template_type": kind,
                        "description": description,
                        "template_file_path": key,
                        "version": version,
                        "file_format": file_format,
                        "file_size": len(data),
                        "file_sha256": digest,
                        "source": source,
                        "registered_by": by,
                        "is_default": bool(default),
                        **info,
                    },
                )
            except BaseException:
                self._library.remove(key)
                raise
        return DocumentTemplate.from_row(row)

    def list(self, document_type: str | None = None) -> list[DocumentTemplate]:
        """Every template (of one type), shipped ones included."""
        self.ensure_shipped()
        kind = rules.document_type(document_type, template=True) if document_type else None
        with self._store.unit_of_work() as session:
            return [DocumentTemplate.from_row(r) for r in records.templates(session, kind)]

    def frame(self, document_type: str | None = None) -> pd.DataFrame:
        """:meth:`list` as a DataFrame (columns :data:`TEMPLATE_COLUMNS`): what each
        template wants filled, counted."""
        return rules.templates_frame(self.list(document_type))

    def get(self, template: Any, version: str | None = None) -> DocumentTemplate:
        """A template by id (``document_template:...``) or name (newest version, or
        ``version``).

        Raises
        ------
        NotFoundError
        """
        if isinstance(template, DocumentTemplate):
            return template
        self.ensure_shipped()
        text = clean_text(template, "template", required=True)
        with self._store.unit_of_work() as session:
            if text.startswith("document_template:"):
                return DocumentTemplate.from_row(records.template(session, text))
            rows = records.templates_named(session, text.lower())
        if version is not None:
            rows = [r for r in rows if r["version"] == str(version)]
        if not rows:
            raise NotFoundError(
                f"No template named {text!r}" + (f" v{version}." if version else ".")
            )
        return DocumentTemplate.from_row(rows[-1])

    def default(self, document_type: str) -> DocumentTemplate:
        """The type's default template (a registered default, else the shipped one)."""
        kind = rules.document_type(document_type)
        chosen = rules.default_template(self.list(kind), kind)
        if chosen is None:
            raise NotFoundError(f"No template for {kind}.")
        return chosen

    def set_default(self, template: Any, version: str | None = None) -> DocumentTemplate:
        """Make a template its type's default."""
        chosen = self.get(template, version)
        if chosen.file_format != "docx":
            raise InvalidInputError(_SPREADSHEET_NOT_DEFAULT)
        with self._store.unit_of_work() as session:
            records.set_default(session, chosen.id)
        return self.get(chosen.id)

    def file(self, template: Any, version: str | None = None) -> bytes:
        """A template's bytes (checked against the hash stored when it was registered)."""
        chosen = self.get(template, version)
        data = self._library.read(chosen.template_file_path)
        if chosen.file_sha256 and rules.sha256(data) != chosen.file_sha256:
            raise ConflictError(
                f"The file of template {chosen.label} changed on disk since it was registered."
            )
        return data

    def delete(self, template: Any, version: str | None = None) -> None:
        """Delete a registered template version (shipped ones stay; a template documents
        were generated from is kept while they exist).

        Raises
        ------
        ConflictError
            Shipped, or documents were generated from it.
        """
        chosen = self.get(template, version)
        if chosen.source == "shipped":
            raise ConflictError(f"{chosen.label} is shipped with the workbench; it stays.")
        with self._store.unit_of_work() as session:
            records.delete_template(session, chosen.id)
        self._library.remove(chosen.template_file_path)


def _format_of(data: bytes, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in (".docx", ".docm", ".dotx"):
        return "docx"
    if suffix in (".xlsx", ".xlsm", ".xltx"):
        return "xlsx"
    if data[:4] == b"PK\x03\x04":
        from workbench.io.spreadsheet import open_zip

        with open_zip(data) as archive:
            names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    from workbench.errors import ImportRejectedError

    raise ImportRejectedError(
        f"{filename} is neither a Word (.docx) nor an Excel (.xlsx) file; nothing was stored."
    )


class Documents:
    """Generated documents of projects: generate, list, move status, download, delete."""

    def __init__(self, store: Store, settings: Settings, workbench: Callable[[], Workbench]):
        self._store = store
        self._settings = settings
        self._library = _Library(settings)
        self._workbench = workbench

    @property
    def _templates(self) -> Templates:
        return self._workbench().templates

    # -- generation ---------------------------------------------------------------------------

    def generate(
        self,
        project: Any,
        document_type: str,
        template: Any = None,
        *,
        name: str | None = None,
        by: str | None = None,
        **config: Any,
    ) -> ProjectDocument:
        """Generate the next version of a project's document into a template.

        Parameters
        ----------
        project : str or Project
        document_type : str
            HLD, LLD, migration_plan, hardware_bom or network_diagram.
        template : str, optional
            A template id or name (default: the type's default template).
        name : str, optional
            The document's name (default: the type's title); versions count per name.
        by : str, optional
            Who generates it (default: the user running the workbench).
        **config
            See :data:`CONFIG_KEYS`.

        Returns
        -------
        ProjectDocument
            Status draft, the next version for its name.
        """
        ws = self._workbench()
        kind = rules.document_type(document_type)
        unknown = sorted(set(config) - set(CONFIG_KEYS))
        if unknown:
            raise InvalidInputError(
                f"Unknown setting(s) {', '.join(unknown)}; known: {', '.join(CONFIG_KEYS)}."
            )
        proj = ws.projects.get(project)
        chosen = ws.templates.get(template) if template is not None else ws.templates.default(kind)
        if chosen.template_type not in (kind, "custom"):
            raise InvalidInputError(
                f"{chosen.label} is a {chosen.template_type} template, not {kind}."
            )
        if chosen.file_format != "docx":
            raise InvalidInputError(
                f"{chosen.label} is a spreadsheet; documents are written into Word templates. "
                "The BOM spreadsheet comes with every hardware_bom document."
            )
        template_bytes = ws.templates.file(chosen)
        title = clean_text(
            name or rules.TITLES[kind], "document name", required=True, max_length=200
        )
        author = who(by)
        when = datetime.now(UTC).replace(microsecond=0)
        config = _checked_config({k: v for k, v in config.items() if v is not None})
        with self._store.unit_of_work() as session:
            version = rules.next_version(records.versions_of(session, proj.id, kind, title.lower()))
        inputs = gather(ws, proj, kind, title, version, author, when, config)
        built = build_files(kind, template_bytes, inputs)
        extra = _bom_spreadsheet(ws, inputs) if kind == "hardware_bom" else {}
        return self._save(proj, kind, title, chosen, inputs, built, extra, author, when, config)

    def _save(self, proj, kind, title, chosen, inputs, built, extra, author, when, config):
        folder = f"documents/{rules.slug(proj.name, 40)}-{proj.id[:12]}/{kind}"
        # The slug alone would give "Plan A" and "Plan-A" (or any two non-Latin names) one file.
        stem = f"{rules.slug(title)}-{_name_tag(title)}"
        with self._store.unit_of_work() as session:
            # The version is decided again under the lock: another kernel may have written one.
            version = rules.next_version(records.versions_of(session, proj.id, kind, title.lower()))
            if version != inputs["document"]["version"]:
                inputs = dict(inputs, document=dict(inputs["document"], version=version))
                inputs["document"]["reference"] = rules.document_reference(proj.name, kind, version)
                built = build_files(kind, built.template, inputs)
            key = f"{folder}/{stem}-v{version}.docx"
            inputs_key = f"{folder}/{stem}-v{version}.inputs.json.gz"
            files = {**built.attachments, **extra}
            attachments = {part: f"{folder}/{stem}-v{version}.{part}" for part in files}
            written: list[str] = []
            try:
                self._library.write(key, built.document)
                written.append(key)
                self._library.write(
                    inputs_key, gzip.compress(rules.canonical_json(inputs), mtime=0)
                )
                written.append(inputs_key)
                for part, data in files.items():
                    self._library.write(attachments[part], data)
                    written.append(attachments[part])
                row = records.create_document(
                    session,
                    {
                        "project_id": record_id("project", proj.id),
                        "document_type": kind,
                        "document_name": title,
                        "file_path": key,
                        "file_size": len(built.document),
                        "file_sha256": rules.sha256(built.document),
                        "file_format": "docx",
                        "version": version,
                        "status": "draft",
                        "template_id": record_id("document_template", chosen.id),
                        "generated_from_template": chosen.label,
                        "generation_config": config,
                        "generated_at": when,
                        "generated_by": author,
                        "content_hash": rules.content_hash(built.template_sha256, inputs),
                        "inputs_path": inputs_key,
                        "status_history": [{"status": "draft", "at": when, "by": author}],
                        "metadata": {
                            "generator": _generator_versions(),
                            "attachments": attachments,
                            "reference": inputs["document"]["reference"],
                            "sections": built.summary,
                        },
                    },
                )
            except BaseException:
                # Only what this call wrote, and only when no record names it: a store that
                # stopped answering may have committed the record after all.
                if not self._recorded(key):
                    for written_key in written:
                        self._library.remove(written_key)
                raise
        return self.get(str(row["id"]))

    def _recorded(self, key: str) -> bool:
        """Whether a document record names ``key`` (True when that cannot be known)."""
        try:
            with self._store.unit_of_work() as session:
                return bool(records.document_with_file(session, key))
        except Exception:  # noqa: BLE001 - unknown: keep the files rather than orphan a record
            return True

    def regenerate(self, document: Any) -> bytes:
        """The document's bytes written again from its stored inputs and template.

        Raises
        ------
        ConflictError
            The stored inputs or template no longer give the stored content hash.
        """
        doc = self.get(document)
        template = self._templates.get(doc.template_id) if doc.template_id else None
        if template is None or not doc.inputs_path:
            raise NotFoundError(f"{doc.id} keeps no inputs to regenerate from.")
        inputs = self._inputs(doc)
        built = build_files(doc.document_type, self._templates.file(template), inputs)
        if rules.content_hash(built.template_sha256, inputs) != doc.content_hash:
            raise ConflictError(f"{doc.id}'s stored inputs no longer give its content hash.")
        if doc.file_sha256 and rules.sha256(built.document) != doc.file_sha256:
            versions = doc.metadata.get("generator") or {}
            raise ConflictError(
                f"{doc.document_name} v{doc.version} regenerates with the same content hash but "
                "different bytes: the libraries that write it changed since"
                + (f" ({', '.join(f'{k} {v}' for k, v in versions.items())})." if versions else ".")
            )
        return built.document

    def _inputs(self, doc: ProjectDocument) -> dict[str, Any]:
        try:
            return json.loads(gzip.decompress(self._library.read(doc.inputs_path)))
        except (OSError, EOFError, ValueError) as exc:  # gzip and JSON damage
            raise ConflictError(f"The stored inputs of {doc.id} are damaged: {exc}") from None

    def content_hash_of(self, document: Any) -> str:
        """The content hash worked out again from the stored template and inputs."""
        doc = self.get(document)
        inputs = self._inputs(doc)
        template = self._templates.file(doc.template_id)
        return rules.content_hash(rules.sha256(template), inputs)

    # -- reading ----------------------------------------------------------------------------------

    def list(
        self, project: Any = None, document_type: str | None = None, status: str | None = None
    ) -> list[ProjectDocument]:
        """Documents, all or of one project / type / status; newest version first per name."""
        ws = self._workbench()
        project_id = ws.projects.get(project).id if project is not None else None
        kind = rules.document_type(document_type) if document_type else None
        if status is not None and status not in rules.STATUSES:
            raise InvalidInputError(f"Unknown status {status!r}: use {', '.join(rules.STATUSES)}.")
        with self._store.unit_of_work() as session:
            rows = records.documents(session, project_id, kind)
        docs = [ProjectDocument.from_row(r) for r in rows]
        return [d for d in docs if status is None or d.status == status]

    def frame(
        self, project: Any = None, document_type: str | None = None, status: str | None = None
    ) -> pd.DataFrame:
        """:meth:`list` as a DataFrame (columns :data:`DOCUMENT_COLUMNS`; sizes in bytes)."""
        return rules.documents_frame(self.list(project, document_type, status))

    def get(self, document: Any) -> ProjectDocument:
        """One document by id (``project_document:...``).

        Raises
        ------
        NotFoundError
        """
        if isinstance(document, ProjectDocument):
            document = document.id
        text = clean_text(document, "document", required=True)
        with self._store.unit_of_work() as session:
            return ProjectDocument.from_row(records.document(session, text))

    def versions(self, document: Any) -> list[ProjectDocument]:
        """Every version of a document's name in its project, newest first."""
        doc = self.get(document)
        return [
            d
            for d in self.list(doc.project_id, doc.document_type)
            if d.document_name.lower() == doc.document_name.lower()
        ]

    def download(self, document: Any, part: str = "document") -> bytes:
        """A document's bytes (``part``: 'document', or an attachment such as 'svg', 'png',
        'inputs'), checked against the stored hash.

        Raises
        ------
        NotFoundError
            No such part.
        ConflictError
            The file changed on disk since it was generated.
        """
        doc = self.get(document)
        if part == "document":
            data = self._library.read(doc.file_path)
            if doc.file_sha256 and rules.sha256(data) != doc.file_sha256:
                raise ConflictError(f"The file of {doc.id} changed on disk since it was generated.")
            return data
        if part == "inputs" and doc.inputs_path:
            return rules.canonical_json(self._inputs(doc))
        key = (doc.metadata.get("attachments") or {}).get(part)
        if not key:
            parts = ["document", "inputs", *sorted(doc.metadata.get("attachments") or {})]
            raise NotFoundError(f"{doc.id} has no part {part!r}; it has {', '.join(parts)}.")
        return self._library.read(key)

    def path(self, document: Any) -> Path:
        """Where the document's file is (under the data directory)."""
        return self._library.path(self.get(document).file_path)

    def pdf(self, document: Any, *, timeout: float = 180.0) -> bytes:
        """The document as PDF, converted by headless LibreOffice (kept beside it after the
        first conversion).

        Raises
        ------
        ConversionError
            LibreOffice is missing or failed.
        """
        from workbench.io.office import convert_to_pdf

        doc = self.get(document)
        key = _pdf_key(doc)
        try:
            return self._library.read(key)
        except NotFoundError:
            pass
        data = convert_to_pdf(self.download(doc), suffix=f".{doc.file_format}", timeout=timeout)
        self._library.write(key, data, replace=True)
        return data

    def preview(self, document: Any, pages: int = 2, width_px: int = 800) -> list[bytes]:
        """PNG images of the first pages (through :meth:`pdf`)."""
        from workbench.io.office import pdf_pages_png

        return pdf_pages_png(self.pdf(document), pages=pages, width_px=width_px)

    # -- changes ----------------------------------------------------------------------------------

    def set_status(
        self, document: Any, status: str, *, by: str | None = None, note: str | None = None
    ) -> ProjectDocument:
        """Move a document along draft -> review -> approved -> archived (see
        :data:`workbench.documents.TRANSITIONS`); approving records who and when.

        Raises
        ------
        InvalidInputError
            A move the transitions do not allow.
        ConflictError
            Someone else moved it meanwhile.
        """
        person = who(by)
        with self._store.unit_of_work() as session:
            row = records.document(session, self.get(document).id)
            current = row.get("status") or "draft"
            rules.check_transition(current, status)
            now = datetime.now(UTC).replace(microsecond=0)
            history = list(row.get("status_history") or [])
            history.append(
                {
                    "status": status,
                    "at": now,
                    "by": person,
                    "note": clean_text(note, "note", required=False),
                }
            )
            changes: dict[str, Any] = {"status": status, "status_history": history}
            if status == "approved":
                changes |= {"approved_by": person, "approval_date": now}
            if not records.update_document_if(session, str(row["id"]), current, changes):
                # A shared server store has no file lock: another kernel moved it meanwhile.
                raise ConflictError(
                    f"{row['document_name']} v{row['version']} was moved by someone else "
                    "meanwhile; look again and retry."
                )
        return self.get(str(row["id"]))

    def approve(self, document: Any, *, by: str | None = None) -> ProjectDocument:
        """Approve a document under review (see :meth:`set_status`)."""
        return self.set_status(document, "approved", by=by)

    def delete(self, document: Any, *, force: bool = False) -> None:
        """Delete a document version and its files (an approved one only with ``force``).

        Raises
        ------
        ConflictError
            Approved, without ``force``.
        """
        doc = self.get(document)
        with self._store.unit_of_work() as session:
            # Read again under the lock: another kernel may have approved it meanwhile.
            doc = ProjectDocument.from_row(records.document(session, doc.id))
            if doc.status == "approved" and not force:
                raise ConflictError(
                    f"{doc.document_name} v{doc.version} is approved; delete it with force."
                )
            records.delete_document(session, doc.id)
        keys = [doc.file_path, doc.inputs_path, *(doc.metadata.get("attachments") or {}).values()]
        for key in filter(None, keys):
            self._library.remove(key)
        pdf = _pdf_key(doc)
        self._library.remove(pdf)


def _pdf_key(doc: ProjectDocument) -> str:
    """Where a document's PDF is kept: beside it, named for the file's hash (a new file, a
    new PDF)."""
    return doc.file_path.rsplit(".", 1)[0] + f".{(doc.file_sha256 or 'x')[:12]}.pdf"


def _checked_config(config: dict[str, Any]) -> dict[str, Any]:
    """The generation settings, checked: plain text, ``vm_rows`` a positive whole number,
    ``scenario`` policy or today.

    Raises
    ------
    InvalidInputError
    """
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "vm_rows":
            text = str(value).strip()
            if not text.isdigit() or int(text) < 1:
                raise InvalidInputError(
                    f"vm_rows must be a whole number of at least 1, not {value!r}."
                )
            out[key] = int(text)
        elif key == "scenario":
            if value not in ("policy", "today"):
                raise InvalidInputError(f"scenario must be 'policy' or 'today', not {value!r}.")
            out[key] = value
        else:
            out[key] = clean_text(value, key.replace("_", " "), required=True, max_length=300)
    return out


def _generator_versions() -> dict[str, str]:
    """The versions of the libraries that write a document's bytes (kept with each version:
    the content hash covers template and inputs, these explain a byte-level difference)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for package in ("python-docx", "lxml", "matplotlib"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            continue
    return out


def _name_tag(name: str) -> str:
    """Eight hex digits of the name ignoring case: distinct names get distinct file keys."""
    return rules.sha256(name.strip().lower().encode("utf-8"))[:8]


# -- building -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """A document's files as generated."""

    document: bytes
    attachments: dict[str, bytes]
    template: bytes
    template_sha256: str
    summary: dict[str, int]


def build_files(kind: str, template: bytes, inputs: dict[str, Any]) -> Built:
    """Content, images and the filled template from ``inputs`` (the same inputs give the same
    bytes)."""
    from workbench.io.docx_writer import render_docx

    content = rules.build_content(kind, inputs)
    images, attachments = render_figures(content, inputs)
    when = datetime.fromisoformat(inputs["document"]["generated_at"])
    document = render_docx(template, content, images, when)
    summary = {
        "sections": len(content.sections),
        "tables": sum(1 for s in content.sections for b in s.blocks if isinstance(b, rules.Table)),
        "figures": len(content.figures()),
    }
    return Built(document, attachments, template, rules.sha256(template), summary)


def render_figures(
    content: rules.DocumentContent, inputs: dict[str, Any]
) -> tuple[dict[int, bytes], dict[str, bytes]]:
    """PNG bytes per figure of ``content``, and the attachments drawn on the way (the network
    diagram's SVG and PNG)."""
    images: dict[int, bytes] = {}
    attachments: dict[str, bytes] = {}
    title = inputs["project"]["name"]
    for index, figure in enumerate(content.figures()):
        data = (inputs.get(figure.source) or {}).get("figure", {}).get("data")
        if data is None:
            continue
        if figure.kind == "capacity":
            from workbench.io.chart_images import capacity_chart_png

            images[index] = capacity_chart_png(pd.DataFrame(data), figure.caption)
        elif figure.kind == "gantt":
            from workbench.io.chart_images import gantt_png

            # The chart reads the ISO dates itself.
            today = date.fromisoformat(inputs["document"]["date"])
            images[index] = gantt_png(pd.DataFrame(data), figure.caption, today=today)
        elif figure.kind == "forecast":
            from workbench.io.chart_images import forecast_png

            images[index] = forecast_png(pd.DataFrame(data), figure.caption)
        elif figure.kind == "network":
            from workbench.io.diagrams import render_network_diagram

            svg, png = render_network_diagram(topology_from_json(data), f"Network: {title}")
            images[index] = png
            attachments.setdefault("svg", svg)
            attachments.setdefault("png", png)
    return images, attachments


def _bom_spreadsheet(ws: Workbench, inputs: dict[str, Any]) -> dict[str, bytes]:
    """The BOM as the sizing section exports it (.xlsx), beside a hardware_bom document."""
    basis = (inputs.get("bom") or {}).get("xlsx")
    if not basis:
        return {}
    with tempfile.TemporaryDirectory() as folder:
        path = ws.sizing.export_bom(
            basis["import_id"],
            basis["vendor"],
            basis["lot"],
            Path(folder) / "bom.xlsx",
            scenario=basis["scenario"],
        )
        return {"xlsx": path.read_bytes()}


def topology_to_json(topology) -> dict[str, Any]:
    """A network topology as JSON-ready inputs (frames keep their columns when empty)."""
    out: dict[str, Any] = {}
    for item in fields(topology):
        value = getattr(topology, item.name)
        if isinstance(value, pd.DataFrame):
            out[item.name] = {"columns": list(value.columns), "records": _records(value)}
        else:
            out[item.name] = fmt.json_ready(list(value))
    return out


def topology_from_json(data: dict[str, Any]):
    """The topology back from :func:`topology_to_json`."""
    from workbench.network import NetworkTopology

    values = {}
    for item in fields(NetworkTopology):
        value = data.get(item.name)
        if isinstance(value, dict):
            values[item.name] = pd.DataFrame(value["records"], columns=value["columns"])
        else:
            values[item.name] = tuple(value or ())
    return NetworkTopology(**values)


# -- gathering the inputs ---------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return fmt.json_ready(frame.to_dict("records"))


def _text_table(frame: pd.DataFrame, title: str | None = None) -> dict[str, Any]:
    return rules.table(
        list(frame.columns), frame.astype(object).where(frame.notna(), "").values.tolist(), title
    )


def gather(
    ws: Workbench,
    project: Project,
    kind: str,
    title: str,
    version: str,
    author: str,
    when: datetime,
    config: dict[str, Any],
) -> dict[str, Any]:
    """The inputs of one document version: everything its content is built from, JSON-ready.

    Sections whose data the project does not have are left out (the content then says so).
    """
    customer = config.get("customer") or (project.metadata or {}).get("customer") or project.name
    inputs: dict[str, Any] = {
        "project": {
            "id": project.ref,
            "name": project.name,
            "type": project.project_type,
            "status": project.status,
            "start_date": project.start_date.isoformat() if project.start_date else None,
            "target_end_date": project.target_end_date.isoformat()
            if project.target_end_date
            else None,
            "description": project.description,
        },
        "document": {
            "type": kind,
            "name": title,
            "version": version,
            "date": when.date().isoformat(),
            "generated_at": when.replace(tzinfo=None).isoformat(),
            "author": author,
            "status": "draft",
            "reference": rules.document_reference(project.name, kind, version),
            "customer": str(customer),
            "legal_name": config.get("legal_name"),
            "classification": config.get("classification"),
            "owner": config.get("owner"),
        },
    }
    needed = set(rules.SECTIONS[kind])
    intro = [
        f"This {rules.TITLES[kind]} for {project.name} was generated by the Infra Workbench on "
        f"{fmt.day(when.date())} from the project's data, version {version}.",
        f"Project type: {fmt.label(project.project_type)}; status: {fmt.label(project.status)}"
        + (f"; from {fmt.day(project.start_date)}" if project.start_date else "")
        + (f" to {fmt.day(project.target_end_date)}" if project.target_end_date else "")
        + ".",
    ]
    if project.description:
        intro.append(project.description)
    record = _import_of(ws, project, config.get("import_id"))
    sources = [["Project", project.name], ["Generated", fmt.day(when.date())], ["Author", author]]
    if record is not None:
        sources.append(["RVTools import", f"{record.filename} ({record.id})"])
    inputs["introduction"] = {
        "paragraphs": intro,
        "tables": [rules.table(["Source", "Value"], sources, "Sources")],
    }
    if record is not None:
        _gather_rvtools(ws, record, needed, inputs, when, config)
        if needed & {"sizing", "bom"}:
            _gather_sizing(ws, record, inputs, config)
    if needed & {"schedule", "waves"}:
        _gather_schedule(ws, project, inputs)
    if "pool" in needed:
        _gather_pool(ws, project, inputs, when)
    return fmt.json_ready(inputs)


def _import_of(ws, project, import_id):
    if import_id:
        record = ws.rvtools.get(import_id)
        if record.project_id.split(":")[-1] != project.id:
            raise InvalidInputError(f"Import {import_id} belongs to another project.")
        return record
    completed = [r for r in ws.rvtools.list(project) if r.processing_status == "completed"]
    return completed[0] if completed else None


def _gather_rvtools(ws, record, needed, inputs, when, config) -> None:
    analysis = ws.rvtools.analysis(record.id, as_of=when.date())
    summary = analysis.summary
    if needed & {"environment"}:
        metrics = _summary_rows(summary)
        shown = fmt.report(analysis.clusters, DOCUMENT_CAPACITY)
        standalone = (analysis.clusters["cluster"].fillna("") == "").sum()
        inputs["environment"] = {
            "paragraphs": [
                f"The RVTools export {record.filename} lists "
                f"{fmt.count(summary.get('clusters', 0))} cluster(s)"
                + (" and hosts outside any cluster" if standalone else "")
                + (
                    f"; the migration covers {', '.join(analysis.selected)}."
                    if analysis.selected
                    else "; all of them are in scope."
                )
            ],
            "tables": [
                rules.table(["Measure", "Value"], metrics[:40], "Environment summary"),
                _text_table(shown, "Capacity per cluster"),
            ],
            "figure": {
                "kind": "capacity",
                "caption": "Demand against capacity per cluster",
                "data": _records(
                    analysis.capacity if len(analysis.capacity) else analysis.clusters
                ),
            },
        }
    if "risks" in needed:
        checks = analysis.risks.checks
        hit = checks[checks["vms"] > 0] if "vms" in checks else checks
        table = hit[["severity", "title", "vms", "explanation"]].rename(
            columns={
                "severity": "Severity",
                "title": "Risk",
                "vms": "VMs",
                "explanation": "Why it matters",
            }
        )
        hits = analysis.risks.hits
        detail = (
            hits[["severity", "vm", "cluster", "detail"]]
            .head(2000)
            .rename(
                columns={
                    "severity": "Severity",
                    "vm": "VM",
                    "cluster": "Cluster",
                    "detail": "Detail",
                }
            )
        )
        inputs["risks"] = {
            "paragraphs": [
                f"{fmt.count(len(hit))} of {fmt.count(len(checks))} checks found something, "
                f"on {fmt.count(hits['vm_key'].nunique() if 'vm_key' in hits else len(hits))} VM(s)."
            ],
            "tables": [_text_table(table, "Risks found")],
            "detail": [_text_table(detail, "Risks per VM")],
        }
    sheets = []
    if "hosts" in needed:
        sheets += ["vHost"]
    if "network" in needed:
        from workbench.network import SHEETS as NETWORK_SHEETS

        sheets += list(NETWORK_SHEETS)
    if "storage" in needed:
        sheets += ["vDatastore"]
    if "vms" in needed:
        sheets += ["vInfo"]
    try:
        tables = ws.rvtools.tables(record.id, sorted(set(sheets))) if sheets else {}
    except NotFoundError:  # an import from an older RVTools lacks a sheet: ask one by one
        tables = {}
        for sheet in sorted(set(sheets)):
            try:
                tables.update(ws.rvtools.tables(record.id, [sheet]))
            except NotFoundError:
                continue
    clusters = list(analysis.selected) or None
    if "hosts" in needed and "vHost" in tables:
        hosts = tables["vHost"]
        if clusters:
            hosts = hosts[hosts["cluster"].isin(clusters)]
        cols = {
            "host": "Host",
            "cluster": "Cluster",
            "vendor": "Vendor",
            "model": "Model",
            "cpu_model": "CPU",
            "cpu_sockets": "Sockets",
            "cpu_cores": "Cores",
            "memory_mib": "RAM",
            "esx_version": "ESXi",
            "vms_total": "VMs",
        }
        frame = hosts[[c for c in cols if c in hosts]].copy()
        if "memory_mib" in frame:
            frame["memory_mib"] = [fmt.size(v) for v in frame["memory_mib"]]
        inputs["hosts"] = {
            "paragraphs": [f"{fmt.count(len(frame))} host(s) in scope."],
            "tables": [
                _text_table(
                    frame.rename(columns=cols).sort_values(
                        ["Cluster", "Host"] if "Cluster" in frame.rename(columns=cols) else ["Host"]
                    ),
                    "Hosts",
                )
            ],
        }
    if "storage" in needed and "vDatastore" in tables:
        ds = tables["vDatastore"]
        cols = {
            "datastore": "Datastore",
            "type": "Type",
            "capacity_mib": "Capacity",
            "in_use_mib": "In use",
            "free_mib": "Free",
            "free_pct": "Free %",
            "vms": "VMs",
            "host_count": "Hosts",
        }
        frame = ds[[c for c in cols if c in ds]].copy()
        for c in ("capacity_mib", "in_use_mib", "free_mib"):
            if c in frame:
                frame[c] = [fmt.size(v) for v in frame[c]]
        inputs["storage"] = {
            "paragraphs": [f"{fmt.count(len(frame))} datastore(s)."],
            "tables": [_text_table(frame.rename(columns=cols), "Datastores")],
        }
    if "vms" in needed and "vInfo" in tables:
        vms = tables["vInfo"]
        if clusters:
            vms = vms[vms["cluster"].isin(clusters)]
        if "template" in vms:
            vms = vms[~vms["template"].fillna(False).astype(bool)]
        limit = config.get("vm_rows")
        cols = {
            "vm": "VM",
            "powerstate": "Power",
            "cluster": "Cluster",
            "host": "Host",
            "os_config": "OS",
            "vcpus": "vCPUs",
            "memory_mib": "RAM",
            "provisioned_mib": "Provisioned",
        }
        frame = vms[[c for c in cols if c in vms]].copy().sort_values("vm")
        if limit is not None:
            frame = frame.head(int(limit))
        for c in ("memory_mib", "provisioned_mib"):
            if c in frame:
                frame[c] = [fmt.size(v) for v in frame[c]]
        inputs["vms"] = {
            "paragraphs": [f"{fmt.count(len(frame))} virtual machine(s) in scope."],
            "tables": [_text_table(frame.rename(columns=cols), "Virtual machines")],
        }
    if "network" in needed:
        from workbench.network import network_topology, port_group_table

        topology = network_topology(tables, clusters)
        if len(topology.port_groups) or len(topology.switches):
            switches = topology.switches
            switch_table = switches[["name", "kind", "cluster", "hosts", "uplinks"]].rename(
                columns={
                    "name": "Switch",
                    "kind": "Type",
                    "cluster": "Cluster",
                    "hosts": "Hosts",
                    "uplinks": "Uplinks",
                }
            )
            inputs["network"] = {
                "paragraphs": [
                    f"{fmt.count(len(switches))} switch(es) and {fmt.count(len(topology.port_groups))} "
                    "port group(s), as the RVTools export shows them.",
                    *topology.warnings,
                ],
                "figure": {
                    "kind": "network",
                    "caption": "Hosts, switches and port groups",
                    "data": topology_to_json(topology),
                },
                "tables": [
                    _text_table(switch_table, "Switches"),
                    _text_table(port_group_table(topology), "Port groups and VLANs"),
                ],
            }
    sheet_of = {"hosts": "vHost", "storage": "vDatastore", "vms": "vInfo"}
    for anchor in needed & {"hosts", "storage", "vms", "network"}:
        if anchor not in inputs:
            inputs[anchor] = {
                "missing": rules.MISSING["network"]
                if anchor == "network"
                else f"The RVTools export {record.filename} has no {sheet_of[anchor]} rows, "
                "so this section has no data."
            }


def _summary_rows(summary: dict[str, Any]) -> list[list[str]]:
    """The environment at a glance, as a consultant reads it (sizes in binary units)."""

    def get(key: str) -> Any:
        return summary.get(key)

    rows = [
        ["vCenter", ", ".join(get("vcenters") or []) or fmt.MISSING],
        ["Exported", fmt.moment(get("export_time"))],
        ["RVTools version", get("rvtools_version") or fmt.MISSING],
        ["Clusters", fmt.count(get("clusters"))],
        [
            "Hosts",
            f"{fmt.count(get('hosts'))} ({fmt.count(get('host_cores'))} cores, "
            f"{fmt.size(get('host_memory_mib'))} RAM)",
        ],
        [
            "VMs",
            f"{fmt.count(get('vms'))} ({fmt.count(get('powered_on'))} powered on, "
            f"{fmt.count(get('powered_off'))} off, {fmt.count(get('templates'))} templates)",
        ],
        ["vCPUs", f"{fmt.count(get('vcpus'))} ({fmt.count(get('vcpus_on'))} powered on)"],
        ["vRAM", f"{fmt.size(get('memory_mib'))} ({fmt.size(get('memory_on_mib'))} powered on)"],
        ["Storage provisioned", fmt.size(get("provisioned_mib"))],
        ["Storage in use", fmt.size(get("in_use_mib"))],
        [
            "Datastores",
            f"{fmt.count(get('datastores'))} ({fmt.size(get('datastore_capacity_mib'))}, "
            f"{fmt.size(get('datastore_free_mib'))} free)",
        ],
        ["vCPU : core", fmt.ratio(get("vcpu_per_core"))],
        ["vRAM : host RAM", fmt.ratio(get("vram_per_ram"))],
    ]
    versions = get("esxi_versions") or {}
    if versions:
        rows.append(["ESXi", "; ".join(f"{v} ({fmt.count(n)})" for v, n in versions.items())])
    guests = sorted((get("guest_os") or {}).items(), key=lambda item: -item[1])
    if guests:
        shown = "; ".join(f"{name} ({fmt.count(n)})" for name, n in guests[:6])
        more = len(guests) - 6
        rows.append(["Guest OS", shown + (f"; {more} more" if more > 0 else "")])
    return rows


def _gather_sizing(ws, record, inputs, config) -> None:
    result = ws.sizing.latest(record.id)
    if result is None:
        return
    options = result.options
    scenario = config.get("scenario") or "policy"
    ranked = options[(options["scenario"] == scenario) & options["feasible"]].sort_values("rank")
    if ranked.empty:
        return
    best = ranked.iloc[0]
    vendor = config.get("vendor") or best["vendor"]
    lot = config.get("lot") or best["lot"]
    shown = ranked.head(10)[
        ["rank", "vendor", "lot", "model", "hosts", "limiting", "total_usd", "total_eur"]
    ].copy()
    shown["total_usd"] = [fmt.money(v, "USD") for v in shown["total_usd"]]
    shown["total_eur"] = [fmt.money(v, "EUR") for v in shown["total_eur"]]
    shown["limiting"] = [fmt.label(v) for v in shown["limiting"]]
    inputs["sizing"] = {
        "paragraphs": [
            f"The cheapest feasible option ({fmt.label(scenario)} scenario) is {best['vendor']} "
            f"{best['lot']} ({best['model']}): {fmt.count(best['hosts'])} host(s), "
            f"{fmt.money(best['total_usd'], 'USD')} over the term, limited by {fmt.label(best['limiting'])}."
        ],
        "tables": [
            _text_table(
                shown.rename(
                    columns={
                        "rank": "Rank",
                        "vendor": "Vendor",
                        "lot": "Lot",
                        "model": "Model",
                        "hosts": "Hosts",
                        "limiting": "Limited by",
                        "total_usd": "Total USD",
                        "total_eur": "Total EUR",
                    }
                ),
                "Options, cheapest first",
            )
        ],
    }
    try:
        bom = ws.sizing.bom(record.id, vendor, lot, scenario=scenario, recommendation=result)
    except (NotFoundError, InvalidInputError) as exc:
        inputs["bom"] = {"paragraphs": [str(exc)], "tables": []}
        return
    lines = bom.lines.copy()
    for column in ("unit_usd", "extended_usd"):
        lines[column] = [
            fmt.money(v, "USD") if v is not None and not pd.isna(v) else "" for v in lines[column]
        ]
    for column in ("unit_eur", "extended_eur"):
        lines[column] = [
            fmt.money(v, "EUR") if v is not None and not pd.isna(v) else "" for v in lines[column]
        ]
    trace = bom.trace.copy()
    inputs["sizing"]["detail"] = [
        _text_table(trace.rename(columns=str.capitalize), "How the option was sized")
    ]
    inputs["bom"] = {
        "paragraphs": [
            bom.title,
            f"Total {fmt.money(bom.totals['usd'], 'USD')} ({fmt.money(bom.totals['eur'], 'EUR')}).",
            *bom.notes,
        ],
        "tables": [
            rules.table(["Item", "Value"], [[k, v] for k, v in bom.header], "Basis"),
            _text_table(
                lines.rename(
                    columns={
                        "line": "Line",
                        "lot": "Lot",
                        "part_number": "Part number",
                        "description": "Description",
                        "quantity": "Qty",
                        "unit_usd": "Unit USD",
                        "extended_usd": "Extended USD",
                        "unit_eur": "Unit EUR",
                        "extended_eur": "Extended EUR",
                        "support": "Support",
                    }
                ),
                "Bill of materials",
            ),
            rules.table(["Setting", "Value"], [[k, v] for k, v in bom.settings], "Sizing settings"),
        ],
        "xlsx": {"import_id": record.id, "vendor": vendor, "lot": lot, "scenario": scenario},
    }


def _gather_schedule(ws, project, inputs) -> None:
    frame = ws.workflows.frame(project)
    if frame.empty:
        return
    shown = frame[
        [
            "name",
            "workflow_type",
            "status",
            "start_date",
            "end_date",
            "duration_days",
            "progress_percentage",
            "critical",
        ]
    ].copy()
    for column in ("start_date", "end_date"):
        shown[column] = [fmt.day(v) for v in shown[column]]
    shown["workflow_type"] = [fmt.label(v) for v in shown["workflow_type"]]
    shown["status"] = [fmt.label(v) for v in shown["status"]]
    shown["progress_percentage"] = [f"{int(v)} %" for v in shown["progress_percentage"]]
    shown["critical"] = ["yes" if v else "" for v in shown["critical"]]
    inputs["schedule"] = {
        "paragraphs": [
            f"{fmt.count(len(frame))} workflow(s) from {fmt.day(frame['start_date'].min())} to "
            f"{fmt.day(frame['end_date'].max())}; the critical ones drive the finish."
        ],
        "figure": {
            "kind": "gantt",
            "caption": "Schedule (critical path in red)",
            "data": _records(frame),
        },
        "tables": [
            _text_table(
                shown.rename(
                    columns={
                        "name": "Workflow",
                        "workflow_type": "Type",
                        "status": "Status",
                        "start_date": "Start",
                        "end_date": "Finish",
                        "duration_days": "Days",
                        "progress_percentage": "Done",
                        "critical": "Critical",
                    }
                ),
                "Workflows",
            )
        ],
    }
    waves = []
    for workflow in ws.workflows.list(project):
        if workflow.workflow_type != "migration_wave":
            continue
        vms = pd.DataFrame(list(workflow.vm_list))
        rows = []
        if not vms.empty:
            rows = [
                [
                    r.get("name") or r.get("vm") or "",
                    fmt.cluster_name(r.get("cluster")),
                    fmt.count(r.get("vcpus")),
                    fmt.size(r.get("memory_mib")),
                    fmt.size(r.get("storage_mib")),
                ]
                for r in vms.to_dict("records")
            ]
        waves.append(
            {
                "name": workflow.name,
                "paragraphs": [
                    f"{fmt.count(len(rows))} VM(s)"
                    + (
                        f", from {fmt.day(workflow.start_date)} to {fmt.day(workflow.end_date)}."
                        if getattr(workflow, "start_date", None)
                        else "."
                    )
                ],
                "table": rules.table(["VM", "Cluster", "vCPUs", "RAM", "Storage"], rows),
            }
        )
    if waves:
        inputs["waves"] = {"paragraphs": [f"{fmt.count(len(waves))} wave(s)."], "waves": waves}


def _gather_pool(ws, project, inputs, when) -> None:
    bookings = ws.pool.bookings(project=project)
    requests = ws.procurement.frame(project=project)
    forecast = ws.pool.forecast(weeks=26, start=when.date())
    if not forecast[["available", "demand"]].to_numpy().any():
        forecast = forecast.iloc[0:0]  # an empty pool has nothing to chart
    if bookings.empty and requests.empty and forecast.empty:
        return
    tables = []
    if not bookings.empty:
        shown = bookings[["server_name", "kind", "workflow", "start", "end", "days"]].copy()
        shown["kind"] = [fmt.label(v) for v in shown["kind"]]
        for column in ("start", "end"):
            shown[column] = [fmt.day(v) for v in shown[column]]
        tables.append(
            _text_table(
                shown.rename(
                    columns={
                        "server_name": "Server",
                        "kind": "Booking",
                        "workflow": "Workflow",
                        "start": "From",
                        "end": "Until",
                        "days": "Days",
                    }
                ),
                "Servers booked",
            )
        )
    if not requests.empty:
        shown = requests[
            [
                "request_name",
                "status",
                "vendor",
                "servers",
                "delivered",
                "total_cost",
                "currency",
                "expected_delivery",
                "overdue",
            ]
        ].copy()
        shown["status"] = [fmt.label(v) for v in shown["status"]]
        shown["expected_delivery"] = [fmt.day(v) for v in shown["expected_delivery"]]
        shown["overdue"] = ["overdue" if v else "" for v in shown["overdue"]]
        tables.append(
            _text_table(
                shown.rename(
                    columns={
                        "request_name": "Request",
                        "status": "Status",
                        "vendor": "Vendor",
                        "servers": "Servers",
                        "delivered": "Delivered",
                        "total_cost": "Cost",
                        "currency": "Currency",
                        "expected_delivery": "Expected",
                        "overdue": "",
                    }
                ),
                "Procurement",
            )
        )
    summary = (
        f"{fmt.count(len(bookings))} booking(s) and {fmt.count(len(requests))} procurement "
        "request(s) for this project."
        if tables
        else "No servers of the pool are booked and no hardware is requested for this project yet."
    )
    inputs["pool"] = {"paragraphs": [summary], "tables": tables}
    if not forecast.empty:
        inputs["pool"]["figure"] = {
            "kind": "forecast",
            "caption": "The pool's servers available each week against demand (26 weeks)",
            "data": _records(forecast),
        }
