"""`dadkhah verify`: every integrity check a case can prove.

Checks (each runs even when another fails or crashes; see docs/vault.md, "What verify proves"):

- ``audit chain``: every entry's hash, link and sequence (:mod:`dadkhah.store.replay`);
- ``rows``: every live row of every audited table against the state the chain implies;
- ``search index``: the derived index rebuilt (in a transaction rolled back) and compared;
- ``database``: the engine's own consistency check (SQLite ``PRAGMA integrity_check``, PostgreSQL
  ``amcheck`` on the case's B-tree indexes where the extension is installed);
- ``anchors`` (with ``anchors=DIR`` or ``DADKHAH_ANCHOR_DIR``): the chain against signed heads kept
  outside the case, which catches truncation and forgers who recompute every hash;
- the capabilities' own checks: modules ``dadkhah.<capability>.integrity`` with
  ``check(case) -> {"name", "ok", "problems": [...]}`` (``CHECK_MODULES``).

Every problem has a ``severity``: ``tampered`` (content provably differs from what the chain and the
stored hashes record) or ``unreadable`` (part of the case could not be read, so it could not be
checked). ``status`` is ``intact``, ``tampered`` (any tampered problem) or ``unreadable``; the CLI
exits 0, 1 or 2 accordingly.
"""

from __future__ import annotations

import importlib
import os
import time

from sqlalchemy import text

from dadkhah.store.audit import verify_chain

CHECK_MODULES = ["dadkhah.vault.integrity"]
EXIT_CODES = {"intact": 0, "tampered": 1, "unreadable": 2, "stale": 3}
INDEX_COLUMNS = ("kind", "record_id", "part", "entity_id", "label", "body", "keys", "sensitivity", "facets")


def audit_check(case) -> dict:
    """The chain alone (kept for callers that want only it)."""
    with case.engine.connect() as conn:
        report = verify_chain(conn)
    problems = []
    if not report.ok:
        problems.append({"severity": "tampered", "entry": report.first_broken, "problem": report.problem})
    return {"name": "audit chain", "ok": report.ok, "entries": report.entries, "head": report.head,
            "problems": problems}


def chain_and_rows(case) -> tuple[dict, dict, str]:
    from dadkhah.store.replay import scan

    t0 = time.perf_counter()
    with case.engine.connect() as conn:
        report = scan(conn)
    chain = {"name": "audit chain", "ok": not report.chain_problems, "entries": report.entries,
             "head": report.head, "problems": report.chain_problems,
             "problem_count": report.counts.get("chain_problems", 0)}
    rows = {"name": "rows", "ok": not report.row_problems, "rows": report.counts.get("rows", 0),
            "unprovable": report.counts.get("unprovable", 0), "problems": report.row_problems,
            "problem_count": report.counts.get("tampered_rows", 0) + report.counts.get("unreadable", 0),
            "seconds": round(time.perf_counter() - t0, 3)}
    return chain, rows, report.head


