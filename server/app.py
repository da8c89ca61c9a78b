"""The relay's HTTP face: thin Starlette handlers over the journal, auth and records modules.

Every answer is JSON (errors included, never an HTML traceback), except the static PWA and the
emergency offline page. `POST /api/v1/sync` answers only after the journal committed, so an
"accepted" is a promise the relay keeps across crashes.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import logging
import mimetypes
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from register.shop import Shop
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Match, Route

from . import admin, assets, auth, i18n, images, openapi, records, recovery
from .config import Settings
from .forwarder import Forwarder
from .journal import HELD_FOR_MANAGER, HELD_FOR_SHOP, Incoming, Journal, open_journal, state_of
from .mirror import Mirror
from .odoo import OdooClient, OdooHealth

log = logging.getLogger("kasir.relay")

CATALOG_LIMIT = 1000
SWITCH_INTERVAL = 0.0005  # seconds
CATALOG_MAX = 5000
PAIR_MAX_BODY = 4096
ORDERS_LIMIT = 20  # sales GET /api/v1/orders answers by default, and at most ORDERS_MAX
ORDERS_MAX = 50
ORDERS_QUERY = (3, 64)  # the length of its q: a receipt number or an Odoo order name
TEMPLATES = Path(__file__).parent / "templates"
SHOP_RECHECK = 1.0  # seconds a built shop is used before its bootstrap ETag is looked at again
NO_SHOP = (
    "held: the relay has no shop configuration from Odoo yet to check this sale against; "
    "it is checked and sent when the configuration arrives"
)
DIFFERS = "held for the manager: the totals differ from the shop's configuration"
UNKNOWN_PRODUCT = (
    "held for the manager: a product this relay's catalog never had (a till paired to another "
    "shop?):"
)
CONFLICT = (
    "this uuid was already sent with a different content; a record is never changed once sent "
    "(make a new uuid for a new record)"
)
MEDIA_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/octet-stream",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
IMMUTABLE_PREFIXES = ("static/", "pyodide/")
IMMUTABLE = "public, max-age=31536000, immutable"
HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
# The terminal's own clock on each of its requests (epoch ms): the manager sees a wrong one.
CLOCK_HEADER = "x-kasir-clock"


class ApiError(Exception):
    """An error answer: status, a stable code for programs and a message for people."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None):
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (RFC 8259); Python would accept them as floats."""
    raise ValueError(f"{name} is not a JSON value")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def relay_now() -> str:
    """The relay's clock as the answers to a terminal carry it ("now"), ISO-8601 UTC to the
    millisecond: the till compares it with its own and warns when they are minutes apart."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _state_of_incoming(record: Incoming) -> dict[str, Any]:
    """The state answer for a record stored by this very request (no journal read needed)."""
    return state_of((record.uuid, record.state, None, record.error, None, 0))


