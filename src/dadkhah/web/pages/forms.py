"""Reading HTML forms: the submitted fields as a plain dict, Persian digits read as ASCII."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from dadkhah.web.i18n import to_ascii_digits


async def form_data(request: Request) -> dict:
    """Dependency: the form fields (text fields stripped; repeated fields as lists; files as UploadFile)."""
    form = await request.form()
    data: dict = {}
    for key in form.keys():
        values = form.getlist(key)
        cleaned = [v.strip() if isinstance(v, str) else v for v in values]
        data[key] = cleaned if len(cleaned) > 1 or key.endswith("[]") else cleaned[0]
    return data


def text(data: dict, key: str, default: str | None = None) -> str | None:
    value = data.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, UploadFile) or value is None or value == "":
        return default
    return str(value).replace("\x00", "")


def texts(data: dict, key: str) -> list[str]:
    value = data.get(key, [])
    values = value if isinstance(value, list) else [value]
    return [str(v).replace("\x00", "") for v in values if isinstance(v, str) and v.strip()]


def number(data: dict, key: str, field_errors: dict, *, integer: bool = False) -> float | int | None:
    raw = text(data, key)
    if raw is None:
        return None
    raw = to_ascii_digits(raw).replace("٫", ".").replace("٬", "").replace(",", "")
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        field_errors[key] = "not_a_number"
        return None
