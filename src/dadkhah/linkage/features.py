"""List records → the columns the linkage model compares.

Everything script-dependent is settled here, in Python, before the data reaches DuckDB or Spark:

- names become the core cross-script keys (:func:`dadkhah.names.name_key`): ASCII, so that
  "محمد رضایی", "Mohammad Rezaei" and "MUHAMMAD REZAEE" compare equal, and so that string distances
  in SQL count characters (DuckDB's distances count bytes, which on Persian script would count each
  letter twice); also a coarser consonant skeleton of each name (compared as a level of its own and
  used for blocking) and, for blocking only, the first or last letters of the keys, so that a typo or
  a transliteration variant in one name does not hide a pair;
- dates become day numbers (``*_lo``/``*_hi``, days since 1900-01-01) so that interval overlap is plain
  arithmetic on any backend; a year of birth and a month of death are kept for blocking;
- the age at death in whole years (``age_lo``/``age_hi``): the age as written, or the years between
  birth and death when both are known. A witness who gives an age but no date of death gives no birth
  date; the age can still be compared with another record's;
- places are resolved against the gazetteer (:mod:`dadkhah.linkage.gazetteer`): city and province of
  origin, prison (and its city and province), burial site (and its province). A place the gazetteer
  does not know keeps its name key, prefixed ``?``;
- an identity or birth-certificate number and a postcode as letters and Latin digits only, a street address
  word by word as cross-script keys.

:func:`feature_frame` takes ``(record id, list name, fields)`` triples, where ``fields`` are the
canonical fields of :mod:`dadkhah.lists.rows`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable

import pandas as pd

from dadkhah.linkage.gazetteer import DEFAULT_PREFERENCE, ORIGIN_PREFERENCE, resolve

EPOCH = dt.date(1900, 1, 1)
COLUMNS = [
    "unique_id", "list_name", "given_key", "family_key", "father_key", "name_sorted", "given_sk", "family_sk",
    "father_sk", "given_vf", "family_vf", "father_vf", "joined_vf",
    "given_p2", "family_p2", "family_p3", "family_s3", "gender",
    "birth_lo", "birth_hi", "birth_year", "death_lo", "death_hi", "death_ym", "age_lo", "age_hi",
    "origin_city", "origin_province", "prison", "prison_city", "prison_province", "burial", "burial_province",
    "id_number", "address_key", "postcode", "whole_name",
]
#: Dates this wide carry no information worth comparing (open-ended ranges).
MAX_SPAN_DAYS = 20 * 366


@functools.lru_cache(maxsize=500_000)
def key(text: str | None) -> str | None:
    """The cross-script key of a name part, spaces removed ("Mohammad Reza" = "Mohammadreza")."""
    if not text:
        return None
    from dadkhah.names import name_key

    k = (name_key(text) or "").replace(" ", "").replace("-", "")
    return k or None


#: Key letters the skeleton drops after the first: the vowel markers (a, e, i = ی, v = و) and h, which
#: Latin writers drop or add freely (Masoumhe, Qanbhri, Mahabadi / مهابادی).
_VOWELISH = str.maketrans("", "", "aeivh")
#: Letter classes Latin writers mix up: ق is written q, gh, g or k (Qasem/Ghasem/Kasem), غ gh or g
#: (Asghar/Asgar), and Arabic-script lists write گ as ک.
_FOLD = str.maketrans("qg", "kk")


@functools.lru_cache(maxsize=500_000)
def skeleton(k: str | None) -> str | None:
    """A coarser key: the first letter, then the key's consonants without the vowel markers and h (which
    stand for vowels in Persian script as often as for consonants), with k/q/g folded together and runs
    of one letter collapsed. "rstmi" = "rvstmi", "sdiqi" = "sdqi", "ksmi" (Kasemi) = "qsmi" (قاسمی),
    "ndir" (Nadir) = "ndr" (نادر), "mvhsin" (Muhsin) = "mhsn" (محسن); but "wrifi" (Sharifi) ≠ "rifi"."""
    if not k:
        return None
    k = k.translate(_FOLD)
    out = k[0] + k[1:].translate(_VOWELISH)
    return "".join(c for i, c in enumerate(out) if i == 0 or c != out[i - 1])


_VOWEL_LETTERS = str.maketrans("", "", "ie")


@functools.lru_cache(maxsize=500_000)
def vowel_fold(k: str | None) -> str | None:
    """A key with the letters that Latin vowel variants add or drop taken out: i and e after the first letter
    (e/i: Mehdi "mhdi" / Mihdi "mihdi", Kazemi / Kazimi, Naser / Nasir, Sadeghi / Sadighi), and a v right after
    the first letter before a consonant (the o/u of a first syllable: Montazeri "mntzri" / Muntazeri
    "mvntzri", Mohsen / Muhsin). Any other v stays (Mahmoud "mhmvd" is not Mohammad "mhmd"). Finer than
    :func:`skeleton` (which drops h and every v and folds k/q/g, and so joins Mohammad and Mahmoud): compared
    as a level of its own, whose weight EM learns (it still joins Hasan and Hossein)."""
    if not k:
        return None
    rest = k[1:]
    if len(rest) > 1 and rest[0] == "v" and rest[1] not in "aeiv":
        rest = rest[1:]
    return k[0] + rest.translate(_VOWEL_LETTERS)


@functools.lru_cache(maxsize=100_000)
def _place(text: str | None, prefer: tuple[str, ...]):
    if not text:
        return None, None, None
    place = resolve(text, prefer)
    if place is None:
        k = key(text)
        return (f"?{k}" if k else None), None, None
    return place.id, place.city, place.province


def _days(iso: str) -> int:
    return (dt.date.fromisoformat(iso) - EPOCH).days


def _interval(date: dict | None) -> tuple[int | None, int | None]:
    if not date:
        return None, None
    try:
        lo, hi = _days(date["low"]), _days(date["high"])
    except (KeyError, TypeError, ValueError):
        return None, None
    if hi - lo > MAX_SPAN_DAYS:
        return None, None
    return lo, hi


def _year(lo: int | None, hi: int | None, max_span: int) -> int | None:
    if lo is None or hi - lo > max_span:
        return None
    return (EPOCH + dt.timedelta(days=(lo + hi) // 2)).year


def _month(lo: int | None, hi: int | None) -> str | None:
    if lo is None or hi - lo > 31:
        return None
    a, b = EPOCH + dt.timedelta(days=lo), EPOCH + dt.timedelta(days=hi)
    if (a.year, a.month) != (b.year, b.month):
        return None
    return f"{a.year}-{a.month:02d}"


#: Ages at death this uncertain are not compared.
MAX_AGE_SPAN = 3


def _age(fields: dict, birth: tuple[int | None, int | None],
         death: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    """Youngest and oldest age at death in whole years: the age as written ("about 30" is 29–31), or the
    years between the birth and death intervals."""
    age = fields.get("age")
    if age:
        from dadkhah.dates import DateParseError, parse_age

        try:
            lo, hi, approximate = parse_age(str(age))
        except DateParseError:
            lo = hi = None
        else:
            if approximate:
                lo, hi = max(lo - 1, 0), hi + 1
            if hi - lo <= MAX_AGE_SPAN:
                return lo, hi
    (b_lo, b_hi), (d_lo, d_hi) = birth, death
    if None in (b_lo, b_hi, d_lo, d_hi) or d_hi < b_lo:
        return None, None
    lo, hi = max((d_lo - b_hi) * 10_000 // 3_652_425, 0), (d_hi - b_lo) * 10_000 // 3_652_425
    return (lo, hi) if hi - lo <= MAX_AGE_SPAN else (None, None)


_CLAUSES = re.compile(r"[,،;؛.\n]+|\s+(?:and|و)\s+")
_PRISON_WORDS = re.compile(r"\b(prison|jail|gaol|detained|executed|held|hanged|shot)\b"
                           r"|زندان|اعدام|بازداشت|تیرباران|محبس")
_ORIGIN_WORDS = re.compile(r"\b(from|native|born in|resident|hometown|of)\b|اهل|زادگاه|متولد|ساکن|بچه")
_BURIAL_WORDS = re.compile(r"\b(buried|burial|grave|cemetery)\b|دفن|مزار|گورستان|خاکسپاری|آرامگاه")
_AGE = re.compile(r"(?:\baged?\s*(?:of\s*)?|\bage\s*[:=]?\s*|سن\s*)(\d{1,2})\b"
                  r"|(\d{1,2})\s*(?:years?\s*old|yrs?\b|ساله|سال\s*سن)")
_BORN = re.compile(r"(?:\bborn\s*(?:in\s*)?|\bb\.\s*|متولد\s*|تولد\s*)(1[39]\d\d)\b")


@functools.lru_cache(maxsize=200_000)
def read_note(text: str | None) -> dict:
    """What a free-text note says about a person that can be compared: ``origin``, ``prison``, ``burial``
    (as written, for the gazetteer), ``age`` (years) and ``born`` (a year, Jalali or Gregorian), in
    either script: "from Mashhad", "اهل مشهد", "Evin prison, aged 27", "زندان اوین، ۲۷ ساله",
    "born 1340 in Rasht". Each clause (between commas, "and", "و") goes by its words: prison words
    (prison, executed, زندان, اعدام…) make its place a prison, origin words (from, اهل, born in…) a place of
    origin, burial words a burial site; a clause without such words goes by what the gazetteer finds."""
    from dadkhah.dates import to_latin_digits

    out: dict = {}
    if not text or not str(text).strip():
        return out
    note = to_latin_digits(str(text)).casefold()
    m = _AGE.search(note)
    if m:
        out["age"] = int(m.group(1) or m.group(2))
    m = _BORN.search(note)
    if m:
        out["born"] = m.group(1)
    for clause in _CLAUSES.split(note):
        clause = clause.strip()
        if not clause:
            continue
        bare = _AGE.sub(" ", _BORN.sub(" ", clause))
        if _BURIAL_WORDS.search(bare):
            kinds = ("burial",)
        elif _PRISON_WORDS.search(bare):
            kinds = ("prison",)
        elif _ORIGIN_WORDS.search(bare):
            kinds = ("origin",)
        else:
            kinds = ()
        prefer = {"prison": DEFAULT_PREFERENCE, "origin": ORIGIN_PREFERENCE,
                  "burial": ("burial_site", "city", "prison", "province")}
        place = resolve(bare, prefer[kinds[0]] if kinds else DEFAULT_PREFERENCE)
        if place is None:
            continue
        kind = kinds[0] if kinds else {"prison": "prison", "burial_site": "burial"}.get(place.kind, "origin")
        out.setdefault(kind, bare.strip())
    return out


def features(record_id: int, list_name: str, fields: dict) -> dict:
    """The model's columns for one record. A free-text note fills the place of origin, prison, burial site,
    age and year of birth where the record's own columns leave them empty (:func:`read_note`)."""
    note = read_note(fields.get("notes")) if fields.get("notes") else {}
    if note:
        fields = dict(fields)
        for src, dst in (("origin", "place_of_origin"), ("prison", "detention_site"), ("burial", "burial_site"),
                         ("age", "age")):
            if note.get(src) is not None and not fields.get(dst):
                fields[dst] = str(note[src])
        if note.get("born") and not fields.get("birth"):
            fields["birth"] = _birth_year(note["born"])
    given, family, father = key(fields.get("given")), key(fields.get("family")), key(fields.get("father"))
    if given is None and family is None:
        given = key(fields.get("full_name"))
    birth_lo, birth_hi = _interval(fields.get("birth"))
    death_lo, death_hi = _interval(fields.get("death"))
    if fields.get("birth_from_age") and death_lo is None:
        # An age with no date of death was placed at the list's assumed reference date (age_reference): a
        # birth date as uncertain as that assumption (a person who died years before it was younger). The
        # age is compared as an age at death instead.
        birth_lo = birth_hi = None
    age_lo, age_hi = _age(fields, (birth_lo, birth_hi), (death_lo, death_hi))
    origin, origin_city, province = _place(fields.get("place_of_origin"), ORIGIN_PREFERENCE)
    prison, prison_city, prison_province = _place(fields.get("detention_site"), DEFAULT_PREFERENCE)
    burial, _, burial_province = _place(fields.get("burial_site"), ("burial_site", "city", "prison", "province"))
    return {
        "unique_id": int(record_id),
        "list_name": list_name,
        "given_key": given,
        "family_key": family,
        "father_key": father,
        "name_sorted": "|".join(sorted(k for k in (given, family) if k)) or None,
        "given_sk": skeleton(given), "family_sk": skeleton(family), "father_sk": skeleton(father),
        "given_vf": vowel_fold(given), "family_vf": vowel_fold(family), "father_vf": vowel_fold(father),
        # Both names run together: "Ruhollah Pourabbas" and "Ruh Allahpourabbas", one full name split at
        # two places (a list that writes the whole name in one column), share it.
        "joined_vf": vowel_fold(given + family) if given and family else None,
        "given_p2": given[:2] if given else None, "family_p2": family[:2] if family else None,
        "family_p3": family[:3] if family else None, "family_s3": family[-3:] if family else None,
        "gender": fields.get("gender"),
        "birth_lo": birth_lo, "birth_hi": birth_hi, "birth_year": _year(birth_lo, birth_hi, 800),
        "death_lo": death_lo, "death_hi": death_hi, "death_ym": _month(death_lo, death_hi),
        "age_lo": age_lo, "age_hi": age_hi,
        "origin_city": origin_city or origin, "origin_province": province,
        "prison": prison, "prison_city": prison_city, "prison_province": prison_province,
        "burial": burial, "burial_province": burial_province,
        "id_number": code(fields.get("id_number")), "address_key": address_key(fields.get("address")),
        "postcode": code(fields.get("postcode")),
        "whole_name": f"{given}|{family}" if given and family else None,
    }


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def code(text: str | None) -> str | None:
    """An identity number or postcode as compared: Latin digits, lower case, letters and digits only
    ("۱۲۳-۴۵۶" = "123456", "AB 12" = "ab12")."""
    if not text:
        return None
    from dadkhah.dates import to_latin_digits

    out = _NOT_ALNUM.sub("", to_latin_digits(str(text)).casefold())
    return out or None