class Relay:
    """The relay's parts, shared by the handlers: journal, Odoo client, forwarder, mirror."""

    def __init__(self, settings: Settings, journal: Journal | None = None) -> None:
        self.settings = settings
        self.journal = journal
        self.health = OdooHealth()
        self.client: OdooClient | None = None
        self.forwarder: Forwarder | None = None
        self.mirror: Mirror | None = None
        self.images = images.ImageStore(settings.database.parent / "images")
        self.started_at = time.time()
        self._tasks: list[asyncio.Task[None]] = []
        self._shop: tuple[str, Shop] | None = None  # (bootstrap ETag, the shop built from it)
        self._shop_checked = 0.0  # time.monotonic() of the last look at the ETag
        self._shops: dict[str, Shop] = {}  # earlier configurations, by config_version
        self._products: tuple[int, frozenset[int]] | None = None  # (catalog cursor, ids)
        self._products_checked = 0.0
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
        self.offline_template = env.get_template("offline.html")

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self, background: bool) -> None:
        # Big batches are checked in worker threads; a short GIL slice lets a one-order sync
        # (or the event loop) in between them instead of queueing behind 5 ms turns.
        sys.setswitchinterval(SWITCH_INTERVAL)
        if self.journal is None:
            self.journal = await run_in_threadpool(
                open_journal, self.settings.database_url or self.settings.database
            )
        odoo = self.settings.odoo
        if odoo is None:
            return
        self.client = OdooClient(odoo)
        self.mirror = Mirror(
            self.journal,
            self.client,
            config_id=odoo.config_id,
            interval=self.settings.mirror_interval,
            health=self.health,
            on_bootstrap=self.recheck_held,
            timezone=self.settings.timezone,
            manager_pin={
                "manager_pin_for": list(self.settings.manager_pin_for),
                "discount_limit": str(self.settings.discount_limit),
            },
            images=self.images,
        )
        self.forwarder = Forwarder(
            self.journal,
            self.client,
            config_id=self._config_id,
            backoff_base=self.settings.backoff_base,
            backoff_cap=self.settings.backoff_cap,
            health=self.health,
            orders_per_call=self.settings.forward_batch,
            lease=self.settings.forward_lease,
            odoo_time_limit=self.settings.odoo_time_limit,
        )
        if background:
            self._tasks = [
                asyncio.create_task(self.mirror.run(), name="kasir-mirror"),
                asyncio.create_task(self.forwarder.run(), name="kasir-forwarder"),
            ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.client is not None:
            await self.client.aclose()

    def _config_id(self) -> int | None:
        if self.mirror is not None and self.mirror.config_id is not None:
            return self.mirror.config_id
        return self.settings.odoo.config_id if self.settings.odoo else None

    @property
    def db(self) -> Journal:
        assert self.journal is not None, "the relay has not started"
        return self.journal

    # -- helpers ----------------------------------------------------------------------------

    async def terminal(self, request: Request) -> str:
        name = await run_in_threadpool(
            auth.authenticate,
            self.db,
            request.headers.get("authorization"),
            request.headers.get(CLOCK_HEADER),
        )
        if name is None:
            raise ApiError(401, "unauthorized", "missing or unknown terminal token; pair again")
        return name

    async def read_body(self, request: Request, limit: int) -> bytes:
        """The body, refused with 413 as soon as it is known to exceed `limit` bytes, and with 408
        (closing the connection) when it has not all come within the body timeout
        (KASIR_BODY_TIMEOUT): a client that declares 1000 bytes and sends 10 does not hold a
        connection for ever."""
        timeout = self.settings.body_timeout
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise ApiError(400, "bad_request", "invalid Content-Length")
            if int(declared) > limit:
                raise ApiError(413, "too_large", f"a request may be at most {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise ApiError(413, "too_large", f"a request may be at most {limit} bytes")
                    chunks.append(chunk)
        except TimeoutError:
            raise ApiError(
                408,
                "timeout",
                f"the request body did not arrive within {timeout:g} s ({size} bytes came)",
                {"Connection": "close"},
            ) from None
        return b"".join(chunks)

    @staticmethod
    def parse_json(body: bytes) -> Any:
        """JSON from a UTF-8 body (RFC 8259), decoded strictly: json.loads would sniff other
        encodings and name, say, the 'utf-16-le' codec for a body that is just bad UTF-8."""
        try:
            # A UTF-8 byte order mark is ignored, as json.loads(bytes) did (RFC 8259 allows it).
            text = records.decode_body(body.removeprefix(codecs.BOM_UTF8))
        except ValueError as error:
            raise ApiError(400, "malformed_json", str(error)) from None
        try:
            return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(400, "malformed_json", f"the body is not valid JSON: {error}") from None
        except RecursionError:
            raise ApiError(400, "malformed_json", "the body is nested too deeply") from None

    @staticmethod
    def cursor(request: Request) -> int:
        raw = request.query_params.get("since", "").strip()
        if not raw:
            return 0
        if not raw.isdigit() or len(raw) > 18:
            raise ApiError(
                400, "bad_cursor", f"since must be a cursor from an earlier answer, got {raw!r}"
            )
        return int(raw)

    def json(self, content: Any, status: int = 200, headers: dict[str, str] | None = None):
        body = json.dumps(content, ensure_ascii=False, default=_json_default).encode("utf-8")
        return Response(body, status, headers=headers, media_type="application/json")

    # -- API --------------------------------------------------------------------------------

    async def pair(self, request: Request) -> Response:
        payload = self.parse_json(await self.read_body(request, PAIR_MAX_BODY))
        code = payload.get("code") if isinstance(payload, dict) else None
        if not isinstance(code, str):
            raise ApiError(422, "bad_request", 'send {"code": "XXXX-XXXX"}')
        try:
            terminal, token = await run_in_threadpool(auth.pair, self.db, code)
        except auth.AuthError as error:
            raise ApiError(403, "invalid_code", str(error)) from None
        log.info("terminal paired", extra={"terminal": terminal})
        # A tablet paired again after its storage was cleared goes on after what the relay holds.
        last_seq = await run_in_threadpool(self.db.last_seq, terminal)
        return self.json({"terminal": terminal, "token": token, "last_seq": last_seq})

    async def sync(self, request: Request) -> Response:
        terminal = await self.terminal(request)
        body = await self.read_body(request, self.settings.max_body)
        # Parsing, checking and storing a batch is CPU and disk work: one hop to a worker thread
        # keeps the event loop free for the other terminals (and the forwarder).
        answer, accepted = await run_in_threadpool(self.accept_batch, terminal, body)
        if accepted and self.forwarder is not None:
            self.forwarder.wake()
        return self.json({**answer, "now": relay_now()})

    def accept_batch(self, terminal: str, body: bytes) -> tuple[dict[str, Any], int]:
        """Check each item, store the good ones in one journal transaction, and say how each
        fared: ({"results": [...], "states": [...]}, number newly accepted)."""
        payload = self.parse_json(body)
        if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
            raise ApiError(422, "bad_shape", 'send {"items": [record, ...]}')
        items = payload["items"]
        if len(items) > self.settings.max_items:
            raise ApiError(
                413, "too_many_items", f"send at most {self.settings.max_items} items per request"
            )
        return self.accept_items(terminal, items)

    def accept_items(self, terminal: str, items: list[Any]) -> tuple[dict[str, Any], int]:
        """`accept_batch` once the items are read: terminal `terminal`'s records, each checked
        and the good ones stored in one journal transaction; recovery.py imports through it."""
        results: list[dict[str, Any]] = []
        incoming: list[Incoming] = []
        slots: list[int] = []  # the result of each incoming record
        for item in items:
            try:
                uuid, kind, seq, text = records.read_item(item, terminal)
            except records.RecordError as error:
                # Only a refused record's uuid needs checking here: read_item checked the others.
                uuid = item.get("uuid") if isinstance(item, dict) else None
                uuid = uuid if records.is_uuid(uuid) else None
                results.append({"uuid": uuid, "status": "rejected", "error": str(error)})
                log.warning(
                    "record rejected",
                    extra={"terminal": terminal, "uuid": uuid, "error": str(error)},
                )
                # Kept for the manager (a resend replaces it), unless it names another
                # terminal: then it is not this terminal's sale, and its uuid stays free.
                if uuid is not None and item.get("terminal") == terminal:
                    slots.append(len(results) - 1)
                    incoming.append(self._refused(item, uuid, terminal, str(error)))
                continue
            state, reason, held_for = (
                self.judge(item) if kind == "order" else ("queued", None, None)
            )
            slots.append(len(results))
            incoming.append(
                Incoming(
                    uuid,
                    terminal,
                    seq,
                    kind,
                    text,
                    records.body_sha256(text),
                    state,
                    reason,
                    held_for,
                )
            )
            results.append(
                {"uuid": uuid, "status": "rejected" if state == "rejected" else "accepted"}
            )
        fresh: dict[str, Incoming] = {}
        if incoming:
            statuses = self.db.accept(incoming)
            for slot, record, status in zip(slots, incoming, statuses, strict=True):
                result = results[slot]
                if status == "accepted":
                    fresh[record.uuid] = record
                elif record.state == "rejected":
                    continue  # refused on its own merits; the stored record is left as it was
                elif status == "conflict":
                    result["status"], result["error"] = "rejected", CONFLICT
                else:
                    result["status"] = status
        # A record stored just now is in the state it was stored in; only the others need a
        # look in the journal.
        uuids = list(dict.fromkeys(r["uuid"] for r in results if r["uuid"]))
        known = {
            state["uuid"]: state
            for state in self.db.states(terminal, [u for u in uuids if u not in fresh])
        }
        states = [
            _state_of_incoming(fresh[u]) if u in fresh else known[u]
            for u in uuids
            if u in fresh or u in known
        ]
        if items:
            log.info(
                "sync",
                extra={
                    "terminal": terminal,
                    "items": len(items),
                    "accepted": sum(1 for r in fresh.values() if r.state != "rejected"),
                    "held": sum(1 for r in fresh.values() if r.state == "held"),
                    "duplicate": sum(1 for r in results if r["status"] == "duplicate"),
                    "rejected": sum(1 for r in results if r["status"] == "rejected"),
                },
            )
        accepted = sum(1 for r in fresh.values() if r.state == "queued")
        return {"results": results, "states": states}, accepted

    @staticmethod
    def _refused(item: Any, uuid: str, terminal: str, error: str) -> Incoming:
        """A malformed record as the journal keeps it: state rejected, the reason, the body."""
        body = records.rejected_body(item)
        seq = item.get("seq") if isinstance(item, dict) else None
        seq = seq if isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < 2**53 else 0
        kind = item.get("kind") if isinstance(item, dict) else None
        kind = kind if kind in records.SUPPORTED_KINDS else "unknown"
        return Incoming(
            uuid, terminal, seq, kind, body, records.body_sha256(body), "rejected", error
        )

    def judge(self, order: dict[str, Any]) -> tuple[str, str | None, str | None]:
        """Where a well-formed order goes: (state, reason, held_for). A sale that happened is
        never refused: it is checked against the configuration it was sold under (its
        catalog_version), and held, with the reason, when it differs or no shop is known yet."""
        shop, which = self.shop_for(order.get("catalog_version"))
        if shop is None:
            return "held", NO_SHOP, HELD_FOR_SHOP
        problem = records.check_order(order, shop)
        if problem:
            return "held", f"{DIFFERS} {which}: {problem}", HELD_FOR_MANAGER
        known = self.products()
        # The products of lines the till makes itself (pos_discount's order discount, a loyalty
        # reward) are the shop's, never on a shelf: the catalog does not list them.
        made = {shop.discount_product_id} | {
            reward.discount_product_id
            for program in shop.loyalty_programs
            for reward in program.rewards
        }
        sold = {line["product_id"] for line in order["lines"]} - made
        unknown = sorted(sold - known) if known else []
        if unknown:
            names = ", ".join(str(product) for product in unknown)
            return "held", f"{UNKNOWN_PRODUCT} {names}", HELD_FOR_MANAGER
        return "queued", None, None

    def products(self) -> frozenset[int]:
        """Every product id the mirror ever saw (a product archived or deleted since a sale is
        still known), read again only when the catalog's cursor moved."""
        now = time.monotonic()
        cached = self._products
        if cached is not None and now - self._products_checked < SHOP_RECHECK:
            return cached[1]
        cursor = self.db.catalog_cursor()
        self._products_checked = now
        if cached is None or cached[0] != cursor:
            cached = self._products = (cursor, frozenset(self.db.catalog_known_ids()))
        return cached[1]

    def shop_for(self, version: Any) -> tuple[Shop | None, str]:
        """The shop an order was sold in: the bootstrap its catalog_version names when the
        relay served it, else the current one; with words saying which, for the manager."""
        if isinstance(version, str) and "-" in version:
            key = version.rsplit("-", 1)[1]
            shop = self._shops.get(key)
            if shop is None:
                text = self.db.bootstrap_of(key)
                shop = self._build_shop(text) if text is not None else None
                if shop is not None:
                    if len(self._shops) > 16:
                        self._shops.clear()
                    self._shops[key] = shop
            if shop is not None:
                return shop, f"it was sold with (configuration {key})"
        return self.shop(), "of today (the configuration it was sold with is unknown)"

    @staticmethod
    def _build_shop(text: str) -> Shop | None:
        try:
            return Shop.from_bootstrap(json.loads(text))
        except (KeyError, TypeError, ValueError, ArithmeticError):
            log.exception("a mirrored bootstrap does not make a shop; orders are held")
            return None

    def recheck_held(self) -> int:
        """Check the orders held while there was no shop, now that there is one; returns how
        many went on to the queue (the others are held for the manager with the difference)."""
        released = 0
        for item in self.db.held_for_shop():
            state, reason, _ = self.judge(item.record())
            if state == "held" and reason == NO_SHOP:
                break
            if self.db.release_held(item.uuid, reason if state == "held" else None):
                released += state == "queued"
        if released and self.forwarder is not None:
            self.forwarder.wake()
        return released

    def shop(self) -> Shop | None:
        """The register's view of the current shop (from the mirrored bootstrap); rebuilt only
        when the bootstrap's ETag changes. None before the first mirror."""
        cached = self._shop
        now = time.monotonic()
        if cached is not None and now - self._shop_checked < SHOP_RECHECK:
            return cached[1]
        etag = self.db.bootstrap_etag()
        self._shop_checked = now
        if etag is None:
            return None
        if cached is not None and cached[0] == etag:
            return cached[1]
        stored = self.db.bootstrap()
        if stored is None:
            return None
        text, etag = stored
        shop = self._build_shop(text)
        if shop is not None:
            self._shop = (etag, shop)
        return shop

    async def recovery(self, request: Request) -> Response:
        """A recovery file another terminal exported, brought by this one (recovery.py)."""
        importer = await self.terminal(request)
        raw = await self.read_body(request, recovery.MAX_FILE_BYTES)
        try:
            return self.json(await self.import_file(raw, importer))
        except recovery.RecoveryError as error:
            raise ApiError(error.status, error.code, error.message) from None

    async def import_file(self, raw: bytes, by: str, *, by_manager: bool = False) -> Any:
        """`recovery.accept` in a worker thread (RecoveryError: refused); the forwarder is
        woken for what is new."""
        answer, queued = await run_in_threadpool(
            recovery.accept, self, raw, by=by, by_manager=by_manager
        )
        if queued and self.forwarder is not None:
            self.forwarder.wake()
        return answer

    async def sync_state(self, request: Request) -> Response:
        terminal = await self.terminal(request)
        since = self.cursor(request)
        # last_seq: a tablet whose storage was cleared or restored from an old copy sees it.
        (states, cursor), last_seq = await run_in_threadpool(
            lambda: (self.db.changes(terminal, since, 1000), self.db.last_seq(terminal))
        )
        return self.json(
            {"states": states, "cursor": str(cursor), "last_seq": last_seq, "now": relay_now()}
        )

    async def bootstrap(self, request: Request) -> Response:
        await self.terminal(request)
        stored = await run_in_threadpool(self.db.bootstrap)
        if stored is None:
            raise ApiError(
                503,
                "not_ready",
                "the relay has not loaded the shop from Odoo yet; try again in a moment",
            )
        body, etag = stored
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        wanted = request.headers.get("if-none-match", "")
        tags = {t.strip().removeprefix("W/") for t in wanted.split(",") if t.strip()}
        if etag in tags or "*" in tags:
            return Response(status_code=304, headers=headers)
        return Response(body.encode("utf-8"), headers=headers, media_type="application/json")

    async def catalog(self, request: Request) -> Response:
        """Products changed after a cursor (archived and deleted ones as removals)."""
        return await self._page(request, self.db.catalog_page)

    async def partners(self, request: Request) -> Response:
        """Customers changed after a cursor (archived and deleted ones as removals)."""
        return await self._page(request, self.db.partners_page)

    async def _page(
        self, request: Request, read: Callable[[int, int], tuple[list[Any], int, bool]]
    ) -> Response:
        """One page of a mirrored kind: the terminal's cursor in, items and the next cursor out."""
        await self.terminal(request)
        since = self.cursor(request)
        raw_limit = request.query_params.get("limit", "").strip()
        if raw_limit and not raw_limit.isdigit():
            raise ApiError(400, "bad_limit", f"limit must be a number, got {raw_limit!r}")
        limit = min(max(int(raw_limit or CATALOG_LIMIT), 1), CATALOG_MAX)
        items, cursor, more = await run_in_threadpool(read, since, limit)
        return self.json({"items": items, "cursor": str(cursor), "more": more})

    async def image(self, request: Request) -> Response:
        """A product's image (images.serve), for the till's service worker, which sends the
        terminal's token as for any other GET."""
        await self.terminal(request)
        return await images.serve(request, self.images)

    async def orders(self, request: Request) -> Response:
        """Sales of every till of this shop found by receipt number or Odoo name, each with its
        state, and the refunds of their lines, so a till refunds another till's sale no further
        than what is left of it."""
        await self.terminal(request)
        text = request.query_params.get("q", "").strip()
        if not ORDERS_QUERY[0] <= len(text) <= ORDERS_QUERY[1]:
            raise ApiError(
                400,
                "bad_query",
                f"q must be {ORDERS_QUERY[0]} to {ORDERS_QUERY[1]} characters of a receipt "
                "number or an Odoo order name",
            )
        raw_limit = request.query_params.get("limit", "").strip()
        if raw_limit and not raw_limit.isdigit():
            raise ApiError(400, "bad_limit", f"limit must be a number, got {raw_limit!r}")
        limit = min(max(int(raw_limit or ORDERS_LIMIT), 1), ORDERS_MAX)
        found = await run_in_threadpool(self.db.find_orders, text, limit)
        orders = [
            {"terminal": terminal, "record": json.loads(body), **state}
            for terminal, body, state in found
        ]
        lines = [line["uuid"] for o in orders for line in o["record"].get("lines") or ()]
        refunds = await run_in_threadpool(self.db.refunds_of, lines)
        return self.json({"orders": orders, "refunds": [json.loads(body) for body in refunds]})

    async def healthz(self, request: Request) -> Response:
        try:
            await run_in_threadpool(self.db.ping)
            counts = await run_in_threadpool(self.db.counts)
            journal = "ok"
        except Exception as error:  # the journal is the one thing that must work
            log.error("healthz: journal error", extra={"error": repr(error)})
            counts, journal = {}, "error"
        answer = {
            "status": "ok" if journal == "ok" else "error",
            "journal": journal,
            "odoo": self.health.as_text(),
            "odoo_error": self.health.error,
            "queued": counts.get("queued"),
            "held": counts.get("held"),
            "posted": counts.get("posted"),
            "failed": counts.get("failed"),
            "rejected": counts.get("rejected"),
            "mirrored": self.mirror.last_refresh is not None if self.mirror else False,
            "uptime": round(time.time() - self.started_at, 3),
        }
        return self.json(answer, 200 if journal == "ok" else 503)

    async def offline(self, request: Request) -> Response:
        speech = await i18n.speech(request, self.settings.dist, self.shop_language)
        html = self.offline_template.render(_=speech.gettext, lang=speech.language)
        return i18n.remember(HTMLResponse(html, headers={"Cache-Control": "no-cache"}), speech)

    async def shop_language(self) -> str | None:
        """The shop's language from the mirrored bootstrap (Odoo's "id_ID"), None before it."""
        try:
            stored = await run_in_threadpool(self.db.bootstrap)
            return json.loads(stored[0]).get("lang") if stored else None
        except Exception:  # a page in English beats no page at all
            log.exception("the shop's language could not be read")
            return None

    # -- the PWA ----------------------------------------------------------------------------

    def static_file(self, path: str) -> Path | None:
        """The file under dist/ for this URL path, or None; never anything outside dist/."""
        root = self.settings.dist.resolve()
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None
        candidate = root.joinpath(*parts).resolve() if parts else root / "index.html"
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate

    async def static(self, request: Request) -> Response:
        path = request.path_params.get("path", "")
        if not self.settings.dist.is_dir():
            if path in ("", "index.html"):
                raise ApiError(
                    503,
                    "no_build",
                    f"the PWA is not built ({self.settings.dist} is missing): run `make build` "
                    "(or `python build.py`) first",
                )
            raise ApiError(404, "not_found", f"no such page: /{path}")
        file = await run_in_threadpool(self.static_file, path)
        if file is None:
            raise ApiError(404, "not_found", f"no such page: /{path}")
        relative = file.relative_to(self.settings.dist.resolve()).as_posix()
        media_type = MEDIA_TYPES.get(file.suffix) or (
            mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        headers = {
            "Cache-Control": IMMUTABLE if relative.startswith(IMMUTABLE_PREFIXES) else "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if relative == "sw.js":
            headers["Service-Worker-Allowed"] = "/"
        sent, encoding, varies = await run_in_threadpool(
            assets.choose, file, request.headers.get("accept-encoding", "")
        )
        if encoding:
            headers["Content-Encoding"] = encoding
        if varies:
            headers["Vary"] = "Accept-Encoding"
        # Length and ETag are the sent file's own, so each encoding has its own ETag.
        return FileResponse(sent, media_type=media_type, headers=headers)


def create_app(
    settings: Settings, *, journal: Journal | None = None, background: bool = True
) -> Starlette:
    """The relay as an ASGI app. `background=False` leaves the forwarder and mirror idle
    (`app.state.relay.forwarder.pass_once()` / `.mirror.refresh()` can be awaited by tests)."""
    relay = Relay(settings, journal)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await relay.start(background)
        try:
            yield
        finally:
            await relay.stop()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 304:
            return Response(status_code=304)
        codes = {404: "not_found", 405: "method_not_allowed", 408: "timeout"}
        return error_response(
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "the relay hit an unexpected error")

    routes = [
        Route("/api/v1/pair", relay.pair, methods=["POST"]),
        Route("/api/v1/sync", relay.sync, methods=["POST"]),
        Route("/api/v1/sync/state", relay.sync_state, methods=["GET"]),
        Route("/api/v1/recovery", relay.recovery, methods=["POST"]),
        Route("/api/v1/bootstrap", relay.bootstrap, methods=["GET"]),
        Route("/api/v1/catalog", relay.catalog, methods=["GET"]),
        Route("/api/v1/partners", relay.partners, methods=["GET"]),
        Route("/api/v1/orders", relay.orders, methods=["GET"]),
        Route("/api/v1/images/{product_id}", relay.image, methods=["GET"]),
        Route("/api/v1/openapi.json", openapi.endpoint, methods=["GET"]),
        Route("/healthz", relay.healthz, methods=["GET"]),
        Route("/offline", relay.offline, methods=["GET"]),
        *admin.routes(relay),
    ]
    api = [route for route in routes if route.path.startswith("/api/")]

    async def api_fallback(request: Request) -> Response:
        """Any method on a path no API route took: 405 with Allow when the path is an API
        route's (PUT /api/v1/sync), else 404."""
        allowed = {
            method
            for route in api
            if route.matches(request.scope)[0] != Match.NONE
            for method in route.methods or ()
        }
        if allowed:
            raise ApiError(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.url.path}; use "
                + " or ".join(sorted(allowed)),
                {"Allow": ", ".join(sorted(allowed))},
            )
        raise ApiError(404, "not_found", f"no such API: {request.url.path}")

    routes += [
        Route("/api/{path:path}", api_fallback, methods=HTTP_METHODS),
        Route("/{path:path}", relay.static, methods=["GET", "HEAD"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: api_error,
            HTTPException: http_error,
            Exception: server_error,
        },
    )
    app.state.relay = relay
    return app
