"""The till's screens as HTML strings: pure functions of the state, no I/O, nothing kept.

Every piece of text that came from data (product names, shop texts, codes, errors) goes through
`html.escape`, so a product called "<b>Promo</b>" shows its brackets instead of bold text. Buttons
carry `data-action` (and `data-arg`); forms carry `data-action` and their fields become the data.
The ids and classes named in the till's brief are what the browser tests and the JS rely on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from register.cart import Cart, Totals
from register.catalog import Product
from register.shop import Shop

from . import texts
from .forms import Ask, Form, ask_remove, ask_tender, typed
from .i18n import _

__all__ = [
    "Flash",
    "loading_screen",
    "orders_screen",
    "page",
    "pair_screen",
    "pay_screen",
    "receipt_screen",
    "refund_screen",
    "sell_screen",
    "top_bar",
]


class Flash:
    """A message for the cashier: "error" (something was refused or failed) or "info"."""

    __slots__ = ("kind", "text")

    def __init__(self, text: str, kind: str = "error") -> None:
        self.text = text
        self.kind = kind

    def __repr__(self) -> str:
        return f"Flash({self.text!r}, {self.kind!r})"


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


def _local_time(iso: str) -> str:
    """The order's time in the device's zone, as a receipt shows it ("23-11-2026 20:41")."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return moment.astimezone().strftime("%d-%m-%Y %H:%M")


# -- frame -----------------------------------------------------------------------------------


def _attention_item(item: dict[str, Any]) -> str:
    """One rejected, failed or held sale: its name, what happened, the reason and what to do."""
    state = texts.item_state(item)
    uuid = item.get("uuid") or ""
    action = ""
    if texts.action(item) == "retry":
        action = button(
            e(_("Retry")),
            "retry-sale",
            uuid,
            cls="small retry-sale",
            title=_("Send this sale to the relay again"),
        )
    elif texts.action(item) == "ask":
        action = button(
            e(_("Ask again")),
            "retry-sale",
            uuid,
            cls="small ask-again",
            title=_("Ask the relay what became of this sale (the manager retries it there)"),
        )
    return (
        f'<li class="outbox-item state-{e(state)}" data-uuid="{e(uuid)}" data-state="{e(state)}">'
        f'<div class="oi-head"><strong class="oi-name">{e(item.get("name") or uuid)}</strong>'
        f'<span class="oi-state">{e(texts.state_label(state))}</span></div>'
        f'<p class="oi-reason">{e(item.get("error") or texts.no_reason())}</p>'
        f'<p class="oi-hint">{e(texts.hint(item))}</p>'
        f"{action}</li>"
    )


def top_bar(
    shop_name: str,
    terminal: str | None,
    counts: dict[str, Any],
    *,
    panel_open: bool = False,
    settings: str = "",
) -> str:
    """Shop, terminal, network hint and the sync indicator: unsent, failed/rejected and held
    counts, a panel listing each of those with its reason (Retry / Ask again) and Export, and
    "Sync now"; then the `settings` panel (`till.settings`)."""
    pending = int(counts.get("pending") or 0)
    need = texts.attention_counts(counts)
    bad = need["failed"] + need["rejected"]
    held = need["held"]
    items = texts.attention(counts)
    online = counts.get("online")
    net = ""
    if online is True:
        net = (
            f'<span class="net online" title="{e(_("The relay answered the last sync"))}">'
            f"{e(_('Online'))}</span>"
        )
    elif online is False:
        net = (
            f'<span class="net offline" title="{e(_("Sales are kept on this device"))}">'
            f"{e(_('Offline'))}</span>"
        )
    unsent_cls = "unsent has-unsent" if pending else "unsent"
    badges = ""
    if bad:
        badges += (
            f'<span class="badge badge-failed"><span id="failed-count" data-count="{bad}">{bad}</span>'
            f" {e(_('failed'))}</span>"
        )
    if held:
        badges += (
            f'<span class="badge badge-held"><span id="held-count" data-count="{held}">{held}</span>'
            f" {e(_('held'))}</span>"
        )
    if not badges:
        badges = f'<span class="badge badge-plain">{e(_("Sending sales"))}</span>'
    sections = ""
    if bad:
        rows = "".join(
            _attention_item(i) for i in items if i.get("state") in ("failed", "rejected")
        )
        sections += (
            f"<h2>{e(_('Failed or rejected'))}</h2>"
            f'<ul class="failed-reasons">{rows or f"<li>{e(texts.no_reason())}</li>"}</ul>'
        )
    if held:
        rows = "".join(_attention_item(i) for i in items if i.get("state") == "held")
        sections += (
            f"<h2>{e(_('Held for the manager'))}</h2>"
            f'<ul class="held-reasons">{rows or f"<li>{e(texts.no_reason())}</li>"}</ul>'
        )
    count_line = _(
        "{pending} unsent · {sent} waiting for Odoo · {posted} in Odoo",
        pending=pending,
        sent=int(counts.get("sent") or 0),
        posted=int(counts.get("posted") or 0),
    )
    title = _("Sales on this till")
    panel_cls = "sync-panel" + (" failed" if bad else "") + (" held" if held else "")
    panel = (
        f'<details id="sync-panel" class="{panel_cls}"{" open" if panel_open else ""}>'
        f'<summary data-action="sync-panel" title="{e(title)}">{badges}</summary>'
        f'<div class="sync-panel-body"><strong class="sync-panel-title">{e(title)}</strong>'
        f'<p class="sync-counts">{e(count_line)}</p>'
        f"{sections}"
        '<div class="sync-export">'
        + button(e(_("Export")), "export-outbox", id="export-outbox", cls="small")
        + f"<span>{e(_('Save every sale not in Odoo yet to a file.'))}</span></div></div></details>"
    )
    return (
        '<header class="topbar">'
        f'<div class="who"><span class="shop-name">{e(shop_name or "kasir")}</span>'
        + (f'<span class="terminal">{e(terminal)}</span>' if terminal else "")
        + "</div>"
        '<div class="sync-status">'
        f"{net}"
        f'<span class="{unsent_cls}"><span id="pending-count" data-count="{pending}">{pending}</span>'
        f" {e(_('unsent'))}</span>"
        f"{panel}"
        + button(e(_("Sync now")), "sync", id="sync-now", cls="ghost")
        + button(e(_("Keys")), "help", id="keys-help", cls="ghost", aria_keyshortcuts="F1")
        + settings
        + "</div></header>"
    )


