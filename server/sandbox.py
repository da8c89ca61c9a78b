"""The Odoo sandbox: an Odoo 18 stand-in for the calls kasir makes, backed by one SQLite file.

It answers `POST /jsonrpc` like Odoo does (same services, same result shapes, same error
objects), so the relay's Odoo client can be tested for real over HTTP without an Odoo server; and it
can misbehave on purpose (down, slow, HTTP 500 from a "proxy", a connection dropped after the
commit) so the relay's retries and idempotency can be tested too. It is not part of the relay and
imports nothing from it but the JSON encoder both sides share (`decimal_json`).

Records are generic: one row per (model, id) holding the fields as JSON, with `write_date` and
`uuid` in their own indexed columns so catalog paging and order look-ups stay fast at 100,000
products. Money is kept as decimal strings and answered as JSON numbers written from the exact
decimal text, never through float.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from . import decimal_json

log = logging.getLogger("kasir.sandbox")

SANDBOX_UID = 2
SERVER_VERSION = {
    "server_version": "18.0",
    "server_version_info": [18, 0, 0, "final", 0, ""],
    "server_serie": "18.0",
    "protocol_version": 1,
}

# ---------------------------------------------------------------------------------------------
# Models: the fields kasir reads, with their Odoo types ("m2o:comodel", "x2m:comodel", ...).
# Every model also has id, display_name, create_date and write_date.
# ---------------------------------------------------------------------------------------------

_PRICELIST_ITEM = {
    "pricelist_id": "m2o:product.pricelist",
    "product_tmpl_id": "m2o:product.template",
    "product_id": "m2o:product.product",
    "categ_id": "m2o:product.category",
    "applied_on": "selection",
    "display_applied_on": "selection",
    "min_quantity": "float",
    "base": "selection",
    "base_pricelist_id": "m2o:product.pricelist",
    "compute_price": "selection",
    "fixed_price": "float",
    "percent_price": "float",
    "price_discount": "float",
    "price_round": "float",
    "price_surcharge": "float",
    "price_min_margin": "float",
    "price_max_margin": "float",
    "date_start": "datetime",
    "date_end": "datetime",
    "company_id": "m2o:res.company",
    "currency_id": "m2o:res.currency",
    "active": "boolean",
}

MODELS: dict[str, dict[str, str]] = {
    "res.company": {
        "name": "char",
        "currency_id": "m2o:res.currency",
        "country_code": "char",
        "vat": "char",
        "tax_calculation_rounding_method": "selection",
    },
    "res.currency": {
        "name": "char",
        "symbol": "char",
        "rounding": "float",
        "decimal_places": "integer",
        "position": "selection",
        "active": "boolean",
    },
    "res.partner": {
        "name": "char",
        "email": "char",
        "phone": "char",
        "street": "char",
        "city": "char",
        "zip": "char",
        "vat": "char",
        "barcode": "char",
        "ref": "char",
        "country_id": "m2o:res.country",
        "active": "boolean",
    },
    "res.country": {"name": "char", "code": "char"},
    "res.users": {"name": "char", "login": "char", "active": "boolean"},
    "uom.uom": {"name": "char", "active": "boolean"},
    "pos.config": {
        "name": "char",
        "company_id": "m2o:res.company",
        "currency_id": "m2o:res.currency",
        "payment_method_ids": "x2m:pos.payment.method",
        "pricelist_id": "m2o:product.pricelist",
        "available_pricelist_ids": "x2m:product.pricelist",
        "current_session_id": "m2o:pos.session",
        "cash_rounding": "boolean",
        "rounding_method": "m2o:account.cash.rounding",
        "only_round_cash_method": "boolean",
        "receipt_header": "text",
        "receipt_footer": "text",
        "fiscal_position_ids": "x2m:account.fiscal.position",
        "active": "boolean",
    },
    "pos.session": {
        "name": "char",
        "config_id": "m2o:pos.config",
        "state": "selection",
        "start_at": "datetime",
        "stop_at": "datetime",
    },
    "account.tax": {
        "name": "char",
        "amount_type": "selection",
        "amount": "float",
        "price_include": "boolean",
        "include_base_amount": "boolean",
        "is_base_affected": "boolean",
        "sequence": "integer",
        "children_tax_ids": "x2m:account.tax",
        "type_tax_use": "selection",
        "company_id": "m2o:res.company",
        "active": "boolean",
    },
    "pos.payment.method": {
        "name": "char",
        "is_cash_count": "boolean",
        "type": "selection",
        "sequence": "integer",
        "active": "boolean",
    },
    "pos.category": {"name": "char", "parent_id": "m2o:pos.category", "sequence": "integer"},
    "product.category": {
        "name": "char",
        "parent_id": "m2o:product.category",
        "complete_name": "char",
    },
    "product.pricelist": {
        "name": "char",
        "currency_id": "m2o:res.currency",
        "item_ids": "x2m:product.pricelist.item",
        "active": "boolean",
    },
    "product.pricelist.item": _PRICELIST_ITEM,
    "account.fiscal.position": {
        "name": "char",
        "tax_ids": "x2m:account.fiscal.position.tax",
        "active": "boolean",
    },
    "account.fiscal.position.tax": {
        "position_id": "m2o:account.fiscal.position",
        "tax_src_id": "m2o:account.tax",
        "tax_dest_id": "m2o:account.tax",
    },
    "account.cash.rounding": {
        "name": "char",
        "rounding": "float",
        "rounding_method": "selection",
        "strategy": "selection",
    },
    "product.template": {
        "name": "char",
        "list_price": "float",
        "standard_price": "float",
        "default_code": "char",
        "barcode": "char",
        "categ_id": "m2o:product.category",
        "pos_categ_ids": "x2m:pos.category",
        "taxes_id": "x2m:account.tax",
        "uom_id": "m2o:uom.uom",
        "type": "selection",
        "sale_ok": "boolean",
        "available_in_pos": "boolean",
        "active": "boolean",
    },
    "product.product": {
        "name": "char",
        "lst_price": "float",
        "standard_price": "float",
        "categ_id": "m2o:product.category",
        "pos_categ_ids": "x2m:pos.category",
        "taxes_id": "x2m:account.tax",
        "barcode": "char",
        "default_code": "char",
        "product_tmpl_id": "m2o:product.template",
        "uom_id": "m2o:uom.uom",
        "type": "selection",
        "sale_ok": "boolean",
        "available_in_pos": "boolean",
        "active": "boolean",
    },
    "pos.order": {
        "name": "char",
        "uuid": "char",
        "pos_reference": "char",
        "session_id": "m2o:pos.session",
        "config_id": "m2o:pos.config",
        "company_id": "m2o:res.company",
        "state": "selection",
        "date_order": "datetime",
        "partner_id": "m2o:res.partner",
        "pricelist_id": "m2o:product.pricelist",
        "fiscal_position_id": "m2o:account.fiscal.position",
        "amount_total": "float",
        "amount_tax": "float",
        "amount_paid": "float",
        "amount_return": "float",
        "to_invoice": "boolean",
        "lines": "x2m:pos.order.line",
        "payment_ids": "x2m:pos.payment",
        "sequence_number": "integer",
    },
    "pos.order.line": {
        "order_id": "m2o:pos.order",
        "uuid": "char",
        "product_id": "m2o:product.product",
        "full_product_name": "char",
        "qty": "float",
        "price_unit": "float",
        "discount": "float",
        "tax_ids": "x2m:account.tax",
        "price_subtotal": "float",
        "price_subtotal_incl": "float",
    },
    "pos.payment": {
        "name": "char",
        "pos_order_id": "m2o:pos.order",
        "session_id": "m2o:pos.session",
        "uuid": "char",
        "payment_method_id": "m2o:pos.payment.method",
        "amount": "float",
        "is_change": "boolean",
        "payment_date": "datetime",
    },
}
for _fields in MODELS.values():
    _fields.update(
        {
            "id": "integer",
            "display_name": "char",
            "create_date": "datetime",
            "write_date": "datetime",
        }
    )

# Default `order` of a search, as the Odoo model's _order (simplified where Odoo sorts on a
# related field).
DEFAULT_ORDER = {
    "pos.order": "id desc",
    "pos.session": "id desc",
    "pos.payment": "id desc",
    "product.product": "default_code, name, id",
    "product.template": "name, id",
    "pos.payment.method": "sequence, id",
    "pos.category": "sequence, name, id",
    "product.category": "complete_name, id",
    "account.tax": "sequence, id",
    "product.pricelist.item": "id",
}

# Fields sync_from_ui answers with (Odoo reads them with load=False: a many2one is a bare id).
SYNC_FIELDS = {
    "pos.order": [
        "id",
        "name",
        "uuid",
        "pos_reference",
        "session_id",
        "config_id",
        "company_id",
        "state",
        "date_order",
        "partner_id",
        "pricelist_id",
        "fiscal_position_id",
        "amount_total",
        "amount_tax",
        "amount_paid",
        "amount_return",
        "to_invoice",
        "lines",
        "payment_ids",
        "sequence_number",
        "write_date",
    ],
    "pos.order.line": [
        "id",
        "order_id",
        "uuid",
        "product_id",
        "full_product_name",
        "qty",
        "price_unit",
        "discount",
        "tax_ids",
        "price_subtotal",
        "price_subtotal_incl",
    ],
    "pos.payment": [
        "id",
        "pos_order_id",
        "uuid",
        "payment_method_id",
        "amount",
        "is_change",
        "payment_date",
        "session_id",
    ],
    "pos.session": ["id", "name", "config_id", "state", "start_at", "stop_at"],
}

TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # stored form; Odoo shows datetimes to the second


def _field_type(model: str, field: str) -> tuple[str, str | None]:
    """('m2o', 'res.currency'), ('float', None)... or ValueError like Odoo's for an unknown field."""
    spec = MODELS[model].get(field)
    if spec is None:
        raise ValueError(f"Invalid field {field!r} on model {model!r}")
    kind, _, comodel = spec.partition(":")
    return kind, comodel or None


