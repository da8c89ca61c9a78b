"""Customers at the till: find one (as you type, or by scanning their card), choose them for the sale,
create or change one with no network, and their loyalty points.

Apart because customers live beside the sale, not in it: the sale only names its customer
(`cart.partner`, {"id": N} for a customer of Odoo's or {"uuid": ...} for one made on this till and
not in Odoo yet, with the name for the receipt and the sales search). Customers are read from the
device (the relay's copy of Odoo's, and those made here, marked pending until Odoo has them);
a new or changed customer is ONE device transaction: the customer kept on the till, and the
partner record queued in the outbox with the terminal's next sequence number, so the relay
forwards it before the sales that name it.

Loyalty: a customer record may carry Odoo's balance "as of" its card's last write (see
register/loyalty.py); the points this till spent since are taken off, points earned offline are
not added before Odoo books them. The receipt shows what a sale earned and spent (`loyalty_block`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from register.errors import RegisterError
from register.loyalty import PointsBalance, balance_for
from register.partners import FIELDS, changed_values, check_value, terms_for
from register.shop import Shop

from .actions import Actions
from .forms import Form, in_field, typed
from .i18n import _
from .views import Flash, _qty, button, e, search_form

if TYPE_CHECKING:
    from .app import Till

__all__ = [
    "Customers",
    "actions",
    "choose",
    "customer_bar",
    "loyalty_block",
    "reference",
    "restore",
    "scan",
    "screen",
]

FOUND_LIMIT = 30  # customers listed at once; typing more narrows them
HISTORY = 200  # the latest sales looked through for points spent since Odoo's balance
# The fields of the customer form, in its order (a country is left to Odoo: the sandbox and many
# shops know no country the relay could name).
FORM_FIELDS = ("name", "phone", "email", "barcode", "street", "city", "zip", "vat")


@dataclass
class Customers:
    """The customer screen's state, and the customer of the open sale as stored on the till."""

    query: str = ""
    found: list[dict[str, Any]] = field(default_factory=list)
    editing: dict[str, Any] | None = None  # the customer in the form ({}: a new one); None: list
    chosen: dict[str, Any] | None = None  # the open sale's customer record, for its points
    balances: list[tuple[str, PointsBalance | None]] = field(default_factory=list)


def _key(partner: Mapping[str, Any] | None) -> Any:
    """How the device keys a customer: Odoo's id, or the uuid of one not in Odoo yet."""
    if not partner:
        return None
    return partner.get("id", partner.get("uuid"))


def _device_key(arg: Any) -> int | str:
    text = str(arg or "").strip()
    if not text:
        raise RegisterError("Choose a customer first.")
    return int(text) if text.isdigit() else text


def reference(partner: Mapping[str, Any]) -> dict[str, Any]:
    """How a sale names its customer: Odoo's id, or the local uuid while Odoo has not got them
    (the relay sends the customer first); the name rides along for the receipt and the search."""
    name = str(partner.get("name") or "")
    if partner.get("pending"):
        return {"uuid": str(partner["uuid"]), "name": name}
    return {"id": int(partner["id"]), "name": name}


# -- what is shown -----------------------------------------------------------------------------


def _points(points: Decimal) -> str:
    return _qty(points) if points else "0"


def _balance_texts(till: Till, balances: Sequence[tuple[str, PointsBalance | None]]) -> list[str]:
    """ "Poin: 120 points, as of 23-11-2026 20:00" per program; how old Odoo's figure is matters
    to a customer about to spend it."""
    texts = []
    for program, balance in balances:
        if balance is None or balance.as_of is None:
            texts.append(_("{program}: points not known on this till", program=program))
        else:
            texts.append(
                _(
                    "{program}: {points} points, as of {when}",
                    program=program,
                    points=_points(balance.points),
                    when=till.local_time(balance.as_of.isoformat()),
                )
            )
    return texts


