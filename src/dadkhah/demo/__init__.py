"""The demo case, "The 1988 prison massacre in Iran", built from the five seed articles.

The case lives as data in ``case.yaml`` (a :mod:`dadkhah.interchange.casefile`); ``build_demo``
loads it into an empty case.
"""

from __future__ import annotations

from pathlib import Path

CASEFILE = Path(__file__).parent / "case.yaml"
TITLE = "The 1988 prison massacre in Iran"


def build_demo(case, *, actor: str = "demo") -> dict[str, int]:
    from dadkhah.interchange.casefile import load_casefile

    with case.session(actor=actor) as s:
        counts = load_casefile(s, CASEFILE)
    case.refresh_statistics()
    return counts
