"""The sandbox's tiny ORM: records in one SQLite file, Odoo domains, search and read.

Records are generic: one row per (model, id) holding the fields as JSON, with `write_date` and
`uuid` in their own indexed columns so catalog paging and order look-ups stay fast at 100,000
products. Money is kept as decimal strings and read back as Decimal, never through float.
Domains, `order` and read() follow Odoo's rules (prefix operators, implicit AND, many2one as
[id, name] or a bare id with load=False, empty char as false), so a caller cannot tell them
from Odoo's for the models in `models.MODELS`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import missing
from .models import DEFAULT_ORDER, MODELS, field_type

TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # stored form; Odoo shows datetimes to the second


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

    def find_uuid(self, model: str, uuid: str) -> list[dict[str, Any]]:
        """Every record of a model with this uuid, newest first (Odoo does not keep it unique)."""
        rows = self.db.execute(
            "SELECT id, data, create_date, write_date FROM records WHERE model=? AND uuid=? "
            "ORDER BY id DESC",
            (model, uuid),
        ).fetchall()
        return [self._decode(row) for row in rows]

    def last_id(self, model: str) -> int:
        """The highest id a model has (0 when empty)."""
        row = self.db.execute("SELECT MAX(id) FROM records WHERE model=?", (model,)).fetchone()
        return row[0] or 0

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
            self._names[key] = display_name_of(self, model, record) if record else ""
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


def display_name_of(tx: Transaction, model: str, record: dict[str, Any]) -> str:
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
        kind, comodel = field_type(current, name)
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


def is_empty_value(value: Any) -> bool:
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
            _, comodel = field_type(current_model, name)
            assert comodel is not None
            target = self.tx.get(comodel, target_id) if target_id else None
            if target is None:
                return operator in ("!=", "not in", "not like", "not ilike") or (
                    operator == "=" and value is False
                )
            current_model, current = comodel, target
        return self._leaf(current_model, current, path[-1], operator, value)

    def _leaf(self, model: str, record: dict[str, Any], field: str, op: str, value: Any) -> bool:
        kind, comodel = field_type(model, field)
        if field == "display_name":
            raw: Any = display_name_of(self.tx, model, record)
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
            raw = to_decimal(raw) if not is_empty_value(raw) else raw
            value = _coerce_many(value, to_decimal)
        elif kind == "datetime":
            raw = _parse_datetime(raw) if not is_empty_value(raw) else raw
            value = _coerce_many(value, _parse_datetime)
        elif kind == "boolean":
            raw = bool(raw)
        return self._compare(raw, op, value)

    @staticmethod
    def _text_match(op: str, text: Any, pattern: Any) -> bool:
        if is_empty_value(text) or not isinstance(pattern, str):
            return False
        return _like(pattern, str(text), exact=op.startswith("="), ignore_case="ilike" in op)

    def _compare(self, raw: Any, op: str, value: Any) -> bool:
        if op == "=":
            return is_empty_value(raw) if value is False or value is None else raw == value
        if op == "!=":
            return not is_empty_value(raw) if value is False or value is None else raw != value
        if op in ("in", "not in"):
            values = value if isinstance(value, list | tuple) else [value]
            found = raw in values or (
                is_empty_value(raw) and any(is_empty_value(v) for v in values)
            )
            return found if op == "in" else not found
        if op in ("like", "ilike", "=like", "=ilike"):
            return self._text_match(op, raw, value)
        if op in ("not like", "not ilike"):
            return not self._text_match(op[4:], raw, value)
        if is_empty_value(raw) or value is False or value is None:
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
        return [convert(v) if not is_empty_value(v) else v for v in value]
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
    kind, _ = field_type(model, field)
    raw = display_name_of(tx, model, record) if field == "display_name" else record.get(field)
    if is_empty_value(raw) and kind != "boolean":
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
        kind, comodel = field_type(model, field)
        if field == "display_name":
            out[field] = display_name_of(tx, model, record)
            continue
        raw = (
            COMPUTED[model, field](tx, record) if (model, field) in COMPUTED else record.get(field)
        )
        if kind == "m2o":
            if is_empty_value(raw):
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
            out[field] = str(raw)[:19] if not is_empty_value(raw) else False
        elif kind == "date":
            out[field] = str(raw)[:10] if not is_empty_value(raw) else False
        else:
            out[field] = raw if not is_empty_value(raw) else False
    return out


def _refunded_qty(tx: Transaction, line: dict[str, Any]) -> Decimal:
    """pos.order.line.refunded_qty (Odoo computes it, never stores it): how much of this line
    its refund lines gave back, -sum(qty)."""
    refunds = (tx.get("pos.order.line", i) for i in line.get("refund_orderline_ids") or [])
    return -sum((to_decimal(r.get("qty")) for r in refunds if r is not None), Decimal(0))


def _image_128(tx: Transaction, product: dict[str, Any]) -> Any:
    """product.product.image_128: the variant's own image, else its template's."""
    if product.get("image_variant_128"):
        return product["image_variant_128"]
    template = tx.get("product.template", product.get("product_tmpl_id"))
    return (template or {}).get("image_128") or False


def _partner_pricelist(tx: Transaction, partner: dict[str, Any]) -> Any:
    """res.partner.property_product_pricelist: the customer's own, else the first active
    pricelist (product's _get_partner_pricelist_multi, with no country groups)."""
    if partner.get("property_product_pricelist"):
        return partner["property_product_pricelist"]
    first = Searcher(tx).search("product.pricelist", [], limit=1, active_test=True)
    return first[0]["id"] if first else False


# Fields Odoo computes on read instead of storing: (model, field) -> value of a stored record.
COMPUTED: dict[tuple[str, str], Callable[[Transaction, dict[str, Any]], Any]] = {
    ("pos.order.line", "refunded_qty"): _refunded_qty,
    ("res.partner", "property_product_pricelist"): _partner_pricelist,
    ("product.product", "image_128"): _image_128,
}


def field_list(model: str, fields: Any) -> list[str]:
    if not fields:
        return [f for f in MODELS[model] if f not in ("create_date",)]
    if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
        raise ValueError(f"Invalid fields {fields!r}")
    for field in fields:
        field_type(model, field)
    return list(fields)
