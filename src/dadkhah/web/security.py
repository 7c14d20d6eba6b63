"""Passwords, tokens, CSRF and login rate limiting.

- Passwords are hashed with argon2id (``argon2-cffi``).
- Session cookies and API tokens are 256-bit random strings; only their SHA-256 is stored.
- CSRF: the token is bound to the session — an HMAC of the session secret (:func:`csrf_for_session`), so
  a token seen in one session (or planted in a cookie) is worth nothing in another. Every unsafe request
  made with the session cookie must send it in the ``csrf_token`` form field or the ``X-CSRF-Token``
  header (pages carry it; the ``dk_csrf`` cookie holds it too, for scripts). Before login (the login form
  itself) the double-submit cookie is used. Requests authenticated by an API token carry no cookie and
  are exempt.
- Login attempts are limited per account *and* client address (an office behind one address is not
  locked out by one person's typos), per address over all accounts at a higher ceiling (guessing across
  accounts), and overall (a global ceiling against a distributed attack).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SESSION_COOKIE = "dk_session"
CSRF_COOKIE = "dk_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_PREFIX = "dk_"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str = "") -> str:
    """A URL-safe random string carrying 256 bits."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored for a session or token: the SHA-256 of the secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_matches(cookie_value: str | None, submitted: str | None) -> bool:
    return bool(cookie_value) and bool(submitted) and hmac.compare_digest(cookie_value, submitted)


def csrf_for_session(session_secret: str) -> str:
    """The CSRF token of one login session (an HMAC keyed by the session's secret)."""
    return hmac.new(session_secret.encode("utf-8"), b"dadkhah csrf v1", hashlib.sha256).hexdigest()


def generate_password(length: int = 20) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


class LoginLimiter:
    """Sliding windows of failed logins (``window`` seconds):

    - ``max_failures`` for one account from one address (``login_keys``' first key);
    - ``max_per_address`` for one address over all accounts (a guesser trying many accounts);
    - ``max_per_account`` for one account over all addresses (a distributed guess at one password);
    - ``max_global`` over everything (a ceiling: the whole site slows down rather than be brute-forced).

    Another account's typos from the same office address do not lock anyone else out."""

    def __init__(self, max_failures: int = 5, window: float = 300.0, *, max_per_address: int = 50,
                 max_per_account: int = 20, max_global: int = 500):
        self.max_failures, self.window = max_failures, window
        self.limits = {"pair": max_failures, "ip": max_per_address, "user": max_per_account, "all": max_global}
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def login_keys(address: str, account: str) -> tuple[str, ...]:
        account = account.strip().casefold()
        return (f"pair:{address}|{account}", f"ip:{address}", f"user:{account}", "all:")

    def _limit(self, key: str) -> int:
        return self.limits.get(key.split(":", 1)[0], self.max_failures)

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> int:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                q = self._prune(key, now)
                if len(q) >= self._limit(key):
                    wait = max(wait, self.window - (now - q[0]))
        return int(wait) + (1 if wait else 0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._prune(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        """A good password clears that account's windows (not the address's or the global one)."""
        with self._lock:
            for key in keys:
                if key.startswith(("pair:", "user:")) or ":" not in key:
                    self._failures.pop(key, None)
