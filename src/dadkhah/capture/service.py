"""``dadkhah capture URL…``: preserve web pages as evidence, with custody, signature and timestamp.

For each URL (see :mod:`dadkhah.capture.browser` for how the page is loaded):

1. every request and response is written as WARC records and packaged as a WACZ, checked with
   ``wacz validate`` (:mod:`dadkhah.capture.archive`); the WACZ is the capture's evidence item, stored
   in the vault under its SHA-256 like any original;
2. the full-page screenshot (PNG), the PDF print, the rendered text (indexed, so ``dadkhah search``
   finds it in Persian and Latin script) and the signed capture record are stored as its derived files;
   a URL that is not a web page (a PDF, an image…) is also stored as an item of its own, read like an
   ingested file (metadata, text, OCR, perceptual hash);
3. the **capture record** — URL asked for, final URL and redirects, HTTP status and headers, capture
   time, software versions, the capturing actor, the SHA-256 of every stored file, the previous capture
   of the URL and what changed since — is serialised as canonical JSON, signed with the case's Ed25519
   key (:mod:`dadkhah.vault.signing`) and, where a TSA is configured (``--tsa-url`` or
   ``DADKHAH_TSA_URL``), timestamped (RFC 3161, :mod:`dadkhah.vault.timestamp`);
4. a ``capture`` entry opens the item's custody log; the screenshot gets PDQ and pHash fingerprints.

A URL captured before gets a new capture linked to the latest earlier one, with a text diff and the
perceptual distance between the two screenshots. A batch goes on past failures, each reported with
its kind (unreachable, tls, timeout, too_large, http, invalid, browser) and recorded; running the same
batch again skips what it already captured and retries what failed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select

from dadkhah import __version__ as dadkhah_version
from dadkhah.access import SYSTEM, Principal, allowed_sensitivities, need, require
from dadkhah.capture.archive import make_wacz, validate_wacz
from dadkhah.capture.browser import Browser, CaptureFailure, FetchOptions, load_in_browser, probe
from dadkhah.capture.tables import WebCapture
from dadkhah.errors import InputError, NotFound
from dadkhah.model.base import SENSITIVITY_VALUES, new_id
from dadkhah.store.audit import canonical
from dadkhah.vault import custody, signing
from dadkhah.vault.evidence import add_derived, item_id_for, item_text
from dadkhah.vault.tables import EvidenceItem

ENV_TSA = "DADKHAH_TSA_URL"
WACZ_TYPE = "application/wacz"
RECORD_FORMAT = 1
MAX_DIFF_LINES = 400


@dataclass
class CaptureOptions:
    sensitivity: str = "restricted"
    source_id: str | None = None
    note: str | None = None
    tsa_url: str | None = None
    ocr: bool = True  # for captured documents and images
    fetch: FetchOptions = field(default_factory=FetchOptions)


def normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def url_key(url: str) -> str:
    return hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()


def batch_key(urls: list[str]) -> str:
    return hashlib.sha256("\n".join(urls).encode("utf-8")).hexdigest()[:16]


def read_url_file(path: str | Path) -> list[str]:
    """URLs from a file, one a line (blank lines and ``#`` comments skipped); a bad line is named."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the URL list {path}: {exc}", field="from") from None
    urls = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"{path}, line {n}: {line[:200]!r} is not an http(s) URL", field="from")
        urls.append(line)
    return urls


# --- a batch ---------------------------------------------------------------------------------------

