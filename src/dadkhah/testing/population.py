"""A second, independently designed population of victims and five lists of them, with the truth.

Written to test the linkage on data it was never tuned on; it shares no code or tables with
:mod:`dadkhah.testing.simulate_lists` (and none with the engine's name rules):

- **Names from real frequency data.** Given and family names and their frequencies come from the
  ``names-dataset`` package (its Iranian ranks, drawn from a large real sample of people, in both
  Persian script and Latin spellings), extended with the Persian names of ``farsi-faker``. Each Persian
  name is paired with the Latin spellings that the data set holds for it (found by matching letters,
  not by dadkhah's name keys), so that "محمدی" is written Mohammadi, Mohamadi or Mohamadi as often as
  people do. Frequencies follow the real ranks (a Zipf law fitted so that the commonest surname is
  about 2.5 % of people, the commonest given name about 8 %): a heavy head of namesakes.
- **Families.** Some victims are brothers or sisters (same family name, father and home town).
- **Five lists**, each with its own conventions (see :data:`LISTS`): a Persian family list with Jalali
  dates in Persian digits, a Latin NGO list with ages, an upper-case roster, a surname-first Persian
  register with Arabic letter forms (ي, ك) in a Windows-1256 file, and a press list that gives only
  a name, a year (1367 or 1988) and a free-text note ("from Mashhad", "اهل مشهد", "Evin prison,
  aged 27").
- **Coarse and conflicting dates**: exact days, months, seasons, years; a share of dates a few days
  or a month off, a birth year one off, ages one off.
- **Duplicates inside lists** (15 % of rows by default), rendered again with fresh noise.

    pop = population(10_000, seed=11)
    pop.write("out/")  # one file and one mapping YAML per list, truth.csv (list,row,person), lists.txt

The name tables are built once from the installed packages (about 15 s and 1 GB of memory, since
``names-dataset`` loads its whole table) and cached in ``$XDG_CACHE_HOME/dadkhah`` (or ``~/.cache``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import re
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import yaml

TABLES_VERSION = 6
# Seeds: tune on these, report on HELD_OUT (never looked at while tuning).
TUNING_SEEDS = (1, 2, 3)
HELD_OUT_SEEDS = (11, 12, 13, 14, 15)

# --- Persian ↔ Latin letters (this module's own table) ------------------------------------------------

_ARABIC = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "\u200c": " "})
_FA_ONLY = re.compile(r"^[\u0621-\u06cc\u200c ]+$")
#: Each Persian letter → a regular expression over lower-case Latin spellings (doubled consonants
#: collapsed first); short vowels, which Persian script does not write, may come between letters.
_LATIN_OF = {
    "ا": "(a|aa|e|o|i)", "آ": "(a|aa)", "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s",
    "ج": "j", "چ": "ch", "ح": "h", "خ": "(kh|x)", "د": "d", "ذ": "(z|dh)", "ز": "z", "ض": "(z|d)", "ظ": "z",
    "ر": "r", "ژ": "(zh|j)", "ش": "sh", "ع": "('|a|e|o|i)?", "غ": "(gh|q|g)", "ق": "(gh|q|g|k)", "ف": "f",
    "ک": "(k|c)", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "(v|w|o|u|ou|oo|ow|av)",
    "ی": "(y|i|ee|ei|ey|e|ai|ay)", "ه": "h", "ئ": "(e|')?", "ء": "'?", " ": "( |-)?",
}
_SHORT = "[aeiou]?"
_DIGRAPHS = (("kh", "x"), ("gh", "q"), ("sh", "$"), ("ch", "c"), ("zh", "j"), ("ph", "f"), ("dh", "z"))
_SK_FA = str.maketrans({
    "ب": "b", "پ": "p", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ج": "j", "چ": "c", "خ": "x", "د": "d",
    "ذ": "z", "ز": "z", "ض": "z", "ظ": "z", "ر": "r", "ژ": "j", "ش": "$", "غ": "q", "ق": "q", "ف": "f", "ک": "k",
    "گ": "g", "ل": "l", "م": "m", "ن": "n", "ا": None, "آ": None, "و": None, "ی": None, "ه": None, "ح": None,
    "ع": None, "ئ": None, "ء": None, " ": None})


def _collapse(text: str) -> str:
    return re.sub(r"([^aeiou])\1+", r"\1", text)


def _latin_skeleton(latin: str) -> str:
    s = latin.lower().replace("'", "").replace("-", "").replace(" ", "")
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.replace("c", "k") if "$" not in s else s.replace("c", "k")
    s = s.translate(str.maketrans("", "", "aeiouywvh"))
    return re.sub(r"(.)\1+", r"\1", s)


def _persian_skeleton(fa: str) -> str:
    s = fa.translate(_ARABIC).translate(_SK_FA)
    s = re.sub(r"[^a-z$]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


def _pattern(fa: str) -> re.Pattern:
    fa = fa.translate(_ARABIC).strip()
    parts = []
    for i, ch in enumerate(fa):
        frag = _LATIN_OF.get(ch)
        if frag is None:
            continue
        first, last = i == 0 or fa[i - 1] == " ", i == len(fa) - 1 or fa[i + 1] == " "
        if ch == "ه" and last:
            frag = "(eh|ah|e|a|h)"
        elif ch == "ا" and not first:
            frag = "(a|aa)"  # a medial or final alef is a long a
        elif ch == "ی" and last:
            frag = "(i|y|ee|ei|ey|a)"  # a final a: ی for alef maksura (مرتضی Morteza)
        elif ch == "ی" and not first:
            frag = "(y|i|ee|ei|ey|ai|ay)"
        parts.append(frag)
    return re.compile("^" + _SHORT.join(parts) + "$")


@dataclass
class NameEntry:
    fa: str
    latin: list[str]  # Latin spellings, commonest first
    latin_weights: list[float]
    rank: int
    gender: str | None = None  # "M" / "F" for given names


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dadkhah"


def _load_iran_ranks() -> dict:
    """{first_names|last_names: {name: [rank, gender, the country most of its bearers live in]}} for Iran,
    from names-dataset (which loads about 1 GB)."""
    import gzip
    import pickle

    import names_dataset

    base = Path(names_dataset.__file__).parent / "v3"
    out = {}
    for kind in ("first_names", "last_names"):
        with gzip.open(base / f"{kind}.pkl.gz", "rb") as f:
            data = pickle.load(f)
        table = {}
        for name, info in data.items():
            rank = (info.get("rank") or {}).get("IR")
            if rank is None:
                continue
            g = info.get("gender") or {}
            gender = max(g, key=g.get) if g else None
            countries = info.get("country") or {}
            top = max(countries, key=countries.get) if countries else None
            table[name.strip()] = [int(rank), gender, top]
        del data
        out[kind] = table
    return out


def _farsi_faker_names() -> dict[str, list[str]]:
    import pickle
    from importlib.resources import files

    with files("farsi_faker.data").joinpath("names.pkl").open("rb") as f:
        data = pickle.load(f)
    return {"male": list(data["male_names"]), "female": list(data["female_names"]), "family": list(data["last_names"])}


#: Latin spellings whose bearers live mostly in these countries are not taken (the data set's Iranian
#: ranks hold many Czech and Slovak names: "Jan" must not stand for the Persian "جان").
FOREIGN = {"CZ", "SK", "PL", "HU", "DE", "AT", "RU", "UA", "RS", "HR", "SI", "IT", "ES", "FR", "US", "GB"}
#: Titles, not names.
TITLES = {"seyed", "seyyed", "sayed", "sayyed", "syed", "seyd", "mir", "haj", "hajj", "agha", "sheikh"}


def _pair(persian: dict[str, tuple], latin: dict[str, tuple], extra: list[str]) -> list[NameEntry]:
    """Pair Persian names (the data set's, by rank, then the extra ones) with the Latin spellings of the
    same name; an entry's rank is its commonest Latin spelling's. Each Latin spelling serves one name."""
    by_skeleton: dict[str, list[tuple[str, int, str | None]]] = {}
    for name, (rank, gender, top) in latin.items():
        if not name.isascii() or not re.fullmatch(r"[A-Za-z' -]{3,30}", name) or name.isupper():
            continue
        if top in FOREIGN or name.lower() in TITLES:
            continue
        by_skeleton.setdefault(_latin_skeleton(name), []).append((name, rank, gender))
    # farsi-faker's curated spellings first (those the data set ranks, by rank, then the others), then the
    # data set's other Persian spellings: where two spellings compete for one Latin name ("محمد", "مهمد"),
    # the curated one wins.
    curated = {fa.translate(_ARABIC).strip() for fa in extra}
    ranked = {fa.translate(_ARABIC).strip(): v for fa, v in sorted(persian.items(), key=lambda kv: kv[1][0])}
    candidates = {fa: v for fa, v in ranked.items() if fa in curated}
    candidates.update((fa, (10**6, None, None)) for fa in sorted(curated) if fa and fa not in candidates)
    candidates.update((fa, v) for fa, v in ranked.items() if fa not in candidates)
    out: list[NameEntry] = []
    seen_latin: set[str] = set()
    for fa, (_rank, gender, _top) in candidates.items():
        fa = fa.translate(_ARABIC).strip()
        if not _FA_ONLY.match(fa) or len(fa) < 3 - (fa in curated):
            continue
        sk = _persian_skeleton(fa)
        if not sk:
            continue
        pat = _pattern(fa)
        matches = [(n, r, g) for n, r, g in by_skeleton.get(sk, ())
                   if n not in seen_latin and pat.match(_collapse(n.lower()))]
        if not matches:
            continue
        matches.sort(key=lambda m: m[1])
        matches = matches[:6]
        seen_latin.update(m[0] for m in matches)
        names = [m[0].title() if m[0].islower() else m[0] for m in matches]
        out.append(NameEntry(fa=fa, latin=names, latin_weights=[1.0 / m[1] for m in matches], rank=matches[0][1],
                             gender=matches[0][2] or gender))
    out.sort(key=lambda e: e.rank)
    return out


def name_tables(refresh: bool = False) -> dict[str, list[NameEntry]]:
    """male / female / family name tables (cached; see the module docstring)."""
    path = _cache_dir() / f"population-names-v{TABLES_VERSION}.json"
    if path.exists() and not refresh:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {k: [NameEntry(**e) for e in v] for k, v in raw.items()}
    ranks = _load_iran_ranks()
    ff = _farsi_faker_names()
    fa_first = {n: tuple(v) for n, v in ranks["first_names"].items() if _FA_ONLY.match(n)}
    fa_last = {n: tuple(v) for n, v in ranks["last_names"].items() if _FA_ONLY.match(n)}
    given = _pair(fa_first, {n: tuple(v) for n, v in ranks["first_names"].items()}, ff["male"] + ff["female"])
    male_set, female_set = set(ff["male"]), set(ff["female"])
    male, female = [], []
    for e in given:  # the Latin spelling's gender in the data set, else farsi-faker's lists
        g = e.gender or ("M" if e.fa in male_set else "F" if e.fa in female_set else None)
        (male if g == "M" else female if g == "F" else []).append(e)
    family = _pair(fa_last, {n: tuple(v) for n, v in ranks["last_names"].items()}, ff["family"])
    tables = {"male": male, "female": female, "family": family}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({k: [e.__dict__ for e in v] for k, v in tables.items()}, ensure_ascii=False),
                   encoding="utf-8")
    tmp.replace(path)
    return tables


class _Zipf:
    """Draw from ``entries`` with weight rank^-s, ``s`` chosen so that the commonest has share ``top``."""

    def __init__(self, entries: list[NameEntry], top: float):
        self.entries = entries
        ranks = [max(e.rank, 1) for e in entries]
        lo, hi = 0.3, 2.5
        for _ in range(40):
            s = (lo + hi) / 2
            w = [r ** -s for r in ranks]
            share = w[0] / sum(w)
            lo, hi = (s, hi) if share < top else (lo, s)
        self.cum = list(accumulate(w))

    def draw(self, rng: random.Random) -> NameEntry:
        return self.entries[bisect(self.cum, rng.random() * self.cum[-1])]


# --- the population ----------------------------------------------------------------------------------

@dataclass
class Person:
    id: int
    gender: str
    given: NameEntry
    family: NameEntry
    father: NameEntry
    birth: dt.date
    death: dt.date
    city: str  # gazetteer city id
    prison: str  # gazetteer prison id
    burial: str | None
    visibility: float


PROVINCE_SHARE = {
    "tehran": 30, "isfahan": 7, "fars": 5, "khuzestan": 7, "razavi-khorasan": 7, "east-azerbaijan": 5,
    "west-azerbaijan": 3, "gilan": 6, "mazandaran": 6, "kermanshah": 4, "kurdistan": 4, "hamadan": 2,
    "lorestan": 2, "kerman": 2, "yazd": 1, "zanjan": 1, "semnan": 1, "markazi": 2, "qazvin": 1, "ardabil": 1,
    "golestan": 2, "bushehr": 1, "hormozgan": 1, "sistan-baluchestan": 1,
}


def _places():
    from dadkhah.linkage.gazetteer import gazetteer

    gaz = gazetteer()
    cities: dict[str, list[str]] = {}
    prisons_in: dict[str, list[str]] = {}
    burials_in: dict[str, list[str]] = {}
    for (kind, pid), place in gaz.places.items():
        if kind == "city":
            cities.setdefault(place.province, []).append(pid)
        elif kind == "prison":
            prisons_in.setdefault(gaz.get("city", place.city).province if place.city else None, []).append(pid)
        elif kind == "burial_site":
            burials_in.setdefault(gaz.get("city", place.city).province if place.city else None, []).append(pid)
    return gaz, cities, prisons_in, burials_in


def _people(n: int, rng: random.Random, tables: dict[str, list[NameEntry]]) -> list[Person]:
    gaz, cities, prisons_in, burials_in = _places()
    male, female, family = _Zipf(tables["male"], 0.08), _Zipf(tables["female"], 0.06), _Zipf(tables["family"], 0.025)
    provinces = [p for p in PROVINCE_SHARE if p in cities]
    pcum = list(accumulate(PROVINCE_SHARE[p] for p in provinces))
    people: list[Person] = []
    while len(people) < n:
        province = provinces[bisect(pcum, rng.random() * pcum[-1])]
        city = rng.choice(cities[province]) if rng.random() < 0.7 else cities[province][0]
        local = prisons_in.get(province) or prisons_in["tehran"]
        prison = rng.choice(local) if rng.random() < 0.8 else rng.choice(prisons_in["tehran"])
        fam, father = family.draw(rng), male.draw(rng)
        siblings = 1 if rng.random() < 0.93 else rng.choice((2, 2, 3))
        for _ in range(min(siblings, n - len(people))):
            gender = "male" if rng.random() < 0.9 else "female"
            given = (male if gender == "male" else female).draw(rng)
            if given.fa == father.fa:
                given = (male if gender == "male" else female).draw(rng)
            birth = dt.date(1935, 1, 1) + dt.timedelta(days=int(rng.triangular(0, 35 * 365, 25 * 365)))
            if rng.random() < 0.78:  # the summer of 1988
                death = dt.date(1988, 7, 27) + dt.timedelta(days=int(rng.expovariate(1 / 18)) % 80)
            else:
                death = dt.date(1981, 6, 20) + dt.timedelta(days=rng.randrange(0, 7 * 365 - 30))
            if (death - birth).days < 15 * 365:
                birth = death - dt.timedelta(days=rng.randrange(16 * 365, 40 * 365))
            burials = burials_in.get(province) or []
            burial = rng.choice(burials) if burials and rng.random() < 0.8 else None
            people.append(Person(id=len(people) + 1, gender=gender, given=given, family=fam, father=father,
                                 birth=birth, death=death, city=city, prison=prison, burial=burial,
                                 visibility=rng.betavariate(2, 2)))
    return people


# --- rendering ---------------------------------------------------------------------------------------

_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_JALALI_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن",
                  "اسفند")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
#: Vowel and consonant swaps Latin writers make (the generator's own list).
_LATIN_SWAPS = (("e", "i"), ("i", "e"), ("o", "u"), ("u", "o"), ("ou", "u"), ("oo", "u"), ("u", "ou"),
                ("a", "e"), ("gh", "q"), ("q", "gh"), ("kh", "x"), ("ei", "ey"), ("ee", "i"), ("ai", "ay"))
_FA_TYPOS = {"ز": "ذ", "س": "ص", "ت": "ط", "ح": "ه", "ق": "غ", "ا": "آ", "ی": "ئ"}


def _jalali(day: dt.date) -> tuple[int, int, int]:
    from dadkhah.dates import gregorian_to_jalali

    return gregorian_to_jalali(day)


def _latin(entry: NameEntry, rng: random.Random, noise: float) -> str:
    if len(entry.latin) > 1:
        total = sum(entry.latin_weights)
        x, acc = rng.random() * total, 0.0
        text = entry.latin[-1]
        for name, w in zip(entry.latin, entry.latin_weights, strict=True):
            acc += w
            if x <= acc:
                text = name
                break
    else:
        text = entry.latin[0]
    if rng.random() < noise:  # a vowel or letter swap
        swaps = [(a, b) for a, b in _LATIN_SWAPS if a in text[1:].lower()]
        if swaps:
            a, b = rng.choice(swaps)
            i = text.lower().find(a, 1)
            text = text[:i] + b + text[i + len(a):]
    if rng.random() < noise / 5 and len(text) > 4:  # a typo
        i = rng.randrange(1, len(text) - 1)
        text = rng.choice((text[:i] + text[i + 1:], text[:i] + text[i] + text[i:],
                           text[:i] + text[i + 1] + text[i] + text[i + 2:]))
    return text


def _persian(entry: NameEntry, rng: random.Random, noise: float, arabic: bool = False) -> str:
    text = entry.fa
    if " " in text and rng.random() < 0.5:
        text = text.replace(" ", rng.choice(("", "\u200c")))
    if rng.random() < noise / 4:
        letters = [i for i, c in enumerate(text) if c in _FA_TYPOS and i > 0]
        if letters:
            i = rng.choice(letters)
            text = text[:i] + _FA_TYPOS[text[i]] + text[i + 1:]
    if arabic:
        text = text.replace("ی", "ي").replace("ک", "ك")
    return text


def _blur(day: dt.date, rng: random.Random, error: float) -> dt.date:
    """A recorded date: usually the true one, sometimes a few days or a month off."""
    r = rng.random()
    if r < error * 0.7:
        return day + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(1, 6))
    if r < error:
        return day + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(25, 35))
    return day


def _jalali_text(day: dt.date, rng: random.Random, precision: str, persian_digits: bool = True) -> str:
    y, m, d = _jalali(day)
    if precision == "day":
        text = f"{y}/{m:02d}/{d:02d}" if rng.random() < 0.7 else f"{d} {_JALALI_MONTHS[m - 1]} {y}"
    elif precision == "month":
        text = f"{_JALALI_MONTHS[m - 1]} {y}"
    else:
        text = str(y)
    return text.translate(_FA_DIGITS) if persian_digits else text


def _gregorian_text(day: dt.date, rng: random.Random, precision: str) -> str:
    if precision == "day":
        return rng.choice((day.isoformat(), f"{day.day} {_MONTHS_EN[day.month - 1][:3]} {day.year}",
                           f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"))
    if precision == "month":
        return f"{_MONTHS_EN[day.month - 1]} {day.year}"
    if precision == "season" and 6 <= day.month <= 9:
        return f"summer {day.year}"
    return str(day.year)


def _pick(rng: random.Random, options: tuple) -> str:
    """options: (value, weight) pairs."""
    x, acc = rng.random() * sum(w for _, w in options), 0.0
    for value, w in options:
        acc += w
        if x <= acc:
            return value
    return options[-1][0]


def _age(p: Person, rng: random.Random) -> int:
    age = p.death.year - p.birth.year - ((p.death.month, p.death.day) < (p.birth.month, p.birth.day))
    return age + (rng.choice((-1, 1)) if rng.random() < 0.15 else 0)


@dataclass
class ListSpec:
    name: str
    file: str
    headers: list[str]
    mapping: dict
    coverage: float  # base capture probability
    encoding: str = "utf-8"


LISTS: list[ListSpec] = [
    ListSpec("khanevadeh", "khanevadeh.csv",
             ["ردیف", "نام", "نام خانوادگی", "نام پدر", "تاریخ تولد", "تاریخ اعدام", "زادگاه", "زندان"],
             {"record_id": "ردیف", "given_name": "نام", "family_name": "نام خانوادگی", "father_name": "نام پدر",
              "birth_date": "تاریخ تولد", "death_date": "تاریخ اعدام", "place_of_origin": "زادگاه",
              "detention_site": "زندان", "calendar": "jalali"}, 0.45),
    ListSpec("ngo", "ngo.csv", ["Name", "Sex", "Age", "Date of death", "Hometown", "Prison"],
             {"full_name": "Name", "gender": "Sex", "age": "Age", "death_date": "Date of death",
              "place_of_origin": "Hometown", "detention_site": "Prison", "age_reference": "1988"}, 0.5),
    ListSpec("roster", "roster.csv", ["SURNAME", "FIRST NAME", "FATHER", "BORN", "PROVINCE", "PRISON"],
             {"family_name": "SURNAME", "given_name": "FIRST NAME", "father_name": "FATHER", "birth_date": "BORN",
              "place_of_origin": "PROVINCE", "detention_site": "PRISON"}, 0.3),
    # The register's headers are written with Arabic letters (ي); its mapping with Persian ones (ی).
    ListSpec("register", "register.csv", ["نام متوفي", "نام پدر", "تاريخ دفن", "محل دفن"],
             {"full_name": "نام متوفی", "father_name": "نام پدر", "death_date": "تاریخ دفن",
              "burial_site": "محل دفن", "name_order": "family-first", "calendar": "jalali"}, 0.3, "cp1256"),
    ListSpec("press", "press.csv", ["name", "year", "note"],
             {"full_name": "name", "death_date": "year", "notes": "note"}, 0.25),
]


def _row(spec: str, p: Person, rng: random.Random, gaz, noise: float = 0.15) -> dict[str, str]:
    city, prison = gaz.get("city", p.city), gaz.get("prison", p.prison)
    province = gaz.get("province", city.province)
    if spec == "khanevadeh":
        death = _blur(p.death, rng, 0.12)
        return {"نام": _persian(p.given, rng, noise), "نام خانوادگی": _persian(p.family, rng, noise),
                "نام پدر": _persian(p.father, rng, noise) if rng.random() < 0.85 else "",
                "تاریخ تولد": (_jalali_text(p.birth + dt.timedelta(days=365 * (rng.random() < 0.1)), rng,
                                            _pick(rng, (("day", 3), ("year", 5))))
                               if rng.random() < 0.7 else ""),
                "تاریخ اعدام": _jalali_text(death, rng, _pick(rng, (("day", 6), ("month", 3), ("year", 1)))),
                "زادگاه": city.fa if rng.random() < 0.8 else "",
                "زندان": (("زندان " if rng.random() < 0.5 else "") + prison.fa) if rng.random() < 0.6 else ""}
    if spec == "ngo":
        given, family = _latin(p.given, rng, noise), _latin(p.family, rng, noise)
        death = _blur(p.death, rng, 0.12)
        has_death = rng.random() < 0.75
        return {"Name": f"{given} {family}", "Sex": ("M" if p.gender == "male" else "F") if rng.random() < 0.9 else "",
                "Age": str(_age(p, rng)) if rng.random() < 0.7 else "",
                "Date of death": _gregorian_text(death, rng, _pick(rng, (("day", 5), ("month", 3), ("season", 1),
                                                                         ("year", 1)))) if has_death else "",
                "Hometown": city.en if rng.random() < 0.75 else "",
                "Prison": prison.en if rng.random() < 0.6 else ""}
    if spec == "roster":
        year = p.birth.year + (rng.choice((-1, 1)) if rng.random() < 0.12 else 0)
        return {"SURNAME": _latin(p.family, rng, noise).upper(), "FIRST NAME": _latin(p.given, rng, noise).upper(),
                "FATHER": _latin(p.father, rng, noise).upper() if rng.random() < 0.8 else "",
                "BORN": (str(year) if rng.random() < 0.7 else str(_jalali(p.birth)[0])) if rng.random() < 0.8 else "",
                "PROVINCE": province.en.upper() if rng.random() < 0.85 else "",
                "PRISON": prison.en.upper() if rng.random() < 0.5 else ""}
    if spec == "register":
        burial_day = p.death + dt.timedelta(days=rng.choice((0, 0, 1, 2, 5)))
        burial = gaz.get("burial_site", p.burial) if p.burial else None
        text = (burial.fa if burial else "").replace("ی", "ي").replace("ک", "ك")
        family = _persian(p.family, rng, noise, arabic=True)
        given = _persian(p.given, rng, noise, arabic=True)
        row = {"نام متوفي": f"{family} {given}",
               "نام پدر": _persian(p.father, rng, noise, arabic=True) if rng.random() < 0.7 else "",
               "تاريخ دفن": _jalali_text(burial_day, rng, _pick(rng, (("day", 7), ("month", 3))),
                                         persian_digits=False),  # (Windows-1256 has no Persian digits)
               "محل دفن": text}
        return {k: v.replace("ی", "ي").replace("ک", "ك") for k, v in row.items()}
    # press: a name (either script), a year in either calendar, and a note
    if rng.random() < 0.5:
        name = f"{_persian(p.given, rng, noise)} {_persian(p.family, rng, noise)}"
        persian = True
    else:
        name = f"{_latin(p.given, rng, noise)} {_latin(p.family, rng, noise)}"
        persian = False
    year = str(_jalali(p.death)[0]) if rng.random() < 0.5 else str(p.death.year)
    if persian and rng.random() < 0.5:
        year = year.translate(_FA_DIGITS)
    age = _age(p, rng)
    if persian:
        note = _pick(rng, ((f"اهل {city.fa}", 3), (f"زندان {prison.fa}، {age} ساله".translate(_FA_DIGITS), 2),
                           (f"اعدام در زندان {prison.fa}", 2), (f"{age} ساله، اهل {city.fa}".translate(_FA_DIGITS), 2),
                           ("", 1)))
    else:
        note = _pick(rng, ((f"from {city.en}", 3), (f"{prison.en} prison, aged {age}", 2),
                           (f"executed in {prison.en}", 2), (f"aged {age}, from {city.en}", 2), ("", 1)))
    return {"name": name, "year": year, "note": note}


@dataclass
class Population:
    people: list[Person]
    rows: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)  # list → [(person, row)]

    @property
    def records(self) -> int:
        return sum(len(r) for r in self.rows.values())

    def write(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        order = []
        with open(folder / "truth.csv", "w", newline="", encoding="utf-8") as tf:
            truth = csv.writer(tf)
            truth.writerow(["list", "row", "person"])
            for spec in LISTS:
                rows = self.rows.get(spec.name)
                if rows is None:
                    continue
                with open(folder / spec.file, "w", newline="", encoding=spec.encoding, errors="strict") as f:
                    w = csv.writer(f)
                    w.writerow(spec.headers)
                    for i, (pid, row) in enumerate(rows, start=1):
                        values = [row.get(h, "") for h in spec.headers]
                        if "ردیف" in spec.headers:
                            values[spec.headers.index("ردیف")] = str(i)
                        w.writerow(values)
                        truth.writerow([spec.name, i, pid])
                (folder / f"{spec.name}.mapping.yaml").write_text(
                    yaml.safe_dump(spec.mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")
                order.append(spec.file)
        (folder / "lists.txt").write_text("\n".join(order) + "\n", encoding="utf-8")
        return folder

    def parsed(self, folder: str | Path | None = None) -> tuple[list[tuple[int, str, dict]], dict[int, int], list]:
        """Write the lists (to ``folder`` or a temporary one) and read each back with its mapping exactly as
        ``dadkhah lists import`` does: (record id, list, fields) triples, record id → person, bad rows."""
        import tempfile

        from dadkhah.lists.importer import parse_rows, read_and_map
        from dadkhah.lists.mapping import load_mapping

        with tempfile.TemporaryDirectory() as tmp:
            where = self.write(folder or tmp)
            truth_rows = {}
            with open(where / "truth.csv", encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    truth_rows[(r["list"], int(r["row"]))] = int(r["person"])
            records, truth, errors = [], {}, []
            rid = 0
            for spec in LISTS:
                if spec.name not in self.rows:
                    continue
                table, mapping = read_and_map(where / spec.file, load_mapping(where / f"{spec.name}.mapping.yaml"))
                good, bad = parse_rows(table, mapping)
                errors.extend({"list": spec.name, **b} for b in bad)
                for raw, fields, _key, _digest in good:
                    rid += 1
                    records.append((rid, spec.name, fields))
                    truth[rid] = truth_rows[(spec.name, raw.row)]
        return records, truth, errors


def population(size: int, seed: int, *, lists: int = 5, duplicates: float = 0.15, noise: float = 0.15) -> Population:
    """``size`` victims and their records in the first ``lists`` of :data:`LISTS`; ``noise`` is the chance that
    a name is written with a letter or vowel swapped (a fifth of it: a typo; a quarter of it in Persian)."""
    from dadkhah.linkage.gazetteer import gazetteer

    rng = random.Random(f"population:{seed}")
    tables = name_tables()
    people = _people(size, rng, tables)
    gaz = gazetteer()
    pop = Population(people=people)
    specs = LISTS[:lists]
    for spec in specs:
        rows: list[tuple[int, dict]] = []
        for p in people:
            prob = spec.coverage * (0.4 + 1.2 * p.visibility)
            if spec.name == "register" and p.burial is None:
                prob *= 0.2
            if spec.name == "roster" and gaz.get("city", p.city).province not in ("tehran", "gilan", "mazandaran",
                                                                                    "khuzestan", "isfahan"):
                prob *= 0.5
            if rng.random() < min(prob, 0.95):
                rows.append((p.id, _row(spec.name, p, rng, gaz, noise)))
                if rng.random() < duplicates:
                    rows.append((p.id, _row(spec.name, p, rng, gaz, noise)))
        rng.shuffle(rows)
        pop.rows[spec.name] = rows
    return pop
