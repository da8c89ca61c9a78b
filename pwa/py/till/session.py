"""The register's day on this tablet: open it with a cash count, move cash in and out, close it
with a count, and the X (mid-day) and Z (closing) reports.

Apart because a day wraps the sales: the till starts here when no day is open on this tablet, and
the day's records (open, cash moves, close) leave the till like sales do, through the outbox with
the terminal's one sequence, so the relay forwards them to Odoo in the order they happened. The
open day lives in the device (IndexedDB meta), written in the same transaction as its record, so
it survives reloads and works offline. The sums are the register's (`register.drawer`).

A day closes only when nothing of this till is waiting to be sent (Odoo's own POS refuses to close
with unsent orders): "Sync now" and "Export" are offered instead.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.drawer import Day, cash_amount, counted, day_totals, denominations, pieces
from register.errors import RegisterError
from register.money import money_str
from register.shop import Shop

from . import cashiers
from .actions import Actions
from .forms import NO_FORM, Form, in_field, typed
from .i18n import _, _n
from .views import Flash, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["DayState", "actions", "allowed", "day_button", "read", "screen"]

SCREENS = ("open-day", "day", "close-day", "day-closed")
NOTE_MAX = 500
REASON_MAX = 200
CASHIER_MAX = 64
# What a cashier may do before the day is open: count and open it, and what the top bar offers.
BEFORE_OPEN = frozenset(
    {
        "day-typed",
        "open-day",
        "sync",
        "sync-panel",
        "retry-sale",
        "export-outbox",
        "import-records",
        "storage-seen",
        "outbox-changed",
        "help",
        "escape",
        "keep",
        "settings-panel",
        "language",
        "settings",
        "receipt-paper",
        "auto-print",
        "retry",
        "refresh",
        "pair",
    }
)


@dataclass
class DayState:
    """What the till knows of the day: the session open on this tablet (None: none), the day's
    records (its sales and cash moves, read for the reports), the day's forms as being typed, and the
    day just closed (its Z report)."""

    open: dict[str, Any] | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    counting: Form | None = None
    closed: dict[str, Any] | None = None


def allowed(till: Till, action: str) -> bool:
    """Before the day is open only counting, opening it and the top bar work."""
    return till.screen != "open-day" or action in BEFORE_OPEN


async def read(till: Till) -> None:
    """The session open on this tablet, from the device (it survives reloads)."""
    till.day.open = await till.device.load_session()


async def _records(till: Till) -> None:
    day = till.day.open
    till.day.records = await till.device.session_records(day["uuid"]) if day else []


def _totals(till: Till) -> Day:
    shop, _cart = till.sale()
    day = till.day.open or {}
    return day_totals(shop, day.get("cash") or "0", till.day.records)


# -- the counting grid --------------------------------------------------------------------------


def _denomination(shop: Shop, value: Decimal) -> str:
    """A banknote or coin as people name it: "Rp 100.000" (no decimals)."""
    thousands, _point = shop.currency.separators
    return f"{shop.currency.label} {format(int(value), ',').replace(',', thousands)}"


def _field(value: Decimal) -> str:
    return f"n{int(value)}"


def _count(shop: Shop, data: dict[str, Any]) -> tuple[Decimal, dict[str, int] | None]:
    """The cash counted in a form: piece by piece (IDR) or one amount; FieldError names the
    field that is wrong."""
    values = denominations(shop.currency)
    if not values:
        with in_field("amount"):
            return cash_amount(data.get("amount") or "0", shop.currency), None
    counts: dict[Decimal, int] = {}
    for value in values:
        with in_field(_field(value)):
            counts[value] = pieces(data.get(_field(value)))
    kept = {money_str(value): n for value, n in counts.items() if n}
    return counted(counts), kept


def _running_total(shop: Shop, form: Form) -> str:
    """The total of what is typed so far (wrong fields left out)."""
    total = Decimal(0)
    for value in denominations(shop.currency):
        try:
            total += value * pieces(form.value(_field(value)))
        except RegisterError:
            continue
    return shop.currency.format(total)


def _shown(till: Till, name: str) -> Form:
    """The form as typed: refused (with its marks), else as being counted."""
    refused = typed(till.form, name)
    if refused is not NO_FORM:
        return refused
    counting = till.day.counting
    return counting if counting is not None and counting.name == name else NO_FORM


def _grid(shop: Shop, form: Form, name: str) -> str:
    """The count of the drawer: one field per banknote and coin with a running total, or (a
    currency whose pieces the till does not know) one amount."""
    values = denominations(shop.currency)
    if not values:
        return (
            f'<label class="field">{e(_("Cash in the drawer"))}'
            f'<input id="{name}-amount" name="amount" inputmode="decimal" autocomplete="off"'
            f' value="{e(form.value("amount"))}"{form.marks("amount", f"{name}-amount")}>'
            f"{form.note('amount', f'{name}-amount')}</label>"
        )
    cells = "".join(
        f'<label class="count-cell"><span>{e(_denomination(shop, value))}</span>'
        f'<input id="{name}-{_field(value)}" name="{_field(value)}" inputmode="numeric"'
        f' autocomplete="off" placeholder="0" value="{e(form.value(_field(value)))}"'
        f"{form.marks(_field(value), f'{name}-{_field(value)}')}>"
        f"{form.note(_field(value), f'{name}-{_field(value)}')}</label>"
        for value in reversed(values)
    )
    return (
        f'<fieldset class="count-grid"><legend>{e(_("Cash in the drawer"))}</legend>{cells}'
        f'<p class="count-total">{e(_("Counted"))} '
        f'<output id="{name}-total" aria-live="polite">{e(_running_total(shop, form))}</output>'
        "</p></fieldset>"
    )


def _text_field(form: Form, name: str, key: str, label: str, limit: int, *, required: bool) -> str:
    ident = f"{name}-{key}"
    return (
        f'<label class="field">{e(label)}<input id="{ident}" name="{key}" type="text"'
        f' maxlength="{limit}" autocomplete="off" value="{e(form.value(key))}"'
        f"{' required' if required else ''}{form.marks(key, ident)}>{form.note(key, ident)}</label>"
    )


# -- the screens --------------------------------------------------------------------------------


def open_screen(till: Till) -> str:
    """Open the day: who is at the till and the cash counted in the drawer."""
    shop, _cart = till.sale()
    form = _shown(till, "open-day")
    cashier = form.value("cashier", till.who())
    return (
        '<section class="day-screen open-day card">'
        f"<h1>{e(_('Open the day'))}</h1>"
        f"<p>{e(_('Count the cash in the drawer before the first sale.'))}</p>"
        '<form data-action="open-day" data-live="day-typed" autocomplete="off">'
        '<input type="hidden" name="form" value="open-day">'
        f'<label class="field">{e(_("Cashier"))}<input id="open-day-cashier" name="cashier"'
        f' type="text" maxlength="{CASHIER_MAX}" required value="{e(cashier)}"'
        f"{form.marks('cashier', 'open-day-cashier')}>{form.note('cashier', 'open-day-cashier')}"
        "</label>"
        f"{_grid(shop, form, 'open-day')}"
        f'<label class="field">{e(_("Note (optional)"))}<input id="open-day-note" name="note"'
        f' type="text" maxlength="{NOTE_MAX}" value="{e(form.value("note"))}"></label>'
        f'<button type="submit" class="primary big" id="open-day-submit">{e(_("Open the day"))}'
        "</button></form></section>"
    )


def _report_rows(shop: Shop, day: Day) -> str:
    money = shop.currency.format
    methods = "".join(
        f'<tr class="r-method" data-method-id="{m.method_id}"><td>{e(m.name)} '
        f"({e(_n('{n} payment', '{n} payments', m.payments))})</td>"
        f'<td class="r-amount">{e(money(m.amount))}</td></tr>'
        for m in day.methods
    )
    moves = "".join(
        f'<tr class="r-move"><td>{e(_("Cash in") if m.get("type") == "in" else _("Cash out"))}'
        f": {e(m.get('reason'))}</td>"
        f'<td class="r-amount">{e(money(Decimal(m["amount"]) * (1 if m.get("type") == "in" else -1)))}'
        "</td></tr>"
        for m in day.moves
    )
    return (
        f'<tr><td>{e(_("Opening cash"))}</td><td class="r-amount" id="day-opening">'
        f"{e(money(day.opening))}</td></tr>"
        f"<tr><td>{e(_n('{n} sale', '{n} sales', day.orders))}</td>"
        f'<td class="r-amount" id="day-sales">{e(money(day.sales_total))}</td></tr>'
        f"{methods}{moves}"
        f'<tr class="r-total"><td>{e(_("Expected cash in the drawer"))}</td>'
        f'<td class="r-amount" id="day-expected">{e(money(day.expected_cash))}</td></tr>'
    )


def _report(till: Till, title: str, day: Day, extra: str = "", closed_at: str = "") -> str:
    shop, _cart = till.sale()
    opened = till.day.open or till.day.closed or {}
    when = _(
        "Opened {time} by {cashier}",
        time=till.local_time(opened.get("opened_at") or ""),
        cashier=opened.get("cashier") or "",
    )
    closed = (
        f"<div>{e(_('Closed {time}', time=till.local_time(closed_at)))}</div>" if closed_at else ""
    )
    return (
        f'<article id="receipt" class="receipt day-report" data-report="{e(title)}">'
        f'<div class="r-company"><strong>{e(shop.company_name)}</strong></div>'
        f'<div class="r-meta"><span>{e(title)}</span><span>{e(till.device.terminal() or "")}'
        f'</span></div><div class="r-meta"><span>{e(when)}</span>{closed}</div>'
        f'<table class="r-totals"><tbody>{_report_rows(shop, day)}{extra}</tbody></table>'
        "</article>"
    )


def day_screen(till: Till) -> str:
    """The day so far: the X report, cash in or out with a reason, and Close the day."""
    till.sale()
    form = _shown(till, "cash-move")
    kind = form.value("type", "out")
    choices = "".join(
        f'<option value="{value}"{" selected" if kind == value else ""}>{e(label)}</option>'
        for value, label in (("out", _("Cash out")), ("in", _("Cash in")))
    )
    move = (
        '<form class="cash-move" data-action="cash-move" data-live="day-typed" autocomplete="off">'
        '<input type="hidden" name="form" value="cash-move">'
        f'<h2 id="cash-move-title">{e(_("Cash in or out"))}</h2>'
        f'<select id="cash-move-type" name="type" aria-labelledby="cash-move-title">{choices}'
        "</select>"
        f'<label class="field">{e(_("Amount"))}<input id="cash-move-amount" name="amount"'
        f' inputmode="decimal" value="{e(form.value("amount"))}"'
        f"{form.marks('amount', 'cash-move-amount')}>{form.note('amount', 'cash-move-amount')}"
        "</label>"
        + _text_field(form, "cash-move", "reason", _("Reason"), REASON_MAX, required=True)
        + f'<button type="submit" class="primary" id="cash-move-submit">{e(_("Record"))}</button>'
        "</form>"
    )
    return (
        '<div class="receipt-screen day-screen">'
        f'<h1 class="visually-hidden">{e(_("The day"))}</h1>'
        + _report(till, _("X report"), _totals(till))
        + f'<div class="day-side card">{move}<div class="receipt-actions">'
        + button(e(_("Print")), "print-report", id="print-report", cls="big")
        + button(e(_("Close the day")), "close-day-screen", id="close-day", cls="big danger")
        + button(e(_("Back to sale")), "back", id="back", cls="primary big", autofocus=True)
        + "</div></div></div>"
    )


def close_screen(till: Till) -> str:
    """Close the day: the cash counted against the cash expected, the other methods' takings,
    the difference and a note. Blocked, with Sync now and Export, while a record is unsent."""
    shop, _cart = till.sale()
    day = _totals(till)
    form = _shown(till, "close-day")
    money = shop.currency.format
    try:
        count, _pieces = _count(shop, form.values)
        difference = e(money(day.difference(count)))
    except RegisterError:
        difference = "&mdash;"
    others = "".join(
        f'<tr><td>{e(m.name)}</td><td class="r-amount">{e(money(m.amount))}</td></tr>'
        for m in day.methods
        if m.method_id not in {p.id for p in shop.payment_methods if p.is_cash}
    )
    pending = int(till.counts.get("pending") or 0)
    blocked = ""
    if pending:
        blocked = (
            '<div class="confirm day-blocked" id="day-blocked" role="alert"><p>'
            + e(
                _n(
                    "{n} record of this till is not sent yet: the day closes once everything is "
                    "sent.",
                    "{n} records of this till are not sent yet: the day closes once everything is "
                    "sent.",
                    pending,
                )
            )
            + '</p><div class="confirm-actions">'
            + button(e(_("Sync now")), "sync", id="day-sync", cls="primary")
            + button(e(_("Export")), "export-outbox", id="day-export", cls="ghost")
            + "</div></div>"
        )
    return (
        '<section class="day-screen close-day card">'
        f"<h1>{e(_('Close the day'))}</h1>{blocked}"
        '<table class="day-expected"><tbody>'
        f"<tr><td>{e(_('Expected cash in the drawer'))}</td>"
        f'<td class="r-amount" id="close-day-expected">{e(money(day.expected_cash))}</td></tr>'
        f"{others}"
        f'<tr><td>{e(_("Difference"))}</td><td class="r-amount" id="close-day-difference">'
        f"{difference}</td></tr></tbody></table>"
        '<form data-action="close-day" data-live="day-typed" autocomplete="off">'
        '<input type="hidden" name="form" value="close-day">'
        f"{_grid(shop, form, 'close-day')}"
        + _text_field(
            form, "close-day", "note", _("Note (why the cash differs)"), NOTE_MAX, required=False
        )
        + f'<button type="submit" class="danger big" id="close-day-submit">'
        f"{e(_('Close the day'))}</button></form>"
        + button(e(_("Back to sale")), "back", id="back", cls="ghost")
        + "</section>"
    )


def closed_screen(till: Till) -> str:
    """The Z report of the day just closed, printable; then a new day."""
    shop, _cart = till.sale()
    closed = till.day.closed or {}
    day = day_totals(shop, closed.get("opening") or "0", closed.get("records") or [])
    money = shop.currency.format
    count = Decimal(closed.get("cash") or "0")
    note = closed.get("note") or ""
    extra = (
        f'<tr><td>{e(_("Counted cash"))}</td><td class="r-amount" id="day-counted">'
        f"{e(money(count))}</td></tr>"
        f'<tr class="r-total"><td>{e(_("Difference"))}</td><td class="r-amount" '
        f'id="day-difference">{e(money(day.difference(count)))}</td></tr>'
        + (f'<tr><td colspan="2" class="r-note">{e(note)}</td></tr>' if note else "")
    )
    return (
        '<div class="receipt-screen day-screen">'
        f'<h1 class="visually-hidden">{e(_("Z report"))}</h1>'
        + _report(till, _("Z report"), day, extra, closed.get("closed_at") or "")
        + '<div class="receipt-actions">'
        + button(e(_("Print")), "print-report", id="print-report", cls="big")
        + button(e(_("Open a new day")), "new-day", id="new-day", cls="primary big", autofocus=True)
        + "</div></div>"
    )


def screen(till: Till) -> str:
    if till.screen == "open-day":
        return open_screen(till)
    if till.screen == "close-day":
        return close_screen(till)
    if till.screen == "day-closed":
        return closed_screen(till)
    return day_screen(till)


def day_button(till: Till) -> str:
    """The top bar's way to the day (its X report, cash moves, closing), while one is open."""
    if till.day.open is None or till.screen in SCREENS:
        return ""
    return button(e(_("Day")), "day", id="day-button", cls="ghost")


