"""Cashiers: who is at the till, logged in with a PIN, and the manager's PIN for what a cashier
may not do alone.

The shop's cashiers come from the bootstrap (`cashiers`: pos_hr's employees, mirrored by the
relay with each PIN as Odoo hands it to its own POS: the SHA-1 hex digest, never the PIN). A
PIN is checked here, offline, against that digest, as Odoo's POS checks it. A shop without
cashiers (no pos_hr, or module_pos_hr off) asks no one: the till works as it always did.

Five wrong PINs in a row lock that cashier for a minute (the manager's PIN too); the count and
the lock are kept on the tablet (IndexedDB), so a reload does not reset them. "Switch" locks the
till for the next cashier and keeps the open sale.

A cashier who is not a manager needs a manager's PIN to override a price, give a discount over
the shop's limit, refund or take cash out (the relay's `manager_pin_for` and `discount_limit`
in the bootstrap's config; default all four, over 10 %). The action is asked again once a
manager typed their PIN, and the sale records who approved it (`approved_by`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from register.errors import RegisterError

from .actions import Actions
from .forms import Form
from .i18n import _, _n
from .views import button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = [
    "Approval",
    "Cashiers",
    "ManagerNeeded",
    "actions",
    "approval_dialog",
    "approve",
    "restore",
    "screen",
    "top",
]

MAX_TRIES = 5  # wrong PINs in a row before a lock
LOCK_TIME = timedelta(minutes=1)
MANAGER = "manager"  # the key the manager's PIN tries are counted under
ASK_FOR = ("price", "discount", "refund", "cash_out")
DISCOUNT_LIMIT = Decimal(10)


class ManagerNeeded(Exception):
    """The action waits for a manager's PIN (the question is on screen); nothing was done."""


@dataclass(frozen=True, slots=True)
class Approval:
    """A manager's PIN asked for `action` (what the cashier did, `data` as sent), `text` says
    what for."""

    action: str
    data: dict[str, Any]
    text: str


def pin_digest(pin: str) -> str:
    """A PIN as Odoo's POS compares it: the SHA-1 hex digest of its text."""
    return hashlib.sha1(pin.encode("utf-8")).hexdigest()


def key(person: dict[str, Any]) -> str:
    """A cashier's key on this till: "employee:<id>" (or "user:<id>")."""
    if person.get("employee_id") is not None:
        return f"employee:{person['employee_id']}"
    return f"user:{person.get('user_id')}"


def record(person: dict[str, Any]) -> dict[str, Any]:
    """Who sold or approved, as an order record names them (server/records.py)."""
    if person.get("employee_id") is not None:
        return {"employee_id": int(person["employee_id"]), "name": str(person.get("name") or "")}
    return {"user_id": int(person["user_id"]), "name": str(person.get("name") or "")}


