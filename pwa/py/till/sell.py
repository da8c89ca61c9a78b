"""The sell screen: scan box, search, categories and product tiles; the open sale beside them.

Apart because it is the biggest screen: the cart with its line editor, order discount and pickers.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.cart import Cart, Totals
from register.catalog import Product
from register.errors import InvalidAmount, RegisterError, UnknownProduct
from register.money import parse_money
from register.shop import Shop

from . import cashiers, customers, numpad
from .actions import Actions
from .forms import Ask, Form, ask_remove, ask_void, in_field, number_text, typed
from .i18n import _
from .parked import ask_park
from .views import Flash, Fragments, _qty, button, e

if TYPE_CHECKING:
    from .app import Till

GRID_LIMIT = 60  # tiles on screen; a search narrows the rest

__all__ = ["sell_screen"]


def _tile(product: Product, shop: Shop, *, first: bool = False, version: str = "") -> str:
    """A product button; only the first is a Tab stop (arrow keys move inside the grid).

    It takes its POS category's colour (Odoo's palette, `c1`..`c11` in till.css) and shows the
    product's picture when the relay has one: the service worker fetches it with the terminal's
    token and keeps it offline; a picture that does not come leaves the colour. Its box has a
    fixed size, so tiles do not move when pictures arrive, and it loads only when in view."""
    code = product.default_code or product.barcode or ""
    stop = "" if first else ' tabindex="-1"'
    color = shop.category_colors.get(product.pos_categ_id or 0)
    picture = (
        f'<img class="tile-img" src="/api/v1/images/{product.id}?v={e(product.image)}"'
        ' width="128" height="128" alt="" loading="lazy" decoding="async">'
        if product.image
        else ""
    )
    return (
        f'<button type="button" class="tile{f" c{color}" if color else ""}" data-action="add"'
        f' data-arg="{product.id}" data-product-id="{product.id}"{stop}{_version(version)}>'
        f"{picture}"
        f'<span class="tile-name">{e(product.name)}</span>'
        f'<span class="tile-price">{e(shop.currency.format(product.list_price))}</span>'
        + (f'<span class="tile-code">{e(code)}</span>' if code else "")
        + "</button>"
    )


def _version(version: str) -> str:
    """The `data-v` of a kept fragment (views.Fragments); none for one rendered for once."""
    return f' data-v="{version}"' if version else ""


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


def _pickers(shop: Shop, cart: Cart, customer: str = "") -> str:
    """The sale's customer, then pricelist and fiscal position chips when the shop has a choice."""
    rows = [customer] if customer else []
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
    version: str = "",
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
            f'<li class="{cls}" data-line-uuid="{e(line.uuid)}"{_version(version)}>{head}'
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
        else button(e(_("Edit")), "edit-line", cls="edit", aria_label=_("Edit price or discount"))
    )
    return (
        # A tap on the line (not on its controls) opens the numpad on it (till/numpad.py).
        # Its buttons and qty form carry no uuid: boot.js sends the line's (a 50-line sale's
        # HTML is parsed again at each scan, issue 10).
        f'<li class="{cls}" data-line-uuid="{e(line.uuid)}" data-action="numpad-select"'
        f' data-arg="{e(line.uuid)}"{_version(version)}>{head}'
        '<div class="line-controls">'
        + button("&minus;", "dec", cls="round", aria_label=_("One less"))
        + f'<form class="qty-form" data-action="qty" autocomplete="off">'
        f'<input class="qty" id="{e(qty_id)}" name="qty"'
        f' value="{e(entered.value("qty", _qty(line.qty)))}"'
        f' inputmode="decimal" aria-label="{e(_("Quantity"))}"'
        f"{entered.marks('qty', qty_id)}></form>"
        + button("+", "inc", cls="round", aria_label=_("One more"))
        + f'<span class="unit-price">&times; {e(money(line.price_unit))}</span>'
        + edit
        + button("&times;", "remove", cls="round danger", aria_label=_("Remove line"))
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


# A sale's lines and the grid's tiles, each rendered once for what it shows (views.Fragments).
_LINES = Fragments()
_TILES = Fragments()


def _kept_line(shop: Shop, line: Any, incl: Decimal, highlight: bool, was: Decimal | None) -> str:
    """A line with no editor, form or question on it: its HTML follows from what it shows."""
    key = (
        line.uuid,
        line.name,
        line.qty,
        line.price_unit,
        line.discount,
        line.price_manually_set,
        line.refunded_line_uuid,
        getattr(line, "kind", "product"),
        line.price_reason,
        incl,
        highlight,
        was,
    )
    return _LINES.get(
        shop, key, lambda version: _cart_line(shop, line, incl, highlight, was=was, version=version)
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
    reveal: str | None = None,
    customer: str = "",
    pad: str = "",
) -> str:
    was = was or {}
    # The line the last action changed: boot.js scrolls the list to it (a long sale's newest line).
    shown = f' data-reveal="{e(reveal)}"' if reveal else ""
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
        if line.uuid == editing
        or form is not None
        or (asking is not None and asking.arg == line.uuid)
        else _kept_line(
            shop, line, incl.get(line.uuid, Decimal(0)), line.uuid == last_line, was.get(line.uuid)
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
        # The customer, the pickers and the lines scroll as one, above the numpad and the totals.
        f'<div class="cart-body">{_pickers(shop, cart, customer)}'
        f'<ol id="cart-lines"{shown}>{lines}</ol>{empty}</div>{pad}'
        '<div class="cart-foot">'
        + (_order_discount_form(cart, form) if order_discount_open else "")
        + f'<div class="cart-tools" role="toolbar" data-roving aria-label="{e(_("Sale"))}">'
        + button(
            e(discount_label),
            "order-discount-open",
            cls="ghost small",
            id="order-discount",
            disabled=cart.is_empty() or refund,
        )
        + button(
            e(_("Park")),
            "park",
            cls="ghost small",
            id="park",
            disabled=cart.is_empty() or bool(cart.payments),
        )
        + button(
            e(_("Void sale")),
            "void",
            cls="ghost small danger",
            id="void",
            disabled=cart.is_empty() and not cart.payments,
        )
        + "</div>"
        + (ask_void(len(cart.lines)) if asking is not None and asking.kind == "void" else "")
        + (ask_park() if asking is not None and asking.kind == "park" else "")
        + f'<div class="sum-row"><span>{e(_("Items"))}</span>'
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
    reveal: str | None = None,
    parked: int = 0,
    customer: str = "",
    pad: str = "",
    pad_focus: bool = False,
) -> str:
    """Scan box, search, categories and product tiles on the left; the open sale on the right.

    `reveal` the line to bring into view, `parked` how many sales are parked, `customer` the
    sale's customer (`customers.customer_bar`), `pad` the numpad (`numpad.panel`), which takes
    the focus from the scan box while the cashier uses it (`pad_focus`)."""
    focus_editor = editing is not None or order_discount_open or pad_focus
    tiles = "".join(
        _TILES.get(
            shop,
            (product, i == 0),
            lambda version, p=product, i=i: _tile(p, shop, first=i == 0, version=version),
        )
        for i, product in enumerate(grid)
    )
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
        + f'<div class="tools" role="toolbar" data-roving aria-label="{e(_("Catalog and sales"))}">'
        + button(e(_("Refresh catalog")), "refresh", cls="ghost small", id="refresh")
        + button(e(_("Recent sales")), "orders", cls="ghost small", id="orders")
        + button(
            e(_("Parked ({n})", n=parked)),
            "parked",
            cls="ghost small",
            id="parked",
            data_count=parked,
            disabled=not parked,
        )
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
            reveal=reveal,
            customer=customer,
            pad=pad,
        )
        + "</div>"
    )


