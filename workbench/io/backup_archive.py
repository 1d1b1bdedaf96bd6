"""The backup archive: one zip file with a manifest of sha256 checksums, read as hostile.

Layout::

    manifest.json          format, version, when, source home and store, schema ledger,
                           record counts, and per member: size, sha256 (files: mtime_ns)
    schema/schema.surql    the schema as the store described it (INFO FOR DB/TABLE), for
                           people; a restore relies on the migrations, not on this text
    records/<table>.cbor   every record of one table, ids included (SurrealDB's CBOR tags)
    files/<relative path>  the data directory's files, byte for byte

Why a zip: the central directory gives every member's sizes before anything is inflated
(so bombs are refused from the directory), each member carries a CRC and the manifest a
sha256, and a truncated file has no central directory at all. An archive is treated as
hostile: names are checked for traversal, sizes and compression ratios are bounded, every
byte is hashed while it is extracted, and any doubt refuses the whole archive with
:class:`ImportRejectedError` before a restore touches the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import time
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from workbench.errors import ImportRejectedError, InvalidInputError, StoreUnavailableError

FORMAT = "workbench-backup"
VERSION = 1
MANIFEST = "manifest.json"
SCHEMA_MEMBER = "schema/schema.surql"
RECORDS_PREFIX = "records/"
RECORDS_SUFFIX = ".cbor"
FILES_PREFIX = "files/"
WORK_PREFIX = ".restore-"
"""Folders a restore works in (staging and the set-aside old files), inside the home."""

_CHUNK = 1 << 20
_STORED = frozenset(
    {
        ".xlsx",
        ".xlsm",
        ".docx",
        ".pptx",
        ".zip",
        ".gz",
        ".bz2",
        ".xz",
        ".zst",
        ".7z",
        ".png",
        ".jpg",
        ".jpeg",
    }
)
"""Suffixes of files that are compressed already: stored as they are, which is faster
(a backup holds the store's lock while it copies) and no larger."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TABLE = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Limits:
    """What a backup archive may hold; anything beyond is refused before it is inflated."""

    members: int = 500_000
    member_bytes: int = 8 << 30
    records_member_bytes: int = 2 << 30
    manifest_bytes: int = 64 << 20
    total_bytes: int = 256 << 30
    ratio: float = 1000.0
    """Largest uncompressed/compressed ratio of a member larger than ``ratio_floor``."""
    ratio_floor: int = 1 << 20
    name_chars: int = 4096


DEFAULT_LIMITS = Limits()


def _refuse(path: Path, why: str) -> ImportRejectedError:
    return ImportRejectedError(f"The backup {path} was refused: {why}. Nothing was restored.")


def _io_error(path: Path, exc: OSError) -> StoreUnavailableError:
    cause = exc.strerror or str(exc) or type(exc).__name__
    where = getattr(exc, "filename", None) or path
    return StoreUnavailableError(f"Cannot write {path}: {cause} ({where}).")


def check_relative(name: str, limits: Limits = DEFAULT_LIMITS) -> PurePosixPath:
    """A member's relative path, or ``ValueError`` when it could escape or mislead.

    Refused: absolute paths, empty, ``.`` and ``..`` parts, backslashes (a Windows
    separator), control characters, and names longer than the limit.
    """
    if not isinstance(name, str) or not name or len(name) > limits.name_chars:
        raise ValueError(f"member name {name!r:.80} is empty or too long")
    if name.startswith("/") or "\\" in name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(
            f"member name {name!r:.200} is absolute or holds a separator or control character"
        )
    parts = name.split("/")
    if any(
        part in ("", ".", "..") or len(part.encode("utf-8", "surrogatepass")) > 255
        for part in parts
    ):
        raise ValueError(f"member name {name!r:.200} has an empty, '.', '..' or overlong part")
    return PurePosixPath(name)


# -- the data directory -----------------------------------------------------------------------


@dataclass(frozen=True)
class DataFile:
    """One regular file of the data directory."""

    relative: str
    """POSIX path relative to the data directory."""
    path: Path
    size: int
    mtime_ns: int


def data_files(home: Path, excluded: Iterable[Path]) -> tuple[list[DataFile], list[str]]:
    """The regular files under ``home``, except ``excluded`` paths and a restore's work folders.

    Symbolic links and special files are not followed or copied (a link could pull files
    from outside the data directory into the archive); they are returned by name.

    Returns
    -------
    files : list of DataFile
        Sorted by relative path.
    skipped : list of str
        Relative paths of links and special files left out.
    """
    home = Path(home)
    excluded = {Path(p) for p in excluded}
    files: list[DataFile] = []
    skipped: list[str] = []
    if not home.is_dir():
        return files, skipped

    def walk(folder: Path) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                if path in excluded or (folder == home and entry.name.startswith(WORK_PREFIX)):
                    continue
                info = entry.stat(follow_symlinks=False)
                relative = path.relative_to(home).as_posix()
                if stat.S_ISDIR(info.st_mode):
                    walk(path)
                elif stat.S_ISREG(info.st_mode):
                    files.append(DataFile(relative, path, info.st_size, info.st_mtime_ns))
                else:
                    skipped.append(relative)

    walk(home)
    return files, skipped


# -- writing ----------------------------------------------------------------------------------


class ArchiveWriter:
    """Write an archive to a temporary file beside ``path``; :meth:`finish` renames it into place.

    Leaving the ``with`` block without :meth:`finish` (an error) removes the temporary file,
    so a failed backup never leaves a half archive under the target name.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise InvalidInputError(f"The folder {self.path.parent} does not exist.")
        if self.path.is_dir():
            raise InvalidInputError(f"{self.path} is a folder; give a file name for the backup.")
        self.temporary = self.path.parent / f".{self.path.name}.{uuid.uuid4().hex[:12]}.tmp"
        self.members: dict[str, dict[str, Any]] = {}
        self._zip: zipfile.ZipFile | None = None
        self._finished = False

    def __enter__(self) -> ArchiveWriter:
        try:
            handle = open(self.temporary, "xb")  # noqa: SIM115 - owned by the ZipFile
            self._zip = zipfile.ZipFile(
                handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
            )
        except OSError as exc:
            raise _io_error(self.path, exc) from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._finished:
            self._abandon()

    def _abandon(self) -> None:
        if self._zip is not None:
            try:
                fp = self._zip.fp
                self._zip.close()
            except Exception:  # noqa: BLE001 - already failing; the file is removed below
                fp = None
            if fp is not None:
                fp.close()
            self._zip = None
        self.temporary.unlink(missing_ok=True)

    def _member(self, name: str, mtime_ns: int | None = None) -> zipfile.ZipInfo:
        check_relative(name)
        if name in self.members:
            raise ValueError(f"{name} is already in the archive")
        seconds = (mtime_ns or time.time_ns()) / 1e9
        stamp = time.gmtime(max(seconds, 315532800))  # zip dates start in 1980
        info = zipfile.ZipInfo(name, date_time=stamp[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, name: str, data: bytes) -> None:
        """Add a member from memory."""
        assert self._zip is not None
        info = self._member(name)
        try:
            with self._zip.open(info, "w", force_zip64=len(data) > (1 << 31)) as out:
                out.write(data)
        except OSError as exc:
            raise _io_error(self.path, exc) from exc
        self.members[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def add_file(self, name: str, source: DataFile) -> int:
        """Add a member streamed from a file; return the bytes copied."""
        assert self._zip is not None
        info = self._member(name, source.mtime_ns)
        if source.path.suffix.lower() in _STORED:
            info.compress_type = zipfile.ZIP_STORED
        digest = hashlib.sha256()
        size = 0
        try:
            with open(source.path, "rb") as src, self._zip.open(info, "w", force_zip64=True) as out:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
        except FileNotFoundError as exc:
            raise StoreUnavailableError(
                f"{source.path} vanished while the backup was being written."
            ) from exc
        except OSError as exc:
            raise _io_error(self.path, exc) from exc
        self.members[name] = {
            "size": size,
            "sha256": digest.hexdigest(),
            "mtime_ns": source.mtime_ns,
        }
        return size

    def finish(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Write the manifest (with every member's checksum), flush to disk, rename into place."""
        assert self._zip is not None
        manifest = dict(manifest, format=FORMAT, version=VERSION, members=self.members)
        data = json.dumps(
            manifest, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
        info = self._member(MANIFEST)
        try:
            with self._zip.open(info, "w") as out:
                out.write(data)
            fp = self._zip.fp
            self._zip.close()
            self._zip = None
            assert fp is not None
            fp.flush()
            os.fsync(fp.fileno())
            fp.close()
            os.replace(self.temporary, self.path)
        except OSError as exc:
            self._abandon()
            raise _io_error(self.path, exc) from exc
        self._finished = True
        return manifest


# -- reading ----------------------------------------------------------------------------------


@dataclass
class VerifiedArchive:
    """An archive whose every member matched its manifest entry.

    Attributes
    ----------
    manifest : dict
        The manifest as written.
    blobs : dict of str to bytes
        The schema and records members, by name.
    files : list of str
        Relative paths of the data files, extracted under ``staging``.
    staging : Path
        Folder holding the extracted data files (``staging/<relative path>``).
    """

    manifest: dict[str, Any]
    blobs: dict[str, bytes]
    files: list[str]
    staging: Path
    file_bytes: int = 0
    records: dict[str, int] = field(default_factory=dict)


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, sink: BinaryIO | None
) -> tuple[bytes, str, int]:
    """Inflate one member in chunks; never more than its declared size."""
    digest = hashlib.sha256()
    kept = bytearray()
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise ValueError(f"{info.filename} inflates beyond its declared size")
            digest.update(chunk)
            if sink is None:
                kept += chunk
            else:
                sink.write(chunk)
    return bytes(kept), digest.hexdigest(), size


def _check_manifest(path: Path, manifest: Any) -> dict[str, Any]:
    if not isinstance(manifest, dict):
        raise _refuse(path, "its manifest is not an object")
    if manifest.get("format") != FORMAT:
        raise _refuse(path, "it is not a workbench backup")
    if manifest.get("version") != VERSION:
        raise _refuse(
            path,
            f"it has format version {manifest.get('version')!r}; this workbench reads {VERSION}",
        )
    members = manifest.get("members")
    if not isinstance(members, dict):
        raise _refuse(path, "its manifest lists no members")
    for name, entry in members.items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("size"), int)
            or entry["size"] < 0
            or not isinstance(entry.get("sha256"), str)
            or not _SHA256.match(entry["sha256"])
            or not isinstance(entry.get("mtime_ns", 0), int)
        ):
            raise _refuse(path, f"the manifest entry of {name!r:.200} is malformed")
    records = manifest.get("records")
    if not isinstance(records, dict) or not all(
        isinstance(t, str) and _TABLE.match(t) and isinstance(n, int) and n >= 0
        for t, n in records.items()
    ):
        raise _refuse(path, "its manifest has no valid record counts")
    schema = manifest.get("schema")
    ledger = schema.get("ledger") if isinstance(schema, dict) else None
    if not isinstance(ledger, list) or not all(
        isinstance(row, dict)
        and isinstance(row.get("name"), str)
        and isinstance(row.get("checksum"), str)
        and isinstance(row.get("number"), int)
        for row in ledger
    ):
        raise _refuse(path, "its manifest has no valid migration ledger")
    source = manifest.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("home"), str):
        raise _refuse(path, "its manifest does not say where it was taken")
    return manifest


