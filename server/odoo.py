"""The Odoo client: JSON-RPC `execute_kw` over HTTP (Odoo 18), with errors sorted by what to do next.

The forwarder's whole retry policy rests on one question: may this call be tried again? So every
failure comes out as one of three exceptions: `OdooTransient` (network, timeout, 5xx, a dropped
connection, a serialization conflict: try again later, the uuid keeps it idempotent),
`OdooBusinessError` (Odoo refused this record: retrying will not help) and `OdooAccessDenied`
(the relay's credentials are wrong: nothing is wrong with the record). Odoo 19's /json/2 transport
plugs in as another `Transport`.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any, Protocol

import httpx

from .config import OdooSettings
from .decimal_json import dumps

log = logging.getLogger("kasir.odoo")

BUSINESS_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.MissingError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.RedirectWarning",
}
TRANSIENT_MARKERS = ("SerializationFailure", "LockNotAvailable", "OperationalError", "Concurrency")


class OdooError(Exception):
    """Any failure talking to Odoo."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.name = name


class OdooTransient(OdooError):
    """Try again later: the network, the proxy or the database was not ready."""


class OdooBusinessError(OdooError):
    """Odoo refused the call for a reason in the data; the same call will fail again."""


class OdooAccessDenied(OdooError):
    """The relay's database, login or API key is wrong (a configuration problem)."""


def classify(error: dict[str, Any]) -> OdooError:
    """A JSON-RPC error object as the exception the forwarder acts on."""
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    name = str(data.get("name") or "")
    message = str(data.get("message") or error.get("message") or "Odoo error")
    if name == "odoo.exceptions.AccessDenied":
        return OdooAccessDenied(message, name)
    if any(marker in name for marker in TRANSIENT_MARKERS):
        return OdooTransient(f"{name}: {message}", name)
    if name in BUSINESS_ERRORS:
        return OdooBusinessError(message, name)
    # Anything else Odoo raised (KeyError, ValueError, ...) comes from the data sent and would
    # fail the same way again: reported like a business error, with its name for the manager.
    return OdooBusinessError(f"{name or 'Odoo error'}: {message}", name)


class Transport(Protocol):
    """How calls reach Odoo (18: /jsonrpc execute_kw; 19: /json/2, later)."""

    async def call(self, service: str, method: str, args: list[Any]) -> Any: ...

    async def aclose(self) -> None: ...


class JsonRpcTransport:
    """POST /jsonrpc {"service", "method", "args"}; answers parsed with Decimal numbers."""

    def __init__(self, url: str, timeout: float, client: httpx.AsyncClient | None = None) -> None:
        self.endpoint = f"{url.rstrip('/')}/jsonrpc"
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._ids = 0

    async def call(self, service: str, method: str, args: list[Any]) -> Any:
        self._ids += 1
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": self._ids,
        }
        try:
            response = await self._client.post(
                self.endpoint,
                content=dumps(payload).encode("utf-8"),
                headers={"Content-Type": "application/json"},
            )
        except httpx.TimeoutException as error:
            raise OdooTransient(f"Odoo did not answer in time ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise OdooTransient(
                f"the connection to Odoo failed: {type(error).__name__}: {error}"
            ) from error
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise OdooTransient(f"Odoo answered HTTP {response.status_code}")
        try:
            answer = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise OdooTransient(
                f"Odoo answered HTTP {response.status_code} with something that is not JSON"
            ) from None
        if not isinstance(answer, dict):
            raise OdooTransient("Odoo answered an unexpected JSON document")
        if answer.get("error") is not None:
            raise classify(answer["error"])
        if response.status_code >= 400:
            raise OdooTransient(f"Odoo answered HTTP {response.status_code}")
        return answer.get("result")

    async def aclose(self) -> None:
        await self._client.aclose()


class OdooClient:
    """The calls the relay makes, authenticated once (and again after AccessDenied)."""

    def __init__(self, settings: OdooSettings, transport: Transport | None = None) -> None:
        self.settings = settings
        if transport is None:
            # Odoo 19 still serves /jsonrpc; its /json/2 transport is a later Transport.
            transport = JsonRpcTransport(settings.url, settings.timeout)
        self.transport = transport
        self.uid: int | None = None

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def version(self) -> dict[str, Any]:
        return await self.transport.call("common", "version", [])

    async def authenticate(self) -> int:
        s = self.settings
        uid = await self.transport.call("common", "authenticate", [s.db, s.login, s.api_key, {}])
        if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
            raise OdooAccessDenied(
                f"Odoo refused login {s.login!r} on database {s.db!r}: check KASIR_ODOO_LOGIN "
                "and KASIR_ODOO_API_KEY",
                "odoo.exceptions.AccessDenied",
            )
        self.uid = uid
        return uid

    async def execute_kw(
        self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None
    ) -> Any:
        uid = self.uid if self.uid is not None else await self.authenticate()
        s = self.settings
        try:
            return await self.transport.call(
                "object", "execute_kw", [s.db, uid, s.api_key, model, method, args, kwargs or {}]
            )
        except OdooAccessDenied:
            self.uid = None  # the key may have been rotated: log in again next time
            raise

    async def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        *,
        order: str | None = None,
        limit: int | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"fields": fields}
        if order:
            kwargs["order"] = order
        if limit:
            kwargs["limit"] = limit
        if context:
            kwargs["context"] = context
        return await self.execute_kw(model, "search_read", [domain], kwargs)

    async def search(
        self, model: str, domain: list[Any], *, order: str | None = None, context: Any = None
    ) -> list[int]:
        kwargs: dict[str, Any] = {}
        if order:
            kwargs["order"] = order
        if context:
            kwargs["context"] = context
        return await self.execute_kw(model, "search", [domain], kwargs)

    async def sync_order(self, order: dict[str, Any], config_id: int | None) -> dict[str, Any]:
        """pos.order.sync_from_ui with ONE order; Odoo deduplicates on its uuid."""
        kwargs: dict[str, Any] = {}
        if config_id is not None:
            kwargs["context"] = {"config_id": config_id}
        answer = await self.execute_kw("pos.order", "sync_from_ui", [[order]], kwargs)
        if not isinstance(answer, dict):
            raise OdooTransient("sync_from_ui answered something unexpected")
        return answer


class OdooHealth:
    """What the relay last saw of Odoo (for /healthz), updated by the forwarder and the mirror."""

    def __init__(self) -> None:
        self.reachable: bool | None = None
        self.error: str | None = None
        self.checked_at: float | None = None

    def ok(self, now: float) -> None:
        self.reachable, self.error, self.checked_at = True, None, now

    def failed(self, error: OdooError, now: float) -> None:
        # A business error is an answer: Odoo is reachable. Only transport trouble is "down".
        self.reachable = not isinstance(error, OdooTransient)
        self.error, self.checked_at = error.message, now

    def as_text(self) -> str:
        return "reachable" if self.reachable else "unreachable"
