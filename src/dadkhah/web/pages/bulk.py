"""Bulk edits from a list page: the records ticked on ``/persons`` (or any list) and one change → a page
that says how many records it changes and asks to confirm → the change, and a page saying what was done.
The work is :mod:`dadkhah.web.bulk`'s; this module reads the form and renders."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dadkhah.errors import InputError
from dadkhah.web import bulk, readmodel
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, text, texts
from dadkhah.web.render import PLURAL, page

router = APIRouter()


def change_options(ctx: Ctx, s, kind: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The changes offered on a list page: (group message key, [(change code, label)])."""
    from dadkhah.access import allowed_sensitivities
    from dadkhah.web import workflow
    from dadkhah.web.pages.entities import _vocab_options

    groups = [("bulk.set_sensitivity", [(f"sensitivity:{v}", ctx.t(f"sens.{v}"))
                                        for v in allowed_sensitivities(ctx.principal)])]
    if kind in readmodel.TYPE_FIELD:
        groups.append((f"bulk.set_type.{kind}", [(f"type:{code}", lbl) for code, lbl in
                                                 _vocab_options(ctx, readmodel.TYPE_FIELD[kind][1], s)]))
    groups.append(("bulk.assign", [(f"assign:{u.name}", u.display_name or u.name)
                                   for u in workflow.assignable_users(s, "record")]))
    return groups


def _back(data: dict, kind: str) -> str:
    back = text(data, "back", "") or ""
    plural = PLURAL[kind]
    return back if back.startswith(f"/{plural}") and not back.startswith("//") else f"/{plural}"


def _bulk(ctx: Ctx, kind: str, data: dict):
    ctx.require("edit")
    ids = texts(data, "ids")
    change = text(data, "change", "") or ""
    step = text(data, "step", "") or ""
    back = _back(data, kind)
    try:
        if step == "apply":
            with ctx.write() as s:
                outcome = bulk.apply(s, ctx.principal, kind=kind, ids=ids, change=change)
            return page(ctx, "bulk_result.html", kind=kind, outcome=outcome, change=_describe(ctx, kind, outcome),
                        back=back, type_vocab=_vocab(kind), named=_named(outcome))
        with ctx.read() as s:
            outcome = bulk.plan(s, ctx.principal, kind=kind, ids=ids, change=change)
    except InputError as exc:
        return page(ctx, "bulk_confirm.html", status_code=422, kind=kind, outcome=None, error=exc.field or "_form",
                    back=back, change=None, type_vocab=_vocab(kind))
    return page(ctx, "bulk_confirm.html", kind=kind, outcome=outcome, change=_describe(ctx, kind, outcome),
                back=back, error=None, type_vocab=_vocab(kind), named=_named(outcome))


def _named(outcome: bulk.BulkOutcome) -> list[dict]:
    """The records of an outcome as plain references, so :func:`page` names them in the reader's script."""
    return outcome.changed + outcome.unchanged + [r for r, _ in outcome.refused]


def _vocab(kind: str) -> str | None:
    return readmodel.TYPE_FIELD.get(kind, (None, None))[1]


def _describe(ctx: Ctx, kind: str, outcome: bulk.BulkOutcome) -> dict:
    """The change in words: what it sets and the new value in the reader's language."""
    from dadkhah.model.vocab import label

    c = outcome.change
    if c.action == "sensitivity":
        value = ctx.t(f"sens.{c.value}")
    elif c.action == "type":
        with ctx.read() as s:
            value = label(readmodel.TYPE_FIELD[kind][1], c.value, ctx.lang, s)
    else:
        value = c.value
    return {"action": c.action, "value": value, "code": c.code}


def _register(kind: str) -> None:
    @router.post(f"/{PLURAL[kind]}/bulk", name=f"{kind}_bulk")
    def bulk_edit(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
        return _bulk(ctx, kind, data)


for _kind in readmodel.PAGE_KINDS:
    _register(_kind)
