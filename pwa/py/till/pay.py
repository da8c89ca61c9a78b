"""The pay screen: what is due (or to pay back), what was tendered, the change, ways to tender.

Apart because paying is its own step of a sale, with its own form and question.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.cart import Cart, Totals
from register.errors import InvalidAmount, RegisterError
from register.money import Currency, parse_money
from register.shop import Shop

from . import cashiers
from .actions import Actions
from .forms import Ask, Form, ask_tender, in_field, typed
from .i18n import _
from .settings import stored_settings
from .views import Flash, _method_name, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["actions", "pay_screen", "quick_cash", "screen"]

# Banknotes a customer typically hands over, in the currency's main unit (IDR: Rp 5.000 ... 100.000).
NOTES_WHOLE = (5000, 10000, 20000, 50000, 100000)
NOTES_CENTS = (5, 10, 20, 50, 100)
QUICK_CASH_BUTTONS = 4


def quick_cash(due: Decimal, currency: Currency) -> list[Decimal]:
    """The next round amounts above what is due, as banknotes make them (quick-cash buttons).

    Exactly the due has its own button, so every amount here is strictly more.
    """
    if due <= 0:
        return []
    notes = NOTES_WHOLE if currency.decimal_places == 0 else NOTES_CENTS
    amounts = set()
    for note in notes:
        step = Decimal(note)
        rounded = (due / step).to_integral_value(rounding=decimal.ROUND_CEILING) * step
        amounts.add(rounded if rounded > due else rounded + step)
    return [currency.round(x) for x in sorted(amounts)[:QUICK_CASH_BUTTONS]]


def pay_screen(
    shop: Shop,
    cart: Cart,
    totals: Totals,
    quick_amounts: Iterable[Decimal],
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
    quick = "".join(
        button(e(money(amount)), "tender", amount, cls="cash") for amount in quick_amounts
    )
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


# -- what the pay screen's buttons do ---------------------------------------------------------------

actions = Actions()


@actions("pay")
async def pay(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    if cart.is_empty():
        raise RegisterError("Add a product before paying.")
    till.screen = "pay"


def _method(shop: Shop, value: Any) -> Any:
    try:
        method = shop.payment_method(int(value))
    except (TypeError, ValueError):
        method = None
    if method is None:
        raise RegisterError("Unknown payment method: {value}", value=value)
    return method


def due_for(cart: Cart, method_id: int) -> Decimal:
    """Still to settle with this method, as a positive amount (sale: to pay; refund: to pay
    back); cash rounding applies when the method is cash and the shop rounds cash."""
    remaining = cart.amount_due_for(method_id)
    return max(-remaining if cart.is_refund() else remaining, Decimal(0))


@actions("pay-exact")
async def pay_exact(till: Till, data: dict[str, Any]) -> None:
    shop, cart = till.sale()
    method = _method(shop, data.get("arg"))
    if cart.is_empty():
        raise RegisterError("Add a product before paying.")
    due = due_for(cart, method.id)
    if due <= 0:
        raise RegisterError("Nothing is due any more.")
    cart.add_payment(method.id, due)
    till.screen = "pay"
    till.draft_changed()


@actions("tender")
async def tender(till: Till, data: dict[str, Any]) -> None:
    """Money handed over (or paid back): the tender form, or a quick-cash button (cash)."""
    shop, cart = till.sale()
    if cart.is_empty():
        raise RegisterError("Add a product before paying.")
    if data.get("method_id") not in (None, ""):
        method = _method(shop, data["method_id"])
    else:
        method = shop.cash_method() or (shop.payment_methods or [None])[0]
        if method is None:
            raise RegisterError("This till has no payment methods.")
    text = data.get("amount") if "amount" in data else data.get("arg")
    due = due_for(cart, method.id)
    refund = cart.is_refund()
    till.screen = "pay"  # a refusal shows the amount as typed
    with in_field("amount" if "amount" in data else None):  # the field, not a button
        if str(text or "").strip() == "":
            if due <= 0:
                raise RegisterError("Nothing is due any more.")
            amount = due  # Enter on an empty amount: exactly what is due
        else:
            # A refund pays back a positive amount too: the typed text never carries a sign.
            amount = shop.currency.round(parse_money(str(text), shop.currency))
        if amount <= 0:
            raise InvalidAmount("The amount must be more than 0.")
        if refund and amount > due:
            raise RegisterError(
                "Only {amount} is still to be paid back; a refund gives no change.",
                amount=shop.currency.format(due),
            )
        if not method.is_cash and amount > due:
            raise RegisterError(
                "{method} cannot pay more than is due ({amount}); only cash gives change.",
                method=method.name,
                amount=shop.currency.format(due),
            )
    if due > 0 and amount > till.tender_factor * due and not data.get("confirmed"):
        # A scan or a slip in the amount field: such a sum is taken only when confirmed.
        till.asking = Ask(
            "tender",
            str(text),
            method.id,
            _(
                "{amount} is more than {factor} times what is due ({due}). Take it?",
                amount=shop.currency.format(amount),
                factor=format(till.tender_factor, "f"),
                due=shop.currency.format(due),
            ),
        )
        return
    cart.add_payment(method.id, amount)
    till.draft_changed()


@actions("tender-change")
async def tender_change(till: Till, data: dict[str, Any]) -> None:
    """Change, to an amount too big to take at once: it goes back in the field as typed."""
    ask, till.asking = till.asking, None
    if ask is not None and ask.kind == "tender":
        till.form = Form("tender", {"amount": ask.arg, "method_id": ask.method_id})


@actions("remove-payment")
async def remove_payment(till: Till, data: dict[str, Any]) -> None:
    cart = till.current_cart()
    cart.remove_payment(str(data.get("arg") or ""))
    till.draft_changed()


@actions("back")
async def back(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    till.screen = "sell"
    till.order = None


@actions("validate")
async def validate(till: Till, data: dict[str, Any]) -> None:
    """Book the paid sale on the device in one transaction, then show the receipt."""
    shop, cart = till.sale()
    if till.screen != "pay":
        return  # a second tap after the sale was booked
    terminal = till.device.terminal()
    if terminal is None:
        raise RegisterError("This till is not paired; it cannot number the sale.")
    seq = await till.device.next_seq()
    order = cart.order_record(
        terminal=terminal,
        session=shop.session_id,
        seq=seq,
        created_at=till.device.now(),
        catalog_version=shop.catalog_version,
        cashier=cashiers.record(till.cashiers.current) if till.cashiers.current else None,
    )
    if till.day.open is not None:  # the sale belongs to the day open on this tablet
        order["session_uuid"] = till.day.open["uuid"]
    try:
        await till.device.finish_sale(order, seq)
    except Exception as exc:
        till.flash = Flash(
            _(
                "The sale was NOT saved: {error}. It is still open here; press Validate again.",
                error=exc,
            )
        )
        return
    till.order = order
    till.cart = till.new_cart()
    till.last_line = None
    till.editing = None
    till.order_discount_open = False
    till.query = ""
    till.screen = "receipt"
    try:  # the sale is safe on the device; sending it is the outbox's job
        till.counts = await till.device.sync_now() or till.counts
    except Exception:
        await till.update_counts()
    try:  # the tablet's choice (Settings): the receipt prints once it is on screen
        if (await stored_settings(till)).get("auto_print"):
            till.device.print_receipt()
    except Exception as exc:
        till.flash = Flash(_("The receipt was not printed ({error}); press Print.", error=exc))


def screen(till: Till) -> str:
    """The pay screen: the default method is cash (or the first), quick cash for a sale."""
    shop, cart = till.sale()
    cash = shop.cash_method()
    default = cash.id if cash else (shop.payment_methods[0].id if shop.payment_methods else None)
    due_by_method = {m.id: due_for(cart, m.id) for m in shop.payment_methods}
    cash_due = due_by_method.get(cash.id) if cash else None
    quick = [] if cart.is_refund() or cash_due is None else quick_cash(cash_due, shop.currency)
    return pay_screen(
        shop,
        cart,
        cart.totals(),
        quick,
        default,
        due_by_method=due_by_method,
        form=till.form,
        asking=till.asking,
    )