def database_check(case) -> dict:
    problems: list[dict] = []
    detail = ""
    with case.engine.connect() as conn:
        if case.backend == "sqlite":
            results = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            detail = "PRAGMA integrity_check"
            if results != ["ok"]:
                problems += [{"severity": "tampered", "problem": f"SQLite integrity check: {r}"} for r in results[:200]]
            has_fts = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'search_fts'").first()
            if has_fts:
                detail += " + FTS5 integrity-check"
                try:
                    conn.exec_driver_sql("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
                except Exception as exc:  # noqa: BLE001
                    # the triggers keep the two in step in every build: a disagreement is an edit
                    problems.append({"severity": "tampered", "table": "search_fts",
                                     "problem": f"the full-text index disagrees with the search index: {exc}"})
                conn.rollback()
        else:
            detail = _amcheck(conn, problems)
    return {"name": "database", "ok": not problems, "method": detail, "problems": problems}


def _amcheck(conn, problems: list[dict]) -> str:
    """PostgreSQL's amcheck on every B-tree index of the case's schema, when the extension is installed
    (``CREATE EXTENSION amcheck``; verify never installs anything itself)."""
    ns = conn.execute(text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                           "WHERE e.extname = 'amcheck'")).scalar()
    if ns is None:
        return "amcheck not installed (CREATE EXTENSION amcheck to add index checks); page checksums only"
    fn = f"{conn.dialect.identifier_preparer.quote(ns)}.bt_index_check"
    indexes = conn.execute(text(
        "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.amname = 'btree' AND n.nspname = current_schema() AND c.relpersistence != 't'")).scalars().all()
    for name in indexes:
        try:
            with conn.begin_nested():
                conn.execute(text(f"SELECT {fn}(CAST(:n AS regclass), true)"), {"n": name})
        except Exception as exc:  # noqa: BLE001
            problems.append({"severity": "tampered", "index": name, "problem": f"amcheck: {str(exc).splitlines()[0]}"})
    return f"amcheck bt_index_check (heap and index) on {len(indexes)} indexes"


def index_check(case) -> dict:
    """The search index is derived: rebuild it in a transaction that is rolled back and compare it with the
    stored one. An entry this build wrote (its ``rules`` fingerprint is this build's) that this build now
    derives differently, an entry planted with no record behind it, and a missing entry whose record was
    indexed by this build are ``tampered``: the same code always derives the same entries. A difference in
    entries another build wrote is ``stale`` (after an upgrade: run ``dadkhah reindex``)."""
    from dadkhah.store.audit import canonical
    from dadkhah.store.replay import read_table
    from dadkhah.store.search import SearchDoc, index_rules, rebuild_index

    table = SearchDoc.__table__
    this_build = index_rules()

    def docs(conn) -> tuple[dict, dict]:
        out, rules = {}, {}
        for r in read_table(conn, table):
            key = (r["kind"], r["record_id"], r["part"])
            out[key] = canonical([repr(r[c]) if not isinstance(r[c], (str, int, float, dict, list, type(None)))
                                  else r[c] for c in INDEX_COLUMNS])
            rules[key] = r.get("rules")
        return out, rules

    s = case._sessionmaker()
    s.info.update(audit_disabled=True, case=case, actor="verify")
    try:
        conn = s.connection()
        stored, stored_rules = docs(conn)
        conn.execute(table.delete())
        rebuild_index(s)
        fresh, _ = docs(conn)
    finally:
        s.rollback()
        s.close()
    # the builds that indexed each record (a missing part of a record this build indexed is tampering too)
    record_rules: dict = {}
    for (kind, record_id, _part), rule in stored_rules.items():
        record_rules.setdefault((kind, record_id), set()).add(rule)
    problems = []
    for key in sorted(set(stored) | set(fresh), key=str):
        if stored.get(key) == fresh.get(key):
            continue
        if key not in stored:
            what = "missing from the index"  # a record with no entry left: whoever wrote the whole index
            ours = record_rules.get(key[:2], set(stored_rules.values()) or {None}) == {this_build}
        elif key not in fresh:
            what, ours = "not derived from the case (planted)", True
        else:
            what, ours = "differs from what the case's records give", stored_rules.get(key) == this_build
        if ours:
            problems.append({"severity": "tampered", "table": "search_doc", "record": "/".join(map(str, key)),
                             "problem": f"search index entry {what}, although this build of dadkhah wrote the "
                                        "index: it was changed behind the tool's back (searches no longer "
                                        "find what the records say); `dadkhah reindex` rebuilds it"})
        else:
            problems.append({"severity": "stale", "table": "search_doc", "record": "/".join(map(str, key)),
                             "problem": f"search index entry {what}; another build of dadkhah wrote it: run "
                                        "`dadkhah reindex` after an upgrade"})
    return {"name": "search index", "ok": not problems, "docs": len(stored), "problems": problems[:MAX_INDEX],
            "problem_count": len(problems), "build": this_build}


