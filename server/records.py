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
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from register.check import check_order as register_check_order
from register.shop import Shop

MAX_RECORD_BYTES = 256 * 1024
MAX_LINES = 1000
MAX_PAYMENTS = 100
MAX_TEXT = 256
SUPPORTED_KINDS = ("order", "partner", "session", "cash_move")
PARTNER_OPS = ("create", "update")
SESSION_OPS = ("open", "close")
CASH_MOVE_TYPES = ("in", "out")
# A cash count: how many of each banknote or coin ({"100000": 3}); a drawer has a few kinds.
MAX_DENOMINATIONS = 40
MAX_PIECES = 10**6
# The decimals a count may have when the relay has no shop yet to say its currency's (Odoo's
# currencies have at most 3; IDR and USD have 2).
DEFAULT_CURRENCY_DECIMALS = 2
MAX_NOTE = 1000
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
# ASCII digits only: `\d` also takes "３５００" and "٣٥٠٠", which Decimal reads as 3500. Matched
# with fullmatch (a bare `$` would let "3500\n" through); the pattern is also the OpenAPI one.
DECIMAL_TEXT = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,10})?$")
CATALOG_VERSION = re.compile(r"[0-9A-Za-z._:-]{0,64}")
# How deep a record may nest (an order is 4 levels: record, lines, line, tax_ids).
MAX_DEPTH = 20
# The window of the relay's clock a sale's created_at must fall in: a till whose clock is years
# off (or a forged date) would book the sale into the wrong period in Odoo.
EARLIEST_CREATED_AT = datetime(2020, 1, 1, tzinfo=UTC)
MAX_CLOCK_AHEAD = timedelta(days=1)
# What no text of a record may hold: C0 controls (tab, line feed and carriage return excepted:
# they are whitespace a product name or an address may carry), DEL and C1 controls, the bidi
# embeddings/overrides/isolates that can make text read differently from what it holds, and lone
# surrogates (json.loads accepts "\ud83c"; such text cannot be stored as UTF-8).
FORBIDDEN_TEXT = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab, LF, CR; DEL; C1
    r"\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    r"\ud800-\udfff]"  # surrogates
)
ORDER_AMOUNTS = ("amount_total", "amount_tax", "amount_paid", "amount_return", "rounding_applied")
LINE_AMOUNTS = ("qty", "price_unit", "discount", "price_subtotal", "price_subtotal_incl")


class RecordError(ValueError):
    """The record cannot be accepted; the message is sent back to the terminal."""


def canonical(record: Any) -> str:
    """The one text of a record: sorted keys, no spaces, so equal records hash equal."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def rejected_body(item: Any) -> str:
    """What the journal keeps of a refused item: its JSON with every non-ASCII character
    escaped (a lone surrogate cannot be stored as UTF-8), cut to the record size limit; parts
    nested deeper than the records' limit are replaced by a note (json.dumps of a structure
    nested near the interpreter's recursion limit would fail)."""
    text = json.dumps(_clipped(item, 0), sort_keys=True, separators=(",", ":"), default=str)
    if len(text) > MAX_RECORD_BYTES:
        text = json.dumps({"truncated": text[:MAX_RECORD_BYTES]}, separators=(",", ":"))
    return text


