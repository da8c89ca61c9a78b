"""The sales screen and the refund screen: every sale kept on this till, newest first, with where
each one is (on this till, at the relay, booked in Odoo, or held, failed or refused, with the
reason), searchable by receipt number, customer, amount and day; and refunding one line by line.

Apart because they work on finished sales, not on the open one.
"""

from __future__ import annotations

import contextlib
import decimal
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.cart import Cart
from register.errors import InvalidQuantity, RegisterError
from register.money import AmountError, parse_money
from register.refunds import RefundLedger
from register.shop import Shop

from . import cashiers, texts
from .actions import Actions
from .forms import Form, in_field, number_text, typed
from .i18n import _
from .views import _is_refund_record, _local_time, _qty, button, e, search_form

if TYPE_CHECKING:
    from .app import Till

__all__ = [
    "actions",
    "hop_line",
    "order_query",
    "orders_screen",
    "refund_page",
    "refund_screen",
    "screen",
]

ORDERS_PAGE = 50  # sales listed at once; "More" lists the next ones
REFUND_HISTORY = 500  # the orders a refund looks back through (sales and earlier refunds)
SHOP_QUERY = 3  # the shortest search the relay is asked about other tills' sales (with a letter)
# The relay's word on a sale, as the outbox keeps it (queued at the relay is "sent").
RELAY_STATES = {"queued": "sent"}
# A day as a cashier types it: 30-11-2026, 30/11/2026, 30.11.2026, 2026-11-30, or 30-11 (this year).
DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}))?")
YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _day(text: str, today: date) -> date | None:
    """The day `text` names, or None when it names none."""
    if found := YEAR_FIRST.fullmatch(text):
        year, month, day = (int(x) for x in found.groups())
    elif found := DAY_FIRST.fullmatch(text):
        day, month = int(found[1]), int(found[2])
        year = int(found[3]) if found[3] else today.year
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def order_query(text: str, shop: Shop, today: date, zone: tzinfo | None = None) -> dict[str, Any]:
    """What a search for `text` looks for, any of it ({} lists every sale): the text in the
    receipt number, Odoo's name or the customer's name; the amount the text means, typed as the
    cashier types money ("28.000", "28rb"); the sales of the day it names, from its start in
    `zone` (the shop's, as the list shows times; None: the device's) to the next day's (as ISO
    UTC strings, how records keep created_at)."""
    text = text.strip()
    if not text:
        return {}
    query: dict[str, Any] = {"text": text}
    with contextlib.suppress(AmountError):  # not an amount: searched as text and day only
        query["amount"] = format(parse_money(text, shop.currency), "f")
    day = _day(text, today)
    if day is not None:
        midnight = datetime(day.year, day.month, day.day)
        start = midnight.replace(tzinfo=zone) if zone else midnight.astimezone()
        end = start + timedelta(days=1) if zone else (midnight + timedelta(days=1)).astimezone()
        query["from"] = start.astimezone(UTC).isoformat()
        query["to"] = end.astimezone(UTC).isoformat()
    return query


def hop_line(hop: Any, *, tag: str = "span", ident: str = "") -> str:
    """Where a sale is, as words with a sign beside them (never colour alone)."""
    state, icon, text = texts.hop(hop)
    attrs = f' id="{e(ident)}"' if ident else ""
    return (
        f'<{tag} class="o-hop hop-{e(state)}" data-hop="{e(state)}"{attrs}>'
        f'<span class="hop-icon" aria-hidden="true">{e(icon)}</span> {e(text)}</{tag}>'
    )


def _other_tills(
    shop: Shop, others: Sequence[dict[str, Any]], note: str, when: Callable[[str], str]
) -> str:
    """Other tills' sales the relay found, and this till's own too old to be kept here (to
    refund one here), or why none were looked for."""
    money = shop.currency.format
    rows = []
    for found in others:
        order = found.get("record") or {}
        hop = {**found, "state": RELAY_STATES.get(found.get("status"), found.get("status"))}
        refund = _is_refund_record(order)
        rows.append(
            f'<li class="order-row other-till" data-order-uuid="{e(order.get("uuid"))}">'
            '<div class="order-open">'
            f'<span class="o-name">{e(order.get("name"))}</span>'
            f'<span class="o-time">{e(found.get("terminal"))} · '
            f"{e(when(order.get('created_at') or ''))}</span>"
            f'<span class="o-total">{e(money(Decimal(order.get("amount_total") or "0")))}</span>'
            + hop_line(hop)
            + "</div>"
            + (
                ""
                if refund
                else button(e(_("Refund")), "refund", order.get("uuid"), cls="refund-open ghost")
            )
            + "</li>"
        )
    if not rows and not note:
        return ""
    return (
        f'<h2 class="other-tills">{e(_("At the relay: other tills, and older sales of this till"))}</h2>'
        + (f'<p class="note" id="other-tills-note">{e(note)}</p>' if note else "")
        + (f'<ol class="orders" id="other-tills">{"".join(rows)}</ol>' if rows else "")
    )


