"""The relay's plain parts on their own: records, mapping, journal, auth, config, Odoo errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from kasir import auth, odoo_mapping
from kasir.config import ConfigError, from_env
from kasir.journal import STATES, Incoming, Journal
from kasir.odoo import (
    OdooAccessDenied,
    OdooBusinessError,
    OdooTransient,
    classify,
    dumps,
)
from kasir.records import RecordError, body_sha256, canonical, is_uuid, validate_item

EMPTY_COUNTS = dict.fromkeys(STATES, 0)

# -- records --------------------------------------------------------------------------------


def test_a_contract_order_passes(order_factory) -> None:
    order = order_factory("kasir-1", 7, [(101, "3500", 2)], cash="10000")
    assert validate_item(order, "kasir-1") == (order["uuid"], "order", 7)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uuid": "0B6F"}, "uuid"),
        ({"uuid": "6FA459EA-EE8A-3CA4-894E-DB77E160355E"}, "uuid"),
        ({"kind": "refund"}, "kind"),
        ({"kind": "partner"}, "op must be one of"),
        ({"terminal": "kasir-2"}, "kasir-2"),
        ({"seq": 0}, "seq"),
        ({"seq": "1"}, "seq"),
        ({"session": True}, "session"),
        ({"amount_total": "12,5"}, "amount_total"),
        ({"amount_total": 7000}, "amount_total"),
        ({"amount_total": "1e3"}, "amount_total"),
        ({"created_at": "2026-11-23 20:41:05"}, "time zone"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"lines": []}, "lines"),
        ({"payments": {}}, "payments"),
        ({"partner": {"name": "Budi"}}, "partner"),
        ({"name": ""}, "name"),
        ({"pricelist_id": "1"}, "pricelist_id"),
        ({"extra": Decimal("1.5")}, "fraction"),
    ],
)
def test_bad_orders_are_rejected_with_a_message(order_factory, change, message) -> None:
    order = {**order_factory("kasir-1", 1, [(101, "3500", 2)]), **change}
    with pytest.raises(RecordError, match=message):
        validate_item(order, "kasir-1")


def test_bad_lines_and_payments_name_the_field(order_factory) -> None:
    order = order_factory("kasir-1", 1, [(101, "3500", 2)])
    order["lines"][0]["qty"] = 2
    with pytest.raises(RecordError, match=r"lines\[0\]\.qty"):
        validate_item(order, "kasir-1")
    order = order_factory("kasir-1", 1, [(101, "3500", 2)])
    order["payments"].append(dict(order["payments"][0]))
    with pytest.raises(RecordError, match="unique"):
        validate_item(order, "kasir-1")
    order = order_factory("kasir-1", 1, [(101, "3500", 2)])
    order["lines"][0]["tax_ids"] = ["1"]
    with pytest.raises(RecordError, match="tax_ids"):
        validate_item(order, "kasir-1")


def test_canonical_text_ignores_key_order() -> None:
    assert canonical({"b": 1, "a": [1, "x"]}) == canonical({"a": [1, "x"], "b": 1})
    assert body_sha256(canonical({"a": "é"})) == body_sha256('{"a":"é"}')
    assert is_uuid("0b6f1c2e-0000-4000-8000-000000000000")
    assert not is_uuid("0b6f1c2e00004000800000000000000000000")


# -- mapping --------------------------------------------------------------------------------


def test_order_maps_to_the_odoo_18_payload(order_factory) -> None:
    order = order_factory("kasir-1", 3, [(101, "3500", 2)], cash="10000")
    order["created_at"] = "2026-11-24T03:41:05.123456+07:00"
    order["lines"][0]["price_subtotal"] = "6306.31"
    payload = odoo_mapping.order_to_odoo(order)
    assert payload["uuid"] == order["uuid"]
    assert payload["name"] == payload["pos_reference"] == "kasir-1-000003"
    assert payload["session_id"] == 1 and payload["sequence_number"] == 3
    assert payload["date_order"] == "2026-11-23 20:41:05"
    assert payload["state"] == "paid" and payload["to_invoice"] is False
    assert payload["partner_id"] is False and payload["fiscal_position_id"] is False
    assert payload["amount_return"] == Decimal("3000")
    (_, _, line) = payload["lines"][0]
    assert line["tax_ids"] == [[6, 0, [1]]]
    assert line["qty"] == Decimal("2") and line["product_id"] == 101
    (_, _, payment) = payload["payment_ids"][0]
    assert payment == {
        "uuid": order["payments"][0]["uuid"],
        "payment_method_id": 1,
        "amount": Decimal("10000"),
        "payment_date": "2026-11-23 20:41:05",
    }
    text = dumps(payload)
    assert '"price_subtotal":6306.31' in text and "6306.31000" not in text
    assert json.loads(text, parse_float=Decimal)["lines"][0][2]["price_subtotal"] == Decimal(
        "6306.31"
    )
    order["partner"] = {"id": 9}
    assert odoo_mapping.order_to_odoo(order)["partner_id"] == 9


def test_floats_never_travel() -> None:
    with pytest.raises(TypeError):
        dumps({"amount": 1.5})


def test_product_rows_map_to_catalog_records() -> None:
    categories = [
        {"id": 1, "name": "All", "parent_id": False},
        {"id": 2, "name": "Saleable", "parent_id": [1, "All"]},
        {"id": 5, "name": "Makanan", "parent_id": [2, "All / Saleable"]},
    ]
    ancestors = odoo_mapping.category_ancestors(categories)
    row = {
        "id": 101,
        "display_name": "[MKN-0001] Indomie Goreng 85 g",
        "name": "Indomie Goreng 85 g",
        "lst_price": Decimal("3500.0"),
        "standard_price": Decimal("2900.50"),
        "categ_id": [5, "All / Saleable / Makanan"],
        "pos_categ_ids": [2, 3],
        "taxes_id": [1],
        "barcode": "8998866200011",
        "default_code": False,
        "product_tmpl_id": [101, "Indomie Goreng 85 g"],
        "uom_id": [1, "Units"],
        "active": True,
        "available_in_pos": True,
        "write_date": "2026-11-23 20:00:00",
    }
    decimals = odoo_mapping.uom_decimals([{"id": 1, "rounding": 0.01, "category_id": [1, "Unit"]}])
    assert odoo_mapping.product_to_record(row, ancestors, decimals) == {
        "id": 101,
        "template_id": 101,
        "name": "Indomie Goreng 85 g",
        "barcode": "8998866200011",
        "default_code": None,
        "list_price": "3500",
        "standard_price": "2900.5",
        "tax_ids": [1],
        "categ_id": 5,
        "category_ids": [5, 2, 1],
        "pos_categ_id": 2,
        "uom": "Units",
        "uom_decimals": 0,
        "active": True,
    }
    archived = {**row, "active": False}
    assert odoo_mapping.product_to_record(archived, ancestors) == {"id": 101, "active": False}
    hidden = {**row, "available_in_pos": False}
    assert odoo_mapping.product_to_record(hidden, ancestors) == {"id": 101, "active": False}


def test_units_decimals_follow_the_unit_of_measure() -> None:
    """Units are counted whole whatever their rounding; weights keep their rounding's decimals."""
    decimals = odoo_mapping.uom_decimals(
        [
            {"id": 1, "rounding": Decimal("0.01"), "category_id": [1, "Unit"]},
            {"id": 3, "rounding": Decimal("0.001"), "category_id": [2, "Weight"]},
            {"id": 4, "rounding": Decimal("0.1"), "category_id": [3, "Volume"]},
            {"id": 5, "rounding": Decimal("0.00001"), "category_id": [2, "Weight"]},
            {"id": 6},  # Odoo 19: no category, no rounding
        ]
    )
    assert decimals == {1: 0, 3: 3, 4: 1, 5: 3, 6: 3}
    row = {"id": 7, "name": "Beras curah", "uom_id": [3, "kg"], "active": True}
    assert odoo_mapping.product_to_record(row, {}, decimals)["uom_decimals"] == 3
    assert odoo_mapping.product_to_record(row, {})["uom_decimals"] == 0  # unknown unit: whole


