"""Simulate a population of victims and 4–6 overlapping, noisy lists of them, with the ground truth.

The lists follow the conventions of real lists of the dead (issue #4):

- ``family-network`` — Persian script, separate given/family/father columns, Jalali dates in Persian
  digits (full, month or year only), city and prison in Persian; CSV.
- ``ngo`` — Latin spelling (transliteration variants), full name given-first, gender M/F, age at death,
  Gregorian dates in several formats; CSV.
- ``roster`` — an organisation's upper-case Latin roster: LAST NAME / FIRST NAME / FATHER, birth year,
  month of execution, province, prison; XLSX. It covers mostly the organisation's own members.
- ``cemetery`` — a cemetery register in Persian with Arabic letter forms (ي, ك), the full name written
  surname-first, burial date (Jalali), burial site; JSON. Only people buried in Tehran appear.
- ``witness`` — witness reports in Latin, "Surname, Given", age, prison, a death date as a month or a
  season; CSV. Being named by a witness is more likely for people on the NGO list (dependent capture).
- ``press`` (6th list) — Persian press list, given-first full name, Gregorian dates in Persian digits; JSON.

Capture is heterogeneous (a latent "visibility" per person shared by all lists, affiliation, region)
and dependent (witness ← ngo). Lists contain duplicates of their own (re-rendered with fresh noise).
Names carry transliteration variants, typos, honorifics (Seyyed), joined/split compound names and
Arabic letter forms; fields go missing at list-specific rates.

    sim = simulate(population=10_000, lists=5, seed=1)
    sim.write("out/")   # one file + one mapping YAML per list, truth.csv (list,row,person)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dadkhah.linkage.gazetteer import gazetteer
from dadkhah.linkage.lexicon import (
    FAMILY,
    FEMALE_GIVEN,
    GREGORIAN_MONTHS_EN,
    JALALI_MONTHS_FA,
    MALE_GIVEN,
    SURNAME_SUFFIXES,
)

Name = tuple[str, str, list[str]]  # (persian, latin, other latin spellings)
LIST_NAMES = ("family-network", "ngo", "roster", "cemetery", "witness", "press")
MASSACRE = (dt.date(1988, 7, 19), dt.date(1988, 9, 15))
EARLIER = (dt.date(1981, 6, 20), dt.date(1988, 6, 30))
SEYYED_FAMILIES = {"موسوی", "حسینی", "هاشمی", "علوی", "مهدوی", "تقوی"}
# Province weights (roughly: where the victims of the 1980s executions came from).
PROVINCE_WEIGHTS = {
    "tehran": 30, "alborz": 3, "isfahan": 7, "fars": 5, "khuzestan": 6, "razavi-khorasan": 6,
    "east-azerbaijan": 5, "west-azerbaijan": 3, "gilan": 5, "mazandaran": 6, "golestan": 2, "kermanshah": 3,
    "kurdistan": 3, "hamadan": 2, "lorestan": 2, "kerman": 2, "yazd": 1, "qazvin": 1, "zanjan": 1, "semnan": 1,
    "markazi": 1, "qom": 1, "ardabil": 1, "sistan-baluchestan": 1, "bushehr": 1, "hormozgan": 1, "ilam": 1,
}
PERSIAN_SIMILAR = {"ز": "ذ", "ذ": "ز", "س": "ص", "ص": "س", "ت": "ط", "ط": "ت", "ه": "ح", "ح": "ه", "ق": "غ",
                   "غ": "ق", "ی": "ي", "ا": "آ", "و": "", "ن": "م"}


@dataclass
class Victim:
    id: int
    gender: str
    given: Name
    family: Name
    father: Name
    birth: dt.date
    death: dt.date
    city: str
    prison: str
    burial: str | None
    affiliation: str
    visibility: float
    seyyed: bool


@dataclass
class SimList:
    name: str
    format: str  # csv | xlsx | json
    headers: list[str]
    mapping: dict
    rows: list[dict] = field(default_factory=list)
    persons: list[int] = field(default_factory=list)  # truth: the victim each row is about

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.format}"


@dataclass
class Simulation:
    victims: list[Victim]
    lists: list[SimList]
    seed: int

    def truth(self) -> list[tuple[str, int, int]]:
        """(list, row, person) for every record — row is the 1-based data row of the list's file."""
        return [(sl.name, i, p) for sl in self.lists for i, p in enumerate(sl.persons, start=1)]

    @property
    def records(self) -> int:
        return sum(len(sl.rows) for sl in self.lists)

    def parsed(self) -> tuple[list[tuple[int, str, dict]], dict[int, int], list[dict]]:
        """The lists read as `dadkhah lists import` reads them (same mappings, same row parser), without a
        case: ``(records, truth, errors)`` with records ``(id, list, fields)`` numbered 1, 2, … in import
        order (list by list, row by row, bad rows skipped) and ``truth`` record id → person."""
        from dadkhah.errors import InputError
        from dadkhah.lists.mapping import Mapping
        from dadkhah.lists.readers import RawRow
        from dadkhah.lists.rows import parse_row

        records: list[tuple[int, str, dict]] = []
        truth: dict[int, int] = {}
        errors: list[dict] = []
        for sl in self.lists:
            mapping = Mapping.from_dict(sl.mapping)
            for row, (values, person) in enumerate(zip(sl.rows, sl.persons, strict=True), start=1):
                try:
                    fields = parse_row(RawRow(row=row, line=row + 1, values=values), mapping)
                except InputError as exc:
                    errors.append({"list": sl.name, "row": row, "field": exc.field, "message": exc.message})
                    continue
                rid = len(records) + 1
                records.append((rid, sl.name, fields))
                truth[rid] = person
        return records, truth, errors

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write each list (file + ``<name>.mapping.yaml``), ``truth.csv`` and ``lists.txt`` (import order)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        for sl in self.lists:
            path = folder / sl.file_name
            _WRITERS[sl.format](path, sl.headers, sl.rows)
            (folder / f"{sl.name}.mapping.yaml").write_text(
                yaml.safe_dump(sl.mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")
            paths[sl.name] = path
        with open(folder / "truth.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["list", "row", "person"])
            w.writerows(self.truth())
        (folder / "lists.txt").write_text("\n".join(sl.file_name for sl in self.lists) + "\n", encoding="utf-8")
        return paths


# --- writing files ----------------------------------------------------------------------------------------

def _write_csv(path: Path, headers: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=headers)
        w.writeheader()
        w.writerows(rows)


def _write_xlsx(path: Path, headers: list[str], rows: list[dict]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("list")
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    wb.save(path)


def _write_json(path: Path, headers: list[str], rows: list[dict]) -> None:
    path.write_text(json.dumps([{h: r.get(h, "") for h in headers if r.get(h, "") != ""} for r in rows],
                               ensure_ascii=False, indent=1), encoding="utf-8")


_WRITERS: dict[str, Callable] = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json}


# --- the population ---------------------------------------------------------------------------------------

class _Picker:
    def __init__(self, entries: list, weights: list[float]):
        self.entries = entries
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random):
        import bisect

        return self.entries[bisect.bisect_left(self.cum, rng.random() * self.total)]


#: Prefixes that form surnames from given names (Pourhassan, Mirahmadi, Hajiabbasi, Aghajafari, Nikkhah…).
SURNAME_PREFIXES: list[tuple[str, str, list[str]]] = [
    ("پور", "Pour", ["Pur", "Poor"]),
    ("میر", "Mir", ["Meer"]),
    ("حاجی", "Haji", ["Hadji", "Hajji"]),
    ("آقا", "Agha", ["Aqa"]),
]


def _surnames() -> tuple[list[Name], list[float]]:
    """The common surnames of the lexicon, then a long tail formed from given names and places.

    Weights are set so that the most common surname is about 1.5% of the population and the
    lexicon's common surnames about a third, as in Iranian name statistics.
    """
    names: list[Name] = [(fa, la, list(v)) for fa, la, v, _ in FAMILY]
    weights = [w for *_, w in FAMILY]
    seen = {n[1] for n in names}
    tail: list[tuple[Name, float]] = []
    for fa, la, variants, w in MALE_GIVEN:
        if " " in la or len(la) > 9:
            continue
        for sfa, sla, svar in SURNAME_SUFFIXES:
            if sla == "i" and la[-1] in "aeiou":
                continue
            tail.append(((fa + sfa, la + sla, [v + sla for v in variants[:2]] + [la + s for s in svar[:2]]),
                         math.sqrt(w)))
        for pfa, pla, pvar in SURNAME_PREFIXES:
            low = la.lower()
            spellings = [pla + "-" + la, pvar[0] + low] + [pla + v.lower() for v in variants[:1]]
            tail.append(((pfa + fa, pla + low, spellings),
                         math.sqrt(w) / 2))
    for (kind, _pid), place in gazetteer().places.items():
        if kind == "city" and place.en.isalpha() and not place.en.endswith(("i", "e")):
            tail.append(((place.fa + "ی", place.en + "i", [place.en + "y", place.en + "ee"]), 2.0))
    tail_total = sum(w for _, w in tail)
    scale = 2.0 * sum(weights) / tail_total  # the tail together is twice the common surnames
    for name, w in tail:
        if name[1] not in seen:
            seen.add(name[1])
            names.append(name)
            weights.append(w * scale)
    return names, weights


def _population(n: int, rng: random.Random) -> list[Victim]:
    gaz = gazetteer()
    male = _Picker([(fa, la, v) for fa, la, v, _ in MALE_GIVEN], [w for *_, w in MALE_GIVEN])
    female = _Picker([(fa, la, v) for fa, la, v, _ in FEMALE_GIVEN], [w for *_, w in FEMALE_GIVEN])
    surnames, weights = _surnames()
    family = _Picker(surnames, weights)
    provinces = _Picker(list(PROVINCE_WEIGHTS), list(PROVINCE_WEIGHTS.values()))
    cities: dict[str, list[str]] = {}
    prisons: dict[str, list[str]] = {}
    burials: dict[str, list[str]] = {}
    for (kind, pid), place in gaz.places.items():
        if kind == "city":
            cities.setdefault(place.province, []).append(pid)
        elif kind == "prison":
            prisons.setdefault(place.province, []).append(pid)
        elif kind == "burial_site":
            burials.setdefault(place.city, []).append(pid)
    victims = []
    for i in range(1, n + 1):
        gender = "male" if rng.random() < 0.88 else "female"
        given = (male if gender == "male" else female)(rng)
        fam = family(rng)
        province = provinces(rng)
        city = rng.choice(cities[province])
        if province in ("tehran", "alborz") or rng.random() < 0.12 or province not in prisons:
            prison = rng.choices(["evin", "gohardasht", "qezel-hesar"], [0.55, 0.4, 0.05])[0]
        else:
            prison = rng.choice(prisons[province])
        prison_city = gaz.get("prison", prison).city
        if prison_city in ("tehran", "karaj"):
            burial = "khavaran" if rng.random() < 0.8 else "behesht-e-zahra"
        else:
            options = burials.get(prison_city)
            burial = rng.choice(options) if options and rng.random() < 0.7 else None
        window = MASSACRE if rng.random() < 0.85 else EARLIER
        death = window[0] + dt.timedelta(days=rng.randrange((window[1] - window[0]).days + 1))
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(31 * 365))
        victims.append(Victim(
            id=i, gender=gender, given=given, family=fam, father=male(rng), birth=birth, death=death, city=city,
            prison=prison, burial=burial, affiliation="pmoi" if rng.random() < 0.7 else "left",
            visibility=rng.gauss(0, 1), seyyed=fam[0] in SEYYED_FAMILIES and rng.random() < 0.5))
    return victims


# --- rendering: names, dates, places -----------------------------------------------------------------------

def _typo_latin(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.random()
    if op < 0.3:
        return text[:i] + text[i + 1:]
    if op < 0.55:
        return text[:i] + text[i] + text[i:]
    if op < 0.8:
        return text[:i] + rng.choice("aeiouhnrs") + text[i + 1:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _typo_persian(text: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(text) if c in PERSIAN_SIMILAR]
    if positions and rng.random() < 0.7:
        i = rng.choice(positions)
        return text[:i] + PERSIAN_SIMILAR[text[i]] + text[i + 1:]
    if len(text) >= 4:
        i = rng.randrange(1, len(text) - 1)
        return text[:i] + text[i + 1:]
    return text


def _fa(name: Name, rng: random.Random, typo: float) -> str:
    text = name[0]
    if "\u200c" in text:  # joined with a zero-width non-joiner: also written with a space or run together
        text = rng.choice([text, text.replace("\u200c", " "), text.replace("\u200c", "")])
    elif name[1] in ("Mohammadreza", "Mohammadali", "Gholamreza", "Gholamhossein", "Alireza") and rng.random() < 0.4:
        split = {"محمدرضا": "محمد رضا", "محمدعلی": "محمد علی", "غلامرضا": "غلام رضا", "غلامحسین": "غلام حسین",
                 "علیرضا": "علی رضا"}
        text = split.get(text, text)
    if text.endswith("ایی") and rng.random() < 0.3:
        text = text[:-3] + "ائی"
    if rng.random() < typo:
        text = _typo_persian(text, rng)
    return text


def _latin(name: Name, rng: random.Random, variant: float, typo: float) -> str:
    text = rng.choice(name[2]) if name[2] and rng.random() < variant else name[1]
    if rng.random() < typo:
        text = _typo_latin(text, rng)
    return text


def _arabic_forms(text: str, rng: random.Random) -> str:
    return text.replace("ی", "ي").replace("ک", "ك") if rng.random() < 0.85 else text


def _digits_fa(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def _jalali(day: dt.date) -> tuple[int, int, int]:
    from dadkhah.dates import gregorian_to_jalali

    return gregorian_to_jalali(day)


def _date_fa(day: dt.date, rng: random.Random, precision: dict[str, float], persian_digits: float = 0.75) -> str:
    y, m, d = _jalali(day)
    p = _choose(precision, rng)
    if p == "day":
        text = rng.choice([f"{y}/{m:02d}/{d:02d}", f"{y}/{m}/{d}", f"{d} {JALALI_MONTHS_FA[m - 1]} {y}"])
    elif p == "month":
        text = f"{JALALI_MONTHS_FA[m - 1]} {y}"
    else:
        text = str(y)
    return _digits_fa(text) if rng.random() < persian_digits else text


def _date_en(day: dt.date, rng: random.Random, precision: dict[str, float]) -> str:
    p = _choose(precision, rng)
    if p == "day":
        return rng.choice([day.isoformat(), f"{day.day} {GREGORIAN_MONTHS_EN[day.month - 1]} {day.year}",
                           f"{day.day:02d}/{day.month:02d}/{day.year}"])
    if p == "month":
        return rng.choice([f"{GREGORIAN_MONTHS_EN[day.month - 1]} {day.year}", f"{day.year}-{day.month:02d}"])
    if p == "season":
        return f"summer {day.year}" if 6 <= day.month <= 9 else str(day.year)
    return str(day.year)


def _choose(weights: dict[str, float], rng: random.Random) -> str:
    r = rng.random() * sum(weights.values())
    for k, w in weights.items():
        r -= w
        if r <= 0:
            return k
    return next(iter(weights))


def _age(v: Victim) -> int:
    years = v.death.year - v.birth.year
    return years - ((v.death.month, v.death.day) < (v.birth.month, v.birth.day))


def _place_fa(kind: str, pid: str, rng: random.Random) -> str:
    place = gazetteer().get(kind, pid)
    text = place.fa
    if kind == "prison" and rng.random() < 0.4 and not text.startswith("زندان"):
        text = "زندان " + text
    return text


def _place_en(kind: str, pid: str, rng: random.Random, variant: float = 0.3) -> str:
    gaz = gazetteer()
    place = gaz.get(kind, pid)
    from dadkhah.linkage.gazetteer import normalize_place

    spellings = [s for s in _spellings(kind, pid) if normalize_place(s).isascii()]
    text = rng.choice(spellings) if spellings and rng.random() < variant else place.en
    if kind == "prison" and rng.random() < 0.3 and "prison" not in text.lower():
        text += " Prison"
    return text


def _spellings(kind: str, pid: str) -> list[str]:
    from importlib import resources

    key = (kind, pid)
    if not _SPELLINGS:
        data = yaml.safe_load(resources.files("dadkhah.linkage").joinpath("data/gazetteer.yaml").read_text("utf-8"))
        for section, k in (("provinces", "province"), ("cities", "city"), ("prisons", "prison"),
                           ("burial_sites", "burial_site")):
            for e in data[section]:
                _SPELLINGS[(k, e["id"])] = list(e.get("variants") or [])
    return _SPELLINGS.get(key, [])


_SPELLINGS: dict[tuple[str, str], list[str]] = {}


# --- the lists ------------------------------------------------------------------------------------------

def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _seyyed(v: Victim, rng: random.Random, script: str) -> str:
    if not v.seyyed or rng.random() < 0.4:
        return ""
    return "سید " if script == "fa" else rng.choice(["Seyyed ", "Seyed ", "Sayyid "])


def _family_network(v: Victim, rng: random.Random) -> dict:
    return {
        "ردیف": "",
        "نام": _seyyed(v, rng, "fa") + _fa(v.given, rng, 0.03),
        "نام خانوادگی": _fa(v.family, rng, 0.03),
        "نام پدر": _fa(v.father, rng, 0.03) if rng.random() < 0.9 else "",
        "جنسیت": ("مرد" if _gender(v, rng) == "male" else "زن") if rng.random() < 0.6 else "",
        "سال تولد": _date_fa(_birth(v, rng), rng, {"year": 0.8, "day": 0.2}) if rng.random() < 0.7 else "",
        "تاریخ اعدام": _date_fa(_jitter(v.death, rng), rng, {"day": 0.7, "month": 0.2, "year": 0.1})
        if rng.random() < 0.9 else "",
        "شهر": _place_fa("city", _city(v, rng), rng) if rng.random() < 0.85 else "",
        "زندان": _place_fa("prison", _prison(v, rng), rng) if rng.random() < 0.75 else "",
    }


def _ngo(v: Victim, rng: random.Random) -> dict:
    full = f"{_seyyed(v, rng, 'la')}{_latin(v.given, rng, 0.4, 0.04)} {_latin(v.family, rng, 0.4, 0.04)}"
    return {
        "ID": "",
        "Full Name": full,
        "Father's Name": _latin(v.father, rng, 0.4, 0.04) if rng.random() < 0.7 else "",
        "Gender": ("M" if _gender(v, rng) == "male" else "F") if rng.random() < 0.95 else "",
        "Age": str(_age(v) + (rng.choice([-1, 1]) if rng.random() < 0.05 else 0)) if rng.random() < 0.7 else "",
        "Date of Death": _date_en(_jitter(v.death, rng), rng, {"day": 0.6, "month": 0.3, "year": 0.1})
        if rng.random() < 0.85 else "",
        "City": _place_en("city", _city(v, rng), rng) if rng.random() < 0.85 else "",
        "Prison": _place_en("prison", _prison(v, rng), rng) if rng.random() < 0.7 else "",
    }


def _roster(v: Victim, rng: random.Random) -> dict:
    gaz = gazetteer()
    return {
        "LAST NAME": _latin(v.family, rng, 0.35, 0.04).upper(),
        "FIRST NAME": (_seyyed(v, rng, "la") + _latin(v.given, rng, 0.35, 0.04)).upper(),
        "FATHER": _latin(v.father, rng, 0.35, 0.04).upper() if rng.random() < 0.8 else "",
        "SEX": ("M" if _gender(v, rng) == "male" else "F") if rng.random() < 0.9 else "",
        "BORN": str(_birth(v, rng).year) if rng.random() < 0.7 else "",
        "EXECUTED": _date_en(_jitter(v.death, rng), rng, {"month": 0.7, "day": 0.2, "year": 0.1}).upper()
        if rng.random() < 0.8 else "",
        "PROVINCE": gaz.get("province", gaz.get("city", _city(v, rng)).province).en.upper()
        if rng.random() < 0.8 else "",
        "PRISON": _place_en("prison", _prison(v, rng), rng).upper() if rng.random() < 0.85 else "",
    }


def _cemetery(v: Victim, rng: random.Random) -> dict:
    family = _fa(v.family, rng, 0.04)
    given = _seyyed(v, rng, "fa") + _fa(v.given, rng, 0.04)
    burial = v.death + dt.timedelta(days=rng.choice([0, 0, 1, 2]))
    return {
        "شماره": "",
        "نام متوفی": _arabic_forms(f"{family} {given}", rng),
        "نام پدر": _arabic_forms(_fa(v.father, rng, 0.04), rng) if rng.random() < 0.95 else "",
        "سن": _digits_fa(str(_age(v))) if rng.random() < 0.5 else "",
        "تاریخ دفن": _date_fa(burial, rng, {"day": 0.85, "month": 0.15}, persian_digits=0.5)
        if rng.random() < 0.98 else "",
        "محل دفن": _arabic_forms(_place_fa("burial_site", v.burial, rng), rng)
        if v.burial and rng.random() < 0.95 else "",
    }


def _witness(v: Victim, rng: random.Random) -> dict:
    return {
        "Name": f"{_latin(v.family, rng, 0.5, 0.05)}, {_latin(v.given, rng, 0.5, 0.05)}",
        "Son/daughter of": _latin(v.father, rng, 0.5, 0.05) if rng.random() < 0.3 else "",
        "Age": str(_age(v) + rng.choice([0, 0, 0, 1, -1])) if rng.random() < 0.6 else "",
        "Prison": _place_en("prison", _prison(v, rng), rng, variant=0.5) if rng.random() < 0.85 else "",
        "Date": _date_en(v.death, rng, {"month": 0.5, "season": 0.3, "year": 0.2}) if rng.random() < 0.6 else "",
        "Hometown": _place_en("city", _city(v, rng), rng) if rng.random() < 0.5 else "",
        "Notes": "",
    }


def _press(v: Victim, rng: random.Random) -> dict:
    return {
        "نام و نام خانوادگی": f"{_seyyed(v, rng, 'fa')}{_fa(v.given, rng, 0.04)} {_fa(v.family, rng, 0.04)}",
        "نام پدر": _fa(v.father, rng, 0.04) if rng.random() < 0.5 else "",
        "تاریخ اعدام": _digits_fa(_date_en(v.death, rng, {"day": 0.5, "month": 0.5})) if rng.random() < 0.8 else "",
        "زادگاه": _place_fa("city", _city(v, rng), rng) if rng.random() < 0.7 else "",
    }


def _gender(v: Victim, rng: random.Random) -> str:
    """Gender as recorded: wrong now and then (a data-entry slip)."""
    return ({"male": "female", "female": "male"}[v.gender]) if rng.random() < 0.005 else v.gender


def _birth(v: Victim, rng: random.Random) -> dt.date:
    """Birth as recorded: now and then a few years off (recalled by relatives, or an age misread)."""
    return v.birth.replace(year=v.birth.year + rng.choice([-3, -2, -1, 1, 2, 3]), day=min(v.birth.day, 28)) \
        if rng.random() < 0.04 else v.birth


def _city(v: Victim, rng: random.Random) -> str:
    """City of origin as recorded: sometimes the city of residence in the same province instead."""
    if rng.random() < 0.05:
        place = gazetteer().get("city", v.city)
        same = [pid for (k, pid), p in gazetteer().places.items() if k == "city" and p.province == place.province]
        return rng.choice(same)
    return v.city


def _prison(v: Victim, rng: random.Random) -> str:
    """Prison as recorded: sometimes the prison the person was held in before a transfer."""
    return rng.choice(["evin", "gohardasht", "qezel-hesar"]) if rng.random() < 0.04 else v.prison


def _jitter(day: dt.date, rng: random.Random) -> dt.date:
    """A recording error now and then: a date a few days off."""
    return day + dt.timedelta(days=rng.choice([-3, -2, -1, 1, 2, 3])) if rng.random() < 0.05 else day


@dataclass
class _Spec:
    name: str
    format: str
    render: Callable[[Victim, random.Random], dict]
    capture: Callable[[Victim, set[str]], float]
    mapping: dict
    id_column: str | None = None


def _tehran(v: Victim) -> bool:
    return gazetteer().get("city", v.city).province in ("tehran", "alborz")


SPECS = [
    _Spec("family-network", "csv", _family_network,
          lambda v, on: _logistic(-0.5 + 0.8 * v.visibility + (0.7 if v.affiliation == "left" else 0)
                                  + (0.4 if _tehran(v) else 0)),
          {"record_id": "ردیف", "given_name": "نام", "family_name": "نام خانوادگی", "father_name": "نام پدر",
           "gender": "جنسیت", "birth_date": "سال تولد", "death_date": "تاریخ اعدام", "place_of_origin": "شهر",
           "detention_site": "زندان"}, "ردیف"),
    _Spec("ngo", "csv", _ngo, lambda v, on: _logistic(0.0 + 0.8 * v.visibility),
          {"record_id": "ID", "full_name": "Full Name", "father_name": "Father's Name", "gender": "Gender",
           "age": "Age", "death_date": "Date of Death", "place_of_origin": "City", "detention_site": "Prison",
           "name_order": "given-first"}, "ID"),
    _Spec("roster", "xlsx", _roster,
          lambda v, on: _logistic(-0.3 + 0.6 * v.visibility + (1.0 if v.affiliation == "pmoi" else -1.8)),
          {"family_name": "LAST NAME", "given_name": "FIRST NAME", "father_name": "FATHER", "gender": "SEX",
           "birth_date": "BORN", "death_date": "EXECUTED", "place_of_origin": "PROVINCE",
           "detention_site": "PRISON"}),
    _Spec("cemetery", "json", _cemetery,
          lambda v, on: _logistic(0.2 + 0.5 * v.visibility) if v.burial in ("khavaran", "behesht-e-zahra") else 0.0,
          {"record_id": "شماره", "full_name": "نام متوفی", "father_name": "نام پدر", "age": "سن",
           "death_date": "تاریخ دفن", "burial_site": "محل دفن", "name_order": "family-first", "calendar": "jalali"},
          "شماره"),
    _Spec("witness", "csv", _witness,
          lambda v, on: _logistic(-1.6 + 0.9 * v.visibility + (1.2 if "ngo" in on else 0)),
          {"full_name": "Name", "father_name": "Son/daughter of", "age": "Age", "detention_site": "Prison",
           "death_date": "Date",
           "place_of_origin": "Hometown", "notes": "Notes", "name_order": "family-first"}),
    _Spec("press", "json", _press, lambda v, on: _logistic(-1.2 + 0.7 * v.visibility),
          {"full_name": "نام و نام خانوادگی", "father_name": "نام پدر", "death_date": "تاریخ اعدام",
           "place_of_origin": "زادگاه", "name_order": "given-first", "calendar": "gregorian"}),
]


NAME_FIELDS = ("given_name", "family_name", "full_name", "father_name")


def _degrade(row: dict, spec: _Spec, rng: random.Random, noise: float) -> dict:
    """A record as a worse list keeps it (``noise`` > 0): more typos in every name, more fields left blank.

    Per name field a further typo with probability 0.35 × noise (twice with 0.1 × noise); every other
    field (not the list's row number) blanked with probability 0.2 × noise. A fresh ``rng`` (not the
    simulation's) does this, so ``noise=0`` draws exactly the lists it always drew."""
    names = {spec.mapping[k] for k in NAME_FIELDS if k in spec.mapping}
    out = dict(row)
    for col, value in row.items():
        if not value or col == spec.id_column:
            continue
        if col in names:
            persian = any("\u0600" <= ch <= "\u06ff" for ch in value)
            typo = _typo_persian if persian else _typo_latin
            for chance in (0.35, 0.1):
                if rng.random() < min(1.0, chance * noise):
                    words = value.split(" ")
                    j = max(range(len(words)), key=lambda w: (len(words[w]), rng.random()))
                    words[j] = typo(words[j], rng)
                    value = " ".join(words)
            out[col] = value
        elif rng.random() < min(0.9, 0.2 * noise):
            out[col] = ""
    return out


def simulate(population: int = 10_000, lists: int = 5, *, seed: int = 0, duplicates: float = 0.03,
             noise: float = 0.0) -> Simulation:
    """A population of ``population`` victims and ``lists`` (4–6) lists of them, reproducible by ``seed``.

    ``noise`` (0 by default) makes the lists worse than the conventions above: more typos and more blank
    fields (``_degrade``), so that linking them makes real errors (missed and false links)."""
    if not 4 <= lists <= 6:
        raise ValueError("simulate 4, 5 or 6 lists")
    if population < 1:
        raise ValueError("the population must have at least one person")
    if noise < 0:
        raise ValueError("noise must be 0 or more")
    rng = random.Random(seed)
    victims = _population(population, rng)
    specs = SPECS[:lists]
    out = [SimList(s.name, s.format, list(s.render(victims[0], random.Random(0)).keys()), dict(s.mapping))
           for s in specs]
    entries: list[list[tuple[float, int, dict]]] = [[] for _ in specs]
    for v in victims:
        on: set[str] = set()
        for k, spec in enumerate(specs):
            if rng.random() < spec.capture(v, on):
                on.add(spec.name)
                copies = 2 if rng.random() < duplicates else 1
                for _ in range(copies):
                    entries[k].append((rng.random(), v.id, spec.render(v, rng)))
    worse = random.Random(f"{seed}-noise")
    for k, spec in enumerate(specs):
        sl = out[k]
        for n, (_, pid, row) in enumerate(sorted(entries[k], key=lambda e: e[0]), start=1):
            if noise > 0:
                row = _degrade(row, spec, worse, noise)
            if spec.id_column:
                row[spec.id_column] = (_digits_fa(str(n)) if spec.name == "family-network"
                                       else f"{spec.name[:2].upper()}-{n:06d}")
            sl.rows.append(row)
            sl.persons.append(pid)
    return Simulation(victims=victims, lists=out, seed=seed)