def orders_screen(
    shop: Shop,
    orders: Sequence[dict[str, Any]],
    *,
    query: str = "",
    more: bool = False,
    when: Callable[[str], str] = _local_time,
    others: Sequence[dict[str, Any]] = (),
    others_note: str = "",
) -> str:
    """The sales kept on this till, newest first, each with where it is; a search over all of
    them; to show or reprint one, or to refund one. `when` shows a record's time; `others` are
    other tills' sales the relay found for the search (`others_note`: why it was not asked)."""
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
                f'<span class="o-time">{e(when(order.get("created_at") or ""))}</span>'
                f'<span class="o-total">{e(money(Decimal(order.get("amount_total") or "0")))}</span>'
                + hop_line(order.get("hop")),
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
    if rows:
        body = f'<ol class="orders" id="orders-list">{"".join(rows)}</ol>'
    elif query and others:
        body = ""
    elif query:
        body = f'<p class="empty">{e(_("No sale matches “{query}”.", query=query))}</p>'
    else:
        body = f'<p class="empty">{e(_("No sales yet."))}</p>'
    if more:
        body += button(e(_("More")), "more-orders", id="more-orders", cls="more-orders")
    label = _("Receipt number, customer, amount or date")
    search = search_form("find-orders", "orders", query, label)
    return (
        '<section class="orders-screen card">'
        + button("&larr; " + e(_("Back to sale")), "back", cls="ghost", id="back")
        + f"<h1>{e(_('Sales'))}</h1>{search}{body}"
        + _other_tills(shop, others, others_note, when)
        + "</section>"
    )


def refund_screen(
    shop: Shop,
    order: dict[str, Any],
    left: dict[str, Decimal],
    *,
    form: Form | None = None,
    when: Callable[[str], str] = _local_time,
) -> str:
    """A sale's lines with what can still come back; the cashier types how many of each.
    `when` shows the sale's time."""
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
        f'<p class="r-time">{e(when(order.get("created_at") or ""))} &middot; '
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


def _shop_zone(till: Till, now: datetime) -> tzinfo | None:
    """The shop's zone at its offset now, as the list shows times in it (a day searched across
    a daylight-saving change is off by that hour); None: the device's own zone."""
    zone = till.shop.timezone if till.shop is not None else ""
    shift = till.device.zone_offset(zone, now) if zone else None
    return timezone(shift) if shift is not None else None


async def _list(till: Till, query: str, *, more: bool = False) -> None:
    """The first page of sales matching `query`, or the next page of the listed ones."""
    shop, _cart = till.sale()
    now = till.device.now()
    zone = _shop_zone(till, now)
    found = await till.device.find_orders(
        order_query(query, shop, now.astimezone(zone).date(), zone),
        ORDERS_PAGE,
        till.orders_next if more else None,
    )
    page = [o for o in found.get("orders") or () if isinstance(o, dict)]
    till.orders = [*till.orders, *page] if more else page
    till.orders_query = query
    till.orders_next = found.get("next")
    till.screen = "orders"
    if not more:
        await _ask_the_shop(till, query.strip())


async def _ask_the_shop(till: Till, query: str) -> None:
    """Other tills' sales matching a search by receipt number or Odoo name, from the relay
    (it holds every till's), with the refunds of their lines; a note when it cannot be asked."""
    till.shop_orders, till.shop_refunds, till.shop_note = [], [], ""
    if len(query) < SHOP_QUERY or not any(c.isalpha() for c in query):
        return  # an amount or a day: receipt numbers and Odoo's names have letters
    try:
        answer = await till.device.shop_orders(query)
    except Exception as exc:
        till.shop_note = _("Other tills' sales could not be searched: {error}", error=exc)
        return
    me = till.device.terminal()
    # This till's own sales come from its history, but those pruned from it (Odoo booked them
    # more than storage.js RETENTION_DAYS ago) only the relay still has.
    listed = {order.get("uuid") for order in till.orders}
    till.shop_orders = [
        found
        for found in answer.get("orders") or ()
        if isinstance(found, dict)
        and isinstance(found.get("record"), dict)
        and (found.get("terminal") != me or found["record"].get("uuid") not in listed)
    ]
    till.shop_refunds = [r for r in answer.get("refunds") or () if isinstance(r, dict)]