def test_money_text() -> None:
    assert odoo_mapping.money(Decimal("3500.0")) == "3500"
    assert odoo_mapping.money(Decimal("0.010")) == "0.01"
    assert odoo_mapping.money(Decimal("-0.0")) == "0"
    assert odoo_mapping.money(11) == "11"
    assert odoo_mapping.money(False) == "0"


# -- Odoo errors ----------------------------------------------------------------------------


def _error(name: str, message: str = "boom") -> dict:
    return {"code": 200, "message": "Odoo Server Error", "data": {"name": name, "message": message}}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("odoo.exceptions.UserError", OdooBusinessError),
        ("odoo.exceptions.ValidationError", OdooBusinessError),
        ("odoo.exceptions.MissingError", OdooBusinessError),
        ("odoo.exceptions.AccessError", OdooBusinessError),
        ("odoo.exceptions.AccessDenied", OdooAccessDenied),
        ("psycopg2.errors.SerializationFailure", OdooTransient),
        ("builtins.KeyError", OdooBusinessError),
    ],
)
def test_odoo_errors_are_sorted_by_what_to_do(name, kind) -> None:
    error = classify(_error(name, "Order kasir-1-000001 is not fully paid."))
    assert type(error) is kind
    assert "not fully paid" in error.message


# -- journal --------------------------------------------------------------------------------


