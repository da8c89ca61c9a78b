"""Round globally at document level, as Odoo 18's _round_base_lines_tax_details, by hand.

Odoo 18 (18.0-20250421) in short: each line keeps its own rounded totals (what the POS shows and
sends as price_subtotal / price_subtotal_incl); per (tax, refund flag) the order books
round(sum of unrounded taxes), and the difference to the rounded line taxes is spread one cent
at a time over the lines, biggest total first, each taking ceil(its share); the same for each
tax base; the untaxed remainder of the document goes whole onto the line with the biggest
total as delta_total_excluded.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from conftest import finish
from demo_shop import BOOTSTRAP
from hypothesis import given
from hypothesis import strategies as st
from register.cart import Cart, Line
from register.catalog import Product
from register.check import check_order
from register.money import float_round
from register.shop import Shop
from register.taxes import (
    DocumentTotals,
    Tax,
    TaxLine,
    TaxResult,
    compute_taxes,
    document_totals,
    round_document,
)

D = Decimal
CENT = D("0.01")
CARD = 2


def globally(taxes, price, qty=1) -> TaxResult:
    return compute_taxes(taxes, price, qty, rounding_method="round_globally")


def sums(results: list[TaxResult]) -> tuple[Decimal, Decimal, Decimal]:
    totals = document_totals(results)
    return totals.base_amount, totals.tax_amount, totals.total_amount


def shop_in_cents(**config) -> Shop:
    """The demo shop (PPN 11 % included, id 1) in cents, round globally, plus PB1 10 %
    excluded (id 3), as a restaurant in Indonesia has them."""
    data = copy.deepcopy(BOOTSTRAP)
    data["currency"].update(rounding="0.01", decimal_places=2)
    data["config"]["tax_calculation_rounding_method"] = "round_globally"
    data["config"].update(config)
    data["taxes"].append(
        {"id": 3, "name": "PB1 10%", "amount_type": "percent", "amount": "10", "sequence": 3}
    )
    return Shop.from_bootstrap(data)


def product(i: int, price: str, taxes=(1,)) -> Product:
    return Product(id=i, name=f"P{i}", list_price=price, tax_ids=taxes)


# -- the document step, on tax results -----------------------------------------------------------


def test_odoo_docstring_two_lines_21_percent_included():
    # Odoo's own example: 2 x 21.53 with 21 % included.
    # Per line: 21.53 / 1.21 = 17.793388.. -> 17.79 ; tax 3.736611.. -> 3.74 ; total 21.53
    # Document: base 35.586776.. -> 35.59 (delta +0.01) ; tax 7.473223.. -> 7.47 (delta -0.01)
    # One cent each way, to l1 (the lines tie, the first wins). Odoo's docstring: both lines
    # keep price_subtotal 17.79 and price_total 21.53; l1's balance is 17.80.
    vat21 = Tax(1, "percent", 21, price_include=True)
    lines = round_document([globally([vat21], "21.53"), globally([vat21], "21.53")], CENT)
    assert lines[0] == TaxResult(
        D("17.79"), D("21.53"), [TaxLine(1, D("17.80"), D("3.73"))], D("0.01")
    )
    assert lines[1] == TaxResult(D("17.79"), D("21.53"), [TaxLine(1, D("17.79"), D("3.74"))])
    assert sums(lines) == (D("35.59"), D("7.47"), D("43.06"))


def test_odoo_comment_two_lines_23_percent_excluded():
    # Odoo's comment: qty 12.12 x 12.12 with 23 %, twice.
    # Per line: base 146.8944 -> 146.89 ; tax 33.785712 -> 33.79 ; total 180.680112 -> 180.68
    # Document: base 293.7888 -> 293.79 (+0.01) ; tax 67.571424 -> 67.57 (-0.01), both on l1
    vat23 = Tax(1, "percent", 23)
    raw = [globally([vat23], "12.12", "12.12"), globally([vat23], "12.12", "12.12")]
    lines = round_document(raw, CENT)
    assert sums(lines) == (D("293.79"), D("67.57"), D("361.36"))
    assert [(r.total_excluded, r.total_included) for r in lines] == [(D("146.89"), D("180.68"))] * 2
    assert [r.taxes[0] for r in lines] == [
        TaxLine(1, D("146.90"), D("33.78")),
        TaxLine(1, D("146.89"), D("33.79")),
    ]
    assert [r.delta_total_excluded for r in lines] == [D("0.01"), D(0)]
    # round per line rounds the base first: 146.89 * 23 % = 33.7847 -> 33.78, twice 67.56
    per_line = [compute_taxes([vat23], "12.12", "12.12") for _ in range(2)]
    assert sums(per_line)[1] == D("67.56")


def test_seven_times_4000_ppn_included_cent_by_cent():
    # 7 x 4000 incl. PPN 11 % in cents.
    # Per line: tax 4000 x 11 / 111 = 396.396396.. -> 396.40 ; base 3603.603603.. -> 3603.60
    # Document: tax 2774.774774.. -> 2774.77, the lines give 2774.80: 3 cents back. Each line
    # takes ceil(4000 x 3 / 28000) = 1 cent, biggest first (all tie: in line order), so lines
    # 1-3 book 396.39; their PPN base gets the +3 cents likewise (3603.61). The untaxed
    # remainder 25225.23 - 25225.20 goes whole onto line 1 as delta_total_excluded.
    ppn = Tax(1, "percent", 11, price_include=True)
    lines = round_document([globally([ppn], "4000") for _ in range(7)], CENT)
    assert [(r.total_excluded, r.total_included) for r in lines] == [
        (D("3603.60"), D("4000.00"))
    ] * 7
    assert [r.taxes[0] for r in lines] == [TaxLine(1, D("3603.61"), D("396.39"))] * 3 + [
        TaxLine(1, D("3603.60"), D("396.40"))
    ] * 4
    assert [r.delta_total_excluded for r in lines] == [D("0.03")] + [D(0)] * 6
    assert sums(lines) == (D("25225.23"), D("2774.77"), D("28000.00"))


def test_rupiah_six_noodles_ppn_included():
    # 6 lines at 1000 incl. PPN 11 %, IDR (rounding 1).
    # Per line: tax 1000 * 11 / 111 = 99.099.. -> 99 ; base 900.900.. -> 901 ; total 1000
    # Document: tax 594.594.. -> 595 (delta +1) ; base 5405.405.. -> 5405 (delta -1): line 1
    # takes ceil(1000 x 1 / 6000) = 1 of each. Every line still costs 1000.
    ppn = Tax(1, "percent", 11, price_include=True)
    lines = round_document([globally([ppn], "1000") for _ in range(6)], 1)
    assert sums(lines) == (D("5405"), D("595"), D("6000"))
    assert lines[0] == TaxResult(D("901"), D("1000"), [TaxLine(1, D("900"), D("100"))], D(-1))
    assert all(r == TaxResult(D(901), D(1000), [TaxLine(1, D(901), D(99))]) for r in lines[1:])


def test_difference_goes_to_the_line_with_the_biggest_total():
    # Lines 1000, 5000, 1000 (incl. 11 %): raw taxes 99.099.., 495.495.., 99.099..
    # rounded 99 + 495 + 99 = 693 ; document 693.693.. -> 694 : +1 on the 5000 line
    ppn = Tax(1, "percent", 11, price_include=True)
    lines = round_document([globally([ppn], p) for p in ("1000", "5000", "1000")], 1)
    assert [r.taxes[0].amount for r in lines] == [D("99"), D("496"), D("99")]
    assert sums(lines)[1] == D("694")


def test_odoo_dispatch_spreads_over_the_biggest_lines_first():
    # 10.04 and ten times 1.04, 10 % discount, 21 % excluded, in cents.
    # Line 1: base 9.036 -> 9.04, tax 1.89756 -> 1.90, total 10.93356 -> 10.93
    # Others: base 0.936 -> 0.94, tax 0.19656 -> 0.20, total 1.13256 -> 1.13
    # Tax: 3.86316 -> 3.86 against 3.90: -4 cents. Line 1 takes ceil(10.93 x 4 / 22.23) = 2,
    # then lines 2 and 3 one each. Base: 18.396 -> 18.40 against 18.44: -4 cents, the same
    # way; the untaxed remainder (-4 cents) goes whole onto line 1.
    vat21 = Tax(1, "percent", 21)
    raw = [globally([vat21], D("10.04") * D("0.9"))]
    raw += [globally([vat21], D("1.04") * D("0.9")) for _ in range(10)]
    lines = round_document(raw, CENT)
    assert [r.taxes[0] for r in lines[:4]] == [
        TaxLine(1, D("9.02"), D("1.88")),
        TaxLine(1, D("0.93"), D("0.19")),
        TaxLine(1, D("0.93"), D("0.19")),
        TaxLine(1, D("0.94"), D("0.20")),
    ]
    assert [r.delta_total_excluded for r in lines[:2]] == [D("-0.04"), D(0)]
    assert [(r.total_excluded, r.total_included) for r in lines[:2]] == [
        (D("9.04"), D("10.93")),
        (D("0.94"), D("1.13")),
    ]
    assert sums(lines) == (D("18.40"), D("3.86"), D("22.26"))


def test_each_tax_is_rounded_on_its_own():
    # Two lines with PPN 11 % excl. and PB1 10 % excl. at 0.35 x 3 = 1.05 (cents):
    # PPN 0.1155 -> 0.12 per line, document 0.231 -> 0.23 (-0.01)
    # PB1 0.105  -> 0.11 per line, document 0.21  -> 0.21 (-0.01)
    ppn = Tax(1, "percent", 11, sequence=1)
    pb1 = Tax(2, "percent", 10, sequence=2)
    lines = round_document([globally([ppn, pb1], "0.35", 3) for _ in range(2)], CENT)
    per_tax: dict[int, Decimal] = {}
    for result in lines:
        for tax_line in result.taxes:
            per_tax[tax_line.tax_id] = per_tax.get(tax_line.tax_id, D(0)) + tax_line.amount
    assert per_tax == {1: D("0.23"), 2: D("0.21")}
    assert sums(lines) == (D("2.10"), D("0.44"), D("2.54"))


def test_lines_without_tax_share_the_untaxed_rounding():
    # 0.333 + 1.333 + 0.333 without tax: rounded 0.33 + 1.33 + 0.33 = 1.99 ; the sum 1.999
    # rounds to 2.00, so +0.01 goes to the biggest line, as its delta_total_excluded: the
    # line itself still shows 1.33
    lines = round_document([globally([], p) for p in ("0.333", "1.333", "0.333")], CENT)
    assert [r.total_excluded for r in lines] == [D("0.33"), D("1.33"), D("0.33")]
    assert [r.delta_total_excluded for r in lines] == [D(0), D("0.01"), D(0)]
    assert sums(lines) == (D("2.00"), D("0"), D("2.00"))


def test_refund_lines_are_rounded_apart():
    # Odoo keys the rounding on is_refund: sales and returns each get their own sums.
    ppn = Tax(1, "percent", 11, price_include=True)
    raw = [globally([ppn], "1000") for _ in range(6)] + [globally([ppn], "-1000")]
    lines = round_document(raw, 1)
    # sales: as in the six noodles (595 tax) ; the return alone: -99.099.. -> -99
    assert lines[-1] == TaxResult(D(-901), D(-1000), [TaxLine(1, D(-901), D(-99))])
    assert sums(lines) == (D("5405") - D("901"), D("595") - D("99"), D("5000"))
    # when told otherwise, all lines are one group: 495.495.. -> 495
    as_one = round_document(raw, 1, is_refund=[False] * 7)
    assert sums(as_one)[1] == D("495")
    with pytest.raises(ValueError):
        round_document(raw, 1, is_refund=[False])


def test_a_refund_order_hands_the_cents_to_its_biggest_lines():
    # pos.order negates the quantities of an order whose total is negative, so the biggest
    # returns (not the smallest) take the cents. Returns of 1000, 5000, 1000 incl. 11 %:
    # taxes -99.099.., -495.495.., -99.099.. ; rounded -693 ; document -693.693.. -> -694
    ppn = Tax(1, "percent", 11, price_include=True)
    raw = [globally([ppn], p) for p in ("-1000", "-5000", "-1000")]
    as_is = round_document(raw, 1)  # plain account helpers: -1000 is "bigger" than -5000
    assert [r.taxes[0].amount for r in as_is] == [D(-100), D(-495), D(-99)]
    flipped = round_document(raw, 1, refund_order=None)  # decided from the negative total
    assert flipped == round_document(raw, 1, refund_order=True)
    assert [r.taxes[0].amount for r in flipped] == [D(-99), D(-496), D(-99)]
    assert sums(as_is) == sums(flipped) == (D(-6306), D(-694), D(-7000))


def test_round_per_line_input_is_left_as_it_is():
    ppn = Tax(1, "percent", 11, price_include=True)
    raw = [compute_taxes([ppn], "1000", precision_rounding=1) for _ in range(6)]
    assert round_document(raw, 1) == raw
    assert round_document([], 1) == []
    assert document_totals([]) == DocumentTotals(D(0), D(0), D(0))


# -- Odoo's own expected totals (account/tests/test_taxes_tax_totals_summary.py, 18.0) ------------


def test_odoo_summary_l10n_in_gst():
    # test_taxes_l10n_in: 2 x 15.89 under 6 % (affects base) + 6 % (affects base, not affected)
    # + 3 %; document currency amounts.
    t1 = Tax(1, "percent", 6, include_base_amount=True, sequence=1)
    t2 = Tax(2, "percent", 6, include_base_amount=True, is_base_affected=False, sequence=2)
    t3 = Tax(3, "percent", 3, sequence=3)
    taxes = [t1, t2, t3]
    lines = round_document([globally(taxes, "15.89") for _ in range(2)], CENT)
    assert sums(lines) == (D("31.78"), D("4.89"), D("36.67"))
    per_line = [compute_taxes(taxes, "15.89") for _ in range(2)]
    assert sums(per_line) == (D("31.78"), D("4.86"), D("36.64"))


@pytest.mark.parametrize(
    ("included", "expected"),
    [(False, ("141.45", "29.70", "171.15")), (True, ("116.90", "24.55", "141.45"))],
)
def test_odoo_summary_discount_with_round_globally(included, expected):
    # _test_discount_with_round_globally: six lines of 5 x 5.75 with 18 % off, 21 %.
    vat21 = Tax(1, "percent", 21, price_include=included)
    price = D("5.75") * (1 - D("18") / 100)
    lines = round_document([globally([vat21], price, 5) for _ in range(6)], CENT)
    assert sums(lines) == tuple(D(x) for x in expected)


def test_odoo_pos_round_globally_discount_real_use_case():
    # point_of_sale test_pos_create_correct_account_move_round_globally_discount_real_use_case:
    # 6 x 11.80 and -6 x 15.30, 5 % off, 21 % included: the session books sales 55.59 + 11.67
    # and returns 72.07 + 15.14 (refund lines are rounded apart), the order is -19.95.
    vat21 = Tax(1, "percent", 21, price_include=True)
    sold = globally([vat21], D("11.80") * D("0.95"), 6)
    back = globally([vat21], D("15.30") * D("0.95"), -6)
    lines = round_document([sold, back], CENT, refund_order=None)
    assert [(r.total_excluded, r.taxes[0].amount) for r in lines] == [
        (D("55.59"), D("11.67")),
        (D("-72.07"), D("-15.14")),
    ]
    assert sums(lines) == (D("-16.48"), D("-3.47"), D("-19.95"))


# -- the cart: what a line shows and sends, what the order books ----------------------------------


def test_cart_seven_times_4000_lines_are_4000_each():
    # The defect found against Odoo 18: every line of 4000 incl. PPN must be sent as
    # 3603.60 / 4000.00 (Odoo's POS computes each line alone); the order books the tax of
    # the whole document, 2774.77, and costs 28000.00.
    shop = shop_in_cents()
    cart = Cart(shop)
    for i in range(7):
        cart.add(product(200 + i, "4000"))
    totals = cart.totals()
    assert [(t.price_subtotal, t.price_subtotal_incl) for t in totals.lines] == [
        (D("3603.60"), D("4000.00"))
    ] * 7
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("25225.23"),
        D("2774.77"),
        D("28000.00"),
    )
    cart.add_payment(CARD, cart.amount_due)
    order = finish(cart)
    assert [(x["price_subtotal"], x["price_subtotal_incl"]) for x in order["lines"]] == [
        ("3603.60", "4000.00")
    ] * 7
    assert (order["amount_tax"], order["amount_total"]) == ("2774.77", "28000.00")
    assert check_order(order, shop) == []


def test_cart_mixed_included_excluded_untaxed_discount_and_refund():
    # A: 4000 with PPN 11 % incl. + PB1 10 % excl. (on the price without PPN)
    #    base 3603.6036.. -> 3603.60, PPN 396.3963.. -> 396.40, PB1 360.3603.. -> 360.36,
    #    total 4360.3603.. -> 4360.36 ; B: the same
    # C: 1234.45, 15 % off, PB1 only: base 1049.2825 -> 1049.28, PB1 104.928.. -> 104.93,
    #    total 1154.21075 -> 1154.21
    # D: 2500 without tax
    # R: A given back (qty -1): its own refund group, nothing to spread
    # Sales, PPN: 792.7927.. -> 792.79 against 792.80: -1 cent on A (ties with B, first)
    #   its PPN base: 7207.2072.. -> 7207.21 against 7207.20: +1 cent on A
    # Sales, PB1: 825.6489.. -> 825.65, nothing to spread; its base 8256.4897.. -> 8256.49
    #   against 8256.48: +1 cent on the biggest, A
    # Untaxed (sales): 10756.4897.. -> 10756.49 against 10756.48: +1 cent on A
    # Order: untaxed 10756.49 - 3603.60 = 7152.89 ; tax 792.79 + 825.65 - 396.40 - 360.36
    # = 861.68 ; total 8014.57 (= the lines' own totals here)
    shop = shop_in_cents()
    cart = Cart(shop)
    cart.add(product(1, "4000", (1, 3)))
    cart.add(product(2, "4000", (1, 3)))
    c = cart.add(product(3, "1234.45", (3,)))
    cart.set_discount(c.uuid, "15")
    cart.add(product(4, "2500", ()))
    cart.lines.append(Line("r", 1, "P1", D(-1), D("4000"), tax_ids=(1, 3)))
    totals = cart.totals()
    assert [(t.price_subtotal, t.price_subtotal_incl) for t in totals.lines] == [
        (D("3603.60"), D("4360.36")),
        (D("3603.60"), D("4360.36")),
        (D("1049.28"), D("1154.21")),
        (D("2500.00"), D("2500.00")),
        (D("-3603.60"), D("-4360.36")),
    ]
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("7152.89"),
        D("861.68"),
        D("8014.57"),
    )


def test_cart_pb1_excluded_discount_lines_keep_their_own_subtotal():
    # Three lines of 1234.45, 15 % off, PB1 10 % excluded:
    # each: base 1049.2825 -> 1049.28, tax 104.928.. -> 104.93, total 1154.21075 -> 1154.21
    # tax 314.78475 -> 314.78 (the lines give 314.79) ; untaxed 3147.8475 -> 3147.85 (3147.84)
    # so the order's untaxed amount is a cent above the sum of the lines' own, as in Odoo;
    # the old register put that cent into line 1's price_subtotal (1049.29).
    shop = shop_in_cents()
    cart = Cart(shop)
    for i in range(3):
        line = cart.add(product(10 + i, "1234.45", (3,)))
        cart.set_discount(line.uuid, "15")
    totals = cart.totals()
    assert [(t.price_subtotal, t.price_subtotal_incl) for t in totals.lines] == [
        (D("1049.28"), D("1154.21"))
    ] * 3
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("3147.85"),
        D("314.78"),
        D("3462.63"),
    )
    cart.add_payment(CARD, cart.amount_due)
    assert check_order(finish(cart), shop) == []


def test_cart_order_discount_line_is_a_refund_line_for_rounding():
    # pos_discount's line has a negative price: pos.order counts it as a refund line
    # (qty x price_unit < 0), so it is rounded apart from the sales.
    # Sales: 7 x 4000 as above (PPN 2774.77) ; 10 % off: -2800 incl. PPN, alone:
    # PPN -277.477.. -> -277.48, base -2522.52 ; order 25200.00, tax 2774.77 - 277.48
    # (one group would book 2497.297.. -> 2497.30)
    shop = shop_in_cents(discount_product_id=900)
    cart = Cart(shop)
    for i in range(7):
        cart.add(product(200 + i, "4000"))
    cart.set_order_discount("10")
    totals = cart.totals()
    assert totals.lines[-1].price_subtotal_incl == D("-2800.00")
    assert (totals.amount_untaxed, totals.amount_tax, totals.amount_total) == (
        D("22702.71"),
        D("2497.29"),
        D("25200.00"),
    )


# -- properties -----------------------------------------------------------------------------------

prices = st.decimals(min_value=-(10**5), max_value=10**6, places=2)
quantities = st.decimals(min_value=D("0.001"), max_value=100, places=3)
rates = st.sampled_from([D("0"), D("5"), D("10"), D("11"), D("12.5"), D("21")])
tax_specs = st.lists(st.tuples(rates, st.booleans()), min_size=0, max_size=3)
line_specs = st.lists(st.tuples(prices, quantities, tax_specs), min_size=1, max_size=12)


@given(line_specs, st.sampled_from([D("0.01"), D("1")]), st.sampled_from([False, True, None]))
def test_property_document_totals_are_rounded_sums_of_unrounded_amounts(specs, precision, flip):
    raw = []
    for price, qty, spec in specs:
        taxes = [Tax(i + 1, "percent", r, price_include=inc) for i, (r, inc) in enumerate(spec)]
        raw.append(compute_taxes(taxes, price, qty, rounding_method="round_globally"))
    lines = round_document(raw, precision, refund_order=flip)

    def r(x):
        return float_round(x, precision)

    # per (tax, refund flag): the booked tax is the rounded sum of the unrounded ones, and the
    # untaxed amount per refund flag likewise
    raw_tax: dict[tuple, Decimal] = {}
    booked: dict[tuple, Decimal] = {}
    weight: dict[tuple, Decimal] = {}
    raw_untaxed: dict[bool, Decimal] = {}
    booked_untaxed: dict[bool, Decimal] = {}
    for before, after in zip(raw, lines, strict=True):
        refund = before.total_excluded < 0
        assert [t.tax_id for t in before.taxes] == [t.tax_id for t in after.taxes]
        # the line keeps its own totals, rounded
        assert after.total_excluded == r(before.total_excluded)
        assert after.total_included == r(before.total_included)
        for t0, t1 in zip(before.taxes, after.taxes, strict=True):
            key = (t0.tax_id, refund)
            raw_tax[key] = raw_tax.get(key, D(0)) + t0.amount
            booked[key] = booked.get(key, D(0)) + t1.amount
            weight[key] = weight.get(key, D(0)) + abs(after.total_included)
            assert t1.amount == r(t1.amount) and t1.base == r(t1.base)  # on the grid
            # no line moves by more than the rounding of the whole document could need
            assert abs(t1.amount - r(t0.amount)) <= precision * len(raw)
        raw_untaxed[refund] = raw_untaxed.get(refund, D(0)) + before.total_excluded
        booked_untaxed[refund] = (
            booked_untaxed.get(refund, D(0)) + after.total_excluded + after.delta_total_excluded
        )
    # a tax whose lines all cost nothing (rounded) has no weights to spread by: Odoo leaves
    # its rounded line amounts as they are
    for key, amount in raw_tax.items():
        if weight[key]:
            assert booked[key] == r(amount)
    assert booked_untaxed == {k: r(v) for k, v in raw_untaxed.items()}
    untaxed, tax, total = sums(lines)
    assert total == untaxed + tax
