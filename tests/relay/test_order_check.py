"""The relay recomputes each incoming order with the register core and refuses one that does not add up."""

from __future__ import annotations

import pytest
from kasir import records
from processes import make_order
from register.shop import Shop

# What the relay's mirror builds from the demo shop: IDR without decimals, PPN 11 % included.
BOOTSTRAP = {
    "company": {"id": 1, "name": "Toko Sumber Rejeki", "country_code": "ID"},
    "currency": {"id": 12, "name": "IDR", "symbol": "Rp", "rounding": "1", "decimal_places": 0},
    "config": {
        "id": 1,
        "name": "Kasir 1",
        "session_id": 1,
        "pricelist_id": 1,
        "payment_method_ids": [1, 2],
    },
    "taxes": [
        {
            "id": 1,
            "name": "PPN 11%",
            "amount_type": "percent",
            "amount": "11",
            "price_include": True,
        }
    ],
    "payment_methods": [
        {"id": 1, "name": "Tunai", "is_cash_count": True},
        {"id": 2, "name": "Kartu", "is_cash_count": False},
    ],
}


@pytest.fixture
def shop() -> Shop:
    return Shop.from_bootstrap(BOOTSTRAP)


def test_an_order_that_adds_up_is_accepted(shop):
    # 2 x Rp 3.500 and 1 x Rp 16.500, PPN included: subtotals 6306 + 14865, tax 2329, total 23500.
    order = make_order("kasir-1", 1, [(101, "3500", 2), (102, "16500", 1)], cash="50000")
    assert (order["amount_total"], order["amount_tax"]) == ("23500", "2329")
    assert records.validate_item(order, "kasir-1", shop) == (order["uuid"], "order", 1)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("amount_total", "23000", "total"),
        ("amount_tax", "2000", "tax"),
    ],
)
def test_tampered_totals_are_refused_with_a_readable_reason(shop, field, value, words):
    order = make_order("kasir-1", 1, [(101, "3500", 2), (102, "16500", 1)])
    order[field] = value
    with pytest.raises(records.RecordError) as refused:
        records.validate_item(order, "kasir-1", shop)
    assert words in str(refused.value).lower()


def test_a_line_whose_subtotal_does_not_match_its_price_is_refused(shop):
    order = make_order("kasir-1", 1, [(101, "3500", 2)])
    order["lines"][0]["price_unit"] = "3000"
    with pytest.raises(records.RecordError, match="Line 1"):
        records.validate_item(order, "kasir-1", shop)


def test_without_a_bootstrap_only_the_shape_is_checked():
    order = make_order("kasir-1", 1, [(101, "3500", 2)])
    order["amount_total"] = "1"
    assert records.validate_item(order, "kasir-1")[1] == "order"


# -- a sale that happened is a fact: held, never refused -----------------------------------------

GOOD = [(1, "3500", 2), (2, "12500", 1)]


def _relay(tmp_path):
    from kasir.app import Relay
    from kasir.config import Settings
    from kasir.journal import Journal

    journal = Journal(tmp_path / "kasir.db")
    return Relay(Settings(odoo=None), journal), journal


def _send(relay, *orders) -> dict:
    import json

    body = json.dumps({"items": list(orders)}).encode()
    return relay.accept_batch("kasir-1", body)[0]


def _ppn(rate: str) -> dict:
    """The bootstrap after Odoo's PPN changed to `rate` %, as the mirror stores it."""
    from kasir.journal import with_config_version

    taxes = [{**BOOTSTRAP["taxes"][0], "amount": rate, "name": f"PPN {rate}%"}]
    return with_config_version({**BOOTSTRAP, "taxes": taxes, "catalog_version": "7"})


def test_a_sale_rung_before_a_tax_change_is_checked_with_the_old_rate(tmp_path):
    relay, journal = _relay(tmp_path)
    before = _ppn("11")
    journal.put_bootstrap(before)
    # Rung offline under PPN 11 %; the relay learns of PPN 12 % before the till syncs.
    sale = {**make_order("kasir-1", 1, GOOD), "catalog_version": before["catalog_version"]}
    journal.put_bootstrap(_ppn("12"))
    assert relay.shop().taxes[1].amount == 12
    answer = _send(relay, sale)
    assert answer["results"] == [{"uuid": sale["uuid"], "status": "accepted"}]
    assert answer["states"] == [{"uuid": sale["uuid"], "status": "queued"}]
    # A sale naming no configuration the relay served is checked against today's: held for
    # the manager with the difference, never refused, and forwarded once approved.
    unknown = {**make_order("kasir-1", 2, GOOD), "catalog_version": "3-0123456789abcdef"}
    answer = _send(relay, unknown)
    assert answer["results"][0]["status"] == "accepted"
    held = answer["states"][0]
    assert held["status"] == "held" and "held for the manager" in held["error"]
    assert "today" in held["error"]
    assert journal.get(unknown["uuid"]).state == "held"
    assert [i["uuid"] for i in journal.attention_items()] == [unknown["uuid"]]
    assert journal.approve(unknown["uuid"], "test") is None
    assert journal.get(unknown["uuid"]).state == "queued"
    assert journal.approve(unknown["uuid"], "test") == f"{unknown['uuid']} is queued, not held"
    journal.close()