def capture_urls(case, urls: Iterable[str], *, options: CaptureOptions | None = None, actor: str | None = None,
                 principal: Principal, batch: str | None = None,
                 on_result: Callable[[dict], None] | None = None, browser: Browser | None = None) -> dict:
    """Capture every URL; returns ``{"ok", "batch", "captured", "failed", "skipped", "results"}``."""
    options = options or CaptureOptions()
    actor = actor or case.actor
    require(need(principal, "a capture"), "upload")
    urls = [u.strip() for u in urls if u.strip()]
    if not urls:
        raise InputError("give at least one URL (or --from FILE)", field="url")
    if options.sensitivity not in SENSITIVITY_VALUES:
        raise InputError(f"must be one of {', '.join(SENSITIVITY_VALUES)}", field="sensitivity")
    _check_source(case, options, principal)
    batch = batch or batch_key(urls)
    results: list[dict] = []
    done = _done_in_batch(case, batch)
    own_browser = None
    try:
        for url in urls:
            if url_key(url) in done:
                r = {"url": url, "status": "skipped", "capture": done[url_key(url)],
                     "note": "already captured in this batch"}
            else:
                if browser is None and own_browser is None:
                    own_browser = _LazyBrowser()
                r = capture_one(case, url, options=options, actor=actor, batch=batch,
                                browser=browser or own_browser)
                if r["status"] == "captured":
                    done[url_key(url)] = r["capture"]
            results.append(r)
            if on_result:
                on_result(r)
    finally:
        if own_browser is not None:
            own_browser.close()
    count = {s: sum(1 for r in results if r["status"] == s) for s in ("captured", "failed", "skipped")}
    return {"ok": count["failed"] == 0, "batch": batch, "urls": len(urls), **count, "results": results}


class _LazyBrowser:
    """Starts Chromium on the first web page of a batch (a batch of PDFs never starts it)."""

    def __init__(self):
        self._b: Browser | None = None

    def get(self) -> Browser:
        if self._b is None:
            b = Browser()
            b.__enter__()
            self._b = b
        return self._b

    def broken(self) -> None:
        self.close()

    def close(self) -> None:
        if self._b is not None:
            try:
                self._b.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - a crashed browser is already gone
                pass
            self._b = None


def _check_source(case, options: CaptureOptions, principal: Principal) -> None:
    if not options.source_id:
        return
    from dadkhah.access import can_see
    from dadkhah.model import Source

    with case.reader(principal) as s:
        source = s.get(Source, options.source_id)
        if source is None or not can_see(principal, source):
            raise InputError(f"no source with id {options.source_id!r}", field="source")


def _done_in_batch(case, batch: str) -> dict[str, str]:
    with case.reader(SYSTEM) as s:  # the batch's own bookkeeping
        rows = s.execute(select(WebCapture.url_key, WebCapture.id).where(
            WebCapture.batch == batch, WebCapture.status == "captured")).all()
    return {k: i for k, i in rows}


# --- one URL ---------------------------------------------------------------------------------------

def capture_one(case, url: str, *, options: CaptureOptions, actor: str, batch: str | None = None,
                browser=None) -> dict:
    cap_id = new_id("capture")
    started = time.monotonic()
    try:
        fetched = probe(url, options.fetch)
        if fetched.kind == "html":
            if isinstance(browser, _LazyBrowser):
                try:
                    load_in_browser(browser.get(), fetched, options.fetch)
                except CaptureFailure as exc:
                    if exc.kind == "browser":
                        browser.broken()  # a fresh Chromium for the next URL
                    raise
            elif browser is not None:
                load_in_browser(browser, fetched, options.fetch)
            else:
                with Browser() as b:
                    load_in_browser(b, fetched, options.fetch)
        fetched.seconds = time.monotonic() - started
    except CaptureFailure as exc:
        return _record_failure(case, cap_id, url, batch, options, actor, exc.kind, str(exc))
    try:
        return _store(case, cap_id, url, fetched, options=options, actor=actor, batch=batch)
    except CaptureFailure as exc:
        return _record_failure(case, cap_id, url, batch, options, actor, exc.kind, str(exc))


def _record_failure(case, cap_id, url, batch, options, actor, kind, message) -> dict:
    with case.session(actor=actor) as s:
        s.add(WebCapture(id=cap_id, url=url[:10_000], url_key=url_key(url), batch=batch, status="failed",
                         failure_kind=kind, error=message[:2000], actor=actor, sensitivity=options.sensitivity))
    return {"url": url, "status": "failed", "capture": cap_id, "failure": kind, "error": message}


