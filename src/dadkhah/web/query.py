"""A query builder over facets: conditions (field, operator, value), all of which a record must meet, each
value list meaning "any of" — e.g. people who were victims, of an execution, at Evin prison, between two
Jalali dates. A query is carried in the address (``c0f=role&c0o=any&c0v=victim&c1f=place&c1o=any&c1v=Evin…``)
so it can be shared; it runs with the reader's principal, so a reader sees only what their level allows.

:func:`parse` checks every field, operator and value and raises :class:`QueryError` naming the condition
and what is wrong (with a message key, so pages say it in the reader's language). :func:`run` answers a
parsed query. Conditions about events (role, event type, place, event date) for people apply to **one and
the same** participation: "victim" + "execution" + "Evin" finds people who were victims of an execution at
Evin, not a victim of one thing and present at another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, allowed_sensitivities, visible
from dadkhah.errors import InputError
from dadkhah.model import Event, Membership, NameForm, Participation, Person, Place
from dadkhah.model.base import SENSITIVITY_VALUES

# field → (value type, vocabulary or choices, what it applies to); per kind of record
TEXT, CHOICE, VOCAB, PLACE, ORG, DATE = "text", "choice", "vocab", "place", "organization", "date"
FIELDS: dict[str, dict[str, tuple[str, str | tuple[str, ...] | None]]] = {
    "person": {"name": (TEXT, None), "gender": (CHOICE, ("male", "female", "other")), "birth": (DATE, None),
               "death": (DATE, None), "sensitivity": (CHOICE, SENSITIVITY_VALUES),
               "role": (VOCAB, "participation_role"), "event_type": (VOCAB, "event_type"), "place": (PLACE, None),
               "event_date": (DATE, None), "organization": (ORG, None)},
    "event": {"name": (TEXT, None), "event_type": (VOCAB, "event_type"), "place": (PLACE, None),
              "date": (DATE, None), "sensitivity": (CHOICE, SENSITIVITY_VALUES)},
}
OPERATORS = {TEXT: ("contains",), CHOICE: ("any", "none"), VOCAB: ("any", "none"), PLACE: ("any", "none"),
             ORG: ("any", "none"), DATE: ("between", "before", "after")}
EVENT_FIELDS = {"role", "event_type", "place", "event_date"}  # a person's: met by one participation together
MAX_CONDITIONS = 12
MAX_VALUES = 20
_SPLIT = re.compile(r"\s*[,،|]\s*")


class QueryError(InputError):
    """A bad condition: ``key`` is the message key, ``values`` fill it (``n`` is the condition's number)."""

    def __init__(self, message: str, key: str, **values):
        super().__init__(message, field=values.get("field"))
        self.key, self.values = key, values


@dataclass
class Condition:
    field: str
    op: str
    values: list[str]            # as written
    resolved: list = field(default_factory=list)  # codes, ids, or dates (FuzzyDate)

    def params(self, i: int) -> dict[str, str]:
        out = {f"c{i}f": self.field, f"c{i}o": self.op}
        if self.op == "between":
            out[f"c{i}v"], out[f"c{i}w"] = self.values[0], self.values[1]
        else:
            out[f"c{i}v"] = ", ".join(self.values)
        return out


@dataclass
class Query:
    kind: str
    conditions: list[Condition]

    def params(self) -> dict[str, str]:
        out = {"kind": self.kind}
        for i, c in enumerate(self.conditions):
            out.update(c.params(i))
        return out


def raw_conditions(params) -> list[tuple[int, str, str, str, str]]:
    """(number, field, operator, value, second value) of each condition in a query string, in order;
    rows left empty are skipped."""
    rows = []
    for i in range(MAX_CONDITIONS * 4):
        f = (params.get(f"c{i}f") or "").strip()
        o = (params.get(f"c{i}o") or "").strip()
        v = (params.get(f"c{i}v") or "").replace("\x00", "").strip()[:500]
        w = (params.get(f"c{i}w") or "").replace("\x00", "").strip()[:100]
        if f or v or w:
            rows.append((i, f, o, v, w))
    return rows


def parse(s: Session, kind: str, params, principal: Principal) -> Query:
    """Check and resolve the conditions in ``params`` (a mapping such as the query string)."""
    rows = []
    for _, f, o, v, w in raw_conditions(params):
        vtype = FIELDS.get(kind, {}).get(f, (None, None))[0]
        if (o or (OPERATORS[vtype][0] if vtype else "")) == "between":
            values = [v, w]
        elif vtype == TEXT:
            values = [v] if v else []
        else:
            values = [x for x in _SPLIT.split(v) if x]
        rows.append((f, o, values))
    return check(s, kind, rows, principal)


def check(s: Session, kind: str, rows: list[tuple[str, str, list[str]]], principal: Principal) -> Query:
    """Check and resolve conditions given as (field, operator, values): ``values`` are "any of", or for
    "between" the two dates. Raises :class:`QueryError` naming the first bad condition (counted from 1)."""
    if kind not in FIELDS:
        raise QueryError(f"no query over {kind!r} (use one of {', '.join(FIELDS)})", "query.error.kind", kind=kind)
    if len(rows) > MAX_CONDITIONS:
        raise QueryError(f"at most {MAX_CONDITIONS} conditions", "query.error.too_many", max=MAX_CONDITIONS)
    out = []
    for n, (f, o, values) in enumerate(rows, start=1):
        fields = FIELDS[kind]
        if f not in fields:
            raise QueryError(f"condition {n}: no field {f!r} for a {kind}", "query.error.field", n=n, field=f)
        vtype, vocab = fields[f]
        o = o or OPERATORS[vtype][0]
        if o not in OPERATORS[vtype]:
            raise QueryError(f"condition {n}: the field {f!r} has no operator {o!r} (use "
                             f"{', '.join(OPERATORS[vtype])})", "query.error.op", n=n, field=f, op=o)
        values = [v.strip() for v in values]
        if o == "between":
            if len(values) != 2 or not all(values):
                raise QueryError(f"condition {n}: 'between' needs two dates", "query.error.two_dates", n=n, field=f)
        else:
            values = [v for v in values if v]
            if not values:
                raise QueryError(f"condition {n}: no value for {f!r}", "query.error.empty", n=n, field=f)
            if len(values) > MAX_VALUES:
                raise QueryError(f"condition {n}: at most {MAX_VALUES} values", "query.error.too_many_values",
                                 n=n, field=f, max=MAX_VALUES)
        cond = Condition(f, o, values)
        cond.resolved = _resolve(s, n, f, vtype, vocab, values, principal)
        out.append(cond)
    return Query(kind, out)


def _resolve(s: Session, n: int, f: str, vtype: str, vocab, values: list[str], principal: Principal) -> list:
    if vtype == TEXT:
        return values
    if vtype == CHOICE:
        return [_choice(n, f, vocab, v) for v in values]
    if vtype == VOCAB:
        return [_term(s, n, f, vocab, v) for v in values]
    if vtype == DATE:
        return [_date(n, f, v) for v in values]
    return [i for v in values for i in _named(s, n, f, Place if vtype == PLACE else None, v, principal)]


def _fold(text: str) -> str:
    from dadkhah.names.normalize import normalize

    return normalize(text).casefold().strip()


def _term(s: Session, n: int, f: str, vocab: str, value: str) -> str:
    """A vocabulary term by its code or its label in either language."""
    from dadkhah.model.vocab import vocabulary

    terms = vocabulary(vocab, s)
    if value in terms:
        return value
    want = _fold(value)
    for code, entry in terms.items():
        if want in {_fold(str(entry.get(lang) or "")) for lang in ("en", "fa")} | {_fold(code)}:
            return code
    raise QueryError(f"condition {n}: {value!r} is not a term of {vocab!r}", "query.error.value", n=n, field=f,
                     value=value)


CHOICE_MESSAGES = {"gender": "gender", "sensitivity": "sens"}  # message keys that name a choice's values


def choice_label(f: str, value: str, lang: str) -> str:
    from dadkhah.web.i18n import translate

    return translate(f"{CHOICE_MESSAGES[f]}.{value}", lang)


def _choice(n: int, f: str, choices, value: str) -> str:
    """A fixed choice (gender, sensitivity) by its code or its name in either language."""
    want = _fold(value)
    for code in choices:
        if want in {_fold(code), _fold(choice_label(f, code, "en")), _fold(choice_label(f, code, "fa"))}:
            return code
    raise QueryError(f"condition {n}: {value!r} is not a value of {f!r}", "query.error.value", n=n, field=f,
                     value=value)


def _date(n: int, f: str, value: str):
    from dadkhah.dates import DateParseError, parse_date

    try:
        d = parse_date(value)
    except DateParseError:
        raise QueryError(f"condition {n}: {value!r} is not a date", "query.error.date", n=n, field=f,
                         value=value) from None
    if d.low is None or d.high is None:
        raise QueryError(f"condition {n}: {value!r} is not a date", "query.error.date", n=n, field=f, value=value)
    return d


def _named(s: Session, n: int, f: str, cls, value: str, principal: Principal) -> list[str]:
    """Places (with the places inside them) or organisations the principal may see, by id or by a name in any
    script containing ``value``."""
    from dadkhah.model import Organization
    from dadkhah.names.normalize import normalize

    model = cls or Organization
    allowed = list(allowed_sensitivities(principal))
    ids = set(s.scalars(visible(select(model.id), model, principal).where(model.id == value)))
    if not ids:
        needle = f"%{normalize(value)}%"
        named = select(NameForm.entity_id).where(NameForm.normalized.like(needle), NameForm.sensitivity.in_(allowed))
        ids = set(s.scalars(visible(select(model.id), model, principal).where(model.id.in_(named))))
    if not ids:
        raise QueryError(f"condition {n}: no {'place' if cls else 'organisation'} named {value!r}",
                         "query.error.place" if cls else "query.error.organization", n=n, field=f, value=value)
    if cls is Place:  # the places inside: an event at Evin happened in Tehran
        children: dict[str, list[str]] = {}
        for pid, parent in s.execute(visible(select(Place.id, Place.parent_id), Place, principal)):
            children.setdefault(parent, []).append(pid)
        todo = list(ids)
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in ids:
                    ids.add(child)
                    todo.append(child)
    return sorted(ids)


def _ids(stmt):
    return select(stmt.subquery().c.id)


def _date_clause(low_col, high_col, c: Condition):
    if c.op == "between":
        return (low_col >= c.resolved[0].low) & (high_col <= c.resolved[1].high)
    if c.op == "before":
        return high_col < c.resolved[0].low
    return low_col > c.resolved[0].high


def _where(stmt, cls, c: Condition, principal: Principal):
    """``stmt`` (a select over ``cls``) restricted by one condition on ``cls``'s own columns."""
    from dadkhah.names.normalize import normalize

    if c.field == "name":
        needle = f"%{normalize(c.values[0])}%"
        named = select(NameForm.entity_id).where(NameForm.normalized.like(needle),
                                                 NameForm.sensitivity.in_(list(allowed_sensitivities(principal))))
        from sqlalchemy import func

        return stmt.where(cls.id.in_(named) | func.lower(cls.label).like(f"%{c.values[0].lower()}%"))
    column = {"gender": "gender", "sensitivity": "sensitivity", "event_type": "event_type", "place": "place_id"}
    if c.field in column:
        col = getattr(cls, column[c.field])
        clause = col.in_(c.resolved)
        return stmt.where(clause if c.op == "any" else (~clause | col.is_(None)))
    prefix = {"birth": "birth", "death": "death", "date": "date", "event_date": "date"}[c.field]
    return stmt.where(_date_clause(getattr(cls, f"{prefix}_low"), getattr(cls, f"{prefix}_high"), c))


def statement(q: Query, principal: Principal):
    """A select of the ids of the matching records the principal may see."""
    if q.kind == "event":
        stmt = visible(select(Event.id), Event, principal)
        for c in q.conditions:
            stmt = _where(stmt, Event, c, principal)
        return stmt
    stmt = visible(select(Person.id), Person, principal)
    event_conds = [c for c in q.conditions if c.field in EVENT_FIELDS]
    for c in q.conditions:
        if c.field in EVENT_FIELDS:
            continue
        if c.field == "organization":
            members = visible(select(Membership.member_id), Membership, principal).where(
                Membership.organization_id.in_(c.resolved))
            clause = Person.id.in_(members)
            stmt = stmt.where(clause if c.op == "any" else ~clause)
        else:
            stmt = _where(stmt, Person, c, principal)
    if event_conds:
        events = visible(select(Event.id), Event, principal)
        for c in event_conds:
            if c.field != "role":
                events = _where(events, Event, c, principal)
        parts = visible(select(Participation.participant_id), Participation, principal).where(
            Participation.event_id.in_(_ids(events)))
        for c in event_conds:
            if c.field == "role":
                clause = Participation.role.in_(c.resolved)
                parts = parts.where(clause if c.op == "any" else ~clause)
        stmt = stmt.where(Person.id.in_(select(parts.subquery().c.participant_id)))
    return stmt


def run(s: Session, q: Query, principal: Principal, *, lang: str, offset: int = 0, limit: int = 50) -> dict:
    """One page of the records matching ``q`` that the principal may see, named and ordered in the reader's
    script: {"items", "total"}."""
    from dadkhah.model import KIND_CLASSES
    from dadkhah.web import readmodel

    cls = KIND_CLASSES[q.kind]
    ids = _ids(statement(q, principal))
    pairs = list(s.execute(select(cls.id, cls.label).where(cls.id.in_(ids))))
    names = readmodel.reader_labels(s, [i for i, _ in pairs], principal, lang)
    ordered = sorted(pairs, key=lambda r: (readmodel.sort_key(names.get(r[0], r[1])), r[0]))
    wanted = [i for i, _ in ordered[max(offset, 0):max(offset, 0) + limit]]
    by_id = {e.id: e for e in s.scalars(visible(select(cls), cls, principal).where(cls.id.in_(wanted)))}
    items = [readmodel.summary(by_id[i]) for i in wanted if i in by_id]
    places = readmodel.refs(s, [i.get("place_id") for i in items], principal)
    for i in items:
        if i.get("place_id"):
            i["place"] = places.get(i["place_id"])
    return {"items": items, "total": len(pairs)}


def answer(q: Query, result: dict) -> dict:
    """A query and its result as one document (the API's and ``dadkhah query --json``'s): the kind, the
    conditions as understood, ``share`` (the page's address of the query), ``total`` and ``items``."""
    from urllib.parse import urlencode

    return {"kind": q.kind, "conditions": [{"field": c.field, "op": c.op, "values": c.values} for c in q.conditions],
            "share": "/query?" + urlencode(q.params()), "total": result["total"], "items": result["items"]}
