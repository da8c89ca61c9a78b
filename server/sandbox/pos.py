"""Point of sale as Odoo 18 runs it: `pos.order.sync_from_ui`, and the sessions orders land in.

Read from Odoo 18's `point_of_sale/models/pos_order.py` and kept to what a caller can see:

- several orders per call, processed in the order given, in the caller's one transaction: any
  error rolls the whole call back;
- a uuid Odoo already has is updated while draft, skipped otherwise ("sync ignored for existing
  PoS order"), and its stored order is answered all the same; the uuid is looked up with a plain
  search (Odoo 18 has no unique index on it), so two calls running at once can both create it;
- an order that arrives paid is created paid, named from its config's sequence; the paid check
  that follows only logs when payments fall short ("Order ... is not fully paid"), it never
  refuses the order;
- a closed session's order goes to another open session of the same config, or fails;
- refund lines point at the line they refund (`refunded_orderline_id`), all of one order;
- a line naming a product or tax that no longer exists fails on its foreign key.

The answer is `read_pos_data`'s: records keyed by model, many2one as bare ids (load=False).
"""

from __future__ import annotations

import logging
import uuid as uuidlib
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from .errors import (
    PsycopgError,
    UserError,
    ValidationError,
    foreign_key_violation,
    missing,
    no_method,
)
from .models import MODELS, SANDBOX_UID
from .orm import Searcher, Transaction, export, to_decimal

log = logging.getLogger("kasir.sandbox")

ORDER_STATES = ("draft", "cancel", "paid", "done", "invoiced")
# What read_pos_data answers per model. pos.order and pos.payment load no field list in Odoo 18
# (read([]) gives them all); pos.order.line loads point_of_sale's list plus pos_loyalty's.
ORDER_FIELDS = list(MODELS["pos.order"])
PAYMENT_FIELDS = list(MODELS["pos.payment"])
LINE_FIELDS = [
    "id",
    "qty",
    "attribute_value_ids",
    "custom_attribute_value_ids",
    "price_unit",
    "skip_change",
    "uuid",
    "price_subtotal",
    "price_subtotal_incl",
    "order_id",
    "note",
    "price_type",
    "product_id",
    "discount",
    "tax_ids",
    "pack_lot_ids",
    "customer_note",
    "refunded_qty",
    "price_extra",
    "full_product_name",
    "refunded_orderline_id",
    "combo_parent_id",
    "combo_line_ids",
    "combo_item_id",
    "refund_orderline_ids",
    "is_reward_line",
    "reward_id",
    "reward_identifier_code",
    "points_cost",
    "coupon_id",
]
SESSION_FIELDS = ["id", "name", "config_id", "state", "start_at", "stop_at"]
ANSWER_MODELS = (
    "pos.order",
    "pos.session",
    "pos.payment",
    "pos.order.line",
    "pos.pack.operation.lot",
    "product.attribute.custom.value",
)
# Line values a client may send, with what an absent one is stored as.
_LINE_DEFAULTS: dict[str, Any] = {
    "note": False,
    "customer_note": False,
    "skip_change": False,
    "price_type": "original",
    "price_extra": Decimal(0),
    "is_reward_line": False,
    "reward_identifier_code": False,
    "points_cost": Decimal(0),
}
_SEQUENCE_QUERY = "SELECT number_next FROM ir_sequence WHERE id=false FOR UPDATE NOWAIT"


def sync_plan(tx: Transaction, orders: Any) -> tuple[int, int]:
    """Before a sync_from_ui call runs: the highest pos.order id committed so far (what the
    call's uuid searches can see) and how many of its orders it will create or update."""
    pending = 0
    for order in orders if isinstance(orders, list) else []:
        uuid = order.get("uuid") if isinstance(order, dict) else None
        found = tx.find_uuid("pos.order", uuid) if isinstance(uuid, str) else []
        if not found or found[0].get("state") == "draft":
            pending += 1
    return tx.last_id("pos.order"), pending


