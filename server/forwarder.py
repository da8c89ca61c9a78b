"""The forwarder: moves queued journal items to Odoo, one order per call, exactly once.

Exactly once rests on two things: an item leaves `queued` only by a committed journal write made
after Odoo answered, and a retried item is sent with the same uuid, which Odoo deduplicates. So a
crash, a timeout or a connection dropped after Odoo committed only ever causes a resend that Odoo
answers with the order it already has. Transient trouble backs off (exponential, full jitter) and
holds back the items behind it on the same terminal, so a terminal's orders reach Odoo in order;
a business error fails that one item and the queue moves on.

Items are claimed from the journal (with a lease) before they are sent, so several relays on one
PostgreSQL journal forward the same queue without sending an item twice at the same time, and a
crashed relay's claims run out. Different terminals' queues are forwarded side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid as uuidlib
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from .journal import Item, Journal
from .odoo import (
    OdooAccessDenied,
    OdooBusinessError,
    OdooClient,
    OdooError,
    OdooHealth,
    OdooTransient,
)
from .odoo_mapping import order_to_odoo, synced_order

log = logging.getLogger("kasir.forwarder")

BOOKED_STATES = ("paid", "done", "invoiced")


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
        lease: float = 120.0,
        per_terminal: int = 50,
        parallel: int = 4,
        poll: float | None = None,
    ) -> None:
        self.journal = journal
        self.client = client
        self.config_id = config_id
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.health = health or OdooHealth()
        self.batch = batch
        self.lease = lease
        self.per_terminal = per_terminal
        self.owner = f"forwarder-{uuidlib.uuid4()}"
        # A shared journal gets work from other relays' terminals too: look now and then.
        self.poll = poll if poll is not None else (0.5 if journal.shared else None)
        self.parallel = max(1, parallel)
        self._wake = asyncio.Event()

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
        items = await run_in_threadpool(
            self.journal.claim,
            self.owner,
            self.batch,
            lease=self.lease,
            per_terminal=self.per_terminal,
        )
        if items:
            # Stop taking new items from a run at half the lease, so a claim never runs out
            # while this relay still works on it (another relay would then send them too).
            until = time.time() + self.lease / 2
            lanes: dict[str, list[Item]] = {}
            for item in items:
                lanes.setdefault(item.terminal, []).append(item)
            slots = asyncio.Semaphore(self.parallel)
            done = await asyncio.gather(
                *(self._lane(lane, slots, until) for lane in lanes.values()),
                return_exceptions=True,
            )
            for outcome in done:
                if isinstance(outcome, BaseException):
                    raise outcome
            if any(done):
                return time.time()  # look again at once: more may be queued behind
        return await run_in_threadpool(self.journal.next_due)

    async def _lane(self, items: list[Item], slots: asyncio.Semaphore, until: float) -> bool:
        """One terminal's claimed run, in order; a retry gives back the items behind it (as
        does running past `until`). Returns whether any item was settled."""
        settled = False
        index = 0
        try:
            async with slots:
                for index, item in enumerate(items):  # noqa: B007
                    if time.time() > until or await self.forward(item) is not None:
                        break
                    settled = True
                else:
                    index = len(items)
        finally:
            rest = [item.uuid for item in items[index:]]  # not settled by this pass
            if rest:
                with contextlib.suppress(Exception):  # else the lease runs out by itself
                    await run_in_threadpool(self.journal.release, self.owner, rest)
        return settled

    async def forward(self, item: Item) -> float | None:
        """Send one item; every outcome is one journal write. Returns the retry time, if any."""
        try:
            payload = order_to_odoo(item.record())
        except (KeyError, TypeError, ValueError) as error:
            return await self._fail(item, f"the relay could not map this record: {error!r}")
        try:
            answer = await self.client.sync_order(payload, self.config_id())
            row = synced_order(answer, item.uuid)
            if row is None:  # Odoo answered without it: look it up by uuid before deciding
                rows = await self.client.search_read(
                    "pos.order", [["uuid", "=", item.uuid]], ["id", "name", "state"], limit=1
                )
                row = rows[0] if rows else None
        except OdooAccessDenied as error:
            log.error(
                "odoo access denied: check KASIR_ODOO_DB/LOGIN/API_KEY; %s stays queued", item.uuid
            )
            return await self._retry(item, f"Odoo refused the relay's credentials: {error.message}")
        except OdooTransient as error:
            self.health.failed(error, time.time())
            return await self._retry(item, error.message)
        except OdooBusinessError as error:
            self.health.failed(error, time.time())
            return await self._fail(item, error.message)
        except OdooError as error:
            return await self._retry(item, error.message)
        self.health.ok(time.time())
        if row is None:
            return await self._retry(item, "Odoo answered without this order; trying again")
        odoo_id = int(row["id"])
        state = row.get("state")
        if state in BOOKED_STATES or state is None:
            await run_in_threadpool(self.journal.mark_posted, item.uuid, odoo_id)
            self._log(item, "posted", odoo_id=odoo_id)
            return None
        return await self._fail(
            item,
            f"Odoo kept order {row.get('name') or item.uuid} in state {state!r} "
            "(not fully paid?); check it in Odoo",
            odoo_id=odoo_id,
        )

    async def _retry(self, item: Item, error: str) -> float:
        retry_at = time.time() + backoff(item.attempts, self.backoff_base, self.backoff_cap)
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
        extra = " ".join(
            f"{k}={v:.3f}"
            if isinstance(v, float)
            else f"{k}={v!r}"
            if isinstance(v, str)
            else f"{k}={v}"
            for k, v in fields.items()
            if v is not None
        )
        level = logging.WARNING if state == "failed" else logging.INFO
        log.log(
            level,
            "transition uuid=%s terminal=%s seq=%s state=%s %s",
            item.uuid,
            item.terminal,
            item.seq,
            state,
            extra,
        )
