"""The access-control matrix: every role × every page, API route, search and export.

The seeded case holds canary strings at each sensitivity (a confidential person's name, a restricted
person's name, a confidential source title, a confidential alias of a public person, a confidential
claim). Every GET route the application has — found by walking its routes, so a new page is covered
without editing this test — is requested by every role with every record id filled in, plus searches
for each canary. A canary may appear only in answers to roles entitled to its level; the matrix also
checks that entitled roles *do* see each canary, so the test can detect what it guards against.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import select
from web_helpers import (
    CANARY_CONF_CLAIM,
    CANARY_CONF_NAME_FORM,
    CANARY_CONF_SOURCE,
    CANARY_CONFIDENTIAL,
    CANARY_RESTRICTED,
    CANARY_WITNESS,
    seed,
)

from dadkhah.access import SYSTEM, Principal, Role, allowed_sensitivities

ALL_ROLES = ("admin", "investigator", "reviewer", "analyst", "viewer", "anonymous")
CANARIES = {  # canary -> (level, the word that marks it: unusual enough to appear nowhere else)
    CANARY_CONFIDENTIAL: ("confidential", "canarynia"),
    CANARY_RESTRICTED: ("restricted", "hiddenpour"),
    CANARY_CONF_SOURCE: ("confidential", "kanari"),
    CANARY_CONF_NAME_FORM: ("confidential", "canaryform"),
    CANARY_CONF_CLAIM: ("confidential", "canaryclaim"),
    CANARY_WITNESS: ("sealed", "witnessnameh"),  # no role reads a sealed identity on a GET: only by unmasking
    "Evidencecanary text of a confidential file": ("confidential", "evidencecanary"),
}
SKIP_PREFIXES = ("/static",)


def _iter_routes(app):
    """Every route of the app, with routers included inside routers flattened (FastAPI ≥ 0.120 keeps
    included routers as objects of their own; older versions copy their routes into ``app.routes``)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def _get_routes(app) -> list[str]:
    paths = []
    for route in _iter_routes(app):
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", None)
        if path and "GET" in methods and not path.startswith(SKIP_PREFIXES):
            paths.append(path)
    return sorted(set(paths))


# Which records a parametrised route is about, by its first path segment (others get every id).
ROUTE_KINDS = {"persons": {"person"}, "organizations": {"organization"}, "places": {"place"}, "events": {"event"},
               "sources": {"source"}, "claims": {"claim"}, "evidence": {"evidence"}, "testimony": {"testimony"},
               "review": {"pair"}, "estimates": {"run"}, "vocab": {"vocab"}}


def _ids_for(path: str, records: dict[str, str]) -> list[str]:
    parts = [p for p in path.split("/") if p and p != "api"]
    kinds = ROUTE_KINDS.get(parts[0]) if parts else None
    if kinds is None:
        return list(records)
    chosen = [i for i, k in records.items() if k in kinds]
    return chosen + [next(iter(records))]  # and one record of another kind: must be "not found", never a leak


def _fill(path: str, ids: list[str]) -> list[str]:
    if "{" not in path:
        return [path]
    out = []
    for value in ids:
        filled = path
        while "{" in filled:
            start, end = filled.index("{"), filled.index("}")
            filled = filled[:start] + quote(value, safe="") + filled[end + 1:]
        out.append(filled)
    return out


def _requests(app, records: dict[str, str], *, per_record: bool = True) -> list[str]:
    """The URLs to request: every GET route (with ids of its kind filled in), searches for each canary."""
    urls: list[str] = []
    for path in _get_routes(app):
        if "{" in path and not per_record:
            continue
        urls += _fill(path, _ids_for(path, records) + ["1", "x"])
    for canary, (_, word) in CANARIES.items():
        for q in (canary, word):
            urls += [f"/search?q={quote(q)}", f"/api/search?q={quote(q)}"]
    urls += [f"/search?q={quote(CANARY_CONFIDENTIAL)}&kind=person", "/api/search?q=Zorbeh&kind=person"]
    roots = [i for i, k in records.items() if k in ("person", "organization")]
    if per_record:
        urls += [f"/graph?root={quote(i)}" for i in roots] + [f"/api/graph?root={quote(i)}" for i in roots]
        urls += [f"/api/claims?subject_id={quote(i)}" for i, k in records.items() if k in ("person", "event")]
    urls += ["/map?all=1", "/api/map?all=true", "/?lang=fa", "/timeline?cal=jalali", "/claims?status=contested",
             "/api/export"]
    # the query builder and the area search, page and API, over conditions that reach every canary's record
    world = "area=-89,-179;-89,179;89,179;89,-179"
    for q in ("kind=person&c0f=role&c0o=any&c0v=witness,victim,perpetrator", "kind=person&c0f=name&c0o=contains&c0v=a",
              "kind=person&c0f=organization&c0o=any&c0v=Death%20commission", "kind=event&c0f=name&c0o=contains&c0v=e"):
        urls += [f"/query?{q}", f"/api/query?{q}"]
    urls += [f"/map?{world}", f"/api/area?{world}"]
    return sorted(set(urls))


def _without_echo(url: str, text: str) -> str:
    """The answer minus the echo of the caller's own query (the search box, the JSON "q" field)."""
    q = parse_qs(urlsplit(url).query).get("q", [None])[0]
    if not q:
        return text
    if url.startswith("/api"):
        try:
            doc = json.loads(text)
        except ValueError:
            return text
        if isinstance(doc, dict):
            doc.pop("q", None)
        return json.dumps(doc, ensure_ascii=False)
    text = text.replace(f'value="{html.escape(q, quote=True)}"', "")
    return re.sub(r'href="[^"]*[?&](amp;)?q=[^"]*"', "", text)  # links that repeat the query (language, facets)