def _software(fetched) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    sw = {"dadkhah": dadkhah_version}
    for pkg in ("playwright", "warcio", "wacz"):
        try:
            sw[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    if fetched.browser_version:
        sw["browser"] = fetched.browser_version
    return sw


def _file_entry(data: bytes) -> dict:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _store(case, cap_id: str, url: str, fetched, *, options: CaptureOptions, actor: str, batch: str | None) -> dict:
    from dadkhah.ingest import fingerprints as fp
    from dadkhah.vault.blobs import hash_file

    blobs = case.blobs
    software = _software(fetched)
    sw_label = f"dadkhah {dadkhah_version}" + (f" ({fetched.browser_version})" if fetched.browser_version else "")
    problems = list(fetched.problems)
    if fetched.status >= 400:
        problems.append(f"the server answered HTTP {fetched.status}: captured as it was served")
    host = urlsplit(fetched.final_url).netloc.replace(":", "_") or "page"
    stamp = fetched.started.strftime("%Y%m%dT%H%M%SZ")
    with tempfile.TemporaryDirectory(prefix="dadkhah-capture-") as tmp:
        wacz_path = Path(tmp) / f"{host}-{stamp}.wacz"
        try:
            warc_info = make_wacz(fetched, wacz_path, software=sw_label, actor=actor)
        except (RuntimeError, OSError, ValueError) as exc:
            raise CaptureFailure("browser", f"the web archive could not be written: {exc}") from None
        valid, said = validate_wacz(wacz_path)
        if not valid:
            raise CaptureFailure("browser", f"the WACZ written for {url} does not validate: {said[-300:]}")
        wacz_sha, wacz_size = hash_file(wacz_path)
        stored = blobs.put_file(wacz_path, expected=wacz_sha)
    doc = _read_document(case, fetched, options) if fetched.kind == "document" else None
    text = doc["text"] if doc else fetched.text
    shot_fps = fp.fingerprint_bytes(fetched.screenshot) if fetched.screenshot else []
    files = {"wacz": {"sha256": stored.sha256, "size": stored.size, "warc_sha256": warc_info["warc_sha256"],
                      "warc_records": warc_info["records"]}}
    if fetched.screenshot:
        files["screenshot"] = _file_entry(fetched.screenshot)
    if fetched.pdf:
        files["pdf"] = _file_entry(fetched.pdf)
    if text:
        files["text"] = _file_entry(text.encode("utf-8"))
    if doc:
        files["document"] = {"sha256": doc["sha256"], "size": doc["size"], "media_type": doc["media_type"]}
    item_id = item_id_for(stored.sha256)
    with case.session(actor=actor) as s:
        previous = _previous(s, url)
        changes = _changes(s, previous, text, fetched.screenshot, shot_fps) if previous else {}
        record = {
            "dadkhah_capture": RECORD_FORMAT, "id": cap_id, "url": url, "final_url": fetched.final_url,
            "redirects": fetched.redirects, "http_status": fetched.status,
            "headers": [[k, v] for k, v in fetched.headers], "content_type": fetched.content_type,
            "kind": fetched.kind, "title": fetched.title, "captured_at": fetched.started.isoformat(),
            "seconds": round(fetched.seconds, 3), "software": software, "actor": actor, "files": files,
            "wacz_validation": said.splitlines()[-1] if said else "valid", "item": item_id,
            "previous": ({"id": previous.id, "record_sha256": previous.record_sha256} if previous else None),
            "changes": changes, "problems": problems,
        }
        record_bytes = canonical(record).encode("utf-8")
        key = signing.load_or_create(case.data_dir)
        signature = key.sign(record_bytes).hex()
        token = _timestamp(record_bytes, options, problems)
        item = s.get(EvidenceItem, item_id)
        if item is not None:  # cannot happen for a WACZ (its bytes carry the capture time), but never store twice
            raise CaptureFailure("browser", f"the archive of {url} is already stored as {item_id}")
        meta = {"capture": {"id": cap_id, "url": url, "final_url": fetched.final_url,
                            "http_status": fetched.status, "kind": fetched.kind,
                            "captured_at": fetched.started.isoformat(), "software": software,
                            "signing_key": signing.fingerprint(key), "timestamped": token is not None,
                            "record_sha256": hashlib.sha256(record_bytes).hexdigest(),
                            **({"previous": previous.id} if previous else {}),
                            **({"document_item": doc["item_id"]} if doc else {})}}
        item = EvidenceItem(
            id=item_id, sha256=stored.sha256, size=stored.size, media_type=WACZ_TYPE,
            filename=f"{host}-{stamp}.wacz", title=(fetched.title or fetched.final_url)[:1000],
            description=options.note, sensitivity=options.sensitivity, source_id=options.source_id,
            supplied_by=None, captured_at=fetched.started.isoformat(timespec="seconds"), meta=meta,
            text_method="browser" if fetched.kind == "html" else (doc["text_method"] if doc else "none"),
            text_chars=len(text or ""), problems=problems, ingested_by=actor)
        item._text_cache = text or ""
        s.add(item)
        custody.record(s, item.id, "capture", {
            "url": url, "final_url": fetched.final_url, "http_status": fetched.status,
            "captured_at": fetched.started.isoformat(), "sha256": stored.sha256, "size": stored.size,
            "media_type": WACZ_TYPE, "tool": sw_label, "record_sha256": hashlib.sha256(record_bytes).hexdigest(),
            "signature": signature, "signing_key": signing.fingerprint(key), "timestamped": token is not None,
            **({"previous_capture": previous.id} if previous else {}),
            **({"note": options.note} if options.note else {})}, actor=actor, new_item=True)
        s.flush()
        gen = sw_label
        add_derived(s, item, "capture_record", record_bytes, media_type="application/json", generator=gen,
                    blobs=blobs)
        if text:
            add_derived(s, item, "text", text.encode("utf-8"), media_type="text/plain; charset=utf-8",
                        generator=gen, blobs=blobs)
        if fetched.screenshot:
            add_derived(s, item, "screenshot", fetched.screenshot, media_type="image/png", generator=gen, blobs=blobs)
        if fetched.pdf:
            add_derived(s, item, "print", fetched.pdf, media_type="application/pdf", generator=gen, blobs=blobs)
        fp.store(s, item.id, shot_fps)
        if doc:
            _register_document(s, case, doc, options, actor, cap_id, url, fetched)
        s.add(WebCapture(
            id=cap_id, url=url[:10_000], url_key=url_key(url), final_url=fetched.final_url[:10_000], batch=batch,
            status="captured", http_status=fetched.status, kind=fetched.kind, item_id=item.id,
            content_item_id=doc["item_id"] if doc else None, previous_id=previous.id if previous else None,
            captured_at=fetched.started.replace(tzinfo=None), actor=actor, sensitivity=options.sensitivity,
            record=record, record_sha256=hashlib.sha256(record_bytes).hexdigest(), signature=signature,
            signing_key=signing.fingerprint(key), timestamp_token=token, changes=changes, problems=problems))
    out = {"url": url, "status": "captured", "capture": cap_id, "item": item_id, "final_url": fetched.final_url,
           "http_status": fetched.status, "kind": fetched.kind, "title": fetched.title,
           "wacz_sha256": stored.sha256, "timestamped": token is not None, "seconds": round(fetched.seconds, 2)}
    if doc:
        out["document_item"] = doc["item_id"]
    if previous:
        out["previous"] = previous.id
        out["changes"] = {k: v for k, v in changes.items() if k != "diff"}
    if problems:
        out["problems"] = problems
    return out


def _timestamp(record_bytes: bytes, options: CaptureOptions, problems: list[str]) -> bytes | None:
    url = options.tsa_url or os.environ.get(ENV_TSA)
    if not url:
        return None
    from dadkhah.vault.timestamp import TimestampError, request_token

    try:
        return request_token(record_bytes, url)
    except TimestampError as exc:
        problems.append(f"no trusted timestamp: {exc}")
        return None


def _previous(s, url: str) -> WebCapture | None:
    return s.scalar(select(WebCapture).where(WebCapture.url_key == url_key(url), WebCapture.status == "captured")
                    .order_by(WebCapture.captured_at.desc(), WebCapture.id.desc()).limit(1))


def _changes(s, previous: WebCapture, text: str | None, screenshot: bytes | None, shot_fps) -> dict:
    from dadkhah.ingest import fingerprints as fp

    changes: dict = {"previous": previous.id}
    old_item = s.get(EvidenceItem, previous.item_id) if previous.item_id else None
    old_text = item_text(s, old_item) if old_item is not None else ""
    new_text = text or ""
    diff = list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), "before", "now",
                                     lineterm="", n=1))
    changes["text_changed"] = old_text != new_text
    changes["lines_added"] = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
    changes["lines_removed"] = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
    changes["diff"] = "\n".join(diff[:MAX_DIFF_LINES])
    if len(diff) > MAX_DIFF_LINES:
        changes["diff_truncated"] = True
    if old_item is not None and screenshot:
        old = {f.kind: f.value for f in fp.fingerprints_of(s, old_item.id) if f.frame == 0}
        new = {f.kind: f.value for f in shot_fps}
        if "pdq" in old and "pdq" in new:
            changes["screenshot_pdq_distance"] = fp.distance(old["pdq"], new["pdq"])
        if "phash" in old and "phash" in new:
            changes["screenshot_phash_distance"] = fp.distance(old["phash"], new["phash"])
        old_shot = next((f.sha256 for f in old_item.derived if f.kind == "screenshot"), None)
        changes["screenshot_identical"] = old_shot == hashlib.sha256(screenshot).hexdigest()
    return changes