def _incoming(uuid: str, seq: int, body: str = '{"x":1}', terminal: str = "kasir-1") -> Incoming:
    return Incoming(uuid, terminal, seq, "order", body, body_sha256(body))


U1 = "00000000-0000-4000-8000-000000000001"
U2 = "00000000-0000-4000-8000-000000000002"


def test_journal_accepts_once_and_reports_changes(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "kasir.db")
    assert journal.accept([_incoming(U1, 1), _incoming(U1, 1), _incoming(U1, 1, '{"x":2}')]) == [
        "accepted",
        "duplicate",
        "conflict",
    ]
    assert journal.accept([_incoming(U2, 2)]) == ["accepted"]
    states, cursor = journal.changes("kasir-1", 0)
    assert [s["uuid"] for s in states] == [U1, U2]
    assert journal.changes("kasir-1", cursor) == ([], cursor)
    assert journal.changes("kasir-2", 0) == ([], 0)
    journal.mark_retry(U1, "Odoo answered HTTP 500", 0.0)
    journal.mark_posted(U1, 42)
    journal.mark_failed(U2, "Order is not fully paid.")
    states, cursor2 = journal.changes("kasir-1", cursor)
    assert states == [
        {"uuid": U1, "status": "posted", "odoo_id": 42},
        {"uuid": U2, "status": "failed", "error": "Order is not fully paid.", "retryable": False},
    ]
    assert cursor2 > cursor
    assert journal.states("kasir-2", [U1]) == []
    assert journal.counts() == {**EMPTY_COUNTS, "posted": 1, "failed": 1}
    assert journal.get(U1).attempts == 2
    journal.close()
    reopened = Journal(tmp_path / "kasir.db")  # durable across a restart
    assert reopened.states("kasir-1", [U1])[0]["odoo_id"] == 42
    # A cursor from a journal that was reset starts over instead of hiding everything.
    assert len(reopened.changes("kasir-1", 10_000)[0]) == 2


