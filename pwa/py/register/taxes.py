"""Sales taxes computed the way Odoo's `account.tax._get_tax_details` computes them, in Decimal.

Odoo's algorithm, in short:
1. flatten groups into their children and sort by (sequence, id);
2. cut the list, walking it backwards, into batches of consecutive taxes sharing amount_type,
   price_include and include_base_amount (price-included percent taxes of one batch are removed
   together: 11 % + 5 % included means dividing by 1.16, not by 1.11 then 1.05);
3. evaluate fixed taxes first, then price-included taxes in reverse order, then price-excluded taxes
   in order; each computed amount shifts the base of the taxes around it (`_propagate`);
4. each tax's base is the line base plus those shifts, minus its own batch when price-included.

With round_per_line the line base and each tax amount are rounded to the currency; with
round_globally nothing is rounded here. `round_document` is the document step of Odoo 18's
`_round_base_lines_tax_details`: each line keeps its own rounded totals (what the POS shows and
sends per line), while per tax the order books round(sum of unrounded amounts), the difference
spread cent by cent over the biggest lines; `document_totals` then gives the order's untaxed,
tax and total amounts as `_get_tax_totals_summary` does.

`special_mode` is Odoo's switch to treat every tax as price-excluded ("total_excluded") or as
price-included ("total_included"); fiscal positions use it to adapt a price to other taxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from .money import CONTEXT, float_round, to_decimal

__all__ = [
    "DocumentTotals",
    "Tax",
    "TaxLine",
    "TaxResult",
    "compute_taxes",
    "document_totals",
    "flatten_taxes",
    "round_document",
]

AMOUNT_TYPES = ("percent", "fixed", "division", "group")
SPECIAL_MODES = (None, "total_excluded", "total_included")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Tax:
    """One account.tax as the register needs it; a group holds its children as Tax objects."""

    id: int
    amount_type: str
    amount: Decimal = ZERO
    _: KW_ONLY
    price_include: bool = False
    include_base_amount: bool = False
    is_base_affected: bool = True
    sequence: int = 1
    children: tuple[Tax, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if self.amount_type not in AMOUNT_TYPES:
            raise ValueError(f"unknown tax amount_type {self.amount_type!r}")
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "children", tuple(self.children))

    @classmethod
    def from_bootstrap(cls, data: dict, by_id: dict[int, Any] | None = None) -> Tax:
        """Build from a bootstrap tax; `by_id` maps ids to bootstrap dicts (or Tax) for children."""
        by_id = by_id or {}
        children = []
        if data.get("amount_type") == "group":
            for child_id in data.get("children_tax_ids") or ():
                child = by_id.get(child_id)
                if child is None:
                    raise ValueError(f"tax {data['id']} names unknown child tax {child_id}")
                if not isinstance(child, Tax):
                    child = cls.from_bootstrap(child, by_id)
                children.append(child)
        return cls(
            int(data["id"]),
            data["amount_type"],
            to_decimal(data.get("amount", "0")),
            price_include=bool(data.get("price_include", False)),
            include_base_amount=bool(data.get("include_base_amount", False)),
            is_base_affected=bool(data.get("is_base_affected", True)),
            sequence=int(data.get("sequence", 1)),
            children=tuple(children),
            name=data.get("name") or "",
        )


@dataclass(frozen=True)
class TaxLine:
    """The amount of one (flattened) tax on one line and the base it was computed on."""

    tax_id: int
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TaxResult:
    """What compute_taxes returns: line totals without and with tax, and the tax detail.

    `delta_total_excluded` is set by `round_document` only: the line's share of the document's
    untaxed rounding difference (Odoo's tax_details key of the same name).
    """

    total_excluded: Decimal
    total_included: Decimal
    taxes: list[TaxLine]
    delta_total_excluded: Decimal = ZERO


def _flatten(taxes: list[Tax]) -> list[Tax]:
    """Groups replaced by their children, sorted by (sequence, id), each tax once."""

    def key(tax: Tax) -> tuple[int, int]:
        return tax.sequence, tax.id

    flat: list[Tax] = []
    seen: set[int] = set()
    for tax in sorted(taxes, key=key):
        members = sorted(tax.children, key=key) if tax.amount_type == "group" else [tax]
        for member in members:
            if member.amount_type == "group":
                raise ValueError(f"tax group {tax.id} cannot contain another group {member.id}")
            if member.id not in seen:
                seen.add(member.id)
                flat.append(member)
    return flat


def flatten_taxes(taxes: Any) -> list[Tax]:
    """The taxes as they are evaluated: groups replaced by their children, sorted, each once."""
    return _flatten(list(taxes))


def _batches(flat: list[Tax], special_mode: str | None = None) -> dict[int, list[Tax]]:
    """Map each tax id to its batch (Odoo's `_batch_for_taxes_computation`).

    In a special mode every tax is evaluated the same way, so price_include no longer splits.
    """
    batch_of: dict[int, list[Tax]] = {}
    batch: list[Tax] = []
    previous_is_base_affected = False
    for tax in reversed(flat):
        if batch:
            first = batch[0]
            same = (
                tax.amount_type == first.amount_type
                and (special_mode is not None or tax.price_include == first.price_include)
                and tax.include_base_amount == first.include_base_amount
                and (not tax.include_base_amount or not previous_is_base_affected)
            )
            if not same:
                for member in batch:
                    batch_of[member.id] = batch
                batch = []
        previous_is_base_affected = tax.is_base_affected
        batch.append(tax)
    for member in batch:
        batch_of[member.id] = batch
    return batch_of


class _State:
    """Per-tax working values while the line is evaluated."""

    __slots__ = (
        "amount",
        "base",
        "batch",
        "extra_base_for_base",
        "extra_base_for_tax",
        "price_include",
        "tax",
    )

    def __init__(self, tax: Tax, batch: list[Tax], price_include: bool) -> None:
        self.tax = tax
        self.batch = batch
        self.price_include = price_include  # how it is evaluated (the special mode may override)
        self.amount: Decimal | None = None
        self.base = ZERO
        self.extra_base_for_tax = ZERO
        self.extra_base_for_base = ZERO


def _propagate(
    flat: list[Tax], state: dict[int, _State], tax: Tax, special_mode: str | None = None
) -> None:
    """Shift the bases of other taxes by the amount just computed for `tax`."""
    batch_ids = {t.id for t in state[tax.id].batch}
    amount = state[tax.id].amount
    assert amount is not None

    def before():  # taxes sorted before this tax's batch
        for other in flat:
            if other.id in batch_ids:
                return
            yield other

    def after():  # taxes sorted after this tax's batch, nearest last
        for other in reversed(flat):
            if other.id in batch_ids:
                return
            yield other

    def shift(other: Tax, sign: int) -> None:
        data = state[other.id]
        if data.amount is None:
            data.extra_base_for_tax += sign * amount
        data.extra_base_for_base += sign * amount

    if tax.price_include:
        if special_mode != "total_excluded":
            # An included tax is inside the price: the taxes before it, and the ones after it
            # that it does not feed, must see the price without it.
            for other in after():
                if not tax.include_base_amount or not other.is_base_affected:
                    shift(other, -1)
            for other in before():
                shift(other, -1)
        elif tax.include_base_amount:
            # Treated as excluded: it adds itself to the base of later affected taxes.
            for other in after():
                if other.is_base_affected:
                    shift(other, 1)
    elif special_mode != "total_included":
        if tax.include_base_amount:
            # An excluded tax that affects the base adds itself to later affected taxes.
            for other in after():
                if other.is_base_affected:
                    shift(other, 1)
    else:
        # An excluded tax treated as included comes out of the price of the others.
        if not tax.include_base_amount:
            for other in after():
                shift(other, -1)
        for other in before():
            shift(other, -1)


def _sum(values) -> Decimal:
    total = ZERO
    for value in values:
        total = CONTEXT.add(total, value)
    return total


def _amount_fixed(tax: Tax, price_unit: Decimal, quantity: Decimal) -> Decimal:
    sign = -1 if price_unit < 0 else 1
    return CONTEXT.multiply(CONTEXT.multiply(sign, quantity), tax.amount)


def _amount_included(tax: Tax, batch: list[Tax], base: Decimal) -> Decimal:
    if tax.amount_type == "percent":
        # base * amount / (100 + batch total): one division keeps exact halves exact.
        divisor = HUNDRED + _sum(t.amount for t in batch)
        if divisor == 0:
            return ZERO
        return CONTEXT.divide(CONTEXT.multiply(base, tax.amount), divisor)
    # division
    return CONTEXT.divide(CONTEXT.multiply(base, tax.amount), HUNDRED)


def _amount_excluded(tax: Tax, batch: list[Tax], base: Decimal) -> Decimal:
    if tax.amount_type == "percent":
        return CONTEXT.divide(CONTEXT.multiply(base, tax.amount), HUNDRED)
    # division: the amount is a share of the price including itself
    total = _sum(t.amount for t in batch)
    divisor = HUNDRED if total == HUNDRED else HUNDRED - total
    return CONTEXT.divide(CONTEXT.multiply(base, tax.amount), divisor)


def compute_taxes(
    taxes: Any,
    price_unit: Any,
    quantity: Any = 1,
    *,
    precision_rounding: Any = Decimal("0.01"),
    rounding_method: str = "round_per_line",
    special_mode: str | bool | None = None,
) -> TaxResult:
    """Taxes of one line: `quantity` x `price_unit` (after discount) under `taxes`.

    `special_mode` ("total_excluded" / "total_included", default None) evaluates every tax as
    price-excluded / price-included whatever its own setting, as Odoo's special_mode does.
    """
    if rounding_method not in ("round_per_line", "round_globally"):
        raise ValueError(f"unknown rounding method {rounding_method!r}")
    special_mode = special_mode or None  # Odoo spells "no special mode" False
    if special_mode not in SPECIAL_MODES:
        raise ValueError(f"unknown special mode {special_mode!r}")
    price_unit = to_decimal(price_unit)
    quantity = to_decimal(quantity)
    per_line = rounding_method == "round_per_line"

    def rounded(value: Decimal) -> Decimal:
        return float_round(value, precision_rounding) if per_line else value

    flat = _flatten(list(taxes))
    batch_of = _batches(flat, special_mode)

    def evaluated_included(tax: Tax) -> bool:
        if special_mode is None:
            return tax.price_include
        return special_mode == "total_included"

    state = {tax.id: _State(tax, batch_of[tax.id], evaluated_included(tax)) for tax in flat}

    raw_base = rounded(CONTEXT.multiply(quantity, price_unit))

    def evaluate(tax: Tax, how: str) -> None:
        data = state[tax.id]
        if data.amount is not None:
            return
        base = CONTEXT.add(raw_base, data.extra_base_for_tax)
        if how == "fixed":
            if tax.amount_type != "fixed":
                return
            amount = _amount_fixed(tax, price_unit, quantity)
        elif how == "included":
            amount = _amount_included(tax, data.batch, base)
        else:
            amount = _amount_excluded(tax, data.batch, base)
        data.amount = rounded(amount)
        _propagate(flat, state, tax, special_mode)

    # Fixed amounts first: they may sit inside the base of an included batch right after them.
    for tax in reversed(flat):
        evaluate(tax, "fixed")
    for tax in reversed(flat):
        if state[tax.id].price_include:
            evaluate(tax, "included")
    for tax in flat:
        if not state[tax.id].price_include:
            evaluate(tax, "excluded")

    lines: list[TaxLine] = []
    for tax in flat:
        data = state[tax.id]
        base = CONTEXT.add(raw_base, data.extra_base_for_base)
        if data.price_include:
            base = CONTEXT.subtract(base, _sum(state[t.id].amount for t in data.batch))
        lines.append(TaxLine(tax.id, base, data.amount))

    if lines:
        total_excluded = lines[0].base
        total_included = CONTEXT.add(total_excluded, _sum(line.amount for line in lines))
    else:
        total_excluded = total_included = raw_base
    return TaxResult(total_excluded, total_included, lines)


class _Sums:
    """One rounding group of a document: raw and rounded sums, and the lines in it.

    `members` holds (line index, tax index) pairs; the tax index is None when the group is the
    untaxed base (a line without taxes, or the per-document base sums).
    """

    __slots__ = ("base", "members", "raw_amount", "raw_base", "tax_amount")

    def __init__(self) -> None:
        self.raw_base = self.base = ZERO
        self.raw_amount = self.tax_amount = ZERO
        self.members: list[tuple[int, int | None]] = []

    def add(self, member, raw_base, base, raw_amount=ZERO, tax_amount=ZERO) -> None:
        self.raw_base = CONTEXT.add(self.raw_base, raw_base)
        self.base = CONTEXT.add(self.base, base)
        self.raw_amount = CONTEXT.add(self.raw_amount, raw_amount)
        self.tax_amount = CONTEXT.add(self.tax_amount, tax_amount)
        self.members.append(member)


def _spread(delta: Decimal, precision: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Cut `delta` (a whole number of `precision` steps) into one share per weight, in order.

    Odoo hands the rounding difference out step by step, to the heaviest lines first: each line
    takes ceil(|its weight| x steps / sum of |weights|) steps, never more than are left. So a
    3-cent difference over seven equal lines lands as one cent on each of the first three, not
    three cents on one line.
    """
    shares = [ZERO] * len(weights)
    total = _sum(abs(w) for w in weights)
    if delta == 0 or total == 0:
        return shares
    steps = int(CONTEXT.divide(abs(delta), precision).to_integral_value())
    step = precision if delta > 0 else -precision
    left = steps
    for k, weight in enumerate(weights):
        if not left:
            break
        share = CONTEXT.divide(CONTEXT.multiply(abs(weight), steps), total)
        take = min(int(share.to_integral_value(rounding=ROUND_CEILING)), left)
        left -= take
        shares[k] = CONTEXT.multiply(step, take)
    return shares


def _round_document(lines, precision, is_refund, order_sign: int) -> list[TaxResult]:
    """The document step for one orientation of the order (see `round_document`)."""

    def r(value: Decimal) -> Decimal:
        return float_round(value, precision)

    # 1. Every line rounded on its own: what the line shows, and the start of its tax detail.
    excluded = [r(line.total_excluded) for line in lines]
    included = [r(line.total_included) for line in lines]
    delta_excluded = [ZERO] * len(lines)
    bases = [[r(t.base) for t in line.taxes] for line in lines]
    amounts = [[r(t.amount) for t in line.taxes] for line in lines]

    # 2. Rounding groups: one per (tax, refund flag), with the untaxed lines as tax None; and one
    # per refund flag for the document's untaxed amount, fed by each line's first tax base (the
    # line's price without tax) or by its own untaxed total when it has no tax.
    per_tax: dict[tuple[int | None, bool], _Sums] = {}
    per_base: dict[bool, _Sums] = {}
    for i, line in enumerate(lines):
        refund = bool(is_refund[i])
        document = per_base.setdefault(refund, _Sums())
        if line.taxes:
            for j, t in enumerate(line.taxes):
                group = per_tax.setdefault((t.tax_id, refund), _Sums())
                group.add((i, j), t.base, bases[i][j], t.amount, amounts[i][j])
            document.add((i, 0), line.taxes[0].base, bases[i][0])
        else:
            group = per_tax.setdefault((None, refund), _Sums())
            group.add((i, None), line.total_excluded, excluded[i])
            document.add((i, None), line.total_excluded, excluded[i])

    def heaviest_first(members):
        # Odoo sorts by the line's rounded total, biggest first (a stable sort: ties keep the
        # order of the lines). A refund order is computed with its quantities negated, which
        # turns the order around.
        return sorted(members, key=lambda m: -order_sign * included[m[0]])

    # 3. Per tax: the booked tax is round(sum of raw taxes); the difference with the sum of the
    # rounded line taxes is spread over the lines, and so is the difference on the tax base.
    for (tax_id, refund), group in per_tax.items():
        members = heaviest_first(group.members)
        weights = [included[i] for i, _j in members]
        if tax_id is not None:
            delta = CONTEXT.subtract(r(group.raw_amount), group.tax_amount)
            for (i, j), share in zip(members, _spread(delta, precision, weights), strict=True):
                amounts[i][j] = CONTEXT.add(amounts[i][j], share)
        delta = CONTEXT.subtract(r(group.raw_base), group.base)
        for (i, j), share in zip(members, _spread(delta, precision, weights), strict=True):
            if j is not None:
                bases[i][j] = CONTEXT.add(bases[i][j], share)
            elif share:
                # An untaxed line's base is its untaxed total: the share moves that total
                # (and counts as already given in the document's untaxed sums below).
                delta_excluded[i] = CONTEXT.add(delta_excluded[i], share)
                per_base[refund].base = CONTEXT.add(per_base[refund].base, share)

    # 4. The document's untaxed amount is round(sum of raw untaxed totals) per refund flag; what
    # the lines do not already give goes, whole, onto one line: the one with the biggest total
    # (the first of them on a tie).
    for document in per_base.values():
        delta = CONTEXT.subtract(r(document.raw_base), document.base)
        if delta:
            target = max(document.members, key=lambda m: order_sign * included[m[0]])[0]
            delta_excluded[target] = CONTEXT.add(delta_excluded[target], delta)

    results = []
    for i, line in enumerate(lines):
        taxes = [TaxLine(t.tax_id, bases[i][j], amounts[i][j]) for j, t in enumerate(line.taxes)]
        results.append(TaxResult(excluded[i], included[i], taxes, delta_excluded[i]))
    return results


def round_document(
    lines: Sequence[TaxResult],
    precision_rounding: Any = Decimal("0.01"),
    *,
    is_refund: Sequence[bool] | None = None,
    refund_order: bool | None = False,
) -> list[TaxResult]:
    """Round the lines of one document the way Odoo 18's `_round_base_lines_tax_details` does.

    `lines` are each line's own `compute_taxes` result (unrounded under round_globally). Each
    result that comes back holds:
    - `total_excluded` / `total_included`: the line's own totals rounded, untouched by the
      document step. This is what Odoo's POS shows and sends as price_subtotal /
      price_subtotal_incl (it computes every line alone), so 4,000 with 11 % included stays
      4,000.00 on every line of the order.
    - `taxes`: per tax, the rounded base and amount plus this line's share of the document's
      rounding difference for that tax; per tax (and per refund flag, as Odoo keys on
      is_refund) they sum to round(sum of unrounded amounts), which is what Odoo books.
    - `delta_total_excluded`: this line's share of the document's untaxed rounding difference,
      so sum(total_excluded + delta_total_excluded) = round(sum of unrounded untaxed totals).

    Differences are spread step by step over the heaviest lines (see `_spread`); the untaxed
    remainder goes whole onto the line with the biggest total. With round_per_line input every
    amount is already rounded and nothing moves.

    `is_refund` defaults to "the line's amount is negative" (Odoo's POS: qty x price_unit < 0).
    `refund_order` says the order's quantities are negated before the computation, as
    pos.order does when its total is negative; it only changes which lines take the rounding
    differences. None decides it from the order's total, as pos.order does.
    """
    precision = to_decimal(precision_rounding)
    if is_refund is None:
        is_refund = [line.total_excluded < 0 for line in lines]
    elif len(is_refund) != len(lines):
        raise ValueError("is_refund must have one flag per line")
    if refund_order is None:
        results = _round_document(lines, precision, is_refund, 1)
        if document_totals(results).total_amount >= 0:
            return results
        refund_order = True
    return _round_document(lines, precision, is_refund, -1 if refund_order else 1)


@dataclass(frozen=True)
class DocumentTotals:
    """An order's amounts as Odoo's `_get_tax_totals_summary` gives them (before cash rounding)."""

    base_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal


def document_totals(lines: Sequence[TaxResult]) -> DocumentTotals:
    """Untaxed, tax and total of lines that went through `round_document` (or round per line).

    The untaxed amount counts each line's total_excluded plus its delta_total_excluded; the tax
    is the sum of every line's tax amounts; the total is their sum. Under round_globally this
    can differ by a cent from the sum of the lines' own price_subtotal(_incl): that is Odoo's
    figure too (amount_tax / amount_total of pos.order).
    """
    base = tax = ZERO
    for line in lines:
        base = CONTEXT.add(base, CONTEXT.add(line.total_excluded, line.delta_total_excluded))
        for tax_line in line.taxes:
            tax = CONTEXT.add(tax, tax_line.amount)
    return DocumentTotals(base, tax, CONTEXT.add(base, tax))
