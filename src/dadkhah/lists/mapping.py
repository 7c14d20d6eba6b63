"""Mapping files: which column of a list holds which canonical field.

A mapping file is YAML whose keys are canonical fields and whose values are the list's own column
headers, plus ``name_order: family-first`` where a full name starts with the surname::

    full_name: نام و نام خانوادگی
    father_name: نام پدر
    death_date: تاریخ اعدام
    detention_site: زندان
    name_order: family-first

Optional settings beside the columns:

- ``sensitivity``: ``restricted`` (default), ``public`` or ``confidential`` — for every record of the list;
- ``calendar``: ``jalali`` or ``gregorian`` when the list's dates give no clue (default: decided per date);
- ``age_reference``: the date at which ``age`` was reached when a row has no death date (e.g. ``1988``);
- ``sheet``: the worksheet of an XLSX file (default: the first).

Without a mapping, :func:`propose_mapping` proposes one from the headers (English and Persian).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dadkhah.access import LEVELS
from dadkhah.errors import InputError

FIELDS = (
    "full_name", "given_name", "family_name", "father_name", "gender", "birth_date", "age", "death_date",
    "place_of_origin", "detention_site", "burial_site", "notes", "record_id", "id_number", "address", "postcode",
)
NAME_ORDERS = ("given-first", "family-first")
SETTINGS = ("name_order", "sensitivity", "calendar", "age_reference", "sheet", "encoding")
CALENDARS = ("jalali", "gregorian")
SENSITIVITIES = LEVELS  # the one order, from dadkhah.access

#: Header words that name each canonical field (compared after :func:`normalize_header`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "name", "full name", "fullname", "name of victim", "victim", "victim name", "names", "person",
        "نام و نام خانوادگی", "نام کامل", "اسم", "نام و نام خانوادگی قربانی", "نام شهید", "نام زندانی",
        "نام متوفی", "نام خانوادگی و نام", "فامیل و نام", "surname and name",
        "نام قربانی", "اسم و فامیل", "نام و فامیل",
    ),
    "given_name": (
        "first name", "given name", "forename", "firstname", "given", "first", "givenname", "forenames",
        "نام", "اسم کوچک", "نام کوچک",
    ),
    "family_name": (
        "last name", "surname", "family name", "lastname", "family", "familyname", "last",
        "نام خانوادگی", "فامیلی", "نام فامیل", "فامیل",
    ),
    "father_name": (
        "father", "father name", "fathers name", "name of father", "father s name", "son of", "patronymic",
        "نام پدر", "پدر", "فرزند", "اسم پدر",
    ),
    "gender": ("gender", "sex", "جنسیت", "جنس"),
    "birth_date": (
        "birth date", "date of birth", "dob", "born", "birth", "year of birth", "birth year", "birthdate",
        "تاریخ تولد", "سال تولد", "متولد", "تولد",
    ),
    "age": ("age", "age at death", "age at execution", "سن", "سن هنگام اعدام", "سن هنگام مرگ"),
    "death_date": (
        "death date", "date of death", "date of execution", "execution date", "executed", "died", "death",
        "year of death", "execution", "date executed", "deathdate", "year", "burial or death", "date",
        "تاریخ اعدام", "تاریخ فوت", "تاریخ مرگ", "تاریخ شهادت", "تاریخ درگذشت", "سال اعدام", "سال فوت",
    ),
    "place_of_origin": (
        "place of origin", "origin", "city", "hometown", "home town", "birthplace", "place of birth",
        "province", "city of origin", "from", "residence", "place",
        "زادگاه", "محل تولد", "شهر", "استان", "اهل", "محل سکونت", "شهرستان", "محل اقامت",
    ),
    "detention_site": (
        "prison", "detention site", "place of detention", "detention", "jail", "place of execution",
        "prison name", "detained in", "detention place", "site", "site of execution",
        "زندان", "محل بازداشت", "محل اعدام", "محل زندان", "محل حبس", "بازداشتگاه",
    ),
    "burial_site": (
        "burial", "burial site", "cemetery", "grave", "buried", "place of burial", "burial place",
        "محل دفن", "گورستان", "آرامگاه", "مزار", "قبرستان", "محل خاکسپاری",
    ),
    "notes": (
        "notes", "note", "remarks", "comments", "comment", "description", "details", "remark",
        "توضیحات", "یادداشت", "ملاحظات", "توضیح",
    ),
    "id_number": (
        "id number", "national id", "national id number", "identity number", "identity card", "id card",
        "passport", "passport number", "social security number", "soc sec id", "ssn", "birth certificate number",
        "کد ملی", "شماره ملی", "شماره شناسنامه", "شماره کارت ملی", "شماره گذرنامه", "شماره پاسپورت",
    ),
    "address": (
        "address", "street address", "street", "home address", "residential address",
        "نشانی", "آدرس", "نشانی منزل", "آدرس منزل", "خیابان",
    ),
    "postcode": ("postcode", "post code", "postal code", "zip", "zip code", "کد پستی", "کدپستی"),
    "record_id": (
        "id", "record id", "no", "number", "#", "nr", "ref", "reference", "serial", "row", "record",
        "ردیف", "شماره", "کد", "شناسه", "شماره ردیف",
    ),
}

_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "\u200c": " ", "\u00a0": " "})
_PUNCT = re.compile(r"[\s_\-.:;,'’()\[\]/\\]+")


def normalize_header(header: str) -> str:
    """Lower case, Persian letter forms, no zero-width joiners or punctuation, single spaces."""
    text = str(header or "").translate(_LETTERS).casefold()
    text = re.sub("[\u064b-\u065f\u0670\u0640]", "", text)
    return _PUNCT.sub(" ", text).strip()


_FAMILY_FIRST_HEADERS = {normalize_header(h) for h in (
    "نام خانوادگی و نام", "فامیل و نام", "surname and name", "surname, name", "surname first name",
    "last name first name", "family name and name")}


def fold_header(header: str) -> str:
    """:func:`normalize_header` with no spaces at all ("نام‌خانوادگی" = "نام خانوادگی")."""
    return normalize_header(header).replace(" ", "")


_SYNONYM_INDEX = {normalize_header(s): f for f, words in SYNONYMS.items() for s in words}


@dataclass
class Mapping:
    """Canonical field → the list's column header, plus settings (see module docstring)."""

    columns: dict[str, str] = field(default_factory=dict)
    name_order: str = "given-first"
    sensitivity: str = "restricted"
    calendar: str | None = None
    age_reference: str | None = None
    sheet: str | None = None
    encoding: str | None = None  # text encoding of a CSV/JSON file that is not UTF-8

    def to_dict(self) -> dict:
        d: dict = dict(self.columns)
        if "full_name" in self.columns or self.name_order != "given-first":
            d["name_order"] = self.name_order
        if self.sensitivity != "restricted":
            d["sensitivity"] = self.sensitivity
        for key in ("calendar", "age_reference", "sheet", "encoding"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        return d

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict, *, file: str | None = None) -> Mapping:
        if not isinstance(data, dict):
            raise InputError("a mapping file must be a YAML mapping of field: column header", file=file)
        unknown = [k for k in data if k not in FIELDS and k not in SETTINGS]
        if unknown:
            raise InputError(f"unknown key(s) {', '.join(map(repr, unknown))}; canonical fields are "
                             f"{', '.join(FIELDS)} and settings {', '.join(SETTINGS)}", file=file,
                             field=str(unknown[0]))
        columns = {}
        for k in FIELDS:
            if k in data and data[k] not in (None, ""):
                if not isinstance(data[k], (str, int)):
                    raise InputError("must name one column header", file=file, field=k)
                columns[k] = str(data[k])
        m = cls(columns=columns)
        order = str(data.get("name_order") or "given-first")
        if order not in NAME_ORDERS:
            raise InputError(f"must be given-first or family-first, not {order!r}", file=file, field="name_order")
        m.name_order = order
        sens = str(data.get("sensitivity") or "restricted")
        if sens not in SENSITIVITIES:
            raise InputError(f"must be one of {', '.join(SENSITIVITIES)}", file=file, field="sensitivity")
        m.sensitivity = sens
        cal = data.get("calendar")
        if cal is not None and cal not in CALENDARS:
            raise InputError(f"must be jalali or gregorian, not {cal!r}", file=file, field="calendar")
        m.calendar = cal
        m.age_reference = str(data["age_reference"]) if data.get("age_reference") is not None else None
        m.sheet = str(data["sheet"]) if data.get("sheet") is not None else None
        m.encoding = str(data["encoding"]) if data.get("encoding") is not None else None
        m.check(file=file)
        return m

    def bind(self, headers: list[str]) -> Mapping:
        """Point every column at the file's own header when the two differ only in letter forms
        (Arabic ي ك ة against Persian ی ک ه), zero-width joiners, case, spaces or punctuation: a
        Windows-1256 file written with Arabic letters then matches a mapping typed with Persian ones."""
        if all(h in headers for h in self.columns.values()):
            return self
        by_norm: dict[str, list[str]] = {}
        for h in headers:
            by_norm.setdefault(fold_header(h), []).append(h)
        for f, h in list(self.columns.items()):
            if h in headers:
                continue
            found = by_norm.get(fold_header(h), [])
            if len(found) == 1:
                self.columns[f] = found[0]
        return self

    def check(self, headers: list[str] | None = None, *, file: str | None = None) -> None:
        """Refuse a mapping that cannot give a name, or that names columns the file does not have."""
        if not ({"full_name", "given_name", "family_name"} & set(self.columns)):
            raise InputError("map at least one of full_name, given_name, family_name", file=file)
        if headers is not None:
            missing = [f"{f}: {h!r}" for f, h in self.columns.items() if h not in headers]
            if missing:
                raise InputError(f"column(s) not in the file: {'; '.join(missing)} "
                                 f"(the file's headers are {', '.join(map(repr, headers))})", file=file)


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file (YAML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("mapping file not found", file=str(path)) from None
    return mapping_from_yaml(text, file=str(path))


def mapping_from_yaml(text: str, *, file: str = "mapping") -> Mapping:
    """A mapping from the YAML text of a mapping file (``file`` names it in errors)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=file) from None
    return Mapping.from_dict(data or {}, file=file)


def _looks_like_full_names(values: list[str]) -> bool:
    filled = [v for v in values if v and v.strip()]
    return bool(filled) and sum(len(v.split()) >= 2 for v in filled) >= 0.6 * len(filled)


def _comma_names(values: list[str]) -> bool:
    filled = [v for v in values if v and v.strip()]
    return bool(filled) and sum("," in v or "،" in v for v in filled) >= 0.6 * len(filled)


#: Endings of Persian family names (and their Latin spellings): Ahmadi, Rezazadeh, Alipour, Karimian…
_FAMILY_ENDINGS_FA = ("ی", "زاده", "پور", "نژاد", "یان", "فر", "نیا", "وند", "لو", "کیا", "دوست", "راد")
_FAMILY_ENDINGS_LA = ("i", "y", "ee", "zadeh", "zade", "pour", "pur", "nejad", "nezhad", "ian", "yan", "far",
                      "fard", "nia", "vand", "lou", "loo", "kia", "doost", "rad")
#: Given names that end like family names (Ali, Mehdi, Hadi, Mousa…) and so must not count as one.
_GIVEN_LIKE = {"علی", "مهدی", "هادی", "مرتضی", "مصطفی", "موسی", "عیسی", "یحیی", "مجتبی", "تقی", "نقی", "مهری",
               "پری", "ali", "mehdi", "mahdi", "hadi", "morteza", "mostafa", "mousa", "musa", "yahya", "mojtaba",
               "taghi", "naghi", "mehri", "pari", "fakhri", "roghayeh", "bahman"}


def _family_like(word: str) -> bool:
    w = normalize_header(word)
    if not w or w in _GIVEN_LIKE:
        return False
    return w.endswith(_FAMILY_ENDINGS_LA if w.isascii() else tuple(normalize_header(e) for e in _FAMILY_ENDINGS_FA))


def _family_first(values: list[str]) -> bool:
    """Most full names (of those that tell) have a family-name ending on the first word and not on the last:
    "رضایی علی", "Karimi Hassan". Commas are handled by :func:`_comma_names`."""
    first = last = 0
    for v in values:
        words = str(v or "").replace("،", " ").replace(",", " ").split()
        if len(words) < 2:
            continue
        a, b = _family_like(words[0]), _family_like(words[-1])
        first += a and not b
        last += b and not a
    return first >= 3 and first >= 2 * last


def _fuzzy_field(norm: str) -> str | None:
    """A Latin header close to a synonym (typos, plurals), e.g. ``Date_of_exec``, ``Surnames``."""
    from rapidfuzz import fuzz, process

    if not norm or not norm.isascii():
        return None
    best = process.extractOne(norm, [s for s in _SYNONYM_INDEX if s.isascii() and len(s) > 3],
                              scorer=fuzz.ratio, score_cutoff=86)
    return _SYNONYM_INDEX[best[0]] if best else None


def propose_mapping(headers: list[str], sample_rows: list[dict] | None = None) -> Mapping:
    """Propose a mapping from column headers (English or Persian) and, when given, a few rows.

    Exact synonyms win over near ones; each field and each column is used once. A lone "name" column
    holding two words or more is taken as ``full_name``; a comma in most full names means family-first.
    """
    sample_rows = sample_rows or []
    columns: dict[str, str] = {}
    used: set[str] = set()
    norms = {h: normalize_header(h) for h in headers}
    for h in headers:  # exact synonyms first
        f = _SYNONYM_INDEX.get(norms[h])
        if f and f not in columns:
            columns[f] = h
            used.add(h)
    for h in headers:  # then near synonyms
        if h in used:
            continue
        f = _fuzzy_field(norms[h])
        if f and f not in columns:
            columns[f] = h
            used.add(h)
    # A lone given-name-like column ("Name", "نام") holding whole names is a full name.
    if "given_name" in columns and "family_name" not in columns and "full_name" not in columns:
        values = [str(r.get(columns["given_name"]) or "") for r in sample_rows]
        if _looks_like_full_names(values):
            columns["full_name"] = columns.pop("given_name")
    m = Mapping(columns=columns)
    if "full_name" in columns:
        values = [str(r.get(columns["full_name"]) or "") for r in sample_rows]
        header = normalize_header(columns["full_name"])
        if _comma_names(values) or _family_first(values) or header in _FAMILY_FIRST_HEADERS:
            m.name_order = "family-first"
    ordered = {f: columns[f] for f in FIELDS if f in columns}
    m.columns = ordered
    return m
