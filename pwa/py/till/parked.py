"""Parked sales: the open sale put aside (a customer fetching their wallet) and the list to resume one.

Apart because a parked sale is not being rung up and is not a sale yet: nothing of it leaves the
till (no outbox record, no sequence number). Parked sales sit in the device's drafts beside the open
one, so they survive a reload, and come back through `Cart.from_dict` as the open draft does. Each
step that moves a sale (park, resume with the open one parked in its place) is one transaction of
the device, so a crash keeps every sale somewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.cart import Cart
from register.errors import RegisterError
from register.money import money_str
from register.shop import Shop

from .actions import Actions
from .forms import Ask, _dialog
from .i18n import _, _n
from .views import Flash, _local_time, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["actions", "ask_park", "parked_screen", "read", "screen"]

KEY_PREFIX = "parked:"  # the device keeps each parked sale under "parked:<cart uuid>"
NOTE_MAX = 60  # a name or a table, not a letter


def ask_park() -> str:
    """Park this sale? A note to find it again (optional); Park (Enter) or Keep selling (Escape)."""
    return (
        '<form class="confirm park-form" id="park-form" data-action="park-sale" role="dialog"'
        ' aria-labelledby="park-form-text" autocomplete="off">'
        f'<p id="park-form-text">{e(_("Park this sale? It waits on this till until resumed."))}</p>'
        f'<label class="park-note">{e(_("Note (optional)"))}'
        f'<input id="park-note" name="note" type="text" maxlength="{NOTE_MAX}" autofocus'
        f' placeholder="{e(_("Customer name, table…"))}"></label>'
        '<div class="confirm-actions">'
        f'<button type="submit" class="primary" id="park-confirm">{e(_("Park sale"))}</button>'
        + button(e(_("Keep selling")), "keep", cls="ghost", id="confirm-keep")
        + "</div></form>"
    )


def _ask_discard(entry: dict[str, Any]) -> str:
    """Discard this parked sale? Discard (Enter) or Keep (Escape); nothing of it is booked."""
    keep = button(e(_("Keep")), "keep", cls="ghost", id="confirm-keep")
    question = _n(
        "Discard the parked sale “{note}”? Its line is dropped; nothing is booked.",
        "Discard the parked sale “{note}”? Its {n} lines are dropped; nothing is booked.",
        int(entry.get("lines") or 0),
        note=_label(entry),
    )
    hidden = {"arg": entry.get("key")}
    return _dialog(
        "confirm-discard", "discard-parked-sale", question, hidden, (_("Discard"), "danger"), keep
    )


def _label(entry: dict[str, Any]) -> str:
    return str(entry.get("note") or _("No note"))


def parked_screen(shop: Shop, parked: Sequence[dict[str, Any]], asking: Ask | None) -> str:
    """The parked sales of this till, oldest first: one tap resumes one; Discard asks first."""
    money = shop.currency.format
    rows = []
    for entry in parked:
        key = str(entry.get("key") or "")
        lines = int(entry.get("lines") or 0)
        detail = _n("{n} line", "{n} lines", lines)
        rows.append(
            f'<li class="order-row parked-row" data-parked-key="{e(key)}">'
            + button(
                f'<span class="o-name">{e(_label(entry))}</span>'
                f'<span class="o-time">{e(_local_time(entry.get("parked_at") or ""))}'
                f" &middot; {e(detail)}</span>"
                f'<span class="o-total">{e(money(Decimal(entry.get("total") or "0")))}</span>',
                "resume",
                key,
                cls="order-open resume",
            )
            + button(e(_("Discard")), "discard-parked", key, cls="ghost danger discard")
            + "</li>"
        )
        if asking is not None and asking.kind == "discard" and asking.arg == key:
            rows.append(f'<li class="parked-confirm">{_ask_discard(entry)}</li>')
    body = (
        f'<ol class="orders parked">{"".join(rows)}</ol>'
        if rows
        else f'<p class="empty">{e(_("No parked sales."))}</p>'
    )
    return (
        '<section class="orders-screen parked-screen card">'
        + button("&larr; " + e(_("Back to sale")), "back", cls="ghost", id="back")
        + f"<h1>{e(_('Parked sales'))}</h1>{body}</section>"
    )


async def read(till: Till) -> None:
    """The parked sales from the device, oldest first; a failure is said, not fatal (the sale
    on screen does not need them)."""
    try:
        found = await till.device.parked_sales()
    except Exception as exc:
        till.flash = till.flash or Flash(_("Could not read the parked sales: {error}", error=exc))
        return
    till.parked = sorted(found, key=lambda entry: str(entry.get("parked_at") or ""))


def _check_parkable(cart: Cart) -> None:
    """Only a sale being rung up can wait: money taken or a refund must be finished first."""
    if cart.payments:
        raise RegisterError(
            "A sale with payments cannot be parked: finish it, or remove its payments first."
        )
    if any(line.refunded_line_uuid is not None for line in cart.lines):
        raise RegisterError("A refund cannot be parked: finish it or void it.")
    if cart.is_empty():
        raise RegisterError("There is no sale to park.")


def _entry_of(till: Till, cart: Cart, note: str) -> dict[str, Any]:
    """What the device keeps: the draft, and what the list shows without restoring it."""
    return {
        "key": KEY_PREFIX + cart.uuid,
        "parked_at": till.device.now().isoformat(),
        "note": note,
        "lines": sum(1 for line in cart.lines if line.kind == "product"),
        "total": money_str(cart.totals().amount_total),
        "draft": cart.to_dict(),
    }


def _picked(till: Till, data: dict[str, Any]) -> dict[str, Any]:
    wanted = str(data.get("arg") or "")
    for entry in till.parked:
        if entry.get("key") == wanted:
            return entry
    raise RegisterError("That sale is no longer parked.")


def _fresh_sale(till: Till, cart: Cart) -> None:
    """`cart` becomes the open sale, on the sell screen, with nothing of the last one open."""
    till.cart = cart
    till.last_line = cart.lines[-1].uuid if cart.lines else None
    till.editing = None
    till.order_discount_open = False
    till.screen = "sell"


# -- what the park button and the parked sales screen do --------------------------------------------

actions = Actions()


@actions("park")
async def park(till: Till, data: dict[str, Any]) -> None:
    """The Park button: asks for a note (Enter parks without one)."""
    _check_parkable(till.current_cart())
    till.ask(Ask("park", ""))


@actions("park-sale")
async def park_sale(till: Till, data: dict[str, Any]) -> None:
    """Put the open sale aside and start an empty one, in one step of the device."""
    cart = till.current_cart()
    _check_parkable(cart)
    note = " ".join(str(data.get("note") or "").split())[:NOTE_MAX]
    fresh = till.new_cart()
    await till.device.park_sale(_entry_of(till, cart, note), fresh.to_dict())
    _fresh_sale(till, fresh)
    await read(till)
    till.flash = Flash(_("The sale is parked."), "info")


@actions("parked")
async def parked(till: Till, data: dict[str, Any]) -> None:
    till.sale()
    await read(till)
    till.screen = "parked"


@actions("resume")
async def resume(till: Till, data: dict[str, Any]) -> None:
    """Back to a parked sale. An open sale with lines is parked in its place, so nothing is lost;
    one with payments or refund lines must be finished first."""
    shop, cart = till.sale()
    entry = _picked(till, data)
    if not cart.is_empty() or cart.payments:
        _check_parkable(cart)
    try:
        resumed = Cart.from_dict(shop, entry["draft"], catalog=till.catalog)
    except Exception as exc:
        raise RegisterError(
            "This parked sale could not be restored ({error}); discard it.", error=str(exc)
        ) from None
    aside = None if cart.is_empty() else _entry_of(till, cart, "")
    if not await till.device.resume_parked(entry["key"], resumed.to_dict(), aside):
        await read(till)
        raise RegisterError("That sale is no longer parked.")
    _fresh_sale(till, resumed)
    await read(till)
    till.flash = Flash(
        _("The parked sale is back; the open one is parked in its place.")
        if aside is not None
        else _("The parked sale is back."),
        "info",
    )


@actions("discard-parked")
async def discard_parked(till: Till, data: dict[str, Any]) -> None:
    """Discard, asked first: a parked sale is a customer's basket."""
    entry = _picked(till, data)
    till.asking = Ask("discard", str(entry["key"]))


@actions("discard-parked-sale")
async def discard_parked_sale(till: Till, data: dict[str, Any]) -> None:
    """Yes to "Discard the parked sale?": it is dropped from the device; nothing is booked."""
    entry = _picked(till, data)
    await till.device.discard_parked(str(entry["key"]))
    await read(till)
    till.flash = Flash(_("The parked sale was discarded."), "info")


def screen(till: Till) -> str:
    """The parked sales screen."""
    shop, _cart = till.sale()
    return parked_screen(shop, till.parked, till.asking)
