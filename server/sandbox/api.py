"""What `object.execute_kw` (and JSON-2) reaches: the model methods kasir calls.

Generic ORM reads (search_read, search, search_count, read, fields_get), res.partner create and
write for the customers terminals make, loyalty.card create and write (a sale's points, see
loyalty.py), res.users.context_get and write (the user's language),
pos_hr's hr.employee.get_barcodes_and_pin_hashed,
pos.order.sync_from_ui (see pos.py) and a register's day: pos.session create, opening, cash in
and out, closing (see sessions.py). The signatures follow Odoo's, so positional and keyword arguments land where
they do there; every call runs in one transaction of the store.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .errors import AccessError, ValidationError, missing, no_method
from .loyalty import Cards
from .models import MODELS, SANDBOX_UID, field_type
from .orm import Searcher, Transaction, export, field_list
from .pos import PointOfSale
from .sessions import Sessions

# pos.session's methods for a register's day, each on records (ids first).
SESSION_METHODS = {
    "set_opening_control",
    "try_cash_in_out",
    "post_closing_cash_details",
    "update_closing_control_state_session",
    "close_session_from_ui",
}

PUBLIC_METHODS = {
    "search_read",
    "search",
    "search_count",
    "read",
    "fields_get",
    "sync_from_ui",
    "create",
    "write",
    "context_get",
    "get_barcodes_and_pin_hashed",
    *SESSION_METHODS,
}
# Methods on records (ids first), as opposed to @api.model methods.
RECORD_METHODS = {"read", "write", "get_barcodes_and_pin_hashed", *SESSION_METHODS}
PARTNER_WRITABLE = {
    "name",
    "email",
    "phone",
    "street",
    "city",
    "zip",
    "country_id",
    "vat",
    "barcode",
    "ref",
    "active",
}
# The languages installed in the sandbox (Odoo refuses a lang that is not installed).
LANGUAGES = ("en_US", "id_ID")
COUNTRIES = {
    "ID": (100, "Indonesia"),
    "SG": (197, "Singapore"),
    "MY": (157, "Malaysia"),
    "TH": (217, "Thailand"),
    "NL": (165, "Netherlands"),
    "US": (233, "United States"),
}


class Odoo:
    """The model methods of one call, inside its transaction.

    `visible_orders` is what sync_from_ui's uuid searches may see (see pos.PointOfSale)."""

    def __init__(
        self, tx: Transaction, context: dict[str, Any], visible_orders: int | None = None
    ) -> None:
        self.tx = tx
        self.context = context
        self.visible_orders = visible_orders
        self.searcher = Searcher(tx)

    @property
    def active_test(self) -> bool:
        return self.context.get("active_test", True) is not False

    # The signatures follow Odoo's, so positional and keyword arguments land where they do there.

    def search_read(
        self,
        model: str,
        domain: Any = None,
        fields: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        load: str = "_classic_read",
    ) -> list[dict[str, Any]]:
        names = field_list(model, fields)
        records = self.searcher.search(
            model, domain, offset=offset, limit=limit, order=order, active_test=self.active_test
        )
        classic = load == "_classic_read"
        return [export(self.tx, model, r, names, classic=classic) for r in records]

    def search(
        self,
        model: str,
        domain: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        records = self.searcher.search(
            model, domain, offset=offset, limit=limit, order=order, active_test=self.active_test
        )
        return [r["id"] for r in records]

    def search_count(self, model: str, domain: Any = None, limit: int | None = None) -> int:
        records = self.searcher.search(model, domain, limit=limit, active_test=self.active_test)
        return len(records)

    def read(
        self, model: str, ids: Any, fields: Any = None, load: str = "_classic_read"
    ) -> list[dict[str, Any]]:
        id_list = [ids] if isinstance(ids, int) else list(ids or [])
        names = field_list(model, fields)
        records = []
        for record_id in id_list:
            record = self.tx.get(model, record_id)
            if record is None:
                raise missing(model, [record_id])
            records.append(export(self.tx, model, record, names, classic=load == "_classic_read"))
        return records

    # -- res.partner create/write (customers from the terminals) -----------------------------

    def create(self, model: str, vals_list: Any) -> int | list[int]:
        """Like Odoo's create over RPC: a dict gives an id, a list of dicts a list of ids."""
        if model == "pos.session":
            return Sessions(self.tx).create(vals_list)
        writable(model, "create")
        single = isinstance(vals_list, dict)
        values_list = [vals_list] if single else vals_list
        if not isinstance(values_list, list) or not all(isinstance(v, dict) for v in values_list):
            raise ValueError("create expects a dictionary of values or a list of them")
        if model == "loyalty.card":
            ids = [Cards(self.tx).create(values) for values in values_list]
            return ids[0] if single else ids
        ids = [self.tx.insert(model, None, self._partner_values(v, None)) for v in values_list]
        return ids[0] if single else ids

    def write(self, model: str, ids: Any, vals: Any) -> bool:
        writable(model, "write")
        if not isinstance(vals, dict):
            raise ValueError("write expects a dictionary of values")
        id_list = [ids] if isinstance(ids, int) else list(ids or [])
        for record_id in id_list:
            current = self.tx.get(model, record_id)
            if current is None:
                raise missing(model, [record_id])
            if model == "loyalty.card":
                Cards(self.tx).write(record_id, vals)
                continue
            if model == "res.users":
                values = self._user_values(vals)
            else:
                values = self._partner_values(vals, current)
            self.tx.update(model, record_id, values)
        return True

    @staticmethod
    def _user_values(vals: dict[str, Any]) -> dict[str, Any]:
        """The one field of a user the sandbox lets a caller change: its language."""
        for field, value in vals.items():
            if field != "lang":
                field_type("res.users", field)  # ValueError for an unknown field
                raise ValueError(f"Field {field!r} of res.users cannot be written in the sandbox")
            if value not in LANGUAGES:
                raise ValueError(f"Wrong value for res.users.lang: {value!r}")
        return dict(vals)

    def _partner_values(
        self, vals: dict[str, Any], current: dict[str, Any] | None
    ) -> dict[str, Any]:
        values: dict[str, Any] = {} if current is not None else {"active": True}
        for field, value in vals.items():
            if field not in PARTNER_WRITABLE:
                field_type("res.partner", field)  # ValueError for an unknown field
                raise ValueError(f"Field {field!r} of res.partner cannot be written")
            if field == "country_id":
                if value not in (False, None) and self.tx.get("res.country", value) is None:
                    raise missing("res.country", [value])
                value = value or False
            elif field == "active":
                value = bool(value)
            elif value is not False and value is not None and not isinstance(value, str):
                raise ValueError(f"Wrong value for res.partner.{field}: {value!r}")
            values[field] = value if value is not None else False
        name = values.get("name", (current or {}).get("name"))
        if not name:
            # res.partner's check_name constraint, as the RPC layer reports it.
            raise ValidationError("The operation cannot be completed: Contacts require a name")
        return values

    def context_get(self, model: str) -> dict[str, Any]:
        """res.users.context_get: what the JSON-2 client checks its key with."""
        if model != "res.users":
            raise no_method(model, "context_get")
        user = self.tx.get("res.users", SANDBOX_UID) or {}
        return {"lang": user.get("lang") or "en_US", "tz": "Asia/Jakarta", "uid": SANDBOX_UID}

    def fields_get(
        self, model: str, allfields: Any = None, attributes: Any = None
    ) -> dict[str, dict[str, Any]]:
        answer: dict[str, dict[str, Any]] = {}
        odoo_types = {"m2o": "many2one", "x2m": "many2many"}
        for field, spec in MODELS[model].items():
            if allfields and field not in allfields:
                continue
            kind, _, comodel = spec.partition(":")
            info: dict[str, Any] = {
                "type": odoo_types.get(kind, kind),
                "string": field.replace("_", " ").title(),
            }
            if comodel:
                info["relation"] = comodel
            # Odoo describes a field with the attributes asked for only (all when none are)
            answer[field] = {k: v for k, v in info.items() if not attributes or k in attributes}
        return answer

    def get_barcodes_and_pin_hashed(self, model: str, ids: Any) -> list[dict[str, Any]]:
        """pos_hr's hr.employee method: each employee's badge and PIN as the SHA-1 hex digest of
        its text (false when unset), as Odoo hands them to its POS to check offline."""
        if model != "hr.employee":
            raise no_method(model, "get_barcodes_and_pin_hashed")
        wanted = set([ids] if isinstance(ids, int) else list(ids or []))
        rows = self.searcher.search(model, [["id", "in", sorted(wanted)]], active_test=True)
        return [
            {"id": row["id"], "barcode": sha1_or_false(row.get("barcode")),
             "pin": sha1_or_false(row.get("pin"))}
            for row in rows
        ]  # fmt: skip

    def sync_from_ui(self, model: str, orders: Any) -> dict[str, list[dict[str, Any]]]:
        return PointOfSale(self.tx, self.visible_orders).sync_from_ui(model, orders)

    # -- a register's day (pos.session; see sessions.py) -------------------------------------

    def _sessions(self, model: str, method: str) -> Sessions:
        if model != "pos.session":
            raise no_method(model, method)
        return Sessions(self.tx)

    def set_opening_control(self, model: str, ids: Any, cashbox_value: Any, notes: Any) -> None:
        return self._sessions(model, "set_opening_control").set_opening_control(
            ids, cashbox_value, notes
        )

    def try_cash_in_out(
        self, model: str, ids: Any, _type: Any, amount: Any, reason: Any, extras: Any
    ) -> None:
        return self._sessions(model, "try_cash_in_out").try_cash_in_out(
            ids, _type, amount, reason, extras
        )

    def post_closing_cash_details(self, model: str, ids: Any, counted_cash: Any) -> Any:
        sessions = self._sessions(model, "post_closing_cash_details")
        return sessions.post_closing_cash_details(ids, counted_cash)

    def update_closing_control_state_session(self, model: str, ids: Any, notes: Any) -> None:
        sessions = self._sessions(model, "update_closing_control_state_session")
        return sessions.update_closing_control_state_session(ids, notes)

    def close_session_from_ui(
        self, model: str, ids: Any, bank_payment_method_diff_pairs: Any = None
    ) -> Any:
        sessions = self._sessions(model, "close_session_from_ui")
        return sessions.close_session_from_ui(ids, bank_payment_method_diff_pairs)


def sha1_or_false(text: Any) -> str | bool:
    return hashlib.sha1(text.encode()).hexdigest() if isinstance(text, str) and text else False


def writable(model: str, method: str) -> None:
    if model != "res.partner" and (model, method) not in (
        ("res.users", "write"),
        ("loyalty.card", "write"),
        ("loyalty.card", "create"),
    ):
        raise AccessError(
            f"You are not allowed to {method} '{model}' records in the sandbox "
            "(only res.partner is, a user's language and loyalty cards)."
        )


def ensure_countries(tx: Transaction) -> None:
    """The res.country rows partners point at (kept out of the demo seed, added on first use)."""
    for code, (country_id, name) in COUNTRIES.items():
        if tx.get("res.country", country_id) is None:
            tx.insert("res.country", country_id, {"name": name, "code": code})
