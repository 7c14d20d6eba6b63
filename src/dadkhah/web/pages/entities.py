"""Pages for persons, organisations, places, events and sources: lists, one record with every claim and
its sources and grades, and the create and edit forms."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from dadkhah.access import visible
from dadkhah.errors import InputError, NotFound
from dadkhah.linkage.victims import list_entries
from dadkhah.model import KIND_CLASSES
from dadkhah.web import readmodel
from dadkhah.web.context import Ctx, get_ctx
from dadkhah.web.pages.forms import form_data, number, text, texts
from dadkhah.web.render import PLURAL, page

router = APIRouter()

KINDS = readmodel.PAGE_KINDS
PAGE_SIZE = 50
GENDERS = ("male", "female", "other")

# Fields of each form: (name, widget, option source). Widgets: text, textarea, date, vocab:<name>,
# ref:<kind>, grade, number, select.
FORM_FIELDS: dict[str, list[tuple[str, str]]] = {
    "person": [("gender", "gender"), ("birth", "date"), ("death", "date"), ("father_name", "text"),
               ("nationality", "text"), ("description", "textarea")],
    "organization": [("org_type", "vocab:organization_type"), ("parent_id", "ref:organization"),
                     ("place_id", "ref:place"), ("description", "textarea")],
    "place": [("place_type", "vocab:place_type"), ("parent_id", "ref:place"), ("country", "text"),
              ("latitude", "number"), ("longitude", "number"), ("description", "textarea")],
    "event": [("label", "text"), ("event_type", "vocab:event_type"), ("date", "date"), ("place_id", "ref:place"),
              ("parent_id", "ref:event"), ("description", "textarea")],
    "source": [("title", "text"), ("source_type", "vocab:source_type"), ("author", "text"), ("publisher", "text"),
               ("date", "date"), ("language", "text"), ("locator", "text"), ("reliability", "reliability"),
               ("credibility", "credibility"), ("origin", "text"), ("description", "textarea")],
}
REQUIRED = {"org_type", "place_type", "event_type", "source_type", "label", "title"}
HAS_NAMES = {"person", "organization", "place"}


def _kind_for(plural: str) -> str:
    for kind in KINDS:
        if PLURAL[kind] == plural:
            return kind
    raise NotFound(f"no such page {plural!r}")


@router.get("/entity/{entity_id}")
def entity_redirect(entity_id: str, ctx: Ctx = Depends(get_ctx)):
    """Any entity's page, by id (used for links whose kind is not known in advance)."""
    with ctx.read() as s:
        e = readmodel.visible_entity(s, entity_id, ctx.principal)
        if e is None:
            raise NotFound(f"no record with id {entity_id!r}")
        kind = e.kind
    if kind in KINDS:
        return RedirectResponse(f"/{PLURAL[kind]}/{entity_id}", status_code=307)
    with ctx.read() as s:
        e = readmodel.visible_entity(s, entity_id, ctx.principal)
        view = readmodel.entity_view(s, e, ctx.principal)
    return page(ctx, "entity.html", kind=kind, e=view)


def _options(ctx: Ctx, s, kind: str) -> list[tuple[str, str]]:
    cls = KIND_CLASSES[kind]
    from sqlalchemy import select

    rows = list(s.execute(visible(select(cls.id, cls.label), cls, ctx.principal).order_by(cls.label).limit(2000)))
    labels = readmodel.reader_labels(s, [r.id for r in rows], ctx.principal, ctx.lang)
    out = [(r.id, labels.get(r.id, r.label)) for r in rows]
    return sorted(out, key=lambda o: readmodel.sort_key(o[1]))


def _vocab_options(ctx: Ctx, name: str, s) -> list[tuple[str, str]]:
    from dadkhah.model.vocab import vocabulary

    return [(term, entry.get(ctx.lang) or entry.get("en") or term)
            for term, entry in vocabulary(name, s).items()]


