"""The sell screen: scan box, search, categories and product tiles; the open sale beside them.

Apart because it is the biggest screen: the cart with its line editor, order discount and pickers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from register.cart import Cart, Totals
from register.catalog import Product
from register.shop import Shop

from .forms import Ask, Form, ask_remove, ask_void, typed
from .i18n import _
from .views import _qty, button, e

__all__ = ["sell_screen"]


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
        + button(
            e(_("Void sale")),
            "void",
            cls="ghost small danger",
            id="void",
            disabled=cart.is_empty() and not cart.payments,
        )
        + "</div>"
        + (ask_void(len(cart.lines)) if asking is not None and asking.kind == "void" else "")
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
