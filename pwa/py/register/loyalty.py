"""Loyalty points as Odoo's pos_loyalty counts them, and a balance the terminal can trust offline.

A program earns points by rules (Odoo's `loyalty.rule.reward_point_mode`): "money" gives N points
per currency unit paid for the qualifying products (tax included, rounded to 0.01 point), "unit"
gives N points per unit sold, "order" gives N points once per order. A reward (here always a
discount, as Odoo's `loyalty.reward` of type "discount") costs points: "per_order" takes a fixed
amount off for `required_points`, "percent" takes a percentage off, "per_point" gives `discount`
currency per point spent.

The terminal knows a customer's balance from the partner record "as of" the last time Odoo wrote
the customer's card (every points change writes it). Points this terminal spent since (orders made
after that time, or not yet posted)
are not in that figure yet, so they are subtracted; points earned offline are NOT added until
Odoo has booked them: a customer can never spend the same points twice on a disconnected till.

Bootstrap shape (all optional; Odoo's field names are accepted as well):
  "loyalty_programs": [{"id": 1, "name": "Poin Sahabat",
     "rules": [{"mode": "money", "points": "0.001", "product_ids": null, "minimum_amount": "0"}],
     "rewards": [{"id": 1, "name": "Rp 10.000 off", "required_points": "100",
                  "discount_mode": "per_order", "discount": "10000", "discount_product_id": 900}]}]
Partner record: "loyalty": [{"program_id": 1, "points": "120", "as_of": "<ISO-8601 UTC>"}].
Order record (only when points moved): "loyalty": [{"program_id", "points_earned",
  "points_spent", "reward_id"}], points as decimal strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .money import float_round, money_str, to_decimal
from .odoo_values import many2one_id, moment, number

__all__ = [
    "LoyaltyProgram",
    "LoyaltyReward",
    "LoyaltyRule",
    "PointsBalance",
    "balance_as_of",
    "balance_for",
]

ZERO = Decimal(0)
POINTS_ROUNDING = Decimal("0.01")
RULE_MODES = ("money", "unit", "order")
DISCOUNT_MODES = ("per_order", "percent", "per_point")


@dataclass(frozen=True)
class LoyaltyRule:
    """How points are earned: per currency unit, per unit sold, or per order."""

    mode: str = "money"
    points: Decimal = ZERO
    product_ids: frozenset[int] | None = None  # None: every product
    minimum_amount: Decimal = ZERO  # order total (tax included) needed to earn

    def __post_init__(self) -> None:
        if self.mode not in RULE_MODES:
            raise ValueError(f"unknown loyalty rule mode {self.mode!r}")
        object.__setattr__(self, "points", to_decimal(self.points))
        object.__setattr__(self, "minimum_amount", to_decimal(self.minimum_amount))
        if self.product_ids is not None:
            object.__setattr__(self, "product_ids", frozenset(self.product_ids))

    @classmethod
    def from_bootstrap(cls, data: Mapping[str, Any]) -> LoyaltyRule:
        products = data.get("product_ids")
        return cls(
            mode=data.get("mode") or data.get("reward_point_mode") or "money",
            points=number(data.get("points", data.get("reward_point_amount"))),
            product_ids=frozenset(int(p) for p in products) if products else None,
            minimum_amount=number(data.get("minimum_amount")),
        )

    def covers(self, product_id: int) -> bool:
        return self.product_ids is None or product_id in self.product_ids


@dataclass(frozen=True)
class LoyaltyReward:
    """A discount bought with points."""

    id: int
    name: str = ""
    required_points: Decimal = ZERO
    discount_mode: str = "per_order"
    discount: Decimal = ZERO  # currency (per_order, per_point) or percent
    discount_product_id: int | None = None

    def __post_init__(self) -> None:
        if self.discount_mode not in DISCOUNT_MODES:
            raise ValueError(f"unknown reward discount mode {self.discount_mode!r}")
        object.__setattr__(self, "required_points", to_decimal(self.required_points))
        object.__setattr__(self, "discount", to_decimal(self.discount))

    @classmethod
    def from_bootstrap(cls, data: Mapping[str, Any]) -> LoyaltyReward:
        return cls(
            id=int(data["id"]),
            name=data.get("name") or data.get("description") or "",
            required_points=number(data.get("required_points")),
            discount_mode=data.get("discount_mode") or "per_order",
            discount=number(data.get("discount")),
            discount_product_id=many2one_id(data.get("discount_product_id")),
        )

    def cost(self, points: Any = None) -> Decimal:
        """Points this reward takes: `required_points`, or the points chosen for per_point."""
        if self.discount_mode == "per_point" and points is not None:
            return to_decimal(points)
        return self.required_points


@dataclass(frozen=True)
class LoyaltyProgram:
    """A loyalty.program: its earning rules and its rewards."""

    id: int
    name: str = ""
    rules: tuple[LoyaltyRule, ...] = ()
    rewards: tuple[LoyaltyReward, ...] = ()

    @classmethod
    def from_bootstrap(cls, data: Mapping[str, Any]) -> LoyaltyProgram:
        return cls(
            id=int(data["id"]),
            name=data.get("name") or "",
            rules=tuple(LoyaltyRule.from_bootstrap(r) for r in data.get("rules") or ()),
            rewards=tuple(LoyaltyReward.from_bootstrap(r) for r in data.get("rewards") or ()),
        )

    def reward(self, reward_id: int) -> LoyaltyReward:
        for reward in self.rewards:
            if reward.id == reward_id:
                return reward
        raise KeyError(f"program {self.id} has no reward {reward_id}")

    def points_earned(self, lines: Iterable[tuple[int, Decimal, Decimal]], total: Any) -> Decimal:
        """Points for an order's lines, given as (product_id, qty, price_subtotal_incl).

        Reward lines must be left out by the caller (they earn nothing, as in Odoo). A refund
        (negative lines) gives negative points: the points go back.
        """
        lines = list(lines)
        total = to_decimal(total)
        points = ZERO
        for rule in self.rules:
            if rule.minimum_amount and abs(total) < rule.minimum_amount:
                continue
            qualifying = [x for x in lines if rule.covers(x[0])]
            if not qualifying:
                continue
            if rule.mode == "order":
                points += rule.points if total >= 0 else -rule.points
            elif rule.mode == "unit":
                points += rule.points * sum((qty for _, qty, _ in qualifying), ZERO)
            else:
                paid = sum((incl for _, _, incl in qualifying), ZERO)
                points += float_round(rule.points * paid, POINTS_ROUNDING)
        return float_round(points, POINTS_ROUNDING)


@dataclass(frozen=True)
class PointsBalance:
    """What a customer can spend on this terminal now, and what it is made of."""

    program_id: int
    known: Decimal  # from the partner record
    as_of: datetime | None  # when Odoo last wrote the figure (the card's write_date)
    spent_offline: Decimal  # spent here since, not yet in Odoo's figure

    @property
    def points(self) -> Decimal:
        return max(self.known - self.spent_offline, ZERO)

    def text(self) -> str:
        return balance_as_of(self.points, self.as_of)


def balance_as_of(points: Any, as_of: datetime | None) -> str:
    """ "120 points (balance as of 23 Nov 2026 20:00 UTC)": the figure and how old it is."""
    amount = money_str(to_decimal(points).normalize()) if points else "0"
    if "E" in amount or "e" in amount:
        amount = format(to_decimal(points), "f")
    if as_of is None:
        return f"{amount} points (balance not known yet)"
    at = as_of.astimezone(UTC)
    return f"{amount} points (balance as of {at:%d %b %Y %H:%M} UTC)"


def balance_for(
    partner: Mapping[str, Any] | None,
    program_id: int,
    history: Iterable[Mapping[str, Any]] = (),
    *,
    unposted: Iterable[str] = (),
) -> PointsBalance:
    """The balance a terminal may let `partner` spend in `program_id`.

    `history` is the terminal's order records; an order of this partner counts as not yet in
    Odoo's figure when it was created at or after the partner's `as_of`, or when its uuid is in
    `unposted` (still in the outbox). Its `points_spent` are subtracted.
    """
    known, as_of = ZERO, None
    partner_id = None
    if partner:
        partner_id = partner.get("id")
        for entry in partner.get("loyalty") or ():
            if int(entry.get("program_id")) == int(program_id):
                known = number(entry.get("points"))
                as_of = moment(entry.get("as_of"))
    pending = set(unposted)
    spent = ZERO
    if partner_id is not None:
        for order in history:
            who = order.get("partner")
            if not isinstance(who, Mapping) or who.get("id") != partner_id:
                continue
            created = moment(order.get("created_at"))
            recent = as_of is None or (created is not None and created >= as_of)
            if not recent and order.get("uuid") not in pending:
                continue
            for entry in order.get("loyalty") or ():
                if int(entry.get("program_id")) == int(program_id):
                    spent += number(entry.get("points_spent"))
    return PointsBalance(int(program_id), known, as_of, spent)


@dataclass
class AppliedReward:
    """A reward the cashier applied to the cart: who gets what for how many points."""

    program_id: int
    reward_id: int
    points: Decimal
    by: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "program_id": self.program_id,
            "reward_id": self.reward_id,
            "points": money_str(self.points),
            "by": self.by,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AppliedReward:
        return cls(
            int(d["program_id"]), int(d["reward_id"]), to_decimal(d["points"]), d.get("by") or ""
        )
