"""Amounts as a cashier types them (`parse_money`): Indonesian separators and words, and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from register.errors import InvalidAmount
from register.money import AmountError, Currency, parse_money

IDR = Currency("IDR", Decimal("1"), 0, "Rp")  # the demo shop: no decimals
IDR2 = Currency("IDR", Decimal("0.01"), 2, "Rp")  # Odoo's own IDR: 2 decimals
USD = Currency("USD", Decimal("0.01"), 2, "$")
KWD = Currency("KWD", Decimal("0.001"), 3, "KD", "after")


@pytest.mark.parametrize(
    ("typed", "currency", "amount"),
    [
        ("28.000", IDR, "28000"),
        ("28.000,00", IDR, "28000"),
        ("28.000,00", IDR2, "28000.00"),
        ("Rp 28.000", IDR, "28000"),
        ("Rp28.000", IDR, "28000"),
        ("rp 28.000", IDR, "28000"),
        ("Rp. 28.000", IDR, "28000"),
        ("IDR 28000", IDR, "28000"),
        ("28.000 Rp", IDR, "28000"),
        ("  28000  ", IDR, "28000"),
        ("28000", IDR, "28000"),
        ("28rb", IDR, "28000"),
        ("28 ribu", IDR, "28000"),
        ("28k", IDR, "28000"),
        ("28K", IDR, "28000"),
        ("Rp 28rb", IDR, "28000"),
        ("1,5jt", IDR, "1500000"),
        ("1.5jt", IDR, "1500000"),
        ("1,5 juta", IDR, "1500000"),
        ("1jt", IDR, "1000000"),
        ("1.250.000", IDR, "1250000"),
        ("1.500jt", IDR, "1500000000"),  # a thousands group, then millions
        ("0", IDR, "0"),
        # a lone "." that cannot be a thousands group is the decimal mark
        ("2.5", IDR2, "2.50"),
        ("2.50", IDR2, "2.50"),
        (".50", IDR2, "0.50"),
        ("0.500", IDR2, "0.50"),  # "0.500" cannot be a group (a group never starts with 0)
        (",50", IDR2, "0.50"),
        ("12,5", IDR2, "12.50"),
        ("1.234,56", IDR2, "1234.56"),
        ("1,234.56", IDR2, "1234.56"),  # both separators: the last one marks the decimals
        # other currencies: "," groups thousands, "." marks decimals
        ("50000", USD, "50000.00"),
        ("12,50", USD, "12.50"),  # 2 digits after a comma cannot be a thousands group
        ("1,234.56", USD, "1234.56"),
        ("1.234,56", USD, "1234.56"),
        ("1,234", USD, "1234.00"),
        ("$ 20", USD, "20.00"),
        ("$20.5", USD, "20.50"),
        ("USD 1k", USD, "1000.00"),
        ("1.234", KWD, "1.234"),  # 3 decimals exist in KWD: no ambiguity
        ("1,234.567 KD", KWD, "1234.567"),
    ],
)
def test_parse_money_reads_what_the_cashier_means(typed, currency, amount):
    result = parse_money(typed, currency)
    assert result == Decimal(amount) and str(result) == amount


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("", IDR, "Type an amount such as 28.000 or 28rb."),
        ("   ", IDR, "Type an amount such as 28.000 or 28rb."),
        ("-5000", IDR, "An amount cannot be negative."),
        ("-Rp 5.000", IDR, "An amount cannot be negative."),
        ("Rp -5.000", IDR, "An amount cannot be negative."),
        ("-0", IDR, "An amount cannot be negative."),
        ("5000-", IDR, "“5000-” is not an amount: type one such as 28.000 or 28rb."),
        ("+5000", IDR, "is not an amount"),
        ("28 000", IDR, "is not an amount"),
        ("28  rb", IDR, "is not an amount"),
        ("28rbu", IDR, "is not an amount"),
        ("lots", IDR, "is not an amount"),
        ("Rp", IDR, "is not an amount"),
        ("1e5", IDR, "is not an amount"),
        ("NaN", IDR, "is not an amount"),
        ("28.", IDR, "is not an amount"),
        ("1.234,", IDR, "is not an amount"),
        ("1.2345.678", IDR, "is not an amount"),
        ("1.234.56", IDR, "is not an amount"),
        ("1,234,5.6", IDR, "is not an amount"),
        ("€ 20", USD, "is not an amount"),
        ("Rp 20", USD, "is not an amount"),
        # "28,000" in IDR: 28 with 3 decimals cannot be meant, 28.000 probably is: ask
        ("28,000", IDR, "“28,000” is unclear: type 28.000 for thousands; in Rp “,” marks"),
        ("28,000", IDR2, "type 28.000 for thousands"),
        ("28.000", USD, "type 28,000 for thousands"),
        # decimals the currency does not have (zeros are fine, see above)
        ("2,5", IDR, "Rp has no decimals."),
        ("2.5", IDR, "Rp has no decimals."),
        ("1.234,56", IDR, "Rp has no decimals."),
        ("12,345", USD, None),  # a thousands group in USD: not refused
        ("0,125", IDR2, "Rp has no more than 2 decimals."),
        ("1.0000005jt", IDR, "Rp has no decimals."),
        ("٢٨٠٠٠", IDR, "type the amount with the digits 0-9"),
        ("２８０００", IDR, "type the amount with the digits 0-9"),
        ("1" * 33, IDR, "That amount is too long."),
        ("1.000.000.000jt", IDR, "too large an amount"),
    ],
)
def test_parse_money_refuses_what_is_not_an_amount(typed, currency, message):
    if message is None:
        parse_money(typed, currency)
        return
    with pytest.raises(AmountError) as caught:
        parse_money(typed, currency)
    assert message in caught.value.message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, InvalidAmount)


def test_parse_money_refuses_what_is_not_text():
    for value in (None, 5000, Decimal(5000)):
        with pytest.raises(AmountError):
            parse_money(value, IDR)  # type: ignore[arg-type]


CURRENCIES = [IDR, IDR2, USD, KWD, Currency("EUR", Decimal("0.01"), 2, "€", "after")]


@given(
    st.sampled_from(CURRENCIES),
    st.decimals(min_value=0, max_value=Decimal("999999999999.999"), places=3),
)
def test_a_formatted_amount_parses_back_to_itself(currency, value):
    amount = currency.round(value)
    assert parse_money(currency.format(amount), currency) == amount
    assert parse_money(currency.format_number(amount), currency) == amount
