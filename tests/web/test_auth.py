"""Logging in, sessions, CSRF, rate limiting, API tokens, the first admin."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from web_helpers import PASSWORD, csrf_of, login

from dadkhah.access import SYSTEM

# Authentication is the same code on both backends: SQLite only (the API tests and the access matrix run on both).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_login_sets_an_http_only_session_cookie_and_shows_the_user(web):
    c = web.client()
    r = login(c, "viewer")
    cookie = r.headers.get("set-cookie", "")
    assert "dk_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "viewer" in c.get("/").text
    assert c.get("/api/me").json()["role"] == "viewer"


def test_a_wrong_password_is_refused_with_the_same_message_as_an_unknown_user(web):
    c = web.client()
    token = csrf_of(c)
    wrong = c.post("/login", data={"name": "viewer", "password": "nope-nope", "csrf_token": token})
    unknown = c.post("/login", data={"name": "nobody", "password": "nope-nope", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password" in wrong.text and "Wrong user name or password" in unknown.text
    assert c.get("/api/me").json()["role"] == "anonymous"


def test_login_is_rate_limited_after_repeated_failures(web):
    c = web.client()
    token = csrf_of(c)
    codes = [c.post("/login", data={"name": "analyst", "password": f"bad{i}xxxx", "csrf_token": token}).status_code
             for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # even the right password is refused while the limit holds
    r = c.post("/login", data={"name": "analyst", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_login_without_the_csrf_token_is_refused(web):
    c = web.client()
    c.get("/login")
    c.cookies.set("dk_session", "x")  # any cookie-borne credential makes the check apply
    r = c.post("/login", data={"name": "viewer", "password": PASSWORD})
    assert r.status_code == 403


def test_a_form_post_with_the_session_cookie_needs_the_csrf_token(web):
    c = web.client("investigator")
    form = {"name_text[]": ["Ali Test"], "name_kind[]": ["full"], "name_sensitivity[]": [""], "sensitivity": "public"}
    refused = c.post("/persons/new", data=form, follow_redirects=False)
    assert refused.status_code == 403
    accepted = c.post("/persons/new", data={**form, "csrf_token": csrf_of(c, "/persons/new")},
                      follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/persons/person-")


def test_api_writes_with_the_session_cookie_need_the_csrf_header(web):
    c = web.client("investigator")
    body = {"names": [{"text": "Header Test"}]}
    assert c.post("/api/persons", json=body).status_code == 403
    r = c.post("/api/persons", json=body, headers={"X-CSRF-Token": c.cookies.get("dk_csrf")})
    assert r.status_code == 201


def test_logout_ends_the_session_on_the_server(web):
    c = web.client("viewer")
    stolen = c.cookies.get("dk_session")
    r = c.post("/logout", data={"csrf_token": csrf_of(c, "/")}, follow_redirects=False)
    assert r.status_code == 303
    other = web.client()
    other.cookies.set("dk_session", stolen)
    assert other.get("/api/me").json()["role"] == "anonymous"


def test_sessions_and_tokens_are_stored_only_as_hashes(web):
    from dadkhah.web.tables import ApiToken, WebSession

    c = web.client("viewer")
    secret = c.cookies.get("dk_session")
    with web.case.reader(SYSTEM) as s:
        stored = s.scalars(select(WebSession.id)).all() + s.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored and web.tokens["viewer"] not in stored
    assert all(len(v) == 64 for v in stored)


def test_an_api_token_acts_as_its_user_and_a_revoked_or_unknown_token_is_refused(web):
    from dadkhah.web.tables import ApiToken

    assert web.api("analyst").get("/api/me").json()["role"] == "analyst"
    bogus = web.api()
    bogus.headers["Authorization"] = "Bearer dk_not-a-token"
    assert bogus.get("/api/me").status_code == 401
    with web.case.reader(SYSTEM) as s:
        token_id = s.scalar(select(ApiToken.id).join(ApiToken.user).where(ApiToken.user.has(name="analyst")))
    admin = web.client("admin")
    r = admin.post("/admin/users", data={"action": "revoke", "name": "analyst", "token_id": str(token_id),
                                         "csrf_token": csrf_of(admin, "/admin/users")})
    assert r.status_code == 200
    assert web.api("analyst").get("/api/me").status_code == 401


def test_a_token_revoked_behind_the_servers_back_stops_working_within_the_cache_lifetime(web):
    from dadkhah.web.tables import ApiToken

    assert web.api("viewer").get("/api/me").status_code == 200
    with web.case.session() as s:
        for tok in s.scalars(select(ApiToken)):
            tok.revoked = True
    web.app.state.accounts.ttl = 0  # as if the cache lifetime had passed
    assert web.api("viewer").get("/api/me").status_code == 401


def test_anonymous_api_writes_get_401_and_read_only_roles_get_403(web):
    body = {"names": [{"text": "Nobody"}]}
    assert web.api().post("/api/persons", json=body).status_code == 401
    assert web.api("viewer").post("/api/persons", json=body).status_code == 403
    assert web.api("analyst").post("/api/persons", json=body).status_code == 403


def test_pages_that_need_a_login_redirect_to_the_login_form(web):
    r = web.client().get("/persons/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/persons/new"


def test_login_follows_only_same_site_next_addresses(web):
    c = web.client()
    token = csrf_of(c)
    r = c.post("/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": token,
                               "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_the_first_admin_gets_a_one_time_password_when_none_is_configured(case):
    from dadkhah.web.users import authenticate, ensure_first_admin

    out = io.StringIO()
    password = ensure_first_admin(case, env_password=None, out=out)
    assert password and password in out.getvalue()
    with case.session() as s:
        assert authenticate(s, "admin", password).role == "admin"
    assert ensure_first_admin(case, env_password=None, out=out) is None  # only when there are no users


def test_the_first_admin_takes_its_password_from_the_environment(case):
    from dadkhah.web.users import authenticate, ensure_first_admin

    out = io.StringIO()
    assert ensure_first_admin(case, env_password="from-the-env-123", out=out) is None
    assert "from-the-env-123" not in out.getvalue()
    with case.session() as s:
        assert authenticate(s, "admin", "from-the-env-123") is not None


def test_an_admin_manages_users_and_issues_tokens_from_the_users_page(web):
    c = web.client("admin")
    token = csrf_of(c, "/admin/users")
    r = c.post("/admin/users", data={"action": "create", "name": "newbie", "role": "reviewer",
                                     "password": "long enough pw", "csrf_token": token})
    assert r.status_code == 200 and "newbie" in r.text
    r = c.post("/admin/users", data={"action": "token", "name": "newbie", "token_name": "script",
                                     "csrf_token": token})
    new_token = r.text.split('id="new-token">')[1].split("<")[0]
    api = web.api()
    api.headers["Authorization"] = f"Bearer {new_token}"
    assert api.get("/api/me").json() == {**api.get("/api/me").json(), "name": "newbie", "role": "reviewer"}
    assert web.client("viewer").get("/admin/users").status_code == 403
