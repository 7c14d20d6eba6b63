"""Tables of the estimate capability (migration branch ``lists``).

:class:`EstimateRun` — one estimate started from the case's linked lists (from the web, the API or
``dadkhah estimate --record``): who asked, at which access level, its settings, its state
(``queued`` → ``running`` → ``done`` / ``failed``), the result document and where its report
folder is. The run's ``sensitivity`` is the ceiling of the principal it ran for: a run computed
for an investigator (which may count confidential lists) is never shown to an analyst.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dadkhah.model.base import Base, Sensitivity, sensitivity_check, utcnow

RUN_STATES = ("queued", "running", "done", "failed")


class EstimateRun(Base):
    __tablename__ = "estimate_run"
    __table_args__ = (sensitivity_check("estimate_run"),)

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    actor: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="")
    sensitivity: Mapped[str] = mapped_column(String(12), default=Sensitivity.restricted.value)
    method: Mapped[str] = mapped_column(String(20))
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # strata, thresholds, LCMCR settings…
    progress: Mapped[str] = mapped_column(String(200), default="")
    worker: Mapped[str] = mapped_column(String(100), default="")  # host:pid of the process running it
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the estimate's JSON document
    report_dir: Mapped[str | None] = mapped_column(String(500), nullable=True)  # relative to the case folder
