"""What a terminal may send: the shape checks for incoming records, one item at a time.

A record that passes is stored as it came (canonical JSON) and forwarded later, so everything the
forwarder relies on is checked here, before the relay promises anything: types, sizes, uuid format,
decimal strings, and that the record belongs to the terminal that sent it. A bad item is rejected
with a message a person can act on; the other items of its batch are unaffected.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid as uuidlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from register.check import check_order as register_check_order
from register.shop import Shop

MAX_RECORD_BYTES = 256 * 1024
MAX_LINES = 1000
MAX_PAYMENTS = 100
MAX_TEXT = 256
SUPPORTED_KINDS = ("order", "partner")
PARTNER_OPS = ("create", "update")
# The customer fields a terminal may set (DESIGN.md "Records that leave a terminal").
PARTNER_VALUES = (
    "name",
    "email",
    "phone",
    "street",
    "city",
    "zip",
    "country_code",
    "vat",
    "barcode",
)
MAX_PARTNER_TEXT = 128
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^[0-9+()./\- ]{3,}$")
COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")
DECIMAL_TEXT = re.compile(r"^-?\d{1,15}(\.\d{1,10})?$")
ORDER_AMOUNTS = ("amount_total", "amount_tax", "amount_paid", "amount_return", "rounding_applied")
LINE_AMOUNTS = ("qty", "price_unit", "discount", "price_subtotal", "price_subtotal_incl")


class RecordError(ValueError):
    """The record cannot be accepted; the message is sent back to the terminal."""


def canonical(record: Any) -> str:
    """The one text of a record: sorted keys, no spaces, so equal records hash equal."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def rejected_body(item: Any) -> str:
    """What the journal keeps of a refused item: its JSON with every non-ASCII character
    escaped (a lone surrogate cannot be stored as UTF-8), cut to the record size limit."""
    text = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    if len(text) > MAX_RECORD_BYTES:
        text = json.dumps({"truncated": text[:MAX_RECORD_BYTES]}, separators=(",", ":"))
    return text


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def is_uuid(value: Any) -> bool:
    """A uuid in its canonical lowercase text (what crypto.randomUUID and uuid4() make)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuidlib.UUID(value)) == value
    except ValueError:
        return False


def _int(value: Any, where: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{where} must be an integer, got {value!r}")
    if value < minimum or value > 2**53:
        raise RecordError(f"{where} must be >= {minimum}, got {value!r}")
    return value


def _optional_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where)


def _text(value: Any, where: str, *, limit: int = MAX_TEXT, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise RecordError(f"{where} must be a string, got {type(value).__name__}")
    if not empty and not value.strip():
        raise RecordError(f"{where} must not be empty")
    if len(value) > limit:
        raise RecordError(f"{where} is longer than {limit} characters")
    return value


def _uuid(value: Any, where: str) -> str:
    if not is_uuid(value):
        raise RecordError(f"{where} must be a lowercase uuid like 0b6f1c2e-..., got {value!r}")
    return value


def _decimal(value: Any, where: str) -> Decimal:
    """Money and quantities travel as decimal strings ("12500", "6306.31"), never numbers."""
    if not isinstance(value, str) or not DECIMAL_TEXT.match(value):
        raise RecordError(f'{where} must be a decimal string such as "12500", got {value!r}')
    return Decimal(value)


def _ids(value: Any, where: str, *, limit: int = 50) -> list[int]:
    if not isinstance(value, list) or len(value) > limit:
        raise RecordError(f"{where} must be a list of at most {limit} ids")
    return [_int(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{where} must be an object, got {type(value).__name__}")
    return value


def _no_fractions(value: Any, where: str) -> None:
    """JSON numbers with a fraction would reach Odoo through float; amounts must be strings."""
    if isinstance(value, Decimal | float):
        raise RecordError(f"{where} is a number with a fraction; send amounts as decimal strings")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_fractions(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_fractions(item, f"{where}[{index}]")


def _created_at(value: Any) -> datetime:
    text = _text(value, "created_at", limit=40)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"created_at must be an ISO-8601 date and time, got {text!r}") from None
    if moment.tzinfo is None:
        raise RecordError("created_at must carry its time zone (UTC, e.g. +00:00)")
    return moment


def _check_line(line: Any, where: str) -> None:
    line = _object(line, where)
    _uuid(line.get("uuid"), f"{where}.uuid")
    _int(line.get("product_id"), f"{where}.product_id")
    if line.get("full_product_name") is not None:
        _text(line["full_product_name"], f"{where}.full_product_name", empty=True)
    for name in LINE_AMOUNTS:
        _decimal(line.get(name), f"{where}.{name}")
    _ids(line.get("tax_ids"), f"{where}.tax_ids")
    if line.get("refunded_line_uuid") is not None:
        _uuid(line["refunded_line_uuid"], f"{where}.refunded_line_uuid")


def _check_payment(payment: Any, where: str) -> None:
    payment = _object(payment, where)
    _uuid(payment.get("uuid"), f"{where}.uuid")
    _int(payment.get("method_id"), f"{where}.method_id")
    _decimal(payment.get("amount"), f"{where}.amount")
    if "is_change" in payment and not isinstance(payment["is_change"], bool):
        raise RecordError(f"{where}.is_change must be true or false")
    if payment.get("reference") is not None:
        _text(payment["reference"], f"{where}.reference", empty=True)


def _check_partner(partner: Any) -> None:
    if partner is None:
        return
    partner = _object(partner, "partner")
    if "id" in partner:
        _int(partner["id"], "partner.id")
    elif "uuid" in partner:
        _uuid(partner["uuid"], "partner.uuid")
    else:
        raise RecordError('partner must be {"id": N}, {"uuid": "..."} or null')


def _unique(uuids: list[str], where: str) -> None:
    if len(set(uuids)) != len(uuids):
        raise RecordError(f"{where} uuids must be unique within the order")


def check_order(record: dict[str, Any], shop: Shop | None) -> str | None:
    """The register's own recomputation of the order's totals, run on the relay.

    The terminal and the relay share the register core, so an order whose amounts do not come out
    of its lines (tampered, or made by a till with another tax setup) is held for a manager
    instead of booking figures Odoo and the till disagree on. Without a shop there is nothing to
    check against (the caller holds the order until there is one).
    """
    if shop is None:
        return None
    problems = register_check_order(record, shop)
    return "; ".join(problems) if problems else None


def validate_order(record: dict[str, Any], shop: Shop | None = None) -> None:
    """The order record of the shared contract; RecordError on the first problem found.

    `session` is what the till knew (null when Odoo had no open session): informative only,
    since the relay books each sale into the register's open session when it forwards it."""
    _optional_int(record.get("session"), "session")
    _int(record.get("seq"), "seq")
    _text(record.get("name"), "name", limit=64)
    _created_at(record.get("created_at"))
    _text(record.get("currency"), "currency", limit=8)
    _optional_int(record.get("pricelist_id"), "pricelist_id")
    _optional_int(record.get("fiscal_position_id"), "fiscal_position_id")
    _check_partner(record.get("partner"))
    lines = record.get("lines")
    if not isinstance(lines, list) or not lines:
        raise RecordError("lines must be a non-empty list")
    if len(lines) > MAX_LINES:
        raise RecordError(f"an order holds at most {MAX_LINES} lines")
    for index, line in enumerate(lines):
        _check_line(line, f"lines[{index}]")
    payments = record.get("payments")
    if not isinstance(payments, list) or len(payments) > MAX_PAYMENTS:
        raise RecordError(f"payments must be a list of at most {MAX_PAYMENTS} payments")
    for index, payment in enumerate(payments):
        _check_payment(payment, f"payments[{index}]")
    _unique([line["uuid"] for line in lines], "line")
    _unique([payment["uuid"] for payment in payments], "payment")
    for name in ORDER_AMOUNTS:
        _decimal(record.get(name), name)
    version = record.get("catalog_version")
    if version is not None and not isinstance(version, str | int):
        raise RecordError("catalog_version must be a string")
    problem = check_order(record, shop)
    if problem:
        raise RecordError(problem)


