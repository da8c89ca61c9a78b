"""Cash rounding as account.cash.rounding: round() and compute_difference(), by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from register.cash_rounding import CashRounding

D = Decimal
NICKEL = CashRounding(1, "0.05", "0.05", "HALF-UP")
RP100_HALF = CashRounding(2, "Rp 100", "100", "HALF-UP")
RP100_UP = CashRounding(3, "Rp 100 up", "100", "UP")
RP100_DOWN = CashRounding(4, "Rp 100 down", "100", "DOWN")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1.02", "1.00"),  # 20.4 steps -> 20
        ("1.025", "1.05"),  # 20.5 steps -> 21: half goes away from zero
        ("1.03", "1.05"),
        ("1.07", "1.05"),
        ("1.075", "1.10"),
        ("-1.025", "-1.05"),  # refunds mirror sales
        ("0.02", "0.00"),
    ],
)
def test_half_up_to_five_cents(amount, expected):
    result = NICKEL.round(amount)
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("rounding", "amount", "expected"),
    [
        (RP100_HALF, "7770", "7800"),  # 77.7 -> 78
        (RP100_HALF, "7750", "7800"),  # 77.5 -> 78
        (RP100_HALF, "7749", "7700"),
        (RP100_UP, "7701", "7800"),  # UP: away from zero
        (RP100_UP, "7700", "7700"),  # already on a step
        (RP100_UP, "-7701", "-7800"),
        (RP100_DOWN, "7799", "7700"),  # DOWN: toward zero
        (RP100_DOWN, "-7799", "-7700"),
    ],
)
def test_rupiah_steps_and_methods(rounding, amount, expected):
    assert rounding.round(amount) == D(expected)


def test_difference_is_what_to_add():
    # Contract example 7770: to 7800 is +30 (HALF-UP, UP), to 7700 is -70 (DOWN)
    assert RP100_HALF.difference("7770") == D("30")
    assert RP100_UP.difference("7770") == D("30")
    assert RP100_DOWN.difference("7770") == D("-70")
    assert RP100_HALF.difference("7800") == D("0")
    assert str(RP100_HALF.difference("7800")) == "0"  # no "-0"


def test_difference_rounds_to_the_currency_first():
    # compute_difference(currency, amount): 12.344 -> 12.34 (currency) -> 12.35 (step) : +0.01
    assert NICKEL.difference("12.344", D("0.01")) == D("0.01")
    # without the currency the raw amount counts: 12.35 - 12.344 = 0.006
    assert NICKEL.difference("12.344") == D("0.006")
    # 12.326 -> 12.33 -> 12.35 : +0.02 (12.326 itself would round to 12.35 too, +0.024)
    assert NICKEL.difference("12.326", D("0.01")) == D("0.02")


def test_from_bootstrap_and_validation():
    rounding = CashRounding.from_bootstrap(
        {"id": 7, "name": "5 sen", "rounding": 0.05, "rounding_method": "UP"}
    )
    assert rounding == CashRounding(7, "5 sen", D("0.05"), "UP")
    assert CashRounding.from_bootstrap({"id": 8, "rounding": "500"}).rounding_method == "HALF-UP"
    with pytest.raises(ValueError):
        CashRounding(1, "bad", "0", "UP")
    with pytest.raises(ValueError):
        CashRounding(1, "bad", "100", "HALF-EVEN")  # not one of Odoo's three
    with pytest.raises(TypeError):
        CashRounding(1, "bad", 0.05, "UP")


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2)
steps = st.sampled_from([D("0.05"), D("0.1"), D("0.25"), D("1"), D("50"), D("100"), D("500")])


@given(amounts, steps)
def test_property_half_up_never_moves_more_than_half_a_step(amount, step):
    rounded = CashRounding(1, "r", step, "HALF-UP").round(amount)
    assert rounded % step == 0
    assert abs(rounded - amount) <= step / 2
    assert CashRounding(1, "r", step, "HALF-UP").difference(amount) == rounded - amount


@given(amounts, steps)
def test_property_up_and_down_stay_within_one_step_on_their_side(amount, step):
    up = CashRounding(1, "r", step, "UP").round(amount)
    down = CashRounding(1, "r", step, "DOWN").round(amount)
    assert up % step == 0 and down % step == 0
    assert abs(up) >= abs(amount) > abs(up) - step  # away from zero, less than a step
    assert abs(down) <= abs(amount) < abs(down) + step  # toward zero, less than a step
