"""A register's day as Odoo 18 runs it for its POS: open with a cash count, cash in and out, close
with a count.

Read from Odoo 18's `point_of_sale/models/pos_session.py` and held to the answers recorded on a
real Odoo 18 (tests/fixtures/odoo18/session_day_*.json):

- `create` makes a session in `opening_control`, named "<config>/<n>", and refuses a second one
  while the config has a session that is not closed; `set_opening_control` opens it (renamed
  from the "POS/" sequence, the counted cash as its opening balance, the notes kept) and does
  nothing to a session that is not in `opening_control`; both answer None;
- `try_cash_in_out` adds a statement line "<session>-<translatedType>-<reason>" to every given
  session with a cash method, closed ones included (Odoo 18 does not check the state);
- `post_closing_cash_details` keeps the counted cash, `update_closing_control_state_session`
  moves the session to `closing_control` with the notes, `close_session_from_ui` closes it and
  books the difference as a statement line; on a closed session the first and the last answer
  {"successful": False, ...} and the middle one raises.

No accounting entries are made: nothing kasir reads depends on them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .errors import UserError, ValidationError, missing
from .orm import COMPUTED, Searcher, Transaction, to_decimal

ALREADY_CLOSED = {
    "successful": False,
    "type": "alert",
    "title": "Session already closed",
    "message": "The session has been already closed by another User. All sales completed in "
    "the meantime have been saved in a Rescue Session, which can be reviewed anytime and "
    "posted to Accounting from Point of Sale's dashboard.",
    "redirect": True,
}
DRAFT_ORDERS = "You cannot close the POS when orders are still in draft"


class Sessions:
    """The pos.session methods of one call, inside its transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self.searcher = Searcher(tx)

    def _one(self, ids: Any) -> dict[str, Any]:
        """ensure_one(): the one session of `ids`."""
        id_list = [ids] if isinstance(ids, int) else list(ids or [])
        if len(id_list) != 1:
            raise ValueError(f"Expected singleton: pos.session({', '.join(map(str, id_list))})")
        session = self.tx.get("pos.session", id_list[0])
        if session is None:
            raise missing("pos.session", id_list)
        return session

    def _config(self, session: dict[str, Any]) -> dict[str, Any]:
        config = self.tx.get("pos.config", session.get("config_id"))
        if config is None:
            raise missing("pos.config", [session.get("config_id")])
        return config

    def _has_cash(self, config: dict[str, Any]) -> bool:
        return any(
            (self.tx.get("pos.payment.method", method_id) or {}).get("is_cash_count")
            for method_id in config.get("payment_method_ids") or []
        )

    def create(self, vals_list: Any) -> int | list[int]:
        single = isinstance(vals_list, dict)
        values_list = [vals_list] if single else vals_list
        if not isinstance(values_list, list) or not all(isinstance(v, dict) for v in values_list):
            raise ValueError("create expects a dictionary of values or a list of them")
        ids = [self._create(values) for values in values_list]
        return ids[0] if single else ids

    def _create(self, values: dict[str, Any]) -> int:
        config = self.tx.get("pos.config", values.get("config_id"))
        if not values.get("config_id"):
            raise UserError("You should assign a Point of Sale to your session.")
        if config is None:
            raise missing("pos.config", [values.get("config_id")])
        if self.searcher.search(
            "pos.session",
            [("state", "!=", "closed"), ("config_id", "=", config["id"]), ("rescue", "=", False)],
            limit=1,
        ):
            raise ValidationError("Another session is already opened for this point of sale.")
        prefix = f"{config.get('name')}/"
        named = self.searcher.search(
            "pos.session", [("name", "=like", f"{prefix}%")], order="name desc", limit=1
        )
        number = int(named[0]["name"].rsplit("/", 1)[1]) + 1 if named else 0
        start = Decimal(0)
        if self._has_cash(config):  # the last session's counted cash, as action_pos_session_open
            last = self.searcher.search("pos.session", [("config_id", "=", config["id"])], limit=1)
            start = to_decimal(last[0].get("cash_register_balance_end_real")) if last else start
        return self.tx.insert(
            "pos.session",
            None,
            {
                "name": f"{prefix}{number:05d}",
                "config_id": config["id"],
                "state": "opening_control",
                "start_at": False,
                "stop_at": False,
                "rescue": False,
                "cash_register_balance_start": start,
                "cash_register_balance_end_real": Decimal(0),
                "opening_notes": False,
                "closing_notes": False,
            },
        )

    def set_opening_control(self, ids: Any, cashbox_value: Any, notes: Any) -> None:
        session = self._one(ids)
        if session.get("state") != "opening_control":
            return None
        config = self._config(session)
        values: dict[str, Any] = {
            "state": "opened",
            "start_at": self.tx.now(),
            "name": f"POS/{self.tx.next_sequence('pos.session'):05d}",
        }
        if self._has_cash(config):
            values.update(
                opening_notes=notes, cash_register_balance_start=to_decimal(cashbox_value)
            )
        self.tx.update("pos.session", session["id"], values)
        self.tx.update("pos.config", config["id"], {"current_session_id": session["id"]})
        return None

    def try_cash_in_out(self, ids: Any, kind: Any, amount: Any, reason: Any, extras: Any) -> None:
        sign = 1 if kind == "in" else -1
        id_list = [ids] if isinstance(ids, int) else list(ids or [])
        sessions = [self.tx.get("pos.session", i) for i in id_list]
        if any(session is None for session in sessions):
            raise missing("pos.session", id_list)
        with_cash = [s for s in sessions if s and self._has_cash(self._config(s))]
        if not with_cash:
            raise UserError("There is no cash payment method for this PoS Session")
        for session in with_cash:
            ref = "-".join([str(session.get("name")), extras["translatedType"], str(reason)])
            self._statement_line(session, sign * to_decimal(amount), ref)
        return None

    def _statement_line(self, session: dict[str, Any], amount: Decimal, ref: str) -> int:
        return self.tx.insert(
            "account.bank.statement.line",
            None,
            {
                "payment_ref": ref,
                "amount": amount,
                "pos_session_id": session["id"],
                "date": self.tx.now()[:10],
            },
        )

    def _cannot_close(self, session: dict[str, Any]) -> dict[str, Any] | None:
        if self.searcher.search(
            "pos.order", [("session_id", "=", session["id"]), ("state", "=", "draft")], limit=1
        ):
            return {"successful": False, "message": DRAFT_ORDERS, "redirect": False}
        if session.get("state") == "closed":
            return dict(ALREADY_CLOSED)
        return None

    def post_closing_cash_details(self, ids: Any, counted_cash: Any) -> dict[str, Any]:
        session = self._one(ids)
        refused = self._cannot_close(session)
        if refused:
            return {**refused, "open_order_ids": []}
        if not self._has_cash(self._config(session)):
            raise UserError("There is no cash register in this session.")
        self.tx.update(
            "pos.session",
            session["id"],
            {"cash_register_balance_end_real": to_decimal(counted_cash)},
        )
        return {"successful": True}

    def update_closing_control_state_session(self, ids: Any, notes: Any) -> None:
        session = self._one(ids)
        if session.get("state") == "closed":
            raise UserError("This session is already closed.")
        self.tx.update(
            "pos.session",
            session["id"],
            {"state": "closing_control", "stop_at": self.tx.now(), "closing_notes": notes},
        )
        return None

    def close_session_from_ui(self, ids: Any, bank_payment_method_diff_pairs: Any = None) -> Any:
        session = self._one(ids)
        refused = self._cannot_close(session)
        if refused:
            return {**refused, "open_order_ids": []}
        config = self._config(session)
        values: dict[str, Any] = {
            "state": "closed",
            "stop_at": session.get("stop_at") or self.tx.now(),
        }
        if self._has_cash(config):
            moved = sum(
                (to_decimal(line.get("amount")) for line in _lines(self.tx, session)), Decimal(0)
            )
            values["cash_real_transaction"] = moved
            difference = _difference(self.tx, session)
            if difference:
                loss = "Loss" if difference < 0 else "Profit"
                ref = f"Cash difference observed during the counting ({loss}) - closing"
                self._statement_line(session, difference, ref)
        self.tx.update("pos.session", session["id"], values)
        if config.get("current_session_id") == session["id"]:
            self.tx.update("pos.config", config["id"], {"current_session_id": False})
        return {"successful": True}


