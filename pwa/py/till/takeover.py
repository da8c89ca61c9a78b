"""One register per device: a tab that is not the register only shows it, and can take it over.

Of the tabs and windows of one browser only one sells: the one holding the register's Web Lock
(static/js/register_lock.js). Odoo's own POS loses sales to a second tab on the same session
(odoo/odoo#152259). Any other tab opens read-only: every action that writes (a sale, the day, a
customer, a setting, a sync, pairing) is refused with the reason, and a banner in the top bar
offers "Use this tab instead", which takes the register over; the tab that had it turns read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import customers, session
from .actions import Actions
from .i18n import _
from .views import Flash, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["ANYWHERE", "actions", "banner", "refused"]

# What a tab that only shows the register may still do: look (the sales, the products, the
# customers, the day, the parked sales, the unsent sales, the keys), print what is on screen, go
# back to the sale, export the unsent records, and take the register over. All else writes.
VIEWING = frozenset(
    {"keep", "escape", "back", "new-sale", "help", "sync-panel", "outbox-changed", "export-outbox"}
    | {"settings-panel", "orders", "find-orders", "more-orders", "show-order", "print"}
    | {"search", "category", "customers", "customer-search", "parked", "day", "print-report"}
    | {"read-only", "take-over"}
)
# Which tab sells changes on any screen (the cashiers' lock, a day not open yet).
ANYWHERE = frozenset({"read-only", "take-over"})
REASONS = ("elsewhere", "taken-over")


def reason(till: Till) -> str:
    """Why this tab cannot sell, as the banner and every refusal say it."""
    if till.read_only == "taken-over":
        return _(
            "Another tab or window of this browser took over this register. This tab only shows it."
        )
    return _(
        "This register is open in another tab or window of this browser. This tab only shows it."
    )


def refused(till: Till, action: str) -> bool:
    """True, with the reason on screen, when this tab only shows the register and `action` writes."""
    if till.read_only is None or action in VIEWING:
        return False
    till.flash = Flash(reason(till))
    return True


def banner(till: Till) -> str:
    """The top bar's last row while this tab only shows the register: why, and the way out."""
    if till.read_only is None:
        return ""
    return (
        f'<section id="read-only" class="read-only-banner" data-reason="{e(till.read_only)}"'
        f' aria-label="{e(_("Read-only"))}"><p>{e(reason(till))}</p>'
        + button(e(_("Use this tab instead")), "take-over", id="take-over", cls="primary")
        + "</section>"
    )


actions = Actions()


@actions("read-only")
async def read_only(till: Till, data: dict[str, Any]) -> None:
    """From register_lock.js: another tab is the register (at start, or it took over just now)."""
    why = data.get("reason")
    till.read_only = why if why in REASONS else REASONS[0]
    till.editing = None
    till.order_discount_open = False


@actions("take-over")
async def take_over(till: Till, data: dict[str, Any]) -> None:
    """Make this tab the register; then everything is read again from the device, as the other
    tab left it (its open sale above all: this tab's copy is older and must not overwrite it)."""
    if till.read_only is None:
        return
    await till.device.take_over()
    till.read_only = None
    till.cart = None
    till.order = None
    till.settings = None
    till.customers = customers.Customers()
    till.day = session.DayState()
    till.parked = []
    await till.start()
    till.flash = till.flash or Flash(_("This tab is the register now."), "info")
