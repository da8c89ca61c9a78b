"""The till's core: the state of the cashier's screen and the open sale, and the routing of actions.

The JS layer calls `handle(action, data)` for every tap, Enter or scan and then paints `render()`.
What each action does lives with its screen (`sell`, `pay`, `receipt`, `orders`, `frame`,
`settings`: each keeps an `actions` table); the core routes, keeps the state they share, and makes
sure nothing escapes `handle`: a refused action or a failing device becomes a message on screen, and
the open sale is saved as a draft after every change so that a reload or a crash loses nothing.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from register.cart import Cart
from register.catalog import Catalog
from register.errors import RegisterError
from register.shop import Shop

from . import (
    cashiers,
    customers,
    frame,
    health,
    numpad,
    orders,
    parked,
    pay,
    receipt,
    sell,
    session,
    settings,
    takeover,
)
from .actions import Actions, merged
from .device import Device
from .forms import Ask, FieldError, Form
from .i18n import _
from .views import Flash, _local_time

__all__ = ["Till"]

TENDER_CONFIRM_FACTOR = Decimal(100)  # more than this many times the due: ask before taking it
# The forms that come back as typed after a refusal (the handler names the wrong field).
FORMS = frozenset(
    {"qty", "tender", "line-edit", "order-discount", "refund-lines", "pair", "customer-save"}
    | {"open-day", "cash-move", "close-day"}
)
# Actions that leave an open question (Ask) for their handler to answer.
ANSWERS = frozenset({"outbox-changed", "tender-change", "escape"})
SCREENS = (
    *("pair", "loading", "sell", "pay", "receipt", "orders", "refund", "parked", "customers"),
    *session.SCREENS,
    "cashiers",
)
# Actions that leave the sync panel and the keys help as they are; any other action closes them.
PANEL_ACTIONS = frozenset(
    {"sync-panel", "sync", "retry-sale", "export-outbox", "import-records", "outbox-changed"}
    | {"help", "escape"}
)
# Actions that leave the settings panel open (a background update must not close it either).
SETTINGS_ACTIONS = frozenset(
    {"settings-panel", "language", "settings", "receipt-paper", "auto-print", "outbox-changed"}
)

# Actions that leave a manager's PIN question open (its answer, Escape, a background update).
MANAGER_ANSWERS = frozenset({"manager-pin", "escape", "outbox-changed"})
# What the lock screen lets anyone do: log in, and what the top bar offers.
WHILE_LOCKED = (
    PANEL_ACTIONS
    | SETTINGS_ACTIONS
    | frozenset(cashiers.actions.handlers)
    | {"keep", "refresh"}
    | takeover.ANYWHERE
)
DAY = ("day", "close-day")  # the day's screens a cashier leaves for the sale (till.session)
# The core's own actions: answers to a question and Escape, which belong to no one screen.
actions = Actions()


class Till:
    """The cashier's app: screens, the open sale, and every action a cashier can take."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self.screen = "loading"
        self.shop: Shop | None = None
        self.catalog = Catalog()
        self.cart: Cart | None = None
        self.counts: dict[str, Any] = {}
        self.sync_panel_open = False  # the list of unsent, failed, rejected and held sales
        self.help_open = False  # the overlay listing the keyboard shortcuts
        self.settings: dict[str, Any] | None = None  # the tablet's settings, read when needed
        self.settings_open = False
        self.flash: Flash | None = None
        self.form: Form | None = None  # the last refused form, as typed
        self.asking: Ask | None = None  # a question waiting for Yes or No
        self.tender_factor = TENDER_CONFIRM_FACTOR
        self.query = ""
        self.category: int | None = None
        self.reveal: str | None = None  # the line this action changed: the cart shows it
        self.last_line = None
        self.order: dict[str, Any] | None = None  # the receipt on screen
        self.orders: list[dict[str, Any]] = []  # the sales screen: the sales listed
        self.orders_query = ""  # what the sales screen searched for ("": every sale)
        self.orders_next: int | None = None  # where "More" goes on from (None: all listed)
        self.shop_orders: list[dict[str, Any]] = []  # other tills' sales the relay found
        self.shop_refunds: list[dict[str, Any]] = []  # the refunds of their lines
        self.shop_note = ""  # why other tills' sales were not searched ("": they were)
        self.editing: str | None = None  # the line whose editor is open
        self.parked: list[dict[str, Any]] = []  # the parked sales, oldest first (till.parked)
        self.customers = customers.Customers()  # the customer screen and the sale's customer
        self.day = session.DayState()  # the register's day open on this tablet (till.session)
        self.cashiers = cashiers.Cashiers()  # who is at the till (till.cashiers)
        self.order_discount_open = False
        self.numpad = numpad.Numpad()  # the pad for a line's quantity, discount or price
        self.refund_order: dict[str, Any] | None = None  # the sale on the refund screen
        self.refund_left: dict[str, Decimal] = {}  # its line uuid -> quantity still refundable
        self.history: list[dict[str, Any]] = []  # the last history a refund read
        self.loading_message = ""  # empty: "Loading the shop…" in the current language
        self.can_retry = False
        # Why this tab only shows the register ("elsewhere", "taken-over"; till.takeover), or
        # None: it is the register, the one tab of this browser that sells.
        self.read_only: str | None = None
        self._draft_due = False  # the open sale changed since it was last saved
        self._actions = (
            merged(
                m.actions
                for m in (
                    *(sell, numpad, pay, receipt, orders, parked, customers, session, cashiers),
                    *(frame, settings, takeover, health),
                )
            )
            | actions.handlers
        )

    @property
    def last_line(self) -> str | None:
        """The line the cashier changed last (highlighted in the cart)."""
        return self._last_line

    @last_line.setter
    def last_line(self, line_uuid: str | None) -> None:
        # Whoever sets it has just changed that line: this action's screen brings it into view.
        self._last_line = self.reveal = line_uuid

    # -- state the JS asks about -------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """True while the sell screen with the scan box is up."""
        return self.screen == "sell" and self.cart is not None

    @property
    def can_scan(self) -> bool:
        """True on every screen a scan can sell from (not while pairing: a code is typed there)."""
        return (
            self.screen not in ("pair", "loading", "cashiers", *session.SCREENS)
            and self.cashiers.asking is None
            and self.cart is not None
        )

    @property
    def idle(self) -> bool:
        """True between sales: a new app version may take over (a reload) without costing anything.

        Not while paying, and not on the receipt either: the cashier may still have to print it.
        """
        if self.screen in ("pay", "receipt", "refund"):
            return False
        return self.cart is None or (self.cart.is_empty() and not self.cart.payments)

    # -- starting ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the shop, catalog and open sale from the device (pairing first if needed)."""
        if self.device.terminal() is None:
            self.screen = "pair"
            return
        await self.load()

    async def load(self) -> None:
        self.screen = "loading"
        self.can_retry = False
        try:
            bootstrap = await self.device.load_bootstrap()
            if bootstrap is None:
                try:
                    reached = await self.device.refresh()
                except Exception:
                    reached = False
                bootstrap = await self.device.load_bootstrap() if reached else None
            if bootstrap is None:
                self.loading_message = _(
                    "This till has no shop data yet and cannot reach the relay. "
                    "Check the network, then press Retry."
                )
                self.can_retry = True
                return
            self.use(bootstrap, await self.device.load_catalog())
            await self.restore_draft()
        except Exception as exc:
            self.loading_message = _("The till could not load its data: {error}", error=exc)
            self.can_retry = True
            return
        await self.update_counts()
        await parked.read(self)
        await customers.restore(self)
        await session.read(self)
        self.screen = "sell" if self.day.open is not None else "open-day"
        await cashiers.restore(self)

    def use(self, bootstrap: dict[str, Any], catalog_json: str) -> None:
        """Swap in a shop and catalog; an open sale moves over with its lines and payments."""
        shop = Shop.from_bootstrap(bootstrap)
        catalog = Catalog()
        catalog.apply_json(catalog_json)
        if self.cart is not None:
            self.cart = Cart.from_dict(shop, self.cart.to_dict(), catalog=catalog)
        self.shop, self.catalog = shop, catalog
        self.cashiers.use(bootstrap)
        if self.cashiers.enabled and self.cashiers.current is None and self.screen != "loading":
            cashiers.lock(self)  # new cashiers, or the one at the till is gone: log in again
        try:  # the shop's own limit, when its configuration gives one
            factor = Decimal(str((bootstrap.get("config") or {}).get("tender_confirm_factor") or 0))
        except decimal.InvalidOperation:
            factor = Decimal(0)
        self.tender_factor = factor if factor > 0 else TENDER_CONFIRM_FACTOR
        if self.category is not None and all(c != self.category for c, _name in shop.categories):
            self.category = None

    async def restore_draft(self) -> None:
        assert self.shop is not None
        draft = await self.device.load_draft()
        if draft:
            try:
                self.cart = Cart.from_dict(self.shop, draft, catalog=self.catalog)
                return
            except Exception as exc:
                self.flash = Flash(
                    _("The open sale saved on this till could not be restored: {error}", error=exc)
                )
        if self.cart is None:
            self.cart = self.new_cart()

    def new_cart(self) -> Cart:
        assert self.shop is not None
        return Cart(self.shop, catalog=self.catalog)

    def local_time(self, iso: str) -> str:
        """A record's time in the shop's zone (the bootstrap's `tz`, which the device turns into
        an offset), else in the device's own zone."""
        zone = self.shop.timezone if self.shop is not None else ""
        if not zone:
            return _local_time(iso)
        return _local_time(iso, lambda moment: self.device.zone_offset(zone, moment))

    def ask(self, question: Ask) -> None:
        """A question over the sale (void it? park it?): the editors close under it."""
        self.asking = question
        self.editing = None
        self.order_discount_open = False
        self.screen = "sell"

    def who(self) -> str:
        """Who gave a discount or set a price: the cashier logged in, else the terminal's name
        (a shop without cashiers)."""
        current = self.cashiers.current
        return str(current.get("name") or "") if current else self.device.terminal() or ""

    async def update_counts(self) -> None:
        try:
            self.counts = await self.device.outbox_counts() or {}
        except Exception as exc:
            self.flash = self.flash or Flash(
                _("Could not read the unsent sales: {error}", error=exc)
            )

    # -- actions -----------------------------------------------------------------------------

    async def handle(self, action: str, data: dict[str, Any] | None = None) -> None:
        """Do one user action and save what it changed (`act`, then `save_changes`)."""
        await self.act(action, data)
        await self.save_changes()

    async def act(self, action: str, data: dict[str, Any] | None = None) -> None:
        """Do one user action; any refusal or failure becomes the on-screen message.

        The open sale it changed is saved by `save_changes`: the browser paints first (a scan
        needs no I/O to be shown, so it is on screen one frame sooner) and saves right after."""
        data = data if isinstance(data, dict) else {}
        self.reveal = None
        if action != "outbox-changed":  # a background update must not hide a message
            self.flash = None
            self.form = None
        if action not in ANSWERS:  # any other action is a "no" to an open question
            self.asking = None
        if action not in MANAGER_ANSWERS:  # and to a manager's PIN asked for
            self.cashiers.asking = None
        if action not in PANEL_ACTIONS:
            self.sync_panel_open = False
            self.help_open = False
        if action not in SETTINGS_ACTIONS:
            self.settings_open = False
        if action not in numpad.KEEPS:  # what was typed on the pad and not entered is dropped
            self.numpad.leave(action)
        handler = self._actions.get(action)
        if takeover.refused(self, action):  # another tab of this browser is the register
            return
        if (
            handler is not None
            and action not in takeover.ANYWHERE
            and not session.allowed(self, action)
        ):
            self.flash = Flash(_("Open the day first: count the cash in the drawer."))
            return
        if handler is None:
            self.flash = Flash(_("Unknown action: {action}", action=action))
            return
        if self.screen == "cashiers" and action not in WHILE_LOCKED:
            self.flash = Flash(_("Pick who is at the till first."))
            return
        try:
            await handler(self, data)
        except cashiers.ManagerNeeded:  # the manager's PIN is asked; the form stays as typed
            if action in FORMS:
                self.form = Form(action, data)
        except RegisterError as exc:
            self._refused(action, data, exc)
        except Exception as exc:
            self.flash = Flash(_("That did not work ({action}): {error}", action=action, error=exc))

    def _refused(self, action: str, data: dict[str, Any], exc: RegisterError) -> None:
        """A form comes back as typed with the message beside the wrong field (focused, so a
        screen reader reads it); anything else, or a form's message about no one field in
        particular, is the message at the top."""
        message = _(exc.template, **exc.values)
        if action in FORMS:
            field = exc.field if isinstance(exc, FieldError) else None
            self.form = Form(action, data, field, message)
            if field is not None:
                return
        self.flash = Flash(message)

    def sale(self) -> tuple[Shop, Cart]:
        if self.shop is None or self.cart is None:
            raise RegisterError("The till is not ready yet.")
        return self.shop, self.cart

    def current_cart(self) -> Cart:
        """The open sale (`_` is the translation function, so no `_, cart = self.sale()`)."""
        return self.sale()[1]

    def draft_changed(self) -> None:
        """The open sale changed: `save_changes` saves it after the action."""
        self._draft_due = True

    async def save_changes(self) -> None:
        """Save the open sale after every change, so a reload restores it (as it is now: an
        action that finished the sale in between leaves the next, empty one)."""
        if not self._draft_due:
            return
        self._draft_due = False
        cart = self.current_cart()
        try:
            await self.device.save_draft(cart.to_dict())
        except Exception as exc:
            self.flash = Flash(
                _(
                    "The open sale could not be saved on this till ({error}). "
                    "Finish it before reloading.",
                    error=exc,
                )
            )

    def back_to_selling(self) -> None:
        """Back to the sell screen (scanning on the receipt screen starts the next sale)."""
        if self.screen in ("receipt", "orders", "pay", "refund", "parked", "customers", *DAY):
            self.screen = "sell"
            self.order = None

    def was_prices(
        self, lines: list[dict[str, Any]], pricelist_id: Any, position_id: Any
    ) -> dict[str, Decimal]:
        """Line uuid -> the pricelist's price, for product lines priced by hand ("was Rp X").

        The records do not keep the price before the override, so it is priced again from the
        catalog with the order's pricelist and fiscal position.
        """
        was: dict[str, Decimal] = {}
        pricer: Cart | None = None
        for line in lines:
            generated = line.get("kind", "product") != "product" or line.get("is_order_discount")
            if not line.get("price_manually_set") or generated or line.get("is_reward_line"):
                continue
            product = self.catalog.get(int(line["product_id"]))
            if product is None:
                continue
            try:
                if pricer is None:
                    pricer = self.new_cart()
                    pricer.set_pricelist(pricelist_id)
                    pricer.set_fiscal_position(position_id)
                price = pricer.auto_price(product, abs(Decimal(str(line["qty"]))))
            except (RegisterError, decimal.InvalidOperation):
                continue
            if price != Decimal(str(line["price_unit"])):
                was[str(line["uuid"])] = price
        return was

    # -- rendering ---------------------------------------------------------------------------

    def render(self) -> str:
        """The whole #app for the current screen."""
        terminal = self.device.terminal()
        shop_name = self.shop.company_name if self.shop else ""
        panel = settings.settings_panel(
            self.settings or {},
            open_=self.settings_open,
            form=self.form,
            tablet=health.panel(self.counts),
        )
        top = frame.top_bar(
            shop_name,
            terminal,
            self.counts,
            panel_open=self.sync_panel_open,
            settings=session.day_button(self) + panel,
            cashier=cashiers.top(self),
            # Under the top bar's items: the tablet's storage and clock, when they are wrong.
            banner=takeover.banner(self) + health.notices(self.counts),
        )
        body = self._body(terminal)
        return frame.page(
            top,
            body,
            self.flash,
            self.screen,
            help_open=self.help_open,
            overlay=cashiers.approval_dialog(self),
        )

    def _body(self, terminal: str | None) -> str:
        if self.screen == "pair":
            return frame.pair_screen(self.form)
        if self.shop is None or self.cart is None or self.screen == "loading":
            return frame.loading_screen(
                self.loading_message or _("Loading the shop…"), self.can_retry
            )
        if self.screen == "cashiers":
            return cashiers.screen(self)
        if self.screen == "receipt" and self.order is not None:
            return receipt.screen(self, terminal)
        if self.screen == "orders":
            return orders.screen(self)
        if self.screen == "refund" and self.refund_order is not None:
            return orders.refund_page(self)
        if self.screen == "pay":
            return pay.screen(self)
        if self.screen in session.SCREENS:
            return session.screen(self)
        if self.screen == "parked":
            return parked.screen(self)
        if self.screen == "customers":
            return customers.screen(self)
        return sell.screen(self)


@actions("keep")
async def keep(till: Till, data: dict[str, Any]) -> None:
    """No to the question on screen (handle already dropped it): nothing changes."""


@actions("escape")
async def escape(till: Till, data: dict[str, Any]) -> None:
    """Escape closes what is open, innermost first; with nothing open it goes back to the sale."""
    if till.cashiers.asking is not None:  # the manager's PIN: nothing is done
        till.cashiers.asking = None
    elif till.asking is not None:  # the harmless answer: Keep the line, Change the amount
        await pay.tender_change(till, data)
    elif till.help_open:
        till.help_open = False
    elif till.settings_open:
        till.settings_open = False
    elif till.editing is not None or till.order_discount_open:
        await sell.close_editor(till, data)
    elif till.numpad.open:
        await numpad.close(till, data)
    elif till.sync_panel_open:
        till.sync_panel_open = False
    elif till.screen in ("pay", "receipt", "orders", "refund", "parked", "customers", *DAY):
        await pay.back(till, data)
