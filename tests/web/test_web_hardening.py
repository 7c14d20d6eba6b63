"""Web details: huge offsets answer 400 on every list page, the CSRF token is bound to the session, login
throttling is per account and address with wider ceilings, and security headers are on every response —
/static/* and 500s included."""

from __future__ import annotations

import pytest
from web_helpers import csrf_of

from dadkhah.web.security import LoginLimiter

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

LIST_PAGES = ["/persons", "/organizations", "/places", "/events", "/sources", "/claims", "/evidence", "/testimony",
              "/review", "/search?q=a", "/api/persons", "/api/claims", "/api/evidence", "/api/testimony"]
HUGE = ["9223372036854775808", "99999999999999999999999", "-1", "1e9", "abc", "²", "١٢"]
SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy")


@SQLITE
@pytest.mark.parametrize("path", LIST_PAGES)
def test_a_huge_or_bad_offset_is_a_400_not_a_500(web, path):
    c = web.api("admin")
    for value in HUGE:
        sep = "&" if "?" in path else "?"
        r = c.get(f"{path}{sep}offset={value}")
        assert r.status_code == 400, (path, value, r.status_code)
        assert all(h in r.headers for h in SECURITY_HEADERS)
    assert c.get(f"{path}{'&' if '?' in path else '?'}offset=0").status_code == 200


@SQLITE
def test_the_persian_reader_gets_a_persian_400_page(web):
    r = web.client("viewer").get("/persons?offset=9223372036854775808")
    assert r.status_code == 400 and "نشانی نادرست" in r.text


@SQLITE
def test_the_csrf_token_is_bound_to_the_session(web):
    alice, bob = web.client("investigator"), web.client("admin")
    alice_token = csrf_of(alice, "/persons/new")
    assert alice_token != csrf_of(bob, "/persons/new")
    form = {"name_text[]": ["Ali Test"], "name_kind[]": ["full"], "name_sensitivity[]": [""], "sensitivity": "public"}
    # bob's session with alice's token (and a cookie planted to match it) is refused
    bob.cookies.set("dk_csrf", alice_token)
    refused = bob.post("/persons/new", data={**form, "csrf_token": alice_token}, follow_redirects=False)
    assert refused.status_code == 403
    ok = alice.post("/persons/new", data={**form, "csrf_token": alice_token}, follow_redirects=False)
    assert ok.status_code == 303
    # a new login is a new token
    again = web.client("investigator")
    assert csrf_of(again, "/persons/new") != alice_token


def test_login_throttling_is_per_account_and_address_with_ceilings():
    limiter = LoginLimiter(max_failures=5, window=300, max_per_address=12, max_per_account=8, max_global=30)
    office = "10.0.0.1"
    for _ in range(5):
        limiter.failed(*limiter.login_keys(office, "alice"))
    assert limiter.retry_after(*limiter.login_keys(office, "alice")) > 0
    assert limiter.retry_after(*limiter.login_keys(office, "bob")) == 0  # bob, same office, is not locked out
    assert limiter.retry_after(*limiter.login_keys("10.9.9.9", "alice")) == 0  # alice from home is not either
    for i in range(7):  # one address guessing at many accounts hits the per-address ceiling
        limiter.failed(*limiter.login_keys(office, f"user{i}"))
    assert limiter.retry_after(*limiter.login_keys(office, "carol")) > 0
    for i in range(8):  # one account guessed from many addresses hits the per-account ceiling
        limiter.failed(*limiter.login_keys(f"192.0.2.{i}", "dave"))
    assert limiter.retry_after(*limiter.login_keys("198.51.100.1", "dave")) > 0
    for i in range(30):  # and a distributed attack on everything hits the global ceiling
        limiter.failed(*limiter.login_keys(f"203.0.113.{i}", f"x{i}"))
    assert limiter.retry_after(*limiter.login_keys("198.51.100.7", "erin")) > 0


@SQLITE
def test_five_wrong_passwords_for_one_account_do_not_lock_another_account_from_the_same_address(web):
    c = web.client()
    for _ in range(5):
        c.post("/login", data={"name": "viewer", "password": "wrong", "csrf_token": csrf_of(c, "/login")})
    assert c.post("/login", data={"name": "viewer", "password": "wrong",
                                  "csrf_token": csrf_of(c, "/login")}).status_code == 429
    other = web.client("analyst")  # logs in through /login from the same test address
    assert other.get("/api/me").json()["role"] == "analyst"


@SQLITE
def test_security_headers_on_static_files_and_on_500s(web, monkeypatch):
    r = web.client().get("/static/css/app.css")
    assert r.status_code in (200, 404)
    assert all(h in r.headers for h in SECURITY_HEADERS)
    from fastapi.testclient import TestClient

    from dadkhah.web.pages import dashboard

    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(dashboard, "page", boom)
    client = TestClient(web.app, raise_server_exceptions=False)
    r = client.get("/")
    assert r.status_code == 500 and all(h in r.headers for h in SECURITY_HEADERS)
    assert "a bug" not in r.text and "خطای سرور" in r.text