def _form_page(ctx: Ctx, kind: str, *, values: dict, names: list[dict], entity_id: str | None = None,
               errors: dict | None = None, status: int = 200):
    with ctx.read() as s:
        options = {}
        for field, widget in FORM_FIELDS[kind]:
            if widget.startswith("ref:"):
                options[field] = [(i, lbl) for i, lbl in _options(ctx, s, widget[4:]) if i != entity_id]
            elif widget.startswith("vocab:"):
                options[field] = _vocab_options(ctx, widget[6:], s)
        name_kinds = _vocab_options(ctx, "name_kind", s)
    return page(ctx, "entity_form.html", status_code=status, kind=kind, values=values, names=names,
                entity_id=entity_id, errors=errors or {}, fields=FORM_FIELDS[kind], options=options,
                name_kinds=name_kinds, has_names=kind in HAS_NAMES, required=REQUIRED, genders=GENDERS)


def _read_fields(kind: str, data: dict, errors: dict) -> dict:
    values: dict = {}
    for field, widget in FORM_FIELDS[kind]:
        if widget == "number":
            values[field] = number(data, field, errors)
        elif widget == "credibility":
            values[field] = number(data, field, errors, integer=True)
        else:
            values[field] = text(data, field)
        if field in REQUIRED and values[field] in (None, ""):
            errors[field] = "required"
    values["sensitivity"] = text(data, "sensitivity", "public")
    return values


def _read_names(data: dict) -> list[dict]:
    texts_ = data.get("name_text[]", [])
    kinds = data.get("name_kind[]", [])
    levels = data.get("name_sensitivity[]", [])
    out = []
    for i, value in enumerate(texts_ if isinstance(texts_, list) else [texts_]):
        if not isinstance(value, str) or not value.strip():
            continue
        out.append({"text": value.strip().replace("\x00", ""),
                    "kind": (kinds[i] if i < len(kinds) else "full") or "full",
                    "sensitivity": (levels[i] if i < len(levels) else "") or None})
    return out


def _errors_from(exc: InputError) -> dict:
    return {(exc.field or "_form").split(".")[0]: exc.message}


# --- list and detail ----------------------------------------------------------------------------------

def _list(ctx: Ctx, kind: str, offset: int, sort: str, q: str = "", type_: str = "", sensitivity: str = ""):
    q = q.replace("\x00", "")[:200]
    with ctx.read() as s:
        result = readmodel.filtered_list(s, kind, ctx.principal, lang=ctx.lang, q=q, type_=type_,
                                         sensitivity=sensitivity, sort=sort, offset=offset, limit=PAGE_SIZE)
        changes = None
        if ctx.may("edit"):
            from dadkhah.web.pages.bulk import change_options

            changes = change_options(ctx, s, kind)
    filters = {"q": q, "type": type_, "sensitivity": sensitivity, "sort": sort}
    return page(ctx, "entity_list.html", kind=kind, items=result["items"], total=result["total"], offset=offset,
                limit=PAGE_SIZE, sort=sort, facets=result["facets"], filters=filters,
                type_vocab=readmodel.TYPE_FIELD.get(kind, (None, None))[1], bulk_changes=changes,
                here=ctx.request.url.path + ("?" + ctx.request.url.query if ctx.request.url.query else ""))


def _detail(ctx: Ctx, kind: str, entity_id: str):
    from dadkhah.web import peers, vaultview

    with ctx.read() as s:
        e = readmodel.visible_entity(s, entity_id, ctx.principal, kind=kind)
        if e is None:
            raise NotFound(f"no {kind} with id {entity_id!r}")
        view = readmodel.entity_view(s, e, ctx.principal)
        linked = peers.linked_to_entity(s, entity_id, ctx.principal)
        protection = vaultview.protection(s, entity_id, ctx.principal) if kind == "person" else None
        on_lists = list_entries(s, e, ctx.principal) if kind == "person" else []
    return page(ctx, "entity.html", kind=kind, e=view, linked=linked, protection=protection,
                testimony_available=vaultview.testimony_available(), on_lists=on_lists)


def _new_form(ctx: Ctx, kind: str):
    ctx.require("edit")
    return _form_page(ctx, kind, values={"sensitivity": "public"}, names=[])


