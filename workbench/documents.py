"""Documents written from a project's data: their types, status rules, storage keys, hashes
and content.

A document is built in three steps. The facade gathers the project's data into *inputs*: a
JSON-ready dict of plain values and text tables (:func:`table`), stored beside the
document so a version can be regenerated. :func:`build_content` turns inputs into a
:class:`DocumentContent` (sections of paragraphs, tables and figure specifications), with
no I/O. ``workbench.io.docx_writer`` then fills a template with it. The content hash covers
the template's bytes and the inputs, so the same pair always gives the same hash (and the
writer makes the same bytes).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from workbench.errors import InvalidInputError

GENERATOR = "workbench-documents/1"
"""Part of every content hash: a change to how documents are written changes it."""

DOCUMENT_TYPES = ("HLD", "LLD", "migration_plan", "hardware_bom", "network_diagram")
TEMPLATE_TYPES = (*DOCUMENT_TYPES, "custom")
TITLES = {
    "HLD": "High-Level Design",
    "LLD": "Low-Level Design",
    "migration_plan": "Migration Plan",
    "hardware_bom": "Hardware Bill of Materials",
    "network_diagram": "Network Diagram",
}
_TYPE_ALIASES = {
    "hld": "HLD",
    "high-level-design": "HLD",
    "lld": "LLD",
    "low-level-design": "LLD",
    "migration-plan": "migration_plan",
    "plan": "migration_plan",
    "hardware-bom": "hardware_bom",
    "bom": "hardware_bom",
    "network-diagram": "network_diagram",
    "network": "network_diagram",
    "custom": "custom",
}

STATUSES = ("draft", "review", "approved", "archived")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("review", "archived"),
    "review": ("draft", "approved", "archived"),
    "approved": ("archived",),
    "archived": (),
}
"""Allowed status moves. An approved version never changes: a new one is generated."""

_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
MAX_KEY_LENGTH = 400


def document_type(value: Any, *, template: bool = False) -> str:
    """The canonical document type for ``value`` ('hld', 'HLD', 'bom', 'migration-plan' ...).

    Raises
    ------
    InvalidInputError
        Not a known type.
    """
    allowed = TEMPLATE_TYPES if template else DOCUMENT_TYPES
    if isinstance(value, str):
        text = value.strip()
        if text in allowed:
            return text
        alias = _TYPE_ALIASES.get(text.lower().replace("_", "-").replace(" ", "-"))
        if alias in allowed:
            return alias
    raise InvalidInputError(f"Unknown document type {value!r}: use one of {', '.join(allowed)}.")


def check_transition(current: str, new: str) -> None:
    """Refuse a status move that :data:`TRANSITIONS` does not allow.

    Raises
    ------
    InvalidInputError
        Unknown status, or a move that is not allowed (the message says which are).
    """
    if new not in STATUSES:
        raise InvalidInputError(f"Unknown document status {new!r}: use {', '.join(STATUSES)}.")
    if new == current:
        raise InvalidInputError(f"The document is already {current}.")
    allowed = TRANSITIONS.get(current, ())
    if new not in allowed:
        then = " or ".join(allowed) if allowed else "nothing (it is final)"
        raise InvalidInputError(f"A {current} document can move to {then}, not to {new}.")


# -- storage keys ------------------------------------------------------------------------------


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe form of ``text``: ASCII letters, digits, '-', at most ``limit``."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    out = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:limit].strip("-")
    return out or "document"


def check_key(key: Any) -> str:
    """A stored file key: relative, '/'-separated parts of letters, digits, '.', '_', '-'.

    Refuses absolute paths, ``..``, empty parts, backslashes, control and other odd
    characters, parts starting with a dot, and keys longer than :data:`MAX_KEY_LENGTH`.

    Raises
    ------
    InvalidInputError
        The key breaks one of those rules.
    """
    if not isinstance(key, str) or not key:
        raise InvalidInputError("A file key must be non-empty text.")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(f"A file key is at most {MAX_KEY_LENGTH} characters.")
    parts = key.split("/")
    if key.startswith("/") or any(not _KEY_PART.match(part) for part in parts):
        raise InvalidInputError(
            f"{key!r} is not a file key the workbench writes: keys are relative, made of "
            "letters, digits, '.', '_' and '-', never '..' or absolute."
        )
    return key


# -- hashes ------------------------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The inputs as bytes that depend only on their content (sorted keys, no spaces)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def content_hash(template_sha256: str, inputs: dict[str, Any]) -> str:
    """The hash of what a version is generated from: template bytes, inputs, generator."""
    digest = hashlib.sha256()
    for part in (GENERATOR.encode(), template_sha256.encode(), canonical_json(inputs)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


# -- content -----------------------------------------------------------------------------------


def table(columns: list[str], rows: list[list[Any]], title: str | None = None) -> dict[str, Any]:
    """A text table for the inputs: ``{"title", "columns", "rows"}``, every cell text."""
    return {
        "title": title,
        "columns": [str(c) for c in columns],
        "rows": [["" if cell is None else str(cell) for cell in row] for row in rows],
    }


@dataclass(frozen=True)
class Table:
    """A table to write: text cells, first row repeated on every page."""

    columns: list[str]
    rows: list[list[str]]
    title: str | None = None


@dataclass(frozen=True)
class Figure:
    """An image the writer asks the renderers for: ``kind`` ('capacity', 'gantt',
    'network', 'forecast') and the inputs key holding its data; width in centimetres."""

    kind: str
    source: str
    caption: str
    width_cm: float = 16.0


@dataclass(frozen=True)
class Heading:
    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str | None = None


Block = Heading | Paragraph | Table | Figure


@dataclass
class Section:
    """One part of a document; ``anchor`` says which template heading it belongs under."""

    anchor: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 1


@dataclass
class DocumentContent:
    """Everything the writer puts into a template.

    Attributes
    ----------
    properties : dict
        Custom document properties (name -> text), also the values of DOCPROPERTY fields.
    replacements : dict
        Literal placeholder text -> what replaces it.
    history : list of str
        The row for a template's document-history table (version, date, description, author).
    """

    document_type: str
    title: str
    properties: dict[str, str]
    replacements: dict[str, str]
    history: list[str]
    sections: list[Section]

    def figures(self) -> list[Figure]:
        """Every figure, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


