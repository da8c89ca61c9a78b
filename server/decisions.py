"""A manager's decisions on journal items that need Odoo's word first.

Odoo 18 books a sale by uuid but does not say so when the answer is lost: an item whose last
attempt ended in a timeout or a dropped connection ("in doubt") may well be in Odoo already.
Discarding it then would let the cashier ring it again and book it twice. So before such an item
is discarded, Odoo is asked by uuid (a sale) or by kasir's key (a customer): what Odoo holds is
recorded (the item is posted, with Odoo's id) and the discard is refused with that news.
Used by `kasir discard` and by /admin alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from .journal import Item, Journal
from .odoo import OdooClient, OdooError
from .odoo_mapping import partner_ref
from .phrases import Phrase

ALL = {"active_test": False}


@dataclass(frozen=True)
class Outcome:
    """What came of a decision: whether it was taken, and the words for the manager."""

    done: bool
    message: Phrase


async def find_in_odoo(client: OdooClient, item: Item) -> int | None:
    """Odoo's id of what this item made, or None when Odoo holds nothing of it. A customer
    update changes an existing partner and leaves nothing to find: None."""
    if item.kind == "order":
        rows = await client.search_read("pos.order", [["uuid", "=", item.uuid]], ["id"], limit=1)
        return int(rows[0]["id"]) if rows else None
    if item.kind == "partner" and item.record().get("op") == "create":
        found = await client.search(
            "res.partner", [["ref", "=", partner_ref(item.uuid)]], context=ALL
        )
        return int(found[0]) if found else None
    return None


async def _already_in_odoo(
    journal: Journal, client: OdooClient | None, item: Item
) -> Outcome | None:
    """For an item in doubt: what Odoo holds of it. An Outcome that stops the decision (Odoo
    has it: recorded as posted; or Odoo cannot be asked), else None (Odoo has nothing)."""
    if client is None:
        return Outcome(
            False,
            Phrase(
                "{uuid}: its last attempt may have reached Odoo and Odoo cannot be asked from "
                "here: set KASIR_ODOO_* (or --config) as for the relay, then try again",
                uuid=item.uuid,
            ),
        )
    try:
        odoo_id = await find_in_odoo(client, item)
    except OdooError as error:
        return Outcome(
            False,
            Phrase(
                "{uuid}: Odoo could not be asked whether it holds it: {error}",
                uuid=item.uuid,
                error=str(error),
            ),
        )
    if odoo_id is None:
        return None
    await run_in_threadpool(journal.mark_posted, item.uuid, odoo_id)
    return Outcome(
        False,
        Phrase(
            "{uuid} is in Odoo already (id {odoo_id}): recorded as posted "
            "(ringing or sending it again would book it twice)",
            uuid=item.uuid,
            odoo_id=odoo_id,
        ),
    )


async def discard(
    journal: Journal, client: OdooClient | None, uuid: str, reason: str, by: str
) -> Outcome:
    """Discard an item; one in doubt only after Odoo says it does not hold it."""
    item = await run_in_threadpool(journal.get, uuid)
    if item is None:
        return Outcome(False, Phrase("no item {uuid}", uuid=uuid))
    checked = False
    if item.in_doubt and item.state in ("queued", "failed"):
        stop = await _already_in_odoo(journal, client, item)
        if stop is not None:
            return stop
        checked = True
    problem = await run_in_threadpool(
        lambda: journal.discard(uuid, reason, by, odoo_checked=checked)
    )
    if problem is not None:
        return Outcome(False, problem)
    return Outcome(
        True,
        Phrase("{uuid} discarded: kept, never sent to Odoo ({reason})", uuid=uuid, reason=reason),
    )


async def retry(journal: Journal, client: OdooClient | None, uuid: str) -> Outcome:
    """Queue a failed item again (same uuid); one in doubt is first looked up in Odoo, and
    recorded as posted if Odoo has it. Without Odoo at hand it is queued all the same: the
    forwarder looks it up before sending it."""
    item = await run_in_threadpool(journal.get, uuid)
    state = "unknown" if item is None else item.state
    if item is None or item.state != "failed":
        return Outcome(
            False, Phrase("{uuid} is {state}, not failed: nothing to retry", uuid=uuid, state=state)
        )
    if item.in_doubt and client is not None:
        stop = await _already_in_odoo(journal, client, item)
        if stop is not None:
            return stop
    if not await run_in_threadpool(journal.requeue, uuid):
        return Outcome(False, Phrase("{uuid} is not failed any more: nothing to retry", uuid=uuid))
    return Outcome(
        True,
        Phrase("{uuid} queued again with the same uuid (Odoo cannot book it twice)", uuid=uuid),
    )