def read_archive(
    path: Path,
    staging: Path,
    *,
    forbidden: Iterable[str] = (),
    limits: Limits | None = None,
) -> VerifiedArchive:
    """Check every member of a backup and extract its data files into ``staging``.

    Nothing outside ``staging`` is written. On any refusal ``staging`` is removed.

    Parameters
    ----------
    path : Path
        The archive.
    staging : Path
        A folder that must not exist yet; data files land at ``staging/<relative path>``.
    forbidden : iterable of str
        Relative paths (top-level names) the data files may not fall under, such as the
        target's store folder and its lock files.
    limits : Limits, optional
        Size bounds (default :data:`DEFAULT_LIMITS`).

    Raises
    ------
    ImportRejectedError
        Not a backup, damaged (truncated, a changed byte, a checksum that differs, a
        missing or extra member), hostile (traversal, bombs, oversized members), or holding
        files where the target keeps its store.
    StoreUnavailableError
        Writing into ``staging`` failed (disk full, permissions).
    """
    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    forbidden = set(forbidden)
    try:
        staging.mkdir(parents=False)
    except OSError as exc:
        raise _io_error(staging, exc) from exc
    try:
        return _read(path, staging, forbidden, limits)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _read(path: Path, staging: Path, forbidden: set[str], limits: Limits) -> VerifiedArchive:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InvalidInputError(f"There is no backup at {path}.") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a folder, not a backup file.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        raise _refuse(
            path, f"it is not a readable zip archive (truncated or damaged: {exc})"
        ) from None
    with archive:
        infos = archive.infolist()
        _check_directory(path, infos, limits)
        by_name = {info.filename: info for info in infos}
        if MANIFEST not in by_name:
            raise _refuse(path, "it has no manifest")
        try:
            raw, _, _ = _read_member(archive, by_name[MANIFEST], None)
            manifest = _check_manifest(
                path, json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
            )
        except ImportRejectedError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            ValueError,
            UnicodeDecodeError,
            OSError,
        ) as exc:
            raise _refuse(path, f"its manifest is damaged ({exc})") from None
        members = manifest["members"]
        listed = set(members)
        present = set(by_name) - {MANIFEST}
        if listed != present:
            missing = sorted(listed - present)[:3]
            extra = sorted(present - listed)[:3]
            raise _refuse(
                path,
                "its members differ from its manifest"
                + (f" (missing: {', '.join(missing)})" if missing else "")
                + (f" (not listed: {', '.join(extra)})" if extra else ""),
            )
        expected_records = {f"{RECORDS_PREFIX}{t}{RECORDS_SUFFIX}" for t in manifest["records"]}
        for name in sorted(present):
            if name == SCHEMA_MEMBER or name in expected_records or name.startswith(FILES_PREFIX):
                continue
            raise _refuse(path, f"it holds an unexpected member {name!r:.200}")
        if not expected_records <= present:
            raise _refuse(path, "records named in its manifest are missing")
        result = VerifiedArchive(manifest=manifest, blobs={}, files=[], staging=staging)
        for name in sorted(present):
            info = by_name[name]
            entry = members[name]
            if info.file_size != entry["size"]:
                raise _refuse(
                    path,
                    f"{name!r:.200} has {info.file_size} bytes; the manifest says {entry['size']}",
                )
            if name.startswith(FILES_PREFIX):
                relative = name[len(FILES_PREFIX) :]
                if relative.split("/", 1)[0] in forbidden:
                    raise _refuse(
                        path,
                        f"the file {relative!r:.200} would land where this store keeps its own files",
                    )
                digest = _extract(path, archive, info, staging, relative, entry)
                result.files.append(relative)
                result.file_bytes += entry["size"]
            else:
                if info.file_size > limits.records_member_bytes:
                    raise _refuse(
                        path, f"{name} is larger than {limits.records_member_bytes} bytes"
                    )
                try:
                    data, digest, _ = _read_member(archive, info, None)
                except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
                    raise _refuse(path, f"{name!r:.200} is damaged ({exc})") from None
                result.blobs[name] = data
            if digest != entry["sha256"]:
                raise _refuse(path, f"the checksum of {name!r:.200} differs from its manifest")
        result.records = dict(manifest["records"])
        return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid in a manifest")