# -- what the day's screens do ------------------------------------------------------------------

actions = Actions()


async def _record(till: Till, record: dict[str, Any], keep: dict[str, Any] | None) -> None:
    """Number the record with the terminal's sequence and keep it in the outbox, with the
    tablet's open session (`keep`; None after a close), in one step of the device."""
    terminal = till.device.terminal()
    if terminal is None:
        raise RegisterError("This till is not paired; it cannot number the day's records.")
    seq = await till.device.next_seq()
    record.update(
        uuid=record.get("uuid") or str(uuidlib.uuid4()),
        terminal=terminal,
        seq=seq,
        created_at=till.device.now().isoformat(),
    )
    await till.device.record_day(record, seq, keep)


def _open_day(till: Till) -> dict[str, Any]:
    """The day open on this till (its open record), or a refusal: cash moves and a close need one."""
    if till.day.open is None:
        raise RegisterError("Open the day first.")
    return till.day.open


def _who(till: Till, day: dict[str, Any]) -> str:
    """Who moves or counts the cash: the cashier logged in, else who opened the day."""
    if till.cashiers.current:
        return till.who()
    return str(day.get("cashier") or "") or till.who()


def _cashier(data: dict[str, Any]) -> str:
    name = " ".join(str(data.get("cashier") or "").split())[:CASHIER_MAX]
    if not name:
        with in_field("cashier"):
            raise RegisterError("Type who is at the till.")
    return name


