"""The Odoo client: JSON-RPC `execute_kw` (Odoo 18) or JSON-2 (Odoo 19), errors sorted by what to do.

The forwarder's whole retry policy rests on one question: may this call be tried again? So every
failure comes out as one of three exceptions: `OdooTransient` (network, timeout, 5xx, a dropped
connection, a serialization conflict, a closed POS session: try again later, the uuid keeps it
idempotent), `OdooBusinessError` (Odoo refused this record: retrying will not help) and
`OdooAccessDenied` (the relay's credentials are wrong: nothing is wrong with the record).

How a call travels is a `Transport`: `JsonRpcTransport` (POST /jsonrpc, positional arguments, the
database, uid and key in every call) or `Json2Transport` (Odoo 19's POST /json/2/<model>/<method>,
named arguments, `Authorization: bearer <key>`, errors as HTTP 4xx/5xx). `OdooClient` is the same
for both and is chosen by `KASIR_ODOO_VERSION`.
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
# PostgreSQL's words for a concurrent update that lost, whatever exception Odoo wraps it in.
TRANSIENT_TEXTS = ("could not serialize access", "deadlock detected")
# Odoo's _get_valid_session when the order's session is closed and no other one is open. The
# manager opening a session is all it takes, so the order waits in the queue (never a rescue
# session, never a failed sale).
NO_OPEN_SESSION = "No open session available"
NO_OPEN_SESSION_TEXT = "no open session for this register: open a session in Odoo"
VERSION_HINT = " (is KASIR_ODOO_VERSION right? is the module installed?)"
# Odoo 19's JSON-2 rejections that say the relay's key is wrong, not the record.
JSON2_ACCESS_DENIED = {
    "werkzeug.exceptions.Unauthorized",
    "odoo.exceptions.AccessDenied",
    "odoo.http.SessionExpiredException",
}

# Positional -> named arguments of the ORM methods the relay calls, for JSON-2 (which only takes
# named ones). Record methods (`RECORD_METHODS`) take the ids first, sent as "ids".
SIGNATURES: dict[str, tuple[str, ...]] = {
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "search": ("domain", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "read": ("fields", "load"),
    "write": ("vals",),
    "create": ("vals_list",),
    "unlink": (),
    "fields_get": ("allfields", "attributes"),
    "sync_from_ui": ("orders",),
    # pos.session: a register's day (Odoo 18's point_of_sale/models/pos_session.py)
    "set_opening_control": ("cashbox_value", "notes"),
    "try_cash_in_out": ("_type", "amount", "reason", "extras"),
    "post_closing_cash_details": ("counted_cash",),
    "update_closing_control_state_session": ("notes",),
    "close_session_from_ui": ("bank_payment_method_diff_pairs",),
    "get_barcodes_and_pin_hashed": (),  # pos_hr's hr.employee: PINs hashed for the tills
}
RECORD_METHODS = {
    "read",
    "write",
    "unlink",
    "get_barcodes_and_pin_hashed",
    "set_opening_control",
    "try_cash_in_out",
    "post_closing_cash_details",
    "update_closing_control_state_session",
    "close_session_from_ui",
}


class OdooError(Exception):
    """Any failure talking to Odoo."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.name = name


class OdooTransient(OdooError):
    """Try again later: the network, the proxy or the database was not ready.

    `in_doubt`: the request may have reached Odoo and been committed with the answer lost (a
    timeout, a dropped connection, a 5xx), as opposed to a call Odoo never got or answered with
    an error (nothing committed)."""

    def __init__(self, message: str, name: str = "", *, in_doubt: bool = False) -> None:
        super().__init__(message, name)
        self.in_doubt = in_doubt


class OdooMisconfigured(OdooTransient):
    """Odoo refused the route or the method itself (404/405, no such method): the relay's
    settings or Odoo's modules are wrong, not the record. Items stay queued; /healthz and
    /admin say so."""


class OdooSessionClosed(OdooTransient):
    """The register's POS session is closed in Odoo: retry once a manager opens one."""


class OdooBusinessError(OdooError):
    """Odoo refused the call for a reason in the data; the same call will fail again."""


class OdooAccessDenied(OdooError):
    """The relay's database, login or API key is wrong (a configuration problem)."""


def classify_error(name: str, message: str) -> OdooError:
    """An Odoo exception (dotted name and message) as the exception the forwarder acts on."""
    if name == "odoo.exceptions.AccessDenied":
        return OdooAccessDenied(message, name)
    if any(marker in name for marker in TRANSIENT_MARKERS) or any(
        text in message for text in TRANSIENT_TEXTS
    ):
        return OdooTransient(f"{name}: {message}", name)
    if NO_OPEN_SESSION in message:
        return OdooSessionClosed(f"{NO_OPEN_SESSION_TEXT} (Odoo: {message})", name)
    if name == "builtins.AttributeError" and "does not exist" in message:
        # execute_kw on a method Odoo does not have (a module missing, another version).
        return OdooMisconfigured(f"Odoo has no such method: {message}{VERSION_HINT}", name)
    if name in BUSINESS_ERRORS:
        return OdooBusinessError(message, name)
    # Anything else Odoo raised (KeyError, ValueError, ...) comes from the data sent and would
    # fail the same way again: reported like a business error, with its name for the manager.
    return OdooBusinessError(f"{name or 'Odoo error'}: {message}", name)