def flash_box(flash: Flash | None) -> str:
    """The message area; always present so scripts and tests can find #flash."""
    if flash is None:
        return '<div id="flash" class="flash" role="status" aria-live="polite" hidden></div>'
    role = "alert" if flash.kind == "error" else "status"
    return (
        f'<div id="flash" class="flash flash-{e(flash.kind)}" role="{role}" aria-live="polite">'
        f"{e(flash.text)}</div>"
    )


def _shortcuts() -> list[tuple[str, str]]:
    """The keyboard shortcuts keys.js handles, as the help lists them."""
    arrows = "<kbd>&larr;</kbd> <kbd>&rarr;</kbd> <kbd>&uarr;</kbd> <kbd>&darr;</kbd>"
    return [
        ("<kbd>F1</kbd> <kbd>?</kbd>", _("Show or hide these keys")),
        ("<kbd>F2</kbd>", _("Search products")),
        ("<kbd>F9</kbd>", _("Pay")),
        ("<kbd>F8</kbd>", _("Pay the exact amount in cash")),
        ("<kbd>F12</kbd> <kbd>Ctrl</kbd>+<kbd>Enter</kbd>", _("Validate the payment")),
        ("<kbd>F4</kbd>", _("New sale (on the receipt)")),
        ("<kbd>Esc</kbd>", _("Close the editor or panel, or go back to the sale")),
        (arrows, _("Move between products or categories")),
    ]


def help_overlay() -> str:
    """The keyboard shortcuts, as a modal dialog over the screen (F1, ?, or the Keys button)."""
    rows = "".join(f"<dt>{keys}</dt><dd>{e(text)}</dd>" for keys, text in _shortcuts())
    return (
        '<div class="help-backdrop">'
        '<section id="help" class="help card" role="dialog" aria-modal="true"'
        ' aria-labelledby="help-title">'
        f'<h2 id="help-title">{e(_("Keyboard shortcuts"))}</h2>'
        f'<dl class="keys">{rows}</dl>'
        + button(
            e(_("Close")),
            "help",
            id="help-close",
            cls="primary",
            autofocus=True,
            aria_keyshortcuts="Escape",
        )
        + "</section></div>"
    )


def page(top: str, body: str, flash: Flash | None, screen: str, *, help_open: bool = False) -> str:
    """The whole of #app: top bar, message and one screen; the keys help over it, when open.

    Under the help the screen is inert, so Tab stays in the dialog and its Close takes the focus.
    """
    till = f"{top}{flash_box(flash)}{body}</div>"
    if help_open:
        return f'{help_overlay()}<div class="till screen-{e(screen)}" inert>{till}'
    return f'<div class="till screen-{e(screen)}">{till}'


# -- screens without a sale ----------------------------------------------------------------


def pair_screen(form: Form | None = None) -> str:
    """Ask for the one-time code made by `kasir terminal add NAME` on the relay."""
    entered = typed(form, "pair")
    return (
        '<section class="pair card">'
        f"<h1>{e(_('Pair this till'))}</h1>"
        "<p>"
        + e(_("Type the pairing code your manager made with {command}.")).format(
            command="<code>kasir terminal add</code>"
        )
        + "</p>"
        '<form data-action="pair" autocomplete="off">'
        '<input id="pair-code" name="code" type="text" required autofocus spellcheck="false"'
        f' autocapitalize="off" placeholder="{e(_("Pairing code"))}"'
        f' aria-label="{e(_("Pairing code"))}" value="{e(entered.value("code"))}"'
        f"{entered.marks('code', 'pair-code')}>"
        f"{entered.note('code', 'pair-code')}"
        f'<button type="submit" class="primary">{e(_("Pair"))}</button>'
        "</form></section>"
    )


def loading_screen(message: str, can_retry: bool) -> str:
    """Before the shop data is on the device (or when it could not be loaded)."""
    retry = button(e(_("Retry")), "retry", cls="primary", id="retry") if can_retry else ""
    return f'<section class="loading card"><p>{e(message)}</p>{retry}</section>'


# -- selling -------------------------------------------------------------------------------


