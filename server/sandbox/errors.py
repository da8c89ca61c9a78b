"""Odoo's errors, as they travel in a JSON-RPC or JSON-2 error's `data`: the exception's dotted
name in Odoo (`odoo.exceptions.UserError`, `psycopg2.errors.SerializationFailure`, ...) and its
message, word for word, because the relay decides what to do with a sale from them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import SANDBOX_UID


class OdooError(Exception):
    """An error Odoo would answer with; `name` is the exception's dotted name in Odoo."""

    name = "odoo.exceptions.UserError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UserError(OdooError):
    name = "odoo.exceptions.UserError"


class ValidationError(OdooError):
    name = "odoo.exceptions.ValidationError"


class MissingError(OdooError):
    name = "odoo.exceptions.MissingError"


class AccessError(OdooError):
    name = "odoo.exceptions.AccessError"


class AccessDenied(OdooError):
    name = "odoo.exceptions.AccessDenied"

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class PsycopgError(OdooError):
    """A PostgreSQL error Odoo's RPC layer lets through as it is (anything but an
    IntegrityError), named as psycopg2 names it, its message as PostgreSQL wrote it (trailing
    newline included)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def serialization_failure() -> PsycopgError:
    """Two transactions wrote the same rows at once. Odoo retries the whole call (5 tries);
    when the last one fails too, this reaches the caller and nothing of the call is kept."""
    return PsycopgError(
        "psycopg2.errors.SerializationFailure",
        "could not serialize access due to concurrent update\n",
    )


def missing(model: str, ids: Iterable[int]) -> MissingError:
    """The MissingError Odoo raises when a record was deleted under our feet."""
    id_list = list(ids)
    shown = ", ".join(str(i) for i in id_list) + ("," if len(id_list) == 1 else "")
    return MissingError(
        "Record does not exist or has been deleted.\n"
        f"(Record: {model}({shown}), User: {SANDBOX_UID})"
    )


def foreign_key_violation(description: str, model: str, constraint: str) -> ValidationError:
    """What a call gets when an INSERT points at a row that does not exist: PostgreSQL raises
    ForeignKeyViolation, and Odoo's RPC layer (service.model.retrying) turns every
    IntegrityError into this ValidationError naming the model and the constraint."""
    return ValidationError(
        "The operation cannot be completed: another model requires the record being deleted. "
        "If possible, archive it instead.\n\n"
        f"Model: {description} ({model})\n"
        f"Constraint: {constraint}\n"
    )


def no_method(model: str, method: str) -> AttributeError:
    """What Odoo raises for a method the model does not have."""
    return AttributeError(f"The method '{method}' does not exist on the model '{model}'")
