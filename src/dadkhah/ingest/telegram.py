"""Telegram Desktop exports (``result.json`` + ``photos/``, ``video_files/``, ``files/``… folders).

``dadkhah ingest`` recognises an export — a folder holding a ``result.json`` whose content is a Telegram
export, or that file itself — and reads it message by message:

- the export file itself is stored as an evidence item (its SHA-256 is named in every message's custody
  entry, so each message can be traced to the exact export it came from);
- **one evidence item per message**: its original is the message's own JSON object exactly as the
  export has it (canonical JSON, with the chat it belongs to), titled ``chat #id``, with date, author,
  channel, forwarded-from, views, edit date, the item of the message it replies to, and its media;
- each media file (photo, video, voice, document) is ingested like any file — hashed, stored once,
  fingerprinted (PDQ/pHash, video keyframes), OCR'd — and the message names its item;
- the message text (Telegram's formatted text flattened to plain text) is indexed, so
  ``dadkhah search`` finds it in Persian and Latin script.

Both a single-chat export (``{"name", "type", "id", "messages"}``) and a full-account export
(``{"chats": {"list": [...]}}``) are read. A message that is malformed is reported with its position
and skipped; the rest of the export goes on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from dadkhah import __version__ as dadkhah_version
from dadkhah.store.audit import canonical

EXPORT_FILE = "result.json"
MESSAGE_TYPE = "application/vnd.telegram.message+json"
MEDIA_KEYS = ("photo", "file", "thumbnail")
MAX_EXPORT_BYTES = 2 << 30
BATCH = 500


def is_export(path: Path) -> Path | None:
    """The ``result.json`` of a Telegram export at ``path`` (the file or its folder), else None."""
    f = path / EXPORT_FILE if path.is_dir() else path
    if f.name != EXPORT_FILE or not f.is_file():
        return None
    try:
        with open(f, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return None
    head = head.lstrip("\ufeff \r\n\t")
    if not head.startswith("{"):
        return None
    markers = ('"messages"', '"chats"', '"personal_information"')
    return f if any(m in head for m in markers) and ('"type"' in head or '"about"' in head) else None


def find_exports(paths: Iterable[str | Path]) -> list[Path]:
    """The ``result.json`` of every Telegram export given or inside a given folder (not within the others)."""
    import os

    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        hit = is_export(p)
        if hit:
            found.append(hit)
            continue
        if p.is_dir() and not p.is_symlink():
            for root, dirs, files in os.walk(p):
                if EXPORT_FILE in files and is_export(Path(root) / EXPORT_FILE):
                    found.append(Path(root) / EXPORT_FILE)
                    dirs[:] = []  # an export's own folders are read through its result.json
                else:
                    dirs.sort()
    return list(dict.fromkeys(found))


def flatten_text(text) -> str:
    """Telegram's ``text`` (a string, or a list of strings and ``{"type", "text"}`` entities) as plain text."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        out = []
        for part in text:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict):
                t = part.get("text", "")
                out.append(t if isinstance(t, str) else flatten_text(t))
        return "".join(out)
    return ""


def _chats(data: dict) -> list[dict]:
    if isinstance(data.get("messages"), list):
        return [data]
    chats = (data.get("chats") or {}).get("list") or []
    left = (data.get("left_chats") or {}).get("list") or []
    return [c for c in chats + left if isinstance(c, dict) and isinstance(c.get("messages"), list)]