@dataclass
class Cashiers:
    """The shop's cashiers, who is logged in, the PIN pad, the tries and locks, the manager's
    question; `ask_for` and `discount_limit` are the shop's rules for a manager's PIN."""

    people: list[dict[str, Any]] = field(default_factory=list)
    current: dict[str, Any] | None = None
    picked: str | None = None  # the cashier whose PIN the pad asks for
    tries: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {"count", "until"}
    asking: Approval | None = None
    granted: tuple[str, dict[str, Any]] | None = None  # (action, manager) for its second run
    ask_for: frozenset[str] = frozenset(ASK_FOR)
    discount_limit: Decimal = DISCOUNT_LIMIT
    back_to: str = "sell"  # the screen a login goes back to

    def use(self, bootstrap: dict[str, Any]) -> None:
        """The cashiers and rules of a (new) bootstrap; the one logged in stays if still listed."""
        self.people = [
            p
            for p in bootstrap.get("cashiers") or ()
            if isinstance(p, dict) and (p.get("employee_id") or p.get("user_id"))
        ]
        config = bootstrap.get("config") or {}
        wanted = config.get("manager_pin_for")
        self.ask_for = frozenset(ASK_FOR if wanted is None else (str(w) for w in wanted))
        try:
            limit = Decimal(str(config.get("discount_limit", DISCOUNT_LIMIT)))
        except InvalidOperation:
            limit = DISCOUNT_LIMIT
        self.discount_limit = limit if limit.is_finite() else DISCOUNT_LIMIT
        if self.current is not None:
            self.current = self.find(key(self.current))

    @property
    def enabled(self) -> bool:
        """True when the shop has cashiers: someone must log in before selling."""
        return bool(self.people)

    def find(self, wanted: str | None) -> dict[str, Any] | None:
        return next((p for p in self.people if key(p) == wanted), None)

    def needs_manager(self, what: str) -> bool:
        """Whether the cashier at the till needs a manager's PIN for `what`."""
        return (
            self.enabled
            and what in self.ask_for
            and not (self.current is not None and self.current.get("manager"))
        )

    def state(self) -> dict[str, Any]:
        """What the tablet keeps: who is logged in, and the wrong tries and locks."""
        return {"current": key(self.current) if self.current else None, "tries": self.tries}

    def locked_for(self, who: str, now: datetime) -> int:
        """Seconds `who` stays locked (0: not locked)."""
        until = (self.tries.get(who) or {}).get("until")
        if not until:
            return 0
        try:
            left = (datetime.fromisoformat(until) - now).total_seconds()
        except (TypeError, ValueError):
            return 0
        return max(0, int(left + 0.999))

    def check(self, who: str, digest: str | None, pin: str, now: datetime) -> bool:
        """`pin` against `digest` for `who`: right clears the tries, wrong counts one, and the
        fifth wrong in a row locks `who` for a minute. RegisterError while locked."""
        seconds = self.locked_for(who, now)
        if seconds:
            raise RegisterError("Too many wrong PINs: try again in {seconds} s.", seconds=seconds)
        if digest and pin and pin_digest(pin) == digest:
            self.tries.pop(who, None)
            return True
        count = int((self.tries.get(who) or {}).get("count") or 0) + 1
        if count >= MAX_TRIES:
            self.tries[who] = {"count": 0, "until": (now + LOCK_TIME).isoformat()}
        else:
            self.tries[who] = {"count": count, "until": None}
        return False


async def _save(till: Till) -> None:
    try:
        await till.device.save_cashiers(till.cashiers.state())
    except Exception as exc:  # the login holds; only a reload would forget it
        raise RegisterError(
            "This till could not keep who is logged in: {error}", error=exc
        ) from exc


async def restore(till: Till) -> None:
    """After loading: the cashier logged in before a reload, and the tries and locks; with
    cashiers and no one logged in, the till opens on the lock screen."""
    cashiers = till.cashiers
    try:
        state = await till.device.load_cashiers() or {}
    except Exception:
        state = {}
    tries = state.get("tries")
    cashiers.tries = dict(tries) if isinstance(tries, dict) else {}
    cashiers.current = cashiers.find(state.get("current"))
    if cashiers.enabled and cashiers.current is None:
        lock(till)


def lock(till: Till) -> None:
    """The lock screen; the screen left (and the open sale) waits for the next cashier."""
    cashiers = till.cashiers
    if till.screen != "cashiers":
        cashiers.back_to = till.screen
    cashiers.current = None
    cashiers.picked = None
    cashiers.asking = None
    till.screen = "cashiers"


def approve(till: Till, action: str, data: dict[str, Any], *whats: str) -> dict[str, Any] | None:
    """The manager who lets the cashier at the till do `action`, when one of `whats` ("price",
    "discount", "refund", "cash_out") needs one: the manager who just typed their PIN for it.
    None when none is needed (no cashiers, a manager is at the till, the shop does not ask).
    Otherwise the question goes on screen and ManagerNeeded stops the action."""
    cashiers = till.cashiers
    needed = [what for what in whats if cashiers.needs_manager(what)]
    if not needed:
        return None
    if cashiers.granted is not None and cashiers.granted[0] == action:
        manager = cashiers.granted[1]
        cashiers.granted = None
        return record(manager)
    texts = {
        "price": _("A manager's PIN is needed to change a price."),
        "discount": _(
            "A manager's PIN is needed for a discount over {limit}%.",
            limit=format(cashiers.discount_limit.normalize(), "f"),
        ),
        "refund": _("A manager's PIN is needed for a refund."),
        "cash_out": _("A manager's PIN is needed to take cash out."),
    }
    cashiers.asking = Approval(action, dict(data), " ".join(texts[what] for what in needed))
    raise ManagerNeeded


