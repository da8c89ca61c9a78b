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
            texts.RETRY, "retry-sale", uuid, cls="small retry-sale", title=texts.RETRY_TITLE
        )
    elif texts.action(item) == "ask":
        action = button(
            texts.ASK_AGAIN, "retry-sale", uuid, cls="small ask-again", title=texts.ASK_AGAIN_TITLE
        )
    return (
        f'<li class="outbox-item state-{e(state)}" data-uuid="{e(uuid)}" data-state="{e(state)}">'
        f'<div class="oi-head"><strong class="oi-name">{e(item.get("name") or uuid)}</strong>'
        f'<span class="oi-state">{e(texts.STATE_LABEL.get(state, state))}</span></div>'
        f'<p class="oi-reason">{e(item.get("error") or texts.NO_REASON)}</p>'
        f'<p class="oi-hint">{e(texts.hint(item))}</p>'
        f"{action}</li>"
    )


def top_bar(
    shop_name: str, terminal: str | None, counts: dict[str, Any], *, panel_open: bool = False
) -> str:
    """Shop, terminal, network hint and the sync indicator: unsent, failed/rejected and held
    counts, a panel listing each of those with its reason (Retry / Ask again) and Export, and
    "Sync now"."""
    pending = int(counts.get("pending") or 0)
    need = texts.attention_counts(counts)
    bad = need["failed"] + need["rejected"]
    held = need["held"]
    items = texts.attention(counts)
    online = counts.get("online")
    net = ""
    if online is True:
        net = f'<span class="net online" title="{e(texts.ONLINE_TITLE)}">{e(texts.ONLINE)}</span>'
    elif online is False:
        net = (
            f'<span class="net offline" title="{e(texts.OFFLINE_TITLE)}">{e(texts.OFFLINE)}</span>'
        )
    unsent_cls = "unsent has-unsent" if pending else "unsent"
    badges = ""
    if bad:
        badges += (
            f'<span class="badge badge-failed"><span id="failed-count" data-count="{bad}">{bad}</span>'
            f" {e(texts.FAILED_BADGE)}</span>"
        )
    if held:
        badges += (
            f'<span class="badge badge-held"><span id="held-count" data-count="{held}">{held}</span>'
            f" {e(texts.HELD_BADGE)}</span>"
        )
    if not badges:
        badges = f'<span class="badge badge-plain">{e(texts.PANEL_CLOSED_HINT)}</span>'
    sections = ""
    if bad:
        rows = "".join(
            _attention_item(i) for i in items if i.get("state") in ("failed", "rejected")
        )
        sections += (
            f"<h2>{e(texts.FAILED_HEADING)}</h2>"
            f'<ul class="failed-reasons">{rows or f"<li>{e(texts.NO_REASON)}</li>"}</ul>'
        )
    if held:
        rows = "".join(_attention_item(i) for i in items if i.get("state") == "held")
        sections += (
            f"<h2>{e(texts.HELD_HEADING)}</h2>"
            f'<ul class="held-reasons">{rows or f"<li>{e(texts.NO_REASON)}</li>"}</ul>'
        )
    count_line = texts.COUNT_LINE.format(
        pending=pending, sent=int(counts.get("sent") or 0), posted=int(counts.get("posted") or 0)
    )
    panel_cls = "sync-panel" + (" failed" if bad else "") + (" held" if held else "")
    panel = (
        f'<details id="sync-panel" class="{panel_cls}"{" open" if panel_open else ""}>'
        f'<summary data-action="sync-panel" title="{e(texts.PANEL_TITLE)}">{badges}</summary>'
        f'<div class="sync-panel-body"><strong class="sync-panel-title">{e(texts.PANEL_TITLE)}</strong>'
        f'<p class="sync-counts">{e(count_line)}</p>'
        f"{sections}"
        '<div class="sync-export">'
        + button(e(texts.EXPORT), "export-outbox", id="export-outbox", cls="small")
        + f"<span>{e(texts.EXPORT_HINT)}</span></div></div></details>"
    )
    return (
        '<header class="topbar">'
        f'<div class="who"><span class="shop-name">{e(shop_name or "kasir")}</span>'
        + (f'<span class="terminal">{e(terminal)}</span>' if terminal else "")
        + "</div>"
        '<div class="sync-status">'
        f"{net}"
        f'<span class="{unsent_cls}"><span id="pending-count" data-count="{pending}">{pending}</span>'
        f" {e(texts.UNSENT)}</span>"
        f"{panel}"
        + button(e(texts.SYNC_NOW), "sync", id="sync-now", cls="ghost")
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


def page(top: str, body: str, flash: Flash | None, screen: str) -> str:
    """The whole of #app: top bar, message and one screen."""
    return f'<div class="till screen-{e(screen)}">{top}{flash_box(flash)}{body}</div>'


# -- screens without a sale ----------------------------------------------------------------


def pair_screen() -> str:
    """Ask for the one-time code made by `kasir terminal add NAME` on the relay."""
    return (
        '<section class="pair card">'
        "<h1>Pair this till</h1>"
        "<p>Type the pairing code your manager made with <code>kasir terminal add</code>.</p>"
        '<form data-action="pair" autocomplete="off">'
        '<input id="pair-code" name="code" type="text" required autofocus spellcheck="false"'
        ' autocapitalize="off" placeholder="Pairing code" aria-label="Pairing code">'
        '<button type="submit" class="primary">Pair</button>'
        "</form></section>"
    )


def loading_screen(message: str, can_retry: bool) -> str:
    """Before the shop data is on the device (or when it could not be loaded)."""
    retry = button("Retry", "retry", cls="primary", id="retry") if can_retry else ""
    return f'<section class="loading card"><p>{e(message)}</p>{retry}</section>'


# -- selling -------------------------------------------------------------------------------


def _tile(product: Product, shop: Shop) -> str:
    code = product.default_code or product.barcode or ""
    return (
        f'<button type="button" class="tile" data-action="add" data-arg="{product.id}"'
        f' data-product-id="{product.id}">'
        f'<span class="tile-name">{e(product.name)}</span>'
        f'<span class="tile-price">{e(shop.currency.format(product.list_price))}</span>'
        + (f'<span class="tile-code">{e(code)}</span>' if code else "")
        + "</button>"
    )


def _category_bar(categories: Sequence[tuple[int, str]], current: int | None) -> str:
    items = [
        button(
            "All",
            "category",
            "all",
            cls="chip active" if current is None else "chip",
            aria_pressed="true" if current is None else "false",
        )
    ]
    for categ_id, name in categories:
        active = categ_id == current
        items.append(
            button(
                e(name),
                "category",
                categ_id,
                cls="chip active" if active else "chip",
                aria_pressed="true" if active else "false",
            )
        )
    return f'<nav class="categories" aria-label="Categories">{"".join(items)}</nav>'


def _pickers(shop: Shop, cart: Cart) -> str:
    """Pricelist and fiscal position chips, only when the shop has a choice to make."""
    rows = []
    if len(shop.pricelists) > 1:
        current = cart.pricelist.id if cart.pricelist is not None else None
        chips = "".join(
            button(
                e(pricelist.name),
                "pricelist",
                pricelist.id,
                cls="chip active" if pricelist.id == current else "chip",
                aria_pressed="true" if pricelist.id == current else "false",
            )
            for pricelist in shop.pricelists.values()
        )
        rows.append(
            f'<div class="picker" id="pricelists"><span class="picker-label">Prices</span>{chips}</div>'
        )
    if shop.fiscal_positions:
        current = cart.fiscal_position.id if cart.fiscal_position is not None else None
        options = [(None, "Standard"), *((f.id, f.name) for f in shop.fiscal_positions.values())]
        chips = "".join(
            button(
                e(name),
                "fiscal-position",
                "none" if position_id is None else position_id,
                cls="chip active" if position_id == current else "chip",
                aria_pressed="true" if position_id == current else "false",
            )
            for position_id, name in options
        )
        rows.append(
            f'<div class="picker" id="fiscal-positions"><span class="picker-label">Tax</span>{chips}</div>'
        )
    return f'<div class="pickers">{"".join(rows)}</div>' if rows else ""


def _line_editor(shop: Shop, line: Any, was: Decimal | None) -> str:
    """Manual unit price and discount % of one line, with the reason; Apply or Close."""
    uid = e(line.uuid)
    price = shop.currency.round(line.price_unit)
    reason = line.price_reason or line.discount_reason
    reset = (
        button(
            f"Reset price{f' ({e(shop.currency.format(was))})' if was is not None else ''}",
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
        '<label>Unit price<input id="line-price" name="price" inputmode="decimal" autofocus'
        f' value="{e(shop.currency.format_number(price))}"></label>'
        '<label>Discount %<input id="line-discount" name="discount" inputmode="decimal"'
        f' value="{e(_qty(line.discount))}"></label>'
        '<label class="wide">Reason<input id="line-reason" name="reason" type="text"'
        f' value="{e(reason)}" placeholder="Why (required for a change)"></label>'
        '<div class="editor-actions">'
        '<button type="submit" class="primary" id="line-apply">Apply</button>'
        f"{reset}" + button("Close", "close-editor", cls="ghost", id="line-close") + "</div></form>"
    )


def _cart_line(
    shop: Shop,
    line: Any,
    incl: Decimal,
    highlight: bool,
    *,
    editing: bool = False,
    was: Decimal | None = None,
) -> str:
    qty = _qty(line.qty)
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
            '<div class="line-controls"><span class="tag">Discount</span>'
            f"{why}"
            + button(
                "&times;", "remove", line.uuid, cls="round danger", aria_label="Remove discount"
            )
            + "</div></li>"
        )
    tags = []
    if refund:
        tags.append('<span class="tag refund-tag">Refund</span>')
    if line.discount:
        tags.append(f'<span class="discount">-{_qty(line.discount)}%</span>')
    if line.price_manually_set:
        was_text = f" was {e(money(was))}" if was is not None else ""
        tags.append(f'<span class="manual-price">Manual price{was_text}</span>')
    edit = (
        ""
        if refund
        else button("Edit", "edit-line", line.uuid, cls="edit", aria_label="Price or discount")
    )
    return (
        f'<li class="{cls}" data-line-uuid="{e(line.uuid)}">{head}'
        '<div class="line-controls">'
        + button("&minus;", "dec", line.uuid, cls="round", aria_label="One less")
        + f'<form class="qty-form" data-action="qty" autocomplete="off">'
        f'<input type="hidden" name="arg" value="{e(line.uuid)}">'
        f'<input class="qty" id="qty-{e(line.uuid)}" name="qty" value="{e(qty)}"'
        ' inputmode="decimal" aria-label="Quantity"></form>'
        + button("+", "inc", line.uuid, cls="round", aria_label="One more")
        + f'<span class="unit-price">&times; {e(money(line.price_unit))}</span>'
        + edit
        + button("&times;", "remove", line.uuid, cls="round danger", aria_label="Remove line")
        + "</div>"
        + (f'<div class="line-notes">{"".join(tags)}</div>' if tags else "")
        + (_line_editor(shop, line, was) if editing else "")
        + "</li>"
    )


def _order_discount_form(cart: Cart) -> str:
    current = cart.order_discount
    percent = _qty(current.percent) if current is not None else ""
    reason = current.reason if current is not None else ""
    return (
        '<form class="order-discount-form" id="order-discount-form" data-action="order-discount"'
        ' autocomplete="off">'
        '<label>Order discount %<input id="order-discount-percent" name="percent" autofocus'
        f' inputmode="decimal" value="{e(percent)}" placeholder="0"></label>'
        '<label class="wide">Reason<input id="order-discount-reason" name="reason" type="text"'
        f' value="{e(reason)}" placeholder="Why"></label>'
        '<div class="editor-actions">'
        '<button type="submit" class="primary" id="order-discount-apply">Apply</button>'
        + button("Close", "close-editor", cls="ghost")
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
        )
        for line in cart.lines
    )
    empty = "" if cart.lines else '<p class="empty">Scan or tap a product to start a sale.</p>'
    total = shop.currency.format(totals.amount_total)
    count = sum(
        (abs(line.qty) for line in cart.lines if getattr(line, "kind", "product") == "product"),
        Decimal(0),
    )
    refund = totals.amount_total < 0
    pay_label = (
        f"Pay back {e(shop.currency.format(-totals.amount_total))}"
        if refund
        else (f"Pay {e(total)}")
    )
    discount_label = "Order discount"
    if cart.order_discount is not None:
        discount_label += f" ({_qty(cart.order_discount.percent)}%)"
    return (
        '<aside class="cart" aria-label="Current sale">'
        f"{_pickers(shop, cart)}"
        f'<ol id="cart-lines">{lines}</ol>{empty}'
        '<div class="cart-foot">'
        + (_order_discount_form(cart) if order_discount_open else "")
        + '<div class="cart-tools">'
        + button(
            e(discount_label),
            "order-discount-open",
            cls="ghost small",
            id="order-discount",
            disabled=cart.is_empty() or refund,
        )
        + "</div>"
        f'<div class="sum-row"><span>Items</span><span id="item-count">{e(_qty(count))}</span></div>'
        f'<div class="sum-row"><span>Tax</span><span id="tax">{e(shop.currency.format(totals.amount_tax))}</span></div>'
        f'<div class="sum-row grand"><span>{"Refund" if refund else "Total"}</span>'
        f'<span id="total">{e(total)}</span></div>'
        + button(
            pay_label,
            "pay",
            id="pay",
            cls="primary big",
            disabled=cart.is_empty(),
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
) -> str:
    """Scan box, search, categories and product tiles on the left; the open sale on the right."""
    focus_editor = editing is not None or order_discount_open
    tiles = "".join(_tile(product, shop) for product in grid)
    if not grid:
        if catalog_size == 0:
            hint = "No products on this till yet. Press Sync now or Refresh catalog when online."
        elif query:
            hint = f"Nothing matches “{query}”."
        else:
            hint = "No products in this category."
        tiles = f'<p class="grid-empty">{e(hint)}</p>'
    more = ""
    if len(grid) >= grid_limit and catalog_size > grid_limit:
        more = f'<p class="grid-more">First {grid_limit} shown. Search to find the others.</p>'
    clear = button("Clear", "search", "", cls="ghost", id="search-clear") if query else ""
    return (
        '<div class="sell">'
        '<section class="products">'
        '<form class="scan-form" data-action="scan" autocomplete="off">'
        f'<input id="scan" name="code" type="text"{"" if focus_editor else " autofocus"}'
        ' spellcheck="false" autocapitalize="off"'
        ' enterkeyhint="enter" placeholder="Scan or type a barcode or code" aria-label="Scan">'
        '<button type="submit" class="primary">Add</button></form>'
        '<form class="search-form" data-action="search" role="search" autocomplete="off">'
        f'<input id="search" name="q" type="search" value="{e(query)}" spellcheck="false"'
        ' enterkeyhint="search" placeholder="Search by name or code" aria-label="Search">'
        f'<button type="submit">Search</button>{clear}</form>'
        f"{_category_bar(shop.categories, category)}"
        f'<div class="grid" id="grid">{tiles}</div>{more}'
        + '<div class="tools">'
        + button("Refresh catalog", "refresh", cls="ghost small", id="refresh")
        + button("Recent sales", "orders", cls="ghost small", id="orders")
        + "</div></section>"
        + _cart_panel(
            shop,
            cart,
            totals,
            last_line,
            editing=editing,
            order_discount_open=order_discount_open,
            was=was,
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
) -> str:
    """What is due (or to pay back), what was tendered, the change, and ways to tender.

    `due_by_method` is what each method would still have to settle (positive; cash rounded
    when the shop rounds cash), so "exact" buttons pay exactly that.
    """
    money = shop.currency.format
    refund = cart.is_refund()
    remaining = cart.amount_remaining
    due = max(-remaining, Decimal(0)) if refund else cart.amount_due
    due_by_method = due_by_method or {m.id: due for m in shop.payment_methods}
    payments = "".join(
        f'<li class="payment" data-payment-uuid="{e(p.uuid)}">'
        f"<span>{e(_method_name(shop, p.method_id))}</span><span>{e(money(p.amount))}</span>"
        + button("&times;", "remove-payment", p.uuid, cls="round danger", aria_label="Remove")
        + "</li>"
        for p in cart.payments
    )
    exact = "".join(
        button(
            f"{e(method.name)} <small>{e(money(due_by_method.get(method.id, due)))}</small>",
            "pay-exact",
            method.id,
            cls="method big",
            disabled=not due_by_method.get(method.id, due),
        )
        for method in shop.payment_methods
    )
    options = "".join(
        f'<option value="{method.id}"{" selected" if method.id == default_method_id else ""}>'
        f"{e(method.name)}</option>"
        for method in shop.payment_methods
    )
    quick = "".join(button(e(money(amount)), "tender", amount, cls="cash") for amount in quick_cash)
    paid = cart.is_paid()
    rounding_rows = ""
    cash = shop.cash_method()
    if shop.cash_rounding is not None and cash is not None:
        # What the cash payment settles: the rounded total (Odoo rounds when cash pays).
        cash_due = due_by_method.get(cash.id, due)
        rounding = cart.amount_due_for(cash.id) + cart.amount_tendered - totals.amount_total
        rounding_rows = (
            f'<div class="sum-row rounding"><span>Cash rounding</span>'
            f'<span id="rounding">{e(money(rounding))}</span></div>'
            f'<div class="sum-row due-cash"><span>{"Pay back" if refund else "Due"} in cash</span>'
            f'<span id="due-cash">{e(money(cash_due))}</span></div>'
        )
    title = "Pay back" if refund else "Due"
    return (
        f'<div class="pay{" refunding" if refund else ""}">'
        '<section class="pay-summary">'
        + button("&larr; Back to sale", "back", cls="ghost", id="back")
        + (
            '<div class="refund-banner" id="refund-banner">REFUND: money goes back to the customer</div>'
            if refund
            else ""
        )
        + f'<div class="sum-row grand"><span>{"Refund" if refund else "Total"}</span>'
        f'<span id="pay-total">{e(money(totals.amount_total))}</span></div>'
        f"{rounding_rows}"
        f'<div class="sum-row"><span>{"Paid back" if refund else "Tendered"}</span>'
        f'<span id="tendered-total">{e(money(cart.amount_tendered))}</span></div>'
        f'<div class="sum-row due{" zero" if not due else ""}"><span>{title}</span><span id="due">{e(money(due))}</span></div>'
        f'<div class="sum-row change"><span>Change</span><span id="change">{e(money(cart.change))}</span></div>'
        f'<ul class="payments" id="payments">{payments}</ul>'
        + button(
            "Validate refund" if refund else "Validate",
            "validate",
            id="validate",
            cls="primary big",
            disabled=not paid,
        )
        + "</section>"
        '<section class="tender">'
        f'<div class="exact"><h2>{"Pay back exactly" if refund else "Exact amount"}</h2>{exact}</div>'
        '<form class="tender-form" data-action="tender" autocomplete="off">'
        f"<h2>{'Amount paid back' if refund else 'Amount tendered'}</h2>"
        f'<select name="method_id" aria-label="Payment method">{options}</select>'
        '<input id="tendered" name="amount" type="text" inputmode="numeric" autofocus'
        ' enterkeyhint="done" placeholder="Amount" aria-label="Amount tendered">'
        '<button type="submit" class="primary">Add</button></form>'
        + (f'<div class="quick-cash"><h2>Cash</h2>{quick}</div>' if quick else "")
        + "</section></div>"
    )


def _method_name(shop: Shop, method_id: Any) -> str:
    try:
        method = shop.payment_method(int(method_id))
    except (TypeError, ValueError):
        method = None
    return method.name if method is not None else f"Method {method_id}"


# -- after the sale --------------------------------------------------------------------------


def _tax_label(shop: Shop, order: dict[str, Any]) -> str:
    """ "Tax (PPN 11%, included)" from the taxes the order's lines used."""
    ids: dict[int, None] = {}
    for line in order.get("lines") or ():
        for tax_id in line.get("tax_ids") or ():
            ids[int(tax_id)] = None
    taxes = shop.taxes_by_ids(ids)
    if not taxes:
        return "Tax"
    names = ", ".join(tax.name for tax in taxes if tax.name)
    included = all(tax.price_include for tax in taxes)
    detail = ", ".join(x for x in (names, "included" if included else "") if x)
    return f"Tax ({detail})" if detail else "Tax"


def _receipt_line(shop: Shop, line: dict[str, Any], was: Decimal | None) -> str:
    money = shop.currency.format
    discount = Decimal(line.get("discount") or "0")
    detail = f"{_qty(line['qty'])} &times; {e(money(Decimal(line['price_unit'])))}"
    if was is not None:
        detail += f' <span class="r-was">(was {e(money(was))})</span>'
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
    back_label: str = "New sale",
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
            f'<tr class="r-rounding"><td>Rounding</td><td class="r-amount" id="receipt-rounding">'
            f"{e(money(rounding))}</td></tr>"
            f'<tr class="r-to-pay"><td>{"Paid back" if refund else "To pay"}</td>'
            f'<td class="r-amount" id="receipt-to-pay">{e(money(total + rounding))}</td></tr>'
        )
    order_discount = order.get("order_discount") or {}
    discount_note = ""
    if order_discount.get("percent"):
        discount_note = (
            f'<div class="r-note" id="receipt-order-discount">Order discount '
            f"{e(_qty(order_discount['percent']))}%"
            + (f" ({e(order_discount.get('reason'))})" if order_discount.get("reason") else "")
            + "</div>"
        )
    refund_mark = ""
    if refund:
        refund_mark = (
            '<div class="r-refund" id="receipt-refund">REFUND'
            + (f" of {e(refund_of)}" if refund_of else "")
            + "</div>"
        )
    header = _lines_text(shop.receipt_header) if shop.receipt_header else ""
    footer = _lines_text(shop.receipt_footer) if shop.receipt_footer else ""
    name = order.get("name") or ""
    return (
        '<div class="receipt-screen">'
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
        f'<tr class="r-total"><td>{"Refund" if refund else "Total"}</td>'
        f'<td class="r-amount" id="receipt-total">{e(money(total))}</td></tr>'
        f"{rounding_rows}"
        f'<tr class="r-tax"><td>{e(_tax_label(shop, order))}</td>'
        f'<td class="r-amount">{e(money(Decimal(order["amount_tax"])))}</td></tr>'
        f"{payments}"
        f'<tr class="r-change"><td>Change</td><td class="r-amount" id="receipt-change">'
        f"{e(money(Decimal(order.get('amount_return') or '0')))}</td></tr>"
        "</tbody></table>"
        + (f'<footer class="r-foot">{footer}</footer>' if footer else "")
        + "</article>"
        '<div class="receipt-actions">'
        + button("Print", "print", id="print", cls="big")
        + button(e(back_label), "new-sale", id="new-sale", cls="primary big", autofocus=True)
        + "</div></div>"
    )


def orders_screen(shop: Shop, orders: Sequence[dict[str, Any]]) -> str:
    """The latest sales of this till, to show or reprint one, or to refund one."""
    money = shop.currency.format
    rows = []
    for order in orders:
        refund = _is_refund_record(order)
        tag = '<span class="tag refund-tag">Refund</span>' if refund else ""
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
                else button("Refund", "refund", order.get("uuid"), cls="refund-open ghost")
            )
            + "</li>"
        )
    body = (
        f'<ol class="orders">{"".join(rows)}</ol>' if rows else '<p class="empty">No sales yet.</p>'
    )
    return (
        '<section class="orders-screen card">'
        + button("&larr; Back to sale", "back", cls="ghost", id="back")
        + f"<h1>Recent sales</h1>{body}</section>"
    )


