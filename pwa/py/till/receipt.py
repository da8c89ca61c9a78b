"""The receipt screen: the printed receipt of a finished order (or refund) and what to do next.

Apart because the receipt is what gets printed, shown after a sale and again from recent sales.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.errors import RegisterError
from register.shop import Shop

from .actions import Actions
from .i18n import _
from .views import _is_refund_record, _lines_text, _local_time, _method_name, _qty, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["actions", "receipt_screen", "screen"]


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


# -- what the receipt screen's buttons do -----------------------------------------------------------

actions = Actions()


@actions("print")
async def print_receipt(till: Till, data: dict[str, Any]) -> None:
    if till.order is None:
        raise RegisterError("There is no receipt to print.")
    till.device.print_receipt()


@actions("new-sale")
async def new_sale(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    till.order = None
    till.screen = "sell"


def _refund_source(till: Till, order: dict[str, Any]) -> str | None:
    """The name of the sale a refund gives back, when this till still has it in view."""
    originals = {
        line.get("refunded_line_uuid")
        for line in order.get("lines") or ()
        if line.get("refunded_line_uuid")
    }
    if not originals:
        return None
    for known in (*till.history, *till.orders):
        if any(line.get("uuid") in originals for line in known.get("lines") or ()):
            return known.get("name")
    return None


def screen(till: Till, terminal: str | None) -> str:
    """The receipt of the order on screen (just sold, or picked in Recent sales)."""
    shop, cart = till.sale()
    order = till.order
    assert order is not None
    return receipt_screen(
        shop,
        order,
        terminal,
        back_label=_("New sale") if cart.is_empty() else _("Back to sale"),
        was=till.was_prices(
            order.get("lines") or [],
            order.get("pricelist_id"),
            order.get("fiscal_position_id"),
        ),
        refund_of=_refund_source(till, order),
    )