def _balances(
    shop: Shop, partner: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
) -> list[tuple[str, PointsBalance | None]]:
    """(program name, balance or None when the relay sent none) for each loyalty program."""
    known = "loyalty" in partner
    return [
        (program.name, balance_for(partner, program.id, history) if known else None)
        for program in shop.loyalty_programs
    ]


def _rewards(till: Till) -> str:
    """What the chosen customer's points buy now, one tap each, as Odoo's POS offers its rewards
    (a reward paid per point spent asks how many: not offered here)."""
    shop, cart = till.sale()
    taken = {r.reward_id for r in cart.rewards}
    offers = []
    for program in shop.loyalty_programs:
        balance = next(
            (b for _n, b in till.customers.balances if b and b.program_id == program.id), None
        )
        if balance is None or balance.as_of is None:
            continue
        left = balance.points - cart.points_spent(program.id)
        for reward in program.rewards:
            if reward.discount_mode == "per_point" or reward.id in taken:
                continue
            if reward.required_points <= left:
                label = _(
                    "Use {points} points: {reward}",
                    points=_points(reward.required_points),
                    reward=reward.name,
                )
                offers.append(
                    button(e(label), "customer-reward", f"{program.id}:{reward.id}", cls="chip")
                )
    return "".join(offers)


def _pending_tag(partner: Mapping[str, Any]) -> str:
    if not partner.get("pending"):
        return ""
    label = e(_("pending"))
    hint = e(_("Not in Odoo yet: it is sent before the sales that name it."))
    return f'<span class="tag pending-tag" title="{hint}">{label}</span>'


def customer_bar(till: Till) -> str:
    """The sale's customer above its lines: a button that opens the customer search, with the
    name and points once one is chosen, and × to drop them."""
    cart = till.current_cart()
    partner = cart.partner
    if not partner:
        return (
            '<div class="picker customer-bar" id="customer-bar">'
            + button(e(_("Customer")), "customers", cls="chip", id="customer")
            + "</div>"
        )
    chosen = till.customers.chosen
    same = chosen is not None and _key(chosen) == _key(partner)
    points = "".join(
        f'<span class="why customer-points">{e(text)}</span>'
        for text in (_balance_texts(till, till.customers.balances) if same else ())
    )
    name = str(partner.get("name") or "") or _("Customer")
    offers = _rewards(till) if same else ""
    return (
        '<div class="picker customer-bar" id="customer-bar">'
        f'<span class="picker-label">{e(_("Customer"))}</span>'
        + button(
            e(name) + (_pending_tag(chosen) if same and chosen else ""),
            "customers",
            cls="chip active",
            id="customer",
        )
        + button(
            "&times;",
            "customer-clear",
            cls="round",
            id="customer-clear",
            aria_label=_("No customer for this sale"),
        )
        + "</div>"
        + (f'<div class="line-notes" id="customer-points">{points}</div>' if points else "")
        + (f'<div class="picker" id="customer-rewards">{offers}</div>' if offers else "")
    )


def _row(till: Till, partner: Mapping[str, Any]) -> str:
    key = _key(partner)
    details = " · ".join(
        str(partner.get(name)) for name in ("phone", "email", "barcode") if partner.get(name)
    )
    points = ""
    if "loyalty" in partner and till.shop is not None:  # Odoo's figure, as the relay read it
        points = " · ".join(_balance_texts(till, _balances(till.shop, partner, ())))
    return (
        f'<li class="order-row customer-row" data-partner-key="{e(key)}">'
        + button(
            f'<span class="o-name">{e(partner.get("name"))}</span>{_pending_tag(partner)}'
            + (f'<span class="o-time">{e(details)}</span>' if details else "")
            + (f'<span class="o-hop customer-points">{e(points)}</span>' if points else ""),
            "customer-pick",
            key,
            cls="order-open customer-pick",
        )
        + button(e(_("Edit")), "customer-edit", key, cls="ghost customer-edit")
        + "</li>"
    )