HEADING_ALIASES: dict[str, tuple[str, ...]] = {
    "introduction": ("introduction", "executive summary", "document purpose"),
    "environment": (
        "current environment",
        "baseline architecture",
        "source environment",
        "environment summary",
    ),
    "risks": ("migration risks", "risks, assumptions, issues and dependencies", "risks"),
    "sizing": ("target sizing", "target architecture", "sizing"),
    "bom": ("bill of materials", "server details", "hardware"),
    "network": ("network", "network connectivity", "network design"),
    "schedule": ("migration schedule", "migration planning", "schedule", "project plan"),
    "waves": ("migration waves", "waves"),
    "pool": ("hardware allocation", "hardware pool", "procurement"),
    "hosts": ("hosts and clusters", "server details", "compute"),
    "storage": ("storage", "datastores"),
    "vms": ("virtual machines", "vm inventory", "appendix: virtual machines"),
}
"""Template headings (lower case) each section goes under, best first. A section whose
heading the template lacks is added at the end with its own heading."""

SECTIONS: dict[str, tuple[str, ...]] = {
    "HLD": (
        "introduction",
        "environment",
        "risks",
        "sizing",
        "bom",
        "network",
        "schedule",
        "pool",
    ),
    "LLD": (
        "introduction",
        "environment",
        "hosts",
        "storage",
        "network",
        "sizing",
        "bom",
        "risks",
        "vms",
    ),
    "migration_plan": ("introduction", "schedule", "waves", "risks", "pool"),
    "hardware_bom": ("introduction", "sizing", "bom", "pool"),
    "network_diagram": ("introduction", "network", "hosts", "environment"),
}
"""The sections of each document type, in order."""

SECTION_HEADINGS = {
    "introduction": "Introduction",
    "environment": "Current environment",
    "risks": "Migration risks",
    "sizing": "Target sizing",
    "bom": "Bill of materials",
    "network": "Network",
    "schedule": "Migration schedule",
    "waves": "Migration waves",
    "pool": "Hardware allocation",
    "hosts": "Hosts and clusters",
    "storage": "Storage",
    "vms": "Virtual machines",
}

