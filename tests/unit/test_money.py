"""Money: exact decimals, Odoo's HALF-UP rounding, canonical strings, shop formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from register.money import Currency, float_round, money_str, to_decimal

D = Decimal
IDR = Currency("IDR", D("1"), 0, "Rp")
EUR = Currency("EUR", D("0.01"), 2, "€", "after")
USD = Currency("USD", D("0.01"), 2, "$")


def test_to_decimal_accepts_decimal_int_and_str():
    assert to_decimal(D("1.50")) == D("1.50")
    assert to_decimal(7) == D(7)
    assert to_decimal(" 12500.50 ") == D("12500.50")
    assert str(to_decimal("12500.50")) == "12500.50"  # the exponent is kept


@pytest.mark.parametrize("value", [1.5, 0.0, True, False, None, [1]])
def test_to_decimal_refuses_float_bool_and_others(value):
    with pytest.raises(TypeError):
        to_decimal(value)


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "1,5"])
def test_to_decimal_refuses_text_that_is_no_finite_number(value):
    with pytest.raises(ValueError):
        to_decimal(value)


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        # at 1 (IDR): .5 goes away from zero, on both sides
        ("2.5", "1", "3"),
        ("4.5", "1", "5"),  # not banker's rounding (that would give 4)
        ("2.4999", "1", "2"),
        ("-2.5", "1", "-3"),
        ("-2.4", "1", "-2"),
        ("693.693693", "1", "694"),  # PPN 11 % of 7000 included: 7000 * 11 / 111
        ("6305.5", "1", "6306"),
        # at 0.01: the classic float traps are exact here
        ("1.005", "0.01", "1.01"),
        ("2.675", "0.01", "2.68"),  # a float 2.675 is 2.67499.. and naive rounding gives 2.67
        ("-1.005", "0.01", "-1.01"),
        ("0.125", "0.01", "0.13"),
        ("0.1249", "0.01", "0.12"),
        # other steps: cash rounding to 0.05, rounding to hundreds
        ("1.024", "0.05", "1.00"),  # 1.024 / 0.05 = 20.48 -> 20
        ("1.025", "0.05", "1.05"),  # 20.5 -> 21
        ("12550", "100", "12600"),
        ("12549", "100", "12500"),
    ],
)
def test_float_round_half_up(value, precision, expected):
    result = float_round(D(value), D(precision))
    assert result == D(expected)
    assert money_str(result) == expected


@pytest.mark.parametrize(
    ("value", "method", "expected"),
    [
        ("1.001", "UP", "1.01"),  # UP = away from zero
        ("-1.001", "UP", "-1.01"),
        ("1.00", "UP", "1.00"),
        ("1.009", "DOWN", "1.00"),  # DOWN = toward zero
        ("-1.009", "DOWN", "-1.00"),
        ("1.005", "HALF-UP", "1.01"),
    ],
)
def test_float_round_up_and_down(value, method, expected):
    assert money_str(float_round(value, "0.01", method)) == expected


def test_float_round_gives_no_negative_zero_and_accepts_str_and_int():
    assert money_str(float_round("-0.4", 1)) == "0"
    assert money_str(float_round("-0.004", "0.01")) == "0.00"
    assert float_round(7, "1") == D(7)


def test_float_round_refuses_bad_arguments():
    with pytest.raises(ValueError):
        float_round("1", "0")
    with pytest.raises(ValueError):
        float_round("1", "0.01", "SIDEWAYS")
    with pytest.raises(TypeError):
        float_round(1.5, "0.01")


def test_money_str_is_canonical():
    assert money_str(D("6306")) == "6306"
    assert money_str(D("12500.50")) == "12500.50"
    assert money_str(D("-0")) == "0"
    assert money_str(D("1E+2")) == "100"  # never an exponent
    assert money_str(D("0.000001")) == "0.000001"
    assert money_str(D("-12.5")) == "-12.5"


def test_currency_round_uses_rounding_and_decimal_places():
    assert str(IDR.round("6305.63")) == "6306"
    assert str(IDR.round(D("0.5"))) == "1"
    assert str(EUR.round("10")) == "10.00"  # always 2 decimals for EUR
    assert str(EUR.round("10.005")) == "10.01"
    chf = Currency("CHF", "0.05", 2, "CHF")
    assert str(chf.round("1.024")) == "1.00"


def test_currency_is_zero():
    assert IDR.is_zero("0.4")
    assert not IDR.is_zero("0.5")
    assert EUR.is_zero("-0.004")
    assert not EUR.is_zero("0.005")


def test_currency_format_idr_uses_indonesian_separators():
    assert IDR.format(D("12500")) == "Rp 12.500"
    assert IDR.format(D("7000")) == "Rp 7.000"
    assert IDR.format(D("1234567")) == "Rp 1.234.567"
    assert IDR.format(D("999")) == "Rp 999"
    assert IDR.format(D("0")) == "Rp 0"
    assert IDR.format(D("-3000")) == "-Rp 3.000"
    idr2 = Currency("IDR", "0.01", 2, "Rp")
    assert idr2.format("12500.5") == "Rp 12.500,50"


def test_currency_format_generic():
    assert USD.format("1234.5") == "$ 1,234.50"
    assert EUR.format("1234567.891") == "1,234,567.89 €"
    assert Currency("XXX", "0.01", 2).format("5") == "5.00"


def test_currency_from_bootstrap(bootstrap):
    currency = Currency.from_bootstrap(bootstrap["currency"])
    assert currency == Currency("IDR", D("1"), 0, "Rp", "before")
    assert Currency.from_bootstrap(bootstrap) == currency  # the whole bootstrap works too


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4))
def test_half_up_is_symmetric_and_close(value):
    rounded = float_round(value, D("0.01"))
    assert abs(rounded - value) <= D("0.005")
    assert float_round(-value, D("0.01")) == -rounded