def _lines(tx: Transaction, session: dict[str, Any]) -> list[dict[str, Any]]:
    return Searcher(tx).search(
        "account.bank.statement.line", [("pos_session_id", "=", session["id"])], order="id"
    )


def _cash_payments(tx: Transaction, session: dict[str, Any]) -> Decimal:
    """The session's cash taken by orders (change given back included, as a negative payment)."""
    config = tx.get("pos.config", session.get("config_id")) or {}
    cash = [
        method_id
        for method_id in config.get("payment_method_ids") or []
        if (tx.get("pos.payment.method", method_id) or {}).get("is_cash_count")
    ][:1]
    payments = Searcher(tx).search(
        "pos.payment", [("session_id", "=", session["id"]), ("payment_method_id", "in", cash)]
    )
    return sum((to_decimal(p.get("amount")) for p in payments), Decimal(0))


def _balance_end(tx: Transaction, session: dict[str, Any]) -> Decimal:
    """_compute_cash_balance: the opening count, the cash moves (a closed session's as they were
    at its closing, before the difference line) and the cash payments."""
    if session.get("state") == "closed":
        moved = to_decimal(session.get("cash_real_transaction"))
    else:
        moved = sum((to_decimal(line.get("amount")) for line in _lines(tx, session)), Decimal(0))
    start = to_decimal(session.get("cash_register_balance_start"))
    return start + moved + _cash_payments(tx, session)


def _difference(tx: Transaction, session: dict[str, Any]) -> Decimal:
    return to_decimal(session.get("cash_register_balance_end_real")) - _balance_end(tx, session)


COMPUTED.update(
    {
        ("pos.session", "cash_register_balance_end"): _balance_end,
        ("pos.session", "cash_register_difference"): _difference,
        ("pos.session", "statement_line_ids"): lambda tx, s: [line["id"] for line in _lines(tx, s)],
    }
)
