"""The till: one object holding the cashier's screen, the open sale and the catalog.

The JS layer calls `handle(action, data)` for every tap, Enter or scan and then paints `render()`.
Nothing escapes `handle`: a refused action or a failing device becomes a message on screen, and the
open sale is saved as a draft after every change so that a reload or a crash loses nothing.
"""

from __future__ import annotations

import decimal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from typing import Any

from register.cart import Cart
from register.catalog import Catalog, Product
from register.errors import InvalidAmount, InvalidQuantity, RegisterError, UnknownProduct
from register.money import Currency, parse_money
from register.refunds import RefundLedger
from register.shop import Shop

from . import frame, i18n, orders, pay, receipt, sell, texts
from .device import Device
from .forms import Ask, Form
from .i18n import _, _n
from .settings import parse_scanner, settings_panel
from .views import Flash

__all__ = ["GRID_LIMIT", "Till", "quick_cash"]

GRID_LIMIT = 60
RECENT_ORDERS = 20
REFUND_HISTORY = 500  # the orders a refund looks back through (sales and earlier refunds)
# Banknotes a customer typically hands over, in the currency's main unit (IDR: Rp 5.000 ... 100.000).
NOTES_WHOLE = (5000, 10000, 20000, 50000, 100000)
NOTES_CENTS = (5, 10, 20, 50, 100)
QUICK_CASH_BUTTONS = 4
TENDER_CONFIRM_FACTOR = Decimal(100)  # more than this many times the due: ask before taking it
# The forms that come back as typed after a refusal (the handler names the wrong field).
FORMS = frozenset({"qty", "tender", "line-edit", "order-discount", "refund-lines", "pair"})
# Actions that leave an open question (Ask) for their handler to answer.
ANSWERS = frozenset({"outbox-changed", "tender-change", "escape"})
SCREENS = ("pair", "loading", "sell", "pay", "receipt", "orders", "refund")
# Actions that leave the sync panel and the keys help as they are; any other action closes them.
PANEL_ACTIONS = frozenset(
    {"sync-panel", "sync", "retry-sale", "export-outbox", "outbox-changed", "help", "escape"}
)
# Actions that leave the settings panel open (a background update must not close it either).
SETTINGS_ACTIONS = frozenset({"settings-panel", "language", "settings", "outbox-changed"})

Handler = Callable[[dict[str, Any]], Awaitable[None]]


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


def _id(record: Any) -> int | None:
    return None if record is None else record.id


def _is_refund(order: dict[str, Any]) -> bool:
    """An order record that gives money or goods back (refund lines, or a negative total)."""
    lines = order.get("lines") or ()
    if any(line.get("refunded_line_uuid") for line in lines):
        return True
    try:
        return Decimal(str(order.get("amount_total") or "0")) < 0
    except decimal.InvalidOperation:
        return False


class FieldError(RegisterError):
    """A refusal that names the form field to fix."""

    def __init__(self, field: str, error: RegisterError) -> None:
        super().__init__(error.template, **error.values)
        self.field = field


@contextmanager
def _in_field(field: str | None) -> Iterator[None]:
    """Any refusal inside is about `field` of the form (None: about no field in particular)."""
    try:
        yield
    except FieldError:
        raise
    except RegisterError as exc:
        if field is None:
            raise
        raise FieldError(field, exc) from exc