def _partner_value(name: str, value: Any) -> None:
    """One customer field: text (or null to clear it), with a loose shape for the few that have one."""
    where = f"values.{name}"
    if value is None:
        if name == "name":
            raise RecordError("values.name must not be empty: a customer needs a name")
        return
    _text(value, where, limit=MAX_PARTNER_TEXT, empty=name != "name")
    value = value.strip()
    if not value:
        return
    if name == "email" and not EMAIL.match(value):
        raise RecordError(f"values.email does not look like an e-mail address: {value!r}")
    if name == "phone" and not PHONE.match(value):
        raise RecordError(f"values.phone may hold digits, spaces and + ( ) . / - only: {value!r}")
    if name == "country_code" and not COUNTRY_CODE.match(value):
        raise RecordError(f"values.country_code must be 2 letters such as ID, got {value!r}")


def validate_partner(record: dict[str, Any]) -> None:
    """A customer created or updated on a terminal; RecordError on the first problem found.

    Its seq is the terminal's one sequence shared with orders, so the forwarder keeps the order
    in which the cashier made things (a customer before the sale that names it)."""
    _int(record.get("seq"), "seq")
    op = record.get("op")
    if op not in PARTNER_OPS:
        raise RecordError(f"op must be one of {', '.join(PARTNER_OPS)}, got {op!r}")
    if op == "update":
        _int(record.get("id"), "id")
    elif record.get("id") is not None:
        raise RecordError("id is for updates only; a new customer gets its id from Odoo")
    values = _object(record.get("values"), "values")
    unknown = sorted(set(values) - set(PARTNER_VALUES))
    if unknown:
        raise RecordError(
            f"values may hold {', '.join(PARTNER_VALUES)} only; unknown: {', '.join(unknown)}"
        )
    if op == "create" and "name" not in values:
        raise RecordError("values.name is required for a new customer")
    if op == "update" and not values:
        raise RecordError("an update must change at least one value")
    for name, value in values.items():
        _partner_value(name, value)


