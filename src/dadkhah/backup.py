"""Whole backups: the case's rows, its audit chain as it is, every stored file and the anchors.

    dadkhah backup -o case-backup.tar [--anchors DIR]
    dadkhah restore case-backup.tar            # into an empty case (--data DIR or --db URL)

A backup is a tar file (``.tar``, or ``.tar.gz`` by its name):

- ``manifest.json``: format, when, from which backend, the chain head and length, rows per table, and the
  SHA-256 and size of every other member;
- ``audit.jsonl``: every audit entry, verbatim (sequence, time, actor, values, previous hash, hash);
- ``rows.jsonl``: every row of every table but the derived search index (as ``export --format jsonl``);
- ``blobs/<namespace>/<sha256>``: every stored file (originals, derived texts, list files);
- ``anchors/*.json``: the signed anchors (``dadkhah anchor``), with ``signing-key.pem``, the public key.

:func:`restore` refuses a backup before writing anything when a member's hash differs from the
manifest, when the audit chain in it is broken or does not end at the manifest's head, or when an
anchor in it does not match its chain; it then writes the files and, in one transaction, the rows and
the chain, replays the chain against every row (:mod:`dadkhah.store.replay`) and commits only when they
agree; finally every check of ``verify`` runs on the restored case. The target must be empty. A backup
taken from SQLite restores into PostgreSQL and back: values are stored in their canonical JSON forms,
so every hash and digest is the same on both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from dadkhah.access import SYSTEM
from dadkhah.errors import InputError

FORMAT = 1
Step = Callable[[str], None]


class BackupError(RuntimeError):
    """The backup cannot be restored (the message names what does not match)."""


def _tar_mode(path: Path, write: bool) -> str:
    gz = path.name.endswith((".tar.gz", ".tgz"))
    return ("w:gz" if gz else "w") if write else ("r:gz" if gz else "r:")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, sums: dict) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o444
    tar.addfile(info, io.BytesIO(data))
    sums[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def backup(case, output: str | Path, *, anchors: str | Path | None = None, step: Step | None = None) -> dict:
    """Write a whole backup of ``case`` to ``output``; returns the manifest."""
    from dadkhah.interchange.jsonl import iter_export
    from dadkhah.store.audit import AuditEntry
    from dadkhah.store.replay import scan
    from dadkhah.vault.blobs import NAMESPACES

    step = step or (lambda _m: None)
    output = Path(output)
    anchors = anchors or os.environ.get("DADKHAH_ANCHOR_DIR")
    sums: dict[str, dict] = {}
    tmp = output.with_name(output.name + ".part")
    step("checking the case")
    with case.engine.connect() as conn:
        report = scan(conn)
    if report.chain_problems or report.row_problems:
        first = (report.chain_problems or report.row_problems)[0]
        raise BackupError(f"the case does not verify ({first['problem']}); run `dadkhah verify` — a backup "
                          "would carry the damage and could not be restored")
    with tarfile.open(tmp, _tar_mode(output, True)) as tar:
        step("audit chain")
        table = AuditEntry.__table__
        lines = []
        with case.engine.connect() as conn:
            for r in conn.execute(select(table).order_by(table.c.seq)).mappings():
                e = dict(r)
                e["ts"] = e["ts"].isoformat(timespec="microseconds")
                lines.append(json.dumps(e, ensure_ascii=False, sort_keys=True))
        _add_bytes(tar, "audit.jsonl", ("\n".join(lines) + "\n" if lines else "").encode("utf-8"), sums)
        step("rows")
        counts: dict[str, int] = {}
        out = io.StringIO()
        for record in iter_export(case, SYSTEM):
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            if "row" in record:
                counts[record["table"]] = counts.get(record["table"], 0) + 1
        _add_bytes(tar, "rows.jsonl", out.getvalue().encode("utf-8"), sums)
        step("stored files")
        blobs = case.blobs
        nblobs = 0
        for ns in NAMESPACES:
            for sha in blobs.iter_hashes(ns):
                name = f"blobs/{ns}/{sha}"
                h = hashlib.sha256()
                size = blobs.size(sha, ns)
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = size, 0, 0o444

                with blobs.open(sha, ns) as f:
                    tar.addfile(info, _Hashing(f, h))
                if h.hexdigest() != sha:
                    raise BackupError(f"the stored file {blobs.location(sha, ns)} no longer has its hash; "
                                      "run `dadkhah verify`")
                sums[name] = {"sha256": sha, "size": size}
                nblobs += 1
        nanchors = 0
        from dadkhah.vault.anchor import is_database

        if anchors and (is_database(anchors) or Path(anchors).is_dir()):
            from dadkhah.vault.anchor import _signing_key, load_anchors
            from dadkhah.vault.signing import fingerprint, public_pem

            key = _signing_key(case.data_dir)
            if is_database(anchors):  # a second database: this case's anchors, as the files a folder holds
                found, _problems = load_anchors(anchors, key=fingerprint(key.public_key()))
                for a in found:
                    name = a.pop("file").rsplit("#", 1)[-1]
                    _add_bytes(tar, f"anchors/{name}.json",
                               (json.dumps(a, indent=1, sort_keys=True) + "\n").encode(), sums)
                    nanchors += 1
            else:
                for path in sorted(Path(anchors).glob("*.json")):
                    _add_bytes(tar, f"anchors/{path.name}", path.read_bytes(), sums)
                    nanchors += 1
            _add_bytes(tar, "anchors/signing-key.pem", public_pem(key), sums)
        manifest = {"dadkhah": "backup", "format": FORMAT, "created": dt.datetime.now(dt.UTC).isoformat(),
                    "backend": case.backend, "audit": {"entries": report.entries, "head": report.head},
                    "rows": counts, "files": nblobs, "anchors": nanchors, "members": sums}
        data = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
        info = tarfile.TarInfo("manifest.json")
        info.size, info.mtime, info.mode = len(data), 0, 0o444
        tar.addfile(info, io.BytesIO(data))
    os.replace(tmp, output)
    return manifest


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it."""

    def __init__(self, f, h):
        self.f, self.h = f, h

    def read(self, n=-1):
        data = self.f.read(n)
        self.h.update(data)
        return data