def _tile(product: Product, shop: Shop, *, first: bool = False) -> str:
    """A product button; only the first is a Tab stop (arrow keys move inside the grid)."""
    code = product.default_code or product.barcode or ""
    stop = "" if first else ' tabindex="-1"'
    return (
        f'<button type="button" class="tile" data-action="add" data-arg="{product.id}"'
        f' data-product-id="{product.id}"{stop}>'
        f'<span class="tile-name">{e(product.name)}</span>'
        f'<span class="tile-price">{e(shop.currency.format(product.list_price))}</span>'
        + (f'<span class="tile-code">{e(code)}</span>' if code else "")
        + "</button>"
    )


def _chip(label: str, action: str, arg: Any, active: bool) -> str:
    """A toggle in a row of chips; only the active one is a Tab stop (arrow keys move in the row)."""
    return button(
        label,
        action,
        arg,
        cls="chip active" if active else "chip",
        aria_pressed="true" if active else "false",
        tabindex=None if active else "-1",
    )


def _category_bar(categories: Sequence[tuple[int, str]], current: int | None) -> str:
    items = [_chip(e(_("All")), "category", "all", current is None)]
    items += [
        _chip(e(name), "category", categ_id, categ_id == current) for categ_id, name in categories
    ]
    label = e(_("Categories"))
    return f'<nav class="categories" data-roving aria-label="{label}">{"".join(items)}</nav>'


def _pickers(shop: Shop, cart: Cart) -> str:
    """Pricelist and fiscal position chips, only when the shop has a choice to make."""
    rows = []
    if len(shop.pricelists) > 1:
        current = cart.pricelist.id if cart.pricelist is not None else None
        chips = "".join(
            _chip(e(pricelist.name), "pricelist", pricelist.id, pricelist.id == current)
            for pricelist in shop.pricelists.values()
        )
        rows.append(
            '<div class="picker" id="pricelists" data-roving>'
            f'<span class="picker-label">{e(_("Prices"))}</span>{chips}</div>'
        )
    if shop.fiscal_positions:
        current = cart.fiscal_position.id if cart.fiscal_position is not None else None
        options = [(None, _("Standard")), *((f.id, f.name) for f in shop.fiscal_positions.values())]
        chips = "".join(
            _chip(e(name), "fiscal-position", position_id or "none", position_id == current)
            for position_id, name in options
        )
        rows.append(
            '<div class="picker" id="fiscal-positions" data-roving>'
            f'<span class="picker-label">{e(_("Tax"))}</span>{chips}</div>'
        )
    return f'<div class="pickers">{"".join(rows)}</div>' if rows else ""


def _line_editor(shop: Shop, line: Any, was: Decimal | None, form: Form | None = None) -> str:
    """Manual unit price and discount % of one line, with the reason; Apply or Close."""
    uid = e(line.uuid)
    entered = typed(form, "line-edit", line.uuid)
    price = shop.currency.round(line.price_unit)
    reason = line.price_reason or line.discount_reason
    reset = (
        button(
            e(_("Reset price ({price})", price=shop.currency.format(was)))
            if was is not None
            else e(_("Reset price")),
            "reset-price",
            line.uuid,
            cls="ghost",
            id="reset-price",
        )
        if line.price_manually_set
        else ""
    )
    return (
        f'<form class="line-editor" id="line-editor" data-action="line-edit" autocomplete="off">'
        f'<input type="hidden" name="arg" value="{uid}">'
        f'<label>{e(_("Unit price"))}<input id="line-price" name="price" inputmode="decimal" autofocus'
        f' value="{e(entered.value("price", shop.currency.format_number(price)))}"'
        f"{entered.marks('price', 'line-price')}>{entered.note('price', 'line-price')}</label>"
        f'<label>{e(_("Discount %"))}<input id="line-discount" name="discount" inputmode="decimal"'
        f' value="{e(entered.value("discount", _qty(line.discount)))}"'
        f"{entered.marks('discount', 'line-discount')}>"
        f"{entered.note('discount', 'line-discount')}</label>"
        f'<label class="wide">{e(_("Reason"))}<input id="line-reason" name="reason" type="text"'
        f' value="{e(entered.value("reason", reason))}"'
        f' placeholder="{e(_("Why (required for a change)"))}"'
        f"{entered.marks('reason', 'line-reason')}>{entered.note('reason', 'line-reason')}</label>"
        '<div class="editor-actions">'
        f'<button type="submit" class="primary" id="line-apply">{e(_("Apply"))}</button>'
        f"{reset}"
        + button(e(_("Close")), "close-editor", cls="ghost", id="line-close")
        + "</div></form>"
    )