MISSING = {
    "rvtools": (
        "No completed RVTools import is attached to this project yet, so this section has no "
        "data. Import an export (workbench rvtools import) and generate the document again."
    ),
    "sizing": (
        "No sizing recommendation is stored for this project's import yet. Rank the baskets "
        "(workbench sizing recommend) and generate the document again."
    ),
    "schedule": "The project has no workflows yet, so there is no schedule to show.",
    "waves": "No migration waves are planned for this project yet.",
    "pool": "No servers are booked and no hardware is requested for this project yet.",
    "network": (
        "The RVTools export has no network sheets (vSwitch, vPort, dvSwitch, dvPort), so no "
        "network can be drawn."
    ),
}
"""What a section says when the part of the workbench it draws on has no data yet."""


def _tables(value: Any) -> list[Table]:
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    return [
        Table(columns=list(t["columns"]), rows=[list(r) for r in t["rows"]], title=t.get("title"))
        for t in items
        if t and t.get("columns")
    ]


def _section_blocks(anchor: str, inputs: dict[str, Any], document_type: str) -> list[Block]:
    """The blocks of one section from the inputs (see ``workbench.api.documents.gather``)."""
    blocks: list[Block] = []
    data = inputs.get(anchor) or {}

    def text(*lines: str) -> None:
        blocks.extend(Paragraph(line) for line in lines if line)

    def add_tables(key: str = "tables") -> None:
        for t in _tables(data.get(key)):
            if t.title:
                blocks.append(Paragraph(t.title, style="caption"))
            blocks.append(t)

    if anchor == "introduction":
        text(*data.get("paragraphs", []))
        add_tables()
        return blocks
    needs = {
        "environment": "rvtools",
        "hosts": "rvtools",
        "storage": "rvtools",
        "vms": "rvtools",
        "risks": "rvtools",
        "network": "rvtools",
        "sizing": "sizing",
        "bom": "sizing",
        "schedule": "schedule",
        "waves": "waves",
        "pool": "pool",
    }[anchor]
    if not data:
        text(MISSING[needs])
        return blocks
    if data.get("missing"):  # the source is there but holds nothing for this section
        text(data["missing"])
        return blocks
    text(*data.get("paragraphs", []))
    figure = data.get("figure")
    if figure:
        blocks.append(Figure(kind=figure["kind"], source=anchor, caption=figure["caption"]))
    if anchor == "waves":
        for wave in data.get("waves", []):
            blocks.append(Heading(wave["name"], 2))
            text(*wave.get("paragraphs", []))
            blocks.extend(_tables(wave.get("table")))
        return blocks
    add_tables()
    # The sizing's calculation goes wherever the sizing does; the other details (risks VM by
    # VM) only into the documents written for the people doing the work.
    if data.get("detail") and (anchor == "sizing" or document_type in ("LLD", "migration_plan")):
        add_tables("detail")
    return blocks


