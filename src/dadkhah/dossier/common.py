"""What every case file shares: its audience, its source notes, its header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dadkhah.access import Principal, can_see
from dadkhah.access import audience as audience_principal
from dadkhah.errors import InputError
from dadkhah.model import Source

AUDIENCES = ("internal", "prosecutor", "restricted", "public")
BANNERS = {
    "public": "Public",
    "restricted": "Restricted — not for publication",
    "prosecutor": "For prosecutorial use — restricted; protected identities withheld",
    "internal": "Internal — confidential; may contain protected identities",
}


def audience_for(name: str) -> Principal:
    """The principal an audience reads as; a clear error for an unknown audience."""
    if name not in AUDIENCES:
        raise InputError(f"unknown audience {name!r}: use one of {', '.join(AUDIENCES)}", field="audience")
    return audience_principal(name)


@dataclass
class SourceNote:
    number: int
    source: Source
    exhibits: list[str] = field(default_factory=list)


class SourceNotes:
    """Numbers sources in order of first citation, so every citation in the file reads ``[n]``."""

    def __init__(self, session: Session, principal: Principal):
        self.session, self.principal = session, principal
        self._notes: dict[str, SourceNote] = {}

    def number(self, source_id: str) -> int | None:
        note = self._notes.get(source_id)
        if note is None:
            source = self.session.get(Source, source_id)
            if source is None or not can_see(self.principal, source):
                return None
            note = self._notes[source_id] = SourceNote(len(self._notes) + 1, source)
        return note.number

    def notes(self) -> list[SourceNote]:
        return sorted(self._notes.values(), key=lambda n: n.number)

    def ids(self) -> list[str]:
        return list(self._notes)

    def attach_exhibits(self, exhibits) -> None:
        for ex in exhibits:
            if ex.source_id in self._notes:
                self._notes[ex.source_id].exhibits.append(ex.number)


def header(kind: str, title: str, audience: str, case_title: str | None) -> dict:
    today = dt.date.today()
    return {"kind": kind, "title": title, "audience": audience, "banner": BANNERS[audience],
            "generated": today, "case_title": case_title or "dadkhah case file"}