def _cart_line(
    shop: Shop,
    line: Any,
    incl: Decimal,
    highlight: bool,
    *,
    editing: bool = False,
    was: Decimal | None = None,
    form: Form | None = None,
    asking: Ask | None = None,
) -> str:
    entered = typed(form, "qty", line.uuid)
    qty_id = f"qty-{line.uuid}"
    money = shop.currency.format
    kind = getattr(line, "kind", "product")
    refund = line.refunded_line_uuid is not None
    cls = "line last" if highlight else "line"
    if kind != "product":
        cls += " generated"
    if refund:
        cls += " refund"
    head = (
        f'<div class="line-head"><span class="line-name">{e(line.name)}</span>'
        f'<span class="line-amount">{e(money(incl))}</span></div>'
    )
    if kind != "product":  # an order discount or reward: follows the other lines
        why = f'<span class="why">{e(line.price_reason)}</span>' if line.price_reason else ""
        return (
            f'<li class="{cls}" data-line-uuid="{e(line.uuid)}">{head}'
            f'<div class="line-controls"><span class="tag">{e(_("Discount"))}</span>'
            f"{why}"
            + button(
                "&times;", "remove", line.uuid, cls="round danger", aria_label=_("Remove discount")
            )
            + "</div></li>"
        )
    tags = []
    if refund:
        tags.append(f'<span class="tag refund-tag">{e(_("Refund"))}</span>')
    if line.discount:
        tags.append(f'<span class="discount">-{_qty(line.discount)}%</span>')
    if line.price_manually_set:
        manual = (
            _("Manual price was {price}", price=money(was))
            if was is not None
            else _("Manual price")
        )
        tags.append(f'<span class="manual-price">{e(manual)}</span>')
    edit = (
        ""
        if refund
        else button(
            e(_("Edit")), "edit-line", line.uuid, cls="edit", aria_label=_("Edit price or discount")
        )
    )
    return (
        f'<li class="{cls}" data-line-uuid="{e(line.uuid)}">{head}'
        '<div class="line-controls">'
        + button("&minus;", "dec", line.uuid, cls="round", aria_label=_("One less"))
        + f'<form class="qty-form" data-action="qty" autocomplete="off">'
        f'<input type="hidden" name="arg" value="{e(line.uuid)}">'
        f'<input class="qty" id="{e(qty_id)}" name="qty"'
        f' value="{e(entered.value("qty", _qty(line.qty)))}"'
        f' inputmode="decimal" aria-label="{e(_("Quantity"))}"'
        f"{entered.marks('qty', qty_id)}></form>"
        + button("+", "inc", line.uuid, cls="round", aria_label=_("One more"))
        + f'<span class="unit-price">&times; {e(money(line.price_unit))}</span>'
        + edit
        + button("&times;", "remove", line.uuid, cls="round danger", aria_label=_("Remove line"))
        + "</div>"
        + entered.note("qty", qty_id)
        + (
            ask_remove(line.name, line.uuid)
            if asking is not None and asking.kind == "remove" and asking.arg == line.uuid
            else ""
        )
        + (f'<div class="line-notes">{"".join(tags)}</div>' if tags else "")
        + (_line_editor(shop, line, was, form) if editing else "")
        + "</li>"
    )


def _order_discount_form(cart: Cart, form: Form | None = None) -> str:
    current = cart.order_discount
    entered = typed(form, "order-discount")
    percent = entered.value("percent", _qty(current.percent) if current is not None else "")
    reason = entered.value("reason", current.reason if current is not None else "")
    return (
        '<form class="order-discount-form" id="order-discount-form" data-action="order-discount"'
        ' autocomplete="off">'
        f"<label>{e(_('Order discount %'))}"
        '<input id="order-discount-percent" name="percent" autofocus'
        f' inputmode="decimal" value="{e(percent)}" placeholder="0"'
        f"{entered.marks('percent', 'order-discount-percent')}>"
        f"{entered.note('percent', 'order-discount-percent')}</label>"
        f'<label class="wide">{e(_("Reason"))}'
        '<input id="order-discount-reason" name="reason" type="text"'
        f' value="{e(reason)}" placeholder="{e(_("Why"))}"'
        f"{entered.marks('reason', 'order-discount-reason')}>"
        f"{entered.note('reason', 'order-discount-reason')}</label>"
        '<div class="editor-actions">'
        f'<button type="submit" class="primary" id="order-discount-apply">{e(_("Apply"))}</button>'
        + button(e(_("Close")), "close-editor", cls="ghost")
        + "</div></form>"
    )


def _cart_panel(
    shop: Shop,
    cart: Cart,
    totals: Totals,
    last_line: str | None,
    *,
    editing: str | None = None,
    order_discount_open: bool = False,
    was: dict[str, Decimal] | None = None,
    form: Form | None = None,
    asking: Ask | None = None,
) -> str:
    was = was or {}
    incl = {t.uuid: t.price_subtotal_incl for t in totals.lines}
    lines = "".join(
        _cart_line(
            shop,
            line,
            incl.get(line.uuid, Decimal(0)),
            line.uuid == last_line,
            editing=line.uuid == editing,
            was=was.get(line.uuid),
            form=form,
            asking=asking,
        )
        for line in cart.lines
    )
    empty = (
        ""
        if cart.lines
        else f'<p class="empty">{e(_("Scan or tap a product to start a sale."))}</p>'
    )
    total = shop.currency.format(totals.amount_total)
    count = sum(
        (abs(line.qty) for line in cart.lines if getattr(line, "kind", "product") == "product"),
        Decimal(0),
    )
    refund = totals.amount_total < 0
    pay_label = e(
        _("Pay back {amount}", amount=shop.currency.format(-totals.amount_total))
        if refund
        else _("Pay {amount}", amount=total)
    )
    discount_label = (
        _("Order discount ({percent}%)", percent=_qty(cart.order_discount.percent))
        if cart.order_discount is not None
        else _("Order discount")
    )
    return (
        f'<aside class="cart" aria-label="{e(_("Current sale"))}">'
        f"{_pickers(shop, cart)}"
        f'<ol id="cart-lines">{lines}</ol>{empty}'
        '<div class="cart-foot">'
        + (_order_discount_form(cart, form) if order_discount_open else "")
        + '<div class="cart-tools">'
        + button(
            e(discount_label),
            "order-discount-open",
            cls="ghost small",
            id="order-discount",
            disabled=cart.is_empty() or refund,
        )
        + "</div>"
        f'<div class="sum-row"><span>{e(_("Items"))}</span>'
        f'<span id="item-count">{e(_qty(count))}</span></div>'
        f'<div class="sum-row"><span>{e(_("Tax"))}</span>'
        f'<span id="tax">{e(shop.currency.format(totals.amount_tax))}</span></div>'
        f'<div class="sum-row grand"><span>{e(_("Refund") if refund else _("Total"))}</span>'
        f'<span id="total">{e(total)}</span></div>'
        + button(
            pay_label,
            "pay",
            id="pay",
            cls="primary big",
            disabled=cart.is_empty(),
            aria_keyshortcuts="F9",
        )
        + "</div></aside>"
    )


