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
round_globally nothing is rounded here: `round_document` then rounds the sums of the whole order
once per tax and puts the difference on one line, as Odoo's `_round_base_lines_tax_details` does.

`special_mode` is Odoo's switch to treat every tax as price-excluded ("total_excluded") or as
price-included ("total_included"); fiscal positions use it to adapt a price to other taxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from decimal import Decimal
from typing import Any

from .money import CONTEXT, float_round, to_decimal

__all__ = ["Tax", "TaxLine", "TaxResult", "compute_taxes", "flatten_taxes", "round_document"]

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
    """What compute_taxes returns: line totals without and with tax, and the tax detail."""

    total_excluded: Decimal
    total_included: Decimal
    taxes: list[TaxLine]


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


class _Group:
    """Sums over the document for one tax (or for the untaxed base) and where its delta goes."""

    __slots__ = ("raw_amount", "raw_base", "reference", "rounded_amount", "rounded_base")

    def __init__(self) -> None:
        self.raw_base = self.raw_amount = ZERO
        self.rounded_base = self.rounded_amount = ZERO
        self.reference: tuple[Decimal, int] | None = None  # (line total, -index) of the best line

    def add(self, raw_base, raw_amount, base, amount, line_total: Decimal, index: int) -> None:
        self.raw_base = CONTEXT.add(self.raw_base, raw_base)
        self.raw_amount = CONTEXT.add(self.raw_amount, raw_amount)
        self.rounded_base = CONTEXT.add(self.rounded_base, base)
        self.rounded_amount = CONTEXT.add(self.rounded_amount, amount)
        candidate = (line_total, -index)  # biggest total wins; the first line on a tie
        if self.reference is None or candidate > self.reference:
            self.reference = candidate

    @property
    def line_index(self) -> int:
        assert self.reference is not None
        return -self.reference[1]


def round_document(
    lines: Sequence[TaxResult],
    precision_rounding: Any = Decimal("0.01"),
    *,
    is_refund: Sequence[bool] | None = None,
) -> list[TaxResult]:
    """Round the unrounded lines of one order (round_globally) the way Odoo rounds a document.

    Each line is rounded on its own first; then, per tax (and separately for refund lines, as
    Odoo keys on is_refund), the amounts and bases of the whole order are summed unrounded and
    rounded once, and the difference goes onto the line with the biggest total (the first such
    line on a tie). The untaxed total is treated the same way. So the order's tax per tax is
    round(sum of unrounded taxes) and the order's untaxed amount round(sum of unrounded bases),
    as Odoo's `_round_base_lines_tax_details` books them.

    With round_per_line input everything is already rounded and nothing moves. `is_refund`
    defaults to "the line's amount is negative" (Odoo: quantity x price < 0).
    """
    precision = to_decimal(precision_rounding)
    if is_refund is None:
        is_refund = [line.total_excluded < 0 for line in lines]
    elif len(is_refund) != len(lines):
        raise ValueError("is_refund must have one flag per line")

    def r(value: Decimal) -> Decimal:
        return float_round(value, precision)

    excluded = [r(line.total_excluded) for line in lines]
    bases = [[r(t.base) for t in line.taxes] for line in lines]
    amounts = [[r(t.amount) for t in line.taxes] for line in lines]
    totals = [_sum([excluded[i], *amounts[i]]) for i in range(len(lines))]

    per_tax: dict[tuple[int, bool], _Group] = {}
    per_base: dict[bool, _Group] = {}
    for i, line in enumerate(lines):
        refund = bool(is_refund[i])
        for j, tax_line in enumerate(line.taxes):
            group = per_tax.setdefault((tax_line.tax_id, refund), _Group())
            group.add(tax_line.base, tax_line.amount, bases[i][j], amounts[i][j], totals[i], i)
        group = per_base.setdefault(refund, _Group())
        group.add(line.total_excluded, ZERO, excluded[i], ZERO, totals[i], i)

    for (tax_id, _refund), group in per_tax.items():
        i = group.line_index
        j = next(k for k, t in enumerate(lines[i].taxes) if t.tax_id == tax_id)
        amounts[i][j] = CONTEXT.add(amounts[i][j], r(group.raw_amount) - group.rounded_amount)
        bases[i][j] = CONTEXT.add(bases[i][j], r(group.raw_base) - group.rounded_base)
    for group in per_base.values():
        i = group.line_index
        excluded[i] = CONTEXT.add(excluded[i], r(group.raw_base) - group.rounded_base)

    results: list[TaxResult] = []
    for i, line in enumerate(lines):
        taxes = [TaxLine(t.tax_id, bases[i][j], amounts[i][j]) for j, t in enumerate(line.taxes)]
        total_included = _sum([excluded[i], *amounts[i]])
        results.append(TaxResult(excluded[i], total_included, taxes))
    return results