def build_content(document_type_: str, inputs: dict[str, Any]) -> DocumentContent:
    """The content of one document from its inputs (pure: same inputs, same content).

    Parameters
    ----------
    document_type_ : str
        One of :data:`DOCUMENT_TYPES`.
    inputs : dict
        As gathered by the facade: ``project``, ``document`` (name, version, date, author,
        status, reference, customer, legal_name), then one entry per section anchor.

    Returns
    -------
    DocumentContent
    """
    kind = document_type(document_type_)
    doc = inputs["document"]
    project = inputs["project"]
    title = f"{TITLES[kind]}: {project['name']}"
    customer = doc.get("customer") or project["name"]
    properties = {
        "Title": title,
        "TitleTITLEPAGE": title,
        "ProjectName": project["name"],
        "DocumentType": TITLES[kind],
        "CompanyName": customer,
        "CustomerName": customer,
        "CompanyNameLegal": doc.get("legal_name") or customer,
        "DocumentReference": doc["reference"],
        "DocumentReferenceTbx": doc["reference"],
        "HeaderField3": f"Document reference: {doc['reference']}",
        "Version": doc["version"],
        "Status": doc["status"].capitalize(),
        "Author": doc["author"],
        "Owner": doc.get("owner") or doc["author"],
        "DocDate": doc["date"],
        "Copyright": doc["date"][:4],
        "Classification": doc.get("classification") or "Confidential",
        "DatesReview": doc.get("review_before") or "",
        "DatesRfT": "",
        "DatesRfO": "",
    }
    replacements = {
        "CCT-FFF-XXXX": doc["reference"],
        "Fill in legal name": doc.get("legal_name") or customer,
    }
    # Jinja tags a template may use ({{ project.name }}), by the names people write.
    for names, value in (
        (("project", "project.name", "project_name"), project["name"]),
        (("customer", "customer.name", "company"), customer),
        (("legal_name", "customer.legal_name"), doc.get("legal_name") or customer),
        (("title", "document.title"), title),
        (("version", "document.version"), doc["version"]),
        (("reference", "document.reference"), doc["reference"]),
        (("date", "document.date"), doc["date"]),
        (("author", "document.author"), doc["author"]),
        (("status", "document.status"), doc["status"].capitalize()),
    ):
        replacements.update({"{{" + name + "}}": value for name in names})
    history = [
        doc["version"],
        doc["date"],
        f"{TITLES[kind]} generated by the Infra Workbench from the project's data",
        doc["author"],
    ]
    sections = [
        Section(
            anchor=anchor,
            heading=SECTION_HEADINGS[anchor],
            blocks=_section_blocks(anchor, inputs, kind),
        )
        for anchor in SECTIONS[kind]
    ]
    return DocumentContent(
        document_type=kind,
        title=title,
        properties=properties,
        replacements=replacements,
        history=history,
        sections=sections,
    )


def next_version(versions: list[str]) -> str:
    """The version after the highest of ``versions`` ('1' when there is none)."""
    numbers = [int(v) for v in versions if str(v).isdigit()]
    return str(max(numbers, default=0) + 1)


def document_reference(project_name: str, document_type_: str, version: str) -> str:
    """A readable reference: ``WB-<PROJECT>-<TYPE>-v<version>``."""
    # Whole words only, at most 21 characters: "NORTHWIND-VMWARE-EXIT", never "...-EXIT-TO".
    words, short = slug(project_name, 200).upper().split("-"), ""
    for word in words:
        if short and len(short) + 1 + len(word) > 21:
            break
        short = f"{short}-{word}" if short else word[:21]
    return f"WB-{short}-{slug(document_type_, 20).upper()}-v{version}"


# -- records as the facade hands them out --------------------------------------------------


@dataclass(frozen=True)
class DocumentTemplate:
    """A registered template (``id`` is ``document_template:<key>``)."""

    id: str
    template_name: str
    template_type: str
    version: str
    file_format: str
    is_default: bool
    source: str
    description: str | None
    template_file_path: str
    file_size: int | None
    file_sha256: str | None
    style_config: dict[str, Any]
    placeholder_map: dict[str, Any]
    table_structures: list[dict[str, Any]]
    registered_by: str | None
    created_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DocumentTemplate:
        """From a ``document_template`` record as the store returns it."""
        return cls(
            id=str(row["id"]),
            template_name=row["template_name"],
            template_type=row["template_type"],
            version=row.get("version") or "1",
            file_format=row.get("file_format") or "docx",
            is_default=bool(row.get("is_default")),
            source=row.get("source") or "registered",
            description=row.get("description"),
            template_file_path=row["template_file_path"],
            file_size=row.get("file_size"),
            file_sha256=row.get("file_sha256"),
            style_config=row.get("style_config") or {},
            placeholder_map=row.get("placeholder_map") or {},
            table_structures=list(row.get("table_structures") or []),
            registered_by=row.get("registered_by"),
            created_at=row.get("created_at"),
        )

    @property
    def label(self) -> str:
        """``<name> v<version>``, as documents name the template they came from."""
        return f"{self.template_name} v{self.version}"


