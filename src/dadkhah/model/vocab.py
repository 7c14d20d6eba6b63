"""Controlled vocabularies: shipped as YAML files beside this module, extensible per case.

>>> from dadkhah.model.vocab import vocabulary
>>> vocabulary("event_type")["execution"]["fa"]
'اعدام'
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

VOCAB_DIR = Path(__file__).parent / "vocab"


class UnknownTerm(ValueError):
    def __init__(self, vocabulary: str, term: str, known: list[str]):
        self.vocabulary, self.term = vocabulary, term
        hint = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
        super().__init__(f"unknown {vocabulary} term {term!r} (known: {hint})")


@functools.cache
def _shipped(name: str) -> dict[str, dict]:
    path = VOCAB_DIR / f"{name}.yaml"
    if not path.exists():
        raise KeyError(f"no vocabulary named {name!r}")
    terms = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {t["id"]: t for t in terms}


def vocabulary_names() -> list[str]:
    return sorted(p.stem for p in VOCAB_DIR.glob("*.yaml"))


def vocabulary(name: str, session=None) -> dict[str, dict]:
    """Terms of a vocabulary, with the case's own additions when a session is given."""
    if session is None:
        return dict(_shipped(name))
    cache = session.info.setdefault("vocab_cache", {})
    if name not in cache:
        from sqlalchemy import select

        from dadkhah.model.vocab_table import VocabTerm

        terms = dict(_shipped(name))
        for row in session.scalars(select(VocabTerm).where(VocabTerm.vocabulary == name)):
            terms[row.term] = {"id": row.term, "en": row.label_en, "fa": row.label_fa, "case": True}
        cache[name] = terms
    return cache[name]


def _forget_cached_terms(session, _ctx) -> None:
    from dadkhah.model.vocab_table import VocabTerm

    if any(isinstance(o, VocabTerm) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop("vocab_cache", None)


def _install_cache_invalidation() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_flush", _forget_cached_terms):
        event.listen(Session, "after_flush", _forget_cached_terms)


_install_cache_invalidation()


def check_term(name: str, term: str, session=None) -> str:
    """Return ``term`` if it belongs to the vocabulary, else raise :class:`UnknownTerm`."""
    terms = vocabulary(name, session)
    if term not in terms:
        raise UnknownTerm(name, term, sorted(terms))
    return term


def label(name: str, term: str, lang: str = "en", session=None) -> str:
    entry = vocabulary(name, session).get(term)
    if not entry:
        return term
    return entry.get(lang) or entry.get("en") or term


def is_functional(predicate: str, session=None) -> bool:
    return bool(vocabulary("claim_predicate", session).get(predicate, {}).get("functional"))
