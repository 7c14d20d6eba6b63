"""The one error this package raises for text it cannot read."""

from __future__ import annotations

from dadkhah.errors import DadkhahError


class DateParseError(DadkhahError, ValueError):
    """Text that cannot be read as a date.

    ``str(err)`` names the text and the problem, e.g.
    ``cannot read date '1367/13/01': month 13 is not between 1 and 12``.
    """

    def __init__(self, text: object, problem: str, *, what: str = "date"):
        self.text = text
        self.problem = problem
        super().__init__(f"cannot read {what} {text!r}: {problem}")