# -- what the cashier sees ----------------------------------------------------------------------


def _pin_pad(field_id: str) -> str:
    """Digits that type into the PIN field as a keyboard does (boot.js), the field keeping the
    focus; the keyboard's own digits and Enter work as well."""
    keys = [*"123456789", "back", "0"]
    labels = {"back": "&#9003;"}
    pad = "".join(
        f'<button type="button" class="pin-key" tabindex="-1" data-pin-key="{k}"'
        f' data-pin-field="{field_id}"'
        + (f' aria-label="{e(_("Delete a digit"))}"' if k == "back" else "")
        + f">{labels.get(k, k)}</button>"
        for k in keys
    )
    return f'<div class="pin-pad" aria-hidden="true">{pad}<button type="submit" class="primary pin-ok">{e(_("OK"))}</button></div>'


def _pin_field(field_id: str, label: str) -> str:
    return (
        f'<label for="{field_id}">{e(label)}</label>'
        f'<input id="{field_id}" name="pin" type="password" inputmode="numeric"'
        ' autocomplete="off" autofocus required maxlength="32">'
    )


def screen(till: Till) -> str:
    """The lock screen: the cashiers to pick, then the PIN pad of the one picked."""
    cashiers = till.cashiers
    now = till.device.now()
    picked = cashiers.find(cashiers.picked)
    tiles = "".join(
        "<li>"
        + button(
            e(person.get("name") or "")
            + (f'<span class="role">{e(_("Manager"))}</span>' if person.get("manager") else ""),
            "cashier-pick",
            key(person),
            cls="cashier-tile" + (" picked" if person is picked else ""),
            aria_pressed="true" if person is picked else "false",
        )
        + "</li>"
        for person in cashiers.people
    )
    pad = ""
    if picked is not None:
        seconds = cashiers.locked_for(key(picked), now)
        note = (
            f'<p class="pin-locked" role="alert">{e(_n("{name} is locked for {n} more second.", "{name} is locked for {n} more seconds.", seconds, name=picked.get("name")))}</p>'
            if seconds
            else ""
        )
        pad = (
            '<form class="pin-form" id="cashier-pin-form" data-action="cashier-pin"'
            f' autocomplete="off">{note}'
            f"{_pin_field('cashier-pin', _('PIN for {name}', name=picked.get('name') or ''))}"
            f"{_pin_pad('cashier-pin')}"
            + button(e(_("Back")), "cashier-back", cls="ghost", id="cashier-back")
            + "</form>"
        )
    return (
        '<section class="cashiers card" aria-labelledby="cashiers-title">'
        f'<h1 id="cashiers-title">{e(_("Who is at the till?"))}</h1>'
        f'<ul class="cashier-list">{tiles}</ul>{pad}</section>'
    )


def top(till: Till) -> str:
    """The cashier in the top bar, with Switch (nothing when the shop has no cashiers)."""
    cashiers = till.cashiers
    if not cashiers.enabled or cashiers.current is None:
        return ""
    return (
        f'<span class="cashier-name" id="cashier-name">{e(cashiers.current.get("name"))}</span>'
        + button(e(_("Switch")), "cashier-switch", id="cashier-switch", cls="ghost small")
    )