def classify(error: dict[str, Any]) -> OdooError:
    """A JSON-RPC error object as the exception the forwarder acts on."""
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    name = str(data.get("name") or "")
    message = str(data.get("message") or error.get("message") or "Odoo error")
    return classify_error(name, message)


def classify_json2(status: int, body: Any) -> OdooError:
    """An Odoo 19 JSON-2 error answer (HTTP status and its {name, message, ...} body)."""
    data = body if isinstance(body, dict) else {}
    name = str(data.get("name") or "")
    message = str(data.get("message") or f"Odoo answered HTTP {status}")
    if status == 401 or name in JSON2_ACCESS_DENIED:
        return OdooAccessDenied(message, name or "werkzeug.exceptions.Unauthorized")
    if not name or name.startswith("werkzeug."):
        # A proxy's page, or Odoo refusing the route itself (no such model or method, wrong
        # parameters, no JSON-2 at all): nothing is wrong with the record, so it stays queued
        # and the message tells the manager what to fix.
        if status in (404, 405):
            return OdooMisconfigured(f"Odoo answered HTTP {status}: {message}{VERSION_HINT}", name)
        hint = VERSION_HINT if status == 422 else ""
        return OdooTransient(
            f"Odoo answered HTTP {status}: {message}{hint}", name, in_doubt=status >= 500
        )
    # An exception raised in Odoo's code (4xx for UserError and its kind, 500 for the rest):
    # judged by its name, as over JSON-RPC.
    return classify_error(name, message)


