"""The till: one object holding the cashier's screen, the open sale and the catalog.

The JS layer calls `handle(action, data)` for every tap, Enter or scan and then paints `render()`.
Nothing escapes `handle`: a refused action or a failing device becomes a message on screen, and the
open sale is saved as a draft after every change so that a reload or a crash loses nothing.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from itertools import islice
from typing import Any

from register.cart import Cart
from register.catalog import Catalog, Product
from register.errors import InvalidAmount, RegisterError, UnknownProduct
from register.money import Currency
from register.shop import Shop

from . import views
from .device import Device
from .views import Flash

__all__ = ["GRID_LIMIT", "Till", "parse_amount", "quick_cash"]

GRID_LIMIT = 60
RECENT_ORDERS = 20
# Banknotes a customer typically hands over, in the currency's main unit (IDR: Rp 5.000 ... 100.000).
NOTES_WHOLE = (5000, 10000, 20000, 50000, 100000)
NOTES_CENTS = (5, 10, 20, 50, 100)
QUICK_CASH_BUTTONS = 4
SCREENS = ("pair", "loading", "sell", "pay", "receipt", "orders")

Handler = Callable[[dict[str, Any]], Awaitable[None]]


def parse_amount(text: Any, currency: Currency) -> Decimal:
    """What the cashier typed as money: "50000", "50.000", "Rp 50.000", "12,50" (2 decimals)."""
    raw = str(text if text is not None else "").strip()
    cleaned = re.sub(r"[^0-9.,\-]", "", raw)
    if not raw:
        raise InvalidAmount("Type the amount tendered.")
    if not re.search(r"[0-9]", cleaned):
        raise InvalidAmount(f"“{raw}” is not an amount.")
    if currency.decimal_places == 0:
        cleaned = cleaned.replace(".", "").replace(",", "")
    else:
        point = max(cleaned.rfind("."), cleaned.rfind(","))
        decimals = len(cleaned) - point - 1
        sep = cleaned[point] if point >= 0 else ""
        if sep and cleaned.count(sep) == 1 and decimals <= currency.decimal_places:
            whole = cleaned[:point].replace(".", "").replace(",", "")
            cleaned = f"{whole}.{cleaned[point + 1 :]}"
        else:
            cleaned = cleaned.replace(".", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except decimal.InvalidOperation:
        raise InvalidAmount(f"“{raw}” is not an amount.") from None
    if not amount.is_finite():
        raise InvalidAmount(f"“{raw}” is not an amount.")
    return amount


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
        self.flash: Flash | None = None
        self.query = ""
        self.category: int | None = None
        self.last_line: str | None = None
        self.order: dict[str, Any] | None = None  # the receipt on screen
        self.orders: list[dict[str, Any]] = []  # the recent-sales screen
        self.loading_message = "Loading the shop…"
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
            "pay": self._pay,
            "pay-exact": self._pay_exact,
            "tender": self._tender,
            "remove-payment": self._remove_payment,
            "back": self._back,
            "validate": self._validate,
            "print": self._print,
            "new-sale": self._new_sale,
            "sync": self._sync,
            "outbox-changed": self._outbox_changed,
            "pair": self._pair,
            "retry": self._retry,
            "refresh": self._refresh,
            "orders": self._orders,
            "show-order": self._show_order,
        }

    # -- state the JS asks about -------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """True while the sell screen with the scan box is up."""
        return self.screen == "sell" and self.cart is not None

    @property
    def idle(self) -> bool:
        """True between sales: a new app version may take over (a reload) without costing anything.

        Not while paying, and not on the receipt either: the cashier may still have to print it.
        """
        if self.screen in ("pay", "receipt"):
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
                self.loading_message = (
                    "This till has no shop data yet and cannot reach the relay. "
                    "Check the network, then press Retry."
                )
                self.can_retry = True
                return
            self._use(bootstrap, await self.device.load_catalog())
            await self._restore_draft()
        except Exception as exc:
            self.loading_message = f"The till could not load its data: {exc}"
            self.can_retry = True
            return
        await self._update_counts()
        self.screen = "sell"

    def _use(self, bootstrap: dict[str, Any], records: list[dict[str, Any]]) -> None:
        """Swap in a shop and catalog; an open sale moves over with its lines and payments."""
        shop = Shop.from_bootstrap(bootstrap)
        catalog = Catalog()
        catalog.apply(records)
        if self.cart is not None:
            self.cart = Cart.from_dict(shop, self.cart.to_dict())
        self.shop, self.catalog = shop, catalog
        if self.category is not None and all(c != self.category for c, _ in shop.categories):
            self.category = None

    async def _restore_draft(self) -> None:
        assert self.shop is not None
        draft = await self.device.load_draft()
        if draft:
            try:
                self.cart = Cart.from_dict(self.shop, draft)
                return
            except Exception as exc:
                self.flash = Flash(f"The open sale saved on this till could not be restored: {exc}")
        if self.cart is None:
            self.cart = Cart(self.shop)

    async def _update_counts(self) -> None:
        try:
            self.counts = await self.device.outbox_counts() or {}
        except Exception as exc:
            self.flash = self.flash or Flash(f"Could not read the unsent sales: {exc}")

    # -- actions -----------------------------------------------------------------------------

    async def handle(self, action: str, data: dict[str, Any] | None = None) -> None:
        """Do one user action; any refusal or failure becomes the on-screen message."""
        data = data if isinstance(data, dict) else {}
        if action != "outbox-changed":  # a background update must not hide a message
            self.flash = None
        handler = self._actions.get(action)
        if handler is None:
            self.flash = Flash(f"Unknown action: {action}")
            return
        try:
            await handler(data)
        except RegisterError as exc:
            self.flash = Flash(exc.message)
        except Exception as exc:
            self.flash = Flash(f"That did not work ({action}): {exc}")

    def _sale(self) -> tuple[Shop, Cart]:
        if self.shop is None or self.cart is None:
            raise RegisterError("The till is not ready yet.")
        return self.shop, self.cart

    async def _changed(self) -> None:
        """Save the open sale after every change, so a reload restores it."""
        _, cart = self._sale()
        try:
            await self.device.save_draft(cart.to_dict())
        except Exception as exc:
            self.flash = Flash(
                f"The open sale could not be saved on this till ({exc}). Finish it before reloading."
            )

    def _selling(self) -> None:
        """Back to the sell screen (scanning on the receipt screen starts the next sale)."""
        if self.screen in ("receipt", "orders", "pay"):
            self.screen = "sell"
            self.order = None

    # selling

    async def _scan(self, data: dict[str, Any]) -> None:
        _, cart = self._sale()
        code = str(data.get("code") or data.get("arg") or "").strip()
        if not code:
            return
        try:
            line = cart.scan(self.catalog, code)
        except UnknownProduct:
            line = self._scan_with_quantity(cart, code)
            if line is None:
                self.flash = Flash(f"Unknown code: {code}")
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
            raise RegisterError(f"Unknown category: {arg}") from None

    async def _add(self, data: dict[str, Any]) -> None:
        _, cart = self._sale()
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
        _, cart = self._sale()
        line_uuid = str(data.get("arg") or "")
        text = _qty_text(data.get("qty"))
        try:
            zero = Decimal(text) == 0
        except decimal.InvalidOperation:
            zero = False
        if zero:
            cart.remove(line_uuid)
        else:
            cart.set_qty(line_uuid, text)
            self.last_line = line_uuid
        await self._changed()

    async def _inc(self, data: dict[str, Any]) -> None:
        _, cart = self._sale()
        line = cart.line(str(data.get("arg") or ""))
        cart.set_qty(line.uuid, line.qty + 1)
        self.last_line = line.uuid
        await self._changed()

    async def _dec(self, data: dict[str, Any]) -> None:
        _, cart = self._sale()
        line = cart.line(str(data.get("arg") or ""))
        if line.qty > 1:
            cart.set_qty(line.uuid, line.qty - 1)
            self.last_line = line.uuid
        else:
            cart.remove(line.uuid)
        await self._changed()

    async def _remove(self, data: dict[str, Any]) -> None:
        _, cart = self._sale()
        cart.remove(str(data.get("arg") or ""))
        await self._changed()

    # paying

    async def _pay(self, data: dict[str, Any]) -> None:
        _, cart = self._sale()
        if cart.is_empty():
            raise RegisterError("Add a product before paying.")
        self.screen = "pay"

    def _method(self, shop: Shop, value: Any) -> Any:
        try:
            method = shop.payment_method(int(value))
        except (TypeError, ValueError):
            method = None
        if method is None:
            raise RegisterError(f"Unknown payment method: {value}")
        return method

    async def _pay_exact(self, data: dict[str, Any]) -> None:
        shop, cart = self._sale()
        method = self._method(shop, data.get("arg"))
        due = cart.amount_due
        if cart.is_empty():
            raise RegisterError("Add a product before paying.")
        if due <= 0:
            raise RegisterError("Nothing is due any more.")
        cart.add_payment(method.id, due)
        self.screen = "pay"
        await self._changed()

    async def _tender(self, data: dict[str, Any]) -> None:
        """Money handed over: the tender form, or a quick-cash button (cash)."""
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
        due = cart.amount_due
        if str(text or "").strip() == "":
            if due <= 0:
                raise RegisterError("Nothing is due any more.")
            amount = due  # Enter on an empty amount: exactly what is due
        else:
            amount = shop.currency.round(parse_amount(text, shop.currency))
        if amount <= 0:
            raise InvalidAmount("The amount must be more than 0.")
        if not method.is_cash and amount > due:
            raise RegisterError(
                f"{method.name} cannot pay more than is due ({shop.currency.format(due)}); "
                "only cash gives change."
            )
        cart.add_payment(method.id, amount)
        self.screen = "pay"
        await self._changed()

    async def _remove_payment(self, data: dict[str, Any]) -> None:
        _, cart = self._sale()
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
                f"The sale was NOT saved: {exc}. It is still open here; press Validate again."
            )
            return
        self.order = order
        self.cart = Cart(shop)
        self.last_line = None
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
            self.flash = Flash(
                f"Sync failed ({exc}). The sales are kept on this till and sent later."
            )
            await self._update_counts()
            return
        pending = int(self.counts.get("pending") or 0)
        if pending:
            self.flash = Flash(f"{pending} sales not sent yet; they will be retried.", "info")
        else:
            self.flash = Flash("All sales are sent.", "info")

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
            self.flash = Flash(f"Pairing failed: {exc}")
            return
        await self._load()
        name = (answer or {}).get("terminal") or self.device.terminal() or ""
        if self.screen == "sell":
            self.flash = Flash(f"Paired as {name}.", "info")

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
        self.flash = Flash(f"Catalog updated: {len(self.catalog)} products.", "info")

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
        top = views.top_bar(shop_name, terminal, self.counts)
        body = self._body(terminal)
        return views.page(top, body, self.flash, self.screen)

    def _body(self, terminal: str | None) -> str:
        if self.screen == "pair":
            return views.pair_screen()
        shop, cart = self.shop, self.cart
        if shop is None or cart is None or self.screen == "loading":
            return views.loading_screen(self.loading_message, self.can_retry)
        if self.screen == "receipt" and self.order is not None:
            back = "New sale" if cart.is_empty() else "Back to sale"
            return views.receipt_screen(shop, self.order, terminal, back_label=back)
        if self.screen == "orders":
            return views.orders_screen(shop, self.orders)
        totals = cart.totals()
        if self.screen == "pay":
            cash = shop.cash_method()
            default = (
                cash.id if cash else (shop.payment_methods[0].id if shop.payment_methods else None)
            )
            return views.pay_screen(
                shop, cart, totals, quick_cash(cart.amount_due, shop.currency), default
            )
        return views.sell_screen(
            shop,
            cart,
            totals,
            self.grid(),
            query=self.query,
            category=self.category,
            catalog_size=len(self.catalog),
            grid_limit=GRID_LIMIT,
            last_line=self.last_line,
        )