def sell_screen(
    shop: Shop,
    cart: Cart,
    totals: Totals,
    grid: Sequence[Product],
    *,
    query: str,
    category: int | None,
    catalog_size: int,
    grid_limit: int,
    last_line: str | None = None,
    editing: str | None = None,
    order_discount_open: bool = False,
    was: dict[str, Decimal] | None = None,
    form: Form | None = None,
    asking: Ask | None = None,
) -> str:
    """Scan box, search, categories and product tiles on the left; the open sale on the right."""
    focus_editor = editing is not None or order_discount_open
    tiles = "".join(_tile(product, shop, first=i == 0) for i, product in enumerate(grid))
    if not grid:
        if catalog_size == 0:
            hint = _("No products on this till yet. Press Sync now or Refresh catalog when online.")
        elif query:
            hint = _("Nothing matches “{query}”.", query=query)
        else:
            hint = _("No products in this category.")
        tiles = f'<p class="grid-empty">{e(hint)}</p>'
    more = ""
    if len(grid) >= grid_limit and catalog_size > grid_limit:
        more = _("First {n} shown. Search to find the others.", n=grid_limit)
        more = f'<p class="grid-more">{e(more)}</p>'
    clear = button(e(_("Clear")), "search", "", cls="ghost", id="search-clear") if query else ""
    return (
        '<div class="sell">'
        f'<h1 class="visually-hidden">{e(_("Sale"))}</h1>'
        '<section class="products">'
        '<form class="scan-form" data-action="scan" autocomplete="off">'
        f'<input id="scan" name="code" type="text"{"" if focus_editor else " autofocus"}'
        ' spellcheck="false" autocapitalize="off"'
        f' enterkeyhint="enter" placeholder="{e(_("Scan or type a barcode or code"))}"'
        f' aria-label="{e(_("Scan"))}">'
        f'<button type="submit" class="primary" tabindex="-1">{e(_("Add"))}</button></form>'
        '<form class="search-form" data-action="search" role="search" autocomplete="off">'
        f'<input id="search" name="q" type="search" value="{e(query)}" spellcheck="false"'
        f' enterkeyhint="search" placeholder="{e(_("Search by name or code"))}"'
        f' aria-label="{e(_("Search"))}" aria-keyshortcuts="F2">'
        f'<button type="submit" tabindex="-1">{e(_("Search"))}</button>{clear}</form>'
        f"{_category_bar(shop.categories, category)}"
        f'<div class="grid" id="grid" data-roving>{tiles}</div>{more}'
        + '<div class="tools">'
        + button(e(_("Refresh catalog")), "refresh", cls="ghost small", id="refresh")
        + button(e(_("Recent sales")), "orders", cls="ghost small", id="orders")
        + "</div></section>"
        + _cart_panel(
            shop,
            cart,
            totals,
            last_line,
            editing=editing,
            order_discount_open=order_discount_open,
            was=was,
            form=form,
            asking=asking,
        )
        + "</div>"
    )


# -- paying --------------------------------------------------------------------------------


