"""The numpad: a cart line's quantity, discount or price typed with taps, as on Odoo's POS (modes
Qty / Disc % / Price, digits, 000, the decimal mark, ⌫, Enter), for a tablet whose own keyboard
would cover half the screen.

A tap on a line selects it and opens the pad on it; after a scan or a tap on a product the new
line is the selected one. What is typed lives here, in the till's state, and the pad is painted
again on each key: the path every other tap takes, so a repaint from aside (a sync) cannot lose
it and the tests read it in Python. Enter, or a change of mode, hands the number to the line's
own actions, `qty` and `line-edit`, as if it were typed into their fields: every rule holds as it
is (the unit's decimals, "28.000" read the Indonesian way, 0 asks before removing, the manager's
PIN for a price or a discount over the limit). A refusal about the number stays on the pad with
the number, not in the line's field, whose focus would call up the tablet's keyboard; a price or
discount without a reason asks for one on the pad, with common reasons to tap (or "Other
reason…": the line editor as typed, to type one).

No element of the pad is a text field, so none calls up the tablet's keyboard. The pad takes the
focus once it is used (a keyboard's digits, Enter and Backspace then go to it, keys.js) and gives
it back to the scan box on any other action.

There is no +/- key: the register sells positive quantities only (a negative price is refused
too); a return is a refund line, made from the sale it returns (Sales), and the pad sets how
many of it come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from register.errors import RegisterError

from .actions import Actions
from .forms import Form
from .i18n import _
from .views import _qty, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["KEEPS", "Numpad", "actions", "panel", "selected"]

MODES = ("qty", "discount", "price")  # each is the field of the line's action it fills
TYPED = frozenset({*"0123456789", "000", ",", "."})
MAX_TEXT = 20  # more than any quantity or price; a key beyond it is not taken
# Answers to the question the pad may ask (remove the line at 0?): the pad keeps the focus.
ANSWERS = frozenset({"keep", "remove", "escape"})


def _reasons() -> tuple[str, ...]:
    """Reasons a cashier gives most, one tap each (in the cashier's language)."""
    return (_("Damaged"), _("Near expiry"), _("Price on the shelf"), _("Promotion"))


@dataclass
class Numpad:
    """The pad: open or not, its mode, the number typed, why it was refused, the price or
    discount waiting for its reason (the line editor's form, as typed), and whether the pad
    was used last (then it, not the scan box, takes the focus)."""

    open: bool = False
    mode: str = "qty"
    text: str = ""
    error: str = ""
    why: Form | None = None
    typing: bool = False

    def leave(self, action: str) -> None:
        """Another action: the number not entered is dropped, the focus goes back to the scan
        box (except for an answer to the pad's own question)."""
        self.text, self.error, self.why = "", "", None
        self.typing = self.typing and action in ANSWERS


def selected(till: Till) -> Any | None:
    """The line the pad acts on: the line changed or tapped last, else the newest product line."""
    lines = [line for line in till.cart.lines if line.kind == "product"] if till.cart else []
    return next(
        (line for line in lines if line.uuid == till.last_line), lines[-1] if lines else None
    )


def _mode(pad: Numpad, line: Any) -> str:
    """A refund line keeps the sale's price and discount: only its quantity is typed."""
    return "qty" if line.refunded_line_uuid is not None else pad.mode


def _key(label: str, arg: str, **attrs: Any) -> str:
    return button(label, "numpad", arg, tabindex="-1", **attrs)


def panel(till: Till) -> str:
    """The pad under the sale's lines (on a phone, in place of the totals: a sheet), or nothing."""
    pad = till.numpad
    line = selected(till)
    if not pad.open or line is None or till.shop is None:
        return ""
    currency = till.shop.currency
    mode = _mode(pad, line)
    labels = {"qty": _("Qty"), "discount": _("Disc %"), "price": _("Price")}
    now = {
        "qty": _qty(line.qty),
        "discount": f"{_qty(line.discount)}%",
        "price": currency.format(line.price_unit),
    }[mode]
    shown = pad.text
    if mode == "price" and shown.isdigit():  # grouped as prices are: 28000 shows as 28.000
        shown = format(int(shown), ",").replace(",", currency.separators[0])
    value = (
        f'<span class="numpad-text" id="numpad-text">{e(shown)}</span>'
        if pad.text
        else f'<span class="numpad-now">{e(now)}</span>'
    )
    refund = line.refunded_line_uuid is not None
    modes = {
        m: _key(
            e(labels[m]),
            m,
            cls="numpad-mode",
            id=f"numpad-{m}",
            aria_pressed="true" if m == mode else "false",
            disabled=refund and m != "qty",
        )
        for m in MODES
    }
    digits = [_key(d, d) for d in "123456789"]
    keys = [
        *digits[0:3], modes["qty"],
        *digits[3:6], modes["discount"],
        *digits[6:9], modes["price"],
        _key("000", "000"), _key("0", "0"),
        _key(e(currency.separators[1]), currency.separators[1], aria_label=_("Decimal mark")),
        _key(e(_("Enter")), "enter", cls="primary", id="numpad-enter", aria_keyshortcuts="Enter"),
    ]  # fmt: skip
    error = (
        f'<p class="field-error" id="numpad-error" role="alert">{e(pad.error)}</p>'
        if pad.error
        else ""
    )
    why = ""
    if pad.why is not None:
        question = (
            _("Why does the price change?") if mode == "price" else _("Why is the discount given?")
        )
        chips = "".join(button(e(r), "numpad-reason", r, cls="chip") for r in _reasons())
        why = (
            '<div class="numpad-why" id="numpad-why" role="group"'
            ' aria-labelledby="numpad-why-text">'
            f'<p id="numpad-why-text" role="alert">{e(question)}</p>{chips}'
            + button(e(_("Other reason…")), "numpad-other", cls="chip ghost", id="numpad-other")
            + "</div>"
        )
    focus = " autofocus" if pad.typing else ""
    return (
        f'<section class="numpad" id="numpad" tabindex="-1" aria-label="{e(_("Numpad"))}"{focus}>'
        '<div class="numpad-head">'
        f'<output class="numpad-display" id="numpad-display" aria-live="polite">'
        f'<span class="numpad-line">{e(line.name)}</span>'
        f'<span class="numpad-label">{e(labels[mode])}</span>{value}</output>'
        + _key("&#9003;", "back", aria_label=_("Delete a digit"), id="numpad-back")
        + button(
            "&times;",
            "numpad-close",
            cls="ghost",
            id="numpad-close",
            aria_label=_("Close the numpad"),
        )
        + f"</div>{error}{why}"
        f'<div class="numpad-keys">{"".join(keys)}</div></section>'
    )


# -- what its keys do ------------------------------------------------------------------------------

actions = Actions()


def _use(till: Till) -> None:
    """The pad takes the focus, over the line editor and the order discount form (their fields
    would call up the tablet's keyboard): what one of them had typed is dropped."""
    till.numpad.typing = True
    till.editing = None
    till.order_discount_open = False


def _line(till: Till) -> Any:
    line = selected(till)
    if line is None:
        raise RegisterError("Scan or tap a product first.")
    return line


@actions("numpad-select")
async def select(till: Till, data: dict[str, Any]) -> None:
    """A tap on a cart line: the pad opens on it."""
    line = till.current_cart().line(str(data.get("arg") or ""))
    if line.kind != "product":
        raise RegisterError("This line follows the order discount; change the discount.")
    till.last_line = line.uuid
    till.numpad.open = True
    _use(till)


@actions("numpad-close")
async def close(till: Till, data: dict[str, Any]) -> None:
    till.numpad.open = till.numpad.typing = False


@actions("numpad")
async def key(till: Till, data: dict[str, Any]) -> None:
    """A key of the pad: a digit or mark is typed, ⌫ takes the last one back, Enter or a mode
    enters what is typed (a mode is taken only once that went through)."""
    pad = till.numpad
    if not pad.open:  # a tap that came after the pad was put away
        return
    _use(till)
    arg = str(data.get("arg") or "")
    line = _line(till)
    pad.why = None  # a key after "why?" goes back to the number
    if arg in TYPED:
        pad.error = ""
        if len(pad.text) + len(arg) <= MAX_TEXT:
            pad.text += arg
    elif arg == "back":
        pad.error = ""
        pad.text = pad.text[:-1]
    elif arg == "enter":
        await _enter(till, line)
    elif arg in MODES:
        if await _enter(till, line):
            pad.mode = arg
    else:
        raise RegisterError("Unknown numpad key: {key}", key=arg)


async def _enter(till: Till, line: Any) -> bool:
    """The number typed, handed to the line's own action; True when it went through."""
    pad = till.numpad
    if not pad.text:
        return True
    mode = _mode(pad, line)
    if mode == "qty":
        return await _run(till, "qty", {"arg": line.uuid, "qty": pad.text})
    shop = till.sale()[0]
    # The line editor's fields as it opens (no change), with the number typed in the mode's one.
    data = {
        "arg": line.uuid,
        "price": shop.currency.format_number(line.price_unit),
        "discount": _qty(line.discount),
        "reason": line.price_reason or line.discount_reason,
        mode: pad.text,
    }
    return await _run(till, "line-edit", data)


async def _run(till: Till, action: str, data: dict[str, Any]) -> bool:
    """Do `action` as its own form would (its rules, refusals, the manager's PIN) and bring a
    refusal back to the pad: the number and why, or the question of the reason."""
    pad = till.numpad
    text, editing = pad.text, till.editing
    await till.act(action, data)
    form, till.form, till.editing = till.form, None, editing
    pad.typing = True
    if form is not None and form.wrong("reason"):
        pad.text, pad.why = text, form
        return False
    if form is not None and (form.errors or form.message):
        pad.text, pad.error = text, " ".join(form.errors.values())
        return False
    return till.flash is None and till.asking is None and till.cashiers.asking is None


@actions("numpad-reason")
async def reason(till: Till, data: dict[str, Any]) -> None:
    """A reason tapped: the price or discount waiting for it is entered with it."""
    pad = till.numpad
    why, text = pad.why, str(data.get("arg") or "").strip()
    if why is None or not text:
        raise RegisterError("Type the price or discount first.")
    await _run(till, "line-edit", {**why.values, "reason": text})


@actions("numpad-other")
async def other_reason(till: Till, data: dict[str, Any]) -> None:
    """The line editor as the pad had it typed, to type the reason (the tablet's keyboard)."""
    pad = till.numpad
    if pad.why is None:
        raise RegisterError("Type the price or discount first.")
    till.form, till.editing = pad.why, pad.why.values.get("arg")
    pad.leave("numpad-other")


# What leaves the pad as it is: its own keys, and a background update.
KEEPS = frozenset({*actions.handlers, "outbox-changed"})