def _client(web, role: str, url: str):
    if role == "anonymous":
        return web.api(raise_errors=False)
    return web.api(role, raise_errors=False) if url.startswith("/api") else web.client(role, raise_errors=False)


@pytest.fixture
def witness_key(tmp_path, monkeypatch):
    """A witness key file, also set in the server's environment (so the server *could* unmask)."""
    key = tmp_path / "witness.key"
    key.write_text("ab" * 32)
    monkeypatch.setenv("DADKHAH_WITNESS_KEY_FILE", str(key))
    return str(key)


def _all_records(case) -> dict[str, str]:
    """Every record id of the case → its kind."""
    from dadkhah.model import Claim, Entity
    from dadkhah.model.base import Base

    with case.reader(SYSTEM) as s:
        records = {i: k for i, k in s.execute(select(Entity.id, Entity.kind))}
        records.update({i: "claim" for i in s.scalars(select(Claim.id))})
        for table, kind in (("evidence_item", "evidence"), ("testimony", "testimony")):
            if table in Base.metadata.tables:
                records.update({i: kind for i in s.scalars(select(Base.metadata.tables[table].c.id))})
    return records


def _ingest(case, tmp_path, name: str, text: str, sensitivity: str) -> None:
    from dadkhah.ingest.pipeline import IngestOptions, ingest_paths

    folder = tmp_path / f"in-{sensitivity}"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    report = ingest_paths(case, [folder], options=IngestOptions(sensitivity=sensitivity, ocr=False), actor="seed")
    assert report.ok, report.to_dict()


@pytest.fixture
def matrix(web, witness_key, tmp_path):
    seed(web.case, witness_key=witness_key)
    _ingest(web.case, tmp_path, "evidencecanary-memo.txt", "Evidencecanary text of a confidential file.",
            "confidential")
    _ingest(web.case, tmp_path, "public-note.txt", "Prisoners were moved from Evin in July 1988.", "public")
    records = _all_records(web.case)
    # Per-record pages are the same code on both backends; search and exports are not: PostgreSQL runs those.
    return web, _requests(web.app, records, per_record=web.case.backend == "sqlite")


def test_no_role_sees_a_canary_above_its_level_on_any_page_api_route_search_or_export(matrix):
    web, urls = matrix
    leaks, server_errors = [], []
    seen_by_entitled = {c: False for c, (level, _) in CANARIES.items() if level != "sealed"}
    for role in ALL_ROLES:
        principal = Principal(role, Role(role))
        allowed = set(allowed_sensitivities(principal))
        clients = {"page": _client(web, role, "/"), "api": _client(web, role, "/api")}
        with clients["page"], clients["api"]:  # one event loop per client for all its requests (much faster)
            _request_all(clients, role, allowed, urls, leaks, server_errors, seen_by_entitled)
    assert not server_errors, server_errors[:20]
    assert not leaks, f"{len(leaks)} leaks, e.g. {leaks[:20]}"
    assert all(seen_by_entitled.values()), f"entitled roles never saw: {seen_by_entitled}"
    assert len(urls) > (250 if web.case.backend == "sqlite" else 50)


def _request_all(clients, role, allowed, urls, leaks, server_errors, seen_by_entitled) -> None:
    for url in urls:
        r = clients["api" if url.startswith("/api") else "page"].get(url, follow_redirects=False)
        if r.status_code >= 500:
            server_errors.append((role, url, r.status_code))
            continue
        body = _without_echo(url, r.text).lower()
        for canary, (level, word) in CANARIES.items():
            if word in body:
                if level in allowed:
                    seen_by_entitled[canary] = True
                else:
                    leaks.append((role, url, canary))


def test_the_matrix_covers_every_get_route_of_the_application(web, witness_key, tmp_path):
    seed(web.case, witness_key=witness_key)
    urls = _requests(web.app, _all_records(web.case))
    covered = {u.split("?")[0] for u in urls}
    routes = _get_routes(web.app)
    for expected in ("/", "/persons/{entity_id}", "/search", "/api/search", "/api/persons/{entity_id}",
                     "/api/export", "/evidence/{item_id}", "/testimony/{testimony_id}", "/map", "/timeline"):
        assert expected in routes
    for path in routes:
        prefix = path.split("{")[0]
        assert any(u.startswith(prefix) for u in covered), path


def test_record_pages_above_a_roles_level_answer_not_found_not_forbidden(web):
    """A hidden record is indistinguishable from a missing one (404), so its existence does not leak."""
    ids = seed(web.case)
    for role in ("viewer", "analyst", "reviewer"):
        assert web.api(role).get(f"/api/persons/{ids['secret']}").status_code == 404
        assert web.client(role).get(f"/persons/{ids['secret']}").status_code == 404
    assert web.api().get(f"/api/persons/{ids['hidden']}").status_code == 404
    assert web.api("viewer").get(f"/api/persons/{ids['hidden']}").status_code == 200
    assert web.api("investigator").get(f"/api/persons/{ids['secret']}").status_code == 200


def test_exports_need_the_export_right_and_hold_only_what_the_role_may_see(web):
    seed(web.case)
    assert web.api("viewer").get("/api/export").status_code == 403
    assert web.api().get("/api/export").status_code == 401
    analyst = web.api("analyst").get("/api/export")
    assert analyst.status_code == 200 and "canarynia" not in analyst.text.lower()
    assert "hiddenpour" in analyst.text.lower()
    admin = web.api("admin").get("/api/export")
    assert "canarynia" in admin.text.lower()
    assert "password_hash" not in admin.text and "web_token" not in admin.text
