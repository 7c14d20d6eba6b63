"""A small gazetteer of Iranian provinces, cities, prisons and burial sites (``data/gazetteer.yaml``).

:func:`resolve` reads a place as written in a list — "Evin", "زندان اوین", "Rajai Shahr, Karaj",
"Mashhad Vakilabad", "گوهردشت" — and returns the most specific place it names, with its city and
province. Spellings are compared twice: as normalised text (Persian letter forms, case, punctuation)
and through the core cross-script name key (:func:`dadkhah.names.name_key`), so a Latin spelling the
file does not list still finds the Persian one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

KINDS = ("prison", "burial_site", "city", "province")
DEFAULT_PREFERENCE = ("prison", "burial_site", "city", "province")
ORIGIN_PREFERENCE = ("city", "province", "prison", "burial_site")
# Words that say what kind of place follows but are not part of its name.
GENERIC = {"prison", "jail", "central", "the", "of", "in", "province", "ostan", "city", "town", "cemetery",
           "graveyard", "زندان", "مرکزی", "استان", "شهرستان", "گورستان", "قبرستان", "آرامگاه", "iran", "ایران"}
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "\u200c": "",
                          "\u00a0": " ", "ـ": ""})
_SPLIT = re.compile(r"[,،;؛/()\[\]|]+| - | – ")
_NONWORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Place:
    kind: str
    id: str
    en: str
    fa: str
    city: str | None = None
    province: str | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "en": self.en, "fa": self.fa, "city": self.city,
                "province": self.province}


def normalize_place(text: str) -> str:
    """Lower case, Persian letter forms, zero-width joiners removed (so اوین/Evin-style joins agree)."""
    text = str(text or "").translate(_LETTERS).casefold()
    text = re.sub("[\u064b-\u065f\u0670]", "", text)
    text = _NONWORD.sub(" ", text.replace("-", " "))
    return _SPACE.sub(" ", text).strip()


def _squash(text: str) -> str:
    return text.replace(" ", "")


class Gazetteer:
    def __init__(self, data: dict):
        self.places: dict[tuple[str, str], Place] = {}
        self._text: dict[str, list[Place]] = {}
        self._key: dict[str, list[Place]] = {}
        provinces = {p["id"]: p for p in data.get("provinces", [])}
        cities = {c["id"]: c for c in data.get("cities", [])}
        for p in provinces.values():
            self._add(Place("province", p["id"], p["en"], p["fa"], None, p["id"]), p)
        for c in cities.values():
            if c["province"] not in provinces:
                raise ValueError(f"gazetteer: city {c['id']} names an unknown province {c['province']}")
            self._add(Place("city", c["id"], c["en"], c["fa"], c["id"], c["province"]), c)
        for kind, section in (("prison", "prisons"), ("burial_site", "burial_sites")):
            for e in data.get(section, []):
                city = cities.get(e["city"])
                if city is None:
                    raise ValueError(f"gazetteer: {kind} {e['id']} names an unknown city {e['city']}")
                self._add(Place(kind, e["id"], e["en"], e["fa"], city["id"], city["province"]), e)

    def _add(self, place: Place, entry: dict) -> None:
        self.places[(place.kind, place.id)] = place
        for spelling in [entry["en"], entry["fa"], *(entry.get("variants") or [])]:
            for form in {normalize_place(spelling), _strip_generic(normalize_place(spelling))}:
                if form:
                    self._text.setdefault(_squash(form), []).append(place)
                    key = _key(form)
                    if key:
                        self._key.setdefault(key, []).append(place)

    def get(self, kind: str, id: str) -> Place | None:
        return self.places.get((kind, id))

    def province_of(self, place: Place | None) -> Place | None:
        return self.places.get(("province", place.province)) if place and place.province else None

    def city_of(self, place: Place | None) -> Place | None:
        return self.places.get(("city", place.city)) if place and place.city else None

    def lookup(self, text: str) -> list[Place]:
        """Places whose spelling is exactly ``text`` (after normalisation), or shares its name key."""
        form = normalize_place(text)
        if not form:
            return []
        found = self._text.get(_squash(form))
        if found:
            return found
        key = _key(form)
        return self._key.get(key, []) if key else []

    def resolve(self, text: str | None, prefer: tuple[str, ...] = DEFAULT_PREFERENCE) -> Place | None:
        """The most specific place ``text`` names (by ``prefer``, then the longest matching words)."""
        if not text or not str(text).strip():
            return None
        return _resolve(self, str(text), prefer)


def _strip_generic(form: str) -> str:
    return " ".join(w for w in form.split() if w not in GENERIC)


@functools.lru_cache(maxsize=100_000)
def _key(form: str) -> str:
    try:
        from dadkhah.names import name_key

        return name_key(form) or ""
    except Exception:  # noqa: BLE001 - a place the name rules cannot key is matched by text only
        return ""


def _candidates(text: str) -> list[str]:
    """The whole text, its comma/bracket parts, then runs of words, longest first."""
    out: list[str] = []
    parts = [text, *_SPLIT.split(text)]
    for part in parts:
        form = normalize_place(part)
        for f in (form, _strip_generic(form)):
            if f and f not in out:
                out.append(f)
    words = _strip_generic(normalize_place(text)).split()
    for n in range(min(len(words), 4), 0, -1):
        for i in range(len(words) - n + 1):
            f = " ".join(words[i:i + n])
            if f not in out:
                out.append(f)
    return out


def _resolve(gaz: Gazetteer, text: str, prefer: tuple[str, ...]) -> Place | None:
    best: tuple | None = None
    for order, cand in enumerate(_candidates(text)):
        for place in gaz.lookup(cand):
            rank = prefer.index(place.kind) if place.kind in prefer else len(prefer)
            score = (rank, -len(cand), order)
            if best is None or score < best[0]:
                best = (score, place)
    return best[1] if best else None


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer shipped with dadkhah (loaded once)."""
    text = resources.files("dadkhah.linkage").joinpath("data/gazetteer.yaml").read_text(encoding="utf-8")
    return Gazetteer(yaml.safe_load(text))


@functools.lru_cache(maxsize=200_000)
def resolve(text: str | None, prefer: tuple[str, ...] = DEFAULT_PREFERENCE) -> Place | None:
    """Resolve a place as written against the shipped gazetteer (see :meth:`Gazetteer.resolve`)."""
    return gazetteer().resolve(text, prefer)


def province(text: str | None) -> str | None:
    """The province id of a place as written (a city, prison or burial site gives its province)."""
    place = resolve(text, ORIGIN_PREFERENCE)
    return place.province if place else None