@actions("orders")
async def orders(till: Till, data: dict[str, Any]) -> None:
    await _list(till, "")


@actions("find-orders")
async def find_orders(till: Till, data: dict[str, Any]) -> None:
    await _list(till, str(data.get("q") or ""))


@actions("more-orders")
async def more_orders(till: Till, data: dict[str, Any]) -> None:
    if till.orders_next is None:
        raise RegisterError("Every matching sale is listed.")
    await _list(till, till.orders_query, more=True)


@actions("show-order")
async def show_order(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    wanted = str(data.get("arg") or "")
    for order in till.orders:
        if order.get("uuid") == wanted:
            till.order = order
            till.screen = "receipt"
            return
    raise RegisterError("That sale is not in the list.")


@actions("refund")
async def refund(till: Till, data: dict[str, Any]) -> None:
    """Open the refund screen of a sale from this till's history."""
    cart = till.current_cart()
    if any(line.refunded_line_uuid is None for line in cart.lines) or cart.payments:
        raise RegisterError("Finish or clear the open sale before starting a refund.")
    wanted = str(data.get("arg") or "")
    till.history = await _history_with(till, wanted)
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


async def _history_with(till: Till, wanted: str) -> list[dict[str, Any]]:
    """The sales and refunds a refund of sale `wanted` counts what is left from: this till's
    recent history and, for a sale not in it (an older one a search found, or another till's),
    that sale and the refunds of its lines the relay knows (its own and other tills')."""
    history = list(await till.device.recent_orders(REFUND_HISTORY))
    if any(order.get("uuid") == wanted for order in history):
        return history
    other = next((f for f in till.shop_orders if f["record"].get("uuid") == wanted), None)
    if other is not None:
        return [*history, other["record"], *till.shop_refunds]
    order = next((o for o in till.orders if o.get("uuid") == wanted), None)
    if order is None:
        return history
    try:
        refunds = (await till.device.shop_orders(str(order.get("name") or ""))).get("refunds")
    except Exception as exc:
        raise RegisterError(
            "What was refunded of {name} is known to the relay, which cannot be reached "
            "({error}); try again online.",
            name=order.get("name"),
            error=exc,
        ) from None
    return [*history, order, *(r for r in refunds or () if isinstance(r, dict))]


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
    approved = cashiers.approve(till, "refund-lines", data, "refund")
    await _add_refund(till, cart, order, picked, approved)


@actions("refund-all")
async def refund_all(till: Till, data: dict[str, Any]) -> None:
    """Everything still refundable of the sale on screen."""
    cart, order = _refunding(till)
    picked = {uuid: left for uuid, left in till.refund_left.items() if left > 0}
    if not picked:
        raise RegisterError("Everything in this sale was refunded already.")
    approved = cashiers.approve(till, "refund-all", data, "refund")
    await _add_refund(till, cart, order, picked, approved)


async def _add_refund(
    till: Till,
    cart: Cart,
    order: dict[str, Any],
    picked: dict[str, Decimal],
    approved: dict[str, Any] | None,
) -> None:
    """The picked lines go in the cart as a refund, approved by `approved` (a manager, when
    the cashier at the till needed one)."""
    ledger = RefundLedger(till.history)
    cart.refund_of(order, picked, ledger)  # refuses more than is left, all or nothing
    cart.approved_by = approved or cart.approved_by
    till.refund_order = None
    till.refund_left = {}
    till.screen = "pay"
    till.draft_changed()


def screen(till: Till) -> str:
    """The sales screen."""
    shop, _cart = till.sale()
    return orders_screen(
        shop,
        till.orders,
        query=till.orders_query,
        more=till.orders_next is not None,
        when=till.local_time,
        others=till.shop_orders,
        others_note=till.shop_note,
    )


def refund_page(till: Till) -> str:
    """The refund screen of the sale picked in Recent sales."""
    shop, _cart = till.sale()
    assert till.refund_order is not None
    return refund_screen(
        shop, till.refund_order, till.refund_left, form=till.form, when=till.local_time
    )
