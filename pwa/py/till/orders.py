"""The recent sales screen and the refund screen: the latest sales of this till, and refunding
one of them line by line.

Apart because they work on finished sales, not on the open one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from register.shop import Shop

from .forms import Form, typed
from .i18n import _
from .views import _is_refund_record, _local_time, _qty, button, e

__all__ = ["orders_screen", "refund_screen"]


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