def approval_dialog(till: Till) -> str:
    """The manager's PIN, asked over the screen; Cancel (or Escape) leaves things as they were."""
    asking = till.cashiers.asking
    if asking is None:
        return ""
    return (
        '<div class="help-backdrop">'
        '<form class="confirm manager-pin card" id="manager-pin-form" data-action="manager-pin"'
        ' role="dialog" aria-modal="true" aria-labelledby="manager-pin-text" autocomplete="off">'
        f'<p id="manager-pin-text">{e(asking.text)}</p>'
        + (f'<p class="field-error" role="alert">{e(till.flash.text)}</p>' if till.flash else "")
        + f"{_pin_field('manager-pin', _('Manager PIN'))}"
        f"{_pin_pad('manager-pin')}"
        + button(
            e(_("Cancel")), "keep", cls="ghost", id="manager-cancel", aria_keyshortcuts="Escape"
        )
        + "</form></div>"
    )


# -- what its buttons do -------------------------------------------------------------------------

actions = Actions()


@actions("cashier-pick")
async def pick(till: Till, data: dict[str, Any]) -> None:
    """A cashier tapped on the lock screen: their PIN pad, or straight in without a PIN."""
    cashiers = till.cashiers
    person = cashiers.find(str(data.get("arg") or ""))
    if person is None or till.screen != "cashiers":
        raise RegisterError("Pick a cashier from the list.")
    cashiers.picked = key(person)
    if not person.get("pin"):  # Odoo's POS asks no PIN of an employee without one
        await _log_in(till, person)


@actions("cashier-back")
async def back(till: Till, data: dict[str, Any]) -> None:
    till.cashiers.picked = None


@actions("cashier-pin")
async def pin(till: Till, data: dict[str, Any]) -> None:
    """The PIN typed for the cashier picked."""
    cashiers = till.cashiers
    person = cashiers.find(cashiers.picked)
    if person is None or till.screen != "cashiers":
        raise RegisterError("Pick a cashier from the list.")
    who = key(person)
    right = cashiers.check(
        who, person.get("pin"), str(data.get("pin") or "").strip(), till.device.now()
    )
    if right:
        await _log_in(till, person)
        return
    await _save(till)
    left = MAX_TRIES - int((cashiers.tries.get(who) or {}).get("count") or 0)
    if left == MAX_TRIES:  # that was the fifth
        raise RegisterError(
            "Wrong PIN for {name}. Locked for a minute.", name=person.get("name") or ""
        )
    raise RegisterError(
        "Wrong PIN for {name}: {left} tries left.", name=person.get("name") or "", left=left
    )


async def _log_in(till: Till, person: dict[str, Any]) -> None:
    cashiers = till.cashiers
    cashiers.current = person
    cashiers.picked = None
    till.screen, cashiers.back_to = cashiers.back_to, "sell"
    await _save(till)


@actions("cashier-switch")
async def switch(till: Till, data: dict[str, Any]) -> None:
    """The next cashier logs in; the open sale stays as it is."""
    if not till.cashiers.enabled:
        raise RegisterError("This shop has no cashiers to switch between.")
    lock(till)
    await _save(till)


@actions("manager-pin")
async def manager_pin(till: Till, data: dict[str, Any]) -> None:
    """A manager's PIN for the action waiting: right, the action is done as the cashier asked
    it, approved by that manager; wrong, the question stays."""
    cashiers = till.cashiers
    asking = cashiers.asking
    if asking is None:
        return
    typed = str(data.get("pin") or "").strip()
    digest = pin_digest(typed) if typed else ""
    manager = next(
        (p for p in cashiers.people if p.get("manager") and p.get("pin") == digest), None
    )
    right = cashiers.check(
        MANAGER, manager.get("pin") if manager else None, typed, till.device.now()
    )
    if not right or manager is None:
        await _save(till)
        till.form = Form(asking.action, asking.data)  # the cashier's form stays as typed
        raise RegisterError("That is not a manager's PIN.")
    await _save(till)
    cashiers.asking = None
    cashiers.granted = (asking.action, manager)
    try:
        await till.act(asking.action, asking.data)
    finally:
        cashiers.granted = None
