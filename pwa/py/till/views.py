"""The small core shared by the till's screens: HTML helpers, pure functions, no I/O, nothing kept.

Every piece of text that came from data (product names, shop texts, codes, errors) goes through
`html.escape`, so a product called "<b>Promo</b>" shows its brackets instead of bold text. Buttons
carry `data-action` (and `data-arg`); forms carry `data-action` and their fields become the data.
The ids and classes named in the till's brief are what the browser tests and the JS rely on.

Each screen is a module of its own around this core: `frame` (top bar, message, keys help, and
the screens without a sale), `sell`, `pay`, `receipt` and `orders`. This module imports none of them.
"""

from __future__ import annotations

import decimal
import itertools
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from html import escape
from typing import Any

from register.shop import Shop

from . import i18n
from .i18n import _

__all__ = ["PAGE", "Flash", "Fragments", "Page", "button", "e"]


class Flash:
    """A message for the cashier: "error" (something was refused or failed) or "info"."""

    __slots__ = ("kind", "text")

    def __init__(self, text: str, kind: str = "error") -> None:
        self.text = text
        self.kind = kind

    def __repr__(self) -> str:
        return f"Flash({self.text!r}, {self.kind!r})"


# Fragments' versions: one per rendering, never reused while the page lives.
_versions = itertools.count(1)


class Page:
    """The kept fragments (`Fragments`) the browser's page shows: those of the last screen drawn
    for it.

    A fragment the page already shows goes out as a stand-in: its root element's tag, key and
    version, empty and marked `data-kept`; the page keeps its own (static/js/morph.js). A
    50-line sale's HTML was parsed again at each scan, the largest part of a scan's frame
    (issue 10). A page that lacks one asks for the whole screen, drawn with `whole`
    (till/browser.py)."""

    __slots__ = ("_drawing", "_kept", "_shown")

    def __init__(self) -> None:
        self._shown: frozenset[str] = frozenset()
        self._kept: frozenset[str] = frozenset()
        self._drawing: set[str] | None = None  # versions of the screen being drawn

    def draw(self, render: Callable[[], str], *, whole: bool = False) -> str:
        """`render()`'s screen for the page: the fragments it shows abridged, unless `whole`."""
        self._kept = frozenset() if whole else self._shown
        self._drawing = set()
        try:
            html = render()
            self._shown = frozenset(self._drawing)
        finally:
            self._drawing = None
        return html

    def fragment(self, version: str, html: str, stub: str) -> str:
        """What goes out for a kept fragment: its `stub` when the page shows this version."""
        if self._drawing is None:  # a screen for something else than the page (a test)
            return html
        self._drawing.add(version)
        return stub if version in self._kept else html


PAGE = Page()


class Fragments:
    """HTML of the parts of a screen that come back from paint to paint (a sale's lines, the
    grid's tiles), kept by everything they show.

    In Pyodide a 50-line sale took about 15 ms to render, most of a frame; a scan changes one
    line, so the other 49 come from here. A fragment's key must hold all it shows apart from the
    shop and the words, which are checked here: a new shop or catalog of words empties it. Past
    `limit` fragments it starts again (a day's lines and tiles, not a catalog's).

    Each rendering gets a version for its root element's `data-v`: the browser's repaint
    (static/js/morph.js) leaves an element alone when its version has not changed, and one the
    page shows is not even sent again (`Page`)."""

    __slots__ = ("_context", "_html", "_limit")

    def __init__(self, limit: int = 2000) -> None:
        self._html: dict[Any, tuple[str, str, str]] = {}  # key -> version, HTML, stub
        self._context: tuple[Any, int] | None = None
        self._limit = limit

    def get(self, shop: Shop, key: Any, render: Callable[[str], str]) -> str:
        """The HTML kept for `key`, or what `render(version)` makes of it (then kept)."""
        context = (shop, i18n.edition())
        if self._context is None or self._context[0] is not shop or self._context[1] != context[1]:
            self._html.clear()
            self._context = context  # holds the shop: no other can take its place unseen
        kept = self._html.get(key)
        if kept is None:
            if len(self._html) >= self._limit:
                self._html.clear()
            version = str(next(_versions))
            html = render(version)
            kept = self._html[key] = (version, html, _stub(html, version))
        return PAGE.fragment(*kept)


# What morph.js matches an element by: its tag and its key (escaped values hold no ">" or '"').
_KEY = re.compile(r' (?:id|data-line-uuid)="[^"]*"')


def _stub(html: str, version: str) -> str:
    """A fragment's stand-in: its root element's tag and key, its version, and nothing inside."""
    opening = html[: html.index(">")]
    tag = opening[1:].split(maxsplit=1)[0]
    key = _KEY.search(opening)
    return f'<{tag}{key.group() if key else ""} data-v="{version}" data-kept></{tag}>'


def e(value: Any) -> str:
    """Text or attribute value, escaped (quotes too, so it is safe inside attributes)."""
    return escape("" if value is None else str(value), quote=True)


def _attrs(**attrs: Any) -> str:
    """HTML attributes from keywords: `data_arg` -> data-arg, True -> bare, None/False -> left out."""
    parts = []
    for key, value in attrs.items():
        name = key.rstrip("_").replace("_", "-")
        if value is None or value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{e(value)}"')
    return "".join(parts)


def button(label: str, action: str, arg: Any = None, *, cls: str = "", **attrs: Any) -> str:
    """A touch button that sends `action` (with `arg`) to the till when tapped."""
    return (
        f'<button type="button"{_attrs(class_=cls or None, data_action=action, data_arg=arg, **attrs)}>'
        f"{label}</button>"
    )


def _qty(value: Decimal | str) -> str:
    """A quantity for people: "2", "0.5" (no trailing zeros, no exponent)."""
    qty = Decimal(value)
    text = format(qty.normalize(), "f") if qty else "0"
    return text


def _lines_text(text: str) -> str:
    """Multi-line shop text (receipt header/footer) as escaped lines."""
    return "<br>".join(e(line) for line in text.splitlines())


def _local_time(iso: str, offset: Callable[[datetime], timedelta | None] | None = None) -> str:
    """The order's time as a receipt shows it ("23-11-2026 20:41"): at the UTC offset `offset`
    gives for that moment (the shop's zone), else in the device's own zone."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    shift = offset(moment) if offset is not None else None
    zone = timezone(shift) if shift is not None else None
    return moment.astimezone(zone).strftime("%d-%m-%Y %H:%M")


def _method_name(shop: Shop, method_id: Any) -> str:
    try:
        method = shop.payment_method(int(method_id))
    except (TypeError, ValueError):
        method = None
    return method.name if method is not None else _("Method {id}", id=method_id)


def _is_refund_record(order: dict[str, Any]) -> bool:
    """An order record that gives money or goods back (refund lines, or a negative total)."""
    if any(line.get("refunded_line_uuid") for line in order.get("lines") or ()):
        return True
    try:
        return Decimal(str(order.get("amount_total") or "0")) < 0
    except decimal.InvalidOperation:
        return False


def search_form(action: str, ident: str, query: str, label: str, *, autofocus: bool = False) -> str:
    """A screen's search field and its Find button (`ident`-q, `ident`-find); Enter searches."""
    focus = " autofocus" if autofocus else ""
    return (
        f'<form class="orders-search" role="search" data-action="{e(action)}" autocomplete="off">'
        f'<input type="search" name="q" id="{ident}-q" value="{e(query)}"{focus}'
        f' spellcheck="false" placeholder="{e(label)}" aria-label="{e(label)}">'
        f'<button type="submit" id="{ident}-find">{e(_("Find"))}</button></form>'
    )