def ingest_export(case, export_file: Path, *, options, actor: str,
                  on_file: Callable | None = None) -> list:
    """Ingest one Telegram export; returns the per-file results (export file, media, messages)."""
    from dadkhah.ingest.pipeline import FileResult, IngestOptions, ingest_paths

    results: list = []

    def emit(r):
        results.append(r)
        if on_file:
            on_file(r)

    size = export_file.stat().st_size
    if size > MAX_EXPORT_BYTES:
        emit(FileResult(str(export_file), "failed", error=f"the Telegram export is {size} bytes, over the "
                                                         f"{MAX_EXPORT_BYTES}-byte limit for one result.json"))
        return results
    try:
        data = json.loads(export_file.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        emit(FileResult(str(export_file), "failed", error=f"not a readable Telegram export (result.json): {exc}"))
        return results
    root = export_file.parent
    # the export file itself, and every media file it names, are ingested as ordinary files
    export_result = ingest_paths(case, [export_file], options=options, actor=actor, recognise_exports=False).results[0]
    emit(export_result)
    if export_result.status == "failed":
        return results
    export_sha = export_result.sha256
    chats = _chats(data)
    media_paths: dict[str, Path] = {}
    for chat in chats:
        for m in chat["messages"]:
            if isinstance(m, dict):
                for key in MEDIA_KEYS:
                    rel = m.get(key)
                    if isinstance(rel, str) and rel and not rel.startswith("(File"):
                        p = (root / rel).resolve()
                        if root.resolve() in p.parents and p.is_file():
                            media_paths.setdefault(rel, p)
    media_items: dict[str, str] = {}
    if media_paths:
        media_opts = IngestOptions(**{**options.__dict__, "note": options.note})
        rep = ingest_paths(case, list(dict.fromkeys(media_paths.values())), options=media_opts, actor=actor,
                           recognise_exports=False)
        by_path = {Path(r.path).resolve(): r for r in rep.results}
        for rel, p in media_paths.items():
            r = by_path.get(p)
            if r is not None:
                if r.item_id:
                    media_items[rel] = r.item_id
        for r in rep.results:
            emit(r)
    for chat in chats:
        _ingest_chat(case, chat, export_file, export_sha, media_items, options, actor, emit)
    return results


def _chat_label(chat: dict) -> str:
    return str(chat.get("name") or chat.get("id") or "Telegram chat")


def message_original(chat: dict, message: dict) -> bytes:
    """What a message item stores as its original: the chat it is in and the message object, canonical JSON."""
    return canonical({"telegram_chat": {"id": chat.get("id"), "name": chat.get("name"), "type": chat.get("type")},
                      "message": message}).encode("utf-8")


def _ingest_chat(case, chat: dict, export_file: Path, export_sha: str, media_items: dict, options, actor, emit):
    from dadkhah.ingest.pipeline import FileResult

    label = _chat_label(chat)
    chat_id = chat.get("id")
    prepared = []
    ids: dict = {}
    for pos, m in enumerate(chat["messages"], 1):
        where = f"{export_file}, chat {label!r}, message {pos}"
        if not isinstance(m, dict) or "id" not in m:
            emit(FileResult(where, "failed", error="not a Telegram message (no id): skipped"))
            continue
        if m.get("type") not in (None, "message", "service"):
            emit(FileResult(where, "failed", error=f"unknown message type {m.get('type')!r}: skipped"))
            continue
        data = message_original(chat, m)
        sha = hashlib.sha256(data).hexdigest()
        from dadkhah.vault.evidence import item_id_for

        ids[m["id"]] = item_id_for(sha)
        prepared.append((pos, m, data, sha))
    for start in range(0, len(prepared), BATCH):
        _commit(case, chat, label, chat_id, prepared[start:start + BATCH], ids, export_file, export_sha,
                media_items, options, actor, emit)


def _meta(chat: dict, m: dict, ids: dict, media_items: dict, export_sha: str) -> dict:
    t = {"chat": chat.get("name"), "chat_id": chat.get("id"), "chat_type": chat.get("type"),
         "message_id": m.get("id"), "type": m.get("type", "message"), "date": m.get("date"),
         "date_unixtime": m.get("date_unixtime"), "author": m.get("from") or m.get("actor"),
         "author_id": m.get("from_id") or m.get("actor_id"), "forwarded_from": m.get("forwarded_from"),
         "saved_from": m.get("saved_from"), "views": m.get("views"), "edited": m.get("edited"),
         "reply_to_message_id": m.get("reply_to_message_id"), "via_bot": m.get("via_bot"),
         "action": m.get("action"), "media_type": m.get("media_type"), "mime_type": m.get("mime_type"),
         "export_sha256": export_sha}
    if m.get("reply_to_message_id") in ids:
        t["reply_to_item"] = ids[m["reply_to_message_id"]]
    media = {}
    for key in MEDIA_KEYS:
        rel = m.get(key)
        if isinstance(rel, str) and rel:
            if rel in media_items:
                media[key] = {"path": rel, "item": media_items[rel]}
            else:
                media[key] = {"path": rel, "missing": True}
    if media:
        t["media"] = media
    links = [e.get("href") or e.get("text") for e in m.get("text_entities") or []
             if isinstance(e, dict) and e.get("type") in ("link", "text_link")]
    if links:
        t["links"] = links[:100]
    return {"telegram": {k: v for k, v in t.items() if v not in (None, "", [], {})}}


def _commit(case, chat, label, chat_id, batch, ids, export_file, export_sha, media_items, options, actor, emit):
    from sqlalchemy import select

    from dadkhah.ingest.pipeline import FileResult
    from dadkhah.vault import custody
    from dadkhah.vault.evidence import add_derived
    from dadkhah.vault.tables import EvidenceItem

    results = []
    with case.session(actor=actor) as s:
        existing = set(s.scalars(select(EvidenceItem.id).where(EvidenceItem.id.in_([ids[m["id"]] for _, m, _, _
                                                                                   in batch]))))
        for _pos, m, data, sha in batch:
            item_id = ids[m["id"]]
            where = {"telegram_export": str(export_file.resolve()), "export_sha256": export_sha,
                     "chat": label, "chat_id": chat_id, "message_id": m["id"]}
            if item_id in existing:
                custody.record(s, item_id, "duplicate", where, actor=actor)
                results.append(FileResult(f"{export_file}#{chat_id}/{m['id']}", "duplicate", item_id, sha,
                                          len(data), MESSAGE_TYPE))
                continue
            stored = case.blobs.put_bytes(data)
            text = flatten_text(m.get("text"))
            meta = _meta(chat, m, ids, media_items, export_sha)
            problems = [f"media file {v['path']} is not in the export" for v in
                        meta["telegram"].get("media", {}).values() if v.get("missing")]
            author = meta["telegram"].get("author")
            item = EvidenceItem(
                id=item_id, sha256=stored.sha256, size=stored.size, media_type=MESSAGE_TYPE,
                filename=f"{EXPORT_FILE}#{m['id']}", title=f"{label} #{m['id']}"[:1000],
                description=options.note, sensitivity=options.sensitivity, source_id=options.source_id,
                supplied_by=options.supplied_by, captured_at=str(m.get("date") or "")[:40] or None, meta=meta,
                text_method="telegram" if text else "none", text_chars=len(text), problems=problems,
                ingested_by=actor)
            item._text_cache = "\n".join(filter(None, [author and f"{author}:", text]))
            s.add(item)
            custody.record(s, item.id, "ingest", {**where, "sha256": stored.sha256, "size": stored.size,
                                                  "media_type": MESSAGE_TYPE, "tool": f"dadkhah {dadkhah_version}",
                                                  **({"note": options.note} if options.note else {})},
                           actor=actor, new_item=True)
            s.flush()
            if item._text_cache.strip():
                add_derived(s, item, "text", item._text_cache.encode("utf-8"), media_type="text/plain; charset=utf-8",
                            generator=f"dadkhah {dadkhah_version} telegram", blobs=case.blobs)
            from dadkhah.vault.evidence import link_item

            for eid in options.link_entities:
                link_item(s, item.id, entity_id=eid, relation="about")
            for cid in options.link_claims:
                link_item(s, item.id, claim_id=cid, relation="supports")
            results.append(FileResult(f"{export_file}#{chat_id}/{m['id']}", "stored", item_id, stored.sha256,
                                      stored.size, MESSAGE_TYPE, "telegram" if text else "none", problems))
    for r in results:
        emit(r)
