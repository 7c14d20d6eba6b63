"""``dadkhah ingest PATH…``: store files and folders as evidence items, extract their metadata and text.

For each file, in order:

1. refuse what cannot be evidence (0-byte files, files over the size limit, devices) with a clear error;
2. hash it; identical bytes already in the vault are recognised and recorded as a duplicate
   presentation in the item's custody log (nothing is stored twice);
3. store the original in the blob store (atomically: temp file, fsync, rename);
4. read metadata (EXIF capture time and GPS, PDF info, DOCX properties) and text (PDF text layer, HTML,
   DOCX, plain text; OCR for images and scanned pages), storing the text as a derived file;
5. register the item, its custody entry, derived files and links — committed in batches.

The blob is always written before its row, so a process killed at any point leaves no row without its
blob; a blob without a row (the batch had not committed) is picked up again when ingest is re-run.
One broken file never stops the rest of the folder: its problem is reported and ingest goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from dadkhah import __version__ as dadkhah_version
from dadkhah.access import SYSTEM, operator
from dadkhah.errors import InputError
from dadkhah.ingest.detect import sniff
from dadkhah.ingest.limits import DEFAULT_LIMITS, Limits, human_size
from dadkhah.ingest.media import examine as examine_media
from dadkhah.ingest.media import store as store_media
from dadkhah.ingest.metadata import read_metadata
from dadkhah.ingest.ocr import DEFAULT_LANG
from dadkhah.ingest.telegram import find_exports, ingest_export
from dadkhah.ingest.text import extract_text
from dadkhah.vault import custody
from dadkhah.vault.blobs import BlobChanged, LocalBlobStore, hash_file
from dadkhah.vault.evidence import add_derived, item_id_for, link_item
from dadkhah.vault.tables import EvidenceItem


@dataclass
class IngestOptions:
    supplied_by: str | None = None  # an entity id (e.g. a witness) or a name
    source_id: str | None = None  # the source these files come from
    sensitivity: str = "restricted"
    link_entities: list[str] = field(default_factory=list)
    link_claims: list[str] = field(default_factory=list)
    note: str | None = None
    ocr: bool = True
    ocr_lang: str = DEFAULT_LANG
    limits: Limits = DEFAULT_LIMITS
    batch_size: int = 50  # files per database commit


@dataclass
class FileResult:
    path: str
    status: str  # stored | duplicate | failed
    item_id: str | None = None
    sha256: str | None = None
    size: int = 0
    media_type: str | None = None
    text_method: str | None = None
    problems: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0

    def to_dict(self) -> dict:
        return {"ok": self.ok, "files": len(self.results), "stored": self.count("stored"),
                "duplicates": self.count("duplicate"), "failed": self.count("failed"),
                "bytes": sum(r.size for r in self.results if r.status == "stored"),
                "results": [r.to_dict() for r in self.results]}


def collect_files(paths: Iterable[str | Path], *, exclude: Iterable[Path] = ()) -> Iterator[Path | FileResult]:
    """Files under ``paths`` (folders recursively, sorted); a path that cannot be read yields a failure."""
    excluded = [p.resolve() for p in exclude]

    def skip(p: Path) -> bool:
        rp = p.resolve()
        return any(rp == e or e in rp.parents for e in excluded)

    for raw in paths:
        p = Path(raw)
        if not p.exists() and not p.is_symlink():
            yield FileResult(str(p), "failed", error="no such file or folder")
            continue
        if p.is_dir() and not p.is_symlink():
            for root, dirs, files in os.walk(p, onerror=None):
                dirs[:] = sorted(d for d in dirs if not skip(Path(root) / d))
                for name in sorted(files):
                    fp = Path(root) / name
                    if not skip(fp):
                        yield fp
        elif not skip(p):
            yield p


def ingest_paths(case, paths: Iterable[str | Path], *, options: IngestOptions | None = None,
                 actor: str | None = None,
                 on_file: Callable[[FileResult], None] | None = None,
                 recognise_exports: bool = True) -> IngestReport:
    """Ingest every file under ``paths`` into ``case``; see the module docstring for the steps."""
    options = options or IngestOptions()
    actor = actor or case.actor
    _check_options(case, options, actor)
    blobs = case.blobs
    blobs.sweep_temp()
    report = IngestReport()
    exports = find_exports(paths) if recognise_exports else []  # Telegram exports: dadkhah.ingest.telegram
    for export in exports:
        report.results += ingest_export(case, export, options=options, actor=actor, on_file=on_file)
    batch: list[tuple[Path, FileResult, dict]] = []

    def flush() -> None:
        if batch:
            try:
                _commit_batch(case, batch, options, actor)
            except DBAPIError:
                # one file's rows were refused: commit the others one by one, so only that file fails
                for one in list(batch):
                    try:
                        _commit_batch(case, [one], options, actor)
                    except DBAPIError as exc:
                        one[1].status = "failed"
                        one[1].error = ("the database refused its record: "
                                        f"{str(exc.orig).splitlines()[0][:200]} (the file is stored; re-run "
                                        "ingest after fixing the cause)")
            for _, result, _ in batch:
                report.results.append(result)
                if on_file:
                    on_file(result)
            batch.clear()

    pending: dict[str, FileResult] = {}  # sha256 → first result in this batch
    pending_sizes: set[int] = set()
    for entry in collect_files(paths, exclude=[case.data_dir, *(e.parent for e in exports)]):
        if isinstance(entry, FileResult):
            report.results.append(entry)
            if on_file:
                on_file(entry)
            continue
        result, prepared = _prepare(case, entry, options, pending, pending_sizes)
        if prepared is None:
            report.results.append(result)
            if on_file:
                on_file(result)
            continue
        batch.append((entry, result, prepared))
        if result.status == "stored":
            pending[result.sha256] = result
            pending_sizes.add(result.size)
        if len(batch) >= options.batch_size:
            flush()
            pending.clear()
            pending_sizes.clear()
    flush()
    return report


def _check_options(case, options: IngestOptions, actor: str) -> None:
    from dadkhah.model import Claim, Entity, Source
    from dadkhah.model.base import SENSITIVITY_VALUES

    if options.sensitivity not in SENSITIVITY_VALUES:
        raise InputError(f"must be one of {', '.join(SENSITIVITY_VALUES)}", field="sensitivity")
    with case.reader(operator(actor)) as s:  # the ingest runs as the operator who started it
        if options.source_id and s.get(Source, options.source_id) is None:
            raise InputError(f"no source with id {options.source_id!r}", field="source")
        for eid in options.link_entities:
            if s.get(Entity, eid) is None:
                raise InputError(f"no entity with id {eid!r}", field="link")
        for cid in options.link_claims:
            if s.get(Claim, cid) is None:
                raise InputError(f"no claim with id {cid!r}", field="claim")


def _size_known(case, size: int) -> bool:
    with case.reader(SYSTEM) as s:  # de-duplication: every item, whoever ingests
        return s.scalar(select(EvidenceItem.id).where(EvidenceItem.size == size).limit(1)) is not None


def _existing_item(case, sha256: str) -> str | None:
    with case.reader(SYSTEM) as s:
        return s.scalar(select(EvidenceItem.id).where(EvidenceItem.sha256 == sha256))


def _prepare(case, path: Path, options: IngestOptions, pending: dict[str, FileResult],
             pending_sizes: set[int]) -> tuple[FileResult, dict | None]:
    """Hash and store one file and read what it says; nothing is written to the database yet."""
    result = FileResult(str(path), "failed")
    limits = options.limits
    try:
        st = path.stat()
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        return result, None
    if not stat.S_ISREG(st.st_mode):
        result.error = "not a regular file (device, socket or pipe): skipped"
        return result, None
    result.size = st.st_size
    if st.st_size == 0:
        result.error = "empty file (0 bytes): nothing to store"
        return result, None
    if st.st_size > limits.max_file_size:
        result.error = (f"file is {human_size(st.st_size)}, over the {human_size(limits.max_file_size)} limit "
                        "(raise it with --max-size)")
        return result, None
    blobs = case.blobs
    try:
        if st.st_size in pending_sizes or _size_known(case, st.st_size):
            sha, size = hash_file(path)
            first = pending.get(sha)
            existing = first.item_id if first else _existing_item(case, sha)
            if existing:
                result.status, result.item_id, result.sha256, result.size = "duplicate", existing, sha, size
                return result, {"duplicate_of": existing}
            stored = blobs.put_file(path, expected=sha)
        else:
            stored = blobs.put_file(path)
    except BlobChanged as exc:
        result.error = str(exc)
        return result, None
    except OSError as exc:
        result.error = f"cannot read or store: {exc.strerror or exc}"
        return result, None
    result.sha256, result.size, result.item_id = stored.sha256, stored.size, item_id_for(stored.sha256)
    if stored.size != st.st_size:
        result.error = f"the file changed size while being read ({st.st_size} → {stored.size} bytes)"
        return result, None
    if _existing_item(case, stored.sha256):  # same bytes, stored by a concurrent run
        result.status = "duplicate"
        return result, {"duplicate_of": result.item_id}
    source = blobs.path(stored.sha256) if isinstance(blobs, LocalBlobStore) else path
    media_type = sniff(source)
    md = read_metadata(source, media_type, limits)
    ex = extract_text(source, media_type, limits=limits, ocr_enabled=options.ocr, ocr_lang=options.ocr_lang)
    # PostgreSQL cannot store NUL characters in text: remove them here, for this file only (saying so)
    cleaned = _strip_nul(md.meta)
    if cleaned != md.meta:
        md.meta = cleaned
        md.problems.append("NUL characters removed from the metadata")
    if any("\x00" in p for p in ex.pages):
        ex.pages = [p.replace("\x00", "") for p in ex.pages]
        ex.problems.append("NUL characters removed from the extracted text")
    found = examine_media(source, media_type)  # provenance (C2PA, XMP) and perceptual fingerprints
    md.meta.update(found.meta)
    result.status, result.media_type, result.text_method = "stored", media_type, ex.method
    result.problems = _merge_problems(md.problems, ex.problems) + found.problems
    return result, {"media_type": media_type, "metadata": md, "extraction": ex, "media": found}


def _strip_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strip_nul(v) for v in value]
    return value


def _merge_problems(meta: list[str], text: list[str]) -> list[str]:
    """One sentence for a file that is broken for both readers (e.g. a malformed PDF), not two."""
    out = list(meta)
    for p in text:
        detail = p.split("): ", 1)[-1]
        twin = next((m for m in out if m.endswith(detail) and "could not be read" in m), None)
        if twin is not None:
            out[out.index(twin)] = twin.replace("metadata could not be read", "no metadata or text could be read")
        elif p not in out:
            out.append(p)
    return out


def _title(path: Path, md) -> str:
    for key in ("pdf", "docx"):
        title = (md.meta.get(key) or {}).get("title")
        if title and title.strip():
            return title.strip()[:1000]
    return path.name[:1000]


def _commit_batch(case, batch: list[tuple[Path, FileResult, dict]], options: IngestOptions, actor: str) -> None:
    with case.session(actor=actor) as s:
        for path, result, prep in batch:
            where = {"path": str(path.resolve()), "filename": path.name}
            if options.supplied_by:
                where["supplied_by"] = options.supplied_by
            if "duplicate_of" in prep:
                custody.record(s, prep["duplicate_of"], "duplicate",
                               {**where, **({"note": options.note} if options.note else {})}, actor=actor)
                continue
            md, ex = prep["metadata"], prep["extraction"]
            item = EvidenceItem(
                id=result.item_id, sha256=result.sha256, size=result.size, media_type=prep["media_type"],
                filename=path.name[:1000], title=_title(path, md), sensitivity=options.sensitivity,
                source_id=options.source_id, supplied_by=options.supplied_by, captured_at=md.captured_at,
                latitude=md.latitude, longitude=md.longitude, meta=md.meta, text_method=ex.method,
                text_chars=ex.chars, problems=result.problems, ingested_by=actor, description=options.note)
            item._text_cache = ex.text  # the indexer reads it instead of the stored derived file
            s.add(item)
            custody.record(s, item.id, "ingest",
                           {**where, "sha256": item.sha256, "size": item.size, "media_type": item.media_type,
                            "tool": f"dadkhah {dadkhah_version}",
                            **({"note": options.note} if options.note else {})},
                           actor=actor, new_item=True)
            s.flush()
            if ex.pages:
                kind = "ocr" if ex.method == "ocr" else "text"
                add_derived(s, item, kind, ex.text.encode("utf-8"), media_type="text/plain; charset=utf-8",
                            generator=ex.generator, blobs=case.blobs)
            store_media(s, item.id, prep.get("media"))
            for eid in options.link_entities:
                link_item(s, item.id, entity_id=eid, relation="about")
            for cid in options.link_claims:
                link_item(s, item.id, claim_id=cid, relation="supports")