def refund_screen(shop: Shop, order: dict[str, Any], left: dict[str, Decimal]) -> str:
    """A sale's lines with what can still come back; the cashier types how many of each."""
    money = shop.currency.format
    rows = []
    for line in order.get("lines") or ():
        line_uuid = line.get("uuid") or ""
        if line_uuid not in left:
            continue  # nothing sold on this line (a refund line, or qty <= 0)
        can = left[line_uuid]
        sold = Decimal(line.get("qty") or "0")
        field = (
            f'<input class="qty refund-qty" id="refund-qty-{e(line_uuid)}" name="qty-{e(line_uuid)}"'
            f' inputmode="decimal" placeholder="0" aria-label="Quantity back (at most {e(_qty(can))})">'
            if can > 0
            else '<span class="done">Refunded</span>'
        )
        price = Decimal(line.get("price_subtotal_incl") or "0") / sold if sold else Decimal(0)
        rows.append(
            f'<tr class="refund-line{"" if can > 0 else " done"}" data-line-uuid="{e(line_uuid)}">'
            f'<td class="rf-name">{e(line.get("full_product_name"))}'
            f'<div class="r-detail">{e(money(price))} each</div></td>'
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
        '<p class="note">This sale had an order discount: give back its share too '
        "(its line is listed), or use Refund everything.</p>"
        if has_discount
        else ""
    )
    return (
        '<section class="refund-screen card">'
        + button("&larr; Back to sale", "back", cls="ghost", id="back")
        + f"<h1>Refund {e(order.get('name'))}</h1>"
        f'<p class="r-time">{e(_local_time(order.get("created_at") or ""))} &middot; '
        f"{e(money(Decimal(order.get('amount_total') or '0')))}</p>"
        f"{note}"
        '<form id="refund-form" data-action="refund-lines" autocomplete="off">'
        f'<input type="hidden" name="arg" value="{e(order.get("uuid"))}">'
        '<table class="refund-lines"><thead><tr><th>Product</th><th>Sold</th><th>Left</th>'
        f"<th>Back</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + (
            '<div class="refund-actions">'
            '<button type="submit" class="primary big" id="refund-selected">Refund these</button>'
            + button(
                "Refund everything", "refund-all", order.get("uuid"), cls="big", id="refund-all"
            )
            + "</div>"
            if anything
            else '<p class="empty">Everything in this sale was refunded already.</p>'
        )
        + "</form></section>"
    )