def pay_screen(
    shop: Shop,
    cart: Cart,
    totals: Totals,
    quick_cash: Iterable[Decimal],
    default_method_id: int | None,
    *,
    due_by_method: dict[int, Decimal] | None = None,
    form: Form | None = None,
    asking: Ask | None = None,
) -> str:
    """What is due (or to pay back), what was tendered, the change, and ways to tender.

    `due_by_method` is what each method would still have to settle (positive; cash rounded
    when the shop rounds cash), so "exact" buttons pay exactly that. `asking` an amount far
    above the due puts the question in place of the tender form.
    """
    money = shop.currency.format
    entered = typed(form, "tender")
    chosen = entered.value("method_id", default_method_id)
    refund = cart.is_refund()
    remaining = cart.amount_remaining
    due = max(-remaining, Decimal(0)) if refund else cart.amount_due
    due_by_method = due_by_method or {m.id: due for m in shop.payment_methods}
    payments = "".join(
        f'<li class="payment" data-payment-uuid="{e(p.uuid)}">'
        f"<span>{e(_method_name(shop, p.method_id))}</span><span>{e(money(p.amount))}</span>"
        + button(
            "&times;", "remove-payment", p.uuid, cls="round danger", aria_label=_("Remove payment")
        )
        + "</li>"
        for p in cart.payments
    )
    cash = shop.cash_method()
    exact = "".join(
        button(
            f"{e(method.name)} <small>{e(money(due_by_method.get(method.id, due)))}</small>",
            "pay-exact",
            method.id,
            cls="method big",
            disabled=not due_by_method.get(method.id, due),
            # F8 pays the exact amount in cash (keys.js presses this button)
            **({"id": "exact-cash", "aria_keyshortcuts": "F8"} if method is cash else {}),
        )
        for method in shop.payment_methods
    )
    options = "".join(
        f'<option value="{method.id}"{" selected" if str(method.id) == chosen else ""}>'
        f"{e(method.name)}</option>"
        for method in shop.payment_methods
    )
    quick = "".join(button(e(money(amount)), "tender", amount, cls="cash") for amount in quick_cash)
    paid = cart.is_paid()
    rounding_rows = ""
    if shop.cash_rounding is not None and cash is not None:
        # What the cash payment settles: the rounded total (Odoo rounds when cash pays).
        cash_due = due_by_method.get(cash.id, due)
        rounding = cart.amount_due_for(cash.id) + cart.amount_tendered - totals.amount_total
        rounding_rows = (
            f'<div class="sum-row rounding"><span>{e(_("Cash rounding"))}</span>'
            f'<span id="rounding">{e(money(rounding))}</span></div>'
            f'<div class="sum-row due-cash">'
            f"<span>{e(_('Pay back in cash') if refund else _('Due in cash'))}</span>"
            f'<span id="due-cash">{e(money(cash_due))}</span></div>'
        )
    title = e(_("Pay back") if refund else _("Due"))
    return (
        f'<div class="pay{" refunding" if refund else ""}">'
        f'<h1 class="visually-hidden">{e(_("Refund payment") if refund else _("Payment"))}</h1>'
        '<section class="pay-summary">'
        + button("&larr; " + e(_("Back to sale")), "back", cls="ghost", id="back")
        + (
            '<div class="refund-banner" id="refund-banner">'
            f"{e(_('REFUND: money goes back to the customer'))}</div>"
            if refund
            else ""
        )
        + f'<div class="sum-row grand"><span>{e(_("Refund") if refund else _("Total"))}</span>'
        f'<span id="pay-total">{e(money(totals.amount_total))}</span></div>'
        f"{rounding_rows}"
        f'<div class="sum-row"><span>{e(_("Paid back") if refund else _("Tendered"))}</span>'
        f'<span id="tendered-total">{e(money(cart.amount_tendered))}</span></div>'
        f'<div class="sum-row due{" zero" if not due else ""}"><span>{title}</span><span id="due">{e(money(due))}</span></div>'
        f'<div class="sum-row change"><span>{e(_("Change"))}</span>'
        f'<span id="change">{e(money(cart.change))}</span></div>'
        f'<ul class="payments" id="payments">{payments}</ul>'
        + button(
            e(_("Validate refund") if refund else _("Validate")),
            "validate",
            id="validate",
            cls="primary big",
            disabled=not paid,
            aria_keyshortcuts="F12 Control+Enter",
        )
        + "</section>"
        '<section class="tender">'
        f'<div class="exact"><h2>{e(_("Pay back exactly") if refund else _("Exact amount"))}</h2>'
        f"{exact}</div>"
        + (
            ask_tender(asking)
            if asking is not None and asking.kind == "tender"
            else '<form class="tender-form" data-action="tender" autocomplete="off">'
            f"<h2>{e(_('Amount paid back') if refund else _('Amount tendered'))}</h2>"
            f'<select name="method_id" aria-label="{e(_("Payment method"))}">{options}</select>'
            '<input id="tendered" name="amount" type="text" inputmode="decimal" autofocus'
            f' enterkeyhint="done" placeholder="{e(_("Amount"))}"'
            f' aria-label="{e(_("Amount tendered"))}" value="{e(entered.value("amount"))}"'
            f"{entered.marks('amount', 'tendered')}>"
            f"{entered.note('amount', 'tendered')}"
            f'<button type="submit" class="primary">{e(_("Add"))}</button></form>'
        )
        + (f'<div class="quick-cash"><h2>{e(_("Cash"))}</h2>{quick}</div>' if quick else "")
        + "</section></div>"
    )


def _method_name(shop: Shop, method_id: Any) -> str:
    try:
        method = shop.payment_method(int(method_id))
    except (TypeError, ValueError):
        method = None
    return method.name if method is not None else _("Method {id}", id=method_id)


# -- after the sale --------------------------------------------------------------------------


def _tax_label(shop: Shop, order: dict[str, Any]) -> str:
    """ "Tax (PPN 11%, included)" from the taxes the order's lines used."""
    ids: dict[int, None] = {}
    for line in order.get("lines") or ():
        for tax_id in line.get("tax_ids") or ():
            ids[int(tax_id)] = None
    taxes = shop.taxes_by_ids(ids)
    if not taxes:
        return _("Tax")
    names = ", ".join(tax.name for tax in taxes if tax.name)
    included = all(tax.price_include for tax in taxes)
    detail = ", ".join(x for x in (names, _("included") if included else "") if x)
    return _("Tax ({detail})", detail=detail) if detail else _("Tax")