# --- a captured document (PDF, image…) --------------------------------------------------------------

def _read_document(case, fetched, options: CaptureOptions) -> dict:
    from dadkhah.ingest import fingerprints as fp
    from dadkhah.ingest.detect import sniff
    from dadkhah.ingest.metadata import read_metadata
    from dadkhah.ingest.text import extract_text

    body = fetched.body or b""
    if not body:
        raise CaptureFailure("http", f"{fetched.final_url} answered {fetched.status} with an empty body")
    stored = case.blobs.put_bytes(body)
    with tempfile.TemporaryDirectory(prefix="dadkhah-doc-") as tmp:
        name = Path(urlsplit(fetched.final_url).path).name or "document"
        path = Path(tmp) / name
        path.write_bytes(body)
        media_type = sniff(path)
        md = read_metadata(path, media_type)
        ex = extract_text(path, media_type, ocr_enabled=options.ocr)
        fps, fp_problems = fp.fingerprint_file(path, media_type)
    return {"sha256": stored.sha256, "size": stored.size, "item_id": item_id_for(stored.sha256),
            "media_type": media_type, "filename": name[:1000], "metadata": md, "extraction": ex,
            "text": ex.text, "text_method": ex.method, "fingerprints": fps,
            "problems": list(md.problems) + list(ex.problems) + fp_problems}


