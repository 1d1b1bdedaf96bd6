"""``workbench doc generate | list | show | status | download | pdf | regenerate | delete |
templates | template-add | template-default | template-delete``.

Documents written from a project's data into templates (``ws.documents``, ``ws.templates``).
Documents and templates are named by id, with or without their table prefix (tables show
the short form). Status moves follow draft -> review -> approved -> archived; an approved
version never changes, a new one is generated instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench import formatting as fmt
from workbench.cli.common import frame_json, text_table
from workbench.cli.common import open_workbench as _open
from workbench.cli.pool import short_id
from workbench.errors import InvalidInputError
from workbench.formatting import json_ready

_LIST_COLUMNS = [
    ("id", "Document", "<", 20),
    ("project", "Project", "<", 30),
    ("type", "Type", "<", 15),
    ("name", "Name", "<", 28),
    ("version", "v", ">", 3),
    ("status", "Status", "<", 8),
    ("size", "Size", ">", 9),
    ("generated", "Generated", "<", 20),
    ("by", "By", "<", 12),
]
_TEMPLATE_COLUMNS = [
    ("id", "Template", "<", 20),
    ("type", "Type", "<", 15),
    ("name", "Name", "<", 34),
    ("version", "v", ">", 3),
    ("default", "Default", "<", 7),
    ("source", "Source", "<", 10),
    ("fields", "Fields", ">", 6),
    ("placeholders", "Placeholders", ">", 12),
    ("tables", "Tables", ">", 6),
]


def _config(args: argparse.Namespace) -> dict:
    config = {}
    for text in args.set or ():
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"--set {text!r}: write KEY=VALUE, e.g. --set customer=ACME.")
        config[key.strip()] = value.strip()
    return config


def cmd_generate(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        doc = ws.documents.generate(
            args.project,
            args.type,
            args.template,
            name=args.name,
            by=args.by,
            **_config(args),
        )
    if args.json:
        print(json.dumps(json_ready(doc.__dict__), indent=2))
        return 0
    sections = doc.metadata.get("sections") or {}
    print(
        f"Generated {doc.document_name} v{doc.version} for {doc.project} "
        f"({short_id(doc.id)}): {fmt.file_size(doc.file_size)}, "
        f"{fmt.many(sections.get('tables', 0), 'table')}, "
        f"{fmt.many(sections.get('figures', 0), 'figure')}, from {doc.generated_from_template}."
    )
    parts = sorted(doc.metadata.get("attachments") or {})
    if parts:
        print(
            f"Attachments: {', '.join(parts)} (workbench doc download {short_id(doc.id)} --part NAME)"
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        frame = ws.documents.frame(args.project, args.type, args.status)
    if args.json:
        print(frame_json(frame))
        return 0
    if frame.empty:
        print("No documents" + (" match." if args.project or args.type or args.status else " yet."))
        return 0
    rows = [
        {
            "id": short_id(r["id"]),
            "project": r["project"],
            "type": r["document_type"],
            "name": r["document_name"],
            "version": r["version"],
            "status": r["status"],
            "size": fmt.file_size(r["file_size"]),
            "generated": fmt.moment(r["generated_at"]),
            "by": r["generated_by"] or "",
        }
        for r in frame.to_dict("records")
    ]
    print(text_table(rows, _LIST_COLUMNS))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        doc = ws.documents.get(args.document)
    if args.json:
        print(json.dumps(json_ready(doc.__dict__), indent=2))
        return 0
    lines = [
        f"{doc.document_name} v{doc.version} ({doc.document_type}) of {doc.project}",
        f"  id:           {short_id(doc.id)}",
        f"  status:       {doc.status}",
        f"  file:         {doc.filename} ({fmt.file_size(doc.file_size)})",
        f"  template:     {doc.generated_from_template or fmt.MISSING}",
        f"  generated:    {fmt.moment(doc.generated_at)} by {doc.generated_by or fmt.MISSING}",
        f"  reference:    {doc.metadata.get('reference', fmt.MISSING)}",
        f"  content hash: {doc.content_hash or fmt.MISSING}",
    ]
    if doc.approved_by:
        lines.append(f"  approved:     {fmt.moment(doc.approval_date)} by {doc.approved_by}")
    parts = sorted(doc.metadata.get("attachments") or {})
    if parts:
        lines.append(f"  attachments:  {', '.join(parts)}")
    lines.append("  history:")
    for step in doc.status_history:
        note = f" ({step['note']})" if step.get("note") else ""
        lines.append(
            f"    {fmt.moment(step.get('at'))}  {step.get('status')}  {step.get('by') or ''}{note}"
        )
    print("\n".join(lines))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        doc = ws.documents.set_status(args.document, args.status, by=args.by, note=args.note)
    if args.json:
        print(json.dumps(json_ready(doc.__dict__), indent=2))
    else:
        print(f"{doc.document_name} v{doc.version} of {doc.project} is now {doc.status}.")
    return 0


def _write(data: bytes, output: str | None, default_name: str) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(output or default_name)
    if path.is_dir():
        path = path / default_name
    path.write_bytes(data)
    print(f"Wrote {path} ({fmt.file_size(len(data))}).")


def cmd_download(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        doc = ws.documents.get(args.document)
        data = ws.documents.download(doc, args.part)
    suffix = {"document": doc.file_format, "inputs": "inputs.json"}.get(args.part, args.part)
    stem = doc.filename.rsplit(".", 1)[0]
    _write(data, args.output, f"{stem}.{suffix}")
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        doc = ws.documents.get(args.document)
        data = ws.documents.pdf(doc, timeout=args.timeout)
    _write(data, args.output, doc.filename.rsplit(".", 1)[0] + ".pdf")
    return 0


def cmd_regenerate(args: argparse.Namespace) -> int:
    # ws.documents.regenerate refuses (ConflictError, exit 4) unless hash and bytes match.
    with _open(args) as ws:
        doc = ws.documents.get(args.document)
        data = ws.documents.regenerate(doc)
    print(
        f"{doc.document_name} v{doc.version}: content hash {doc.content_hash[:16]}... "
        "reproduced; the file is identical byte for byte."
    )
    if args.output:
        _write(data, args.output, doc.filename)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        doc = ws.documents.get(args.document)
        ws.documents.delete(doc, force=args.force)
    print(f"Deleted {doc.document_name} v{doc.version} of {doc.project}.")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        frame = ws.templates.frame(args.type)
    if args.json:
        print(frame_json(frame))
        return 0
    rows = [
        {
            "id": short_id(r["id"]),
            "type": r["template_type"],
            "name": r["template_name"],
            "version": r["version"],
            "default": "yes" if r["is_default"] else "",
            "source": r["source"],
            "fields": fmt.count(r["docproperty_fields"]),
            "placeholders": fmt.count(r["literal_placeholders"]),
            "tables": fmt.count(r["tables"]),
        }
        for r in frame.to_dict("records")
    ]
    print(text_table(rows, _TEMPLATE_COLUMNS))
    return 0


def cmd_template_add(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        template = ws.templates.register(
            args.file,
            args.name,
            args.type,
            description=args.description,
            default=args.default,
            by=args.by,
        )
    if args.json:
        print(json.dumps(json_ready(template.__dict__), indent=2))
        return 0
    fields = template.placeholder_map.get("docproperty_fields") or {}
    literals = template.placeholder_map.get("literal_placeholders") or {}
    print(
        f"Registered {template.label} ({template.template_type}, {short_id(template.id)})"
        + (", the default" if template.is_default else "")
        + f": {fmt.many(len(fields), 'DOCPROPERTY field')}, "
        f"{fmt.many(sum(literals.values()), 'literal placeholder')}, "
        f"{fmt.many(len(template.table_structures), 'table')}."
    )
    return 0


def cmd_template_default(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        template = ws.templates.set_default(args.template, args.version)
    print(f"{template.label} is now the default {template.template_type} template.")
    return 0


def cmd_template_delete(args: argparse.Namespace) -> int:
    with _open(args) as ws:
        template = ws.templates.get(args.template, args.version)
        ws.templates.delete(template)
    print(f"Deleted template {template.label}.")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    group = commands.add_parser(
        "doc", help="documents generated from a project's data: HLD, LLD, plan, BOM, network"
    ).add_subparsers(dest="action", required=True, metavar="ACTION")

    generate = group.add_parser("generate", help="generate a project's document (a new version)")
    generate.add_argument("project", help="project name, or project:<id>")
    generate.add_argument("type", help="HLD, LLD, migration_plan, hardware_bom or network_diagram")
    generate.add_argument("--template", help="template id or name (default: the type's default)")
    generate.add_argument("--name", help="the document's name (default: the type's title)")
    generate.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="customer, legal_name, classification, owner, import_id, vendor, lot, scenario, vm_rows",
    )
    generate.add_argument("--by", help="who generates it (default: the user running this)")
    generate.add_argument("--json", action="store_true", help="print JSON")
    generate.set_defaults(func=cmd_generate)

    listing = group.add_parser("list", help="documents, newest version first per name")
    listing.add_argument("--project", help="project name, or project:<id>")
    listing.add_argument("--type", help="a document type")
    listing.add_argument("--status", help="draft, review, approved or archived")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list)

    show = group.add_parser("show", help="one document: file, template, hash, history")
    show.add_argument("document", help="the document's id")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_show)

    status = group.add_parser("status", help="move a document: draft, review, approved, archived")
    status.add_argument("document", help="the document's id")
    status.add_argument("status", help="the new status")
    status.add_argument("--note", help="kept in the document's history")
    status.add_argument("--by", help="who moves it (default: the user running this)")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)

    download = group.add_parser("download", help="write a document (or a part) to a file")
    download.add_argument("document", help="the document's id")
    download.add_argument("-o", "--output", help="file or folder (default: here; - for stdout)")
    download.add_argument(
        "--part", default="document", help="document (default), inputs, svg, png or xlsx"
    )
    download.set_defaults(func=cmd_download)

    pdf = group.add_parser("pdf", help="convert a document to PDF with LibreOffice")
    pdf.add_argument("document", help="the document's id")
    pdf.add_argument("-o", "--output", help="file or folder (default: here; - for stdout)")
    pdf.add_argument("--timeout", type=float, default=180.0, help="seconds (default 180)")
    pdf.set_defaults(func=cmd_pdf)

    regenerate = group.add_parser(
        "regenerate", help="write a version again from its stored inputs and check it is the same"
    )
    regenerate.add_argument("document", help="the document's id")
    regenerate.add_argument("-o", "--output", help="also write the regenerated file")
    regenerate.set_defaults(func=cmd_regenerate)

    delete = group.add_parser("delete", help="delete a document version and its files")
    delete.add_argument("document", help="the document's id")
    delete.add_argument("--force", action="store_true", help="needed for an approved version")
    delete.set_defaults(func=cmd_delete)

    templates = group.add_parser("templates", help="templates, with what each wants filled")
    templates.add_argument("--type", help="a document type")
    templates.add_argument("--json", action="store_true", help="print JSON")
    templates.set_defaults(func=cmd_templates)

    add = group.add_parser("template-add", help="register a .docx (or .xlsx BOM) template")
    add.add_argument("file", help="the template file")
    add.add_argument("--type", default="HLD", help="the document type it is for (default HLD)")
    add.add_argument("--name", help="default: the file's name")
    add.add_argument("--description")
    add.add_argument("--default", action="store_true", help="make it the type's default")
    add.add_argument("--by", help="who registers it")
    add.add_argument("--json", action="store_true", help="print JSON")
    add.set_defaults(func=cmd_template_add)

    default = group.add_parser("template-default", help="make a template its type's default")
    default.add_argument("template", help="template id or name")
    default.add_argument("--version", help="a version of that name (default: the newest)")
    default.set_defaults(func=cmd_template_default)

    remove = group.add_parser("template-delete", help="delete a registered template version")
    remove.add_argument("template", help="template id or name")
    remove.add_argument("--version", help="a version of that name (default: the newest)")
    remove.set_defaults(func=cmd_template_delete)
