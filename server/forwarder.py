"""The forwarder: moves queued journal items to Odoo, one order per call, exactly once.

Exactly once rests on two things: an item leaves `queued` only by a committed journal write made
after Odoo answered, and a retried item is sent with the same uuid, which Odoo deduplicates. So a
crash, a timeout or a connection dropped after Odoo committed only ever causes a resend that Odoo
answers with the order it already has. Transient trouble backs off (exponential, full jitter) and
holds back the items behind it on the same terminal, so a terminal's orders reach Odoo in order;
a business error fails that one item and the queue moves on.

Items are claimed from the journal (with a short lease, renewed while a pass works on them)
before they are sent, so several relays on one PostgreSQL journal forward the same queue without
sending an item twice at the same time, and a crashed relay's claims run out within seconds.
Right before each call the items it carries get `sent_at`: a relay taking over a dead relay's
items looks each up in Odoo, and one Odoo does not hold yet while a call carrying it may still be
running there (Odoo finishes a request whose client is gone, and Odoo 18 books one uuid twice
when two calls overlap) waits until Odoo holds it or that call's time is up. Different
terminals' queues are forwarded side by side.

Customers (kind "partner") go to res.partner create/write; the Odoo id is stored on the item, and
that is the mapping from the terminal's local uuid to Odoo's id. An order naming a customer by
local uuid is sent only once that customer is posted (then its payload gets partner_id; the stored
record never changes); until then it stays queued with a "waiting for customer" message (a
customer a manager discards lets the sale go to Odoo without a customer). If the
customer sits behind the order in the terminal's queue, it is sent first, right away: partners
before the orders that need them. A create looks for kasir's key first (res.partner.ref =
"kasir:" + uuid), so a create whose answer was lost never makes a second customer.

A register's day (kinds "session" and "cash_move") goes through the same lanes: an open books the
terminal into the config's session (made and opened with the counted cash when there is none), a
cash move becomes a statement line of the open session (kasir's key at the end of its reason), a
close waits until everything before it on its terminal is in Odoo and closes the session when no
other terminal that opened it is still open. Each looks first for what a lost answer made.

A posted sale that moved loyalty points has them booked next on its customer's card, apart from
the queue (it never holds up a terminal's items): one loyalty.card call sets the points and
makes the card's history line naming the pos.order, and that line is looked for first, so the
points are booked once (see book_points). The journal keeps whether they are due or booked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
import uuid as uuidlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from .decisions import find_in_odoo
from .journal import Item, Journal
from .odoo import (
    NO_OPEN_SESSION_TEXT,
    OdooAccessDenied,
    OdooBusinessError,
    OdooClient,
    OdooError,
    OdooHealth,
    OdooSessionClosed,
    OdooTransient,
)
from .odoo_mapping import (
    cash_move_to_odoo,
    loyalty_history_line,
    loyalty_points,
    m2o_id,
    order_line_ids,
    order_to_odoo,
    partner_country_codes,
    partner_ref,
    partner_to_odoo,
    session_notes,
    synced_order,
)

log = logging.getLogger("kasir.forwarder")

BOOKED_STATES = ("paid", "done", "invoiced")
DAY_KINDS = ("session", "cash_move")  # a register's day: opened, cash moved, closed
ALL = {"active_test": False}
# Sales whose points one pass books, one after the other (about four calls each): few enough to
# be done well within the claim's lease.
POINTS_PER_PASS = 20


class _Waiting(Exception):
    """The order's customer is not in Odoo yet: the order stays queued, retried at `at`."""

    def __init__(self, message: str, at: float | None = None) -> None:
        super().__init__(message)
        self.message, self.at = message, at


class _InFlight(_Waiting):
    """A call that carried the order (on a relay that died, or whose answer was lost) may still
    be running in Odoo: it is not sent again before `at`, but stands aside so the orders behind
    it go on."""


class _NotYet(Exception):
    """The order must go in a later call than the orders before it (its refunded sale is
    among them): the run is cut before it."""


class _ClaimLost(Exception):
    """Another relay took the item over (this one's lease ran out): it must not be sent."""


class _Unmappable(Exception):
    """The record cannot become Odoo values as it is (e.g. a country Odoo does not know)."""


def posted_id(posted: list[tuple[str, int, dict[str, int]]], uuid: str) -> int | None:
    return next((odoo_id for u, odoo_id, _ in posted if u == uuid), None)


