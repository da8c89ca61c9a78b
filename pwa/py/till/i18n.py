"""The till's words in the cashier's language: `_("Pay {amount}", amount=...)`.

The English text is the message id. The catalog of the chosen language (a JSON object, msgid ->
msgstr, built from `pwa/static/i18n/<lang>.json`) is swapped in by `use`; anything missing from it
falls back to the English text, so a lost or stale catalog never leaves the till without words.
Values are formatted after the lookup, so a translation may move them around.

`build.py messages` extracts every literal passed to `_` and `_n` (and the register's error
templates) into the catalogs; a test fails on any message without a translation.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGUAGES", "_", "_n", "edition", "language", "use"]

LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}

# `edition` counts the catalogs swapped in: HTML kept from an earlier paint is in old words.
_state: dict[str, Any] = {"language": "en", "messages": {}, "edition": 0}


def use(language: str, messages: dict[str, str] | None) -> None:
    """Speak `language` with `messages` (None or empty: the English texts)."""
    _state["language"] = language if language in LANGUAGES else "en"
    _state["messages"] = dict(messages or {}) if _state["language"] != "en" else {}
    _state["edition"] += 1


def edition() -> int:
    """Which catalog of words is in use: it changes each time `use` swaps one in."""
    return _state["edition"]


def language() -> str:
    """The code of the language in use ("en" or "id")."""
    return _state["language"]


def _format(template: str, english: str, values: dict[str, Any]) -> str:
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation: the English still works
        return english.format(**values)


def _(message: str, **values: Any) -> str:
    """`message` in the current language, with `values` filled in."""
    return _format(_state["messages"].get(message) or message, message, values)


def _n(singular: str, plural: str, n: int, **values: Any) -> str:
    """The singular or plural form for `n` (also given to the template as `n`)."""
    message = singular if n == 1 else plural
    return _(message, n=n, **values)