# --- restore -------------------------------------------------------------------------------------

def _read_backup(path: Path) -> tuple[dict, tarfile.TarFile]:
    try:
        tar = tarfile.open(path, _tar_mode(path, False))
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a readable backup: {exc}") from None
    try:
        f = tar.extractfile("manifest.json")
        manifest = json.loads(f.read().decode("utf-8")) if f else None
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path}: no readable manifest.json ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("dadkhah") != "backup":
        raise BackupError(f"{path} is not a dadkhah backup")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r} is not supported (expected {FORMAT})")
    return manifest, tar


def _member_bytes(tar: tarfile.TarFile, name: str, expected: dict) -> bytes:
    try:
        f = tar.extractfile(name)
    except KeyError:
        f = None
    if f is None:
        raise BackupError(f"{name} is listed in the manifest but missing from the backup")
    data = f.read()
    if hashlib.sha256(data).hexdigest() != expected.get("sha256") or len(data) != expected.get("size"):
        raise BackupError(f"{name} does not match the manifest (changed after the backup was made)")
    return data


def check_backup(path: str | Path) -> dict:
    """Check a backup without restoring it: every member against the manifest, the chain, the anchors.
    Raises :class:`BackupError` naming the first mismatch; returns the manifest."""
    manifest, tar = _read_backup(Path(path))
    with tar:
        members = manifest.get("members") or {}
        listed = set(members) | {"manifest.json"}
        extra = [m.name for m in tar.getmembers() if m.name not in listed]
        if extra:
            raise BackupError(f"{extra[0]} is in the backup but not in its manifest (added afterwards?)")
        for name, expected in members.items():
            if name.startswith("blobs/"):
                _member_bytes(tar, name, expected)  # hashes the bytes
        entries = _audit_entries(_member_bytes(tar, "audit.jsonl", members["audit.jsonl"]))
        head = _check_chain(entries)
        if head != manifest["audit"]["head"] or len(entries) != manifest["audit"]["entries"]:
            raise BackupError("the audit chain in the backup does not end at the head its manifest records")
        _check_backup_anchors(tar, members, entries)
    return manifest


def _audit_entries(data: bytes) -> list[dict]:
    out = []
    for i, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise BackupError(f"audit.jsonl:{i}: not JSON ({exc})") from None
    return out