def _check_directory(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse from the central directory alone: names, duplicates, sizes, ratios, methods."""
    if len(infos) > limits.members:
        raise _refuse(path, f"it has {len(infos)} members (at most {limits.members})")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        try:
            check_relative(name, limits)
        except ValueError as exc:
            raise _refuse(path, str(exc)) from None
        if name in seen:
            raise _refuse(path, f"it holds {name!r:.200} twice")
        seen.add(name)
        if info.is_dir():
            raise _refuse(path, f"it holds a folder entry {name!r:.200}")
        if info.flag_bits & 0x1:
            raise _refuse(path, f"{name!r:.200} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(path, f"{name!r:.200} uses an unsupported compression method")
        kind = (info.external_attr >> 16) & 0o170000
        if kind not in (0, stat.S_IFREG):
            raise _refuse(path, f"{name!r:.200} is not a regular file (a link or device)")
        limit = limits.manifest_bytes if name == MANIFEST else limits.member_bytes
        if info.file_size > limit:
            raise _refuse(
                path, f"{name!r:.200} would inflate to {info.file_size} bytes (at most {limit})"
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise _refuse(
                path, f"{name!r:.200} inflates more than {limits.ratio:g} times (a zip bomb)"
            )
        total += info.file_size
    if total > limits.total_bytes:
        raise _refuse(path, f"it would inflate to {total} bytes (at most {limits.total_bytes})")


def _extract(
    path: Path,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    staging: Path,
    relative: str,
    entry: dict,
) -> str:
    target = staging.joinpath(*relative.split("/"))
    # check_relative already refused '..' and absolute names; this is the second lock.
    if not target.resolve().is_relative_to(staging.resolve()):
        raise _refuse(path, f"the file {relative!r:.200} would land outside the data directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644
        )
    except (FileExistsError, NotADirectoryError):
        raise _refuse(path, f"the file {relative!r:.200} collides with another member") from None
    except OSError as exc:
        raise _io_error(staging, exc) from exc
    try:
        with os.fdopen(fd, "wb") as sink:
            try:
                _, digest, _ = _read_member(archive, info, _Sink(sink, staging))
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
                raise _refuse(path, f"{info.filename!r:.200} is damaged ({exc})") from None
        if "mtime_ns" in entry:
            os.utime(target, ns=(entry["mtime_ns"], entry["mtime_ns"]))
    except OSError as exc:
        raise _io_error(staging, exc) from exc
    return digest


class _Sink:
    """A file that reports its own write failures as the staging folder's, not the archive's."""

    def __init__(self, file: BinaryIO, staging: Path):
        self._file = file
        self._staging = staging

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            raise _io_error(self._staging, exc) from exc


def iter_tables(archive: VerifiedArchive) -> Iterator[tuple[str, bytes]]:
    """``(table, encoded records)`` for every table the manifest counts."""
    for table in archive.manifest["records"]:
        yield table, archive.blobs[f"{RECORDS_PREFIX}{table}{RECORDS_SUFFIX}"]
