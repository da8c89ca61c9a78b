"""Terminals, one-time pairing codes and bearer tokens.

A manager runs `kasir terminal add NAME` and types (or scans) the short code on the tablet; the
tablet trades it once for a long random token. Only sha256 hashes of codes and tokens are stored:
the tokens are 32 random bytes, so a plain hash is enough, and a stolen journal reveals none.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time

from .journal import Journal

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LIFETIME = 24 * 3600.0
CONTACT_EVERY = 60.0  # seconds between two "last contact" writes for one terminal
TERMINAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class AuthError(Exception):
    """Pairing or authentication failed; the message says why."""


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_code(code: str) -> str:
    """Codes are shown as XXXX-XXXX; accept any case, spaces and dashes when typed back."""
    return re.sub(r"[\s-]", "", code).upper()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def check_terminal_name(name: str) -> str:
    if not TERMINAL_NAME.match(name or ""):
        raise AuthError(
            f"a terminal name is 1-64 letters, digits, '.', '_' or '-' (like kasir-1), got {name!r}"
        )
    return name


def add_terminal(journal: Journal, name: str, *, lifetime: float = CODE_LIFETIME) -> str:
    """Create the terminal if needed and return a fresh one-time pairing code for it."""
    check_terminal_name(name)
    journal.add_terminal(name)
    code = new_code()
    journal.add_pairing_code(name, sha256(normalize_code(code)), time.time() + lifetime)
    return code


def pair(journal: Journal, code: str) -> tuple[str, str]:
    """Trade a pairing code for (terminal name, bearer token); AuthError if it is not valid."""
    if not isinstance(code, str) or not normalize_code(code):
        raise AuthError("send the pairing code shown by `kasir terminal add`")
    token = secrets.token_urlsafe(32)
    terminal = journal.pair(sha256(normalize_code(code)), sha256(token))
    if terminal is None:
        raise AuthError("this pairing code is unknown, expired or already used")
    return terminal, token


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(journal: Journal, header: str | None, clock: str | None = None) -> str | None:
    """The terminal that owns this Authorization header's token, or None. `clock` is the
    terminal's own time as it sent the request (its X-Kasir-Clock header, epoch milliseconds):
    how far it is from the relay's is kept for the manager."""
    token = bearer_token(header)
    if token is None or len(token) > 512:
        return None
    terminal = journal.terminal_by_token(sha256(token))
    if terminal is not None:
        _note_contact(journal, terminal, clock_skew=clock_skew(clock))
    return terminal


def clock_skew(clock: str | None, now: float | None = None) -> float | None:
    """Seconds the terminal's clock (epoch milliseconds, as text) is ahead of the relay's
    (negative: behind); None when it sent none or something else. The request's time on the way
    is counted as skew: well under the minutes a wrong clock is off by."""
    text = (clock or "").strip()
    if not text.isdigit() or len(text) > 15:
        return None
    now = time.time() if now is None else now
    return round(int(text) / 1000 - now, 3)


def revoke(journal: Journal, name: str) -> bool:
    """Cut a terminal off at once (lost or stolen tablet): its token answers 401 from now on.
    What it already sent stays in the journal and is forwarded. False: no such terminal."""
    check_terminal_name(name)
    return journal.revoke_terminal(name)


_last_contact: dict[tuple[int, str], float] = {}


def _note_contact(
    journal: Journal, terminal: str, now: float | None = None, *, clock_skew: float | None = None
) -> None:
    """Record the manager page's "last contact" (and the terminal's clock skew), at most once
    a minute per terminal: a write on every request would cost the sync path a commit."""
    now = time.time() if now is None else now
    key = (id(journal), terminal)
    if now - _last_contact.get(key, 0.0) < CONTACT_EVERY:
        return
    _last_contact[key] = now
    try:
        journal.touch_terminal(terminal, now, clock_skew)
    except Exception:  # a busy journal must not fail the request; the next contact retries
        _last_contact.pop(key, None)