def _clipped(value: Any, depth: int) -> Any:
    """`value` with whatever is nested deeper than MAX_DEPTH + 1 levels replaced by a note."""
    if isinstance(value, dict | list) and depth > MAX_DEPTH:
        return f"(nested more than {MAX_DEPTH} levels deep; not kept)"
    if isinstance(value, dict):
        return {str(key): _clipped(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_clipped(item, depth + 1) for item in value]
    return value


def decode_body(body: bytes) -> str:
    """A request body as text: strictly UTF-8 (what JSON over HTTP is), with a plain message.

    json.loads(bytes) guesses among UTF-8/16/32, so an invalid UTF-8 body is reported with
    Python's 'utf-16-le' codec in the message; this names the first bad byte instead."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"the body is not UTF-8: invalid byte at position {error.start}") from None


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
        raise RecordError(f"{where} must be an integer, got {_shown(value)}")
    if value < minimum or value > 2**53:
        raise RecordError(f"{where} must be >= {minimum}, got {_shown(value)}")
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
        raise RecordError(
            f"{where} must be a lowercase uuid like 0b6f1c2e-..., got {_shown(value)}"
        )
    return value


def _decimal(value: Any, where: str) -> Decimal:
    """Money and quantities travel as decimal strings ("12500", "6306.31"), never numbers."""
    if not isinstance(value, str) or not DECIMAL_TEXT.fullmatch(value):
        raise RecordError(f'{where} must be a decimal string such as "12500", got {_shown(value)}')
    return Decimal(value)


def _ids(value: Any, where: str, *, limit: int = 50) -> list[int]:
    if not isinstance(value, list) or len(value) > limit:
        raise RecordError(f"{where} must be a list of at most {limit} ids")
    return [_int(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{where} must be an object, got {type(value).__name__}")
    return value


def _shown(value: Any, limit: int = 60) -> str:
    """A value as a message shows it: its repr (every control character, bidi mark and lone
    surrogate escaped, so the message is safe to store and send), cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _path(where: str, limit: int = 120) -> str:
    """Where in the record, for a message: long keys could make it long, so its end only."""
    return where if len(where) <= limit else "..." + where[3 - limit :]


def _bad_text(text: str, where: str) -> None:
    """RecordError when `text` holds a character no record may carry (FORBIDDEN_TEXT)."""
    found = FORBIDDEN_TEXT.search(text)
    if found is None:
        return
    code = ord(found.group())
    where = _path(where)
    if 0xD800 <= code <= 0xDFFF:
        raise RecordError(
            f"text must be valid Unicode: {where} holds a lone surrogate (U+{code:04X})"
        )
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        raise RecordError(f"{where} holds a bidirectional override (U+{code:04X})")
    raise RecordError(f"{where} holds a control character (U+{code:04X})")


def _scan(value: Any, where: str, depth: int) -> None:
    """Every value of a record, once, before anything else reads it: no nesting deeper than
    MAX_DEPTH, no number with a fraction (it would reach Odoo through float: amounts travel
    as decimal strings), no text (key or value) holding a control character, a bidi override
    or a lone surrogate.

    It runs for every item on the accept path, so it is written for speed: exact types first,
    and str.isprintable (false for every forbidden character) before the precise search."""
    if depth > MAX_DEPTH:
        raise RecordError(f"{_path(where)} is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is not str:
                raise RecordError(f"a key of {_path(where) or 'the record'} is not text")
            if not key.isprintable():
                _bad_text(key, f"a key of {where or 'the record'}")
            kind = type(item)
            if kind is str:
                if not item.isprintable():
                    _bad_text(item, f"{where}.{key}" if where else key)
            elif kind is int or kind is bool or item is None:
                pass
            else:
                _scan_other(item, f"{where}.{key}" if where else key, depth)
    else:
        for index, item in enumerate(value):
            kind = type(item)
            if kind is str:
                if not item.isprintable():
                    _bad_text(item, f"{where}[{index}]")
            elif kind is int or kind is bool or item is None:
                pass
            else:
                _scan_other(item, f"{where}[{index}]", depth)


def _scan_other(item: Any, path: str, depth: int) -> None:
    """`_scan` of one value that is not a str, an int, a bool or null."""
    if isinstance(item, dict | list):
        _scan(item, path, depth + 1)
    elif isinstance(item, Decimal | float):
        raise RecordError(
            f"{_path(path)} is a number with a fraction; send amounts as decimal strings"
        )
    elif isinstance(item, str):
        if not item.isprintable():
            _bad_text(item, path)
    elif not isinstance(item, int):
        raise RecordError(f"{_path(path)} holds a {type(item).__name__}, which JSON cannot carry")


def _created_at(value: Any) -> datetime:
    text = _text(value, "created_at", limit=40)
    try:
        if not text.isascii():
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(
            f"created_at must be an ISO-8601 date and time, got {_shown(text)}"
        ) from None
    if moment.tzinfo is None:
        raise RecordError("created_at must carry its time zone (UTC, e.g. +00:00)")
    if moment < EARLIEST_CREATED_AT:
        raise RecordError(
            f"created_at {text} is before {EARLIEST_CREATED_AT:%Y-%m-%d}: "
            "check the date and time of the till"
        )
    now = datetime.now(UTC)
    if moment > now + MAX_CLOCK_AHEAD:
        raise RecordError(
            f"created_at {text} is in the future (the relay's clock says {now:%Y-%m-%d %H:%M} "
            "UTC): check the date and time of the till"
        )
    return moment


def _check_line(line: Any, where: str) -> None:
    line = _object(line, where)
    _uuid(line.get("uuid"), f"{where}.uuid")
    _int(line.get("product_id"), f"{where}.product_id")
    if line.get("full_product_name") is not None:
        _text(line["full_product_name"], f"{where}.full_product_name", empty=True)
    qty = _decimal(line.get("qty"), f"{where}.qty")
    price = _decimal(line.get("price_unit"), f"{where}.price_unit")
    for name in LINE_AMOUNTS[2:]:
        _decimal(line.get(name), f"{where}.{name}")
    _ids(line.get("tax_ids"), f"{where}.tax_ids")
    _check_person(line.get("approved_by"), f"{where}.approved_by")
    refunded = line.get("refunded_line_uuid")
    if refunded is not None:
        _uuid(refunded, f"{where}.refunded_line_uuid")
    elif qty < 0:
        # The till makes a negative quantity only on a refund line, which names the sold line.
        raise RecordError(
            f"{where}.qty is negative but the line has no refunded_line_uuid: "
            "a refund must name the sold line it gives back"
        )
    if price < 0 and refunded is None and not _generated(line):
        # The till refuses a negative price ("use a refund"); only its generated discount and
        # reward lines (and refunds of them, which keep the price) carry one.
        raise RecordError(
            f"{where}.price_unit is negative ({price}): only a discount or reward line may be; "
            "give money back with a refund"
        )


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


def _check_person(value: Any, where: str) -> None:
    """Who sold (`cashier`) or approved (`approved_by`): {"employee_id": N, "name"} for a pos_hr
    employee, {"user_id": N, "name"} for an Odoo user; optional (older tills send none)."""
    if value is None:
        return
    person = _object(value, where)
    ids = [key for key in ("employee_id", "user_id") if person.get(key) is not None]
    if len(ids) != 1:
        raise RecordError(
            f'{where} must be {{"employee_id": N, "name": ...}} or {{"user_id": N, "name": ...}}'
        )
    _int(person[ids[0]], f"{where}.{ids[0]}")
    _text(person.get("name"), f"{where}.name", limit=MAX_PARTNER_TEXT)


def _generated(line: dict[str, Any]) -> bool:
    """A discount or reward line the till generates (Cart.order_record's flags)."""
    return line.get("is_order_discount") is True or line.get("is_reward_line") is True


def _unique(record: dict[str, Any], lines: list[Any], payments: list[Any]) -> None:
    """One uuid names one thing: the order, each of its lines, each of its payments (the
    forwarder and Odoo find lines and payments by uuid); a line cannot refund its own order."""
    uuids = [line["uuid"] for line in lines] + [payment["uuid"] for payment in payments]
    own = {record["uuid"], *uuids}
    if len(own) == len(uuids) + 1 and not any(
        line.get("refunded_line_uuid") in own for line in lines
    ):
        return
    names = {record["uuid"]: "the order's uuid"}
    where = [f"lines[{i}]" for i in range(len(lines))]
    where += [f"payments[{i}]" for i in range(len(payments))]
    for place, uuid in zip(where, uuids, strict=True):
        if uuid in names:
            raise RecordError(f"{place}.uuid is not unique within the order: it is {names[uuid]}")
        names[uuid] = f"{place}.uuid"
    for index, line in enumerate(lines):
        if line.get("refunded_line_uuid") in own:
            raise RecordError(
                f"lines[{index}].refunded_line_uuid names this same order; "
                "a refund gives back a line of an earlier sale"
            )


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
    if record.get("session_uuid") is not None:
        _uuid(record["session_uuid"], "session_uuid")
    _int(record.get("seq"), "seq")
    _text(record.get("name"), "name", limit=64)
    _created_at(record.get("created_at"))
    _text(record.get("currency"), "currency", limit=8)
    _optional_int(record.get("pricelist_id"), "pricelist_id")
    _optional_int(record.get("fiscal_position_id"), "fiscal_position_id")
    _check_partner(record.get("partner"))
    _check_person(record.get("cashier"), "cashier")
    _check_person(record.get("approved_by"), "approved_by")
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
    _unique(record, lines, payments)
    for name in ORDER_AMOUNTS:
        _decimal(record.get(name), name)
    version = record.get("catalog_version")
    if version is not None and not (
        isinstance(version, int)
        or (isinstance(version, str) and CATALOG_VERSION.fullmatch(version))
    ):
        raise RecordError(
            "catalog_version must be the bootstrap's own (ASCII letters, digits, - . _ :), "
            f"got {_shown(version)}"
        )
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
        raise RecordError(f"values.email does not look like an e-mail address: {_shown(value)}")
    if name == "phone" and not PHONE.match(value):
        raise RecordError(
            f"values.phone may hold digits, spaces and + ( ) . / - only: {_shown(value)}"
        )
    if name == "country_code" and not COUNTRY_CODE.match(value):
        raise RecordError(f"values.country_code must be 2 letters such as ID, got {_shown(value)}")


def validate_partner(record: dict[str, Any]) -> None:
    """A customer created or updated on a terminal; RecordError on the first problem found.

    Its seq is the terminal's one sequence shared with orders, so the forwarder keeps the order
    in which the cashier made things (a customer before the sale that names it)."""
    _int(record.get("seq"), "seq")
    op = record.get("op")
    if op not in PARTNER_OPS:
        raise RecordError(f"op must be one of {', '.join(PARTNER_OPS)}, got {_shown(op)}")
    if op == "update":
        _int(record.get("id"), "id")
    elif record.get("id") is not None:
        raise RecordError("id is for updates only; a new customer gets its id from Odoo")
    values = _object(record.get("values"), "values")
    unknown = sorted(set(values) - set(PARTNER_VALUES))
    if unknown:
        raise RecordError(
            f"values may hold {', '.join(PARTNER_VALUES)} only; unknown: {_path(', '.join(unknown))}"
        )
    if op == "create" and "name" not in values:
        raise RecordError("values.name is required for a new customer")
    if op == "update" and not values:
        raise RecordError("an update must change at least one value")
    for name, value in values.items():
        _partner_value(name, value)


def _cash(value: Any, where: str, decimals: int, *, positive: bool = False) -> Decimal:
    """An amount of cash counted or moved: a decimal string, never negative, with at most the
    currency's decimals (a drawer cannot hold a fraction of its smallest unit)."""
    amount = _decimal(value, where)
    if amount < 0 or (positive and amount == 0):
        raise RecordError(
            f"{where} must be {'more than 0' if positive else '0 or more'}, got {_shown(value)}"
        )
    if amount != amount.quantize(Decimal(1).scaleb(-decimals)):
        raise RecordError(f"{where} may have at most {decimals} decimals, got {_shown(value)}")
    return amount


def _counts(value: Any, decimals: int) -> None:
    """{"<denomination>": pieces}: each denomination an amount, each number of pieces >= 0."""
    counts = _object(value, "counts")
    if len(counts) > MAX_DENOMINATIONS:
        raise RecordError(f"counts may name at most {MAX_DENOMINATIONS} denominations")
    for denomination, pieces in counts.items():
        _cash(denomination, f"counts key {_shown(denomination)}", decimals, positive=True)
        _int(pieces, f"counts[{_shown(denomination)}]", minimum=0)
        if pieces > MAX_PIECES:
            raise RecordError(f"counts[{_shown(denomination)}] is more than {MAX_PIECES} pieces")


def validate_session(record: dict[str, Any], shop: Shop | None = None) -> None:
    """A register's day opened or closed on a terminal (kind "session"); RecordError on the
    first problem. `cash` is the drawer counted (and `expected`, on a close, what the till
    computed should be there); `counts` optionally the pieces of each denomination."""
    decimals = shop.currency.decimal_places if shop else DEFAULT_CURRENCY_DECIMALS
    _int(record.get("seq"), "seq")
    _created_at(record.get("created_at"))
    op = record.get("op")
    if op not in SESSION_OPS:
        raise RecordError(f"op must be one of {', '.join(SESSION_OPS)}, got {_shown(op)}")
    _text(record.get("cashier"), "cashier", limit=MAX_PARTNER_TEXT)
    _cash(record.get("cash"), "cash", decimals)
    if record.get("counts") is not None:
        _counts(record["counts"], decimals)
    if record.get("note") is not None:
        _text(record["note"], "note", limit=MAX_NOTE, empty=True)
    if op == "close":
        _uuid(record.get("session_uuid"), "session_uuid")
        _cash(record.get("expected"), "expected", decimals)
    elif record.get("session_uuid") is not None:
        raise RecordError("session_uuid is for a close; an open is the session itself")


def validate_cash_move(record: dict[str, Any], shop: Shop | None = None) -> None:
    """Cash put into or taken out of the drawer during a session, with the reason Odoo keeps."""
    decimals = shop.currency.decimal_places if shop else DEFAULT_CURRENCY_DECIMALS
    _int(record.get("seq"), "seq")
    _created_at(record.get("created_at"))
    _uuid(record.get("session_uuid"), "session_uuid")
    kind = record.get("type")
    if kind not in CASH_MOVE_TYPES:
        raise RecordError(f"type must be in or out, got {_shown(kind)}")
    _cash(record.get("amount"), "amount", decimals, positive=True)
    _check_person(record.get("approved_by"), "approved_by")
    _text(record.get("reason"), "reason", limit=MAX_TEXT)
    _text(record.get("cashier"), "cashier", limit=MAX_PARTNER_TEXT)


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
    # First, so that nothing below reads (or quotes in a message) text that cannot be stored,
    # or recurses into a structure nested arbitrarily deep.
    _scan(record, "", 1)
    _uuid(record.get("uuid"), "uuid")
    kind = record.get("kind")
    if kind not in SUPPORTED_KINDS:
        raise RecordError(f"kind must be one of {', '.join(SUPPORTED_KINDS)}, got {_shown(kind)}")
    owner = record.get("terminal")
    if owner != terminal:
        raise RecordError(
            f"this record belongs to terminal {_shown(owner)}; "
            f"the token sending it is {_shown(terminal)}'s"
        )
    body = canonical(record)
    if len(body.encode("utf-8")) > MAX_RECORD_BYTES:
        raise RecordError(f"a record may be at most {MAX_RECORD_BYTES // 1024} KB")
    if kind == "partner":
        validate_partner(record)
    elif kind == "session":
        validate_session(record, shop)
    elif kind == "cash_move":
        validate_cash_move(record, shop)
    else:
        validate_order(record, shop)
    return record["uuid"], kind, record["seq"], body