def test_no_session_and_no_shop_are_held_not_refused(tmp_path):
    relay, journal = _relay(tmp_path)
    # The mirror served `session: null` (Odoo had no open session): the till sold anyway.
    sale = {**make_order("kasir-1", 1, GOOD), "session": None}
    answer = _send(relay, sale)
    assert answer["results"][0]["status"] == "accepted"
    assert answer["states"][0]["status"] == "held" and "no shop" in answer["states"][0]["error"]
    journal.put_bootstrap(_ppn("11"))
    assert relay.recheck_held() == 1
    assert journal.get(sale["uuid"]).state == "queued"
    journal.close()


def test_a_malformed_sale_is_journaled_rejected_and_its_resend_replaces_it(tmp_path):
    relay, journal = _relay(tmp_path)
    journal.put_bootstrap(_ppn("11"))
    good = make_order("kasir-1", 1, GOOD)
    bad = {**good, "amount_total": 7000}  # a number, not a decimal string
    answer = _send(relay, bad)
    assert answer["results"][0]["status"] == "rejected"
    assert answer["states"][0]["status"] == "rejected"
    item = journal.get(good["uuid"])
    assert item.state == "rejected" and "amount_total" in item.error
    assert [i["state"] for i in journal.attention_items()] == ["rejected"]
    # The manager fixed the cause; the till's Retry sends the sale again, same uuid.
    answer = _send(relay, good)
    assert answer["results"][0]["status"] == "accepted"
    assert answer["states"] == [{"uuid": good["uuid"], "status": "queued"}]
    assert journal.get(good["uuid"]).state == "queued"
    assert _send(relay, good)["results"][0]["status"] == "duplicate"
    journal.close()


def test_a_product_the_catalog_never_had_is_held_one_deleted_since_is_not(tmp_path):
    from kasir.odoo_mapping import removed_product

    relay, journal = _relay(tmp_path)
    journal.put_bootstrap(_ppn("11"))
    journal.put_catalog([{"id": 1, "name": "Kopi", "active": True}, {"id": 2, "active": True}])
    journal.put_catalog([removed_product(2)])  # deleted in Odoo since the sale
    sold = make_order("kasir-1", 1, GOOD)
    stranger = make_order("kasir-1", 2, [(999999, "3500", 2)])
    answer = _send(relay, sold, stranger)
    assert [r["status"] for r in answer["results"]] == ["accepted", "accepted"]
    states = {s["uuid"]: s for s in answer["states"]}
    assert states[sold["uuid"]] == {"uuid": sold["uuid"], "status": "queued"}
    held = states[stranger["uuid"]]
    assert held["status"] == "held" and "catalog never had" in held["error"]
    assert held["error"].endswith("999999")
    journal.close()


def test_the_lines_a_till_makes_itself_are_of_known_products(tmp_path):
    """pos_discount's order discount and a loyalty reward are booked on products that are on no
    shelf, so the catalog never lists them: they are the shop's, and the sale goes on."""
    from kasir.journal import with_config_version

    relay, journal = _relay(tmp_path)
    rewards = [{"id": 1, "name": "Rp 500 off", "required_points": "100", "discount": "500",
                "discount_product_id": 901}]  # fmt: skip
    journal.put_bootstrap(
        with_config_version(
            {
                **_ppn("11"),
                "config": {**BOOTSTRAP["config"], "discount_product_id": 900},
                "loyalty_programs": [{"id": 1, "name": "Poin", "rules": [], "rewards": rewards}],
            }
        )
    )
    journal.put_catalog([{"id": 1, "name": "Kopi", "active": True}])
    discounted = make_order("kasir-1", 1, [(1, "3500", 2), (900, "-350", 1)])
    rewarded = make_order("kasir-1", 2, [(1, "3500", 2), (901, "-500", 1)])
    stranger = make_order("kasir-1", 3, [(1, "3500", 2), (902, "-500", 1)])
    discounted["lines"][1]["is_order_discount"] = True
    for order in (rewarded, stranger):
        order["lines"][1]["is_reward_line"] = True
    answer = _send(relay, discounted, rewarded, stranger)
    states = {s["uuid"]: s for s in answer["states"]}
    assert states[discounted["uuid"]]["status"] == "queued"
    assert states[rewarded["uuid"]]["status"] == "queued"
    held = states[stranger["uuid"]]
    assert held["status"] == "held" and held["error"].endswith("902")
    journal.close()
