"""The relay's pages (/admin, /offline) in English or Bahasa Indonesia, from the till's catalogs.

One source of truth: `build.py messages` extracts the pages' `_("...")` texts into the same
catalogs as the till's, read here from the build (`<dist>/i18n/<lang>.json`) or, before a build,
from the source tree. The language is `?lang=` (remembered in a cookie), else that cookie, else the
browser's Accept-Language, else the shop's (Odoo's), else English. JSON errors stay English: they
are for programs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from starlette.requests import Request
from starlette.responses import Response

from .negotiation import preferences
from .phrases import Phrase

log = logging.getLogger("kasir.i18n")

LANGUAGES = ("en", "id")
COOKIE = "kasir_lang"
SOURCE = Path(__file__).resolve().parent.parent / "pwa" / "static" / "i18n"

Translate = Callable[..., str]


def language_of(code: Any) -> str | None:
    """ "id", "id-ID", "id_ID" or Android's old "in" -> "id"; None for a language kasir lacks."""
    base = str(code or "").strip().lower().replace("_", "-").split("-")[0]
    base = "id" if base == "in" else base
    return base if base in LANGUAGES else None


def accepted(header: str) -> list[str]:
    """The languages of an Accept-Language header, most wanted first (q=0 left out)."""
    ranked = sorted((-quality, place, code) for code, quality, place in preferences(header))
    return [code for quality, _, code in ranked if code and quality < 0]


async def choose(request: Request, shop: Callable[[], Awaitable[str | None]]) -> tuple[str, bool]:
    """(language, whether `?lang=` chose it and the cookie should remember it). `shop`, the
    shop's language from the mirrored bootstrap, is read only when nothing else decides."""
    asked = language_of(request.query_params.get("lang"))
    if asked:
        return asked, True
    for code in (
        request.cookies.get(COOKIE),
        *accepted(request.headers.get("accept-language", "")),
    ):
        if found := language_of(code):
            return found, False
    return language_of(await shop()) or "en", False


@lru_cache(maxsize=8)
def _read(path: Path, mtime_ns: int) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))


def messages(language: str, dist: Path) -> dict[str, str]:
    """The catalog of `language`, as built, else from the sources; {} for English or none."""
    if language == "en":
        return {}
    for folder in (dist / "i18n", SOURCE):
        path = folder / f"{language}.json"
        try:
            return _read(path, path.stat().st_mtime_ns)
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:
            log.warning("the %s catalog %s is unreadable: %s", language, path, exc)
    return {}


def translator(catalog: dict[str, str]) -> Translate:
    """`_("Failed items ({n})", n=3)` for templates and handlers; English where the catalog is
    silent or its translation cannot be filled in."""

    def _(message: str, **values: Any) -> str:
        if isinstance(message, Phrase) and not values:  # the journal's or a decision's words
            message, values = message.template, message.values
        text = catalog.get(message) or message
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError, ValueError):
            return message.format(**values)

    return _


class Speech(NamedTuple):
    """The language of one request and its words."""

    language: str
    chosen: bool  # by ?lang=, so the cookie remembers it
    gettext: Translate


async def speech(request: Request, dist: Path, shop: Callable[[], Awaitable[str | None]]) -> Speech:
    language, chosen = await choose(request, shop)
    return Speech(language, chosen, translator(messages(language, dist)))


def remember(response: Response, speech: Speech) -> Response:
    """Say the page's language, and keep one chosen with `?lang=` for the next visits (both
    pages share the cookie)."""
    response.headers["Content-Language"] = speech.language
    response.headers.append("Vary", "Accept-Language, Cookie")
    if speech.chosen:
        response.set_cookie(COOKIE, speech.language, max_age=365 * 24 * 3600, samesite="lax")
    return response