# ---------------------------------------------------------------------------------------------
# Odoo's errors, as they travel in a JSON-RPC error's `data`.
# ---------------------------------------------------------------------------------------------


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


def missing(model: str, ids: Iterable[int]) -> MissingError:
    """The MissingError Odoo raises when a record was deleted under our feet."""
    id_list = list(ids)
    shown = ", ".join(str(i) for i in id_list) + ("," if len(id_list) == 1 else "")
    return MissingError(
        "Record does not exist or has been deleted.\n"
        f"(Record: {model}({shown}), User: {SANDBOX_UID})"
    )


class _Json2Refusal(Exception):
    """A werkzeug HTTP error of the JSON-2 controller (404 no such model, 422 bad params)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


class DroppedConnection(Exception):
    """Raised where the connection cannot be dropped for real (in-process test clients)."""


# ---------------------------------------------------------------------------------------------
# Money and JSON: Decimal in, Decimal out, never float.
# ---------------------------------------------------------------------------------------------


def to_decimal(value: Any) -> Decimal:
    """A stored or received amount as a Decimal (False/None is 0, as Odoo reads an empty float)."""
    if value is None or value is False:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, int | str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    raise ValueError(f"not an amount: {value!r} (floats are not accepted)")


def dumps(value: Any) -> str:
    """JSON text of an answer, amounts written like Odoo's floats but from their exact text."""
    return decimal_json.dumps(value, like_float=True)


class DecimalJSONResponse(Response):
    """A JSON answer written by `dumps` (Decimal-exact)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Storage.
# ---------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    model TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    create_date TEXT NOT NULL,
    write_date TEXT NOT NULL,
    uuid TEXT,
    PRIMARY KEY (model, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_write ON records (model, write_date, id);
CREATE INDEX IF NOT EXISTS records_by_uuid ON records (model, uuid) WHERE uuid IS NOT NULL;
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
"""


class SandboxStore:
    """Generic Odoo records in one SQLite file (WAL); every call runs in one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        row = self._db.execute("SELECT MAX(write_date) FROM records").fetchone()
        self._last_stamp = datetime.strptime(row[0], TIMESTAMP) if row[0] else datetime.min

    def is_empty(self) -> bool:
        """True before the store was seeded."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One serialized write transaction: committed on success, rolled back on any error."""
        with self._lock:
            now = datetime.now(UTC).replace(tzinfo=None)
            # Every transaction gets a stamp strictly after the previous one, so a change is
            # always newer than what a catalog reader has already seen.
            stamp = max(now, self._last_stamp + timedelta(microseconds=1))
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._db, stamp.strftime(TIMESTAMP))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
                self._last_stamp = stamp

    def close(self) -> None:
        with self._lock:
            self._db.close()


