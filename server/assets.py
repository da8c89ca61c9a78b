"""Which file answers a request for a file of the PWA: the precompressed copy build.py wrote beside
it (`name.br`, `name.gz`) when the browser takes that encoding, else the file itself.

The wasm and the stdlib are most of a first install; sent compressed they are under a third of it. They
are compressed once, at build time, at a level no server could afford per request.
"""

from __future__ import annotations

from pathlib import Path

# Content-Encoding and the suffix of its copy, the preferred first.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def accepted(header: str) -> dict[str, float]:
    """Accept-Encoding as {coding: q}; an unreadable q counts as 0 (not accepted)."""
    found: dict[str, float] = {}
    for part in header.lower().split(","):
        coding, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding.strip():
            found[coding.strip()] = q
    return found


def fresh_copy(file: Path, suffix: str) -> Path | None:
    """The file's copy, unless there is none or it is older than the file (the file was changed
    after the build, by hand or by a deploy that copied only it: the copy would be stale)."""
    copy = file.with_name(file.name + suffix)
    try:
        return copy if copy.stat().st_mtime >= file.stat().st_mtime else None
    except OSError:
        return None


def choose(file: Path, accept_encoding: str) -> tuple[Path, str | None, bool]:
    """(the file to send, its Content-Encoding or None, whether the answer varies by encoding)."""
    copies = [(coding, copy) for coding, suffix in ENCODINGS if (copy := fresh_copy(file, suffix))]
    taken = accepted(accept_encoding)
    for coding, copy in copies:
        if taken.get(coding, taken.get("*", 0.0)) > 0:
            return copy, coding, True
    return file, None, bool(copies)
