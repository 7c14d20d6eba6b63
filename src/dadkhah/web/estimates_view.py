"""Estimate reports in the web application (:mod:`dadkhah.estimate`).

An analyst starts an estimate from the case's linked lists. The run is recorded and executed by the
estimate service (:mod:`dadkhah.estimate.runs`): its state lives in the ``estimate_run`` table and its
report (HTML with plots, ``estimate.json``) in ``<case folder>/reports/estimates/<id>/``. The estimate
counts only what the signed-in reader may see (an analyst's estimate leaves out confidential lists unless
they allow aggregate publication), and a run is shown only to readers at or above the level it was made
for. This module only adapts those calls to the web's principal.
"""

from __future__ import annotations

from pathlib import Path

from dadkhah.web.peers import available

METHODS = ("lcmcr", "loglinear", "bma", "all")


def estimates_available() -> bool:
    return available("dadkhah.estimate.runs", "start_run", "list_runs", "get_run") and available(
        "dadkhah.estimate.report", "write_report")


def _shown(run: dict) -> dict:
    # A queued run is picked up at once; the pages know "running", "done" and "failed".
    return {**run, "state": "running"} if run.get("state") == "queued" else run


def list_runs(case, principal) -> list[dict]:
    from dadkhah.estimate.runs import list_runs as _list

    return [_shown(r) for r in _list(case, principal)]


def get_run(case, run_id: str, principal) -> dict:
    from dadkhah.estimate.runs import get_run as _get

    return _shown(_get(case, run_id, principal))


def start_run(case, principal, *, method: str, seed: int | None, strata: list[str] | None = None) -> str:
    """Start an estimate in the background for ``principal``; returns its id."""
    from dadkhah.estimate.runs import start_run as _start

    return _start(case, principal, method=method, seed=seed, strata=strata)


def report_file(case, run_id: str, name: str, principal) -> Path:
    from dadkhah.estimate.runs import report_file as _file

    return _file(case, run_id, name, principal)