class Transaction:
    """Record access inside one transaction (the sandbox's tiny ORM)."""

    def __init__(self, db: sqlite3.Connection, stamp: str) -> None:
        self.db = db
        self.stamp = stamp
        self._names: dict[tuple[str, int], str] = {}

    def now(self) -> str:
        """This transaction's timestamp, as Odoo shows a datetime (UTC, to the second)."""
        return self.stamp[:19]

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None

    # -- reading ----------------------------------------------------------------------------

    @staticmethod
    def _decode(row: tuple[Any, ...]) -> dict[str, Any]:
        record_id, data, create_date, write_date = row
        record = json.loads(data)
        record["id"] = record_id
        record["create_date"] = create_date
        record["write_date"] = write_date
        return record

    def get(self, model: str, record_id: Any) -> dict[str, Any] | None:
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            return None
        row = self.db.execute(
            "SELECT id, data, create_date, write_date FROM records WHERE model=? AND id=?",
            (model, record_id),
        ).fetchone()
        return self._decode(row) if row else None

    def find_uuid(self, model: str, uuid: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, data, create_date, write_date FROM records WHERE model=? AND uuid=? "
            "ORDER BY id LIMIT 1",
            (model, uuid),
        ).fetchone()
        return self._decode(row) if row else None

    def rows(
        self, model: str, where: list[tuple[str, list[Any]]], order_sql: str
    ) -> Iterator[dict[str, Any]]:
        """Records of a model, pre-filtered on indexed columns, in SQL order, streamed."""
        sql = "SELECT id, data, create_date, write_date FROM records WHERE model=?"
        params: list[Any] = [model]
        for clause, clause_params in where:
            sql += f" AND {clause}"
            params.extend(clause_params)
        cursor = self.db.execute(f"{sql} ORDER BY {order_sql}", params)
        while batch := cursor.fetchmany(500):
            for row in batch:
                yield self._decode(row)

    def count(self, model: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM records WHERE model=?", (model,)).fetchone()[0]

    def display_name(self, model: str, record_id: int) -> str:
        """What Odoo shows for a record in a many2one ([id, display_name])."""
        key = (model, record_id)
        if key not in self._names:
            record = self.get(model, record_id)
            self._names[key] = _display_name(self, model, record) if record else ""
        return self._names[key]

    # -- writing ----------------------------------------------------------------------------

    def _next_id(self, model: str) -> int:
        row = self.db.execute(
            "SELECT next FROM sequences WHERE name=?", (f"id:{model}",)
        ).fetchone()
        if row:
            return row[0]
        row = self.db.execute("SELECT MAX(id) FROM records WHERE model=?", (model,)).fetchone()
        return (row[0] or 0) + 1

    def _bump_id(self, model: str, used: int) -> None:
        nxt = max(self._next_id(model), used + 1)
        self.db.execute(
            "INSERT INTO sequences (name, next) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET next=excluded.next",
            (f"id:{model}", nxt),
        )

    def insert(self, model: str, record_id: int | None, values: dict[str, Any]) -> int:
        """Create a record (with the given id, or the model's next one); returns its id."""
        if record_id is None:
            record_id = self._next_id(model)
        data = _to_storage(model, values)
        self.db.execute(
            "INSERT INTO records (model, id, data, create_date, write_date, uuid) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (model, record_id, json.dumps(data), self.stamp, self.stamp, data.get("uuid") or None),
        )
        self._bump_id(model, record_id)
        return record_id

    def insert_many(self, model: str, records: list[dict[str, Any]]) -> None:
        """Bulk create; every record carries its own "id"."""
        rows = []
        for values in records:
            data = _to_storage(model, values)
            rows.append(
                (model, values["id"], json.dumps(data), self.stamp, self.stamp, data.get("uuid"))
            )
        self.db.executemany(
            "INSERT INTO records (model, id, data, create_date, write_date, uuid) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        self._bump_id(model, max(values["id"] for values in records))

    def update(self, model: str, record_id: int, values: dict[str, Any]) -> dict[str, Any]:
        """Write fields of a record and bump its write_date; MissingError if it is gone."""
        record = self.get(model, record_id)
        if record is None:
            raise missing(model, [record_id])
        for key in ("id", "create_date", "write_date"):
            record.pop(key, None)
        record.update(values)
        data = _to_storage(model, record)
        self.db.execute(
            "UPDATE records SET data=?, write_date=?, uuid=? WHERE model=? AND id=?",
            (json.dumps(data), self.stamp, data.get("uuid") or None, model, record_id),
        )
        self._names.pop((model, record_id), None)
        return {**data, "id": record_id, "write_date": self.stamp}

    def delete(self, model: str, record_id: int) -> bool:
        cursor = self.db.execute("DELETE FROM records WHERE model=? AND id=?", (model, record_id))
        self._names.pop((model, record_id), None)
        return cursor.rowcount > 0

    def set_sequence(self, name: str, next_value: int) -> None:
        self.db.execute(
            "INSERT INTO sequences (name, next) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET next=excluded.next",
            (name, next_value),
        )

    def next_sequence(self, name: str) -> int:
        """Next number of a named gap-free sequence (like ir.sequence, starting at 1)."""
        row = self.db.execute("SELECT next FROM sequences WHERE name=?", (name,)).fetchone()
        value = row[0] if row else 1
        self.set_sequence(name, value + 1)
        return value


def _to_storage(model: str, values: dict[str, Any]) -> dict[str, Any]:
    """Values as stored: amounts as decimal strings, no id/dates (they live in columns)."""
    fields = MODELS.get(model, {})
    data: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("id", "create_date", "write_date", "display_name"):
            continue
        if isinstance(value, Decimal) or (
            fields.get(key) == "float" and value is not False and value is not None
        ):
            value = str(to_decimal(value))
        data[key] = value
    return data


def _display_name(tx: Transaction, model: str, record: dict[str, Any]) -> str:
    if model in ("product.product", "product.template"):
        code = record.get("default_code")
        return f"[{code}] {record.get('name')}" if code else str(record.get("name") or "")
    if model == "product.category":
        return str(record.get("complete_name") or record.get("name") or "")
    if model == "pos.category" and record.get("parent_id"):
        return f"{tx.display_name(model, record['parent_id'])} / {record.get('name')}"
    name = record.get("name")
    return str(name) if name else f"{model},{record['id']}"


# ---------------------------------------------------------------------------------------------
# Domains, search and read, the Odoo way.
# ---------------------------------------------------------------------------------------------

OPERATORS = {
    "=",
    "!=",
    "in",
    "not in",
    ">",
    ">=",
    "<",
    "<=",
    "like",
    "ilike",
    "not like",
    "not ilike",
    "=like",
    "=ilike",
}
_SQL_COLUMNS = {"id", "write_date", "uuid"}

Node = tuple[Any, ...]


def parse_domain(model: str, domain: Any) -> Node:
    """An Odoo domain (prefix notation, implicit AND) as a tree of ('&'|'|', a, b), ('!', a), leaves."""
    if domain in (None, False):
        domain = []
    if not isinstance(domain, list | tuple):
        raise ValueError(f"Invalid domain: {domain!r}")
    items = list(domain)
    position = 0

    def one() -> Node:
        nonlocal position
        if position >= len(items):
            raise ValueError(f"Invalid domain: {domain!r} (missing operand)")
        token = items[position]
        position += 1
        if token == "!":
            return ("!", one())
        if token in ("&", "|"):
            left = one()
            return (token, left, one())
        return _leaf(model, token)

    nodes: list[Node] = []
    while position < len(items):
        nodes.append(one())
    if not nodes:
        return ("true",)
    tree = nodes[-1]
    for node in reversed(nodes[:-1]):
        tree = ("&", node, tree)
    return tree


def _leaf(model: str, token: Any) -> Node:
    if not isinstance(token, list | tuple) or len(token) != 3:
        raise ValueError(f"Invalid leaf {token!r}")
    field, operator, value = token
    if (field, operator, value) == (1, "=", 1):
        return ("true",)
    if (field, operator, value) == (0, "=", 1):
        return ("false",)
    if not isinstance(field, str) or operator not in OPERATORS:
        raise ValueError(f"Invalid leaf {list(token)!r}")
    path = field.split(".")
    current = model
    for index, name in enumerate(path):
        if name not in MODELS[current]:
            raise ValueError(f"Invalid field {current}.{name} in leaf {list(token)!r}")
        kind, comodel = _field_type(current, name)
        if index < len(path) - 1:
            if kind != "m2o" or comodel not in MODELS:
                raise ValueError(f"Invalid field path {field!r} in leaf {list(token)!r}")
            current = comodel
    return ("leaf", field, operator, value)


def _fields_in(tree: Node) -> Iterator[str]:
    if tree[0] == "leaf":
        yield tree[1]
    elif tree[0] in ("&", "|", "!"):
        for child in tree[1:]:
            yield from _fields_in(child)


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


def _like(pattern: str, text: str, *, exact: bool, ignore_case: bool) -> bool:
    if not exact:
        return (pattern.lower() in text.lower()) if ignore_case else (pattern in text)
    regex = "".join(
        ".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern
    )
    return (
        re.fullmatch(regex, text, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)
        is not None
    )


class Searcher:
    """Evaluates parsed domains against stored records of one transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def matches(self, model: str, record: dict[str, Any], tree: Node) -> bool:
        kind = tree[0]
        if kind == "true":
            return True
        if kind == "false":
            return False
        if kind == "&":
            return self.matches(model, record, tree[1]) and self.matches(model, record, tree[2])
        if kind == "|":
            return self.matches(model, record, tree[1]) or self.matches(model, record, tree[2])
        if kind == "!":
            return not self.matches(model, record, tree[1])
        _, field, operator, value = tree
        current_model, current = model, record
        path = field.split(".")
        for name in path[:-1]:  # follow many2ones ("categ_id.name")
            target_id = current.get(name)
            _, comodel = _field_type(current_model, name)
            assert comodel is not None
            target = self.tx.get(comodel, target_id) if target_id else None
            if target is None:
                return operator in ("!=", "not in", "not like", "not ilike") or (
                    operator == "=" and value is False
                )
            current_model, current = comodel, target
        return self._leaf(current_model, current, path[-1], operator, value)

    def _leaf(self, model: str, record: dict[str, Any], field: str, op: str, value: Any) -> bool:
        kind, comodel = _field_type(model, field)
        if field == "display_name":
            raw: Any = _display_name(self.tx, model, record)
        else:
            raw = record.get(field)
        if kind == "x2m":
            ids = set(raw or [])
            if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
                assert comodel is not None
                found = any(
                    self._text_match(
                        op.replace("not ", ""), self.tx.display_name(comodel, i), value
                    )
                    for i in ids
                )
                return not found if op.startswith("not") else found
            wanted = set(value if isinstance(value, list | tuple) else [value]) - {False, None}
            if op in ("=", "in"):
                return bool(ids & wanted) if wanted else not ids
            if op in ("!=", "not in"):
                return not (ids & wanted) if wanted else bool(ids)
            raise ValueError(f"Invalid operator {op!r} for a relational field {field!r}")
        if kind == "m2o" and op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
            assert comodel is not None
            if isinstance(value, str):
                raw = self.tx.display_name(comodel, raw) if raw else False
        elif kind == "float":
            raw = to_decimal(raw) if not _empty(raw) else raw
            value = _coerce_many(value, to_decimal)
        elif kind == "datetime":
            raw = _parse_datetime(raw) if not _empty(raw) else raw
            value = _coerce_many(value, _parse_datetime)
        elif kind == "boolean":
            raw = bool(raw)
        return self._compare(raw, op, value)

    @staticmethod
    def _text_match(op: str, text: Any, pattern: Any) -> bool:
        if _empty(text) or not isinstance(pattern, str):
            return False
        return _like(pattern, str(text), exact=op.startswith("="), ignore_case="ilike" in op)

    def _compare(self, raw: Any, op: str, value: Any) -> bool:
        if op == "=":
            return _empty(raw) if value is False or value is None else raw == value
        if op == "!=":
            return not _empty(raw) if value is False or value is None else raw != value
        if op in ("in", "not in"):
            values = value if isinstance(value, list | tuple) else [value]
            found = raw in values or (_empty(raw) and any(_empty(v) for v in values))
            return found if op == "in" else not found
        if op in ("like", "ilike", "=like", "=ilike"):
            return self._text_match(op, raw, value)
        if op in ("not like", "not ilike"):
            return not self._text_match(op[4:], raw, value)
        if _empty(raw) or value is False or value is None:
            return False  # SQL: a comparison with NULL is never true
        try:
            if op == ">":
                return raw > value
            if op == ">=":
                return raw >= value
            if op == "<":
                return raw < value
            return raw <= value
        except TypeError:
            raise ValueError(f"cannot compare {raw!r} {op} {value!r}") from None

    # -- search -----------------------------------------------------------------------------

    def search(
        self,
        model: str,
        domain: Any,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        active_test: bool = True,
    ) -> list[dict[str, Any]]:
        tree = parse_domain(model, domain)
        if active_test and "active" in MODELS[model] and "active" not in set(_fields_in(tree)):
            tree = ("&", ("leaf", "active", "=", True), tree)
        terms = _parse_order(model, order or DEFAULT_ORDER.get(model, "id"))
        sql_order = all(field in ("id", "write_date") for field, _ in terms)
        order_sql = (
            ", ".join(f"{field} {'DESC' if desc else 'ASC'}" for field, desc in terms)
            if sql_order
            else "id ASC"
        )
        offset = max(0, int(offset or 0))
        wanted = offset + int(limit) if limit not in (None, False) and sql_order else None
        found: list[dict[str, Any]] = []
        for record in self.tx.rows(model, _sql_filters(tree), order_sql):
            if self.matches(model, record, tree):
                found.append(record)
                if wanted is not None and len(found) >= wanted:
                    break
        if not sql_order:
            for field, desc in reversed(terms):
                found.sort(key=lambda r, f=field: _sort_key(model, r, f, self.tx), reverse=desc)
        end = None if limit in (None, False) else offset + int(limit)
        return found[offset:end]


def _coerce_many(value: Any, convert: Callable[[Any], Any]) -> Any:
    if value is False or value is None:
        return value
    if isinstance(value, list | tuple):
        return [convert(v) if not _empty(v) else v for v in value]
    return convert(value)


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        raise ValueError(f"Invalid datetime {value!r}") from None


def _stored_stamp(value: Any) -> str:
    return _parse_datetime(value).strftime(TIMESTAMP)


def _sql_filters(tree: Node) -> list[tuple[str, list[Any]]]:
    """Top-level AND leaves on indexed columns, as SQL (Python still checks every leaf)."""
    leaves: list[Node] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node[0] == "&":
            stack.extend(node[1:])
        elif node[0] == "leaf" and node[1] in _SQL_COLUMNS:
            leaves.append(node)
    where: list[tuple[str, list[Any]]] = []
    for _, field, op, value in leaves:
        try:
            if field == "id":
                if op in ("=", ">", ">=", "<", "<=") and type(value) is int:
                    where.append((f"id {op} ?", [value]))
                elif op == "in" and isinstance(value, list | tuple):
                    ids = [v for v in value if type(v) is int]
                    if len(ids) == len(value) and len(ids) <= 900:
                        where.append((f"id IN ({','.join('?' * len(ids))})", ids))
            elif field == "write_date" and op in ("=", ">", ">=", "<", "<=") and value:
                where.append((f"write_date {op} ?", [_stored_stamp(value)]))
            elif field == "uuid" and op == "=" and isinstance(value, str):
                where.append(("uuid = ?", [value]))
        except ValueError:
            continue  # the Python check reports it
    return where


def _parse_order(model: str, order: str) -> list[tuple[str, bool]]:
    terms: list[tuple[str, bool]] = []
    for part in str(order).split(","):
        words = part.split()
        if not words:
            continue
        field = words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if field not in MODELS[model] or direction not in ("asc", "desc") or len(words) > 2:
            raise ValueError(
                f'Invalid "order" specified ({order}). A valid "order" specification is a '
                "comma-separated list of valid field names (optionally followed by asc/desc for "
                "the direction)"
            )
        terms.append((field, direction == "desc"))
    return terms or [("id", False)]


def _sort_key(model: str, record: dict[str, Any], field: str, tx: Transaction) -> tuple[Any, ...]:
    kind, _ = _field_type(model, field)
    raw = _display_name(tx, model, record) if field == "display_name" else record.get(field)
    if _empty(raw) and kind != "boolean":
        return (1, 0)  # empty values last (ascending), like PostgreSQL's NULLS LAST
    if kind == "float":
        return (0, to_decimal(raw))
    if kind == "x2m":
        return (0, tuple(raw))
    if kind == "boolean":
        return (0, bool(raw))
    return (0, raw)


def export(
    tx: Transaction, model: str, record: dict[str, Any], fields: list[str], *, classic: bool = True
) -> dict[str, Any]:
    """A record as Odoo's read() answers it: many2one [id, name] (or a bare id with load=False),
    empty char False, floats as numbers, datetimes to the second."""
    out: dict[str, Any] = {"id": record["id"]}
    for field in fields:
        if field == "id":
            continue
        kind, comodel = _field_type(model, field)
        if field == "display_name":
            out[field] = _display_name(tx, model, record)
            continue
        raw = record.get(field)
        if kind == "m2o":
            if _empty(raw):
                out[field] = False
            elif classic:
                assert comodel is not None
                out[field] = [raw, tx.display_name(comodel, raw)]
            else:
                out[field] = raw
        elif kind == "x2m":
            out[field] = list(raw or [])
        elif kind == "float":
            out[field] = to_decimal(raw)
        elif kind == "integer":
            out[field] = int(raw or 0)
        elif kind == "boolean":
            out[field] = bool(raw)
        elif kind == "datetime":
            out[field] = str(raw)[:19] if not _empty(raw) else False
        else:
            out[field] = raw if not _empty(raw) else False
    return out


def _field_list(model: str, fields: Any) -> list[str]:
    if not fields:
        return [f for f in MODELS[model] if f not in ("create_date",)]
    if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
        raise ValueError(f"Invalid fields {fields!r}")
    for field in fields:
        _field_type(model, field)
    return list(fields)


# ---------------------------------------------------------------------------------------------
# The model methods kasir calls through execute_kw.
# ---------------------------------------------------------------------------------------------


class Odoo:
    """What `object.execute_kw` reaches: generic ORM reads plus pos.order.sync_from_ui."""

    def __init__(self, tx: Transaction, context: dict[str, Any], faults: Faults) -> None:
        self.tx = tx
        self.context = context
        self.faults = faults
        self.searcher = Searcher(tx)

    @property
    def active_test(self) -> bool:
        return self.context.get("active_test", True) is not False

    # The signatures follow Odoo's, so positional and keyword arguments land where they do there.

    def search_read(
        self,
        model: str,
        domain: Any = None,
        fields: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        load: str = "_classic_read",
    ) -> list[dict[str, Any]]:
        names = _field_list(model, fields)
        records = self.searcher.search(
            model, domain, offset=offset, limit=limit, order=order, active_test=self.active_test
        )
        classic = load == "_classic_read"
        return [export(self.tx, model, r, names, classic=classic) for r in records]

    def search(
        self,
        model: str,
        domain: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        records = self.searcher.search(
            model, domain, offset=offset, limit=limit, order=order, active_test=self.active_test
        )
        return [r["id"] for r in records]

    def search_count(self, model: str, domain: Any = None, limit: int | None = None) -> int:
        records = self.searcher.search(model, domain, limit=limit, active_test=self.active_test)
        return len(records)

    def read(
        self, model: str, ids: Any, fields: Any = None, load: str = "_classic_read"
    ) -> list[dict[str, Any]]:
        id_list = [ids] if isinstance(ids, int) else list(ids or [])
        names = _field_list(model, fields)
        records = []
        for record_id in id_list:
            record = self.tx.get(model, record_id)
            if record is None:
                raise missing(model, [record_id])
            records.append(export(self.tx, model, record, names, classic=load == "_classic_read"))
        return records

    # -- res.partner create/write (customers from the terminals) -----------------------------

    def create(self, model: str, vals_list: Any) -> int | list[int]:
        """Like Odoo's create over RPC: a dict gives an id, a list of dicts a list of ids."""
        _writable(model, "create")
        single = isinstance(vals_list, dict)
        values_list = [vals_list] if single else vals_list
        if not isinstance(values_list, list) or not all(isinstance(v, dict) for v in values_list):
            raise ValueError("create expects a dictionary of values or a list of them")
        ids = [self.tx.insert(model, None, self._partner_values(v, None)) for v in values_list]
        return ids[0] if single else ids

    def write(self, model: str, ids: Any, vals: Any) -> bool:
        _writable(model, "write")
        if not isinstance(vals, dict):
            raise ValueError("write expects a dictionary of values")
        id_list = [ids] if isinstance(ids, int) else list(ids or [])
        for record_id in id_list:
            current = self.tx.get(model, record_id)
            if current is None:
                raise missing(model, [record_id])
            self.tx.update(model, record_id, self._partner_values(vals, current))
        return True

    def _partner_values(
        self, vals: dict[str, Any], current: dict[str, Any] | None
    ) -> dict[str, Any]:
        values: dict[str, Any] = {} if current is not None else {"active": True}
        for field, value in vals.items():
            if field not in PARTNER_WRITABLE:
                _field_type("res.partner", field)  # ValueError for an unknown field
                raise ValueError(f"Field {field!r} of res.partner cannot be written")
            if field == "country_id":
                if value not in (False, None) and self.tx.get("res.country", value) is None:
                    raise missing("res.country", [value])
                value = value or False
            elif field == "active":
                value = bool(value)
            elif value is not False and value is not None and not isinstance(value, str):
                raise ValueError(f"Wrong value for res.partner.{field}: {value!r}")
            values[field] = value if value is not None else False
        name = values.get("name", (current or {}).get("name"))
        if not name:
            # res.partner's check_name constraint, as the RPC layer reports it.
            raise ValidationError("The operation cannot be completed: Contacts require a name")
        return values

    def context_get(self, model: str) -> dict[str, Any]:
        """res.users.context_get: what the JSON-2 client checks its key with."""
        if model != "res.users":
            raise _no_method(model, "context_get")
        return {"lang": "en_US", "tz": "Asia/Jakarta", "uid": SANDBOX_UID}

    def fields_get(
        self, model: str, allfields: Any = None, attributes: Any = None
    ) -> dict[str, dict[str, Any]]:
        answer: dict[str, dict[str, Any]] = {}
        odoo_types = {"m2o": "many2one", "x2m": "many2many"}
        for field, spec in MODELS[model].items():
            if allfields and field not in allfields:
                continue
            kind, _, comodel = spec.partition(":")
            info: dict[str, Any] = {
                "type": odoo_types.get(kind, kind),
                "string": field.replace("_", " ").title(),
            }
            if comodel:
                info["relation"] = comodel
            answer[field] = info
        return answer

    # -- pos.order.sync_from_ui -------------------------------------------------------------

    def sync_from_ui(self, model: str, orders: Any) -> dict[str, list[dict[str, Any]]]:
        """Create new orders, update draft ones, return already-paid ones untouched (Odoo 18)."""
        if model != "pos.order":
            raise _no_method(model, "sync_from_ui")
        if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
            raise ValueError("sync_from_ui expects a list of order dictionaries")
        order_ids: list[int] = []
        sent_sessions = {order.get("session_id") for order in orders}
        for order in orders:
            uuid = order.get("uuid")
            existing = self.tx.find_uuid("pos.order", uuid) if isinstance(uuid, str) else None
            if existing and existing.get("state") == "draft":
                order_ids.append(self._process_order(dict(order), existing))
            elif existing is None:
                order_ids.append(self._process_order(dict(order), None))
            else:
                order_ids.append(existing["id"])  # already booked: never again
        saved = [self.tx.get("pos.order", i) for i in dict.fromkeys(order_ids)]
        records = [r for r in saved if r is not None]
        line_ids = [i for r in records for i in r.get("lines", [])]
        payment_ids = [i for r in records for i in r.get("payment_ids", [])]
        session_ids = list(dict.fromkeys(r["session_id"] for r in records))
        moved = any(i not in sent_sessions for i in session_ids)
        return {
            "pos.order": self._sync_read("pos.order", [r["id"] for r in records]),
            "pos.session": self._sync_read("pos.session", session_ids) if moved else [],
            "pos.payment": self._sync_read("pos.payment", payment_ids),
            "pos.order.line": self._sync_read("pos.order.line", line_ids),
            "pos.pack.operation.lot": [],
            "product.attribute.custom.value": [],
        }

    def _sync_read(self, model: str, ids: list[int]) -> list[dict[str, Any]]:
        return self.read(model, ids, SYNC_FIELDS[model], load=False)

    def _valid_session(self, order: dict[str, Any], closed: dict[str, Any]) -> dict[str, Any]:
        """Odoo's _get_valid_session: an open session of the same config, never a new one."""
        log.warning(
            "Session %s (ID: %s) was closed but received order %s (total: %s) belonging to it",
            closed.get("name"),
            closed["id"],
            order.get("uuid"),
            order.get("amount_total"),
        )
        sessions = self.searcher.search(
            "pos.session",
            [
                ("state", "not in", ["closed", "closing_control"]),
                ("config_id", "=", closed.get("config_id")),
            ],
            limit=1,
            order="id",
        )
        if not sessions:
            raise UserError(
                "No open session available. Please open a new session to capture the order."
            )
        return sessions[0]

    def _process_order(self, order: dict[str, Any], existing: dict[str, Any] | None) -> int:
        tx = self.tx
        draft = order.get("state") == "draft"
        session = tx.get("pos.session", order.get("session_id"))
        if session is None:
            raise missing("pos.session", [order.get("session_id")])
        if session.get("state") in ("closing_control", "closed"):
            session = self._valid_session(order, session)
        config = tx.get("pos.config", session.get("config_id"))
        if config is None:
            raise missing("pos.config", [session.get("config_id")])
        partner_id = order.get("partner_id") or False
        if partner_id and tx.get("res.partner", partner_id) is None:
            partner_id = False  # Odoo drops a partner that no longer exists

        lines = [self._line_values(command) for command in order.get("lines") or []]
        payments = [
            self._payment_values(command, config) for command in order.get("payment_ids") or []
        ]

        reference = order.get("pos_reference") or order.get("name") or False
        values = {
            "uuid": order.get("uuid") or False,
            "name": "/",
            "pos_reference": reference,
            "session_id": session["id"],
            "config_id": config["id"],
            "company_id": config.get("company_id") or False,
            "state": "draft",
            "date_order": order.get("date_order") or tx.now(),
            "partner_id": partner_id,
            "pricelist_id": order.get("pricelist_id") or config.get("pricelist_id") or False,
            "fiscal_position_id": order.get("fiscal_position_id") or False,
            "sequence_number": order.get("sequence_number") or 0,
            "amount_total": to_decimal(order.get("amount_total")),
            "amount_tax": to_decimal(order.get("amount_tax")),
            "amount_paid": Decimal(0),
            "amount_return": to_decimal(order.get("amount_return")),
            "to_invoice": bool(order.get("to_invoice")),
            "lines": [],
            "payment_ids": [],
        }
        if existing is not None:  # a draft sent again: its lines and payments are replaced
            order_id = existing["id"]
            for line_id in existing.get("lines", []):
                tx.delete("pos.order.line", line_id)
            for payment_id in existing.get("payment_ids", []):
                tx.delete("pos.payment", payment_id)
            tx.update("pos.order", order_id, values)
        else:
            order_id = tx.insert("pos.order", None, values)

        line_ids = [tx.insert("pos.order.line", None, {**v, "order_id": order_id}) for v in lines]
        payment_ids = []
        for payment in payments:
            payment_ids.append(
                tx.insert(
                    "pos.payment",
                    None,
                    {
                        **payment,
                        "pos_order_id": order_id,
                        "session_id": session["id"],
                        "payment_date": payment.get("payment_date") or values["date_order"],
                    },
                )
            )
        amounts = [p["amount"] for p in payments]
        amount_return = values["amount_return"]
        if not draft and not _is_zero(amount_return, _currency_rounding(tx, config)):
            cash = self._cash_method(config)
            payment_ids.append(
                tx.insert(
                    "pos.payment",
                    None,
                    {
                        "name": "return",
                        "pos_order_id": order_id,
                        "session_id": session["id"],
                        "uuid": False,
                        "payment_method_id": cash,
                        "amount": -amount_return,
                        "is_change": True,
                        "payment_date": tx.now(),
                    },
                )
            )
            amounts.append(-amount_return)
        state_values: dict[str, Any] = {
            "lines": line_ids,
            "payment_ids": payment_ids,
            "amount_paid": sum(amounts, Decimal(0)),  # recomputed: the client is not trusted
        }
        tx.update("pos.order", order_id, state_values)
        if not draft:
            self._mark_paid(order_id, config, reference)
        return order_id

    def _line_values(self, command: Any) -> dict[str, Any]:
        vals = _command_values(command, "lines")
        product = self.tx.get("product.product", vals.get("product_id"))
        if product is None:  # archived products are fine, deleted ones are not
            raise missing("product.product", [vals.get("product_id")])
        tax_ids = _many2many_ids(vals.get("tax_ids"))
        for tax_id in tax_ids:
            if self.tx.get("account.tax", tax_id) is None:
                raise missing("account.tax", [tax_id])
        return {
            "uuid": vals.get("uuid") or False,
            "product_id": product["id"],
            "full_product_name": vals.get("full_product_name") or product.get("name"),
            "qty": to_decimal(vals.get("qty", 1)),
            "price_unit": to_decimal(vals.get("price_unit")),
            "discount": to_decimal(vals.get("discount")),
            "tax_ids": tax_ids,
            "price_subtotal": to_decimal(vals.get("price_subtotal")),
            "price_subtotal_incl": to_decimal(vals.get("price_subtotal_incl")),
        }

    def _payment_values(self, command: Any, config: dict[str, Any]) -> dict[str, Any]:
        vals = _command_values(command, "payment_ids")
        method_id = vals.get("payment_method_id")
        if method_id not in config.get("payment_method_ids", []):
            raise ValidationError(
                "The payment method selected is not allowed in the config of the POS session."
            )
        return {
            "name": False,
            "uuid": vals.get("uuid") or False,
            "payment_method_id": method_id,
            "amount": to_decimal(vals.get("amount")),
            "is_change": bool(vals.get("is_change")),
            "payment_date": vals.get("payment_date") or False,
        }

    def _cash_method(self, config: dict[str, Any]) -> int:
        for method_id in config.get("payment_method_ids", []):
            method = self.tx.get("pos.payment.method", method_id)
            if method and method.get("is_cash_count"):
                return method_id
        raise UserError("No cash statement found for this session. Unable to record returned cash.")

    def _mark_paid(self, order_id: int, config: dict[str, Any], reference: Any) -> None:
        """action_pos_order_paid: paid within half a currency unit (or the cash rounding), else error."""
        order = self.tx.get("pos.order", order_id)
        assert order is not None
        rounding = _currency_rounding(self.tx, config)
        total = to_decimal(order["amount_total"])
        paid = to_decimal(order["amount_paid"])
        cash_rounding = (
            self.tx.get("account.cash.rounding", config.get("rounding_method"))
            if config.get("cash_rounding")
            else None
        )
        if cash_rounding is not None:
            uses_cash = any(
                (self.tx.get("pos.payment", p) or {}).get("payment_method_id")
                in self._cash_method_ids(config)
                for p in order.get("payment_ids", [])
            )
            if not config.get("only_round_cash_method") or uses_cash:
                total = _round(
                    total,
                    to_decimal(cash_rounding.get("rounding")),
                    cash_rounding.get("rounding_method") or "HALF-UP",
                )
        is_paid = _is_zero(total - paid, rounding)
        if not is_paid and cash_rounding is not None:
            step = to_decimal(cash_rounding.get("rounding"))
            max_diff = _round(
                step / 2 if cash_rounding.get("rounding_method") == "HALF-UP" else step, rounding
            )
            is_paid = abs(_round(to_decimal(order["amount_total"]) - paid, rounding)) <= max_diff
        if not is_paid:
            if self.faults.unpaid_as_draft:
                # What Odoo 18.0 really does: _process_saved_order logs the UserError and keeps
                # the order in draft; the call succeeds.
                log.error(
                    "Could not fully process the POS Order: Order %s is not fully paid.", reference
                )
                return
            raise UserError(f"Order {reference} is not fully paid.")
        number = self.tx.next_sequence(f"pos.config/{config['id']}")
        name = f"{config.get('name')}/{number:04d}"
        self.tx.update("pos.order", order_id, {"state": "paid", "name": name})

    def _cash_method_ids(self, config: dict[str, Any]) -> set[int]:
        return {
            method_id
            for method_id in config.get("payment_method_ids", [])
            if (self.tx.get("pos.payment.method", method_id) or {}).get("is_cash_count")
        }


def _command_values(command: Any, field: str) -> dict[str, Any]:
    """The values of an x2many create command [0, 0, {...}] (a bare dict is accepted too)."""
    if isinstance(command, dict):
        return command
    if (
        isinstance(command, list | tuple)
        and len(command) == 3
        and command[0] == 0
        and isinstance(command[2], dict)
    ):
        return command[2]
    raise ValueError(f"Unsupported command {command!r} for {field} (only [0, 0, values])")


def _many2many_ids(value: Any) -> list[int]:
    """[[6, 0, ids]] or [ids] or [[4, id]...] as a list of ids."""
    if not value:
        return []
    ids: list[int] = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            ids.append(item)
        elif isinstance(item, list | tuple) and item and item[0] == 6 and len(item) == 3:
            ids = [int(i) for i in item[2]]
        elif isinstance(item, list | tuple) and item and item[0] == 4 and len(item) >= 2:
            ids.append(int(item[1]))
        else:
            raise ValueError(f"Unsupported many2many command {item!r}")
    return list(dict.fromkeys(ids))


def _currency_rounding(tx: Transaction, config: dict[str, Any]) -> Decimal:
    currency = tx.get("res.currency", config.get("currency_id"))
    return to_decimal(currency.get("rounding")) if currency else Decimal("0.01")


def _round(value: Decimal, step: Decimal, method: str = "HALF-UP") -> Decimal:
    """Odoo's float_round to a rounding step (HALF-UP, UP away from zero, DOWN toward zero)."""
    mode = {"HALF-UP": ROUND_HALF_UP, "UP": ROUND_UP, "DOWN": ROUND_DOWN}[method]
    if step <= 0:
        return value
    return (value / step).quantize(Decimal(1), rounding=mode) * step


def _is_zero(value: Decimal, step: Decimal) -> bool:
    """Odoo's float_is_zero with precision_rounding: zero once rounded HALF-UP to the step."""
    return _round(value, step) == 0


def _no_method(model: str, method: str) -> Exception:
    return AttributeError(f"The method '{method}' does not exist on the model '{model}'")


# ---------------------------------------------------------------------------------------------
# Faults.
# ---------------------------------------------------------------------------------------------


@dataclass
class Faults:
    """Misbehaviour on demand. Counters count down as calls consume them."""

    down: bool = False  # every /jsonrpc: the connection is closed without an answer
    slow: float = 0.0  # seconds to wait before handling each /jsonrpc call
    error_500: int = 0  # next N execute_kw calls: HTTP 500 with an HTML body, nothing done
    drop_after_commit: int = 0  # next N sync_from_ui calls: commit, then drop the connection
    unpaid_as_draft: bool = False  # not fully paid: keep it draft and succeed (real 18.0)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply {"reset": true, "down": true, "slow": 2.5, ...}; ValueError on anything else."""
        if not isinstance(changes, dict):
            raise ValueError("faults must be a JSON object")
        unknown = set(changes) - {"reset", *asdict(self)}
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        if changes.get("reset"):
            self.reset()
        for name in ("down", "unpaid_as_draft"):
            if name in changes:
                if not isinstance(changes[name], bool):
                    raise ValueError(f"{name} must be true or false")
                setattr(self, name, changes[name])
        if "slow" in changes:
            slow = changes["slow"]
            if isinstance(slow, bool) or not isinstance(slow, int | float | Decimal) or slow < 0:
                raise ValueError("slow must be a number of seconds >= 0")
            self.slow = float(slow)
        for name in ("error_500", "drop_after_commit"):
            if name in changes:
                count = changes[name]
                if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                    raise ValueError(f"{name} must be a count >= 0")
                setattr(self, name, count)

    def reset(self) -> None:
        for name, value in asdict(Faults()).items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PROXY_500 = (
    "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    "<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
PROXY_503 = PROXY_500.replace("500 Internal Server Error", "503 Service Temporarily Unavailable")


def _transport_of(request: Request) -> Any:
    """The socket transport under uvicorn's receive channel, when the server exposes it."""
    owner = getattr(request.receive, "__self__", None)
    transport = getattr(owner, "transport", None)
    return transport if hasattr(transport, "abort") else None


async def _drop(request: Request) -> bool:
    """Close the client's connection without a (complete) answer; False if we cannot."""
    transport = _transport_of(request)
    if transport is None:
        return False
    transport.abort()
    for _ in range(3):  # let the server notice the disconnect before the handler returns
        await asyncio.sleep(0)
    return True


# ---------------------------------------------------------------------------------------------
# The app.
# ---------------------------------------------------------------------------------------------


class Sandbox:
    """The JSON-RPC service: credentials, dispatch, faults, and the helper routes for tests."""

    def __init__(self, store: SandboxStore, db_name: str, login: str, api_key: str) -> None:
        self.store = store
        self.db_name = db_name
        self.login = login
        self.api_key = api_key
        self.faults = Faults()
        self.stats = {"sync_calls": 0}

    # -- /jsonrpc ---------------------------------------------------------------------------

    async def jsonrpc(self, request: Request) -> Response:
        if self.faults.down:
            if await _drop(request):
                return Response(status_code=503)  # never sent: the connection is gone
            return HTMLResponse(PROXY_503, status_code=503)
        body = await request.body()
        try:
            payload = json.loads(body or b"null", parse_float=Decimal)
            params = payload["params"]
            service, method = params["service"], params["method"]
            args = params.get("args", [])
            if not isinstance(args, list):
                raise TypeError("args must be a list")
        except (ValueError, KeyError, TypeError) as error:
            return _rpc_error(
                None, "werkzeug.exceptions.BadRequest", f"Invalid JSON-RPC: {error}", 400
            )
        request_id = payload.get("id")
        if self.faults.slow:
            await asyncio.sleep(self.faults.slow)
        is_object_call = service == "object" and method in ("execute_kw", "execute")
        if is_object_call and self.faults.error_500 > 0:
            self.faults.error_500 -= 1
            return HTMLResponse(PROXY_500, status_code=500)
        is_sync = is_object_call and len(args) > 4 and args[4] == "sync_from_ui"
        if is_sync:
            self.stats["sync_calls"] += 1
        try:
            result = await run_in_threadpool(self._dispatch, service, method, args)
        except OdooError as error:
            return _rpc_error(request_id, error.name, error.message)
        except Exception as error:  # what Odoo does with any other exception
            kind = type(error)
            module = "builtins" if kind.__module__ == "builtins" else kind.__module__
            if not isinstance(error, ValueError | TypeError | AttributeError | KeyError):
                log.exception("sandbox error")
            return _rpc_error(request_id, f"{module}.{kind.__qualname__}", str(error))
        if is_sync and self.faults.drop_after_commit > 0:
            self.faults.drop_after_commit -= 1
            if await _drop(request):
                return Response(status_code=200)  # never sent: the connection is gone
            raise DroppedConnection("sandbox dropped the connection after committing")
        return DecimalJSONResponse({"jsonrpc": "2.0", "id": request_id, "result": result})

    def _dispatch(self, service: str, method: str, args: list[Any]) -> Any:
        if service == "common":
            if method == "version":
                return dict(SERVER_VERSION)
            if method in ("authenticate", "login"):
                db, login, key = [*args, None, None, None][:3]
                ok = db == self.db_name and login == self.login and key == self.api_key
                return SANDBOX_UID if ok else False
            raise NameError(f"Method not available {method}")
        if service == "object":
            if method not in ("execute_kw", "execute"):
                raise NameError(f"Method not available {method}")
            if len(args) < 5:
                raise TypeError(f"{method}() needs db, uid, password, model, method")
            db, uid, key, model, model_method = args[:5]
            if db != self.db_name or uid != SANDBOX_UID or key != self.api_key:
                raise AccessDenied()
            if method == "execute_kw":
                call_args = args[5] if len(args) > 5 else []
                call_kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
            else:
                call_args, call_kwargs = list(args[5:]), {}
            return self._call(model, model_method, list(call_args), call_kwargs)
        raise NameError(f"Unknown service {service}")

    def _call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if not isinstance(model, str) or model not in MODELS:
            raise UserError(f"Object {model} doesn't exist")
        if not isinstance(method, str) or method.startswith("_"):
            raise AccessError(
                f"Private methods (such as '{model}.{method}') cannot be called remotely."
            )
        context = kwargs.pop("context", None) or {}
        with self.store.transaction() as tx:
            odoo = Odoo(tx, context, self.faults)
            handler = getattr(odoo, method, None)
            if method not in _PUBLIC_METHODS or handler is None:
                raise _no_method(model, method)
            if model in ("res.partner", "res.country"):
                ensure_countries(tx)
            return handler(model, *args, **kwargs)

    # -- /json/2 (Odoo 19) ------------------------------------------------------------------

    async def web_version(self, request: Request) -> Response:
        if self.faults.down and await _drop(request):
            return Response(status_code=503)
        return JSONResponse(dict(SERVER_VERSION))

    def _json2_key_ok(self, request: Request) -> bool:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and key.strip() == self.api_key

    async def json2(self, request: Request) -> Response:
        """POST /json/2/<model>/<method>: named parameters in, the bare result out."""
        if self.faults.down:
            if await _drop(request):
                return Response(status_code=503)
            return HTMLResponse(PROXY_503, status_code=503)
        model = request.path_params["model"]
        method = request.path_params["method"]
        database = request.headers.get("x-odoo-database")
        if database is not None and database != self.db_name:
            return _werkzeug(404, f"database {database!r} not found")
        if not self._json2_key_ok(request):
            return _werkzeug(401, "Invalid apikey")
        body = await request.body()
        params: Any = {}
        if body:
            try:
                params = json.loads(body, parse_float=Decimal)
            except ValueError as error:
                return _werkzeug(400, f"could not parse the body as json: {error}")
            if not isinstance(params, dict):
                return _werkzeug(400, "could not parse the body, expecting a json object")
        if self.faults.slow:
            await asyncio.sleep(self.faults.slow)
        if self.faults.error_500 > 0:
            self.faults.error_500 -= 1
            return HTMLResponse(PROXY_500, status_code=500)
        is_sync = model == "pos.order" and method == "sync_from_ui"
        if is_sync:
            self.stats["sync_calls"] += 1
        try:
            result = await run_in_threadpool(self._json2_dispatch, model, method, dict(params))
        except _Json2Refusal as refusal:
            return _werkzeug(refusal.status, refusal.description)
        except OdooError as error:
            return _json2_error(JSON2_STATUS.get(error.name, 422), error.name, error.message)
        except Exception as error:  # any other exception: 500 with its serialized form
            kind = type(error)
            module = "builtins" if kind.__module__ == "builtins" else kind.__module__
            if not isinstance(error, ValueError | TypeError | AttributeError | KeyError):
                log.exception("sandbox error")
            return _json2_error(500, f"{module}.{kind.__qualname__}", str(error))
        if is_sync and self.faults.drop_after_commit > 0:
            self.faults.drop_after_commit -= 1
            if await _drop(request):
                return Response(status_code=200)  # never sent: the connection is gone
            raise DroppedConnection("sandbox dropped the connection after committing")
        return DecimalJSONResponse(result)

    def _json2_dispatch(self, model: str, method: str, params: dict[str, Any]) -> Any:
        """web_json_2_rpc: model and method checks, ids for record methods, signature binding."""
        if model not in MODELS:
            raise _Json2Refusal(404, f"the model {model!r} does not exist")
        if method.startswith("_") or method not in _PUBLIC_METHODS:
            raise _Json2Refusal(404, f"The method '{method}' does not exist on the model '{model}'")
        ids = params.pop("ids", [])
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            raise _Json2Refusal(422, "ids must be a list of record ids")
        context = params.pop("context", None) or {}
        if not isinstance(context, dict):
            raise _Json2Refusal(422, "context must be an object")
        record_method = method in _RECORD_METHODS
        if ids and not record_method:
            raise _Json2Refusal(422, f"cannot call {model}.{method} with ids")
        handler = getattr(Odoo, method)
        bound = [None, model, ids] if record_method else [None, model]
        try:
            inspect.signature(handler).bind(*bound, **params)
        except TypeError as error:
            raise _Json2Refusal(422, str(error)) from None
        args = [ids] if record_method else []
        result = self._call(model, method, args, {**params, "context": context})
        if method == "create" and isinstance(result, int):
            return [result]  # JSON-2 answers a recordset's ids
        return result

    # -- helper routes ----------------------------------------------------------------------

    async def faults_route(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = json.loads(await request.body() or b"{}", parse_float=Decimal)
                self.faults.update(changes)
            except ValueError as error:
                return JSONResponse({"error": {"code": "bad_request", "message": str(error)}}, 400)
        return JSONResponse(self.faults.as_dict())

    async def control_route(self, request: Request) -> Response:
        try:
            command = json.loads(await request.body() or b"{}", parse_float=Decimal)
            if not isinstance(command, dict):
                raise ValueError("control expects a JSON object")
            answer = await run_in_threadpool(self.control, command)
        except (ValueError, OdooError) as error:
            message = error.message if isinstance(error, OdooError) else str(error)
            return JSONResponse({"error": {"code": "bad_request", "message": message}}, 400)
        return DecimalJSONResponse(answer)

    def control(self, command: dict[str, Any]) -> dict[str, Any]:
        """Change the shop behind the relay's back, as a manager in Odoo would."""
        action = command.get("action")
        with self.store.transaction() as tx:
            if action == "close_session":
                return {"ok": True, "closed": _close_sessions(tx, command.get("id"))}
            if action == "open_session":
                return {"ok": True, "session": _open_session(tx, command.get("config_id"))}
            if action in ("archive_product", "unarchive_product", "delete_product", "set_price"):
                product_id = command.get("id")
                if tx.get("product.product", product_id) is None:
                    raise missing("product.product", [product_id])
                if action == "delete_product":
                    tx.delete("product.product", product_id)
                    tx.delete("product.template", product_id)
                    return {"ok": True}
                if action == "set_price":
                    price = to_decimal(command.get("lst_price"))
                    values: dict[str, Any] = {"lst_price": price}
                    template: dict[str, Any] = {"list_price": price}
                else:
                    values = template = {"active": action == "unarchive_product"}
                record = tx.update("product.product", product_id, values)
                if tx.get("product.template", product_id) is not None:
                    tx.update("product.template", product_id, template)
                return {"ok": True, "write_date": record["write_date"][:19]}
            raise ValueError(f"unknown action {action!r}")

    async def stats_route(self, request: Request) -> Response:
        def orders() -> int:
            with self.store.transaction() as tx:
                return tx.count("pos.order")

        return JSONResponse({**self.stats, "orders": await run_in_threadpool(orders)})


_PUBLIC_METHODS = {
    "search_read",
    "search",
    "search_count",
    "read",
    "fields_get",
    "sync_from_ui",
    "create",
    "write",
    "context_get",
}
# Methods on records (ids first), as opposed to @api.model methods.
_RECORD_METHODS = {"read", "write"}
PARTNER_WRITABLE = {
    "name",
    "email",
    "phone",
    "street",
    "city",
    "zip",
    "country_id",
    "vat",
    "barcode",
    "ref",
    "active",
}
COUNTRIES = {
    "ID": (100, "Indonesia"),
    "SG": (197, "Singapore"),
    "MY": (157, "Malaysia"),
    "TH": (217, "Thailand"),
    "NL": (165, "Netherlands"),
    "US": (233, "United States"),
}
# Odoo 19's HTTP status for its exceptions over JSON-2 (exceptions.py `http_status`).
JSON2_STATUS = {
    UserError.name: 422,
    ValidationError.name: 422,
    MissingError.name: 404,
    AccessError.name: 403,
    AccessDenied.name: 403,
}


def _writable(model: str, method: str) -> None:
    if model != "res.partner":
        raise AccessError(
            f"You are not allowed to {method} '{model}' records in the sandbox "
            "(only res.partner is writable)."
        )


def ensure_countries(tx: Transaction) -> None:
    """The res.country rows partners point at (kept out of the demo seed, added on first use)."""
    for code, (country_id, name) in COUNTRIES.items():
        if tx.get("res.country", country_id) is None:
            tx.insert("res.country", country_id, {"name": name, "code": code})


def _serialize(name: str, message: str, arguments: list[Any] | None = None) -> dict[str, Any]:
    """odoo.http.serialize_exception: the body of a JSON-2 error answer."""
    return {
        "name": name,
        "message": message,
        "arguments": arguments if arguments is not None else [message],
        "context": {},
        "debug": ""
        if name == AccessDenied.name
        else f"Traceback (most recent call last):\n{name}: {message}\n",
    }


def _json2_error(status: int, name: str, message: str, arguments: Any = None) -> Response:
    return DecimalJSONResponse(_serialize(name, message, arguments), status_code=status)


def _werkzeug(status: int, description: str) -> Response:
    names = {
        400: "BadRequest",
        401: "Unauthorized",
        404: "NotFound",
        422: "UnprocessableEntity",
    }
    return _json2_error(
        status, f"werkzeug.exceptions.{names[status]}", description, [description, status]
    )


def _rpc_error(request_id: Any, name: str, message: str, status: int = 200) -> Response:
    """Odoo's JSON-RPC error object (HTTP 200, like Odoo, unless the request itself was bad)."""
    debug = (
        ""
        if name == AccessDenied.name
        else f"Traceback (most recent call last):\n{name}: {message}\n"
    )
    return DecimalJSONResponse(
        {
            "jsonrpc": "2.0",
            "id": request_id,
            "error": {
                "code": 200,
                "message": "Odoo Server Error",
                "data": {
                    "name": name,
                    "debug": debug,
                    "message": message,
                    "arguments": [message],
                    "context": {},
                },
            },
        },
        status_code=status,
    )


def _close_sessions(tx: Transaction, session_id: Any) -> list[int]:
    searcher = Searcher(tx)
    domain: list[Any] = [("state", "=", "opened")]
    if session_id is not None:
        domain.append(("id", "=", session_id))
    closed = []
    for session in searcher.search("pos.session", domain, order="id"):
        tx.update("pos.session", session["id"], {"state": "closed", "stop_at": tx.now()})
        config = tx.get("pos.config", session.get("config_id"))
        if config and config.get("current_session_id") == session["id"]:
            tx.update("pos.config", config["id"], {"current_session_id": False})
        closed.append(session["id"])
    return closed


def _open_session(tx: Transaction, config_id: Any) -> dict[str, Any]:
    searcher = Searcher(tx)
    configs = searcher.search(
        "pos.config", [("id", "=", config_id)] if config_id else [], limit=1, order="id"
    )
    if not configs:
        raise ValueError("no pos.config to open a session for")
    config = configs[0]
    opened = searcher.search(
        "pos.session", [("state", "=", "opened"), ("config_id", "=", config["id"])], limit=1
    )
    if opened:
        session = opened[0]
    else:
        number = tx.next_sequence("pos.session")
        session_id = tx.insert(
            "pos.session",
            None,
            {
                "name": f"POS/{number:05d}",
                "config_id": config["id"],
                "state": "opened",
                "start_at": tx.now(),
                "stop_at": False,
            },
        )
        tx.update("pos.config", config["id"], {"current_session_id": session_id})
        session = tx.get("pos.session", session_id) or {}
    return export(tx, "pos.session", session, SYNC_FIELDS["pos.session"], classic=False)


def create_app(
    store: SandboxStore,
    *,
    db_name: str = "kasir",
    login: str = "admin",
    api_key: str = "sandbox-key",
) -> Starlette:
    """The sandbox as an ASGI app; `app.state.faults` and `app.state.store` for in-process tests."""
    sandbox = Sandbox(store, db_name, login, api_key)
    app = Starlette(
        routes=[
            Route("/jsonrpc", sandbox.jsonrpc, methods=["POST"]),
            Route("/json/2/{model}/{method}", sandbox.json2, methods=["POST"]),
            Route("/web/version", sandbox.web_version, methods=["GET"]),
            Route("/sandbox/faults", sandbox.faults_route, methods=["GET", "POST"]),
            Route("/sandbox/control", sandbox.control_route, methods=["POST"]),
            Route("/sandbox/stats", sandbox.stats_route, methods=["GET"]),
        ]
    )
    app.state.sandbox = sandbox
    app.state.faults = sandbox.faults
    app.state.store = store
    return app
