"""The pay screen: what is due (or to pay back), what was tendered, the change, ways to tender.

Apart because paying is its own step of a sale, with its own form and question.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from register.cart import Cart, Totals
from register.shop import Shop

from .forms import Ask, Form, ask_tender, typed
from .i18n import _
from .views import _method_name, button, e

__all__ = ["pay_screen"]


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