def _register_document(s, case, doc: dict, options: CaptureOptions, actor: str, cap_id: str, url: str,
                       fetched) -> None:
    from dadkhah.ingest import fingerprints as fp

    details = {"url": url, "final_url": fetched.final_url, "capture": cap_id, "http_status": fetched.status,
               "sha256": doc["sha256"], "media_type": doc["media_type"], "tool": f"dadkhah {dadkhah_version}"}
    existing = s.get(EvidenceItem, doc["item_id"])
    if existing is not None:  # the same bytes were stored before: recorded as presented again
        custody.record(s, existing.id, "duplicate", details, actor=actor)
        return
    md, ex = doc["metadata"], doc["extraction"]
    item = EvidenceItem(
        id=doc["item_id"], sha256=doc["sha256"], size=doc["size"], media_type=doc["media_type"],
        filename=doc["filename"], title=doc["filename"], description=options.note, sensitivity=options.sensitivity,
        source_id=options.source_id, captured_at=md.captured_at, latitude=md.latitude, longitude=md.longitude,
        meta={**md.meta, "capture": {"id": cap_id, "url": url, "final_url": fetched.final_url}},
        text_method=ex.method, text_chars=ex.chars, problems=doc["problems"], ingested_by=actor)
    item._text_cache = ex.text
    s.add(item)
    custody.record(s, item.id, "capture", details, actor=actor, new_item=True)
    s.flush()
    if ex.pages:
        add_derived(s, item, "ocr" if ex.method == "ocr" else "text", ex.text.encode("utf-8"),
                    media_type="text/plain; charset=utf-8", generator=ex.generator, blobs=case.blobs)
    fp.store(s, item.id, doc["fingerprints"])


