"""`dadkhah add …` and `dadkhah claim add`: register records from the command line.

Each prints the new record's id (or the record as JSON with ``--json``).
"""

from __future__ import annotations

import typer

from dadkhah.access import operator
from dadkhah.cliutil import emit_json, err, fail, open_case

add_app = typer.Typer(help="Register a person, organisation, place, event or source.", no_args_is_help=True)
claim_app = typer.Typer(help="Record what a source says.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(add_app, name="add")
    app.add_typer(claim_app, name="claim")


def _names(names: list[str], fa: list[str], aliases: list[str]) -> list[dict]:
    out = [{"text": n} for n in names or []]
    out += [{"text": n, "lang": "fa"} for n in fa or []]
    out += [{"text": n, "kind": "alias"} for n in aliases or []]
    return out


def _run(ctx: typer.Context, fn, json_: bool, **kwargs) -> None:
    from dadkhah.errors import InputError
    from dadkhah.records.service import entity_to_dict

    case = open_case(ctx)
    try:
        with case.session() as s:
            obj = fn(s, **{k: v for k, v in kwargs.items() if v is not None})
            data = entity_to_dict(s, obj, s.info["principal"], with_claims=False)
    except InputError as exc:
        fail(f"{exc} — nothing was written")
    if json_:
        emit_json(data)
    else:
        print(data["id"])
        err.print(f"added {data['kind']} {data['label']!r}")


NAME = typer.Option(None, "--name", help="A name as written (repeatable; the first is primary)")
NAME_FA = typer.Option(None, "--name-fa", help="A name in Persian script (repeatable)")
ALIAS = typer.Option(None, "--alias", help="Another name or spelling (repeatable)")
ID = typer.Option(None, "--id", help="Your own identifier (default: generated)")
SENS = typer.Option("public", "--sensitivity", help="public, restricted or confidential")
DESC = typer.Option(None, "--description")
JSON = typer.Option(False, "--json")


@add_app.command("person")
def add_person_cmd(ctx: typer.Context, name: list[str] = NAME, name_fa: list[str] = NAME_FA,
                   alias: list[str] = ALIAS, id: str = ID, gender: str = typer.Option(None, "--gender"),
                   birth: str = typer.Option(None, "--birth", help="e.g. 1340, 1961-05, c. 1960"),
                   death: str = typer.Option(None, "--death", help="e.g. 1367/05/08, summer 1988"),
                   father: str = typer.Option(None, "--father"), sensitivity: str = SENS,
                   description: str = DESC, json_: bool = JSON) -> None:
    from dadkhah.records.service import add_person

    _run(ctx, add_person, json_, names=_names(name, name_fa, alias), id=id, gender=gender, birth=birth,
         death=death, father_name=father, sensitivity=sensitivity, description=description)


@add_app.command("organization")
def add_org_cmd(ctx: typer.Context, type: str = typer.Option(..., "--type", help="prison, commission, …"),
                name: list[str] = NAME, name_fa: list[str] = NAME_FA, alias: list[str] = ALIAS, id: str = ID,
                parent: str = typer.Option(None, "--parent"), place: str = typer.Option(None, "--place"),
                sensitivity: str = SENS, description: str = DESC, json_: bool = JSON) -> None:
    from dadkhah.records.service import add_organization

    _run(ctx, add_organization, json_, org_type=type, names=_names(name, name_fa, alias), id=id, parent_id=parent,
         place_id=place, sensitivity=sensitivity, description=description)


@add_app.command("place")
def add_place_cmd(ctx: typer.Context, type: str = typer.Option(..., "--type", help="prison, mass_grave, city, …"),
                  name: list[str] = NAME, name_fa: list[str] = NAME_FA, alias: list[str] = ALIAS, id: str = ID,
                  parent: str = typer.Option(None, "--parent"), lat: float = typer.Option(None, "--lat"),
                  lon: float = typer.Option(None, "--lon"), sensitivity: str = SENS, description: str = DESC,
                  json_: bool = JSON) -> None:
    from dadkhah.records.service import add_place

    _run(ctx, add_place, json_, place_type=type, names=_names(name, name_fa, alias), id=id, parent_id=parent,
         latitude=lat, longitude=lon, sensitivity=sensitivity, description=description)


@add_app.command("event")
def add_event_cmd(ctx: typer.Context, type: str = typer.Option(..., "--type", help="arrest, execution, …"),
                  label: str = typer.Option(..., "--label"), date: str = typer.Option(None, "--date"),
                  place: str = typer.Option(None, "--place"), id: str = ID, sensitivity: str = SENS,
                  description: str = DESC, json_: bool = JSON) -> None:
    from dadkhah.records.service import add_event

    _run(ctx, add_event, json_, event_type=type, label=label, date=date, place_id=place, id=id,
         sensitivity=sensitivity, description=description)


@add_app.command("source")
def add_source_cmd(ctx: typer.Context, type: str = typer.Option(..., "--type", help="article, report, …"),
                   title: str = typer.Option(..., "--title"), author: str = typer.Option(None, "--author"),
                   publisher: str = typer.Option(None, "--publisher"), date: str = typer.Option(None, "--date"),
                   language: str = typer.Option(None, "--language"), locator: str = typer.Option(None, "--locator"),
                   reliability: str = typer.Option("F", "--reliability", help="A–F"),
                   credibility: int = typer.Option(6, "--credibility", help="1–6"),
                   origin: str = typer.Option(None, "--origin"), id: str = ID, sensitivity: str = SENS,
                   json_: bool = JSON) -> None:
    from dadkhah.records.service import add_source

    _run(ctx, add_source, json_, source_type=type, title=title, author=author, publisher=publisher, date=date,
         language=language, locator=locator, reliability=reliability, credibility=credibility, origin=origin,
         id=id, sensitivity=sensitivity)


@add_app.command("role")
def add_role_cmd(ctx: typer.Context, event: str = typer.Option(..., "--event"),
                 who: str = typer.Option(..., "--who"), role: str = typer.Option(..., "--role"), id: str = ID,
                 sensitivity: str = SENS, json_: bool = JSON) -> None:
    """Who did what to whom: a participant's role in an event."""
    from dadkhah.records.service import add_participation

    _run(ctx, add_participation, json_, event_id=event, participant_id=who, role=role, id=id,
         sensitivity=sensitivity)


@add_app.command("position")
def add_position_cmd(ctx: typer.Context, who: str = typer.Option(..., "--who"),
                     org: str = typer.Option(..., "--org"), role: str = typer.Option("member", "--role"),
                     title: str = typer.Option(None, "--title"), start: str = typer.Option(None, "--start"),
                     end: str = typer.Option(None, "--end"), id: str = ID, sensitivity: str = SENS,
                     json_: bool = JSON) -> None:
    """A position held or membership, for a time."""
    from dadkhah.records.service import add_membership

    _run(ctx, add_membership, json_, member_id=who, organization_id=org, role=role, title=title, start=start,
         end=end, id=id, sensitivity=sensitivity)


@claim_app.command("add")
def claim_add_cmd(ctx: typer.Context, subject: str = typer.Option(..., "--subject"),
                  predicate: str = typer.Option(..., "--predicate"), source: list[str] = typer.Option(
                      ..., "--source", help="Source id (repeatable; --quote/--locator pair up in order)"),
                  quote: list[str] = typer.Option(None, "--quote"),
                  locator: list[str] = typer.Option(None, "--locator"),
                  statement: str = typer.Option("", "--statement"), value: str = typer.Option(None, "--value"),
                  low: float = typer.Option(None, "--low"), high: float = typer.Option(None, "--high"),
                  object: str = typer.Option(None, "--object"), sensitivity: str = SENS, json_: bool = JSON) -> None:
    from dadkhah.claims.service import add_claim, claim_to_dict
    from dadkhah.errors import InputError

    quote, locator = quote or [], locator or []
    citations = [{"source_id": s, "quotation": quote[i] if i < len(quote) else None,
                  "locator": locator[i] if i < len(locator) else ""} for i, s in enumerate(source)]
    case = open_case(ctx)
    try:
        with case.session() as s:
            claim = add_claim(s, subject_id=subject, predicate=predicate, citations=citations, statement=statement,
                              value_text=value, value_low=low, value_high=high, object_id=object,
                              sensitivity=sensitivity)
            s.flush()
            cid = claim.id
        with case.reader(operator(case.actor)) as s:
            from dadkhah.model import Claim

            stored = s.get(Claim, cid)
            assert stored is not None  # just written
            data = claim_to_dict(stored, s.info["principal"])
    except InputError as exc:
        fail(f"{exc} — nothing was written")
    if json_:
        emit_json(data)
    else:
        print(data["id"])
        err.print(f"recorded claim ({data['status']})")