def _check_chain(entries: list[dict]) -> str:
    from dadkhah.store.audit import GENESIS, _ts, entry_hash

    prev = GENESIS
    for n, e in enumerate(entries, 1):
        try:
            ts = _ts(dt.datetime.fromisoformat(e["ts"]))
            h = entry_hash(e["seq"], ts, e["actor"], e["action"], e["table_name"], e["record_id"], e["before"],
                           e["after"], e["prev_hash"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"audit.jsonl: entry {n} cannot be read ({exc})") from None
        if e["seq"] != n or e["prev_hash"] != prev or h != e["hash"]:
            raise BackupError(f"the audit chain in the backup is broken at entry {n}")
        prev = e["hash"]
    return prev


def _check_backup_anchors(tar, members: dict, entries: list[dict]) -> None:
    names = [n for n in members if n.startswith("anchors/") and n.endswith(".json")]
    if not names:
        return
    import base64

    from dadkhah.vault.anchor import _body_bytes
    from dadkhah.vault.signing import fingerprint, load_public
    from dadkhah.vault.signing import verify as verify_sig

    pub = load_public(_member_bytes(tar, "anchors/signing-key.pem", members["anchors/signing-key.pem"]))
    by_seq = {e["seq"]: e["hash"] for e in entries}
    for name in names:
        a = json.loads(_member_bytes(tar, name, members[name]))
        body = _body_bytes({k: v for k, v in a.items() if k != "file"})
        if a.get("key") != fingerprint(pub) or not verify_sig(pub, base64.b64decode(a["signature"]), body):
            raise BackupError(f"{name}: the anchor's signature does not verify")
        if by_seq.get(a["seq"]) != a["head"]:
            raise BackupError(f"{name}: the backup's audit chain does not match this anchor (entry {a['seq']})")


def _empty(case) -> bool:
    from dadkhah.store.audit import AuditEntry

    with case.reader(SYSTEM) as s:
        return not s.scalar(select(func.count()).select_from(AuditEntry))


def restore(case, path: str | Path, *, anchors_to: str | Path | None = None, step: Step | None = None) -> dict:
    """Restore the backup at ``path`` into the empty ``case``; returns ``verify``'s result on it."""
    from dadkhah.integrity import run_checks
    from dadkhah.interchange.jsonl import _convert, _order_rows, _reset_sequences, case_tables
    from dadkhah.store.audit import AuditEntry
    from dadkhah.store.replay import scan
    from dadkhah.store.search import rebuild_index

    step = step or (lambda _m: None)
    path = Path(path)
    step("checking the backup")
    manifest = check_backup(path)
    if not _empty(case):
        raise BackupError("the target case is not empty: restore into a new case (--data NEW_FOLDER or --db URL)")
    members = manifest["members"]
    with tarfile.open(path, _tar_mode(path, False)) as tar:
        step("stored files")
        for name, expected in members.items():
            if name.startswith("blobs/"):
                _, ns, sha = name.split("/", 2)
                data = _member_bytes(tar, name, expected)
                stored = case.blobs.put_bytes(data, namespace=ns)
                if stored.sha256 != sha:
                    raise BackupError(f"{name}: stored under {stored.sha256}, not {sha}")
        if anchors_to:
            folder = Path(anchors_to)
            folder.mkdir(parents=True, exist_ok=True)
            for name, expected in members.items():
                if name.startswith("anchors/"):
                    target = folder / name.split("/", 1)[1]
                    if not target.exists():
                        target.write_bytes(_member_bytes(tar, name, expected))
        entries = _audit_entries(_member_bytes(tar, "audit.jsonl", members["audit.jsonl"]))
        rows_text = _member_bytes(tar, "rows.jsonl", members["rows.jsonl"]).decode("utf-8")
    tables = {t.name: t for t in case_tables()}
    prepared: dict[str, list[dict]] = {name: [] for name in tables}
    for lineno, line in enumerate(rows_text.splitlines(), 1):
        if not line.strip():
            continue
        rec = json.loads(line)
        if "table" not in rec:
            continue
        table = tables.get(rec["table"])
        if table is None:
            raise BackupError(f"rows.jsonl:{lineno}: unknown table {rec['table']!r} (a newer dadkhah?)")
        try:
            prepared[table.name].append({k: _convert(table, k, v, ("rows.jsonl", lineno))
                                         for k, v in rec["row"].items()})
        except InputError as exc:
            raise BackupError(str(exc)) from None
    step("rows and audit chain")
    s = case._sessionmaker()
    s.info.update(audit_disabled=True, actor=case.actor)
    try:
        conn = s.connection()
        for name, table in tables.items():
            rows = _order_rows(table, prepared[name])
            for i in range(0, len(rows), 500):
                conn.execute(table.insert(), rows[i:i + 500])
        at = AuditEntry.__table__
        audit_rows = [{**e, "ts": dt.datetime.fromisoformat(e["ts"])} for e in entries]
        for i in range(0, len(audit_rows), 1000):
            conn.execute(at.insert(), audit_rows[i:i + 1000])
        _reset_sequences(conn, tables)
        report = scan(conn)
        if report.chain_problems or report.row_problems:
            first = (report.chain_problems or report.row_problems)[0]
            raise BackupError(f"the restored rows do not match the restored audit chain: {first}; nothing was "
                              "restored")
        if report.head != manifest["audit"]["head"]:
            raise BackupError("the restored chain does not end at the backup's head; nothing was restored")
        s.info["case"] = case
        rebuild_index(s)
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()
    case.refresh_statistics()
    step("verifying the restored case")
    result = run_checks(case)
    if anchors_to and manifest.get("anchors"):
        from dadkhah.vault.anchor import check_anchors
        from dadkhah.vault.signing import load_public

        pub = load_public((Path(anchors_to) / "signing-key.pem").read_bytes())
        result["checks"].append(check_anchors(case, anchors_to, public_key=pub))
        if not result["checks"][-1]["ok"]:
            result.update(ok=False, status="tampered")
    return {"manifest": {k: v for k, v in manifest.items() if k != "members"}, "verify": result}