@functools.lru_cache(maxsize=200_000)
def address_key(text: str | None) -> str | None:
    """A street address as compared: each word by its cross-script key (numbers as Latin digits), so that
    "12 Stanley Street" = "12 stanley st." differs only where the words do and string distances count
    characters. (Words are not expanded: "St" and "Street" stay different words.)"""
    if not text:
        return None
    from dadkhah.dates import to_latin_digits

    words = []
    for word in re.split(r"[\s,،;؛/]+", to_latin_digits(str(text))):
        if not word:
            continue
        if any(c.isdigit() for c in word):
            words.append(code(word) or "")
        else:
            words.append(key(word) or "")
    out = " ".join(w for w in words if w)
    return out or None


@functools.lru_cache(maxsize=1000)
def _birth_year(year: str) -> dict | None:
    from dadkhah.dates import DateParseError, parse_date

    try:
        return parse_date(year).to_dict()
    except DateParseError:
        return None


def feature_frame(records: Iterable[tuple[int, str, dict]]) -> pd.DataFrame:
    """One row per record, the columns of :data:`COLUMNS` (nullable integer and string dtypes)."""
    rows = [features(rid, name, fields) for rid, name, fields in records]
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("birth_lo", "birth_hi", "birth_year", "death_lo", "death_hi", "age_lo", "age_hi"):
        df[c] = df[c].astype("Int64")
    df["unique_id"] = df["unique_id"].astype("int64")
    for c in COLUMNS:
        if df[c].dtype == object:
            df[c] = df[c].astype("string")
    return df
