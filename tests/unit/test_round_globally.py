"""Round globally at document level, as Odoo's _round_base_lines_tax_details, by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from register.money import float_round
from register.taxes import Tax, TaxLine, TaxResult, compute_taxes, round_document

D = Decimal
CENT = D("0.01")


def globally(taxes, price, qty=1) -> TaxResult:
    return compute_taxes(taxes, price, qty, rounding_method="round_globally")


def sums(results: list[TaxResult]) -> tuple[Decimal, Decimal, Decimal]:
    untaxed = sum((r.total_excluded for r in results), D(0))
    tax = sum((t.amount for r in results for t in r.taxes), D(0))
    total = sum((r.total_included for r in results), D(0))
    return untaxed, tax, total


def test_odoo_docstring_two_lines_21_percent_included():
    # Odoo's own example: 2 x 21.53 with 21 % included.
    # Per line: 21.53 / 1.21 = 17.793388.. -> 17.79 ; tax 3.736611.. -> 3.74
    # Document: base 35.586776.. -> 35.59 (delta +0.01) ; tax 7.473223.. -> 7.47 (delta -0.01)
    # Both deltas go to l1 (the lines tie, the first wins): l1 17.80 + 3.73, l2 17.79 + 3.74.
    vat21 = Tax(1, "percent", 21, price_include=True)
    lines = round_document([globally([vat21], "21.53"), globally([vat21], "21.53")], CENT)
    assert lines[0] == TaxResult(D("17.80"), D("21.53"), [TaxLine(1, D("17.80"), D("3.73"))])
    assert lines[1] == TaxResult(D("17.79"), D("21.53"), [TaxLine(1, D("17.79"), D("3.74"))])
    assert sums(lines) == (D("35.59"), D("7.47"), D("43.06"))


def test_odoo_comment_two_lines_23_percent_excluded():
    # Odoo's comment: qty 12.12 x 12.12 with 23 %, twice.
    # Per line: base 146.8944 -> 146.89 ; tax 33.785712 -> 33.79
    # Document: base 293.7888 -> 293.79 (+0.01) ; tax 67.571424 -> 67.57 (-0.01)
    vat23 = Tax(1, "percent", 23)
    raw = [globally([vat23], "12.12", "12.12"), globally([vat23], "12.12", "12.12")]
    lines = round_document(raw, CENT)
    assert sums(lines) == (D("293.79"), D("67.57"), D("361.36"))
    assert [(r.total_excluded, r.taxes[0].amount) for r in lines] == [
        (D("146.90"), D("33.78")),
        (D("146.89"), D("33.79")),
    ]
    # round per line rounds the base first: 146.89 * 23 % = 33.7847 -> 33.78, twice 67.56
    per_line = [compute_taxes([vat23], "12.12", "12.12") for _ in range(2)]
    assert sums(per_line)[1] == D("67.56")


def test_rupiah_six_noodles_ppn_included():
    # 6 lines at 1000 incl. PPN 11 %, IDR (rounding 1).
    # Per line: tax 1000 * 11 / 111 = 99.099.. -> 99 ; base 900.900.. -> 901
    # Document: tax 594.594.. -> 595 (delta +1) ; base 5405.405.. -> 5405 (delta -1)
    # Order: 5405 + 595 = 6000, the shelf prices; round per line would say 594 tax, 5406 base.
    ppn = Tax(1, "percent", 11, price_include=True)
    raw = [globally([ppn], "1000") for _ in range(6)]
    lines = round_document(raw, 1)
    assert sums(lines) == (D("5405"), D("595"), D("6000"))
    assert (lines[0].total_excluded, lines[0].taxes[0].amount) == (D("900"), D("100"))
    assert all((r.total_excluded, r.taxes[0].amount) == (D("901"), D("99")) for r in lines[1:])
    assert [r.total_included for r in lines] == [D("1000")] * 6


def test_difference_goes_to_the_line_with_the_biggest_total():
    # Lines 1000, 5000, 1000 (incl. 11 %): raw taxes 99.099.., 495.495.., 99.099..
    # rounded 99 + 495 + 99 = 693 ; document 693.693.. -> 694 : +1 on the 5000 line
    ppn = Tax(1, "percent", 11, price_include=True)
    raw = [globally([ppn], p) for p in ("1000", "5000", "1000")]
    lines = round_document(raw, 1)
    assert [r.taxes[0].amount for r in lines] == [D("99"), D("496"), D("99")]
    assert sums(lines)[1] == D("694")


def test_each_tax_is_rounded_on_its_own():
    # Two lines with PPN 11 % excl. and PB1 10 % excl. at 0.35 x 3 = 1.05 (cents):
    # PPN 0.1155 -> 0.12 per line, document 0.231 -> 0.23 (-0.01)
    # PB1 0.105  -> 0.11 per line, document 0.21  -> 0.21 (-0.01)
    ppn = Tax(1, "percent", 11, sequence=1)
    pb1 = Tax(2, "percent", 10, sequence=2)
    raw = [globally([ppn, pb1], "0.35", 3), globally([ppn, pb1], "0.35", 3)]
    lines = round_document(raw, CENT)
    per_tax = {}
    for result in lines:
        for tax_line in result.taxes:
            per_tax[tax_line.tax_id] = per_tax.get(tax_line.tax_id, D(0)) + tax_line.amount
    assert per_tax == {1: D("0.23"), 2: D("0.21")}
    assert sums(lines) == (D("2.10"), D("0.44"), D("2.54"))


def test_lines_without_tax_share_the_untaxed_rounding():
    # 0.333 + 1.333 + 0.333 without tax: rounded 0.33 + 1.33 + 0.33 = 1.99 ; the sum 1.999
    # rounds to 2.00, so +0.01 goes to the biggest line
    raw = [globally([], p) for p in ("0.333", "1.333", "0.333")]
    lines = round_document(raw, CENT)
    assert [r.total_excluded for r in lines] == [D("0.33"), D("1.34"), D("0.33")]
    assert [r.total_included for r in lines] == [D("0.33"), D("1.34"), D("0.33")]
    assert sums(lines) == (D("2.00"), D("0"), D("2.00"))


def test_refund_lines_are_rounded_apart():
    # Odoo keys the rounding on is_refund: sales and returns each get their own sums.
    ppn = Tax(1, "percent", 11, price_include=True)
    raw = [globally([ppn], "1000") for _ in range(6)] + [globally([ppn], "-1000")]
    lines = round_document(raw, 1)
    # sales: as in the six noodles (595 tax) ; the return alone: -99.099.. -> -99
    assert lines[-1].taxes[0].amount == D("-99")
    assert sums(lines) == (D("5405") - D("901"), D("595") - D("99"), D("5000"))
    # when told otherwise, all lines are one group: 495.495.. -> 495
    as_one = round_document(raw, 1, is_refund=[False] * 7)
    assert sums(as_one)[1] == D("495")
    with pytest.raises(ValueError):
        round_document(raw, 1, is_refund=[False])


def test_round_per_line_input_is_left_as_it_is():
    ppn = Tax(1, "percent", 11, price_include=True)
    raw = [compute_taxes([ppn], "1000", precision_rounding=1) for _ in range(6)]
    assert round_document(raw, 1) == raw
    assert round_document([], 1) == []


# -- properties -------------------------------------------------------------------------------

prices = st.decimals(min_value=0, max_value=10**6, places=2)
quantities = st.decimals(min_value=D("0.001"), max_value=100, places=3)
rates = st.sampled_from([D("0"), D("5"), D("10"), D("11"), D("12.5"), D("21")])
tax_specs = st.lists(st.tuples(rates, st.booleans()), min_size=0, max_size=3)
line_specs = st.lists(st.tuples(prices, quantities, tax_specs), min_size=1, max_size=12)


@given(line_specs, st.sampled_from([D("0.01"), D("1")]))
def test_property_document_totals_are_rounded_sums_of_unrounded_amounts(specs, precision):
    raw = []
    for price, qty, spec in specs:
        taxes = [Tax(i + 1, "percent", r, price_include=inc) for i, (r, inc) in enumerate(spec)]
        raw.append(compute_taxes(taxes, price, qty, rounding_method="round_globally"))
    lines = round_document(raw, precision)

    def r(x):
        return float_round(x, precision)

    # per tax: the booked tax is the rounded sum of the unrounded taxes
    raw_tax: dict[int, Decimal] = {}
    booked: dict[int, Decimal] = {}
    for before, after in zip(raw, lines, strict=True):
        assert [t.tax_id for t in before.taxes] == [t.tax_id for t in after.taxes]
        for t in before.taxes:
            raw_tax[t.tax_id] = raw_tax.get(t.tax_id, D(0)) + t.amount
        for t in after.taxes:
            booked[t.tax_id] = booked.get(t.tax_id, D(0)) + t.amount
            assert t.amount == r(t.amount)  # every amount is on the currency's grid
        # a line is the sum of its parts
        assert after.total_included == after.total_excluded + sum(
            (t.amount for t in after.taxes), D(0)
        )
    assert booked == {tax_id: r(amount) for tax_id, amount in raw_tax.items()}
    untaxed, tax, total = sums(lines)
    assert untaxed == r(sum((x.total_excluded for x in raw), D(0)))
    assert total == untaxed + tax
    # no line moves by more than the rounding of the whole document could need
    for before, after in zip(raw, lines, strict=True):
        assert abs(after.total_excluded - before.total_excluded) <= precision * len(raw)
