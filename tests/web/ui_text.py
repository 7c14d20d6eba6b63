"""A detector of interface text a Persian reader should never meet: English words, raw codes, Latin digits,
machine timestamps — and a crawler that walks every page of the app reachable from its menu.

Record data (a name written in Latin letters, a source title in English, an identifier) may stand on a
Persian page, but only inside an element that says so: ``lang="en"`` (or any language other than the page's)
or ``translate="no"``. Everything else on a Persian page must be Persian. The one place that shows codes on
purpose — the vocabulary editor's code and English-label columns — marks its cells ``data-shows-codes``. Raw
vocabulary codes
(``perpetrator_direct``) and machine timestamps are refused everywhere, also inside record data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP = {"script", "style", "noscript", "template", "svg", "textarea", "title"}  # title repeats the h1
SHOWN_ATTRS = ("title", "placeholder", "aria-label", "alt")

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
LATIN_DIGIT = re.compile(r"[0-9]")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?|\d{2}:\d{2}:\d{2}\.\d{3,}")
LONG_DECIMAL = re.compile(r"(?<![\d.])\d{3,}[.٫]\d{1,}(?![\d.])|(?<![\d.])[۰-۹]{3,}[٫.][۰-۹]+")


@dataclass
class Finding:
    path: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}: {self.text!r}"


@dataclass
class _Node:
    tag: str
    lang: str | None
    record: bool
    shows_codes: bool = False


class _Walker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[_Node] = []
        self.page_lang = "en"
        self.skip = 0
        self.texts: list[tuple[str, bool, str]] = []  # (text, inside record data, where)
        self.links: list[str] = []

    def _record(self) -> bool:
        return bool(self.stack) and self.stack[-1].record

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.page_lang = a.get("lang") or "en"
        if tag in SKIP:
            self.skip += tag not in VOID
            return
        if tag not in VOID and "data-shows-codes" in a:
            self.skip += 1
            self.stack.append(_Node(tag, self.page_lang, True, True))
            return
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        parent_lang = self.stack[-1].lang if self.stack else self.page_lang
        lang = a.get("lang") or parent_lang
        record = self._record() or a.get("translate") == "no" or lang.split("-")[0] != self.page_lang
        if not self.skip:
            for name in SHOWN_ATTRS:
                if a.get(name):
                    self.texts.append((a[name], record, f"<{tag} {name}>"))
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.texts.append((a["value"], record, "<input value>"))
        if tag not in VOID:
            self.stack.append(_Node(tag, lang, record, "data-shows-codes" in a))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and tag not in SKIP and self.stack and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in SKIP or (self.stack and self.stack[-1].tag == tag and self.stack[-1].shows_codes):
            self.skip = max(0, self.skip - 1)
            if tag not in SKIP:
                self.stack.pop()
            return
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.skip or not data.strip():
            return
        where = self.stack[-1].tag if self.stack else "?"
        self.texts.append((data.strip(), self._record(), where))


def parse(html: str) -> _Walker:
    w = _Walker()
    w.feed(html)
    w.close()
    return w


def findings(path: str, html: str, *, codes: set[str] = frozenset(), english: set[str] = frozenset()) -> list[Finding]:
    """What is wrong on one page. ``codes``: raw vocabulary codes that must never show; ``english``: the
    English interface strings (refused on a Persian page, even inside record data)."""
    w = parse(html)
    out: list[Finding] = []
    persian = w.page_lang == "fa"
    for text, record, where in w.texts:
        if TIMESTAMP.search(text):
            out.append(Finding(path, f"timestamp in <{where}>", text))
        for token in SNAKE.findall(text):
            if not record or token in codes:
                out.append(Finding(path, f"code in <{where}>", token))
        if LONG_DECIMAL.search(text) and not record:
            out.append(Finding(path, f"unrounded number in <{where}>", text))
        if not persian:
            continue
        if english and text in english and (not record or len(text.split()) >= 3):
            out.append(Finding(path, f"English interface text in <{where}>", text))
            continue
        if record:
            continue
        if LATIN_WORD.search(text):
            out.append(Finding(path, f"Latin words in <{where}>", text))
        elif LATIN_DIGIT.search(text):
            out.append(Finding(path, f"Latin digits in <{where}>", text))
    return out


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # path → html
    statuses: dict[str, int] = field(default_factory=dict)


def _pattern(path: str) -> str:
    """The kind of a page: its address with record ids replaced, so the walk visits a few of each kind."""
    parts = urlsplit(path)
    p = re.sub(r"/[a-z]+-[0-9a-z]{6,}", "/ID", parts.path)
    p = re.sub(r"/\d+", "/N", p)
    return p + ("?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else "")


def crawl(client, start: list[str], *, lang: str, per_kind: int = 3, limit: int = 400,
          skip: tuple[str, ...] = ("/logout", "/api", "/static")) -> Crawl:
    """Follow every link inside the app from ``start``, at most ``per_kind`` pages of each kind of address."""
    out = Crawl()
    seen_kinds: dict[str, int] = {}
    queue = list(start)
    while queue and len(out.pages) < limit:
        path = queue.pop(0)
        if path in out.pages or path in out.statuses:
            continue
        kind = _pattern(path)
        if seen_kinds.get(kind, 0) >= per_kind:
            continue
        seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
        sep = "&" if "?" in path else "?"
        r = client.get(f"{path}{sep}lang={lang}" if "lang=" not in path else path)
        out.statuses[path] = r.status_code
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        out.pages[path] = r.text
        for href in parse(r.text).links:
            target = urljoin(path, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if any(parts.path.startswith(s) for s in skip):
                continue
            query = re.sub(r"(^|&)(lang|cal)=[^&]*", "", parts.query).strip("&")
            clean = parts.path + ("?" + query if query else "")
            if clean not in out.pages and clean not in out.statuses:
                queue.append(clean)
    return out
