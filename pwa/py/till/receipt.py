"""The receipt screen: the printed receipt of a finished order (or refund) and what to do next.

Apart because the receipt is what gets printed, shown after a sale and again from recent sales.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.errors import RegisterError
from register.receipts import tax_summary
from register.shop import Shop

from .actions import Actions
from .customers import loyalty_block
from .i18n import _
from .orders import hop_line
from .views import _is_refund_record, _lines_text, _method_name, _qty, button, e

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


# A footer line that says bought goods are not exchanged or given back: a refund leaves it off.
NO_RETURN_WORDS = ("ditukar", "dikembalikan", "exchange", "returned", "refund")


def _company(shop: Shop) -> str:
    """The shop's name once, its address, phone, e-mail and tax number, then the config's header
    (less any line that only repeats the name, as shops often type it there too)."""
    company = shop.company
    place = " ".join(x for x in (company.city, company.zip) if x)
    lines = [company.street, company.street2, place]
    if company.phone:
        lines.append(_("Tel. {phone}", phone=company.phone))
    lines.append(company.email)
    address = "".join(f"<div>{e(line)}</div>" for line in lines if line)
    vat = ""
    if company.vat:  # in Indonesia the company's vat is its NPWP, and is called so
        label = (
            _("NPWP: {number}", number=company.vat)
            if company.country_code == "ID"
            else _("Tax ID: {number}", number=company.vat)
        )
        vat = f'<div class="r-vat" id="receipt-vat">{e(label)}</div>'
    name = company.name.strip().casefold()
    header = "\n".join(
        line for line in shop.receipt_header.splitlines() if line.strip().casefold() != name
    ).strip()
    return (
        f'<header class="r-head"><div class="r-shop">{e(company.name)}</div>'
        + (f'<div class="r-address" id="receipt-address">{address}</div>' if address else "")
        + vat
        + (f'<div class="r-header">{_lines_text(header)}</div>' if header else "")
        + "</header>"
    )


def _footer(shop: Shop, refund: bool) -> str:
    """The config's footer; on a refund without the line that says goods are not exchanged."""
    lines = shop.receipt_footer.splitlines()
    if refund:
        lines = [x for x in lines if not any(w in x.casefold() for w in NO_RETURN_WORDS)]
    text = "\n".join(lines).strip()
    return f'<footer class="r-foot">{_lines_text(text)}</footer>' if text else ""


def _taxes(shop: Shop, order: dict[str, Any]) -> str:
    """Base and amount per tax rate, when they come to the order's amount_tax (they do unless
    the shop's taxes changed since the sale: then its total tax alone is shown)."""
    money = shop.currency.format
    sums = tax_summary(shop, order)
    if not sums or sum(s.amount for s in sums) != Decimal(order["amount_tax"]):
        return ""
    rows = "".join(
        f'<tr class="r-tax-rate" data-tax-id="{s.tax_id}">'
        f"<td>{e(shop.taxes[s.tax_id].name if s.tax_id in shop.taxes else s.tax_id)}</td>"
        f'<td class="r-amount">{e(money(s.base))}</td>'
        f'<td class="r-amount">{e(money(s.amount))}</td></tr>'
        for s in sums
    )
    return (
        '<table class="r-taxes" id="receipt-taxes"><thead><tr>'
        f'<th scope="col">{e(_("Tax"))}</th><th scope="col" class="r-amount">{e(_("Base"))}</th>'
        f'<th scope="col" class="r-amount">{e(_("Amount"))}</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


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
    when: str,
    back_label: str = "",
    was: dict[str, Decimal] | None = None,
    refund_of: str | None = None,
    customer: str = "",
    hop: str = "",
) -> str:
    """The printed receipt of a finished order (or refund) and what to do next.

    `when` is the order's time as shown (in the shop's zone); `customer` the customer's name,
    when known; the cashier is the order's (`cashier`, who logged in), else its terminal (a shop
    without cashiers). `was` maps line uuids of hand-priced lines to the pricelist's price ("was Rp X");
    `refund_of` names the sale a refund gives back, when known; `hop` is where the sale is
    (`orders.hop_line`), shown beside the receipt and never printed.
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
    name = order.get("name") or ""
    cashier = (order.get("cashier") or {}).get("name") or order.get("terminal") or terminal
    return (
        '<div class="receipt-screen">'
        f'<h1 class="visually-hidden">{e(_("Receipt"))}</h1>'
        f'<article id="receipt" class="receipt{" is-refund" if refund else ""}"'
        f' data-order-name="{e(name)}" data-order-uuid="{e(order.get("uuid"))}"'
        f' data-refund="{"true" if refund else "false"}">'
        f"{refund_mark}{_company(shop)}"
        f'<div class="r-meta"><span class="r-order">{e(name)}</span>'
        f'<span class="r-time">{e(when)}</span>'
        + (
            f'<span class="r-cashier">{e(_("Cashier: {name}", name=cashier))}</span>'
            if cashier
            else ""
        )
        + (
            '<span class="r-customer" id="receipt-customer">'
            f"{e(_('Customer: {name}', name=customer))}</span>"
            if customer
            else ""
        )
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
        f"{_taxes(shop, order)}{loyalty_block(shop, order)}{_footer(shop, refund)}"
        "</article>"
        + hop
        + '<div class="receipt-actions">'
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
        when=till.local_time(order.get("created_at") or ""),
        customer=(order.get("partner") or {}).get("name") or "",
        back_label=_("New sale") if cart.is_empty() else _("Back to sale"),
        was=till.was_prices(
            order.get("lines") or [],
            order.get("pricelist_id"),
            order.get("fiscal_position_id"),
        ),
        refund_of=_refund_source(till, order),
        hop=hop_line(order["hop"], tag="p", ident="order-hop") if "hop" in order else "",
    )
