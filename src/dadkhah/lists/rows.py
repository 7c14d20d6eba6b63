"""One list row → canonical fields, or a clear reason why the row is bad.

The canonical fields kept for a record (``ListRecord.fields``)::

    full_name      the name as written (composed from given + family when the list splits it)
    given, family, father     name parts as written (or split from the full name with the core name rules,
                   then ``name_split`` is true and they are in the rules' normalised form)
    gender         "male" | "female" | None
    birth, death   FuzzyDate dicts (Jalali or Gregorian, Persian digits, partial…) or None
    birth_from_age True when the birth interval was derived from an age
    age            the age as written
    place_of_origin, detention_site, burial_site, notes, record_id    text or None
    id_number, address, postcode    text or None (an identity or birth-certificate number, a street address)

A bad row raises :class:`~dadkhah.errors.InputError` with the field and the reason; the importer adds
the file, line and row.
"""

from __future__ import annotations

import functools
import re

from dadkhah.errors import InputError
from dadkhah.lists.mapping import Mapping
from dadkhah.lists.readers import BAD_TEXT, EXTRA_CELLS, RawRow

GENDERS = {
    "male": ("m", "male", "man", "men", "boy", "masculine", "h", "homme",
             "مرد", "مذکر", "ذکور", "پسر", "آقا", "م"),
    "female": ("f", "female", "woman", "women", "girl", "feminine", "w", "femme",
               "زن", "مونث", "مؤنث", "اناث", "دختر", "خانم", "ز"),
}
UNKNOWN = ("", "?", "-", "–", "unknown", "n/a", "na", "none", "not known", "unk", "نامعلوم", "نامشخص", "؟",
           "مجهول", "بی نام")
_GENDER_INDEX = {w: g for g, words in GENDERS.items() for w in words}
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "\u200c": " "})
_SPACE = re.compile(r"\s+")
TEXT_FIELDS = ("place_of_origin", "detention_site", "burial_site", "notes", "record_id", "id_number", "address",
               "postcode")


def _clean(value: str | None) -> str:
    return _SPACE.sub(" ", str(value or "")).strip()


def _is_unknown(value: str) -> bool:
    return value.translate(_LETTERS).casefold() in UNKNOWN


def parse_gender(value: str) -> str | None:
    v = _clean(value).translate(_LETTERS).casefold().strip(".")
    if v in UNKNOWN:
        return None
    if v in _GENDER_INDEX:
        return _GENDER_INDEX[v]
    raise InputError(f"unknown gender {value!r} (use male/female, m/f, مرد/زن, or leave empty)", field="gender")


@functools.lru_cache(maxsize=200_000)
def _parse_date(text: str, calendar: str | None):
    from dadkhah.dates import parse_date

    return parse_date(text, calendar)


def parse_date_field(value: str, field: str, calendar: str | None):
    from dadkhah.dates import DateParseError

    try:
        return _parse_date(value, calendar)
    except DateParseError as exc:
        raise InputError(f"cannot read the date {value!r}: {_reason(exc)}", field=field) from None


def _reason(exc: Exception) -> str:
    return getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)


@functools.lru_cache(maxsize=200_000)
def split_name(full: str, order: str) -> tuple[str, str, str]:
    """(given, family, father) as written, from a full name, with the core name rules."""
    from dadkhah.names import parse_name

    parsed = parse_name(full, order)
    get = parsed.get if isinstance(parsed, dict) else (lambda k, d=None: getattr(parsed, k, d))
    given = get("given") or get("given_name") or ""
    family = get("family") or get("family_name") or ""
    father = get("father") or get("father_name") or ""
    return _clean(given), _clean(family), _clean(father)


def parse_row(raw: RawRow, mapping: Mapping) -> dict:
    """The canonical fields of one row; raises :class:`InputError` (with ``field``) for a bad row."""
    if BAD_TEXT in raw.values:
        raise InputError(f"the row is not readable text: {raw.values[BAD_TEXT]}")
    if EXTRA_CELLS in raw.values:
        raise InputError(f"the row has more cells than the header: {raw.values[EXTRA_CELLS]!r}")
    col = mapping.columns

    def value(f: str) -> str:
        v = _clean(raw.values.get(col[f], "")) if f in col else ""
        return "" if _is_unknown(v) else v

    fields: dict = {}
    full, given, family, father = value("full_name"), value("given_name"), value("family_name"), value("father_name")
    split = bool(full and not (given or family))
    if split:
        g, f, fa = split_name(full, mapping.name_order)
        given, family = g, f
        father = father or fa
    if not full:
        full = " ".join(p for p in ((family, given) if mapping.name_order == "family-first" else (given, family)) if p)
    if not full:
        named = [col[f] for f in ("full_name", "given_name", "family_name") if f in col]
        raise InputError(f"no name: {' and '.join(map(repr, named))} empty", field="name")
    fields.update(full_name=full, given=given or None, family=family or None, father=father or None,
                  name_order=mapping.name_order, name_split=split)

    fields["gender"] = parse_gender(value("gender")) if "gender" in col else None

    death = parse_date_field(value("death_date"), "death_date", mapping.calendar) if value("death_date") else None
    birth = parse_date_field(value("birth_date"), "birth_date", mapping.calendar) if value("birth_date") else None
    age = value("age")
    birth_from_age = False
    if age:
        from dadkhah.dates import DateParseError, from_age, parse_age

        try:
            parse_age(age)
        except DateParseError as exc:
            raise InputError(f"cannot read the age {age!r}: {_reason(exc)}", field="age") from None
        at = death
        if at is None and mapping.age_reference:
            at = parse_date_field(mapping.age_reference, "age_reference", mapping.calendar)
        if birth is None and at is not None:
            try:
                birth = from_age(age, at)
                birth_from_age = True
            except DateParseError as exc:
                raise InputError(f"cannot place the age {age!r} at {at.text!r}: {_reason(exc)}",
                                 field="age") from None
    if birth is not None and death is not None and birth.low > death.high:
        raise InputError(f"born ({birth.text}) after death ({death.text})", field="birth_date")
    fields.update(birth=birth.to_dict() if birth else None, death=death.to_dict() if death else None,
                  birth_from_age=birth_from_age, age=age or None)
    for f in TEXT_FIELDS:
        fields[f] = value(f) or None
    return fields