class PointOfSale:
    """pos.order.sync_from_ui inside one transaction.

    `visible_up_to` is the highest pos.order id committed when the call started: orders other
    calls created since are invisible to this call's uuid searches, as under PostgreSQL's READ
    COMMITTED with Odoo's long transaction (None: everything is visible)."""

    def __init__(self, tx: Transaction, visible_up_to: int | None = None) -> None:
        self.tx = tx
        self.searcher = Searcher(tx)
        self.visible_up_to = visible_up_to
        self.created: set[int] = set()

    def sync_from_ui(self, model: str, orders: Any) -> dict[str, list[dict[str, Any]]]:
        if model != "pos.order":
            raise no_method(model, "sync_from_ui")
        if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
            raise ValueError("sync_from_ui expects a list of order dictionaries")
        order_ids: list[int] = []
        for order in orders:
            order = dict(order)
            if len(self._refunded_orders(order)) > 1:
                raise ValidationError("You can only refund products from the same order.")
            existing = self._existing(order.get("uuid"))
            if existing is None or existing.get("state") == "draft":
                order_ids.append(self._process_order(order, existing))
            else:
                log.info(
                    "PoS synchronisation: order %s sync ignored for existing PoS order "
                    "pos.order(%s,) (state: %s)",
                    {"name": order.get("name"), "uuid": order.get("uuid")},
                    existing["id"],
                    existing.get("state"),
                )
                order_ids.append(existing["id"])
        return self._read_pos_data(order_ids)

    # -- the answer ---------------------------------------------------------------------------

    def _read_pos_data(self, order_ids: list[int]) -> dict[str, list[dict[str, Any]]]:
        """read_pos_data: every order of the call (twice if it came twice), their lines and
        payments. Its "pos.session" list is meant for orders moved to another session, but
        Odoo 18 compares each order's session with the set of the same orders' sessions, so it
        is always empty."""
        orders = [self.tx.get("pos.order", i) for i in order_ids]
        records = [r for r in orders if r is not None]
        answer: dict[str, list[dict[str, Any]]] = {name: [] for name in ANSWER_MODELS}
        if not records:
            return answer
        line_ids: dict[int, None] = {}
        payment_ids: dict[int, None] = {}
        for record in records:
            line_ids.update(dict.fromkeys(sorted(record.get("lines") or [])))
            payment_ids.update(dict.fromkeys(sorted(record.get("payment_ids") or [], reverse=True)))
        answer["pos.order"] = self._read("pos.order", [r["id"] for r in records], ORDER_FIELDS)
        answer["pos.payment"] = self._read("pos.payment", list(payment_ids), PAYMENT_FIELDS)
        answer["pos.order.line"] = self._read("pos.order.line", list(line_ids), LINE_FIELDS)
        return answer

    def _read(self, model: str, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
        out = []
        for record_id in ids:
            record = self.tx.get(model, record_id)
            if record is None:
                raise missing(model, [record_id])
            out.append(export(self.tx, model, record, fields, classic=False))
        return out

    # -- finding orders ---------------------------------------------------------------------

    def _existing(self, uuid: Any) -> dict[str, Any] | None:
        """_get_open_order: the newest order with this uuid this call can see."""
        if not isinstance(uuid, str):
            return None
        for record in self.tx.find_uuid("pos.order", uuid):
            if (
                self.visible_up_to is None
                or record["id"] <= self.visible_up_to
                or record["id"] in self.created
            ):
                return record
        return None

    def _refunded_orders(self, order: dict[str, Any]) -> set[int]:
        """_get_refunded_orders: the orders the refund lines point into (an unknown line is a
        MissingError, as browsing it is in Odoo)."""
        orders: set[int] = set()
        for command in order.get("lines") or []:
            if not (isinstance(command, list | tuple) and len(command) == 3):
                continue
            if command[0] not in (0, 1) or not isinstance(command[2], dict):
                continue
            refunded_id = command[2].get("refunded_orderline_id")
            if refunded_id:
                line = self.tx.get("pos.order.line", refunded_id)
                if line is None:
                    raise missing("pos.order.line", [refunded_id])
                orders.add(line["order_id"])
        return orders

    # -- sessions ---------------------------------------------------------------------------

    def _session(self, order: dict[str, Any]) -> dict[str, Any]:
        session_id = order["session_id"]  # Odoo reads order['session_id']: KeyError if absent
        if not session_id:
            raise _no_session_error(order)
        session = self.tx.get("pos.session", session_id)
        if session is None:
            raise missing("pos.session", [session_id])
        if session.get("state") in ("closing_control", "closed"):
            return self._valid_session(order, session)
        return session

    def _valid_session(self, order: dict[str, Any], closed: dict[str, Any]) -> dict[str, Any]:
        """_get_valid_session: another open session of the same config, never a new one."""
        log.warning(
            "Session %s (ID: %s) was closed but received order %s (total: %s) belonging to it",
            closed.get("name"),
            closed["id"],
            order.get("name"),
            order.get("amount_total"),
        )
        sessions = self.searcher.search(
            "pos.session",
            [
                ("state", "not in", ["closed", "closing_control"]),
                ("config_id", "=", closed.get("config_id")),
            ],
            limit=1,
        )
        if not sessions:
            raise UserError(
                "No open session available. Please open a new session to capture the order."
            )
        log.warning(
            "Using open session %s for saving order %s", sessions[0]["name"], order.get("name")
        )
        return sessions[0]

    # -- one order --------------------------------------------------------------------------

    def _process_order(self, order: dict[str, Any], existing: dict[str, Any] | None) -> int:
        tx = self.tx
        state = order.get("state") or "draft"
        if state not in ORDER_STATES:
            raise ValueError(f"Wrong value for pos.order.state: {state!r}")
        draft = state == "draft"
        session = self._session(order)
        config = tx.get("pos.config", session.get("config_id"))
        if config is None:
            raise missing("pos.config", [session.get("config_id")])
        partner_id = order.get("partner_id") or False
        to_invoice = bool(order.get("to_invoice"))
        if partner_id and tx.get("res.partner", partner_id) is None:
            partner_id, to_invoice = False, False  # Odoo drops a partner that no longer exists

        user_id = order.get("user_id") or SANDBOX_UID
        employee_id = order.get("employee_id") or False
        employee = tx.get("hr.employee", employee_id) if employee_id else None
        if employee_id and employee is None:
            raise foreign_key_violation(
                "Point of Sale Orders", "pos.order", "pos_order_employee_id_fkey"
            )
        user = tx.get("res.users", user_id) or {}
        values: dict[str, Any] = {
            "employee_id": employee_id,
            # pos_hr's stored compute: the employee's name, else the user's
            "cashier": (employee or user).get("name") or False,
            "pos_reference": order.get("pos_reference") or order.get("name") or False,
            "session_id": session["id"],
            "config_id": config["id"],
            "company_id": config.get("company_id") or False,
            "currency_id": config.get("currency_id") or False,
            "user_id": user_id,
            "state": state,
            "date_order": order.get("date_order") or tx.now(),
            "partner_id": partner_id,
            "to_invoice": to_invoice,
            # Odoo fills these from the config only when the client left them out.
            "pricelist_id": order["pricelist_id"]
            if "pricelist_id" in order
            else config.get("pricelist_id") or False,
            "fiscal_position_id": order["fiscal_position_id"]
            if "fiscal_position_id" in order
            else config.get("default_fiscal_position_id") or False,
            "sequence_number": order.get("sequence_number", 1) or 0,
            "amount_total": to_decimal(order.get("amount_total")),
            "amount_tax": to_decimal(order.get("amount_tax")),
            "amount_return": to_decimal(order.get("amount_return")),
            "general_note": order.get("general_note") or False,
            "shipping_date": order.get("shipping_date") or False,
        }
        if existing is None:
            values.update(
                uuid=order.get("uuid") or False,
                name=self._order_name(config) if state == "paid" else "/",
                access_token=order.get("access_token") or str(uuidlib.uuid4()),
                amount_paid=Decimal(0),
                lines=[],
                payment_ids=[],
            )
            order_id = tx.insert("pos.order", None, values)
            self.created.add(order_id)
            record = tx.get("pos.order", order_id) or {}
        else:
            # A draft again: new lines and payments are added to the ones it has, then the
            # other values written; it gets its name when it turns paid.
            order_id = existing["id"]
            if state == "paid" and existing.get("name") == "/":
                values["name"] = self._order_name(config)
            record = tx.update("pos.order", order_id, values)

        line_ids = list(record.get("lines") or [])
        for command in order.get("lines") or []:
            line_ids.append(self._create_line(command, order_id))
        payment_ids = list(record.get("payment_ids") or [])
        for command in order.get("payment_ids") or []:
            payment_ids.append(self._create_payment(command, order_id, session, config))
        paid = sum(
            (to_decimal((tx.get("pos.payment", i) or {}).get("amount")) for i in payment_ids),
            Decimal(0),
        )
        amount_return = values["amount_return"]
        if not draft and not _is_zero(amount_return, _currency_rounding(tx, config)):
            payment_ids.append(
                tx.insert(
                    "pos.payment",
                    None,
                    {
                        "name": "return",
                        "pos_order_id": order_id,
                        "session_id": session["id"],
                        "company_id": config.get("company_id") or False,
                        "uuid": False,
                        "payment_method_id": self._cash_method(config),
                        "amount": -amount_return,
                        "is_change": True,
                        "payment_date": tx.now(),
                    },
                )
            )
            paid -= amount_return
        # amount_paid is recomputed from the payments: the client is not trusted.
        tx.update(
            "pos.order",
            order_id,
            {"lines": line_ids, "payment_ids": payment_ids, "amount_paid": paid},
        )
        if not draft and state != "cancel":
            self._check_paid(order_id, config)
        return order_id

    def _order_name(self, config: dict[str, Any]) -> str:
        number = self.tx.next_sequence(f"pos.config/{config['id']}")
        return f"{config.get('name')}/{number:04d}"

    def _create_line(self, command: Any, order_id: int) -> int:
        vals = _command_values(command, "lines")
        tx = self.tx
        product = tx.get("product.product", vals.get("product_id"))
        if product is None:  # archived products are fine, deleted ones are not
            raise foreign_key_violation(
                "Point of Sale Order Lines", "pos.order.line", "pos_order_line_product_id_fkey"
            )
        tax_ids = _many2many_ids(vals.get("tax_ids"))
        if any(tx.get("account.tax", tax_id) is None for tax_id in tax_ids):
            raise foreign_key_violation(
                "Unknown", "unknown", "account_tax_pos_order_line_rel_account_tax_id_fkey"
            )
        refunded_id = vals.get("refunded_orderline_id") or False
        values = {key: vals.get(key, default) for key, default in _LINE_DEFAULTS.items()}
        values.update(
            order_id=order_id,
            uuid=vals.get("uuid") or False,
            product_id=product["id"],
            full_product_name=vals.get("full_product_name") or product.get("name"),
            qty=to_decimal(vals.get("qty", 1)),
            price_unit=to_decimal(vals.get("price_unit")),
            discount=to_decimal(vals.get("discount")),
            tax_ids=tax_ids,
            price_subtotal=to_decimal(vals.get("price_subtotal")),
            price_subtotal_incl=to_decimal(vals.get("price_subtotal_incl")),
            refunded_orderline_id=refunded_id,
            refund_orderline_ids=[],
        )
        for key in ("price_extra", "points_cost"):
            values[key] = to_decimal(values[key])
        line_id = tx.insert("pos.order.line", None, values)
        if refunded_id:  # the refunded line's one2many, kept on it so reads stay cheap
            refunded = tx.get("pos.order.line", refunded_id)
            assert refunded is not None  # checked by _refunded_orders
            tx.update(
                "pos.order.line",
                refunded_id,
                {"refund_orderline_ids": [*refunded.get("refund_orderline_ids", []), line_id]},
            )
        return line_id

    def _create_payment(
        self, command: Any, order_id: int, session: dict[str, Any], config: dict[str, Any]
    ) -> int:
        vals = _command_values(command, "payment_ids")
        method_id = vals.get("payment_method_id")
        if self.tx.get("pos.payment.method", method_id) is None:
            raise foreign_key_violation(
                "Point of Sale Payments", "pos.payment", "pos_payment_payment_method_id_fkey"
            )
        if method_id not in config.get("payment_method_ids", []):
            raise ValidationError(
                "The payment method selected is not allowed in the config of the POS session."
            )
        values = {
            key: vals.get(key) or False
            for key in ("name", "uuid", "card_type", "cardholder_name", "transaction_id")
        }
        values.update(
            pos_order_id=order_id,
            session_id=session["id"],
            company_id=config.get("company_id") or False,
            payment_method_id=method_id,
            amount=to_decimal(vals.get("amount")),
            is_change=bool(vals.get("is_change")),
            payment_date=vals.get("payment_date") or self.tx.now(),
            payment_status=vals.get("payment_status") or False,
            ticket=vals.get("ticket") or False,
        )
        return self.tx.insert("pos.payment", None, values)

    def _cash_method(self, config: dict[str, Any]) -> int:
        for method_id in config.get("payment_method_ids", []):
            method = self.tx.get("pos.payment.method", method_id)
            if method and method.get("is_cash_count"):
                return method_id
        raise UserError("No cash statement found for this session. Unable to record returned cash.")

    def _check_paid(self, order_id: int, config: dict[str, Any]) -> None:
        """action_pos_order_paid, as _process_saved_order calls it: paid within half a currency
        unit (or the cash rounding's allowance), else "not fully paid", which Odoo 18 logs and
        swallows: the order stays as it came (paid)."""
        order = self.tx.get("pos.order", order_id)
        assert order is not None
        rounding = _currency_rounding(self.tx, config)
        total = to_decimal(order["amount_total"])
        paid = to_decimal(order["amount_paid"])
        cash_rounding = (
            self.tx.get("account.cash.rounding", config.get("rounding_method"))
            if config.get("cash_rounding")
            else None
        )
        if cash_rounding is not None:
            cash_ids = self._cash_method_ids(config)
            uses_cash = any(
                (self.tx.get("pos.payment", p) or {}).get("payment_method_id") in cash_ids
                for p in order.get("payment_ids", [])
            )
            if not config.get("only_round_cash_method") or uses_cash:
                total = _round(
                    total,
                    to_decimal(cash_rounding.get("rounding")),
                    cash_rounding.get("rounding_method") or "HALF-UP",
                )
        is_paid = _is_zero(total - paid, rounding)
        if not is_paid and cash_rounding is not None:
            step = to_decimal(cash_rounding.get("rounding"))
            max_diff = _round(
                step / 2 if cash_rounding.get("rounding_method") == "HALF-UP" else step, rounding
            )
            is_paid = abs(_round(to_decimal(order["amount_total"]) - paid, rounding)) <= max_diff
        if not is_paid:
            log.error(
                "Could not fully process the POS Order: Order %s is not fully paid.", order["name"]
            )

    def _cash_method_ids(self, config: dict[str, Any]) -> set[int]:
        return {
            method_id
            for method_id in config.get("payment_method_ids", [])
            if (self.tx.get("pos.payment.method", method_id) or {}).get("is_cash_count")
        }


def _no_session_error(order: dict[str, Any]) -> Exception:
    """An order naming no session. A paid one is named from its config's sequence at create;
    with no session there is no sequence, and ir.sequence's update runs `WHERE id=false`, which
    PostgreSQL refuses. A draft one reaches the INSERT and its NOT NULL session_id."""
    if order.get("state") == "paid":
        caret = " " * (len("LINE 1: ") + _SEQUENCE_QUERY.index("=")) + "^"
        return PsycopgError(
            "psycopg2.errors.UndefinedFunction",
            "operator does not exist: integer = boolean\n"
            f"LINE 1: {_SEQUENCE_QUERY}\n{caret}\n"
            "HINT:  No operator matches the given name and argument types. "
            "You might need to add explicit type casts.\n",
        )
    return ValidationError(
        "The operation cannot be completed:\n"
        "- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it "
        "instead.\n\n"
        "Model: Point of Sale Orders (pos.order)\n"
        "Field: Session (session_id)\n"
    )


def _command_values(command: Any, field: str) -> dict[str, Any]:
    """The values of an x2many create command [0, 0, {...}] (a bare dict is accepted too)."""
    if isinstance(command, dict):
        return command
    if (
        isinstance(command, list | tuple)
        and len(command) == 3
        and command[0] == 0
        and isinstance(command[2], dict)
    ):
        return command[2]
    raise ValueError(f"Unsupported command {command!r} for {field} (only [0, 0, values])")


def _many2many_ids(value: Any) -> list[int]:
    """[[6, 0, ids]] or [ids] or [[4, id]...] as a list of ids."""
    if not value:
        return []
    ids: list[int] = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            ids.append(item)
        elif isinstance(item, list | tuple) and item and item[0] == 6 and len(item) == 3:
            ids = [int(i) for i in item[2]]
        elif isinstance(item, list | tuple) and item and item[0] == 4 and len(item) >= 2:
            ids.append(int(item[1]))
        else:
            raise ValueError(f"Unsupported many2many command {item!r}")
    return list(dict.fromkeys(ids))


def _currency_rounding(tx: Transaction, config: dict[str, Any]) -> Decimal:
    currency = tx.get("res.currency", config.get("currency_id"))
    return to_decimal(currency.get("rounding")) if currency else Decimal("0.01")


def _round(value: Decimal, step: Decimal, method: str = "HALF-UP") -> Decimal:
    """Odoo's float_round to a rounding step (HALF-UP, UP away from zero, DOWN toward zero)."""
    mode = {"HALF-UP": ROUND_HALF_UP, "UP": ROUND_UP, "DOWN": ROUND_DOWN}[method]
    if step <= 0:
        return value
    return (value / step).quantize(Decimal(1), rounding=mode) * step


def _is_zero(value: Decimal, step: Decimal) -> bool:
    """Odoo's float_is_zero with precision_rounding: zero once rounded HALF-UP to the step."""
    return _round(value, step) == 0


def close_sessions(tx: Transaction, session_id: Any) -> list[int]:
    """Close one open session (or all): what a manager's "Close" does, minus the accounting."""
    searcher = Searcher(tx)
    domain: list[Any] = [("state", "=", "opened")]
    if session_id is not None:
        domain.append(("id", "=", session_id))
    closed = []
    for session in searcher.search("pos.session", domain, order="id"):
        tx.update("pos.session", session["id"], {"state": "closed", "stop_at": tx.now()})
        config = tx.get("pos.config", session.get("config_id"))
        if config and config.get("current_session_id") == session["id"]:
            tx.update("pos.config", config["id"], {"current_session_id": False})
        closed.append(session["id"])
    return closed


def open_session(tx: Transaction, config_id: Any) -> dict[str, Any]:
    """The config's open session, opened now if it has none (a manager's "Open Register")."""
    searcher = Searcher(tx)
    configs = searcher.search(
        "pos.config", [("id", "=", config_id)] if config_id else [], limit=1, order="id"
    )
    if not configs:
        raise ValueError("no pos.config to open a session for")
    config = configs[0]
    opened = searcher.search(
        "pos.session", [("state", "=", "opened"), ("config_id", "=", config["id"])], limit=1
    )
    if opened:
        session = opened[0]
    else:
        number = tx.next_sequence("pos.session")
        session_id = tx.insert(
            "pos.session",
            None,
            {
                "name": f"POS/{number:05d}",
                "config_id": config["id"],
                "state": "opened",
                "start_at": tx.now(),
                "stop_at": False,
            },
        )
        tx.update("pos.config", config["id"], {"current_session_id": session_id})
        session = tx.get("pos.session", session_id) or {}
    return export(tx, "pos.session", session, SESSION_FIELDS, classic=False)
