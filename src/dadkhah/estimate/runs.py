"""Estimate runs kept in the database (table ``estimate_run``), and the lists' aggregate-publication flag.

The web (and anything else that wants an estimate to outlive the request) goes through here:

- :func:`start_run` records a run for a principal and starts it on a worker thread of this process
  (LCMCR can take minutes); :func:`execute_run` runs one synchronously (tests, or a separate worker);
- the run's state (``queued``, ``running``, ``done``, ``failed``), progress, error and result document
  are rows of ``estimate_run``; its report (HTML, plots, ``estimate.json``) is a folder under
  ``<case folder>/reports/estimates/<id>/``;
- :func:`list_runs` and :func:`get_run` return only runs at or below the reader's level: a run's
  ``sensitivity`` is the ceiling of the principal it was computed for;
- a run whose worker process is gone (the server restarted) is reported as failed, not left "running".
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import threading
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from dadkhah.access import Principal, allowed_sensitivities, require
from dadkhah.errors import InputError, NotFound
from dadkhah.estimate.access import require_principal
from dadkhah.estimate.tables import EstimateRun

__all__ = [
    "RUN_METHODS",
    "create_run",
    "execute_run",
    "start_run",
    "list_runs",
    "get_run",
    "report_file",
    "set_aggregate_publication",
]

RUN_METHODS = ("lcmcr", "loglinear", "bma", "all")
_ID_CHARS = set("0123456789abcdefghijklmnopqrstuvwxyz-")
_THREADS: dict[str, threading.Thread] = {}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def reports_dir(case) -> Path:
    return Path(case.data_dir) / "reports" / "estimates"


def create_run(case, principal: Principal, *, method: str, seed: int | None, strata: list[str] | None = None,
               options: dict | None = None) -> str:
    """Record a queued run for ``principal`` (who needs the ``analyse`` right); returns its id."""
    principal = require_principal(principal)
    require(principal, "analyse")
    if method not in RUN_METHODS:
        raise InputError(f"method must be one of {', '.join(RUN_METHODS)}", field="method")
    run_id = _now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
    with case.session(actor=principal.name, principal=principal) as s:
        s.add(EstimateRun(id=run_id, state="queued", actor=principal.name, role=str(principal.role),
                          sensitivity=principal.ceiling.value, method=method, seed=seed,
                          options={"strata": list(strata or []), **(options or {})}, progress="", worker=""))
    return run_id


def _update(case, run_id: str, **values) -> None:
    with case.session(actor="estimate") as s:
        row = s.get(EstimateRun, run_id)
        if row is None:
            raise NotFound(f"no estimate {run_id!r}")
        for k, v in values.items():
            setattr(row, k, v)


def execute_run(case, run_id: str, principal: Principal) -> None:
    """Run a recorded estimate now, in this thread, for the principal it was created for."""
    from dadkhah.estimate.report import write_report
    from dadkhah.estimate.service import EstimateOptions, estimate_case

    principal = require_principal(principal)
    with case.reader(principal) as s:
        row = s.get(EstimateRun, run_id)
        if row is None:
            raise NotFound(f"no estimate {run_id!r}")
        method, seed, opts = row.method, row.seed, dict(row.options or {})
        actor, level = row.actor, row.sensitivity
    if principal.name != actor or principal.ceiling.value != level:
        raise PermissionError("an estimate runs for the principal who asked for it")
    _update(case, run_id, state="running", started_at=_now(), worker=_worker(), progress="starting")
    try:
        options = EstimateOptions(method=method, seed=seed)
        if opts.get("min_stratum"):
            options = replace(options, min_stratum=int(opts["min_stratum"]))
        run = estimate_case(case, options, principal=principal, strata=opts.get("strata") or [],
                            on_progress=lambda step: _update(case, run_id, progress=step[:200]))
        folder = reports_dir(case) / run_id
        write_report(run, folder)
        _update(case, run_id, state="done", finished_at=_now(), summary=_jsonable(run.to_dict()),
                report_dir=str(folder.relative_to(Path(case.data_dir))), progress="")
    except Exception as exc:  # noqa: BLE001 - the failure is stored and shown in plain words
        _update(case, run_id, state="failed", finished_at=_now(), error=getattr(exc, "message", None) or str(exc)
                or type(exc).__name__, progress="")


def _jsonable(doc):
    """The document as plain JSON values (NaN and infinities become null: PostgreSQL's JSON has neither)."""
    import json
    import math

    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v

    return clean(json.loads(json.dumps(doc, ensure_ascii=False, default=str)))


def start_run(case, principal: Principal, *, method: str, seed: int | None, strata: list[str] | None = None,
              options: dict | None = None) -> str:
    """Record a run and start it on a worker thread; returns its id at once."""
    run_id = create_run(case, principal, method=method, seed=seed, strata=strata, options=options)
    thread = threading.Thread(target=execute_run, args=(case, run_id, principal), name=f"estimate-{run_id}",
                              daemon=True)
    _THREADS[run_id] = thread
    thread.start()
    return run_id


def _alive(row: EstimateRun) -> bool:
    if row.state not in ("queued", "running"):
        return True
    if row.worker and row.worker != _worker():
        host, _, pid = row.worker.rpartition(":")
        if host == socket.gethostname() and pid.isdigit():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
        return True
    thread = _THREADS.get(row.id)
    if row.worker == _worker():
        return thread is not None and thread.is_alive()
    # queued, not yet picked up: alive while its thread (if any, in this process) lives
    return thread is None or thread.is_alive() or row.state != "queued"


def _to_dict(case, row: EstimateRun) -> dict:
    state, error = row.state, row.error
    if not _alive(row):
        state, error = "failed", "the estimate stopped before it finished (the server was restarted); start it again"
    has_report = bool(row.report_dir) and (Path(case.data_dir) / row.report_dir / "index.html").exists()
    return {
        "id": row.id, "state": state, "method": row.method, "seed": row.seed, "actor": row.actor,
        "strata": (row.options or {}).get("strata") or [],
        "started": (row.started_at or row.created_at).isoformat(timespec="seconds"),
        "finished": row.finished_at.isoformat(timespec="seconds") if row.finished_at else None,
        "progress": row.progress or "", "error": error, "summary": row.summary, "has_report": has_report,
        "sensitivity": row.sensitivity,
    }


def list_runs(case, principal: Principal) -> list[dict]:
    principal = require_principal(principal)
    require(principal, "analyse")
    with case.reader(principal) as s:
        rows = s.scalars(select(EstimateRun).where(EstimateRun.sensitivity.in_(allowed_sensitivities(principal)))
                         .order_by(EstimateRun.created_at.desc(), EstimateRun.id.desc())).all()
        return [_to_dict(case, r) for r in rows]


def _row(s, run_id: str, principal: Principal) -> EstimateRun:
    if not run_id or not set(run_id) <= _ID_CHARS or len(run_id) > 60:
        raise NotFound(f"no estimate {run_id!r}")
    row = s.get(EstimateRun, run_id)
    if row is None or row.sensitivity not in allowed_sensitivities(principal):
        raise NotFound(f"no estimate {run_id!r}")
    return row


def get_run(case, run_id: str, principal: Principal) -> dict:
    principal = require_principal(principal)
    require(principal, "analyse")
    with case.reader(principal) as s:
        return _to_dict(case, _row(s, run_id, principal))


def report_file(case, run_id: str, name: str, principal: Principal) -> Path:
    """A file of a run's report folder (no way out of it)."""
    principal = require_principal(principal)
    require(principal, "analyse")
    with case.reader(principal) as s:
        row = _row(s, run_id, principal)
        rel = row.report_dir
    if not rel:
        raise NotFound(f"no file {name!r} in estimate {run_id!r}")
    folder = (Path(case.data_dir) / rel).resolve()
    path = (folder / name).resolve()
    if folder not in path.parents or not path.is_file():
        raise NotFound(f"no file {name!r} in estimate {run_id!r}")
    return path


def set_aggregate_publication(case, name: str, allow: bool | None, *, actor: str) -> dict:
    """Show (``allow=None``) or set whether list ``name`` may be counted in estimates for readers below its
    level. Setting it is audited."""
    from dadkhah.lists.tables import VictimList
    from dadkhah.store import audit

    with case.session(actor=actor) as s:
        vl = s.scalars(select(VictimList).where(VictimList.name == name)).first()
        if vl is None:
            raise NotFound(f"no list named {name!r}")
        before = bool(vl.aggregate_publication)
        if allow is not None and bool(allow) != before:
            vl.aggregate_publication = bool(allow)
            s.flush()
            audit.append(s, actor=actor, action="update", table="victim_list", record_id=str(vl.id),
                         before={"aggregate_publication": before}, after={"aggregate_publication": bool(allow)})
        return {"name": vl.name, "sensitivity": vl.sensitivity, "aggregate_publication": bool(vl.aggregate_publication)}