@actions("day-typed")
async def day_typed(till: Till, data: dict[str, Any]) -> None:
    """A key typed in one of the day's forms (sent from aside): the till keeps what is typed,
    so a repaint (sync news) never loses it, and a count's running total follows."""
    name = str(data.get("form") or "")
    if name in ("open-day", "close-day", "cash-move"):
        till.day.counting = Form(name, data)


@actions("open-day")
async def open_day(till: Till, data: dict[str, Any]) -> None:
    shop, _cart = till.sale()
    if till.day.open is not None:
        raise RegisterError("The day is open already.")
    cashier = _cashier(data)
    cash, counts = _count(shop, data)
    note = " ".join(str(data.get("note") or "").split())[:NOTE_MAX]
    record: dict[str, Any] = {
        "kind": "session",
        "op": "open",
        "uuid": str(uuidlib.uuid4()),
        "cashier": cashier,
        "cash": money_str(cash),
    }
    if counts is not None:
        record["counts"] = counts
    if note:
        record["note"] = note
    opened = {
        "uuid": record["uuid"],
        "opened_at": till.device.now().isoformat(),
        "cashier": cashier,
        "cash": money_str(cash),
    }
    await _record(till, record, opened)
    till.day = DayState(open=opened)
    await till.update_counts()
    till.screen = "sell"
    till.flash = Flash(
        _("The day is open with {cash} in the drawer.", cash=shop.currency.format(cash)), "info"
    )