MAX_INDEX = 500


def unopenable(options, exc: BaseException) -> dict:
    """The report for a case whose database cannot even be opened (e.g. a truncated SQLite file)."""
    problems = [{"severity": "unreadable", "problem": f"the case cannot be opened: {type(exc).__name__}: "
                                                      f"{str(exc)[:300]}"}]
    if not options.db:
        import sqlite3

        path = options.data_dir / "case.sqlite"
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
                found = [r[0] for r in raw.execute("PRAGMA integrity_check").fetchall()]
            problems += [{"severity": "unreadable", "file": str(path), "problem": f"SQLite integrity check: {r}"}
                         for r in found[:200] if r != "ok"]
        except sqlite3.Error as err:
            problems.append({"severity": "unreadable", "file": str(path), "problem": f"SQLite: {err}"})
    return {"ok": False, "status": "unreadable", "head": None,
            "checks": [{"name": "database", "ok": False, "problems": problems}]}


def _failed(name: str, exc: BaseException) -> dict:
    return {"name": name, "ok": False,
            "problems": [{"severity": "unreadable", "problem": f"the check could not run: {type(exc).__name__}: "
                                                           f"{str(exc)[:300]}"}]}


def _guard(name: str, fn, *args) -> dict:
    """Run one check; an unexpected error becomes an 'unreadable' problem instead of a traceback."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001
        return _failed(name, exc)


def lists_check(case) -> dict:
    """Every stored list file (the original of each list import) is present and still has its hash."""
    from dadkhah.lists.tables import ListImport
    from dadkhah.store.replay import read_table
    from dadkhah.vault.integrity import _check_blob, _location

    problems: list[dict] = []
    with case.engine.connect() as conn:
        imports = read_table(conn, ListImport.__table__)
    for r in imports:
        problem = _check_blob(case.blobs, r["file_sha256"], "sha256", None)
        if problem:
            problems.append({"severity": problem[0], "list_import": r["id"], "file": _location(
                case.blobs, r["file_sha256"], "sha256"), "kind": f"list file {r['file_name']!r} v{r['version']}",
                "problem": problem[1]})
    return {"name": "list files", "ok": not problems, "imports": len(imports), "problems": problems}


def run_checks(case, *, anchors: str | None = None, index: bool = True) -> dict:
    checks: list[dict] = []
    head = None
    try:
        chain, rows, head = chain_and_rows(case)
        checks += [chain, rows]
    except Exception as exc:  # noqa: BLE001
        checks.append(_failed("audit chain", exc))
    checks.append(_guard("database", database_check, case))
    checks.append(_guard("list files", lists_check, case))
    if index:
        checks.append(_guard("search index", index_check, case))
    anchors = anchors or os.environ.get("DADKHAH_ANCHOR_DIR")
    if anchors:
        from dadkhah.vault.anchor import check_anchors

        checks.append(_guard("anchors", check_anchors, case, anchors))
    for name in CHECK_MODULES:
        # a check that cannot be loaded is a failed check, never a skipped one: a renamed module must not
        # let `verify` leave the originals un-hashed and still say "intact"
        try:
            module = importlib.import_module(name)
            check = module.check
        except (ImportError, AttributeError) as exc:
            checks.append(_failed(name, RuntimeError(f"the check module {name} cannot be loaded ({exc}): "
                                                     "nothing it checks was checked")))
            continue
        checks.append(_guard(name.rsplit(".", 2)[-2], check, case))
    kinds = {p.get("severity", "tampered") for c in checks for p in c["problems"]}
    status = ("tampered" if "tampered" in kinds else "unreadable" if "unreadable" in kinds
              else "stale" if kinds else "intact")
    return {"ok": status == "intact", "status": status, "head": head, "checks": checks}
