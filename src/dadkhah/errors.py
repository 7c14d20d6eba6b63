"""Errors that name the problem: which file, which line or row, which field."""

from __future__ import annotations


class InputError(ValueError):
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
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class NotFound(LookupError):
    pass
