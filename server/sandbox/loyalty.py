"""loyalty.card create and write, as the relay books a sale's points (Odoo 18's loyalty module).

A card's points are set by a write (or given by a create, for a customer without a card) that may
carry one2many commands `[0, 0, values]` on `history_ids`: the history lines are made in the same
transaction as the points, which is what lets the relay find a booking by its line. As recorded
from Odoo 18 (tests/fixtures/odoo18/loyalty_points_book.json): a made card gets a random code of
the shape Odoo's have ("044d-1d08-4c9a"); a write moves the card's write_date and not its
customer's.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from .errors import missing
from .models import field_type
from .orm import Transaction, to_decimal

CARD_CREATE = {"program_id", "partner_id", "points", "code", "source_pos_order_id", "active"}
CARD_WRITE = {"points", "active"}
HISTORY_FIELDS = {"description", "order_model", "order_id", "issued", "used"}


class Cards:
    """loyalty.card's create and write inside one sandbox transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def create(self, vals: dict[str, Any]) -> int:
        history = vals.get("history_ids") or []
        values = self._values(vals, CARD_CREATE)
        if (
            not values.get("program_id")
            or self.tx.get("loyalty.program", values["program_id"]) is None
        ):
            raise missing("loyalty.program", [values.get("program_id")])
        partner = values.get("partner_id")
        if partner and self.tx.get("res.partner", partner) is None:
            raise missing("res.partner", [partner])
        if not values.get("code"):  # the shape Odoo's codes have: 044d-1d08-4c9a
            random = uuid.uuid4().hex
            values["code"] = f"044{random[0]}-{random[1:5]}-{random[5:9]}"
        values.setdefault("points", "0")
        values.setdefault("active", True)
        values.setdefault("partner_id", False)
        values.setdefault("source_pos_order_id", False)
        card_id = self.tx.insert("loyalty.card", None, values)
        self._history(card_id, history)
        return card_id

    def write(self, card_id: int, vals: dict[str, Any]) -> None:
        """Points (a manager's change, or a sale booked with its history line) and `active`:
        the card's write_date moves, its customer's does not."""
        if self.tx.get("loyalty.card", card_id) is None:
            raise missing("loyalty.card", [card_id])
        values = self._values(vals, CARD_WRITE)
        if values:
            self.tx.update("loyalty.card", card_id, values)
        self._history(card_id, vals.get("history_ids") or [])

    @staticmethod
    def _values(vals: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field, value in vals.items():
            if field == "history_ids":
                continue
            if field not in allowed:
                field_type("loyalty.card", field)  # ValueError for an unknown field
                raise ValueError(
                    f"Field {field!r} of loyalty.card cannot be written in the sandbox"
                )
            if field == "points":
                if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                    raise ValueError(f"Wrong value for loyalty.card.points: {value!r}")
                value = str(to_decimal(value))
            values[field] = value
        return values

    def _history(self, card_id: int, commands: Any) -> None:
        """history_ids' commands: only [0, 0, values] (make a line) is accepted."""
        if not isinstance(commands, list):
            raise ValueError(f"Wrong value for loyalty.card.history_ids: {commands!r}")
        for command in commands:
            if not (isinstance(command, list | tuple) and len(command) == 3 and command[0] == 0):
                raise ValueError(
                    f"the sandbox only makes history lines ([0, 0, values]), not {command!r}"
                )
            values = command[2]
            if not isinstance(values, dict):
                raise ValueError(f"Wrong value for loyalty.history: {values!r}")
            for field in values:
                if field not in HISTORY_FIELDS:
                    field_type("loyalty.history", field)
                    raise ValueError(f"Field {field!r} of loyalty.history cannot be set here")
            if not values.get("description"):  # required in Odoo
                raise ValueError("a loyalty.history line needs a description")
            line = {"order_model": False, "order_id": 0, "issued": "0", "used": "0", **values}
            self.tx.insert("loyalty.history", None, {**line, "card_id": card_id})
