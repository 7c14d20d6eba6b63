"""Anchors: the audit chain's head, signed with the case key and kept outside the case.

A hash chain alone cannot show that its *end* was cut off, or that someone rewrote it and recomputed
every hash. An anchor can: it is a small JSON file

    {"dadkhah": "anchor", "format": 1, "seq": 2996, "head": "10aef4…", "time": "…", "every": 100,
     "key": "<fingerprint>", "signature": "<Ed25519, base64>", "timestamp": "<RFC 3161 token, base64>"}

written to a folder that is not the case's (another disk, a mounted share, a write-once bucket synced
from it), or to a second database (``--to postgresql://host/db`` or ``--to sqlite:////mnt/other/anchors.db``:
the table ``dadkhah_anchor``, insert-only, which may hold the anchors of several cases, told apart by key).
``signature`` covers the canonical JSON of every other field; ``timestamp`` (when a
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


def is_database(target: str | Path) -> bool:
    """A database URL (``sqlite:///…``, ``postgresql://…``) rather than a folder."""
    return isinstance(target, str) and "://" in target


def _anchor_table():
    from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text

    md = MetaData()
    return Table("dadkhah_anchor", md,
                 Column("name", String(40), primary_key=True),  # <seq>-<head16>, as the file name
                 Column("key", String(80), nullable=False, index=True),  # the signing key's fingerprint
                 Column("seq", BigInteger, nullable=False),
                 Column("document", Text, nullable=False))  # the anchor's JSON, byte for byte


_TARGETS: dict = {}


def _target_engine(url: str):
    from dadkhah.store.engine import make_engine

    engine = _TARGETS.get(url)
    if engine is None:
        try:
            engine = make_engine(url, pool_size=1)
            _anchor_table().metadata.create_all(engine)
        except Exception as exc:  # noqa: BLE001 - any driver error: the target cannot be used
            raise AnchorError(f"cannot use the anchor database {_safe(url)}: {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:200]}") from exc
        _TARGETS[url] = engine
    return engine


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "(an unreadable URL)"


def _name(anchor: dict) -> str:
    return f"{anchor['seq']:012d}-{anchor['head'][:16]}"


def write_anchor(target: str | Path, anchor: dict) -> str:
    """Write ``anchor`` to a folder (atomically: temporary file, fsync, rename, as ``<seq>-<head16>.json``)
    or a database (one committed insert); never overwrites. Returns where it is."""
    if is_database(target):
        table = _anchor_table()
        doc = json.dumps(anchor, indent=1, sort_keys=True)
        engine = _target_engine(str(target))
        with engine.begin() as conn:
            have = conn.execute(table.select().where(table.c.name == _name(anchor))).first()
            if have is None:
                conn.execute(table.insert().values(name=_name(anchor), key=anchor["key"], seq=anchor["seq"],
                                                   document=doc))
        return f"{_safe(str(target))}#{_name(anchor)}"
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_name(anchor)}.json"
    if path.exists():
        return str(path)
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(anchor, indent=1, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return str(path)


def _refuse_own_database(case, target: str | Path) -> None:
    """An anchor kept in the database it vouches for proves nothing: whoever rewrites one rewrites both."""
    if not is_database(target):
        return
    from sqlalchemy.engine import make_url

    from dadkhah.store.engine import normalize_url

    try:
        there, here = make_url(normalize_url(str(target))), case.engine.url
    except Exception as exc:  # noqa: BLE001
        raise AnchorError(f"not a database URL: {_safe(str(target))} ({exc})") from exc
    same = (there.get_backend_name() == here.get_backend_name() and there.host == here.host
            and (there.port or 5432) == (here.port or 5432) and there.database == here.database)
    if there.get_backend_name() == "sqlite" and there.database and here.database:
        same = Path(there.database).resolve() == Path(here.database).resolve()
    if same:
        raise AnchorError("the anchors must be kept outside the case: that is the case's own database "
                          "(use another database, or a folder on another disk)")


def anchor_case(case, folder: str | Path, *, tsa_url: str | None = None, every: int | None = None) -> dict:
    """Sign (and timestamp) the current head of ``case``'s chain into ``folder`` (a folder or a database URL);
    returns the anchor."""
    _refuse_own_database(case, folder)
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


def _load_from_database(url: str, key: str | None) -> tuple[list[dict], list[dict]]:
    table = _anchor_table()
    where = f"{_safe(url)}#"
    try:
        engine = _target_engine(url)
        with engine.connect() as conn:
            q = table.select() if key is None else table.select().where(table.c.key == key)
            rows = conn.execute(q.order_by(table.c.seq)).all()
    except Exception as exc:  # noqa: BLE001 - AnchorError or a driver error: reported, never a crash
        return [], [{"severity": "unreadable", "file": _safe(url), "problem": f"the anchor database: {exc}"}]
    anchors, problems = [], []
    for row in rows:
        try:
            a = json.loads(row.document)
            if not _is_anchor(a) or _name(a) != row.name:
                raise ValueError("not a dadkhah anchor, or stored under another entry's name")
        except (ValueError, TypeError, RecursionError) as exc:
            problems.append({"severity": "tampered", "file": where + str(row.name),
                             "problem": f"not a readable anchor: {exc}"})
            continue
        a["file"] = where + row.name
        anchors.append(a)
    return anchors, problems


def _is_anchor(a) -> bool:
    return (isinstance(a, dict) and a.get("dadkhah") == "anchor" and isinstance(a.get("seq"), int)
            and isinstance(a.get("head"), str) and isinstance(a.get("signature"), str))


def load_anchors(folder: str | Path, *, key: str | None = None) -> tuple[list[dict], list[dict]]:
    """(anchors, problems) — a file that is not a readable anchor is a problem, not a crash. In a database
    target, ``key`` (a fingerprint) selects one case's anchors."""
    if is_database(folder):
        return _load_from_database(str(folder), key)
    folder = Path(folder)
    anchors, problems = [], []
    if not folder.is_dir():
        return [], [{"severity": "unreadable", "file": str(folder), "problem": "the anchor folder does not exist"}]
    for path in sorted(folder.glob("*.json")):
        try:
            a = json.loads(path.read_text(encoding="utf-8"))
            if not _is_anchor(a):
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

    pub = public_key or _signing_key(case.data_dir).public_key()
    fp = fingerprint(pub)
    anchors, problems = load_anchors(folder, key=fp)
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
            "folder": _safe(folder) if is_database(folder) else str(folder), "problems": problems}


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
