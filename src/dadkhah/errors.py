"""Errors that name the problem: which file, which line or row, which field.

Every error a user can cause and fix derives from :class:`DadkhahError`, so one guard
(:func:`dadkhah.cliutil.guard`, and the CLI's top-level group) turns any of them into a clear message —
or, with ``--json``, one JSON document — and exit status 1, while a bug still shows its traceback.
"""

from __future__ import annotations


class DadkhahError(Exception):
    """An expected failure with a message for people (bad input, a missing record, a refused action…)."""

    def to_dict(self) -> dict:
        return {"type": type(self).__name__, "message": str(self)}


class InputError(DadkhahError, ValueError):
    """Bad input. ``str(err)`` reads like ``people.jsonl:12: field 'date': invalid month 13``."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None):
        self.message, self.file, self.line, self.field = message, file, line, field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        elif self.line is not None:
            where = f"line {self.line}: "
        fld = f"field {self.field!r}: " if self.field else ""
        return f"{where}{fld}{self.message}"

    def at(self, *, file: str | None = None, line: int | None = None) -> InputError:
        return InputError(self.message, file=file or self.file, line=line if line is not None else self.line,
                          field=self.field)

    def to_dict(self) -> dict:
        return {"type": type(self).__name__, "file": self.file, "line": self.line, "field": self.field,
                "message": self.message}


class NotFound(DadkhahError, LookupError):
    """No such record (or none the caller may see)."""
