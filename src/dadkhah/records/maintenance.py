"""Bring what is derived from names up to date with this version of dadkhah's name rules.

Every name form stores its normalised text and its cross-script key (``dadkhah.names``), and the search
index stores keys of names and words. When the name rules improve (a new spelling variant, a new affix),
records stored before keep the keys of the old rules: a search in the new spelling misses them until
they are keyed again. :func:`refresh_name_keys` does that for a whole case, in one transaction:

    refresh_name_keys(case, step=callback)   # {"names": n, "changed": k, "indexed": m}

Each changed name form is an audited update, like any other; nothing else about a record changes.
Linkage needs nothing of this: it keys list records afresh on every run.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from dadkhah.model import NameForm

Step = Callable[[str, int, int], None]  # (what, done, total)


def refresh_name_keys(case, *, actor: str | None = None, step: Step | None = None) -> dict:
    """Recompute every name form's key and normalised text, then rebuild the search index."""
    from dadkhah.records.service import name_form_keys
    from dadkhah.store.search import rebuild_index

    step = step or (lambda _what, _done, _total: None)
    with case.session(actor=actor) as s:
        total = s.scalar(select(func.count()).select_from(NameForm)) or 0
        changed = 0
        for done, form in enumerate(s.scalars(select(NameForm).order_by(NameForm.id)), 1):
            normalized, key = name_form_keys(form.text, form.kind)
            if (form.normalized or "", form.name_key or "") != (normalized, key):
                form.name_key, form.normalized = key, normalized
                changed += 1
            if done % 500 == 0 or done == total:
                step("name keys", done, total)
        indexed = rebuild_index(s, step=lambda done, n: step("search index", done, n))
    return {"names": total, "changed": changed, "indexed": indexed}