def _create(ctx: Ctx, kind: str, data: dict):
    from dadkhah import records

    ctx.require("edit")
    errors: dict = {}
    values = _read_fields(kind, data, errors)
    names = _read_names(data)
    if kind in HAS_NAMES and not names:
        errors["names"] = "required"
    if errors:
        return _form_page(ctx, kind, values=values, names=names, errors=errors, status=422)
    adders = {"person": records.add_person, "organization": records.add_organization, "place": records.add_place,
              "event": records.add_event, "source": records.add_source}
    args = {k: v for k, v in values.items() if v not in (None, "")}
    if kind in HAS_NAMES:
        args["names"] = names
    try:
        with ctx.write() as s:
            created = adders[kind](s, **args)
            new_id = created.id
    except InputError as exc:
        return _form_page(ctx, kind, values=values, names=names, errors=_errors_from(exc), status=422)
    return RedirectResponse(f"/{PLURAL[kind]}/{new_id}", status_code=303)


def _edit_form(ctx: Ctx, kind: str, entity_id: str):
    ctx.require("edit")
    with ctx.read() as s:
        e = readmodel.visible_entity(s, entity_id, ctx.principal, kind=kind)
        if e is None:
            raise NotFound(f"no {kind} with id {entity_id!r}")
        values = {field: _current(e, field) for field, _ in FORM_FIELDS[kind]}
        values["sensitivity"] = e.sensitivity
        names = [{"id": n.id, "text": n.text, "kind": n.kind, "sensitivity": n.sensitivity, "script": n.script}
                 for n in e.names]
    return _form_page(ctx, kind, values=values, names=names, entity_id=entity_id)


def _current(e, field: str):
    value = getattr(e, field, None)
    if field in ("birth", "death", "date"):
        return value.text if value is not None else ""
    return value


def _update(ctx: Ctx, kind: str, entity_id: str, data: dict):
    from dadkhah.records import add_name
    from dadkhah.web.editing import remove_names, update_entity

    ctx.require("edit")
    errors: dict = {}
    values = _read_fields(kind, data, errors)
    new_names = _read_names(data)
    removed = []
    for raw in texts(data, "remove_name[]"):
        try:
            removed.append(int(raw))
        except ValueError:
            errors["names"] = "bad name id"
    try:
        with ctx.write() as s:
            e = readmodel.visible_entity(s, entity_id, ctx.principal, kind=kind)
            if e is None:
                raise NotFound(f"no {kind} with id {entity_id!r}")
            if errors:
                raise InputError("see the marked fields")
            for n in new_names:
                add_name(s, e, n["text"], kind=n["kind"], sensitivity=n["sensitivity"])
            if removed:
                remove_names(s, e, removed)
            update_entity(s, e, values)
    except InputError as exc:
        with ctx.read() as s:
            e = readmodel.visible_entity(s, entity_id, ctx.principal, kind=kind)
            names = [{"id": n.id, "text": n.text, "kind": n.kind, "sensitivity": n.sensitivity} for n in e.names]
        return _form_page(ctx, kind, values=values, names=names + new_names, entity_id=entity_id,
                          errors=errors or _errors_from(exc), status=422)
    return RedirectResponse(f"/{PLURAL[kind]}/{entity_id}", status_code=303)


def _register(kind: str) -> None:
    plural = PLURAL[kind]

    @router.get(f"/{plural}", name=f"{kind}_list")
    def list_(ctx: Ctx = Depends(get_ctx), offset: int = 0, sort: str = "label", q: str = "", type: str = "",
              sensitivity: str = ""):
        return _list(ctx, kind, max(offset, 0), sort, q, type, sensitivity)

    @router.get(f"/{plural}/new", name=f"{kind}_new")
    def new(ctx: Ctx = Depends(get_ctx)):
        return _new_form(ctx, kind)

    @router.post(f"/{plural}/new", name=f"{kind}_create")
    def create(ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
        return _create(ctx, kind, data)

    @router.get(f"/{plural}/{{entity_id}}", name=f"{kind}_page")
    def detail(entity_id: str, ctx: Ctx = Depends(get_ctx)):
        return _detail(ctx, kind, entity_id)

    @router.get(f"/{plural}/{{entity_id}}/edit", name=f"{kind}_edit")
    def edit(entity_id: str, ctx: Ctx = Depends(get_ctx)):
        return _edit_form(ctx, kind, entity_id)

    @router.post(f"/{plural}/{{entity_id}}/edit", name=f"{kind}_update")
    def update(entity_id: str, ctx: Ctx = Depends(get_ctx), data: dict = Depends(form_data)):
        return _update(ctx, kind, entity_id, data)


for _kind in KINDS:
    _register(_kind)