def test_journal_catalog_stores_only_changes(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "kasir.db")
    a = {"id": 1, "name": "Indomie", "list_price": "3500", "active": True}
    b = {"id": 2, "name": "Aqua", "list_price": "3000", "active": True}
    assert journal.put_catalog([a, b]) == 2
    assert journal.put_catalog([a, b]) == 0
    assert journal.put_catalog([{"id": 3, "active": False}]) == 0  # never seen: nothing to say
    items, cursor, more = journal.catalog_page(0, 1)
    assert items == [a] and more is True
    items, cursor, more = journal.catalog_page(cursor, 10)
    assert items == [b] and more is False
    assert journal.catalog_page(cursor, 10) == ([], cursor, False)
    journal.put_catalog([{**a, "list_price": "3700"}, {"id": 2, "active": False}])
    items, _, _ = journal.catalog_page(cursor, 10)
    assert items == [{**a, "list_price": "3700"}, {"id": 2, "active": False}]
    assert journal.catalog_ids() == {1}
    etag = journal.put_bootstrap({"catalog_version": "3"})
    assert journal.bootstrap() == ('{"catalog_version":"3"}', etag)
    assert journal.put_bootstrap({"catalog_version": "3"}) == etag


# -- auth -----------------------------------------------------------------------------------


def test_pairing_codes_are_one_time_and_tokens_stored_hashed(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "kasir.db")
    code = auth.add_terminal(journal, "kasir-1")
    assert len(code) == 9 and code[4] == "-"
    name, token = auth.pair(journal, code.lower().replace("-", " "))
    assert name == "kasir-1" and len(token) >= 40
    with pytest.raises(auth.AuthError):
        auth.pair(journal, code)
    assert auth.authenticate(journal, f"Bearer {token}") == "kasir-1"
    assert auth.authenticate(journal, f"Basic {token}") is None
    assert auth.authenticate(journal, None) is None
    raw = (tmp_path / "kasir.db").read_bytes() + (tmp_path / "kasir.db-wal").read_bytes()
    assert token.encode() not in raw and code.replace("-", "").encode() not in raw
    # Pairing again (a new tablet) replaces the old token.
    _, newer = auth.pair(journal, auth.add_terminal(journal, "kasir-1"))
    assert auth.authenticate(journal, f"Bearer {token}") is None
    assert auth.authenticate(journal, f"Bearer {newer}") == "kasir-1"
    with pytest.raises(auth.AuthError):
        auth.add_terminal(journal, "../etc")
    expired = auth.add_terminal(journal, "kasir-2", lifetime=-1)
    with pytest.raises(auth.AuthError, match="expired"):
        auth.pair(journal, expired)


# -- config ---------------------------------------------------------------------------------


def test_config_names_every_missing_variable() -> None:
    with pytest.raises(ConfigError) as error:
        from_env({"KASIR_ODOO_URL": "http://odoo:8069"})
    message = str(error.value)
    assert "KASIR_ODOO_DB" in message and "KASIR_ODOO_API_KEY" in message
    assert "KASIR_ODOO_URL" not in message


def test_config_from_env() -> None:
    settings = from_env(
        {
            "KASIR_ODOO_URL": "http://odoo:8069/",
            "KASIR_ODOO_DB": "shop",
            "KASIR_ODOO_LOGIN": "pos",
            "KASIR_ODOO_API_KEY": "k",
            "KASIR_ODOO_CONFIG_ID": "3",
            "KASIR_DATABASE": "/data/kasir.db",
            "KASIR_BACKOFF_BASE": "0.05",
        }
    )
    assert settings.odoo.url == "http://odoo:8069" and settings.odoo.config_id == 3
    assert settings.database == Path("/data/kasir.db") and settings.dist == Path("dist")
    assert settings.backoff_base == 0.05 and settings.backoff_cap == 60.0
    assert "k" not in repr(settings.odoo)
    with pytest.raises(ConfigError, match="18 or 19"):
        from_env(
            {
                **dict.fromkeys(["KASIR_ODOO_DB", "KASIR_ODOO_LOGIN", "KASIR_ODOO_API_KEY"], "x"),
                "KASIR_ODOO_URL": "http://o",
                "KASIR_ODOO_VERSION": "16",
            }
        )
