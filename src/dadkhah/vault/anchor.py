"""Anchors: the audit chain's head, signed with the case key and kept outside the case.

A hash chain alone cannot show that its *end* was cut off, or that someone rewrote it and recomputed
every hash. An anchor can: it is a small JSON file

    {"dadkhah": "anchor", "format": 1, "seq": 2996, "head": "10aef4…", "time": "…", "every": 100,
     "key": "<fingerprint>", "signature": "<Ed25519, base64>", "timestamp": "<RFC 3161 token, base64>"}

written to a folder that is not the case's (another disk, a mounted share, a write-once bucket synced
from it). ``signature`` covers the canonical JSON of every other field; ``timestamp`` (when a
timestamp authority is configured: ``--tsa-url`` or ``DADKHAH_TSA_URL``) is an RFC 3161 token over the
same bytes, so the anchor's time does not rest on the case's clock.

``verify --anchors DIR`` (:func:`check_anchors`) then proves, for every anchor: its signature (with the
case key, or the ``--public-key`` given), its timestamp, that the chain still has entry ``seq`` and
that its hash is ``head``. A truncated chain, a rewritten-and-rehashed chain or a swapped anchor folder
fail. With automatic anchors every N entries (``DADKHAH_ANCHOR_EVERY=N`` and ``DADKHAH_ANCHOR_DIR``),
each commit whose entries reach a multiple of N writes one; an entry numbered k·N that no anchor covers
means entries were appended behind the tool's back (or an anchor was lost) and is reported.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from dadkhah.store.audit import canonical

FORMAT = 1
ENV_DIR = "DADKHAH_ANCHOR_DIR"
ENV_EVERY = "DADKHAH_ANCHOR_EVERY"
ENV_TSA = "DADKHAH_TSA_URL"


class AnchorError(RuntimeError):
    pass


def _signing_key(data_dir: Path):
    from dadkhah.vault.signing import load_or_create

    return load_or_create(Path(data_dir))


def _body_bytes(anchor: dict) -> bytes:
    return canonical({k: v for k, v in anchor.items() if k not in ("signature", "timestamp")}).encode("utf-8")


def head_at(conn, seq: int | None = None) -> tuple[int, str] | None:
    q = "SELECT seq, hash FROM audit_log " + ("WHERE seq = :s" if seq is not None else "ORDER BY seq DESC LIMIT 1")
    row = conn.execute(text(q), {"s": seq} if seq is not None else {}).first()
    return (row[0], row[1]) if row else None


def make_anchor(seq: int, head: str, *, key, every: int | None = None, tsa_url: str | None = None) -> dict:
    from dadkhah.vault.signing import fingerprint

    anchor = {"dadkhah": "anchor", "format": FORMAT, "seq": seq, "head": head,
              "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "key": fingerprint(key)}
    if every:
        anchor["every"] = int(every)
    body = _body_bytes(anchor)
    anchor["signature"] = base64.b64encode(key.sign(body)).decode()
    if tsa_url:
        from dadkhah.vault.timestamp import request_token

        anchor["timestamp"] = base64.b64encode(request_token(body, tsa_url)).decode()
    return anchor


def write_anchor(folder: str | Path, anchor: dict) -> Path:
    """Write atomically (temporary file, fsync, rename) as ``<seq>-<head16>.json``; never overwrites."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{anchor['seq']:012d}-{anchor['head'][:16]}.json"
    if path.exists():
        return path
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(anchor, indent=1, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def anchor_case(case, folder: str | Path, *, tsa_url: str | None = None, every: int | None = None) -> dict:
    """Sign (and timestamp) the current head of ``case``'s chain into ``folder``; returns the anchor."""
    with case.engine.connect() as conn:
        head = head_at(conn)
    if head is None:
        raise AnchorError("the audit chain is empty: nothing to anchor yet")
    every = every if every is not None else _env_every()
    anchor = make_anchor(head[0], head[1], key=_signing_key(case.data_dir), every=every,
                         tsa_url=tsa_url or os.environ.get(ENV_TSA))
    anchor["file"] = str(write_anchor(folder, anchor))
    return anchor


def _env_every() -> int | None:
    raw = os.environ.get(ENV_EVERY)
    if not raw:
        return None
    try:
        n = int(raw)
    except ValueError:
        raise AnchorError(f"{ENV_EVERY} must be a whole number of entries, not {raw!r}") from None
    if n < 1:
        raise AnchorError(f"{ENV_EVERY} must be at least 1")
    return n


def load_anchors(folder: str | Path) -> tuple[list[dict], list[dict]]:
    """(anchors, problems) — a file that is not a readable anchor is a problem, not a crash."""
    folder = Path(folder)
    anchors, problems = [], []
    if not folder.is_dir():
        return [], [{"severity": "unreadable", "file": str(folder), "problem": "the anchor folder does not exist"}]
    for path in sorted(folder.glob("*.json")):
        try:
            a = json.loads(path.read_text(encoding="utf-8"))
            if not (isinstance(a, dict) and a.get("dadkhah") == "anchor" and isinstance(a.get("seq"), int)
                    and isinstance(a.get("head"), str) and isinstance(a.get("signature"), str)):
                raise ValueError("not a dadkhah anchor")
        except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
            problems.append({"severity": "tampered", "file": str(path), "problem": f"not a readable anchor: {exc}"})
            continue
        a["file"] = str(path)
        anchors.append(a)
    return anchors, problems


def check_anchors(case, folder: str | Path, *, public_key=None, tsa_ca: str | None = None) -> dict:
    """The ``anchors`` check of ``dadkhah verify`` (see the module docstring)."""
    from dadkhah.vault.signing import fingerprint
    from dadkhah.vault.signing import verify as verify_sig

    anchors, problems = load_anchors(folder)
    pub = public_key or _signing_key(case.data_dir).public_key()
    fp = fingerprint(pub)
    latest_every, latest_seq, good = None, 0, 0
    bad = "tampered"
    with case.engine.connect() as conn:
        last = head_at(conn)
        for a in sorted(anchors, key=lambda a: a["seq"]):
            where = {"file": a["file"], "entry": a["seq"]}
            body = _body_bytes({k: v for k, v in a.items() if k != "file"})
            try:
                sig_ok = a.get("key") == fp and verify_sig(pub, base64.b64decode(a["signature"]), body)
            except ValueError:
                sig_ok = False
            if not sig_ok:
                problems.append({"severity": bad, **where,
                                 "problem": "its signature is not the case key's (a forged or altered anchor)"})
                continue
            if a.get("timestamp"):
                from dadkhah.vault.timestamp import TimestampError, check_token

                try:
                    check_token(base64.b64decode(a["timestamp"]), body, ca_file=tsa_ca)
                except (TimestampError, ValueError) as exc:
                    problems.append({"severity": bad, **where, "problem": f"its RFC 3161 timestamp fails: {exc}"})
            got = head_at(conn, a["seq"])
            # the change lies after the last anchor that still matches, and up to this one
            span = {"entries": [good + 1, a["seq"]]}
            if got is None:
                problems.append({"severity": bad, **where, **span, "problem": (
                    f"truncated: the chain no longer has entry {a['seq']}, which this anchor signed "
                    f"(it ends at {last[0] if last else 0})")})
            elif got[1] != a["head"]:
                problems.append({"severity": bad, **where, **span, "problem": (
                    f"rewritten: entry {a['seq']} now hashes to {got[1][:16]}…, the anchor signed "
                    f"{a['head'][:16]}… (the chain was changed between entries {good + 1} and {a['seq']})")})
            else:
                good = a["seq"]
            if a["seq"] >= latest_seq:
                latest_seq, latest_every = a["seq"], a.get("every")
        if latest_every and last and last[0] >= latest_seq + latest_every:
            due = (latest_seq // latest_every + 1) * latest_every
            problems.append({"severity": bad, "entry": due, "entries": [latest_seq + 1, last[0]], "problem": (
                f"entries {latest_seq + 1}–{last[0]} are not anchored although anchors are written every "
                f"{latest_every} entries: appended behind the tool's back, or an anchor was lost")})
    return {"name": "anchors", "ok": not problems, "anchors": len(anchors), "latest": latest_seq,
            "folder": str(folder), "problems": problems}


# --- automatic anchors -----------------------------------------------------------------------------

_KEYS: dict = {}


@event.listens_for(Session, "after_commit")
def _auto_anchor(session: Session) -> None:
    crossed = session.info.pop("audit_anchor_due", None)
    folder = os.environ.get(ENV_DIR)
    if not crossed or not folder:
        return
    case = session.info.get("case")
    if case is None:
        return
    seq, head, every = crossed
    try:
        key = _KEYS.get(case.data_dir)
        if key is None:
            key = _KEYS[case.data_dir] = _signing_key(case.data_dir)
        write_anchor(folder, make_anchor(seq, head, key=key, every=every))
    except Exception as exc:  # noqa: BLE001 - the commit is done; a lost anchor is reported by verify
        import sys

        print(f"warning: could not write the anchor for audit entry {seq} to {folder}: {exc}", file=sys.stderr)


def note_appended(session: Session, first_seq: int, last_seq: int, head: str) -> None:
    """Called by the audit chain after appending entries first_seq..last_seq (head = last's hash)."""
    if not os.environ.get(ENV_DIR):
        return
    every = _env_every()
    if every and last_seq // every > (first_seq - 1) // every:
        session.info["audit_anchor_due"] = (last_seq, head, every)
