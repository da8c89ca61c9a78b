"""Forms that keep what was typed, and the questions the till asks before doing something big.

A refused form comes back as `Form`: every value as the cashier typed it, the wrong field marked
(`aria-invalid`, its message beside it through `aria-describedby`, focus on it), so a repaint
never loses text and the cashier sees where to look. One mechanism for every form of the till:
the views ask `typed(form, name, arg)` for the form they draw and read values and marks from it.

`Ask` is a question waiting for an answer: remove a line (0 typed, or − at 1), or take an amount
far above what is due. Its dialog is a form whose submit does the thing (Enter) and a harmless
button (Keep / Change) that does not (Escape does the same).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import Any

from register.errors import RegisterError

from .i18n import _, _n

__all__ = [
    "Ask",
    "FieldError",
    "Form",
    "ask_remove",
    "ask_tender",
    "ask_void",
    "in_field",
    "number_text",
    "typed",
]


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


class FieldError(RegisterError):
    """A refusal that names the form field to fix."""

    def __init__(self, field: str, error: RegisterError) -> None:
        super().__init__(error.template, **error.values)
        self.field = field


@contextmanager
def in_field(field: str | None) -> Iterator[None]:
    """Any refusal inside is about `field` of the form (None: about no field in particular)."""
    try:
        yield
    except FieldError:
        raise
    except RegisterError as exc:
        if field is None:
            raise
        raise FieldError(field, exc) from exc


def number_text(value: Any) -> str:
    """A typed quantity or percentage, with a decimal comma accepted ("1,5" -> "1.5")."""
    return str(value if value is not None else "").strip().replace(",", ".")


class Form:
    """A form as typed: `name` (its action), `values` (field -> text) and `errors` (wrong field
    -> what is wrong with it). `message` says what is wrong with the form as a whole (shown at
    the top: about no field in particular)."""

    __slots__ = ("errors", "message", "name", "values")

    def __init__(
        self,
        name: str,
        values: Mapping[str, Any] | None = None,
        field: str | None = None,
        message: str = "",
        *,
        errors: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.values = {str(k): "" if v is None else str(v) for k, v in (values or {}).items()}
        self.errors = dict(errors or {})
        if field is not None and message:
            self.errors[field] = message
        self.message = "" if field is not None else message

    def __repr__(self) -> str:
        return f"Form({self.name!r}, {self.values!r}, errors={self.errors!r}, {self.message!r})"

    def value(self, field: str, default: Any = "") -> str:
        """What was typed in `field`, else `default` (what the form shows when it opens)."""
        return (
            self.values[field] if field in self.values else "" if default is None else str(default)
        )

    def wrong(self, field: str) -> bool:
        return field in self.errors

    def marks(self, field: str, input_id: str) -> str:
        """The input's attributes: invalid, described by its message (wrong fields only)."""
        if not self.wrong(field):
            return ""
        return f' aria-invalid="true" aria-describedby="{_e(input_id)}-error"'

    def note(self, field: str, input_id: str) -> str:
        """The message beside a wrong field (nothing for the others)."""
        if not self.wrong(field):
            return ""
        return (
            f'<span class="field-error" id="{_e(input_id)}-error">{_e(self.errors[field])}</span>'
        )


NO_FORM = Form("")  # nothing typed, nothing wrong


def typed(form: Form | None, name: str, arg: str | None = None) -> Form:
    """`form` when it is the form `name` (of line `arg`, for a line's forms), else an empty one."""
    if form is None or form.name != name or (arg is not None and form.values.get("arg") != arg):
        return NO_FORM
    return form


@dataclass(frozen=True, slots=True)
class Ask:
    """A question on screen: "remove" (`arg` the line), "void" (the whole open sale) or "tender"
    (`arg` the amount as typed, `method_id` the method it was for, `text` the question)."""

    kind: str
    arg: str
    method_id: int | None = None
    text: str = ""


def _dialog(
    ident: str, action: str, question: str, hidden: dict[str, Any], yes: tuple[str, str], no: str
) -> str:
    fields = "".join(
        f'<input type="hidden" name="{_e(k)}" value="{_e(v)}">' for k, v in hidden.items()
    )
    return (
        f'<form class="confirm" id="{ident}" data-action="{action}" role="alertdialog"'
        f' aria-labelledby="{ident}-text" autocomplete="off">{fields}'
        f'<p id="{ident}-text">{_e(question)}</p>'
        '<div class="confirm-actions">'
        f'<button type="submit" class="{yes[1]}" id="{ident}-yes" autofocus>{_e(yes[0])}</button>'
        f"{no}</div></form>"
    )


def ask_remove(line_name: str, line_uuid: str) -> str:
    """Remove <product> from the sale? Remove (Enter) or Keep (Escape)."""
    keep = (
        f'<button type="button" class="ghost" data-action="keep" id="confirm-keep">'
        f"{_e(_('Keep'))}</button>"
    )
    return _dialog(
        "confirm-remove",
        "remove",
        _("Remove {product} from the sale?", product=line_name),
        {"arg": line_uuid},
        (_("Remove"), "danger"),
        keep,
    )


def ask_void(lines: int) -> str:
    """Void this sale? Void (Enter) or Keep (Escape): the open sale is dropped, never booked."""
    keep = (
        f'<button type="button" class="ghost" data-action="keep" id="confirm-keep">'
        f"{_e(_('Keep'))}</button>"
    )
    question = _n(
        "Void this sale? Its line and any payment are dropped; nothing is booked.",
        "Void this sale? Its {n} lines and any payments are dropped; nothing is booked.",
        lines,
    )
    return _dialog("confirm-void", "void-sale", question, {}, (_("Void sale"), "danger"), keep)


def ask_tender(ask: Ask) -> str:
    """Rp X is more than 100 times what is due (Rp Y). Take it (Enter) or Change (Escape)."""
    change = (
        f'<button type="button" class="ghost" data-action="tender-change" id="confirm-change">'
        f"{_e(_('Change the amount'))}</button>"  # not "Change": that is the money given back
    )
    hidden = {"amount": ask.arg, "method_id": ask.method_id or "", "confirmed": "1"}
    return _dialog("confirm-tender", "tender", ask.text, hidden, (_("Take it"), "primary"), change)
