"""Fixtures for the web application: an app over the ``case`` fixture (both backends), with a user of
every role and an API token for each."""

from __future__ import annotations

import pytest
from web_helpers import PASSWORD, ROLES, Web

from dadkhah.web.app import Settings, create_app


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Argon2id with test-sized costs (the default costs take ~0.1 s a hash, by design)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("dadkhah.web.security._hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def web(case) -> Web:
    from dadkhah.web.users import create_user, issue_token

    tokens = {}
    with case.session(actor="setup") as s:
        for role in ROLES:
            user = create_user(s, role, role, PASSWORD)
            tokens[role] = issue_token(s, user, "tests")
    app = create_app(case, Settings())
    return Web(case=case, app=app, tokens=tokens)