@actions("day")
async def show_day(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    if till.day.open is None:
        till.screen = "open-day"
        return
    await _records(till)
    till.screen = "day"


@actions("cash-move")
async def cash_move(till: Till, data: dict[str, Any]) -> None:
    """Cash put in or taken out of the drawer, with the reason (Odoo keeps it on the move)."""
    shop, _cart = till.sale()
    day = _open_day(till)
    kind = "in" if data.get("type") == "in" else "out"
    with in_field("amount"):
        amount = cash_amount(data.get("amount"), shop.currency, positive=True)
    reason = " ".join(str(data.get("reason") or "").split())[:REASON_MAX]
    if not reason:
        with in_field("reason"):
            raise RegisterError("Say why the cash moves.")
    # Cash out by a cashier who is not a manager waits for a manager's PIN (till.cashiers).
    approved = cashiers.approve(till, "cash-move", data, *["cash_out"] * (kind == "out"))
    record = {
        "kind": "cash_move",
        "session_uuid": day["uuid"],
        "type": kind,
        "amount": money_str(amount),
        "reason": reason,
        "cashier": _who(till, day),
        **({"approved_by": approved} if approved else {}),
    }
    await _record(till, record, day)
    till.day.counting = None
    await _records(till)
    await till.update_counts()
    money = shop.currency.format(amount)
    till.flash = Flash(
        _("Cash in recorded: {amount}.", amount=money)
        if kind == "in"
        else _("Cash out recorded: {amount}.", amount=money),
        "info",
    )


@actions("close-day-screen")
async def close_day_screen(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    _open_day(till)
    await _records(till)
    await till.update_counts()
    till.screen = "close-day"


@actions("close-day")
async def close_day(till: Till, data: dict[str, Any]) -> None:
    """Close with the cash counted: refused while anything of this till is unsent."""
    shop, cart = till.sale()
    day = _open_day(till)
    till.screen = "close-day"
    till.day.counting = Form("close-day", data)
    if not cart.is_empty() or cart.payments:
        raise RegisterError("Finish or void the open sale before closing the day.")
    await till.update_counts()
    pending = int(till.counts.get("pending") or 0)
    if pending:
        raise RegisterError(
            "The day cannot close while records of this till are not sent ({n}): press Sync "
            "now, or Export them to a file for the manager.",
            n=pending,
        )
    cash, counts = _count(shop, data)
    note = " ".join(str(data.get("note") or "").split())[:NOTE_MAX]
    await _records(till)
    totals = _totals(till)
    record: dict[str, Any] = {
        "kind": "session",
        "op": "close",
        "session_uuid": day["uuid"],
        "cashier": _who(till, day),
        "cash": money_str(cash),
        "expected": money_str(totals.expected_cash),
        "note": note,
    }
    if counts is not None:
        record["counts"] = counts
    await _record(till, record, None)
    till.day = DayState(
        closed={
            **day,
            "opening": day.get("cash") or "0",
            "cash": money_str(cash),
            "note": note,
            "closed_at": record["created_at"],
            "records": till.day.records,
        }
    )
    await till.update_counts()
    till.screen = "day-closed"


@actions("new-day")
async def new_day(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    till.day = DayState()
    till.screen = "open-day"


@actions("print-report")
async def print_report(till: Till, data: dict[str, Any]) -> None:
    if till.screen not in ("day", "day-closed"):
        raise RegisterError("There is no report to print.")
    till.device.print_receipt()
