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

__all__ = [
    "Flash",
    "loading_screen",
    "orders_screen",
    "page",
    "pair_screen",
    "pay_screen",
    "receipt_screen",
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


def top_bar(shop_name: str, terminal: str | None, counts: dict[str, Any]) -> str:
    """Shop, terminal, network hint and the sync indicator (unsent, failed, "Sync now")."""
    pending = int(counts.get("pending") or 0)
    failed = int(counts.get("failed") or 0)
    online = counts.get("online")
    net = ""
    if online is True:
        net = '<span class="net online" title="The relay answered the last sync">Online</span>'
    elif online is False:
        net = '<span class="net offline" title="Sales are kept on this device">Offline</span>'
    unsent_cls = "unsent has-unsent" if pending else "unsent"
    failed_html = ""
    if failed:
        reasons = "".join(
            f"<li><strong>{e(err.get('name') or err.get('uuid'))}</strong>: {e(err.get('error'))}</li>"
            for err in counts.get("errors") or ()
            if isinstance(err, dict)
        )
        failed_html = (
            '<details class="failed"><summary>'
            f'<span id="failed-count" data-count="{failed}">{failed}</span> failed</summary>'
            f'<ul class="failed-reasons">{reasons or "<li>No reason given.</li>"}</ul></details>'
        )
    return (
        '<header class="topbar">'
        f'<div class="who"><span class="shop-name">{e(shop_name or "kasir")}</span>'
        + (f'<span class="terminal">{e(terminal)}</span>' if terminal else "")
        + "</div>"
        '<div class="sync-status">'
        f"{net}"
        f'<span class="{unsent_cls}"><span id="pending-count" data-count="{pending}">{pending}</span>'
        " unsent</span>"
        f"{failed_html}"
        + button("Sync now", "sync", id="sync-now", cls="ghost")
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


def _cart_line(shop: Shop, line: Any, incl: Decimal, highlight: bool) -> str:
    qty = _qty(line.qty)
    cls = "line last" if highlight else "line"
    discount = f'<span class="discount">-{_qty(line.discount)}%</span>' if line.discount else ""
    return (
        f'<li class="{cls}" data-line-uuid="{e(line.uuid)}">'
        f'<div class="line-head"><span class="line-name">{e(line.name)}</span>'
        f'<span class="line-amount">{e(shop.currency.format(incl))}</span></div>'
        '<div class="line-controls">'
        + button("&minus;", "dec", line.uuid, cls="round", aria_label="One less")
        + f'<form class="qty-form" data-action="qty" autocomplete="off">'
        f'<input type="hidden" name="arg" value="{e(line.uuid)}">'
        f'<input class="qty" id="qty-{e(line.uuid)}" name="qty" value="{e(qty)}"'
        ' inputmode="decimal" aria-label="Quantity"></form>'
        + button("+", "inc", line.uuid, cls="round", aria_label="One more")
        + f'<span class="unit-price">&times; {e(shop.currency.format(line.price_unit))}</span>'
        f"{discount}"
        + button("&times;", "remove", line.uuid, cls="round danger", aria_label="Remove line")
        + "</div></li>"
    )


def _cart_panel(shop: Shop, cart: Cart, totals: Totals, last_line: str | None) -> str:
    incl = {t.uuid: t.price_subtotal_incl for t in totals.lines}
    lines = "".join(
        _cart_line(shop, line, incl.get(line.uuid, Decimal(0)), line.uuid == last_line)
        for line in cart.lines
    )
    empty = "" if cart.lines else '<p class="empty">Scan or tap a product to start a sale.</p>'
    total = shop.currency.format(totals.amount_total)
    count = sum((line.qty for line in cart.lines), Decimal(0))
    return (
        '<aside class="cart" aria-label="Current sale">'
        f'<ol id="cart-lines">{lines}</ol>{empty}'
        '<div class="cart-foot">'
        f'<div class="sum-row"><span>Items</span><span id="item-count">{e(_qty(count))}</span></div>'
        f'<div class="sum-row"><span>Tax</span><span id="tax">{e(shop.currency.format(totals.amount_tax))}</span></div>'
        f'<div class="sum-row grand"><span>Total</span><span id="total">{e(total)}</span></div>'
        + button(
            f"Pay {e(total)}",
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
) -> str:
    """Scan box, search, categories and product tiles on the left; the open sale on the right."""
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
        '<input id="scan" name="code" type="text" autofocus spellcheck="false" autocapitalize="off"'
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
        f"{_cart_panel(shop, cart, totals, last_line)}"
        "</div>"
    )


# -- paying --------------------------------------------------------------------------------


def pay_screen(
    shop: Shop,
    cart: Cart,
    totals: Totals,
    quick_cash: Iterable[Decimal],
    default_method_id: int | None,
) -> str:
    """What is due, what was tendered, the change, and ways to tender."""
    money = shop.currency.format
    due = cart.amount_due
    payments = "".join(
        f'<li class="payment" data-payment-uuid="{e(p.uuid)}">'
        f"<span>{e(_method_name(shop, p.method_id))}</span><span>{e(money(p.amount))}</span>"
        + button("&times;", "remove-payment", p.uuid, cls="round danger", aria_label="Remove")
        + "</li>"
        for p in cart.payments
    )
    exact = "".join(
        button(
            f"{e(method.name)} <small>{e(money(due))}</small>",
            "pay-exact",
            method.id,
            cls="method big",
            disabled=not due,
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
    return (
        '<div class="pay">'
        '<section class="pay-summary">'
        + button("&larr; Back to sale", "back", cls="ghost", id="back")
        + f'<div class="sum-row grand"><span>Total</span><span id="pay-total">{e(money(totals.amount_total))}</span></div>'
        f'<div class="sum-row"><span>Tendered</span><span id="tendered-total">{e(money(cart.amount_tendered))}</span></div>'
        f'<div class="sum-row due{" zero" if not due else ""}"><span>Due</span><span id="due">{e(money(due))}</span></div>'
        f'<div class="sum-row change"><span>Change</span><span id="change">{e(money(cart.change))}</span></div>'
        f'<ul class="payments" id="payments">{payments}</ul>'
        + button("Validate", "validate", id="validate", cls="primary big", disabled=not paid)
        + "</section>"
        '<section class="tender">'
        f'<div class="exact"><h2>Exact amount</h2>{exact}</div>'
        '<form class="tender-form" data-action="tender" autocomplete="off">'
        "<h2>Amount tendered</h2>"
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


def receipt_screen(
    shop: Shop, order: dict[str, Any], terminal: str | None, *, back_label: str = "New sale"
) -> str:
    """The printed receipt of a finished order and what to do next."""
    money = shop.currency.format
    rows = []
    for line in order.get("lines") or ():
        discount = Decimal(line.get("discount") or "0")
        detail = f"{_qty(line['qty'])} &times; {e(money(Decimal(line['price_unit'])))}"
        if discount:
            detail += f" &minus;{e(_qty(discount))}%"
        rows.append(
            f'<tr class="r-line"><td class="r-name">{e(line.get("full_product_name"))}'
            f'<div class="r-detail">{detail}</div></td>'
            f'<td class="r-amount">{e(money(Decimal(line["price_subtotal_incl"])))}</td></tr>'
        )
    payments = "".join(
        f"<tr><td>{e(_method_name(shop, p.get('method_id')))}</td>"
        f'<td class="r-amount">{e(money(Decimal(p["amount"])))}</td></tr>'
        for p in order.get("payments") or ()
    )
    header = _lines_text(shop.receipt_header) if shop.receipt_header else ""
    footer = _lines_text(shop.receipt_footer) if shop.receipt_footer else ""
    name = order.get("name") or ""
    return (
        '<div class="receipt-screen">'
        f'<article id="receipt" class="receipt" data-order-name="{e(name)}"'
        f' data-order-uuid="{e(order.get("uuid"))}">'
        f'<header class="r-head"><div class="r-shop">{e(shop.company_name)}</div>'
        + (f'<div class="r-header">{header}</div>' if header else "")
        + "</header>"
        f'<div class="r-meta"><span class="r-order">{e(name)}</span>'
        f'<span class="r-time">{e(_local_time(order.get("created_at") or ""))}</span>'
        + (f'<span class="r-terminal">{e(terminal)}</span>' if terminal else "")
        + "</div>"
        f'<table class="r-lines"><tbody>{"".join(rows)}</tbody></table>'
        '<table class="r-totals"><tbody>'
        f'<tr class="r-total"><td>Total</td><td class="r-amount" id="receipt-total">'
        f"{e(money(Decimal(order['amount_total'])))}</td></tr>"
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
    """The latest sales of this till, to show or reprint one."""
    money = shop.currency.format
    rows = "".join(
        f'<li class="order-row" data-order-uuid="{e(order.get("uuid"))}">'
        + button(
            f'<span class="o-name">{e(order.get("name"))}</span>'
            f'<span class="o-time">{e(_local_time(order.get("created_at") or ""))}</span>'
            f'<span class="o-total">{e(money(Decimal(order.get("amount_total") or "0")))}</span>',
            "show-order",
            order.get("uuid"),
            cls="order-open",
        )
        + "</li>"
        for order in orders
    )
    body = f'<ol class="orders">{rows}</ol>' if rows else '<p class="empty">No sales yet.</p>'
    return (
        '<section class="orders-screen card">'
        + button("&larr; Back to sale", "back", cls="ghost", id="back")
        + f"<h1>Recent sales</h1>{body}</section>"
    )
