"""Passwords, tokens, CSRF and login rate limiting.

- Passwords are hashed with argon2id (``argon2-cffi``).
- Session cookies and API tokens are 256-bit random strings; only their SHA-256 is stored.
- CSRF: the double-submit pattern. Every browser holds a random ``dk_csrf`` cookie (SameSite=Lax);
  every unsafe request made with the session cookie must echo it in the ``csrf_token`` form field or
  the ``X-CSRF-Token`` header. Requests authenticated by an API token carry no cookie and are exempt.
- Login attempts are limited per client address and per user name (a sliding window of failures).
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


def generate_password(length: int = 20) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


class LoginLimiter:
    """At most ``max_failures`` failed logins per ``window`` seconds for one address, or one user name."""

    def __init__(self, max_failures: int = 5, window: float = 300.0):
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

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
                if len(q) >= self.max_failures:
                    wait = max(wait, self.window - (now - q[0]))
        return int(wait) + (1 if wait else 0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._prune(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