@dataclass(frozen=True)
class ProjectDocument:
    """A generated document version (``id`` is ``project_document:<key>``)."""

    id: str
    project_id: str
    project: str
    document_type: str
    document_name: str
    version: str
    status: str
    file_path: str
    file_format: str
    file_size: int | None
    file_sha256: str | None
    content_hash: str | None
    template_id: str | None
    generated_from_template: str | None
    generation_config: dict[str, Any]
    generated_at: datetime | None
    generated_by: str | None
    approved_by: str | None
    approval_date: datetime | None
    inputs_path: str | None
    status_history: list[dict[str, Any]]
    metadata: dict[str, Any]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProjectDocument:
        """From a ``project_document`` record as the store returns it."""
        return cls(
            id=str(row["id"]),
            project_id=str(row["project_id"]),
            project=row.get("project_name") or "",
            document_type=row["document_type"],
            document_name=row["document_name"],
            version=row.get("version") or "1",
            status=row.get("status") or "draft",
            file_path=row["file_path"],
            file_format=row.get("file_format") or "docx",
            file_size=row.get("file_size"),
            file_sha256=row.get("file_sha256"),
            content_hash=row.get("content_hash"),
            template_id=str(row["template_id"]) if row.get("template_id") else None,
            generated_from_template=row.get("generated_from_template"),
            generation_config=row.get("generation_config") or {},
            generated_at=row.get("generated_at"),
            generated_by=row.get("generated_by"),
            approved_by=row.get("approved_by"),
            approval_date=row.get("approval_date"),
            inputs_path=row.get("inputs_path"),
            status_history=list(row.get("status_history") or []),
            metadata=row.get("metadata") or {},
        )

    @property
    def filename(self) -> str:
        """The name a download gets: ``<project>-<type>-v<version>.<ext>``."""
        return f"{slug(self.project)}-{slug(self.document_name)}-v{self.version}.{self.file_format}"


DOCUMENT_COLUMNS = [
    "id",
    "project",
    "document_type",
    "document_name",
    "version",
    "status",
    "file_format",
    "file_size",
    "template",
    "generated_at",
    "generated_by",
    "approved_by",
    "approval_date",
    "content_hash",
]
TEMPLATE_COLUMNS = [
    "id",
    "template_name",
    "template_type",
    "version",
    "file_format",
    "is_default",
    "source",
    "file_size",
    "docproperty_fields",
    "literal_placeholders",
    "tables",
    "headings",
    "created_at",
]


def default_template(templates: list[DocumentTemplate], kind: str) -> DocumentTemplate | None:
    """The template a type is generated into unless another is picked: its registered
    default, else the workbench's shipped one; None when there is neither."""
    candidates = [t for t in templates if t.template_type == kind]
    return next((t for t in candidates if t.is_default), None) or next(
        (t for t in candidates if t.source == "shipped"), None
    )


def templates_frame(templates: list[DocumentTemplate]) -> pd.DataFrame:
    """Templates as a DataFrame, with what each wants filled counted.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TEMPLATE_COLUMNS`: ``docproperty_fields`` (fields), ``literal_placeholders``
        (occurrences), ``tables`` and ``headings`` (counts), ``file_size`` (bytes).
    """
    rows = []
    for t in templates:
        placeholders = t.placeholder_map
        rows.append(
            {
                "id": t.id,
                "template_name": t.template_name,
                "template_type": t.template_type,
                "version": t.version,
                "file_format": t.file_format,
                "is_default": t.is_default,
                "source": t.source,
                "file_size": t.file_size,
                "docproperty_fields": len(placeholders.get("docproperty_fields") or {}),
                "literal_placeholders": sum(
                    (placeholders.get("literal_placeholders") or {}).values()
                ),
                "tables": len(t.table_structures),
                "headings": len((t.style_config or {}).get("headings") or []),
                "created_at": t.created_at,
            }
        )
    return pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)


def documents_frame(documents: list[ProjectDocument]) -> pd.DataFrame:
    """Documents as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DOCUMENT_COLUMNS`; ``file_size`` in bytes, times as stored (UTC).
    """
    rows = [
        {
            "id": d.id,
            "project": d.project,
            "document_type": d.document_type,
            "document_name": d.document_name,
            "version": d.version,
            "status": d.status,
            "file_format": d.file_format,
            "file_size": d.file_size,
            "template": d.generated_from_template,
            "generated_at": d.generated_at,
            "generated_by": d.generated_by,
            "approved_by": d.approved_by,
            "approval_date": d.approval_date,
            "content_hash": d.content_hash,
        }
        for d in documents
    ]
    return pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