def backoff(
    attempts: int, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempts)]."""
    return rng() * min(cap, base * (2 ** min(attempts, 32)))


class Forwarder:
    """Runs in the relay's event loop; `wake()` it when items were accepted."""

    def __init__(
        self,
        journal: Journal,
        client: OdooClient,
        *,
        config_id: Callable[[], int | None] = lambda: None,
        backoff_base: float = 0.5,
        backoff_cap: float = 60.0,
        health: OdooHealth | None = None,
        batch: int = 200,
        lease: float = 6.0,
        per_terminal: int = 50,
        parallel: int = 4,
        poll: float | None = None,
        orders_per_call: int = 25,
        odoo_time_limit: float = 120.0,
        recheck: float = 3.0,
    ) -> None:
        self.journal = journal
        self.client = client
        self.config_id = config_id
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.health = health or OdooHealth()
        self.batch = batch
        self.lease = lease
        # Odoo's limit_time_real: how long a call may run on in Odoo after its client is gone.
        # An item in doubt that Odoo does not hold yet is not sent again until then; Odoo is
        # asked again every `recheck` seconds meanwhile.
        self.odoo_time_limit = odoo_time_limit
        self.recheck = recheck
        self.per_terminal = per_terminal
        # Who holds a claim, as an operator reads it in the journal: host, process, instance.
        self.owner = f"forwarder-{socket.gethostname()}-{os.getpid()}-{uuidlib.uuid4().hex[:8]}"
        # A shared journal gets work from other relays' terminals too: look often. A single relay
        # still looks every few seconds, so `kasir retry` from another process takes effect.
        self.poll = poll if poll is not None else (0.5 if journal.shared else 3.0)
        self.parallel = max(1, parallel)
        # Odoo books a call in one transaction; measured on Odoo 18, 25-50 orders a call cost
        # about 200 ms of Odoo's time each, against 430 ms one by one.
        self.orders_per_call = max(1, orders_per_call)
        self._session: int | None = None  # the register's open pos.session in Odoo
        self._wake = asyncio.Event()
        self._countries: dict[str, int] = {}  # ISO code -> res.country id (never changes)
        self._keyed: bool | None = None  # whether res.partner has `ref` (kasir's create key)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Forever: forward what is due, then sleep until woken or the next retry is due."""
        if not self.journal.shared:  # claims left by a relay that crashed on this journal
            await run_in_threadpool(self.journal.release_all)
        while True:
            self._wake.clear()
            try:
                wake_at = await self.pass_once()
            except Exception:  # never let the loop die; the items stay queued
                log.exception("forwarder pass failed")
                wake_at = time.time() + max(self.backoff_base, 0.1)
            timeout = None if wake_at is None else max(0.0, wake_at - time.time())
            if self.poll is not None:
                timeout = self.poll if timeout is None else min(timeout, self.poll)
            if timeout == 0.0:
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def pass_once(self) -> float | None:
        """Claim and forward the due items, each terminal's in order and terminals side by side;
        returns when to look again (None: nothing is queued)."""
        points_due = await self.book_points()
        items = await run_in_threadpool(
            self.journal.claim,
            self.owner,
            self.batch,
            lease=self.lease,
            per_terminal=self.per_terminal,
        )
        if items:
            lanes: dict[str, list[Item]] = {}
            for item in items:
                lanes.setdefault(item.terminal, []).append(item)
            slots = asyncio.Semaphore(self.parallel)
            # The claims are renewed while the pass works, so they never run out under a live
            # relay (another relay would then send them too), and a dead relay's run out soon.
            renewing = asyncio.create_task(self._renew([item.uuid for item in items]))
            try:
                done = await asyncio.gather(
                    *(self._lane(lane, slots) for lane in lanes.values()),
                    return_exceptions=True,
                )
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
            for outcome in done:
                if isinstance(outcome, BaseException):
                    raise outcome
            if any(done):
                return time.time()  # look again at once: more may be queued behind
        queue_due = await run_in_threadpool(self.journal.next_due)
        return min((t for t in (queue_due, points_due) if t is not None), default=None)

    async def _renew(self, uuids: list[str]) -> None:
        """Every third of the lease, extend this forwarder's claims on `uuids` (those settled
        or released meanwhile are no longer its own and are left alone)."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                await run_in_threadpool(
                    self.journal.renew, self.owner, uuids, time.time() + self.lease
                )
            except Exception:  # the journal is away: each call still checks its claims
                log.warning("could not renew the forwarder's claims", exc_info=True)

    async def _sending(self, items: list[Item], *, unclaimed: bool = False) -> bool:
        """Record that a call carrying `items` starts now (their `sent_at`); False when this
        forwarder no longer holds all their claims (its lease ran out and another relay took
        them): then nothing may be sent."""
        uuids = [item.uuid for item in items]
        kept = await run_in_threadpool(
            self.journal.mark_sent, self.owner, uuids, self.lease, unclaimed=unclaimed
        )
        if len(kept) == len(uuids):
            return True
        log.warning(
            "claim lost before sending: another relay holds these items now",
            extra={"uuid": items[0].uuid, "terminal": items[0].terminal, "items": len(uuids)},
        )
        return False

    async def _lane(self, items: list[Item], slots: asyncio.Semaphore) -> bool:
        """One terminal's claimed run, in order: customers one by one, orders several per
        sync_from_ui call. A retry gives back the items behind it. Returns whether any item
        was settled."""
        settled = False
        index = 0
        try:
            async with slots:
                while index < len(items):
                    item = items[index]
                    if item.kind in ("partner", *DAY_KINDS):
                        forward = (
                            self.forward_partner if item.kind == "partner" else self.forward_day
                        )
                        if await forward(item) is not None:
                            break
                        index, settled = index + 1, True
                        continue
                    done, retry_at = await self._forward_orders(items[index:])
                    index += done
                    settled = settled or done > 0
                    if retry_at is not None:
                        break
        finally:
            rest = [item.uuid for item in items[index:]]  # not settled by this pass
            if rest:
                with contextlib.suppress(Exception):  # else the lease runs out by itself
                    await run_in_threadpool(self.journal.release, self.owner, rest)
        return settled

    async def forward(self, item: Item) -> float | None:
        """Send one item; every outcome is one journal write. Returns the retry time, if any."""
        if item.kind == "partner":
            return await self.forward_partner(item)
        if item.kind in DAY_KINDS:
            return await self.forward_day(item)
        return (await self._forward_orders([item]))[1]

    async def _forward_orders(self, items: list[Item]) -> tuple[int, float | None]:
        """Send the orders at the head of `items` (up to `orders_per_call`, stopping at a
        customer, or at a refund whose original sale is in the same run), in one call.
        Returns (items settled, retry time if the head of the rest must wait)."""
        batch: list[tuple[Item, dict[str, Any]]] = []
        booked: list[tuple[str, int, dict[str, int]]] = []  # in doubt, and found in Odoo
        aside = 0  # in doubt, maybe still running in Odoo: they wait without holding up the rest
        for item in items[: self.orders_per_call]:
            if item.kind != "order":
                break
            try:
                if item.in_doubt and (odoo_id := await self._booked_before(item)) is not None:
                    booked.append((item.uuid, odoo_id, {}))
                    continue
                await self._own_lines(item, [payload for _, payload in batch])
                batch.append((item, await self._payload(item, [i.uuid for i, _ in batch])))
            except _NotYet:
                break
            except _InFlight as waiting:
                await run_in_threadpool(
                    self.journal.set_aside, item.uuid, waiting.message, waiting.at
                )
                aside += 1
                continue
            except _Waiting as waiting:
                if batch or booked:
                    break  # send what is ready; this one is the head of the next run
                return 0, await self._retry(item, waiting.message, at=waiting.at)
            except (KeyError, TypeError, ValueError, _Unmappable) as error:
                if batch or booked:
                    break
                why = str(error) if isinstance(error, _Unmappable) else f"{error!r}"
                await self._fail(item, f"the relay could not map this record: {why}")
                return 1, None
            except OdooError as error:  # looking up the session or a refunded line
                if batch or booked:
                    break
                return 0, await self._odoo_refused(item, error)
        if booked:
            await run_in_threadpool(
                self.journal.mark_posted_many, booked, points=self._points_due(items, booked)
            )
        if not batch:
            return len(booked) + aside, None
        done, retry_at = await self._send_orders(batch)
        return done + len(booked) + aside, retry_at

    async def _booked_before(self, item: Item) -> int | None:
        """An item in doubt is looked up in Odoo before it is sent again: a call whose answer
        was lost, or one a dead relay had in flight, may have booked it (Odoo 18 does not
        guard its uuid against a concurrent second call). None: Odoo does not hold it. Raises
        _InFlight while a call carrying it may still be running in Odoo (it started less than
        Odoo's time limit ago): sending it now could book it twice."""
        odoo_id = await find_in_odoo(self.client, item)
        if odoo_id is None:
            self._not_running(item)
            await run_in_threadpool(self.journal.clear_doubt, item.uuid)
        else:
            log.info(
                "found in Odoo after an unknown outcome",
                extra={"uuid": item.uuid, "terminal": item.terminal, "odoo_id": odoo_id},
            )
        return odoo_id

    def _not_running(self, item: Item) -> None:
        """Raise _InFlight while a call carrying `item` may still be running in Odoo."""
        now = time.time()
        ends = (item.sent_at or 0.0) + self.odoo_time_limit
        if now < ends:
            at = min(ends, now + self.recheck)
            log.info(
                "an earlier attempt may still be running in Odoo: not sent again yet",
                extra={"uuid": item.uuid, "terminal": item.terminal, "wait": round(ends - now)},
            )
            raise _InFlight(
                "an earlier attempt may still be running in Odoo; asked again at "
                + time.strftime("%H:%M:%S", time.localtime(at)),
                at,
            )

    async def _send_orders(
        self, batch: list[tuple[Item, dict[str, Any]]]
    ) -> tuple[int, float | None]:
        """One sync_from_ui call for the batch. Odoo runs a call in one transaction, so a
        refused batch booked nothing: it is split in halves until the order Odoo refuses is
        alone, and only that one fails. Returns (items settled, retry time or None)."""
        head = batch[0][0]
        if not await self._sending([item for item, _ in batch]):
            return 0, time.time() + self.recheck
        try:
            answer = await self.client.sync_orders([p for _, p in batch], self.config_id())
            rows = await self._booked(answer, [item.uuid for item, _ in batch])
        except OdooBusinessError as error:
            if len(batch) == 1:
                self.health.failed(error, time.time())
                await self._fail(head, await self._explained(head, error.message))
                return 1, None
            half = len(batch) // 2
            done, retry_at = await self._send_orders(batch[:half])
            if retry_at is not None:
                return done, retry_at
            more, retry_at = await self._send_orders(batch[half:])
            return done + more, retry_at
        except OdooError as error:
            if isinstance(error, OdooSessionClosed):
                self._session = None  # look for the register's open session again
            await self._call_ended([item for item, _ in batch], error)
            return 0, await self._odoo_refused(head, error)
        self.health.ok(time.time())
        posted: list[tuple[str, int, dict[str, int]]] = []
        # Odoo's own names ("Shop/0001"): what the cashier finds a sale by in Odoo.
        names = {uuid: str(row["name"]) for uuid, row in rows.items() if row.get("name")}
        for item, _ in batch:
            row = rows.get(item.uuid)
            if row is None:  # Odoo answered without it: sent again, Odoo deduplicates
                await self._mark_posted(batch, posted, names)
                return len(posted), await self._retry(
                    item, "Odoo answered without this order; trying again"
                )
            state = row.get("state")
            if state in BOOKED_STATES or state is None:
                posted.append((item.uuid, int(row["id"]), row.get("lines") or {}))
                continue
            await self._mark_posted(batch, posted, names)
            await self._fail(
                item,
                f"Odoo kept order {row.get('name') or item.uuid} in state {state!r} "
                "(not fully paid?); check it in Odoo",
                odoo_id=int(row["id"]),
            )
            return len(posted) + 1, None
        await self._mark_posted(batch, posted, names)
        for item, _ in batch:
            self._log(item, "posted", odoo_id=posted_id(posted, item.uuid))
        return len(batch), None

    async def _mark_posted(
        self,
        batch: list[tuple[Item, dict[str, Any]]],
        posted: list[tuple[str, int, dict[str, int]]],
        names: dict[str, str],
    ) -> None:
        points = self._points_due([item for item, _ in batch], posted)
        await run_in_threadpool(self.journal.mark_posted_many, posted, names, points=points)

    @staticmethod
    def _points_due(items: list[Item], posted: list[tuple[str, int, dict[str, int]]]) -> list[str]:
        """The posted sales among `items` whose loyalty points go on a card in Odoo next."""
        done = {uuid for uuid, _, _ in posted}
        due = []
        for item in items:
            if item.uuid not in done or item.kind != "order":
                continue
            try:
                if loyalty_points(item.record()):
                    due.append(item.uuid)
            except (KeyError, TypeError, ValueError, ArithmeticError):
                # the sale is in Odoo all the same; only its points cannot be read
                log.warning(
                    "a sale's loyalty entries cannot be read: its points are not booked",
                    extra={"uuid": item.uuid, "terminal": item.terminal},
                )
        return due

    async def _call_ended(self, items: list[Item], error: OdooError) -> None:
        """A call carrying `items` ended without Odoo's answer: whether Odoo may have booked
        them (in doubt), and whether the call may still be running there (timed out or the
        connection dropped: Odoo goes on with it) or is over (Odoo answered, or never got it)."""
        in_doubt = isinstance(error, OdooTransient) and error.in_doubt
        running = in_doubt and isinstance(error.__cause__, httpx.TransportError)
        await run_in_threadpool(
            self.journal.mark_call_ended,
            [item.uuid for item in items],
            in_doubt=in_doubt,
            running=running,
        )

    async def _explained(self, item: Item, message: str) -> str:
        """Odoo's message, with what it leaves out: Odoo 18 reports a deleted product as a
        generic "another model requires the record" naming only the constraint."""
        if "pos_order_line_product_id_fkey" not in message:
            return message
        wanted = sorted({line["product_id"] for line in item.record()["lines"]})
        try:
            found = set(
                await self.client.search("product.product", [["id", "in", wanted]], context=ALL)
            )
        except OdooError:
            return message
        gone = ", ".join(str(product) for product in wanted if product not in found)
        if not gone:
            return message
        return f"{message.strip()} (product {gone} of this sale is no longer in Odoo)"

    async def _booked(self, answer: dict[str, Any], uuids: list[str]) -> dict[str, dict[str, Any]]:
        """Each sent order as Odoo booked it ({id, name, state, lines: {line uuid: id}}), from
        the answer, or looked up by uuid when the answer left it out."""
        rows = {uuid: row for uuid in uuids if (row := synced_order(answer, uuid)) is not None}
        missing = [uuid for uuid in uuids if uuid not in rows]
        if missing:
            for row in await self.client.search_read(
                "pos.order", [["uuid", "in", missing]], ["id", "name", "state", "uuid"]
            ):
                rows[row["uuid"]] = row
        lines = order_line_ids(answer)
        return {uuid: {**row, "lines": lines.get(int(row["id"]), {})} for uuid, row in rows.items()}

    async def _own_lines(self, item: Item, sending: list[dict[str, Any]]) -> None:
        """_Unmappable when a line uuid of this sale is already a line of another sale in Odoo
        (or in this call): a line is made once, so a copied or tampered record is not booked."""
        lines = [line["uuid"] for line in item.record()["lines"]]
        taken = {
            line[2]["uuid"]: payload["uuid"] for payload in sending for line in payload["lines"]
        }
        taken.update(await run_in_threadpool(self.journal.line_orders, lines))
        for line in lines:
            if taken.get(line, item.uuid) != item.uuid:
                raise _Unmappable(
                    f"line {line} is a line of another sale ({taken[line]}): each line is made "
                    "once; the till must send this sale with new line uuids"
                )

    async def _payload(self, item: Item, sending: list[str]) -> dict[str, Any]:
        """The order's sync_from_ui payload: its customer's and refunded lines' Odoo ids and the
        register's open session resolved. Raises _Waiting (the customer or the refunded sale is
        not in Odoo yet) or _NotYet (the refunded sale goes in this very run)."""
        record = item.record()
        partner_id = await self._customer_of(item, record)
        refunded = await self._refunded_line_ids(item, record, sending)
        session_id = await self._session_id(record)
        return order_to_odoo(record, partner_id, session_id=session_id, refunded_line_ids=refunded)

    async def _session_id(self, record: dict[str, Any]) -> int:
        """The register's open session in Odoo, asked once and again after Odoo said it
        closed. The till's own `session` is only a fallback when the relay has no config."""
        if self._session is None:
            config_id = self.config_id()
            if config_id is None:
                if isinstance(record.get("session"), int):
                    return record["session"]
                raise OdooTransient("the relay has not read its POS config from Odoo yet")
            rows = await self.client.search_read(
                "pos.session",
                [["config_id", "=", config_id], ["state", "=", "opened"]],
                ["id"],
                order="id desc",
                limit=1,
            )
            if not rows:
                raise OdooSessionClosed(NO_OPEN_SESSION_TEXT)
            self._session = int(rows[0]["id"])
        return self._session

    async def _refunded_line_ids(
        self, item: Item, record: dict[str, Any], sending: list[str]
    ) -> dict[str, int]:
        """Odoo's ids of the sold lines a refund names (refunded_line_uuid), so Odoo links the
        refund to its sale (refunded_qty). A refund waits behind its original sale."""
        wanted = [
            line["refunded_line_uuid"]
            for line in record.get("lines") or ()
            if line.get("refunded_line_uuid")
        ]
        if not wanted:
            return {}
        found = await run_in_threadpool(self.journal.odoo_line_ids, wanted)
        for uuid in [u for u in wanted if u not in found]:
            original = await run_in_threadpool(self.journal.order_of_line, uuid)
            if original is not None and original.uuid in sending:
                raise _NotYet()
            if original is not None and original.state != "posted":
                name = original.record().get("name") or original.uuid
                raise _Waiting(
                    f"waiting for the sale {name} this refund returns to reach Odoo "
                    f"(it is {original.state})"
                )
        missing = [u for u in wanted if u not in found]
        if missing:  # sold before the relay kept line ids, or on another relay: ask Odoo
            for row in await self.client.search_read(
                "pos.order.line", [["uuid", "in", missing]], ["id", "uuid"]
            ):
                found[row["uuid"]] = int(row["id"])
        missing = [u for u in wanted if u not in found]
        if missing:
            raise _Waiting(
                f"waiting for the sale this refund returns: neither the relay nor Odoo has its "
                f"line {missing[0]} yet"
            )
        return found

    # -- customers --------------------------------------------------------------------------

    async def _customer_of(self, order: Item, record: dict[str, Any]) -> int | None:
        """The Odoo id of the customer an order names by local uuid (None: no such customer
        field); raises _Waiting while that customer is not posted."""
        partner = record.get("partner")
        if not isinstance(partner, dict) or "uuid" not in partner:
            return None
        uuid = partner["uuid"]
        customer = await run_in_threadpool(self.journal.get, uuid)
        if customer is None or customer.kind != "partner" or customer.terminal != order.terminal:
            raise _Waiting(
                f"waiting for customer {uuid}: the terminal has not sent that customer yet"
            )
        if customer.state == "queued":
            # Behind this order in the terminal's queue (our claim on the order keeps other
            # relays off it), or waiting for a retry: send it now unless its retry is not due.
            if customer.next_attempt_at > time.time():
                raise _Waiting(self._waiting_text(customer), customer.next_attempt_at)
            retry_at = await self.forward_partner(customer)
            customer = await run_in_threadpool(self.journal.get, uuid)
            if customer is None or customer.state == "queued":
                raise _Waiting(self._waiting_text(customer), retry_at)
        if customer.state == "posted" and customer.odoo_id is not None:
            return int(customer.odoo_id)
        if customer.state == "discarded":
            # A manager gave up on the customer; the sale itself must still reach Odoo.
            log.warning(
                "customer discarded: the order is booked without a customer",
                extra={"uuid": order.uuid, "terminal": order.terminal, "customer": uuid},
            )
            return None
        raise _Waiting(self._waiting_text(customer))

    @staticmethod
    def _waiting_text(customer: Item | None) -> str:
        if customer is None:
            return "waiting for a customer the relay no longer finds"
        values = customer.record().get("values")
        name = values.get("name") if isinstance(values, dict) else None
        name = name.strip() if isinstance(name, str) else ""
        who = f"customer {name!r} ({customer.uuid})" if name else f"customer {customer.uuid}"
        if customer.state in ("failed", "rejected"):
            by, fix = (
                ("Odoo refused it", "fix it and retry the customer")
                if customer.state == "failed"
                else ("the relay rejected it", "the terminal can send it again corrected")
            )
            return (
                f"waiting for {who}: {by} ({customer.error}); {fix}, or discard it to book the "
                "sale without a customer"
            )
        reason = f" ({customer.error})" if customer.error else ""
        return f"waiting for {who} to reach Odoo{reason}"

    async def _odoo_refused(self, item: Item, error: OdooError) -> float | None:
        """What an Odoo error means for one item, the same for sales and customers.

        Credentials and transient trouble keep it queued (retried with backoff); a business error
        fails it with Odoo's message, never blocking the items behind it.
        """
        if isinstance(error, OdooAccessDenied):
            log.error(
                "odoo access denied: check KASIR_ODOO_DB/LOGIN/API_KEY; the item stays queued",
                extra={"uuid": item.uuid, "terminal": item.terminal, "error": error.message},
            )
            return await self._retry(item, f"Odoo refused the relay's credentials: {error.message}")
        if isinstance(error, OdooTransient | OdooBusinessError):
            self.health.failed(error, time.time())
        if isinstance(error, OdooBusinessError):
            return await self._fail(item, error.message)
        return await self._retry(item, error.message)

    async def forward_partner(self, item: Item) -> float | None:
        """Create or update one customer in Odoo; every outcome is one journal write. Returns
        the retry time, if any. An item already settled (sent ahead of an order) is skipped."""
        current = await run_in_threadpool(self.journal.get, item.uuid)
        if current is None or current.state != "queued":
            return None
        item = current
        record = item.record()
        sent = False  # whether the create or write call started
        try:
            countries = await self._country_ids(partner_country_codes(record))
            values = partner_to_odoo(record, countries)
            found = None if record["op"] == "update" else await self._partner_made(item)
            if found is not None:
                odoo_id = found
            else:
                # The order this customer goes ahead of holds the claim: take the customer's.
                if not await self._sending([item], unclaimed=True):
                    return time.time() + self.recheck
                sent = True
                if record["op"] == "update":
                    await self.client.execute_kw("res.partner", "write", [[record["id"]], values])
                    odoo_id = int(record["id"])
                else:
                    odoo_id = await self._create_partner(values)
        except _Waiting as waiting:
            return await self._retry(item, waiting.message, at=waiting.at)
        except _Unmappable as problem:  # the record itself must change: no retry helps
            return await self._fail(item, str(problem))
        except OdooError as error:
            if sent:
                await self._call_ended([item], error)
            return await self._odoo_refused(item, error)
        except (KeyError, TypeError, ValueError) as error:
            return await self._fail(item, f"the relay could not map this customer: {error!r}")
        self.health.ok(time.time())
        await run_in_threadpool(self.journal.mark_posted, item.uuid, odoo_id)
        self._log(item, "posted", odoo_id=odoo_id)
        return None

    async def _partner_made(self, item: Item) -> int | None:
        """The customer an earlier try made (its answer was lost, or its relay died before
        recording it), found by kasir's key; None: there is none, and none may still be in the
        making (else _Waiting, as for orders)."""
        if not await self._partner_keyed():
            return None
        found = await self.client.search(
            "res.partner", [["ref", "=", partner_ref(item.uuid)]], context=ALL
        )
        if found:
            return int(found[0])
        if item.in_doubt:
            self._not_running(item)
        return None

    async def _create_partner(self, values: dict[str, Any]) -> int:
        """res.partner.create (kasir's key `ref` left out when res.partner has none)."""
        if not await self._partner_keyed():
            values = {k: v for k, v in values.items() if k != "ref"}
        answer = await self.client.execute_kw("res.partner", "create", [values])
        created = answer[0] if isinstance(answer, list) else answer
        if isinstance(created, bool) or not isinstance(created, int):
            raise OdooTransient(f"res.partner.create answered {answer!r}")
        return created

    async def _partner_keyed(self) -> bool:
        """Whether Odoo's res.partner has `ref` (every real Odoo has); asked once."""
        if self._keyed is None:
            fields = await self.client.execute_kw(
                "res.partner", "fields_get", [], {"attributes": ["type"]}
            )
            self._keyed = isinstance(fields, dict) and "ref" in fields
            if not self._keyed:
                log.warning(
                    "res.partner has no 'ref' field: a customer create retried after a lost "
                    "answer could make a second customer"
                )
        return self._keyed

    async def _country_ids(self, codes: list[str]) -> dict[str, int]:
        """res.country ids for ISO codes, looked up once each; _Unmappable names an unknown one."""
        missing = [code for code in codes if code not in self._countries]
        if missing:
            rows = await self.client.search_read(
                "res.country", [["code", "in", missing]], ["id", "code"], context=ALL
            )
            for row in rows:
                if isinstance(row.get("code"), str):
                    self._countries[row["code"].upper()] = int(row["id"])
        unknown = [code for code in codes if code not in self._countries]
        if unknown:
            raise _Unmappable(f"Odoo knows no country with the code {unknown[0]!r}")
        return {code: self._countries[code] for code in codes}

    # -- a register's day: its session opened and closed, cash moved in and out --------------

    async def forward_day(self, item: Item) -> float | None:
        """Open or close the register's session in Odoo, or move cash in it, as Odoo's own POS
        does; every outcome is one journal write (posted with the session's or the statement
        line's id). Returns the retry time, if any. Each step first asks Odoo what a lost
        answer may have done, so a retried item never opens a second session or books a cash
        move twice."""
        current = await run_in_threadpool(self.journal.get, item.uuid)
        if current is None or current.state != "queued":
            return None
        item = current
        record = item.record()
        try:
            if item.kind == "cash_move":
                odoo_id = await self._move_cash(item, record)
            elif record["op"] == "open":
                odoo_id = await self._open_session(item, record)
            else:
                odoo_id = await self._close_session(item, record)
        except _ClaimLost:
            return time.time() + self.recheck
        except _Waiting as waiting:
            return await self._retry(item, waiting.message, at=waiting.at)
        except _Unmappable as problem:
            return await self._fail(item, str(problem))
        except OdooError as error:
            if isinstance(error, OdooSessionClosed):
                self._session = None
            await self._call_ended([item], error)
            return await self._odoo_refused(item, error)
        except (KeyError, TypeError, ValueError) as error:
            return await self._fail(item, f"the relay could not map this record: {error!r}")
        self.health.ok(time.time())
        await run_in_threadpool(self.journal.mark_posted, item.uuid, odoo_id)
        self._log(item, "posted", odoo_id=odoo_id)
        return None

    def _config(self) -> int:
        config_id = self.config_id()
        if config_id is None:
            raise OdooTransient("the relay has not read its POS config from Odoo yet")
        return config_id

    async def _send_day(self, item: Item) -> None:
        """Right before a call that changes Odoo: _ClaimLost when this relay lost its claim."""
        if not await self._sending([item]):
            raise _ClaimLost()

    async def _open_session(self, item: Item, record: dict[str, Any]) -> int:
        """The session this open is booked into: the config's session that is not closed (one
        an earlier try made, or another terminal opened: the terminals of one register share
        its session), else a new one made and opened with the counted cash (pos.session
        create, then set_opening_control, as Odoo's POS opens a register)."""
        config_id = self._config()
        self._session = None
        rows = await self.client.search_read(
            "pos.session",
            [["config_id", "=", config_id], ["state", "!=", "closed"]],
            ["id", "name", "state"],
            order="id desc",
            limit=1,
        )
        if rows and rows[0]["state"] == "closing_control":
            raise _Waiting(
                f"Odoo is closing the register's session {rows[0]['name']}: this day opens "
                "once it is closed"
            )
        if rows:
            session_id = int(rows[0]["id"])
            if rows[0]["state"] == "opening_control":
                await self._send_day(item)
                await self._opening_control(session_id, record)
            return session_id
        if item.in_doubt:  # opened by a try whose answer was lost, and closed since
            made = await self.client.search_read(
                "pos.session",
                [["config_id", "=", config_id], ["opening_notes", "ilike", partner_ref(item.uuid)]],
                ["id"],
                limit=1,
            )
            if made:
                return int(made[0]["id"])
            self._not_running(item)
        await self._send_day(item)
        created = await self.client.execute_kw("pos.session", "create", [{"config_id": config_id}])
        session_id = created[0] if isinstance(created, list) else created
        if isinstance(session_id, bool) or not isinstance(session_id, int):
            raise OdooTransient(f"pos.session.create answered {created!r}")
        await self._opening_control(session_id, record)
        return session_id

    async def _opening_control(self, session_id: int, record: dict[str, Any]) -> None:
        await self.client.execute_kw(
            "pos.session",
            "set_opening_control",
            [[session_id], Decimal(record["cash"]), session_notes(record)],
        )

    async def _move_cash(self, item: Item, record: dict[str, Any]) -> int:
        """The statement line of this cash move in the register's open session. Odoo 18 books
        a move on a closed session as well, so the session is read fresh each time."""
        key = partner_ref(item.uuid)
        found = await self._cash_line(key)
        if found is not None:
            return found
        if item.in_doubt:
            self._not_running(item)
        self._session = None
        session_id = await self._session_id(record)
        await self._send_day(item)
        await self.client.execute_kw(
            "pos.session", "try_cash_in_out", cash_move_to_odoo(record, session_id)
        )
        found = await self._cash_line(key)
        if found is None:
            raise OdooTransient("Odoo took the cash move but its statement line is not found")
        return found

    async def _cash_line(self, key: str) -> int | None:
        rows = await self.client.search_read(
            "account.bank.statement.line", [["payment_ref", "ilike", key]], ["id"], limit=1
        )
        return int(rows[0]["id"]) if rows else None

    async def _close_session(self, item: Item, record: dict[str, Any]) -> int:
        """Close the session once every earlier item of this terminal is in Odoo (Odoo's own
        POS refuses to close with unsent orders) and no other terminal that opened it is still
        open: the last one closes it, with the cash all of them counted (one register, one
        cash journal in Odoo). The counts, the note and the closing follow Odoo's POS:
        post_closing_cash_details, update_closing_control_state_session,
        close_session_from_ui."""
        opened = await run_in_threadpool(self.journal.get, record["session_uuid"])
        if opened is None or opened.kind != "session" or opened.terminal != item.terminal:
            raise _Unmappable(
                f"session_uuid {record['session_uuid']} is no session this terminal opened"
            )
        behind = await run_in_threadpool(self.journal.unsettled_before, item.terminal, item.seq)
        if behind:
            first = behind[0]
            name = first.record().get("name") or f"{first.kind} {first.uuid}"
            why = f": {first.error}" if first.error else ""
            raise _Waiting(
                f"waiting for {name} ({first.state}{why}) to reach Odoo: a session closes only "
                "after everything sold in it"
            )
        session_id = opened.odoo_id
        if session_id is None:
            raise _Waiting("waiting for the session's opening to reach Odoo")
        counted, still_open = await self._shared_close(item, record, int(session_id))
        if still_open:
            log.info(
                "session stays open for other terminals",
                extra={"uuid": item.uuid, "terminal": item.terminal, "others": still_open},
            )
            return int(session_id)
        [row] = await self.client.execute_kw("pos.session", "read", [[session_id], ["state"]])
        self._session = None
        if row["state"] == "closed":  # an earlier try, or a manager in Odoo, closed it
            return int(session_id)
        await self._send_day(item)
        await self._closing_step("post_closing_cash_details", [[session_id], counted])
        await self.client.execute_kw(
            "pos.session",
            "update_closing_control_state_session",
            [[session_id], (record.get("note") or "").strip()],
        )
        await self._closing_step("close_session_from_ui", [[session_id], []])
        return int(session_id)

    async def _shared_close(
        self, item: Item, record: dict[str, Any], session_id: int
    ) -> tuple[Decimal, list[str]]:
        """(the cash every terminal of the session counted at its last close, this one's
        included; the terminals that opened it and have not closed since)."""
        last: dict[str, dict[str, Any]] = {}
        for other in await run_in_threadpool(self.journal.session_records, session_id):
            if other.terminal != item.terminal:
                last[other.terminal] = other.record()
        still_open = sorted(t for t, r in last.items() if r.get("op") == "open")
        counted = Decimal(record["cash"]) + sum(
            (Decimal(r["cash"]) for r in last.values() if r.get("op") == "close"), Decimal(0)
        )
        return counted, still_open

    async def _closing_step(self, method: str, args: list[Any]) -> None:
        """One of Odoo's closing calls that answer {"successful": false, "message"} instead of
        raising: a closed session is fine (closed already), anything else fails the item."""
        answer = await self.client.execute_kw("pos.session", method, args)
        if not isinstance(answer, dict) or answer.get("successful"):
            return
        if answer.get("title") == "Session already closed":
            return
        raise OdooBusinessError(f"Odoo did not close the session: {answer.get('message')}")

    # -- a sale's loyalty points -------------------------------------------------------------

    async def book_points(self) -> float | None:
        """Put the loyalty points of the posted sales on their customers' cards in Odoo, each
        sale's once; returns when to look again (None: no sale's points are due).

        Odoo 18's POS books points with pos.order.confirm_coupon_programs, then writes the
        card's history with add_loyalty_history_lines: two calls, two transactions, and the
        first leaves no trace naming the order (a second call adds the points again). So the
        relay books a sale's points with ONE call that both sets the card's points and makes
        the history line naming the pos.order (loyalty.card write, or create for a customer
        without a card in that program, as confirm_coupon_programs makes one): Odoo commits
        both or neither, so the line proves the booking, and a sale whose line is in Odoo is
        never booked again. The price: the new balance is the card's points read right before
        plus the sale's, so a change made elsewhere in between (milliseconds) would be lost."""
        items = await run_in_threadpool(
            self.journal.claim_points, self.owner, POINTS_PER_PASS, lease=self.lease
        )
        for item in items:
            await self._book_points(item)
        return await run_in_threadpool(self.journal.points_next_due)

    async def _book_points(self, item: Item) -> None:
        record = item.record()
        order_id = int(item.odoo_id or 0)
        doubt = item.sent_at is not None  # a call that got no answer may have booked them
        try:
            [order] = await self.client.execute_kw(
                "pos.order", "read", [[order_id], ["partner_id"]]
            )
            partner_id = m2o_id(order.get("partner_id"))
            booked = await self._programs_booked(order_id)
            todo = {
                program: points
                for program, points in loyalty_points(record).items()
                if program not in booked and partner_id is not None
            }
            if todo and doubt:
                self._not_running(item)  # that call may still be running in Odoo
            doubt = False  # it booked nothing (no history line) and is over
            for program, points in todo.items():
                if not await run_in_threadpool(
                    self.journal.points_sending, self.owner, item.uuid, self.lease
                ):
                    return  # another relay holds the sale now
                try:
                    await self._book_card(record, order_id, int(partner_id), program, points)
                except OdooError as error:
                    doubt = isinstance(error, OdooTransient) and error.in_doubt
                    raise
        except _InFlight as waiting:
            await run_in_threadpool(
                self.journal.points_retry, item.uuid, waiting.message, waiting.at, answered=False
            )
            return
        except OdooError as error:
            retry_at = time.time() + backoff(item.attempts, self.backoff_base, self.backoff_cap)
            why = f"Odoo has the sale; its loyalty points are not booked yet: {error.message}"
            await run_in_threadpool(
                self.journal.points_retry, item.uuid, why, retry_at, answered=not doubt
            )
            self._log(item, "posted", error=why)
            return
        await run_in_threadpool(self.journal.points_booked, item.uuid)
        if partner_id is None:  # a customer a manager discarded: Odoo has the sale without one
            log.warning(
                "a sale without a customer in Odoo: its points go on no card",
                extra={"uuid": item.uuid, "terminal": item.terminal},
            )
        self._log(item, "posted", points=",".join(f"{p}:{n}" for p, n in todo.items()) or None)

    async def _programs_booked(self, order_id: int) -> set[int]:
        """The programs whose card has a history line of this pos.order: booked already."""
        lines = await self.client.search_read(
            "loyalty.history",
            [["order_model", "=", "pos.order"], ["order_id", "=", order_id]],
            ["card_id"],
        )
        cards = sorted({card for line in lines if (card := m2o_id(line.get("card_id")))})
        if not cards:
            return set()
        rows = await self.client.search_read(
            "loyalty.card", [["id", "in", cards]], ["program_id"], context=ALL
        )
        return {program for row in rows if (program := m2o_id(row.get("program_id")))}

    async def _book_card(
        self, record: dict[str, Any], order_id: int, partner_id: int, program: int, points: Decimal
    ) -> None:
        """One call: the customer's card in the program (the first, as pos_loyalty takes it)
        gets the points and the history line, or a card is made with them."""
        line = [0, 0, loyalty_history_line(record, order_id, points)]
        cards = await self.client.search_read(
            "loyalty.card",
            [["partner_id", "=", partner_id], ["program_id", "=", program]],
            ["id", "points"],
            order="id",
            limit=1,
        )
        if cards:
            balance = Decimal(str(cards[0].get("points") or 0)) + points
            await self.client.execute_kw(
                "loyalty.card",
                "write",
                [[cards[0]["id"]], {"points": balance, "history_ids": [line]}],
            )
            return
        values = {
            "program_id": program,
            "partner_id": partner_id,
            "points": points,
            "source_pos_order_id": order_id,
            "history_ids": [line],
        }
        await self.client.execute_kw("loyalty.card", "create", [values])

    # -- outcomes ---------------------------------------------------------------------------

    async def _retry(self, item: Item, error: str, at: float | None = None) -> float:
        retry_at = time.time() + backoff(item.attempts, self.backoff_base, self.backoff_cap)
        if at is not None:
            retry_at = max(at, time.time())
        await run_in_threadpool(self.journal.mark_retry, item.uuid, error, retry_at)
        self._log(
            item, "queued", error=error, attempt=item.attempts + 1, retry_in=retry_at - time.time()
        )
        return retry_at

    async def _fail(self, item: Item, error: str, odoo_id: int | None = None) -> None:
        await run_in_threadpool(self.journal.mark_failed, item.uuid, error, odoo_id=odoo_id)
        self._log(item, "failed", error=error, odoo_id=odoo_id)
        return None

    @staticmethod
    def _log(item: Item, state: str, **fields: Any) -> None:
        level = logging.WARNING if state == "failed" else logging.INFO
        extra = {"uuid": item.uuid, "terminal": item.terminal, "seq": item.seq, "state": state}
        extra.update({k: v for k, v in fields.items() if v is not None})
        if "attempt" in extra:
            extra["attempts"] = extra.pop("attempt")
        log.log(level, "transition", extra=extra)