def _list(till: Till) -> str:
    state = till.customers
    rows = "".join(_row(till, partner) for partner in state.found)
    if rows:
        body = f'<ol class="orders customers" id="customer-list">{rows}</ol>'
    elif state.query:
        body = f'<p class="empty">{e(_("No customer matches “{query}”.", query=state.query))}</p>'
    else:
        body = f'<p class="empty">{e(_("No customers on this till yet."))}</p>'
    label = _("Name, phone, e-mail or card")
    search = search_form("customer-search", "customer", state.query, label, autofocus=True)
    return (
        '<section class="orders-screen customers-screen card">'
        + button("&larr; " + e(_("Back to sale")), "back", cls="ghost", id="back")
        + f"<h1>{e(_('Customers'))}</h1>{search}"
        + button(e(_("New customer")), "customer-new", cls="primary", id="customer-new")
        + f"{body}</section>"
    )


def _labels(shop: Shop) -> dict[str, str]:
    return {
        "name": _("Name"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "barcode": _("Card barcode"),
        "street": _("Street"),
        "city": _("City"),
        "zip": _("Postal code"),
        # In Indonesia a customer's tax number is their NPWP, and is called so.
        "vat": _("NPWP") if shop.company.country_code == "ID" else _("Tax ID"),
    }


def _editor(till: Till, form: Form | None) -> str:
    shop = till.shop
    assert shop is not None
    editing = till.customers.editing or {}
    entered = typed(form, "customer-save")
    key = _key(editing)
    kinds = {"email": "email", "phone": "tel"}
    fields = []
    for name, label in _labels(shop).items():
        ident = f"customer-{name}"
        kind = kinds.get(name, "text")
        first = " autofocus" if name == "name" and not entered.errors else ""
        wide = ' class="wide"' if name in ("name", "street") else ""
        fields.append(
            f"<label{wide}>{e(label)}"
            f'<input id="{ident}" name="{name}" type="{kind}" maxlength="128"{first}'
            f' value="{e(entered.value(name, editing.get(name)))}"'
            f"{entered.marks(name, ident)}>{entered.note(name, ident)}</label>"
        )
    title = _("Change customer") if key is not None else _("New customer")
    problem = (
        f'<p class="field-error" id="customer-form-error">{e(entered.message)}</p>'
        if entered.message
        else ""
    )
    return (
        '<section class="orders-screen customers-screen card">'
        + button("&larr; " + e(_("Customers")), "customers", cls="ghost", id="customer-cancel")
        + f"<h1>{e(title)}</h1>{problem}"
        # novalidate: the till says what is wrong beside the field, in the cashier's language
        '<form class="line-editor customer-form" id="customer-form" data-action="customer-save"'
        ' autocomplete="off" novalidate>'
        f'<input type="hidden" name="arg" value="{e("" if key is None else key)}">'
        + "".join(fields)
        + '<div class="editor-actions">'
        f'<button type="submit" class="primary" id="customer-save">{e(_("Save and choose"))}'
        "</button></div></form></section>"
    )


def screen(till: Till) -> str:
    """The customer search, or the form of a new or changed customer."""
    till.sale()
    if till.customers.editing is not None:
        return _editor(till, till.form)
    return _list(till)


def loyalty_block(shop: Shop, order: Mapping[str, Any]) -> str:
    """Points a sale earned and spent, per program, for its receipt (nothing when none moved)."""
    names = {program.id: program.name for program in shop.loyalty_programs}
    rows = []
    for entry in order.get("loyalty") or ():
        earned = Decimal(str(entry.get("points_earned") or "0"))
        spent = Decimal(str(entry.get("points_spent") or "0"))
        program = names.get(int(entry.get("program_id") or 0)) or _("Points")
        if earned:
            rows.append((program, _("Points earned"), _points(earned)))
        if spent:
            rows.append((program, _("Points spent"), _points(spent)))
    if not rows:
        return ""
    cells = "".join(
        f"<tr><td>{e(program)}: {e(what)}</td><td class='r-amount'>{e(points)}</td></tr>"
        for program, what, points in rows
    )
    return f'<table class="r-loyalty" id="receipt-loyalty"><tbody>{cells}</tbody></table>'


# -- choosing a customer -----------------------------------------------------------------------


async def _search(till: Till) -> None:
    till.customers.found = sorted(
        await till.device.find_partners(till.customers.query, FOUND_LIMIT),
        key=lambda p: (not p.get("pending"), str(p.get("name") or "").casefold()),
    )


async def _read_balances(till: Till, partner: Mapping[str, Any]) -> None:
    """The chosen customer's points, less what this till spent since Odoo's figure."""
    shop = till.shop
    assert shop is not None
    history = await till.device.recent_orders(HISTORY) if "loyalty" in partner else []
    till.customers.balances = _balances(shop, partner, history)


async def choose(till: Till, partner: Mapping[str, Any] | None) -> None:
    """Sell to `partner` (None: to no one): their pricelist and fiscal position, as Odoo's POS
    sets them; rewards paid with another customer's points go."""
    shop, cart = till.sale()
    before = till.customers.chosen if _key(till.customers.chosen) == _key(cart.partner) else None
    if _key(partner) != _key(cart.partner):
        for reward in list(cart.rewards):
            cart.remove_reward(reward.reward_id)
    cart.partner = reference(partner) if partner else None
    terms = terms_for(shop, partner) if partner else None
    if terms is None and before is not None and terms_for(shop, before) is not None:
        terms = terms_for(shop, None)  # the last customer's terms go with them
    if terms is not None:
        cart.set_pricelist(terms[0])
        cart.set_fiscal_position(terms[1])
    till.customers.chosen = dict(partner) if partner else None
    till.customers.balances = []
    if partner:
        await _read_balances(till, partner)
    till.draft_changed()


async def scan(till: Till, code: str) -> bool:
    """A scanned code no product has: the customer whose card it is, chosen for the sale."""
    partner = await till.device.partner_with_barcode(code)
    if partner is None:
        return False
    await choose(till, partner)
    till.back_to_selling()
    till.flash = Flash(_("Customer: {name}", name=partner.get("name") or ""), "info")
    return True


async def restore(till: Till) -> None:
    """After a reload: the open sale's customer as stored, for the points on the sale."""
    partner = till.cart.partner if till.cart is not None else None
    key = _key(partner)
    if key is None:
        return
    try:
        stored = await till.device.get_partner(key)
    except Exception:  # the name on the sale is enough to sell; the points come back on a choice
        return
    if stored is not None:
        till.customers.chosen = stored
        await _read_balances(till, stored)


# -- what the customer screen's buttons do ----------------------------------------------------------

actions = Actions()


@actions("customers")
async def open_customers(till: Till, data: dict[str, Any]) -> None:
    """The customer search (from the sale's Customer button, or Cancel in the form)."""
    till.sale()
    till.customers.editing = None
    till.screen = "customers"
    await _search(till)


@actions("customer-search")
async def search(till: Till, data: dict[str, Any]) -> None:
    query = data.get("q") if "q" in data else data.get("arg")
    till.customers.query = str(query or "").strip()
    await _search(till)


@actions("customer-pick")
async def pick(till: Till, data: dict[str, Any]) -> None:
    partner = await till.device.get_partner(_device_key(data.get("arg")))
    if partner is None:
        raise RegisterError("That customer is no longer on this till.")
    await choose(till, partner)
    till.back_to_selling()


@actions("customer-clear")
async def clear(till: Till, data: dict[str, Any]) -> None:
    await choose(till, None)


@actions("customer-reward")
async def use_points(till: Till, data: dict[str, Any]) -> None:
    """Spend the chosen customer's points on a reward (its discount line follows the sale)."""
    cart = till.current_cart()
    arg = str(data.get("arg") or "")
    program, _sep, reward = arg.partition(":")
    if not (program.isdigit() and reward.isdigit()):
        raise RegisterError("Unknown reward: {arg}", arg=arg)
    balance = None
    if _key(till.customers.chosen) == _key(cart.partner):
        balance = next(
            (b for _n, b in till.customers.balances if b and b.program_id == int(program)), None
        )
    if balance is None or balance.as_of is None:
        raise RegisterError("The customer's points are not known on this till.")
    cart.apply_reward(int(program), int(reward), balance, by=till.who())
    till.draft_changed()


@actions("customer-new")
async def new(till: Till, data: dict[str, Any]) -> None:
    """An empty form; what was searched for fills the name, or the phone when it is a number."""
    till.sale()
    query = till.customers.query
    guess = "phone" if query and not any(c.isalpha() for c in query) else "name"
    till.customers.editing = {}
    till.form = Form("customer-save", {guess: query}) if query else None
    till.screen = "customers"


@actions("customer-edit")
async def edit(till: Till, data: dict[str, Any]) -> None:
    partner = await till.device.get_partner(_device_key(data.get("arg")))
    if partner is None:
        raise RegisterError("That customer is no longer on this till.")
    if partner.get("pending"):
        raise RegisterError(
            "{name} is not in Odoo yet; it can be changed once it is.",
            name=partner.get("name") or "",
        )
    till.customers.editing = partner
    till.screen = "customers"


async def _check(till: Till, data: dict[str, Any], key: Any) -> dict[str, str]:
    """The form's fields, checked as the relay will check them, and the card barcode as no one
    else's (a card that is a product's, or another customer's, would never choose this one)."""
    values = {}
    for name in FORM_FIELDS:
        with in_field(name):
            values[name] = check_value(name, data.get(name))
    code = values["barcode"]
    if code:
        with in_field("barcode"):
            product = till.catalog.by_barcode(code)
            if product is not None:
                raise RegisterError("This barcode is the product {name}'s.", name=product.name)
            other = await till.device.partner_with_barcode(code)
            if other is not None and _key(other) != key:
                raise RegisterError("{name} has this card already.", name=other.get("name") or "")
    return values


@actions("customer-save")
async def save(till: Till, data: dict[str, Any]) -> None:
    """A new customer, or the changes to one of Odoo's: kept on the till and queued for Odoo in
    one transaction, then chosen for the sale. A refusal names the field and keeps the form."""
    till.sale()
    editing = till.customers.editing
    if editing is None:
        raise RegisterError("Open a customer first.")
    key = _key(editing)
    values = await _check(till, data, key)
    terminal = till.device.terminal()
    if terminal is None:
        raise RegisterError("This till is not paired; it cannot number the customer.")
    record_uuid = str(uuid.uuid4())
    if key is None:  # a new customer is known by its record's uuid until Odoo gives it an id
        values = {name: value for name, value in values.items() if value}
        record: dict[str, Any] = {"op": "create"}
        stored = {**dict.fromkeys(FIELDS, ""), **values}
        stored.update(id=record_uuid, uuid=record_uuid, pending=True, active=True)
    else:
        values = changed_values(editing, values)
        record = {"op": "update", "id": key}
        stored = {**editing, **values}
    if values:
        seq = await till.device.next_seq()
        record.update(
            uuid=record_uuid,
            kind="partner",
            terminal=terminal,
            seq=seq,
            created_at=till.device.now().isoformat(),
            values=values,
        )
        try:
            await till.device.save_partner(stored, record, seq)
        except Exception as exc:
            raise RegisterError(
                "The customer could not be saved on this till: {error}", error=str(exc)
            ) from exc
        await till.update_counts()
    till.customers.editing = None
    await choose(till, stored)
    till.back_to_selling()
    till.flash = Flash(
        _("{name} is saved and chosen for this sale.", name=stored.get("name") or ""), "info"
    )
