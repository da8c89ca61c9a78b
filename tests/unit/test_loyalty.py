"""Loyalty points: earned per amount and per product, spent only within the balance known here."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from conftest import finish, make_shop
from register.cart import Cart
from register.errors import RegisterError
from register.loyalty import balance_as_of, balance_for

D = Decimal
CASH = 1
PROGRAM = {
    "id": 1,
    "name": "Poin Sahabat",
    "rules": [
        {"mode": "money", "points": "0.001"},  # 1 point per Rp 1.000
        {"reward_point_mode": "unit", "reward_point_amount": 5, "product_ids": [102]},
    ],
    "rewards": [
        {"id": 10, "name": "Potongan Rp 10.000", "required_points": "100",
         "discount_mode": "per_order", "discount": "10000", "discount_product_id": 900},
        {"id": 11, "name": "Rp 50 per poin", "required_points": "10",
         "discount_mode": "per_point", "discount": "50"},
    ],
}  # fmt: skip
PARTNER = {
    "id": 7,
    "loyalty": [{"program_id": 1, "points": "120", "as_of": "2026-11-23T20:00:00Z"}],
}
AS_OF = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def lshop(bootstrap):
    bootstrap["loyalty_programs"] = [PROGRAM]
    return make_shop(bootstrap, discount_product_id=900)


def spent_order(uuid, created_at, points):
    return {"uuid": uuid, "partner": {"id": 7}, "created_at": created_at,
            "loyalty": [{"program_id": 1, "points_earned": "3", "points_spent": points}]}  # fmt: skip


def test_points_earned_per_amount_and_per_product(lshop, catalog):
    cart = Cart(lshop, catalog=catalog)
    cart.partner = {"id": 7}
    cart.add(catalog.get(101), 3)  # 10500
    cart.add(catalog.get(102), 2)  # 10000
    cart.add_payment(CASH, "20500")
    record = finish(cart)
    # 20500 x 0.001 = 20.5 points, plus 2 Teh x 5 = 10
    assert record["loyalty"] == [{"program_id": 1, "points_earned": "30.5", "points_spent": "0"}]


def test_no_customer_no_points(lshop, catalog):
    cart = Cart(lshop)
    cart.add(catalog.get(101))
    cart.add_payment(CASH, "3500")
    assert "loyalty" not in finish(cart)


def test_balance_subtracts_points_spent_offline():
    history = [
        spent_order("a", "2026-11-23T19:00:00+00:00", "30"),  # before: in Odoo's figure
        spent_order("b", "2026-11-23T19:30:00+00:00", "15"),  # before, but still unsent
        spent_order("c", "2026-11-23T20:30:00+00:00", "50"),  # after the figure was read
        {**spent_order("d", "2026-11-23T20:40:00+00:00", "99"), "partner": {"id": 8}},
    ]
    balance = balance_for(PARTNER, 1, history, unposted=["b"])
    assert (balance.known, balance.spent_offline, balance.points) == (D(120), D(65), D(55))
    assert balance.as_of == AS_OF
    assert balance.text() == "55 points (balance as of 23 Nov 2026 20:00 UTC)"
    assert balance_as_of(0, None) == "0 points (balance not known yet)"


def test_reward_within_the_balance(lshop, catalog):
    cart = Cart(lshop, catalog=catalog)
    cart.partner = {"id": 7}
    cart.add(catalog.get(101), 3)
    cart.add(catalog.get(102), 2)  # 20500, all with PPN
    cart.apply_reward(1, 10, balance_for(PARTNER, 1), by="ani")
    reward_line = cart.lines[-1]
    # one PPN tax set: 10000 of 20500 -> one line of -10000 on the reward's product
    assert (reward_line.product_id, reward_line.price_unit, reward_line.kind) == (
        900,
        D("-10000"),
        "reward",
    )
    assert cart.totals().amount_total == D("10500")
    cart.add_payment(CASH, "10500")
    record = finish(cart)
    # reward lines earn nothing: 20.5 + 10 points
    assert record["loyalty"] == [
        {"program_id": 1, "points_earned": "30.5", "points_spent": "100", "reward_ids": [10]}
    ]
    assert record["lines"][-1]["is_reward_line"] is True


def test_reward_beyond_the_balance_is_refused(lshop, catalog):
    cart = Cart(lshop, catalog=catalog)
    cart.partner = {"id": 7}
    cart.add(catalog.get(101), 10)
    history = [spent_order("c", "2026-11-23T20:30:00+00:00", "50")]
    balance = balance_for(PARTNER, 1, history)  # 120 - 50 = 70
    with pytest.raises(RegisterError, match=r"needs 100.*70 points \(balance as of 23 Nov 2026"):
        cart.apply_reward(1, 10, balance)
    cart.apply_reward(1, 11, balance, points=60)  # 60 x Rp 50 = 3000 off
    assert cart.totals().amount_total == D("32000")
    with pytest.raises(RegisterError, match="already used"):
        cart.apply_reward(1, 11, balance, points=20)


def test_reward_needs_a_customer(lshop, catalog):
    cart = Cart(lshop)
    cart.add(catalog.get(101))
    with pytest.raises(RegisterError, match="customer"):
        cart.apply_reward(1, 10, 500)