# -- what the sell screen's buttons do -------------------------------------------------------------

actions = Actions()


@actions("scan")
async def scan(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    code = str(data.get("code") or data.get("arg") or "").strip()
    if not code:
        return
    try:
        line = cart.scan(till.catalog, code)
    except UnknownProduct:
        line = _scan_with_quantity(till, cart, code)
        if line is None:
            if await customers.scan(till, code):  # a customer's card: no product has it
                return
            till.flash = Flash(_("Unknown code: {code}", code=code))
            return
    till.last_line = line.uuid
    till.back_to_selling()
    till.draft_changed()


def _scan_with_quantity(till: Till, cart: Cart, code: str) -> Any:
    """ "3*8998866200011" adds three at once; None when it is not that form either."""
    count, star, rest = code.partition("*")
    if not star:
        return None
    rest = rest.strip()
    product = till.catalog.by_barcode(rest) or till.catalog.by_code(rest)
    if product is None:
        return None
    return cart.add(product, number_text(count))


@actions("search")
async def search(till: Till, data: dict[str, Any]) -> None:
    query = data.get("q") if "q" in data else data.get("arg")
    till.query = str(query or "").strip()
    if till.query:  # typing searches every category (a chip tapped after it narrows the results)
        till.category = None


@actions("category")
async def category(till: Till, data: dict[str, Any]) -> None:
    arg = str(data.get("arg") or "all")
    if arg == "all":
        till.category = None
        return
    try:
        till.category = int(arg)
    except ValueError:
        raise RegisterError("Unknown category: {arg}", arg=arg) from None


@actions("add")
async def add(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    try:
        product = till.catalog.get(int(data.get("arg")))
    except (TypeError, ValueError):
        product = None
    if product is None:
        raise RegisterError("That product is no longer in the catalog.")
    till.last_line = cart.add(product).uuid
    till.back_to_selling()
    till.draft_changed()


@actions("qty")
async def qty(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    line_uuid = str(data.get("arg") or "")
    text = number_text(data.get("qty"))
    try:
        zero = Decimal(text) == 0
    except decimal.InvalidOperation:
        zero = False
    line = cart.line(line_uuid)
    if zero:  # 0 means "take it out": asked first, a slip of the finger costs nothing
        _ask_remove(till, line.uuid)
        return
    with in_field("qty"):
        cart.set_qty(line.uuid, text)
    till.last_line = line.uuid
    till.draft_changed()


def _ask_remove(till: Till, line_uuid: str) -> None:
    till.asking = Ask("remove", line_uuid)
    till.last_line = line_uuid


@actions("inc")
async def inc(till: Till, data: dict[str, Any]) -> None:
    """One more (on a refund line: one more back)."""
    cart = till.current_cart()
    line = cart.line(str(data.get("arg") or ""))
    cart.set_qty(line.uuid, abs(line.qty) + 1)
    till.last_line = line.uuid
    till.draft_changed()


@actions("dec")
async def dec(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    line = cart.line(str(data.get("arg") or ""))
    if abs(line.qty) <= 1:
        _ask_remove(till, line.uuid)
        return
    cart.set_qty(line.uuid, abs(line.qty) - 1)
    till.last_line = line.uuid
    till.draft_changed()


@actions("remove")
async def remove(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    line_uuid = str(data.get("arg") or "")
    cart.remove(line_uuid)
    if till.editing == line_uuid:
        till.editing = None
    till.draft_changed()


@actions("void")
async def void(till: Till, data: dict[str, Any]) -> None:
    """Void the open sale: asked first (a sale with lines is work a tap must not lose)."""
    cart = till.current_cart()
    if cart.is_empty() and not cart.payments:
        raise RegisterError("There is no sale to void.")
    till.ask(Ask("void", ""))


@actions("void-sale")
async def void_sale(till: Till, data: dict[str, Any]) -> None:
    """Yes to "Void this sale?": a new, empty sale takes its place (saved as the draft, so a
    reload does not bring the voided one back). Nothing of it leaves the till."""
    till.current_cart()
    till.cart = till.new_cart()
    till.last_line = None
    till.draft_changed()
    till.flash = Flash(_("The sale was voided."), "info")


def _id_arg(data: dict[str, Any], what: str) -> int | None:
    """An id from a picker button; "none" (or empty) means none."""
    arg = str(data.get("arg") or "").strip()
    if arg in ("", "none"):
        return None
    try:
        return int(arg)
    except ValueError:
        raise RegisterError("Unknown {what}: {arg}", what=what, arg=arg) from None


@actions("pricelist")
async def pricelist(till: Till, data: dict[str, Any]) -> None:
    """Sell with another pricelist; the open lines are priced again."""
    cart = till.current_cart()
    cart.set_pricelist(_id_arg(data, _("pricelist")))
    till.draft_changed()


@actions("fiscal-position")
async def fiscal_position(till: Till, data: dict[str, Any]) -> None:
    """Another fiscal position (or none): taxes mapped again, prices adapted."""
    cart = till.current_cart()
    cart.set_fiscal_position(_id_arg(data, _("fiscal position")))
    till.draft_changed()


@actions("edit-line")
async def edit_line(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    line = cart.line(str(data.get("arg") or ""))
    if line.kind != "product":
        raise RegisterError("This line follows the order discount; change the discount.")
    if line.refunded_line_uuid is not None:
        raise RegisterError("A refund line keeps the price and discount of the sale.")
    till.editing = None if till.editing == line.uuid else line.uuid
    till.order_discount_open = False
    till.back_to_selling()


@actions("close-editor")
async def close_editor(till: Till, data: dict[str, Any]) -> None:
    till.editing = None
    till.order_discount_open = False


@actions("line-edit")
async def line_edit(till: Till, data: dict[str, Any]) -> None:
    """The line editor's Apply: a manual unit price and/or a discount %, with a reason.

    Only what changed is applied, so applying the editor as opened changes nothing.
    """
    shop, cart = till.sale()
    line = cart.line(str(data.get("arg") or ""))
    till.editing = line.uuid  # a refusal shows this editor, as typed
    reason = str(data.get("reason") or "").strip()
    price_text = str(data.get("price") or "").strip()
    discount_text = number_text(data.get("discount")).rstrip("%").strip() or "0"
    price = None
    # The field as the editor showed it (even a negative price) is no change; typed text is parsed.
    if price_text and price_text != shop.currency.format_number(line.price_unit):
        with in_field("price"):
            price = shop.currency.round(parse_money(price_text, shop.currency))
        if price == shop.currency.round(line.price_unit):
            price = None
    with in_field("discount"):
        try:
            discount = Decimal(discount_text)
        except decimal.InvalidOperation:
            raise InvalidAmount(
                "Discount “{value}” is not a number.", value=discount_text
            ) from None
    with in_field("reason"):
        if price is not None and not reason:
            raise RegisterError("Say why the price changes (reason).")
        if discount != line.discount and discount and not reason:
            raise RegisterError("Say why the discount is given (reason).")
    over_limit = discount > max(line.discount, till.cashiers.discount_limit)
    asks = ("price",) * (price is not None) + ("discount",) * over_limit
    approved = cashiers.approve(till, "line-edit", data, *asks)
    if discount != line.discount or (discount and reason != line.discount_reason):
        with in_field("discount"):
            cart.set_discount(
                line.uuid, discount, reason=reason, by=till.who(), approved_by=approved
            )
    if price is not None:
        with in_field("price"):
            cart.set_price(line.uuid, price, reason=reason, by=till.who(), approved_by=approved)
    till.editing = None
    till.last_line = line.uuid
    till.draft_changed()


@actions("reset-price")
async def reset_price(till: Till, data: dict[str, Any]) -> None:
    """Undo a manual price: back to what the pricelist says."""
    cart = till.current_cart()
    cart.reset_price(str(data.get("arg") or ""))
    till.draft_changed()


@actions("order-discount-open")
async def order_discount_open(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    till.order_discount_open = not till.order_discount_open
    till.editing = None
    till.back_to_selling()


@actions("order-discount")
async def order_discount(till: Till, data: dict[str, Any]) -> None:
    """An order-wide discount in % (0 removes it), as Odoo's pos_discount gives it."""
    cart = till.current_cart()
    text = number_text(data.get("percent")).rstrip("%").strip() or "0"
    reason = str(data.get("reason") or "").strip()
    till.order_discount_open = True  # a refusal shows this form, as typed
    try:
        zero = Decimal(text) == 0
    except decimal.InvalidOperation:
        zero = False
    if not zero and not reason and cart.shop.discount_product_id is not None:
        with in_field("reason"):
            raise RegisterError("Say why the discount is given (reason).")
    try:
        over_limit = Decimal(text) > till.cashiers.discount_limit
    except decimal.InvalidOperation:
        over_limit = False  # set_order_discount says what is wrong with it
    approved = cashiers.approve(till, "order-discount", data, *("discount",) * over_limit)
    with in_field("percent"):
        cart.set_order_discount(text, reason=reason, by=till.who())
    cart.approved_by = approved or cart.approved_by
    till.order_discount_open = False
    till.draft_changed()


def grid(till: Till) -> list[Product]:
    """The tiles to show: search results or a category, at most GRID_LIMIT."""
    if till.query:
        wide = GRID_LIMIT if till.category is None else GRID_LIMIT * 20
        found = till.catalog.search(till.query, limit=wide)
        if till.category is not None:
            found = [p for p in found if p.pos_categ_id == till.category]
        return found[:GRID_LIMIT]
    if till.category is None:
        return till.catalog.first(GRID_LIMIT)
    return till.catalog.in_category(till.category, GRID_LIMIT)


def screen(till: Till) -> str:
    """The sell screen as the till's state has it."""
    shop, cart = till.sale()
    # Only a price set by hand shows what it was (a long sale's other lines cost nothing here).
    lines = [line.to_dict() for line in cart.lines if line.price_manually_set]
    return sell_screen(
        shop,
        cart,
        cart.totals(),
        grid(till),
        query=till.query,
        category=till.category,
        catalog_size=len(till.catalog),
        grid_limit=GRID_LIMIT,
        last_line=line.uuid if (line := numpad.selected(till)) is not None else None,
        editing=till.editing,
        order_discount_open=till.order_discount_open,
        was=till.was_prices(
            lines,
            cart.pricelist.id if cart.pricelist else None,
            cart.fiscal_position.id if cart.fiscal_position else None,
        ),
        form=till.form,
        asking=till.asking,
        reveal=till.reveal,
        parked=len(till.parked),
        customer=customers.customer_bar(till),
        pad=numpad.panel(till),
        pad_focus=till.numpad.typing,
    )