def validate_item(item: Any, terminal: str, shop: Shop | None = None) -> tuple[str, str, int]:
    """Check one incoming item sent by `terminal`; returns (uuid, kind, seq) or RecordError.

    `shop` (from the relay's bootstrap) lets the register recompute an order's totals.
    """
    uuid, kind, seq, _ = read_item(item, terminal, shop)
    return uuid, kind, seq


def read_item(item: Any, terminal: str, shop: Shop | None = None) -> tuple[str, str, int, str]:
    """`validate_item`, plus the item's canonical JSON: the body the journal stores.

    The size limit is measured on that very text, so it is made once per item on the accept path.
    """
    record = _object(item, "item")
    _uuid(record.get("uuid"), "uuid")
    kind = record.get("kind")
    if kind not in SUPPORTED_KINDS:
        raise RecordError(f"kind must be one of {', '.join(SUPPORTED_KINDS)}, got {kind!r}")
    owner = record.get("terminal")
    if owner != terminal:
        raise RecordError(
            f"this record belongs to terminal {owner!r}; the token sending it is {terminal!r}'s"
        )
    _no_fractions(record, "record")
    body = canonical(record)
    if len(body.encode("utf-8")) > MAX_RECORD_BYTES:
        raise RecordError(f"a record may be at most {MAX_RECORD_BYTES // 1024} KB")
    if kind == "partner":
        validate_partner(record)
    else:
        validate_order(record, shop)
    return record["uuid"], kind, record["seq"], body
