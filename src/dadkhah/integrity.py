"""`dadkhah verify`: every integrity check a case can prove.

The core check recomputes the audit chain. Capabilities add their own checks by providing a
module ``dadkhah.<capability>.integrity`` with ``check(case) -> dict`` returning
``{"name": ..., "ok": bool, "problems": [{...}]}`` (see ``CHECK_MODULES``).
"""

from __future__ import annotations

import importlib

from dadkhah.store.audit import verify_chain

CHECK_MODULES = ["dadkhah.vault.integrity"]


def audit_check(case) -> dict:
    with case.engine.connect() as conn:
        report = verify_chain(conn)
    problems = []
    if not report.ok:
        problems.append({"entry": report.first_broken, "problem": report.problem})
    return {"name": "audit chain", "ok": report.ok, "entries": report.entries, "head": report.head,
            "problems": problems}


def run_checks(case) -> dict:
    checks = [audit_check(case)]
    for name in CHECK_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        checks.append(module.check(case))
    return {"ok": all(c["ok"] for c in checks), "checks": checks}
