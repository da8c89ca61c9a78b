"""The recent sales screen and the refund screen: the latest sales of this till, and refunding
one of them line by line.

Apart because they work on finished sales, not on the open one.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.cart import Cart
from register.errors import InvalidQuantity, RegisterError
from register.refunds import RefundLedger
from register.shop import Shop

from .actions import Actions
from .forms import Form, in_field, number_text, typed
from .i18n import _
from .views import _is_refund_record, _local_time, _qty, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["actions", "orders_screen", "refund_page", "refund_screen", "screen"]

RECENT_ORDERS = 20
REFUND_HISTORY = 500  # the orders a refund looks back through (sales and earlier refunds)


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


# -- what the recent sales and refund screens' buttons do -------------------------------------------

actions = Actions()


@actions("orders")
async def orders(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    till.orders = list(await till.device.recent_orders(RECENT_ORDERS))
    till.screen = "orders"


@actions("show-order")
async def show_order(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    wanted = str(data.get("arg") or "")
    for order in till.orders:
        if order.get("uuid") == wanted:
            till.order = order
            till.screen = "receipt"
            return
    raise RegisterError("That sale is not in the recent list.")


@actions("refund")
async def refund(till: Till, data: dict[str, Any]) -> None:
    """Open the refund screen of a sale from this till's history."""
    cart = till.current_cart()
    if any(line.refunded_line_uuid is None for line in cart.lines) or cart.payments:
        raise RegisterError("Finish or clear the open sale before starting a refund.")
    wanted = str(data.get("arg") or "")
    till.history = list(await till.device.recent_orders(REFUND_HISTORY))
    ledger = RefundLedger(till.history)
    order = ledger.order(wanted)
    if order is None:
        raise RegisterError("That sale is not in this till's history; it cannot be refunded here.")
    if _is_refund_record(order):
        raise RegisterError("This is a refund already; it cannot be refunded.")
    # What refund lines already in the open cart give back counts too.
    in_cart: dict[str, Decimal] = {}
    for line in cart.lines:
        if line.refunded_line_uuid is not None:
            in_cart[line.refunded_line_uuid] = in_cart.get(line.refunded_line_uuid, 0) - line.qty
    till.refund_order = dict(order)
    till.refund_left = {
        line["uuid"]: ledger.left(line["uuid"]) - in_cart.get(line["uuid"], Decimal(0))
        for line in order.get("lines") or ()
        if Decimal(str(line.get("qty") or "0")) > 0
    }
    till.screen = "refund"


def _refunding(till: Till) -> tuple[Cart, dict[str, Any]]:
    cart = till.current_cart()
    if till.screen != "refund" or till.refund_order is None:
        raise RegisterError("Choose the sale to refund first (Recent sales).")
    return cart, till.refund_order


@actions("refund-lines")
async def refund_lines(till: Till, data: dict[str, Any]) -> None:
    """The quantities picked on the refund screen ("qty-<line uuid>" fields) go in the cart."""
    cart, order = _refunding(till)
    picked: dict[str, Decimal] = {}
    lines = order.get("lines") or ()
    names = {line.get("uuid"): line.get("full_product_name") for line in lines}
    for key, value in data.items():
        if not key.startswith("qty-") or str(value or "").strip() == "":
            continue
        line_uuid = key[4:]
        text = number_text(value)
        with in_field(key):
            try:
                qty = abs(Decimal(text))
            except decimal.InvalidOperation:
                raise InvalidQuantity("Quantity “{value}” is not a number.", value=value) from None
            left = till.refund_left.get(line_uuid, Decimal(0))
            if qty > left:
                raise InvalidQuantity(
                    "Only {n} of {product} can still be refunded.",
                    n=format(left, "f"),
                    product=names.get(line_uuid) or "",
                )
        if qty:
            picked[line_uuid] = qty
    if not picked:
        raise RegisterError("Type how many of which product come back.")
    await _add_refund(till, cart, order, picked)


@actions("refund-all")
async def refund_all(till: Till, data: dict[str, Any]) -> None:
    """Everything still refundable of the sale on screen."""
    cart, order = _refunding(till)
    picked = {uuid: left for uuid, left in till.refund_left.items() if left > 0}
    if not picked:
        raise RegisterError("Everything in this sale was refunded already.")
    await _add_refund(till, cart, order, picked)


async def _add_refund(
    till: Till, cart: Cart, order: dict[str, Any], picked: dict[str, Decimal]
) -> None:
    ledger = RefundLedger(till.history)
    cart.refund_of(order, picked, ledger)  # refuses more than is left, all or nothing
    till.refund_order = None
    till.refund_left = {}
    till.screen = "pay"
    await till.save_draft()


def screen(till: Till) -> str:
    """The recent sales screen."""
    shop, _cart = till.sale()
    return orders_screen(shop, till.orders)


def refund_page(till: Till) -> str:
    """The refund screen of the sale picked in Recent sales."""
    shop, _cart = till.sale()
    assert till.refund_order is not None
    return refund_screen(shop, till.refund_order, till.refund_left, form=till.form)
