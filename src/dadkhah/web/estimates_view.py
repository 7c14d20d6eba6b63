"""Estimate reports in the web application (:mod:`dadkhah.estimate`).

An analyst starts an estimate from the case's linked lists; it runs in a background thread (LCMCR can
take minutes) and writes its report — the estimate's own HTML page with plots, and ``estimate.json`` —
into ``<case folder>/reports/estimates/<id>/``. The web lists those folders and shows each summary in the
reader's language; the full report is served from the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from pathlib import Path

from dadkhah.errors import InputError, NotFound
from dadkhah.web.peers import available

METHODS = ("lcmcr", "loglinear", "bma", "all")
_ID_CHARS = set("0123456789abcdefghijklmnopqrstuvwxyz-")


def estimates_available() -> bool:
    return available("dadkhah.estimate.service", "estimate_case", "EstimateOptions") and available(
        "dadkhah.estimate.report", "write_report")


def reports_dir(case) -> Path:
    return Path(case.data_dir) / "reports" / "estimates"


def _folder(case, run_id: str) -> Path:
    if not run_id or not set(run_id) <= _ID_CHARS or len(run_id) > 60:
        raise NotFound(f"no estimate {run_id!r}")
    folder = reports_dir(case) / run_id
    if not (folder / "status.json").exists():
        raise NotFound(f"no estimate {run_id!r}")
    return folder


def _write_status(folder: Path, **status) -> None:
    tmp = folder / "status.json.tmp"
    tmp.write_text(json.dumps(status, ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(folder / "status.json")


def list_runs(case) -> list[dict]:
    root = reports_dir(case)
    if not root.exists():
        return []
    runs = []
    for folder in sorted(root.iterdir(), reverse=True):
        try:
            runs.append(get_run(case, folder.name))
        except (NotFound, ValueError, OSError):
            continue
    return runs


def get_run(case, run_id: str) -> dict:
    folder = _folder(case, run_id)
    status = json.loads((folder / "status.json").read_text(encoding="utf-8"))
    summary_file = folder / "report" / "estimate.json"
    summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else None
    return {"id": run_id, **status, "summary": summary,
            "has_report": (folder / "report" / "index.html").exists()}


def start_run(case, *, method: str, seed: int | None, actor: str, strata: list[str] | None = None) -> str:
    """Start an estimate in the background; returns its id (its status is in ``status.json``)."""
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}", field="method")
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
    folder = reports_dir(case) / run_id
    folder.mkdir(parents=True)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    _write_status(folder, state="running", method=method, seed=seed, actor=actor, started=started,
                  strata=strata or [])
    thread = threading.Thread(target=_run, args=(case, folder, method, seed, actor, started, strata or []),
                              name=f"estimate-{run_id}", daemon=True)
    thread.start()
    return run_id


def _run(case, folder: Path, method: str, seed: int | None, actor: str, started: str, strata: list[str]) -> None:
    from dadkhah.estimate.report import write_report
    from dadkhah.estimate.service import EstimateOptions, estimate_case

    base = {"method": method, "seed": seed, "actor": actor, "started": started, "strata": strata}
    try:
        run = estimate_case(case, EstimateOptions(method=method, seed=seed), strata=strata)
        write_report(run, folder / "report")
        summary = folder / "report" / "estimate.json"
        if not summary.exists():
            summary.write_text(json.dumps(run.to_dict(), ensure_ascii=False, default=str), encoding="utf-8")
        _write_status(folder, state="done", finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **base)
    except Exception as exc:  # noqa: BLE001 - the failure is reported on the page, in plain words
        _write_status(folder, state="failed", error=str(exc) or type(exc).__name__,
                      finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **base)


def report_file(case, run_id: str, name: str) -> Path:
    """A file of a run's report folder (no way out of it)."""
    folder = (_folder(case, run_id) / "report").resolve()
    path = (folder / name).resolve()
    if folder not in path.parents or not path.is_file():
        raise NotFound(f"no file {name!r} in estimate {run_id!r}")
    return path