def _receipt_line(shop: Shop, line: dict[str, Any], was: Decimal | None) -> str:
    money = shop.currency.format
    discount = Decimal(line.get("discount") or "0")
    detail = f"{_qty(line['qty'])} &times; {e(money(Decimal(line['price_unit'])))}"
    if was is not None:
        detail += f' <span class="r-was">{e(_("(was {price})", price=money(was)))}</span>'
    if discount:
        detail += f' <span class="r-discount">&minus;{e(_qty(discount))}%</span>'
    why = line.get("discount_reason") if discount else ""
    if line.get("price_manually_set") and not line.get("is_order_discount"):
        why = line.get("price_reason") or why
    if why:
        detail += f' <span class="r-why">{e(why)}</span>'
    cls = "r-line"
    if line.get("is_order_discount") or line.get("is_reward_line"):
        cls += " r-order-discount"
    if line.get("refunded_line_uuid"):
        cls += " r-refund-line"
    return (
        f'<tr class="{cls}"><td class="r-name">{e(line.get("full_product_name"))}'
        f'<div class="r-detail">{detail}</div></td>'
        f'<td class="r-amount">{e(money(Decimal(line["price_subtotal_incl"])))}</td></tr>'
    )


def _is_refund_record(order: dict[str, Any]) -> bool:
    if any(line.get("refunded_line_uuid") for line in order.get("lines") or ()):
        return True
    return Decimal(order.get("amount_total") or "0") < 0


def receipt_screen(
    shop: Shop,
    order: dict[str, Any],
    terminal: str | None,
    *,
    back_label: str = "",
    was: dict[str, Decimal] | None = None,
    refund_of: str | None = None,
) -> str:
    """The printed receipt of a finished order (or refund) and what to do next.

    `was` maps line uuids of hand-priced lines to the pricelist's price ("was Rp X");
    `refund_of` names the sale a refund gives back, when known.
    """
    money = shop.currency.format
    was = was or {}
    refund = _is_refund_record(order)
    rows = "".join(
        _receipt_line(shop, line, was.get(line.get("uuid") or ""))
        for line in order.get("lines") or ()
    )
    payments = "".join(
        f"<tr><td>{e(_method_name(shop, p.get('method_id')))}</td>"
        f'<td class="r-amount">{e(money(Decimal(p["amount"])))}</td></tr>'
        for p in order.get("payments") or ()
    )
    total = Decimal(order["amount_total"])
    rounding = Decimal(order.get("rounding_applied") or "0")
    rounding_rows = ""
    if rounding:
        rounding_rows = (
            f'<tr class="r-rounding"><td>{e(_("Rounding"))}</td>'
            '<td class="r-amount" id="receipt-rounding">'
            f"{e(money(rounding))}</td></tr>"
            f'<tr class="r-to-pay"><td>{e(_("Paid back") if refund else _("To pay"))}</td>'
            f'<td class="r-amount" id="receipt-to-pay">{e(money(total + rounding))}</td></tr>'
        )
    order_discount = order.get("order_discount") or {}
    discount_note = ""
    if order_discount.get("percent"):
        percent = _qty(order_discount["percent"])
        reason = order_discount.get("reason")
        note = (
            _("Order discount {percent}% ({reason})", percent=percent, reason=reason)
            if reason
            else _("Order discount {percent}%", percent=percent)
        )
        discount_note = f'<div class="r-note" id="receipt-order-discount">{e(note)}</div>'
    refund_mark = ""
    if refund:
        mark = _("REFUND of {name}", name=refund_of) if refund_of else _("REFUND")
        refund_mark = f'<div class="r-refund" id="receipt-refund">{e(mark)}</div>'
    header = _lines_text(shop.receipt_header) if shop.receipt_header else ""
    footer = _lines_text(shop.receipt_footer) if shop.receipt_footer else ""
    name = order.get("name") or ""
    return (
        '<div class="receipt-screen">'
        f'<h1 class="visually-hidden">{e(_("Receipt"))}</h1>'
        f'<article id="receipt" class="receipt{" is-refund" if refund else ""}"'
        f' data-order-name="{e(name)}" data-order-uuid="{e(order.get("uuid"))}"'
        f' data-refund="{"true" if refund else "false"}">'
        f'<header class="r-head"><div class="r-shop">{e(shop.company_name)}</div>'
        + (f'<div class="r-header">{header}</div>' if header else "")
        + "</header>"
        f"{refund_mark}"
        f'<div class="r-meta"><span class="r-order">{e(name)}</span>'
        f'<span class="r-time">{e(_local_time(order.get("created_at") or ""))}</span>'
        + (f'<span class="r-terminal">{e(terminal)}</span>' if terminal else "")
        + "</div>"
        f'<table class="r-lines"><tbody>{rows}</tbody></table>'
        f"{discount_note}"
        '<table class="r-totals"><tbody>'
        f'<tr class="r-total"><td>{e(_("Refund") if refund else _("Total"))}</td>'
        f'<td class="r-amount" id="receipt-total">{e(money(total))}</td></tr>'
        f"{rounding_rows}"
        f'<tr class="r-tax"><td>{e(_tax_label(shop, order))}</td>'
        f'<td class="r-amount">{e(money(Decimal(order["amount_tax"])))}</td></tr>'
        f"{payments}"
        f'<tr class="r-change"><td>{e(_("Change"))}</td><td class="r-amount" id="receipt-change">'
        f"{e(money(Decimal(order.get('amount_return') or '0')))}</td></tr>"
        "</tbody></table>"
        + (f'<footer class="r-foot">{footer}</footer>' if footer else "")
        + "</article>"
        '<div class="receipt-actions">'
        + button(e(_("Print")), "print", id="print", cls="big")
        + button(
            e(back_label or _("New sale")),
            "new-sale",
            id="new-sale",
            cls="primary big",
            autofocus=True,
            aria_keyshortcuts="F4",
        )
        + "</div></div>"
    )