def _qty_text(value: Any) -> str:
    """A typed quantity, with a decimal comma accepted ("1,5" -> "1.5")."""
    return str(value if value is not None else "").strip().replace(",", ".")


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
        self.last_line: str | None = None
        self.order: dict[str, Any] | None = None  # the receipt on screen
        self.orders: list[dict[str, Any]] = []  # the recent-sales screen
        self.editing: str | None = None  # the line whose editor is open
        self.order_discount_open = False
        self.refund_order: dict[str, Any] | None = None  # the sale on the refund screen
        self.refund_left: dict[str, Decimal] = {}  # its line uuid -> quantity still refundable
        self.history: list[dict[str, Any]] = []  # the last history a refund read
        self.loading_message = ""  # empty: "Loading the shop…" in the current language
        self.can_retry = False
        self._actions: dict[str, Handler] = {
            "scan": self._scan,
            "search": self._search,
            "category": self._category,
            "add": self._add,
            "qty": self._qty,
            "inc": self._inc,
            "dec": self._dec,
            "remove": self._remove,
            "keep": self._keep,
            "void": self._void,
            "void-sale": self._void_sale,
            "pay": self._pay,
            "pay-exact": self._pay_exact,
            "tender": self._tender,
            "tender-change": self._tender_change,
            "remove-payment": self._remove_payment,
            "back": self._back,
            "validate": self._validate,
            "print": self._print,
            "new-sale": self._new_sale,
            "sync": self._sync,
            "outbox-changed": self._outbox_changed,
            "sync-panel": self._sync_panel,
            "retry-sale": self._retry_sale,
            "export-outbox": self._export_outbox,
            "help": self._help,
            "escape": self._escape,
            "settings-panel": self._settings_panel,
            "language": self._language,
            "settings": self._save_settings,
            "pair": self._pair,
            "retry": self._retry,
            "refresh": self._refresh,
            "orders": self._orders,
            "show-order": self._show_order,
            "pricelist": self._pricelist,
            "fiscal-position": self._fiscal_position,
            "edit-line": self._edit_line,
            "close-editor": self._close_editor,
            "line-edit": self._line_edit,
            "reset-price": self._reset_price,
            "order-discount-open": self._order_discount_open,
            "order-discount": self._order_discount,
            "refund": self._refund,
            "refund-lines": self._refund_lines,
            "refund-all": self._refund_all,
        }

    # -- state the JS asks about -------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """True while the sell screen with the scan box is up."""
        return self.screen == "sell" and self.cart is not None

    @property
    def can_scan(self) -> bool:
        """True on every screen a scan can sell from (not while pairing: a code is typed there)."""
        return self.screen not in ("pair", "loading") and self.cart is not None

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
        await self._load()

    async def _load(self) -> None:
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
            self._use(bootstrap, await self.device.load_catalog())
            await self._restore_draft()
        except Exception as exc:
            self.loading_message = _("The till could not load its data: {error}", error=exc)
            self.can_retry = True
            return
        await self._update_counts()
        self.screen = "sell"

    def _use(self, bootstrap: dict[str, Any], catalog_json: str) -> None:
        """Swap in a shop and catalog; an open sale moves over with its lines and payments."""
        shop = Shop.from_bootstrap(bootstrap)
        catalog = Catalog()
        catalog.apply_json(catalog_json)
        if self.cart is not None:
            self.cart = Cart.from_dict(shop, self.cart.to_dict(), catalog=catalog)
        self.shop, self.catalog = shop, catalog
        try:  # the shop's own limit, when its configuration gives one
            factor = Decimal(str((bootstrap.get("config") or {}).get("tender_confirm_factor") or 0))
        except decimal.InvalidOperation:
            factor = Decimal(0)
        self.tender_factor = factor if factor > 0 else TENDER_CONFIRM_FACTOR
        if self.category is not None and all(c != self.category for c, _name in shop.categories):
            self.category = None

    async def _restore_draft(self) -> None:
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
            self.cart = self._new_cart()

    def _new_cart(self) -> Cart:
        assert self.shop is not None
        return Cart(self.shop, catalog=self.catalog)

    def _by(self) -> str:
        """Who gave a discount or set a price: the terminal's name until cashiers log in."""
        return self.device.terminal() or ""

    async def _update_counts(self) -> None:
        try:
            self.counts = await self.device.outbox_counts() or {}
        except Exception as exc:
            self.flash = self.flash or Flash(
                _("Could not read the unsent sales: {error}", error=exc)
            )

    # -- actions -----------------------------------------------------------------------------

    async def handle(self, action: str, data: dict[str, Any] | None = None) -> None:
        """Do one user action; any refusal or failure becomes the on-screen message."""
        data = data if isinstance(data, dict) else {}
        if action != "outbox-changed":  # a background update must not hide a message
            self.flash = None
            self.form = None
        if action not in ANSWERS:  # any other action is a "no" to an open question
            self.asking = None
        if action not in PANEL_ACTIONS:
            self.sync_panel_open = False
            self.help_open = False
        if action not in SETTINGS_ACTIONS:
            self.settings_open = False
        handler = self._actions.get(action)
        if handler is None:
            self.flash = Flash(_("Unknown action: {action}", action=action))
            return
        try:
            await handler(data)
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

    def _sale(self) -> tuple[Shop, Cart]:
        if self.shop is None or self.cart is None:
            raise RegisterError("The till is not ready yet.")
        return self.shop, self.cart

    def _cart(self) -> Cart:
        """The open sale (`_` is the translation function, so no `_, cart = self._sale()`)."""
        return self._sale()[1]

    async def _changed(self) -> None:
        """Save the open sale after every change, so a reload restores it."""
        cart = self._cart()
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

    def _selling(self) -> None:
        """Back to the sell screen (scanning on the receipt screen starts the next sale)."""
        if self.screen in ("receipt", "orders", "pay", "refund"):
            self.screen = "sell"
            self.order = None

    # selling

    async def _scan(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        code = str(data.get("code") or data.get("arg") or "").strip()
        if not code:
            return
        try:
            line = cart.scan(self.catalog, code)
        except UnknownProduct:
            line = self._scan_with_quantity(cart, code)
            if line is None:
                self.flash = Flash(_("Unknown code: {code}", code=code))
                return
        self.last_line = line.uuid
        self._selling()
        await self._changed()

    def _scan_with_quantity(self, cart: Cart, code: str) -> Any:
        """ "3*8998866200011" adds three at once; None when it is not that form either."""
        count, star, rest = code.partition("*")
        if not star:
            return None
        rest = rest.strip()
        product = self.catalog.by_barcode(rest) or self.catalog.by_code(rest)
        if product is None:
            return None
        return cart.add(product, _qty_text(count))

    async def _search(self, data: dict[str, Any]) -> None:
        query = data.get("q") if "q" in data else data.get("arg")
        self.query = str(query or "").strip()

    async def _category(self, data: dict[str, Any]) -> None:
        arg = str(data.get("arg") or "all")
        if arg == "all":
            self.category = None
            return
        try:
            self.category = int(arg)
        except ValueError:
            raise RegisterError("Unknown category: {arg}", arg=arg) from None

    async def _add(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        try:
            product = self.catalog.get(int(data.get("arg")))
        except (TypeError, ValueError):
            product = None
        if product is None:
            raise RegisterError("That product is no longer in the catalog.")
        self.last_line = cart.add(product).uuid
        self._selling()
        await self._changed()

    async def _qty(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        line_uuid = str(data.get("arg") or "")
        text = _qty_text(data.get("qty"))
        try:
            zero = Decimal(text) == 0
        except decimal.InvalidOperation:
            zero = False
        line = cart.line(line_uuid)
        if zero:  # 0 means "take it out": asked first, a slip of the finger costs nothing
            self._ask_remove(line.uuid)
            return
        with _in_field("qty"):
            cart.set_qty(line.uuid, text)
        self.last_line = line.uuid
        await self._changed()

    def _ask_remove(self, line_uuid: str) -> None:
        self.asking = Ask("remove", line_uuid)
        self.last_line = line_uuid

    async def _inc(self, data: dict[str, Any]) -> None:
        """One more (on a refund line: one more back)."""
        cart = self._cart()
        line = cart.line(str(data.get("arg") or ""))
        cart.set_qty(line.uuid, abs(line.qty) + 1)
        self.last_line = line.uuid
        await self._changed()

    async def _dec(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        line = cart.line(str(data.get("arg") or ""))
        if abs(line.qty) <= 1:
            self._ask_remove(line.uuid)
            return
        cart.set_qty(line.uuid, abs(line.qty) - 1)
        self.last_line = line.uuid
        await self._changed()

    async def _remove(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        line_uuid = str(data.get("arg") or "")
        cart.remove(line_uuid)
        if self.editing == line_uuid:
            self.editing = None
        await self._changed()

    async def _keep(self, data: dict[str, Any]) -> None:
        """No to the question on screen (handle already dropped it): nothing changes."""

    async def _void(self, data: dict[str, Any]) -> None:
        """Void the open sale: asked first (a sale with lines is work a tap must not lose)."""
        cart = self._cart()
        if cart.is_empty() and not cart.payments:
            raise RegisterError("There is no sale to void.")
        self.asking = Ask("void", "")
        self.editing = None
        self.order_discount_open = False
        self.screen = "sell"

    async def _void_sale(self, data: dict[str, Any]) -> None:
        """Yes to "Void this sale?": a new, empty sale takes its place (saved as the draft, so a
        reload does not bring the voided one back). Nothing of it leaves the till."""
        self._cart()
        self.cart = self._new_cart()
        self.last_line = None
        await self._changed()
        self.flash = Flash(_("The sale was voided."), "info")

    # pricelist, fiscal position, discounts, manual prices

    def _id_arg(self, data: dict[str, Any], what: str) -> int | None:
        """An id from a picker button; "none" (or empty) means none."""
        arg = str(data.get("arg") or "").strip()
        if arg in ("", "none"):
            return None
        try:
            return int(arg)
        except ValueError:
            raise RegisterError("Unknown {what}: {arg}", what=what, arg=arg) from None

    async def _pricelist(self, data: dict[str, Any]) -> None:
        """Sell with another pricelist; the open lines are priced again."""
        cart = self._cart()
        cart.set_pricelist(self._id_arg(data, _("pricelist")))
        await self._changed()

    async def _fiscal_position(self, data: dict[str, Any]) -> None:
        """Another fiscal position (or none): taxes mapped again, prices adapted."""
        cart = self._cart()
        cart.set_fiscal_position(self._id_arg(data, _("fiscal position")))
        await self._changed()

    async def _edit_line(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        line = cart.line(str(data.get("arg") or ""))
        if line.kind != "product":
            raise RegisterError("This line follows the order discount; change the discount.")
        if line.refunded_line_uuid is not None:
            raise RegisterError("A refund line keeps the price and discount of the sale.")
        self.editing = None if self.editing == line.uuid else line.uuid
        self.order_discount_open = False
        self._selling()

    async def _close_editor(self, data: dict[str, Any]) -> None:
        self.editing = None
        self.order_discount_open = False

    async def _line_edit(self, data: dict[str, Any]) -> None:
        """The line editor's Apply: a manual unit price and/or a discount %, with a reason.

        Only what changed is applied, so applying the editor as opened changes nothing.
        """
        shop, cart = self._sale()
        line = cart.line(str(data.get("arg") or ""))
        self.editing = line.uuid  # a refusal shows this editor, as typed
        reason = str(data.get("reason") or "").strip()
        price_text = str(data.get("price") or "").strip()
        discount_text = _qty_text(data.get("discount")).rstrip("%").strip() or "0"
        price = None
        # The field as the editor showed it (even a negative price) is no change; typed text is parsed.
        if price_text and price_text != shop.currency.format_number(line.price_unit):
            with _in_field("price"):
                price = shop.currency.round(parse_money(price_text, shop.currency))
            if price == shop.currency.round(line.price_unit):
                price = None
        with _in_field("discount"):
            try:
                discount = Decimal(discount_text)
            except decimal.InvalidOperation:
                raise InvalidAmount(
                    "Discount “{value}” is not a number.", value=discount_text
                ) from None
        with _in_field("reason"):
            if price is not None and not reason:
                raise RegisterError("Say why the price changes (reason).")
            if discount != line.discount and discount and not reason:
                raise RegisterError("Say why the discount is given (reason).")
        if discount != line.discount or (discount and reason != line.discount_reason):
            with _in_field("discount"):
                cart.set_discount(line.uuid, discount, reason=reason, by=self._by())
        if price is not None:
            with _in_field("price"):
                cart.set_price(line.uuid, price, reason=reason, by=self._by())
        self.editing = None
        self.last_line = line.uuid
        await self._changed()

    async def _reset_price(self, data: dict[str, Any]) -> None:
        """Undo a manual price: back to what the pricelist says."""
        cart = self._cart()
        cart.reset_price(str(data.get("arg") or ""))
        await self._changed()

    async def _order_discount_open(self, data: dict[str, Any]) -> None:
        self._sale()
        self.order_discount_open = not self.order_discount_open
        self.editing = None
        self._selling()

    async def _order_discount(self, data: dict[str, Any]) -> None:
        """An order-wide discount in % (0 removes it), as Odoo's pos_discount gives it."""
        cart = self._cart()
        text = _qty_text(data.get("percent")).rstrip("%").strip() or "0"
        reason = str(data.get("reason") or "").strip()
        self.order_discount_open = True  # a refusal shows this form, as typed
        try:
            zero = Decimal(text) == 0
        except decimal.InvalidOperation:
            zero = False
        if not zero and not reason and cart.shop.discount_product_id is not None:
            with _in_field("reason"):
                raise RegisterError("Say why the discount is given (reason).")
        with _in_field("percent"):
            cart.set_order_discount(text, reason=reason, by=self._by())
        self.order_discount_open = False
        await self._changed()

    # paying

    async def _pay(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        if cart.is_empty():
            raise RegisterError("Add a product before paying.")
        self.screen = "pay"

    def _method(self, shop: Shop, value: Any) -> Any:
        try:
            method = shop.payment_method(int(value))
        except (TypeError, ValueError):
            method = None
        if method is None:
            raise RegisterError("Unknown payment method: {value}", value=value)
        return method

    def _due_for(self, cart: Cart, method_id: int) -> Decimal:
        """Still to settle with this method, as a positive amount (sale: to pay; refund: to pay
        back); cash rounding applies when the method is cash and the shop rounds cash."""
        remaining = cart.amount_due_for(method_id)
        return max(-remaining if cart.is_refund() else remaining, Decimal(0))

    async def _pay_exact(self, data: dict[str, Any]) -> None:
        shop, cart = self._sale()
        method = self._method(shop, data.get("arg"))
        if cart.is_empty():
            raise RegisterError("Add a product before paying.")
        due = self._due_for(cart, method.id)
        if due <= 0:
            raise RegisterError("Nothing is due any more.")
        cart.add_payment(method.id, due)
        self.screen = "pay"
        await self._changed()

    async def _tender(self, data: dict[str, Any]) -> None:
        """Money handed over (or paid back): the tender form, or a quick-cash button (cash)."""
        shop, cart = self._sale()
        if cart.is_empty():
            raise RegisterError("Add a product before paying.")
        if data.get("method_id") not in (None, ""):
            method = self._method(shop, data["method_id"])
        else:
            method = shop.cash_method() or (shop.payment_methods or [None])[0]
            if method is None:
                raise RegisterError("This till has no payment methods.")
        text = data.get("amount") if "amount" in data else data.get("arg")
        due = self._due_for(cart, method.id)
        refund = cart.is_refund()
        self.screen = "pay"  # a refusal shows the amount as typed
        with _in_field("amount" if "amount" in data else None):  # the field, not a button
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
        if due > 0 and amount > self.tender_factor * due and not data.get("confirmed"):
            # A scan or a slip in the amount field: such a sum is taken only when confirmed.
            self.asking = Ask(
                "tender",
                str(text),
                method.id,
                _(
                    "{amount} is more than {factor} times what is due ({due}). Take it?",
                    amount=shop.currency.format(amount),
                    factor=format(self.tender_factor, "f"),
                    due=shop.currency.format(due),
                ),
            )
            return
        cart.add_payment(method.id, amount)
        await self._changed()

    async def _tender_change(self, data: dict[str, Any]) -> None:
        """Change, to an amount too big to take at once: it goes back in the field as typed."""
        ask, self.asking = self.asking, None
        if ask is not None and ask.kind == "tender":
            self.form = Form("tender", {"amount": ask.arg, "method_id": ask.method_id})

    async def _remove_payment(self, data: dict[str, Any]) -> None:
        cart = self._cart()
        cart.remove_payment(str(data.get("arg") or ""))
        await self._changed()

    async def _back(self, data: dict[str, Any]) -> None:
        self._sale()
        self.screen = "sell"
        self.order = None

    async def _validate(self, data: dict[str, Any]) -> None:
        """Book the paid sale on the device in one transaction, then show the receipt."""
        shop, cart = self._sale()
        if self.screen != "pay":
            return  # a second tap after the sale was booked
        terminal = self.device.terminal()
        if terminal is None:
            raise RegisterError("This till is not paired; it cannot number the sale.")
        seq = await self.device.next_seq()
        order = cart.order_record(
            terminal=terminal,
            session=shop.session_id,
            seq=seq,
            created_at=self.device.now(),
            catalog_version=shop.catalog_version,
        )
        try:
            await self.device.finish_sale(order, seq)
        except Exception as exc:
            self.flash = Flash(
                _(
                    "The sale was NOT saved: {error}. It is still open here; press Validate again.",
                    error=exc,
                )
            )
            return
        self.order = order
        self.cart = self._new_cart()
        self.last_line = None
        self.editing = None
        self.order_discount_open = False
        self.query = ""
        self.screen = "receipt"
        try:  # the sale is safe on the device; sending it is the outbox's job
            self.counts = await self.device.sync_now() or self.counts
        except Exception:
            await self._update_counts()

    async def _print(self, data: dict[str, Any]) -> None:
        if self.order is None:
            raise RegisterError("There is no receipt to print.")
        self.device.print_receipt()

    async def _new_sale(self, data: dict[str, Any]) -> None:
        self._sale()
        self.order = None
        self.screen = "sell"

    # syncing and setup

    async def _sync(self, data: dict[str, Any]) -> None:
        try:
            self.counts = await self.device.sync_now() or {}
        except Exception as exc:
            self.flash = Flash(texts.sync_failed(exc))
            await self._update_counts()
            return
        self.flash = Flash(*texts.sync_result(self.counts))

    async def _sync_panel(self, data: dict[str, Any]) -> None:
        self.sync_panel_open = not self.sync_panel_open

    async def _help(self, data: dict[str, Any]) -> None:
        self.help_open = not self.help_open

    # settings

    async def _stored_settings(self) -> dict[str, Any]:
        if self.settings is None:
            self.settings = await self.device.load_settings() or {}
        return self.settings

    async def _settings_panel(self, data: dict[str, Any]) -> None:
        self.settings_open = not self.settings_open
        if self.settings_open:
            await self._stored_settings()

    async def _language(self, data: dict[str, Any]) -> None:
        """Speak another language at once, and from the next start on."""
        language = str(data.get("arg") or "")
        if language not in i18n.LANGUAGES:
            raise RegisterError("Unknown language: {language}", language=language)
        speaking = await self.device.load_language(language)
        i18n.use(speaking.get("language") or "en", speaking.get("messages"))
        self.settings = {**await self._stored_settings(), "language": language}
        await self.device.save_settings(self.settings)
        if i18n.language() != language:
            self.flash = Flash(
                _(
                    "The words of {language} could not be loaded: English for now.",
                    language=i18n.LANGUAGES[language],
                )
            )

    async def _save_settings(self, data: dict[str, Any]) -> None:
        """The scanner form: saved whole, or kept as typed with each wrong field marked."""
        values, errors = parse_scanner(data)
        if errors:
            self.settings_open = True
            self.form = Form("settings", data, errors=errors)
            self.flash = Flash(_("The scanner settings were not saved: check the marked fields."))
            return
        self.settings = {**await self._stored_settings(), **values}
        await self.device.save_settings(self.settings)
        self.settings_open = False
        self.flash = Flash(_("Settings saved."), "info")

    async def _escape(self, data: dict[str, Any]) -> None:
        """Escape closes what is open, innermost first; with nothing open it goes back to the sale."""
        if self.asking is not None:  # the harmless answer: Keep the line, Change the amount
            await self._tender_change(data)
        elif self.help_open:
            self.help_open = False
        elif self.settings_open:
            self.settings_open = False
        elif self.editing is not None or self.order_discount_open:
            await self._close_editor(data)
        elif self.sync_panel_open:
            self.sync_panel_open = False
        elif self.screen in ("pay", "receipt", "orders", "refund"):
            await self._back(data)

    async def _retry_sale(self, data: dict[str, Any]) -> None:
        """Retry a rejected sale (sent again, checked again) or Ask again about a failed one."""
        uuid = str(data.get("arg") or "")
        before = next((i for i in texts.attention(self.counts) if i.get("uuid") == uuid), None)
        if before is None:
            raise RegisterError(texts.not_waiting())
        name = str(before.get("name") or uuid)
        if texts.action(before) is None:
            raise RegisterError(texts.not_retryable(name))
        asked = texts.item_state(before)
        try:
            self.counts = await self.device.retry_sale(uuid) or {}
            reached = self.counts.get("online") is not False
        except Exception:
            await self._update_counts()
            reached = False
        now = next((i for i in texts.attention(self.counts) if i.get("uuid") == uuid), None)
        self.flash = Flash(*texts.retry_result(name, asked, now, reached))

    async def _export_outbox(self, data: dict[str, Any]) -> None:
        try:
            answer = await self.device.export_outbox() or {}
        except Exception as exc:
            self.flash = Flash(texts.export_failed(exc))
            return
        self.flash = Flash(
            texts.export_done(str(answer.get("file") or ""), int(answer.get("records") or 0)),
            "info",
        )

    async def _outbox_changed(self, data: dict[str, Any]) -> None:
        counts = data.get("counts")
        if isinstance(counts, dict):
            self.counts = counts
        else:
            await self._update_counts()

    async def _pair(self, data: dict[str, Any]) -> None:
        code = str(data.get("code") or "").strip()
        if not code:
            raise RegisterError("Type the pairing code.")
        try:
            answer = await self.device.pair(code)
        except Exception as exc:
            with _in_field("code" if self.screen == "pair" else None):
                raise RegisterError("Pairing failed: {error}", error=exc) from None
        await self._load()
        name = (answer or {}).get("terminal") or self.device.terminal() or ""
        if self.screen == "sell":
            self.flash = Flash(_("Paired as {name}.", name=name), "info")

    async def _retry(self, data: dict[str, Any]) -> None:
        if self.device.terminal() is None:
            self.screen = "pair"
            return
        await self._load()

    async def _refresh(self, data: dict[str, Any]) -> None:
        """Pull the latest shop data and catalog now (the open sale stays)."""
        if not await self.device.refresh():
            raise RegisterError("The relay cannot be reached; the catalog on this till is used.")
        bootstrap = await self.device.load_bootstrap()
        if bootstrap is None:
            raise RegisterError("The relay sent no shop data.")
        self._use(bootstrap, await self.device.load_catalog())
        if self.cart is None:
            await self._restore_draft()
        self.flash = Flash(
            _n(
                "Catalog updated: {n} product.",
                "Catalog updated: {n} products.",
                len(self.catalog),
            ),
            "info",
        )

    async def _orders(self, data: dict[str, Any]) -> None:
        self._sale()
        self.orders = list(await self.device.recent_orders(RECENT_ORDERS))
        self.screen = "orders"

    async def _show_order(self, data: dict[str, Any]) -> None:
        self._sale()
        wanted = str(data.get("arg") or "")
        for order in self.orders:
            if order.get("uuid") == wanted:
                self.order = order
                self.screen = "receipt"
                return
        raise RegisterError("That sale is not in the recent list.")

    # refunds

    async def _refund(self, data: dict[str, Any]) -> None:
        """Open the refund screen of a sale from this till's history."""
        cart = self._cart()
        if any(line.refunded_line_uuid is None for line in cart.lines) or cart.payments:
            raise RegisterError("Finish or clear the open sale before starting a refund.")
        wanted = str(data.get("arg") or "")
        self.history = list(await self.device.recent_orders(REFUND_HISTORY))
        ledger = RefundLedger(self.history)
        order = ledger.order(wanted)
        if order is None:
            raise RegisterError(
                "That sale is not in this till's history; it cannot be refunded here."
            )
        if _is_refund(order):
            raise RegisterError("This is a refund already; it cannot be refunded.")
        # What refund lines already in the open cart give back counts too.
        in_cart: dict[str, Decimal] = {}
        for line in cart.lines:
            if line.refunded_line_uuid is not None:
                in_cart[line.refunded_line_uuid] = (
                    in_cart.get(line.refunded_line_uuid, 0) - line.qty
                )
        self.refund_order = dict(order)
        self.refund_left = {
            line["uuid"]: ledger.left(line["uuid"]) - in_cart.get(line["uuid"], Decimal(0))
            for line in order.get("lines") or ()
            if Decimal(str(line.get("qty") or "0")) > 0
        }
        self.screen = "refund"

    def _refunding(self) -> tuple[Cart, dict[str, Any]]:
        cart = self._cart()
        if self.screen != "refund" or self.refund_order is None:
            raise RegisterError("Choose the sale to refund first (Recent sales).")
        return cart, self.refund_order

    async def _refund_lines(self, data: dict[str, Any]) -> None:
        """The quantities picked on the refund screen ("qty-<line uuid>" fields) go in the cart."""
        cart, order = self._refunding()
        picked: dict[str, Decimal] = {}
        lines = order.get("lines") or ()
        names = {line.get("uuid"): line.get("full_product_name") for line in lines}
        for key, value in data.items():
            if not key.startswith("qty-") or str(value or "").strip() == "":
                continue
            line_uuid = key[4:]
            text = _qty_text(value)
            with _in_field(key):
                try:
                    qty = abs(Decimal(text))
                except decimal.InvalidOperation:
                    raise InvalidQuantity(
                        "Quantity “{value}” is not a number.", value=value
                    ) from None
                left = self.refund_left.get(line_uuid, Decimal(0))
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
        await self._add_refund(cart, order, picked)

    async def _refund_all(self, data: dict[str, Any]) -> None:
        """Everything still refundable of the sale on screen."""
        cart, order = self._refunding()
        picked = {uuid: left for uuid, left in self.refund_left.items() if left > 0}
        if not picked:
            raise RegisterError("Everything in this sale was refunded already.")
        await self._add_refund(cart, order, picked)

    async def _add_refund(
        self, cart: Cart, order: dict[str, Any], picked: dict[str, Decimal]
    ) -> None:
        ledger = RefundLedger(self.history)
        cart.refund_of(order, picked, ledger)  # refuses more than is left, all or nothing
        self.refund_order = None
        self.refund_left = {}
        self.screen = "pay"
        await self._changed()

    def _refund_source(self, order: dict[str, Any]) -> str | None:
        """The name of the sale a refund gives back, when this till still has it in view."""
        originals = {
            line.get("refunded_line_uuid")
            for line in order.get("lines") or ()
            if line.get("refunded_line_uuid")
        }
        if not originals:
            return None
        for known in (*self.history, *self.orders):
            if any(line.get("uuid") in originals for line in known.get("lines") or ()):
                return known.get("name")
        return None

    def _was_prices(
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
                    pricer = self._new_cart()
                    pricer.set_pricelist(pricelist_id)
                    pricer.set_fiscal_position(position_id)
                price = pricer.auto_price(product, abs(Decimal(str(line["qty"]))))
            except (RegisterError, decimal.InvalidOperation):
                continue
            if price != Decimal(str(line["price_unit"])):
                was[str(line["uuid"])] = price
        return was

    # -- rendering ---------------------------------------------------------------------------

    def grid(self) -> list[Product]:
        """The tiles to show: search results or a category, at most GRID_LIMIT."""
        if self.query:
            wide = GRID_LIMIT if self.category is None else GRID_LIMIT * 20
            found = self.catalog.search(self.query, limit=wide)
            if self.category is not None:
                found = [p for p in found if p.pos_categ_id == self.category]
            return found[:GRID_LIMIT]
        if self.category is None:
            return list(islice(self.catalog, GRID_LIMIT))
        return self.catalog.in_category(self.category)[:GRID_LIMIT]

    def render(self) -> str:
        """The whole #app for the current screen."""
        terminal = self.device.terminal()
        shop_name = self.shop.company_name if self.shop else ""
        settings = settings_panel(
            self.settings or {},
            open_=self.settings_open,
            form=self.form,
        )
        top = frame.top_bar(
            shop_name, terminal, self.counts, panel_open=self.sync_panel_open, settings=settings
        )
        body = self._body(terminal)
        return frame.page(top, body, self.flash, self.screen, help_open=self.help_open)

    def _body(self, terminal: str | None) -> str:
        if self.screen == "pair":
            return frame.pair_screen(self.form)
        shop, cart = self.shop, self.cart
        if shop is None or cart is None or self.screen == "loading":
            return frame.loading_screen(
                self.loading_message or _("Loading the shop…"), self.can_retry
            )
        if self.screen == "receipt" and self.order is not None:
            back = _("New sale") if cart.is_empty() else _("Back to sale")
            order = self.order
            return receipt.receipt_screen(
                shop,
                order,
                terminal,
                back_label=back,
                was=self._was_prices(
                    order.get("lines") or [],
                    order.get("pricelist_id"),
                    order.get("fiscal_position_id"),
                ),
                refund_of=self._refund_source(order),
            )
        if self.screen == "orders":
            return orders.orders_screen(shop, self.orders)
        if self.screen == "refund" and self.refund_order is not None:
            return orders.refund_screen(shop, self.refund_order, self.refund_left, form=self.form)
        totals = cart.totals()
        if self.screen == "pay":
            cash = shop.cash_method()
            default = (
                cash.id if cash else (shop.payment_methods[0].id if shop.payment_methods else None)
            )
            due_by_method = {m.id: self._due_for(cart, m.id) for m in shop.payment_methods}
            cash_due = due_by_method.get(cash.id) if cash else None
            quick = (
                [] if cart.is_refund() or cash_due is None else quick_cash(cash_due, shop.currency)
            )
            return pay.pay_screen(
                shop,
                cart,
                totals,
                quick,
                default,
                due_by_method=due_by_method,
                form=self.form,
                asking=self.asking,
            )
        lines = [line.to_dict() for line in cart.lines]
        return sell.sell_screen(
            shop,
            cart,
            totals,
            self.grid(),
            query=self.query,
            category=self.category,
            catalog_size=len(self.catalog),
            grid_limit=GRID_LIMIT,
            last_line=self.last_line,
            editing=self.editing,
            order_discount_open=self.order_discount_open,
            was=self._was_prices(lines, _id(cart.pricelist), _id(cart.fiscal_position)),
            form=self.form,
            asking=self.asking,
        )