# --- reading captures ------------------------------------------------------------------------------

def capture_to_dict(c: WebCapture, *, full: bool = False) -> dict:
    d = {"id": c.id, "url": c.url, "final_url": c.final_url, "status": c.status, "failure": c.failure_kind,
         "error": c.error, "http_status": c.http_status, "kind": c.kind, "item": c.item_id,
         "document_item": c.content_item_id, "previous": c.previous_id, "batch": c.batch,
         "captured_at": c.captured_at.isoformat() if c.captured_at else None, "actor": c.actor,
         "sensitivity": c.sensitivity, "timestamped": c.timestamp_token is not None,
         "signing_key": c.signing_key, "problems": c.problems}
    if full:
        d["record"] = c.record
        d["changes"] = c.changes
        d["signature"] = c.signature
    return {k: v for k, v in d.items() if v not in (None, [], {})}


def list_captures(s, principal: Principal, *, url: str | None = None, limit: int = 200) -> list[WebCapture]:
    stmt = select(WebCapture).where(WebCapture.sensitivity.in_(allowed_sensitivities(principal)))
    if url:
        stmt = stmt.where(WebCapture.url_key == url_key(url))
    return list(s.scalars(stmt.order_by(WebCapture.captured_at.desc(), WebCapture.id).limit(limit)))


def get_capture(s, capture_id: str, principal: Principal) -> WebCapture:
    c = s.get(WebCapture, capture_id)
    if c is None and capture_id.startswith("item-"):
        c = s.scalar(select(WebCapture).where(WebCapture.item_id == capture_id))
    if c is None or c.sensitivity not in allowed_sensitivities(principal):
        raise NotFound(f"no capture {capture_id!r}")
    return c


def verify_capture(case, capture_id: str, principal: Principal, *, tsa_ca: str | Path | None = None) -> dict:
    """Check a capture's signed record against its stored files, its signature and its timestamp."""
    from dadkhah.vault.timestamp import check_token

    problems: list[str] = []
    with case.reader(principal) as s:
        c = get_capture(s, capture_id, principal)
        if c.status != "captured":
            raise InputError(f"{c.id} is a failed capture: nothing to verify", field="capture")
        item = s.get(EvidenceItem, c.item_id)
        rec_file = next((f for f in item.derived if f.kind == "capture_record"), None)
        if rec_file is None:
            return {"capture": c.id, "ok": False, "problems": ["the signed capture record is missing"]}
        record_bytes = case.blobs.read_bytes(rec_file.sha256, "derived")
        if hashlib.sha256(record_bytes).hexdigest() != c.record_sha256:
            problems.append("the stored capture record no longer matches its SHA-256")
        key = signing.load_or_create(case.data_dir)
        if signing.fingerprint(key) != c.signing_key:
            problems.append("the capture was signed with another key than this case's")
        elif not signing.verify(key.public_key(), bytes.fromhex(c.signature or ""), record_bytes):
            problems.append("the signature does not match the capture record")
        record = json.loads(record_bytes)
        if record["files"]["wacz"]["sha256"] != item.sha256:
            problems.append("the record names another WACZ than the stored item")
        derived = {f.kind: f.sha256 for f in item.derived}
        for name, kind in (("screenshot", "screenshot"), ("pdf", "print"), ("text", "text")):
            if name in record["files"] and derived.get(kind) != record["files"][name]["sha256"]:
                problems.append(f"the stored {name} is not the one the record names")
        ts = None
        if c.timestamp_token is not None:
            ts = check_token(c.timestamp_token, record_bytes, ca_file=tsa_ca)
            if not ts["ok"]:
                problems.append(f"timestamp: {ts.get('problem')}")
        cid = c.id
    return {"capture": cid, "ok": not problems, "signature": "valid" if not any("signature" in p for p in problems)
            else "invalid", "timestamp": ts, "problems": problems}