def orders_screen(shop: Shop, orders: Sequence[dict[str, Any]]) -> str:
    """The latest sales of this till, to show or reprint one, or to refund one."""
    money = shop.currency.format
    rows = []
    for order in orders:
        refund = _is_refund_record(order)
        tag = f'<span class="tag refund-tag">{e(_("Refund"))}</span>' if refund else ""
        rows.append(
            f'<li class="order-row{" is-refund" if refund else ""}"'
            f' data-order-uuid="{e(order.get("uuid"))}">'
            + button(
                f'<span class="o-name">{e(order.get("name"))}{tag}</span>'
                f'<span class="o-time">{e(_local_time(order.get("created_at") or ""))}</span>'
                f'<span class="o-total">{e(money(Decimal(order.get("amount_total") or "0")))}</span>',
                "show-order",
                order.get("uuid"),
                cls="order-open",
            )
            + (
                ""
                if refund
                else button(e(_("Refund")), "refund", order.get("uuid"), cls="refund-open ghost")
            )
            + "</li>"
        )
    body = (
        f'<ol class="orders">{"".join(rows)}</ol>'
        if rows
        else f'<p class="empty">{e(_("No sales yet."))}</p>'
    )
    return (
        '<section class="orders-screen card">'
        + button("&larr; " + e(_("Back to sale")), "back", cls="ghost", id="back")
        + f"<h1>{e(_('Recent sales'))}</h1>{body}</section>"
    )


def refund_screen(
    shop: Shop, order: dict[str, Any], left: dict[str, Decimal], *, form: Form | None = None
) -> str:
    """A sale's lines with what can still come back; the cashier types how many of each."""
    money = shop.currency.format
    entered = typed(form, "refund-lines")
    rows = []
    for line in order.get("lines") or ():
        line_uuid = line.get("uuid") or ""
        if line_uuid not in left:
            continue  # nothing sold on this line (a refund line, or qty <= 0)
        can = left[line_uuid]
        sold = Decimal(line.get("qty") or "0")
        name, ident = f"qty-{line_uuid}", f"refund-qty-{line_uuid}"
        field = (
            f'<input class="qty refund-qty" id="{e(ident)}" name="{e(name)}"'
            f' inputmode="decimal" placeholder="0" value="{e(entered.value(name))}"'
            f' aria-label="{e(_("Quantity back (at most {qty})", qty=_qty(can)))}"'
            f"{entered.marks(name, ident)}>{entered.note(name, ident)}"
            if can > 0
            else f'<span class="done">{e(_("Refunded"))}</span>'
        )
        price = Decimal(line.get("price_subtotal_incl") or "0") / sold if sold else Decimal(0)
        rows.append(
            f'<tr class="refund-line{"" if can > 0 else " done"}" data-line-uuid="{e(line_uuid)}">'
            f'<td class="rf-name">{e(line.get("full_product_name"))}'
            f'<div class="r-detail">{e(_("{price} each", price=money(price)))}</div></td>'
            f'<td class="rf-sold">{e(_qty(sold))}</td>'
            f'<td class="rf-left" id="refund-left-{e(line_uuid)}">{e(_qty(can))}</td>'
            f"<td>{field}</td></tr>"
        )
    anything = any(x > 0 for x in left.values())
    has_discount = any(
        line.get("is_order_discount") or line.get("is_reward_line")
        for line in order.get("lines") or ()
    )
    note = (
        '<p class="note">'
        + e(
            _(
                "This sale had an order discount: give back its share too "
                "(its line is listed), or use Refund everything."
            )
        )
        + "</p>"
        if has_discount
        else ""
    )
    return (
        '<section class="refund-screen card">'
        + button("&larr; " + e(_("Back to sale")), "back", cls="ghost", id="back")
        + f"<h1>{e(_('Refund {name}', name=order.get('name')))}</h1>"
        f'<p class="r-time">{e(_local_time(order.get("created_at") or ""))} &middot; '
        f"{e(money(Decimal(order.get('amount_total') or '0')))}</p>"
        f"{note}"
        '<form id="refund-form" data-action="refund-lines" autocomplete="off">'
        f'<input type="hidden" name="arg" value="{e(order.get("uuid"))}">'
        '<table class="refund-lines"><thead><tr>'
        f"<th>{e(_('Product'))}</th><th>{e(_('Sold'))}</th><th>{e(_('Left'))}</th>"
        f"<th>{e(_('Back'))}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + (
            '<div class="refund-actions">'
            '<button type="submit" class="primary big" id="refund-selected">'
            f"{e(_('Refund these'))}</button>"
            + button(
                e(_("Refund everything")),
                "refund-all",
                order.get("uuid"),
                cls="big",
                id="refund-all",
            )
            + "</div>"
            if anything
            else f'<p class="empty">{e(_("Everything in this sale was refunded already."))}</p>'
        )
        + "</form></section>"
    )