def named_arguments(method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """execute_kw's (args, kwargs) as JSON-2's one object of named parameters (with "ids")."""
    params: dict[str, Any] = {}
    positional = list(args)
    if method in RECORD_METHODS:
        if not positional:
            raise ValueError(f"{method} needs the record ids as its first argument")
        ids = positional.pop(0)
        params["ids"] = [ids] if isinstance(ids, int) else list(ids)
    names = SIGNATURES.get(method)
    if positional:
        if names is None or len(positional) > len(names):
            raise ValueError(
                f"cannot send {method} with positional arguments over JSON-2: name them"
            )
        params.update(zip(names, positional, strict=False))
    for key, value in kwargs.items():
        if key in params:
            raise ValueError(f"{method} got {key!r} twice")
        params[key] = value
    return params


class Transport(Protocol):
    """How calls reach Odoo: version, a credentials check, and one model method call."""

    async def version(self) -> dict[str, Any]: ...

    async def authenticate(self, settings: OdooSettings) -> int: ...

    async def execute(
        self,
        settings: OdooSettings,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any: ...

    async def aclose(self) -> None: ...


def _access_denied(settings: OdooSettings) -> OdooAccessDenied:
    return OdooAccessDenied(
        f"Odoo refused login {settings.login!r} on database {settings.db!r}: check "
        "KASIR_ODOO_LOGIN and KASIR_ODOO_API_KEY",
        "odoo.exceptions.AccessDenied",
    )


async def _post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]):
    """One POST; the network's failures as OdooTransient."""
    try:
        return await client.post(url, content=body, headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # Odoo never got the request
        raise OdooTransient(
            f"the connection to Odoo failed: {type(error).__name__}: {error}"
        ) from error
    except httpx.TimeoutException as error:
        raise OdooTransient(
            f"Odoo did not answer in time ({type(error).__name__})", in_doubt=True
        ) from error
    except httpx.TransportError as error:
        raise OdooTransient(
            f"the connection to Odoo failed: {type(error).__name__}: {error}", in_doubt=True
        ) from error


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
        response = await _post(
            self._client,
            self.endpoint,
            dumps(payload).encode("utf-8"),
            {"Content-Type": "application/json"},
        )
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise OdooTransient(
                f"Odoo answered HTTP {response.status_code}", in_doubt=response.status_code >= 500
            )
        try:
            answer = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise OdooTransient(
                f"Odoo answered HTTP {response.status_code} with something that is not JSON",
                in_doubt=True,
            ) from None
        if not isinstance(answer, dict):
            raise OdooTransient("Odoo answered an unexpected JSON document")
        if answer.get("error") is not None:
            raise classify(answer["error"])
        if response.status_code >= 400:
            raise OdooTransient(f"Odoo answered HTTP {response.status_code}")
        return answer.get("result")

    async def version(self) -> dict[str, Any]:
        return await self.call("common", "version", [])

    async def authenticate(self, settings: OdooSettings) -> int:
        s = settings
        uid = await self.call("common", "authenticate", [s.db, s.login, s.api_key, {}])
        if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
            raise _access_denied(settings)
        return uid

    async def execute(
        self,
        settings: OdooSettings,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        s = settings
        return await self.call(
            "object", "execute_kw", [s.db, uid, s.api_key, model, method, args, kwargs]
        )

    async def aclose(self) -> None:
        await self._client.aclose()


class Json2Transport:
    """Odoo 19: POST /json/2/<model>/<method>, named parameters, bearer API key, HTTP errors."""

    def __init__(self, url: str, timeout: float, client: httpx.AsyncClient | None = None) -> None:
        self.base = url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=timeout)

    @staticmethod
    def headers(settings: OdooSettings) -> dict[str, str]:
        return {
            "Authorization": f"bearer {settings.api_key}",
            "X-Odoo-Database": settings.db,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "kasir-relay",
        }

    async def version(self) -> dict[str, Any]:
        try:
            response = await self._client.get(f"{self.base}/web/version")
        except httpx.TimeoutException as error:
            raise OdooTransient(f"Odoo did not answer in time ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise OdooTransient(f"the connection to Odoo failed: {error}") from error
        if response.status_code != 200:
            raise OdooTransient(f"Odoo answered HTTP {response.status_code} to /web/version")
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise OdooTransient("Odoo answered /web/version with something not JSON") from None

    async def authenticate(self, settings: OdooSettings) -> int:
        """The key's user id (res.users.context_get needs no rights beyond being logged in).
        JSON-2 itself needs no uid: an Odoo that does not serve context_get is no reason to
        stop (1 stands in)."""
        try:
            context = await self.execute(settings, 0, "res.users", "context_get", [], {})
        except OdooMisconfigured:
            return 1
        uid = context.get("uid") if isinstance(context, dict) else None
        return uid if isinstance(uid, int) and not isinstance(uid, bool) and uid > 0 else 1

    async def execute(
        self,
        settings: OdooSettings,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        params = named_arguments(method, args, kwargs)
        response = await _post(
            self._client,
            f"{self.base}/json/2/{model}/{method}",
            dumps(params).encode("utf-8"),
            self.headers(settings),
        )
        try:
            answer = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            if response.status_code == 200:
                raise OdooTransient(
                    "Odoo answered with something that is not JSON", in_doubt=True
                ) from None
            answer = None
        if response.status_code == 200:
            return answer
        raise classify_json2(response.status_code, answer)

    async def aclose(self) -> None:
        await self._client.aclose()


def transport_for(settings: OdooSettings) -> Transport:
    """The transport `settings.version` asks for (19: JSON-2; 18: JSON-RPC)."""
    if settings.version >= 19:
        return Json2Transport(settings.url, settings.timeout)
    return JsonRpcTransport(settings.url, settings.timeout)


class OdooClient:
    """The calls the relay makes, authenticated once (and again after AccessDenied)."""

    def __init__(self, settings: OdooSettings, transport: Transport | None = None) -> None:
        self.settings = settings
        self.transport = transport if transport is not None else transport_for(settings)
        self.uid: int | None = None

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def version(self) -> dict[str, Any]:
        return await self.transport.version()

    async def authenticate(self) -> int:
        self.uid = await self.transport.authenticate(self.settings)
        return self.uid

    async def execute_kw(
        self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None
    ) -> Any:
        uid = self.uid if self.uid is not None else await self.authenticate()
        try:
            return await self.transport.execute(
                self.settings, uid, model, method, list(args), dict(kwargs or {})
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

    async def sync_orders(
        self, orders: list[dict[str, Any]], config_id: int | None
    ) -> dict[str, Any]:
        """pos.order.sync_from_ui with several orders, as Odoo's own POS sends its pending ones:
        one transaction in Odoo (all booked or none); Odoo deduplicates on each uuid."""
        kwargs: dict[str, Any] = {}
        if config_id is not None:
            kwargs["context"] = {"config_id": config_id}
        answer = await self.execute_kw("pos.order", "sync_from_ui", [orders], kwargs)
        if not isinstance(answer, dict):
            raise OdooTransient("sync_from_ui answered something unexpected")
        return answer


class OdooHealth:
    """What the relay last saw of Odoo (for /healthz), updated by the forwarder and the mirror."""

    def __init__(self) -> None:
        self.reachable: bool | None = None
        self.misconfigured = False
        self.error: str | None = None
        self.checked_at: float | None = None

    def ok(self, now: float) -> None:
        self.reachable, self.misconfigured, self.error, self.checked_at = True, False, None, now

    def failed(self, error: OdooError, now: float) -> None:
        # A business error is an answer: Odoo is reachable. Only transport trouble is "down";
        # a closed session is an answer too (Odoo is up, the register is closed), and so is a
        # refused route (Odoo is up, the relay's settings are wrong).
        self.misconfigured = isinstance(error, OdooMisconfigured)
        self.reachable = not isinstance(error, OdooTransient) or isinstance(
            error, OdooSessionClosed | OdooMisconfigured
        )
        self.error, self.checked_at = error.message, now

    def as_text(self) -> str:
        if self.misconfigured:
            return "misconfigured"
        return "reachable" if self.reachable else "unreachable"
