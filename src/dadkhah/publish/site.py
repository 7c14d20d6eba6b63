"""Write the public memorial: a static, offline-searchable site with one page per cleared victim.

Layout of the output folder::
    index.html               the list of names with a search box
    about.html               what the memorial is and how it is made
    victims/<id>.html        one page per victim: names in both scripts, dates, places, public sources
    assets/memorial.css      the stylesheet, and the Vazirmatn fonts (WOFF2)
    assets/memorial.js       the search
    assets/search-index.js   the search index (a script, not JSON, so it loads from file:// too)

The search index holds, for each victim, the Persian-normalised name tokens and the ASCII
cross-script keys of every name token (:func:`dadkhah.names.token_keys`), computed here in Python.
The query side (``memorial.js``) computes the same keys for what the visitor types — see
:mod:`dadkhah.publish.searchkeys` for how the two are kept in step. Nothing is fetched from a
network; the pages work opened straight from disk.
"""

from __future__ import annotations

import functools
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import jinja2
from sqlalchemy.orm import Session

from dadkhah.dossier import fmt
from dadkhah.errors import InputError
from dadkhah.publish.memorial import MemorialEntry, memorial_entries
from dadkhah.publish.searchkeys import index_terms, js_key_rules

HERE = Path(__file__).parent
FONTS = HERE.parent / "dossier" / "fonts"
DEFAULT_TITLE = "In memory of the victims"
DEFAULT_TITLE_FA = "به یاد جان‌باختگان"


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(fmt.FILTERS)
    env.globals.update(fmt.GLOBALS)
    return env


@dataclass
class PublishResult:
    out: Path
    victims: int
    files: list[Path]

    def to_dict(self) -> dict:
        return {"out": str(self.out), "victims": self.victims, "files": [str(f) for f in self.files]}


def life_dates(e: MemorialEntry) -> str:
    """``b. 1960 · d. 1367/05`` (short, in the calendar each date was written in) for a result line."""
    parts = []
    for prefix, value in (("b.", e.birth), ("d.", e.death)):
        if value is not None:
            calendar = value.calendar if value.calendar in ("jalali", "gregorian") else "gregorian"
            parts.append(f"{prefix} {fmt.show_date(value, calendar)}")
    return " · ".join(parts)


def search_index(entries: list[MemorialEntry]) -> dict:
    """The data ``memorial.js`` searches: one row per victim, with names, dates, places, tokens and keys."""
    rows = []
    for e in entries:
        names = [*e.latin, *e.persian]
        tokens, keys = index_terms(names)
        rows.append({
            "u": f"victims/{e.slug}.html", "n": e.main, "f": e.main_fa if e.latin else None,
            "d": life_dates(e),
            "p": " · ".join(e.places[:3]), "t": tokens, "k": keys,
        })
    return {"entries": rows, "rules": js_key_rules()}


def _write(path: Path, text: str, files: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    files.append(path)


def build_site(session: Session, out: str | Path, *, title: str = DEFAULT_TITLE, title_fa: str = DEFAULT_TITLE_FA,
               clean: bool = True) -> PublishResult:
    """Write the memorial for the cleared victims into ``out`` (emptied first when ``clean``)."""
    from dadkhah.access import audience
    from dadkhah.access.screen import read_as

    read_as(session, audience("public"))  # protected witnesses' names read as their pseudonyms
    out = Path(out)
    if clean and out.exists():
        marker = out / ".dadkhah-memorial"
        if any(out.iterdir()) and not marker.exists():
            raise InputError(f"{out} is not empty and is not a memorial written by dadkhah: choose an empty or "
                             "new folder", field="out")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / ".dadkhah-memorial").write_text("written by dadkhah publish\n", encoding="utf-8")
    entries = memorial_entries(session)
    env = environment()
    files: list[Path] = []
    common = {"title": title, "title_fa": title_fa, "count": len(entries)}
    _write(out / "index.html", env.get_template("index.html").render(entries=entries, root="", **common), files)
    _write(out / "about.html", env.get_template("about.html").render(root="", **common), files)
    page = env.get_template("victim.html")
    for e in entries:
        _write(out / "victims" / f"{e.slug}.html", page.render(e=e, root="../", **common), files)
    assets = out / "assets"
    assets.mkdir(exist_ok=True)
    for name in ("memorial.css", "memorial.js"):
        shutil.copyfile(HERE / "static" / name, assets / name)
        files.append(assets / name)
    for font in ("Vazirmatn-Regular.woff2", "Vazirmatn-Bold.woff2", "OFL.txt"):
        shutil.copyfile(FONTS / font, assets / font)
        files.append(assets / font)
    index = json.dumps(search_index(entries), ensure_ascii=False, separators=(",", ":"))
    _write(assets / "search-index.js", f"window.MEMORIAL_INDEX = {index};\n", files)
    return PublishResult(out=out, victims=len(entries), files=files)
