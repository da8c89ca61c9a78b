"""The relay's API as an OpenAPI 3.1 document, served at GET /api/v1/openapi.json.

It is written from the same limits records.py and app.py enforce (sizes, decimal strings, uuid
text, batch limits), so a client generated from it sends what the relay accepts, and the fuzz
tests can hold the relay to it. A change to a limit belongs in both places; `test_fuzz.py` checks
that the numbers here are the modules' own.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import records, recovery

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
DECIMAL_PATTERN = records.DECIMAL_TEXT.pattern
CURSOR_PATTERN = r"^[0-9]{0,18}$"
# The highest seq the relay holds from this terminal: a tablet with a lower one of its own lost
# its storage (or runs on an old copy) and goes on after it.
LAST_SEQ = {"type": "integer", "minimum": 0}
# The relay's clock when it answered; a terminal compares its own and warns when it is wrong.
RELAY_NOW = {"type": "string", "format": "date-time"}
MAX_ID = 2**53
MAX_ITEMS = 500  # Settings.max_items default
MAX_BODY = 5 * 1024 * 1024  # Settings.max_body default
# What a terminal is told (a manager's discard reads as failed, not retryable).
ITEM_STATES = ["queued", "held", "posted", "failed", "rejected"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _id(description: str = "an Odoo record id") -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": description}


def _money(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": DECIMAL_PATTERN, "description": description}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


UUID = {"type": "string", "pattern": UUID_PATTERN, "minLength": 36, "maxLength": 36}

LINE = {
    "type": "object",
    "required": ["uuid", "product_id", "tax_ids", *records.LINE_AMOUNTS],
    "properties": {
        "uuid": UUID,
        "product_id": _id("product.product id"),
        "full_product_name": {"type": ["string", "null"], "maxLength": records.MAX_TEXT},
        **{name: _money(f"line {name} as a decimal string") for name in records.LINE_AMOUNTS},
        "tax_ids": {"type": "array", "maxItems": 50, "items": _id("account.tax id")},
        "refunded_line_uuid": {"anyOf": [UUID, {"type": "null"}]},
    },
}

PAYMENT = {
    "type": "object",
    "required": ["uuid", "method_id", "amount"],
    "properties": {
        "uuid": UUID,
        "method_id": _id("pos.payment.method id"),
        "amount": _money("tendered amount"),
        "is_change": {"type": "boolean"},
        "reference": {"type": ["string", "null"], "maxLength": records.MAX_TEXT},
    },
}

PERSON = {
    "description": "a pos_hr employee, or an Odoo user",
    "oneOf": [
        {
            "type": "object",
            "required": ["employee_id", "name"],
            "properties": {"employee_id": _id("hr.employee id"), "name": {"type": "string"}},
        },
        {
            "type": "object",
            "required": ["user_id", "name"],
            "properties": {"user_id": _id("res.users id"), "name": {"type": "string"}},
        },
    ],
}

ORDER = {
    "type": "object",
    "description": (
        "A sale made on a terminal (DESIGN.md, Records). Amounts are decimal strings, never JSON "
        f"numbers with a fraction; a record is at most {records.MAX_RECORD_BYTES // 1024} KB."
    ),
    "required": [
        "uuid",
        "kind",
        "terminal",
        "session",
        "seq",
        "name",
        "created_at",
        "currency",
        "lines",
        "payments",
        *records.ORDER_AMOUNTS,
    ],
    "properties": {
        "uuid": {**UUID, "description": "made on the terminal; the idempotency key to Odoo"},
        "kind": {"const": "order"},
        "terminal": {"type": "string", "description": "must be the token's own terminal"},
        "session_uuid": {**UUID, "description": "the day (session record) it was sold in"},
        "session": {
            **_id("the pos.session the till knew, or null; the relay books into the open one"),
            "type": ["integer", "null"],
        },
        "seq": _id("per-terminal, gap-free sequence number"),
        "name": {"type": "string", "minLength": 1, "maxLength": 64},
        "created_at": {
            "type": "string",
            "format": "date-time",
            "maxLength": 40,
            "description": "ISO-8601 with its time zone (UTC)",
        },
        "currency": {"type": "string", "minLength": 1, "maxLength": 8},
        "pricelist_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID},
        "fiscal_position_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID},
        "partner": {
            "anyOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": _id("res.partner id")},
                },
            ]
        },
        "lines": {"type": "array", "minItems": 1, "maxItems": records.MAX_LINES, "items": LINE},
        "payments": {"type": "array", "maxItems": records.MAX_PAYMENTS, "items": PAYMENT},
        **{name: _money(f"order {name}") for name in records.ORDER_AMOUNTS},
        "catalog_version": {"type": ["string", "integer", "null"]},
        "cashier": {**PERSON, "description": "who sold (Odoo's employee_id or user_id); optional"},
        "approved_by": {
            **PERSON,
            "description": "the manager whose PIN let a cashier refund or discount; optional",
        },
    },
}

STATE = {
    "type": "object",
    "required": ["uuid", "status"],
    "properties": {
        "uuid": {"type": "string"},
        "status": {"type": "string", "enum": ITEM_STATES},
        "odoo_id": {"type": "integer"},
        "odoo_name": {"type": "string", "description": "Odoo's name of a posted order"},
        "error": {"type": "string", "description": "Odoo's (or the relay's) message"},
        "retryable": {"type": "boolean"},
    },
}

RESULT = {
    "type": "object",
    "required": ["uuid", "status"],
    "properties": {
        "uuid": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": ["accepted", "duplicate", "rejected"]},
        "error": {"type": "string", "description": "why it was rejected, for the cashier"},
    },
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}

BOOTSTRAP = {
    "type": "object",
    "description": "What a terminal needs to sell (shared contract, Bootstrap); money as strings.",
    "required": ["company", "currency", "config", "taxes", "payment_methods", "catalog_version"],
    "properties": {
        "company": {"type": "object"},
        "currency": {"type": "object"},
        "config": {"type": "object"},
        "taxes": {"type": "array", "items": {"type": "object"}},
        "fiscal_positions": {"type": "array", "items": {"type": "object"}},
        "pricelists": {"type": "array", "items": {"type": "object"}},
        "payment_methods": {"type": "array", "items": {"type": "object"}},
        "cash_roundings": {"type": "array", "items": {"type": "object"}},
        "categories": {"type": "array", "items": {"type": "object"}},
        "product_categories": {"type": "array", "items": {"type": "object"}},
        "catalog_version": {"type": "string"},
        "lang": {
            "type": "string",
            "description": "the shop's language as Odoo names it (id_ID, en_US); empty if unknown",
        },
        "tz": {
            "type": "string",
            "description": "the shop's time zone (IANA, e.g. Asia/Jakarta): receipts and reports",
        },
        "barcode_nomenclature": {
            "type": ["object", "null"],
            "description": "the company's barcode nomenclature with its rules (weight and price "
            "labels); null when it has none or it is GS1",
        },
        "cashiers": {
            "type": "array",
            "description": "pos_hr's employees who log in to this register: employee_id, name, "
            "user_id, manager, pin (the SHA-1 hex digest Odoo gives its POS, or null); empty "
            "without pos_hr. config.manager_pin_for and config.discount_limit say what those "
            "who are not managers need a manager's PIN for",
            "items": {"type": "object"},
        },
    },
}

PRODUCT = {
    "type": "object",
    "description": "A catalog record; an archived or deleted product is {id, active: false}.",
    "required": ["id", "active"],
    "properties": {
        "id": {"type": "integer"},
        "active": {"type": "boolean"},
        "name": {"type": "string"},
        "barcode": {"type": ["string", "null"]},
        "list_price": {"type": "string"},
        "image": {
            "type": "string",
            "description": "the version of its image (GET /api/v1/images/{id}?v=); absent: none",
        },
    },
}

CUSTOMER_VALUES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        name: {"type": ["string", "null"], "maxLength": records.MAX_PARTNER_TEXT}
        for name in records.PARTNER_VALUES
    },
}

CUSTOMER_RECORD = {
    "type": "object",
    "description": "A customer created or updated on a terminal; orders may name it by uuid.",
    "required": ["uuid", "kind", "terminal", "seq", "op", "values"],
    "properties": {
        "uuid": UUID,
        "kind": {"const": "partner"},
        "terminal": {"type": "string", "maxLength": records.MAX_TEXT},
        "seq": {"type": "integer", "minimum": 1},
        "op": {"type": "string", "enum": list(records.PARTNER_OPS)},
        "id": _id("res.partner id, for updates"),
        "values": CUSTOMER_VALUES,
    },
}

_CREATED_AT = {"type": "string", "format": "date-time", "maxLength": 40}
_NAME = {"type": "string", "minLength": 1, "maxLength": records.MAX_PARTNER_TEXT}

SESSION_RECORD = {
    "type": "object",
    "description": (
        "A register's day opened (with the opening count) or closed (counted against expected) on "
        "a terminal. The relay opens or joins the register's Odoo session; a close waits until "
        "every earlier record of its terminal is in Odoo, and the last terminal to close closes it."
    ),
    "required": ["uuid", "kind", "terminal", "seq", "created_at", "op", "cashier", "cash"],
    "properties": {
        "uuid": UUID,
        "kind": {"const": "session"},
        "terminal": {"type": "string", "maxLength": records.MAX_TEXT},
        "seq": {"type": "integer", "minimum": 1},
        "created_at": _CREATED_AT,
        "op": {"type": "string", "enum": list(records.SESSION_OPS)},
        "cashier": _NAME,
        "cash": _money("the drawer counted: 0 or more, at most the currency's decimals"),
        "counts": {
            "type": "object",
            "maxProperties": records.MAX_DENOMINATIONS,
            "additionalProperties": {"type": "integer", "minimum": 0},
            "description": 'pieces per denomination, e.g. {"100000": 3}',
        },
        "note": {"type": "string", "maxLength": records.MAX_NOTE},
        "session_uuid": {**UUID, "description": "a close: the uuid of the day's open"},
        "expected": _money("a close: what the till computed should be in the drawer"),
    },
}

CASH_MOVE_RECORD = {
    "type": "object",
    "description": "Cash put into or taken out of the drawer (Odoo's try_cash_in_out), with why.",
    "required": [
        "uuid",
        "kind",
        "terminal",
        "seq",
        "created_at",
        "session_uuid",
        "type",
        "amount",
        "reason",
        "cashier",
    ],
    "properties": {
        "uuid": UUID,
        "kind": {"const": "cash_move"},
        "terminal": {"type": "string", "maxLength": records.MAX_TEXT},
        "seq": {"type": "integer", "minimum": 1},
        "created_at": _CREATED_AT,
        "session_uuid": UUID,
        "type": {"type": "string", "enum": list(records.CASH_MOVE_TYPES)},
        "amount": _money("more than 0, at most the currency's decimals"),
        "reason": {"type": "string", "minLength": 1, "maxLength": records.MAX_TEXT},
        "cashier": _NAME,
        "approved_by": {**PERSON, "description": "the manager whose PIN allowed a cash out"},
    },
}

CUSTOMER = {
    "type": "object",
    "description": "A customer as the relay mirrors it from Odoo; a removed one is {id, active: false}.",
    "required": ["id", "active"],
    "properties": {
        "id": {"type": "integer"},
        "active": {"type": "boolean"},
        **{name: {"type": ["string", "null"]} for name in records.PARTNER_VALUES},
        "pricelist_id": {
            "type": ["integer", "null"],
            "description": "the pricelist a sale to them is made with (when this Odoo has it)",
        },
        "fiscal_position_id": {"type": ["integer", "null"]},
        "loyalty": {
            "type": "array",
            "description": "points per loyalty program of the register, as of the card's last write",
            "items": {
                "type": "object",
                "required": ["program_id", "points", "as_of"],
                "properties": {
                    "program_id": {"type": "integer"},
                    "points": {"type": "string", "pattern": DECIMAL_PATTERN},
                    "as_of": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}

HEALTH = {
    "type": "object",
    "required": ["status", "journal", "odoo"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "error"]},
        "journal": {"type": "string", "enum": ["ok", "error"]},
        "odoo": {"type": "string", "enum": ["reachable", "unreachable", "misconfigured"]},
        "odoo_error": {"type": ["string", "null"]},
        **{state: {"type": ["integer", "null"]} for state in ITEM_STATES},
        "mirrored": {"type": "boolean"},
        "uptime": {"type": "number"},
    },
}

LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "pattern": "^[0-9]{0,6}$"},
}

SINCE = {
    "name": "since",
    "in": "query",
    "required": False,
    "description": "the cursor of an earlier answer (empty or absent: from the start)",
    "schema": {"type": "string", "pattern": CURSOR_PATTERN},
}
BEARER = [{"terminal": []}]
UNAUTHORIZED = _error("missing or unknown terminal token")
TIMEOUT = _error("the body did not all arrive in time (code timeout); the connection is closed")

IMAGE = {
    "get": {
        "operationId": "productImage",
        "summary": "A product's image (Odoo's image_128), by the version its catalog record names",
        "description": "For the till's service worker, which sends the terminal's token (an "
        "<img> cannot). With v, the answer is kept for a year: a new image has a new version.",
        "security": BEARER,
        "parameters": [
            {
                "name": "product_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": "^[0-9]{1,15}$"},
            },
            {
                "name": "v",
                "in": "query",
                "required": False,
                "description": "the version of the catalog record's `image`",
                "schema": {"type": "string", "maxLength": 40},
            },
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
            },
        ],
        "responses": {
            "200": {
                "description": "the image, with its ETag",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ("image/png", "image/jpeg", "image/gif", "image/webp")
                },
            },
            "304": {"description": "unchanged since the ETag sent"},
            "401": UNAUTHORIZED,
            "404": _error(
                "no image (no_image), another version than v (other_version), or no such product"
            ),
        },
    }
}


RECOVERY = {
    "post": {
        "operationId": "importRecoveryFile",
        "summary": "Bring another terminal's exported unsent records (a recovery file)",
        "description": "The file the till's sync panel or boot error screen saves. Its records "
        "are accepted as the terminal that exported them (its seqs), through the same checks as "
        "/sync, deduplicated by uuid; the file must be sealed by that terminal as this relay "
        f"knows it (a manager can upload an older one on /admin). At most "
        f"{recovery.MAX_FILE_BYTES // 2**20} MB and {recovery.MAX_RECORDS} records.",
        "security": BEARER,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["format", "version", "terminal", "records", "sha256", "seal"],
                        "properties": {
                            "format": {"const": recovery.FORMAT},
                            "version": {"const": recovery.VERSION},
                            "terminal": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "id": {"type": "string"},
                                },
                            },
                            "shop": {"type": "object"},
                            "exported_at": {"type": "string"},
                            "records": {"type": "array", "maxItems": recovery.MAX_RECORDS},
                            "states": {"type": "array"},
                            "sha256": {"type": "string", "description": "of the canonical body"},
                            "seal": {"type": "string", "description": "HMAC-SHA256 of the body"},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "required": ["terminal", "records", "new", "duplicate", "rejected", "results"],
                    "properties": {
                        "terminal": {"type": "string"},
                        "records": {"type": "integer"},
                        "new": {"type": "integer"},
                        "duplicate": {"type": "integer"},
                        "rejected": {"type": "integer"},
                        "sealed": {"type": "boolean"},
                        "results": {"type": "array", "items": _ref("ItemResult")},
                    },
                },
                "what the import did: new, already here (duplicate), refused (rejected)",
            ),
            "400": _error("not UTF-8 JSON (malformed_file), or a bad Content-Length"),
            "401": UNAUTHORIZED,
            "403": _error("made by another pairing of its terminal (other_pairing)"),
            "408": TIMEOUT,
            "413": _error("too large, or too many records"),
            "422": _error(
                "not a kasir export, another version, a checksum or seal that does not match, "
                "or a terminal or shop this relay does not have"
            ),
        },
    }
}


def _page(operation: str, what: str, schema: str) -> dict[str, Any]:
    """A GET of the records of one kind that changed since a cursor (catalog, customers)."""
    return {
        "get": {
            "operationId": operation,
            "summary": f"A page of changed {what} since a cursor",
            "security": BEARER,
            "parameters": [
                SINCE,
                LIMIT,
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["items", "cursor", "more"],
                        "properties": {
                            "items": {"type": "array", "items": _ref(schema)},
                            "cursor": {"type": "string", "pattern": CURSOR_PATTERN},
                            "more": {"type": "boolean"},
                        },
                    },
                    f"changed {what} (removals included) and the next cursor",
                ),
                "400": _error("bad cursor or limit"),
                "401": UNAUTHORIZED,
            },
        }
    }


def document(max_items: int = MAX_ITEMS, max_body: int = MAX_BODY) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the relay's v1 API."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kasir relay",
            "version": "1",
            "description": (
                "Terminals send sales to the relay, which stores them durably and forwards them "
                "to Odoo exactly once. Every error is JSON {error: {code, message}}; a method "
                "a path does not have is 405 with an Allow header, and a request body that has "
                "not all arrived within the body timeout (KASIR_BODY_TIMEOUT, 10 s) is 408 and "
                "the connection is closed."
            ),
        },
        "components": {
            "securitySchemes": {
                "terminal": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the token POST /api/v1/pair gave this terminal",
                }
            },
            "schemas": {
                "Order": ORDER,
                "OrderLine": LINE,
                "Payment": PAYMENT,
                "ItemState": STATE,
                "ItemResult": RESULT,
                "Error": ERROR,
                "Bootstrap": BOOTSTRAP,
                "Product": PRODUCT,
                "CustomerRecord": CUSTOMER_RECORD,
                "SessionRecord": SESSION_RECORD,
                "CashMoveRecord": CASH_MOVE_RECORD,
                "Customer": CUSTOMER,
                "Health": HEALTH,
            },
        },
        "paths": {
            "/api/v1/pair": {
                "post": {
                    "operationId": "pair",
                    "summary": "Trade a one-time pairing code for a terminal token",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["code"],
                                    "properties": {
                                        "code": {"type": "string", "examples": ["ABCD-EFGH"]}
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["terminal", "token", "last_seq"],
                                "properties": {
                                    "terminal": {"type": "string"},
                                    "token": {"type": "string"},
                                    "last_seq": LAST_SEQ,
                                },
                            },
                            "paired: keep the token, it is shown once",
                        ),
                        "400": _error("the body is not UTF-8 JSON"),
                        "403": _error("unknown, expired or already used code"),
                        "408": TIMEOUT,
                        "413": _error("body too large"),
                        "422": _error("no code in the body"),
                    },
                }
            },
            "/api/v1/sync": {
                "post": {
                    "operationId": "sync",
                    "summary": "Store records durably (answers after the journal committed)",
                    "security": BEARER,
                    "requestBody": {
                        "required": True,
                        "description": f"at most {max_items} items and {max_body} bytes",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["items"],
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "maxItems": max_items,
                                            "items": {
                                                "oneOf": [
                                                    _ref("Order"),
                                                    _ref("CustomerRecord"),
                                                    _ref("SessionRecord"),
                                                    _ref("CashMoveRecord"),
                                                ]
                                            },
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["results", "states", "now"],
                                "properties": {
                                    "results": {"type": "array", "items": _ref("ItemResult")},
                                    "states": {"type": "array", "items": _ref("ItemState")},
                                    "now": RELAY_NOW,
                                },
                            },
                            "one result per item (accepted, duplicate or rejected with why)",
                        ),
                        "400": _error("malformed (or not UTF-8) JSON or Content-Length"),
                        "401": UNAUTHORIZED,
                        "408": TIMEOUT,
                        "413": _error("too large or too many items"),
                        "422": _error('not {"items": [...]}'),
                    },
                }
            },
            "/api/v1/sync/state": {
                "get": {
                    "operationId": "syncState",
                    "summary": "State changes of this terminal's items since a cursor",
                    "security": BEARER,
                    "parameters": [SINCE],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["states", "cursor", "last_seq", "now"],
                                "properties": {
                                    "states": {"type": "array", "items": _ref("ItemState")},
                                    "cursor": {"type": "string", "pattern": CURSOR_PATTERN},
                                    "last_seq": LAST_SEQ,
                                    "now": RELAY_NOW,
                                },
                            },
                            "changes and the next cursor",
                        ),
                        "400": _error("bad cursor"),
                        "401": UNAUTHORIZED,
                    },
                }
            },
            "/api/v1/bootstrap": {
                "get": {
                    "operationId": "bootstrap",
                    "summary": "Company, currency, taxes, pricelists, payment methods, config",
                    "security": BEARER,
                    "parameters": [
                        {
                            "name": "If-None-Match",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(_ref("Bootstrap"), "the shop, with an ETag"),
                        "304": {"description": "unchanged since the ETag sent"},
                        "401": UNAUTHORIZED,
                        "503": _error("the relay has not loaded the shop from Odoo yet"),
                    },
                }
            },
            "/api/v1/catalog": _page("catalog", "products", "Product"),
            "/api/v1/partners": _page("partners", "customers", "Customer"),
            "/api/v1/images/{product_id}": IMAGE,
            "/api/v1/recovery": RECOVERY,
            "/api/v1/orders": {
                "get": {
                    "operationId": "findOrders",
                    "summary": "Sales of every till of the shop by receipt number or Odoo name, "
                    "with the refunds of their lines (what is left to refund)",
                    "security": BEARER,
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "description": "the start of a receipt number, or part of Odoo's name",
                            "schema": {"type": "string", "minLength": 3, "maxLength": 64},
                        },
                        LIMIT,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["orders", "refunds"],
                                "properties": {
                                    "orders": {
                                        "type": "array",
                                        "maxItems": 50,
                                        "items": {
                                            "allOf": [_ref("ItemState")],
                                            "type": "object",
                                            "required": ["terminal", "record"],
                                            "properties": {
                                                "terminal": {"type": "string"},
                                                "record": {"type": "object"},
                                            },
                                        },
                                    },
                                    "refunds": {"type": "array", "items": {"type": "object"}},
                                },
                            },
                            "the sales found, newest first, and the refunds of their lines",
                        ),
                        "400": _error("q or limit out of bounds"),
                        "401": UNAUTHORIZED,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "summary": "Journal and Odoo reachability",
                    "responses": {
                        "200": _json(_ref("Health"), "the journal works"),
                        "503": _json(_ref("Health"), "the journal does not work"),
                    },
                }
            },
        },
    }


async def endpoint(request: Request) -> Response:
    """GET /api/v1/openapi.json (public: it holds no secret), with the relay's own limits."""
    relay = getattr(request.app.state, "relay", None)
    settings = getattr(relay, "settings", None)
    doc = document(
        max_items=getattr(settings, "max_items", MAX_ITEMS),
        max_body=getattr(settings, "max_body", MAX_BODY),
    )
    return JSONResponse(doc, headers={"Cache-Control": "no-cache"})
