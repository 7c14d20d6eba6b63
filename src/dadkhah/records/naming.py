"""How an entity is named to a reader: its Latin and Persian forms, as far as the reader may see them.

Every function takes the :class:`~dadkhah.access.Principal` the output is for and reads name forms
only through :func:`dadkhah.access.visible_names`, so a confidential name form never reaches a
public dossier, graph or memorial page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dadkhah.access import Principal, visible_names

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
DISPLAY_KINDS = ("full", "official", "alias", "pseudonym")


def is_persian(text: str | None) -> bool:
    """True when ``text`` is written mainly in the Arabic script (Persian, Arabic, Kurdish…)."""
    if not text:
        return False
    return len(_ARABIC_SCRIPT.findall(text)) > len(_LATIN.findall(text))


def _script(form) -> str:
    return form.script or ("fa" if is_persian(form.text) else "latin")


@dataclass(frozen=True)
class DisplayName:
    """The names shown for one entity: a Latin form and a Persian form (either may be missing)."""

    latin: str | None
    persian: str | None
    fallback: str = ""

    @property
    def main(self) -> str:
        """The name to lead with: Latin when there is one, else Persian, else the label or id."""
        return self.latin or self.persian or self.fallback

    @property
    def both(self) -> str:
        if self.latin and self.persian:
            return f"{self.latin} ({self.persian})"
        return self.main


def display_name(entity, principal: Principal) -> DisplayName:
    """The best Latin and Persian forms of ``entity``'s name that ``principal`` may read.

    When no name form is visible, the entity's label stands in (the records service keeps the
    label no more sensitive than the entity itself).
    """
    forms = [n for n in visible_names(entity, principal) if n.kind in DISPLAY_KINDS]
    forms.sort(key=lambda n: (not n.is_primary, n.kind != "full", n.position))
    latin = next((n.text for n in forms if _script(n) != "fa"), None)
    persian = next((n.text for n in forms if _script(n) == "fa"), None)
    if latin is None and persian is None:
        label = entity.label or ""
        if is_persian(label):
            persian = label
        else:
            latin = label or None
    return DisplayName(latin=latin, persian=persian, fallback=entity.id)


def all_name_forms(entity, principal: Principal) -> list[dict]:
    """Every name form ``principal`` may read, for an identity section: text, kind, script, language."""
    return [
        {"text": n.text, "kind": n.kind, "script": _script(n), "lang": n.lang or ("fa" if _script(n) == "fa" else None),
         "primary": n.is_primary, "sensitivity": n.sensitivity, "source_id": n.source_id}
        for n in visible_names(entity, principal)
    ]
