"""The sandbox over HTTP: Odoo's routes, answers and error objects, and the helper routes.

`POST /jsonrpc` (services common and object, as Odoo 18), `POST /json/2/<model>/<method>`
(Odoo 19's JSON-2, bearer API key), `GET /web/version`; and for tests and benchmarks
`/sandbox/faults` (GET the settings, POST changes), `/sandbox/control` (change the shop behind
the relay's back) and `/sandbox/stats`. Calls wait for one of Odoo's workers (faults.Workers);
a sync_from_ui call then takes as long as the speed settings say, without blocking the event
loop for other requests.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .. import decimal_json
from .api import PUBLIC_METHODS, RECORD_METHODS, Odoo, ensure_countries
from .errors import (
    AccessDenied,
    AccessError,
    MissingError,
    OdooError,
    UserError,
    ValidationError,
    missing,
    no_method,
    serialization_failure,
)
from .faults import Faults, Workers
from .models import MODELS, SANDBOX_UID
from .orm import SandboxStore, to_decimal
from .pos import close_sessions, open_session, sync_plan

log = logging.getLogger("kasir.sandbox")

SERVER_VERSION = {
    "server_version": "18.0",
    "server_version_info": [18, 0, 0, "final", 0, ""],
    "server_serie": "18.0",
    "protocol_version": 1,
}


def dumps(value: Any) -> str:
    """JSON text of an answer, amounts written like Odoo's floats but from their exact text."""
    return decimal_json.dumps(value, like_float=True)


class DecimalJSONResponse(Response):
    """A JSON answer written by `dumps` (Decimal-exact)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


class _Json2Refusal(Exception):
    """A werkzeug HTTP error of the JSON-2 controller (404 no such model, 422 bad params)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


class DroppedConnection(Exception):
    """Raised where the connection cannot be dropped for real (in-process test clients)."""


PROXY_500 = (
    "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    "<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
PROXY_503 = PROXY_500.replace("500 Internal Server Error", "503 Service Temporarily Unavailable")


def _transport_of(request: Request) -> Any:
    """The socket transport under uvicorn's receive channel, when the server exposes it."""
    owner = getattr(request.receive, "__self__", None)
    transport = getattr(owner, "transport", None)
    return transport if hasattr(transport, "abort") else None


async def _drop(request: Request) -> bool:
    """Close the client's connection without a (complete) answer; False if we cannot."""
    transport = _transport_of(request)
    if transport is None:
        return False
    transport.abort()
    for _ in range(3):  # let the server notice the disconnect before the handler returns
        await asyncio.sleep(0)
    return True


class Sandbox:
    """The JSON-RPC service: credentials, dispatch, faults, and the helper routes for tests."""

    def __init__(self, store: SandboxStore, db_name: str, login: str, api_key: str) -> None:
        self.store = store
        self.db_name = db_name
        self.login = login
        self.api_key = api_key
        self.faults = Faults()
        self.workers = Workers(self.faults)
        self.stats = {"sync_calls": 0}

    # -- /jsonrpc ---------------------------------------------------------------------------

    async def jsonrpc(self, request: Request) -> Response:
        if self.faults.down:
            if await _drop(request):
                return Response(status_code=503)  # never sent: the connection is gone
            return HTMLResponse(PROXY_503, status_code=503)
        body = await request.body()
        try:
            payload = json.loads(body or b"null", parse_float=Decimal)
            params = payload["params"]
            service, method = params["service"], params["method"]
            args = params.get("args", [])
            if not isinstance(args, list):
                raise TypeError("args must be a list")
        except (ValueError, KeyError, TypeError) as error:
            return _rpc_error(
                None, "werkzeug.exceptions.BadRequest", f"Invalid JSON-RPC: {error}", 400
            )
        request_id = payload.get("id")
        if self.faults.slow:
            await asyncio.sleep(self.faults.slow)
        is_object_call = service == "object" and method in ("execute_kw", "execute")
        if is_object_call and self.faults.take("error_500"):
            return HTMLResponse(PROXY_500, status_code=500)
        is_sync = is_object_call and len(args) > 4 and args[4] == "sync_from_ui"
        if is_sync:
            self.stats["sync_calls"] += 1
        # a sale's points booked on a card (see kasir's forwarder)
        is_card = is_object_call and args[3:5] in (
            ["loyalty.card", "write"],
            ["loyalty.card", "create"],
        )
        try:
            result = await self._dispatch(service, method, args)
        except OdooError as error:
            return _rpc_error(request_id, error.name, error.message)
        except Exception as error:  # what Odoo does with any other exception
            kind = type(error)
            module = "builtins" if kind.__module__ == "builtins" else kind.__module__
            if not isinstance(error, ValueError | TypeError | AttributeError | KeyError):
                log.exception("sandbox error")
            # Odoo's message is the exception's arguments (a KeyError's key without quotes)
            message = "\n".join(map(str, error.args)) if error.args else str(error)
            return _rpc_error(request_id, f"{module}.{kind.__qualname__}", message)
        dropped = "drop_after_commit" if is_sync else "drop_card_after_commit" if is_card else None
        if dropped and self.faults.take(dropped):
            if await _drop(request):
                return Response(status_code=200)  # never sent: the connection is gone
            raise DroppedConnection("sandbox dropped the connection after committing")
        return DecimalJSONResponse({"jsonrpc": "2.0", "id": request_id, "result": result})

    async def _dispatch(self, service: str, method: str, args: list[Any]) -> Any:
        if service == "common":
            if method == "version":
                return dict(SERVER_VERSION)
            if method in ("authenticate", "login"):
                db, login, key = [*args, None, None, None][:3]
                ok = db == self.db_name and login == self.login and key == self.api_key
                return SANDBOX_UID if ok else False
            raise NameError(f"Method not available {method}")
        if service == "object":
            if method not in ("execute_kw", "execute"):
                raise NameError(f"Method not available {method}")
            if len(args) < 5:
                raise TypeError(f"{method}() needs db, uid, password, model, method")
            db, uid, key, model, model_method = args[:5]
            if db != self.db_name or uid != SANDBOX_UID or key != self.api_key:
                raise AccessDenied()
            if method == "execute_kw":
                call_args = args[5] if len(args) > 5 else []
                call_kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
            else:
                call_args, call_kwargs = list(args[5:]), {}
            return await self._call(model, model_method, list(call_args), call_kwargs)
        raise NameError(f"Unknown service {service}")

    async def _call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """One model method call, as one of Odoo's workers runs it: in one transaction."""
        if not isinstance(model, str) or model not in MODELS:
            raise UserError(f"Object {model} doesn't exist")
        if not isinstance(method, str) or method.startswith("_"):
            raise AccessError(
                f"Private methods (such as '{model}.{method}') cannot be called remotely."
            )
        if method not in PUBLIC_METHODS:
            raise no_method(model, method)
        # Odoo finishes a request whose client went away (and commits it): so does the sandbox.
        return await asyncio.shield(asyncio.ensure_future(self._work(model, method, args, kwargs)))

    async def _work(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        async with self.workers.slot():
            visible = None
            if model == "pos.order" and method == "sync_from_ui":
                orders = args[0] if args else kwargs.get("orders")
                visible = await self._take_sync_time(orders)
            return await run_in_threadpool(self._run, model, method, args, kwargs, visible)

    async def _take_sync_time(self, orders: Any) -> int:
        """Spend the time Odoo spends on a sync_from_ui call, and fail it if a serialization
        failure is due. Returns the last pos.order id the call can see: what was committed
        when it started (Odoo's uuid search cannot see what other calls commit meanwhile)."""

        def plan() -> tuple[int, int]:
            with self.store.transaction() as tx:
                return sync_plan(tx, orders)

        visible, pending = await run_in_threadpool(plan)
        cost = self.faults.sync_cost(pending)
        if cost > 0:
            await asyncio.sleep(cost)
        if self.faults.take("serialization_failures"):
            raise serialization_failure()
        return visible

    def _run(
        self,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        visible_orders: int | None,
    ) -> Any:
        context = kwargs.pop("context", None) or {}
        with self.store.transaction() as tx:
            odoo = Odoo(tx, context, visible_orders)
            handler: Callable[..., Any] | None = getattr(odoo, method, None)
            if handler is None:
                raise no_method(model, method)
            if model in ("res.partner", "res.country"):
                ensure_countries(tx)
            return handler(model, *args, **kwargs)

    # -- /json/2 (Odoo 19) ------------------------------------------------------------------

    async def web_version(self, request: Request) -> Response:
        if self.faults.down and await _drop(request):
            return Response(status_code=503)
        return JSONResponse(dict(SERVER_VERSION))

    def _json2_key_ok(self, request: Request) -> bool:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and key.strip() == self.api_key

    async def json2(self, request: Request) -> Response:
        """POST /json/2/<model>/<method>: named parameters in, the bare result out."""
        if self.faults.down:
            if await _drop(request):
                return Response(status_code=503)
            return HTMLResponse(PROXY_503, status_code=503)
        model = request.path_params["model"]
        method = request.path_params["method"]
        database = request.headers.get("x-odoo-database")
        if database is not None and database != self.db_name:
            return _werkzeug(404, f"database {database!r} not found")
        if not self._json2_key_ok(request):
            return _werkzeug(401, "Invalid apikey")
        body = await request.body()
        params: Any = {}
        if body:
            try:
                params = json.loads(body, parse_float=Decimal)
            except ValueError as error:
                return _werkzeug(400, f"could not parse the body as json: {error}")
            if not isinstance(params, dict):
                return _werkzeug(400, "could not parse the body, expecting a json object")
        if self.faults.slow:
            await asyncio.sleep(self.faults.slow)
        if self.faults.take("error_500"):
            return HTMLResponse(PROXY_500, status_code=500)
        is_sync = model == "pos.order" and method == "sync_from_ui"
        if is_sync:
            self.stats["sync_calls"] += 1
        try:
            result = await self._json2_dispatch(model, method, dict(params))
        except _Json2Refusal as refusal:
            return _werkzeug(refusal.status, refusal.description)
        except OdooError as error:
            return _json2_error(_json2_status(error), error.name, error.message)
        except Exception as error:  # any other exception: 500 with its serialized form
            kind = type(error)
            module = "builtins" if kind.__module__ == "builtins" else kind.__module__
            if not isinstance(error, ValueError | TypeError | AttributeError | KeyError):
                log.exception("sandbox error")
            return _json2_error(500, f"{module}.{kind.__qualname__}", str(error))
        if is_sync and self.faults.drop_after_commit > 0:
            self.faults.drop_after_commit -= 1
            if await _drop(request):
                return Response(status_code=200)  # never sent: the connection is gone
            raise DroppedConnection("sandbox dropped the connection after committing")
        return DecimalJSONResponse(result)

    async def _json2_dispatch(self, model: str, method: str, params: dict[str, Any]) -> Any:
        """web_json_2_rpc: model and method checks, ids for record methods, signature binding."""
        if model not in MODELS:
            raise _Json2Refusal(404, f"the model {model!r} does not exist")
        if method.startswith("_") or method not in PUBLIC_METHODS:
            raise _Json2Refusal(404, f"The method '{method}' does not exist on the model '{model}'")
        ids = params.pop("ids", [])
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            raise _Json2Refusal(422, "ids must be a list of record ids")
        context = params.pop("context", None) or {}
        if not isinstance(context, dict):
            raise _Json2Refusal(422, "context must be an object")
        record_method = method in RECORD_METHODS
        if ids and not record_method:
            raise _Json2Refusal(422, f"cannot call {model}.{method} with ids")
        handler = getattr(Odoo, method)
        bound = [None, model, ids] if record_method else [None, model]
        try:
            inspect.signature(handler).bind(*bound, **params)
        except TypeError as error:
            raise _Json2Refusal(422, str(error)) from None
        args = [ids] if record_method else []
        result = await self._call(model, method, args, {**params, "context": context})
        if method == "create" and isinstance(result, int):
            return [result]  # JSON-2 answers a recordset's ids
        return result

    # -- helper routes ----------------------------------------------------------------------

    async def faults_route(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = json.loads(await request.body() or b"{}", parse_float=Decimal)
                self.faults.update(changes)
            except ValueError as error:
                return JSONResponse({"error": {"code": "bad_request", "message": str(error)}}, 400)
        return JSONResponse(self.faults.as_dict())

    async def control_route(self, request: Request) -> Response:
        try:
            command = json.loads(await request.body() or b"{}", parse_float=Decimal)
            if not isinstance(command, dict):
                raise ValueError("control expects a JSON object")
            answer = await run_in_threadpool(self.control, command)
        except (ValueError, OdooError) as error:
            message = error.message if isinstance(error, OdooError) else str(error)
            return JSONResponse({"error": {"code": "bad_request", "message": message}}, 400)
        return DecimalJSONResponse(answer)

    def control(self, command: dict[str, Any]) -> dict[str, Any]:
        """Change the shop behind the relay's back, as a manager in Odoo would."""
        action = command.get("action")
        with self.store.transaction() as tx:
            if action == "close_session":
                return {"ok": True, "closed": close_sessions(tx, command.get("id"))}
            if action == "open_session":
                return {"ok": True, "session": open_session(tx, command.get("config_id"))}
            if action in (
                "archive_product",
                "unarchive_product",
                "delete_product",
                "set_price",
                "set_taxes",
                "set_image",
            ):
                product_id = command.get("id")
                if tx.get("product.product", product_id) is None:
                    raise missing("product.product", [product_id])
                if action == "delete_product":
                    tx.delete("product.product", product_id)
                    tx.delete("product.template", product_id)
                    return {"ok": True}
                if action == "set_price":
                    price = to_decimal(command.get("lst_price"))
                    values: dict[str, Any] = {"lst_price": price}
                    template: dict[str, Any] = {"list_price": price}
                elif action == "set_taxes":
                    taxes = [int(t) for t in command.get("taxes_id") or ()]
                    values = template = {"taxes_id": taxes}
                elif action == "set_image":  # the template's picture (base64) or false
                    # the variant's write_date follows its template's, as in Odoo
                    values, template = {}, {"image_128": command.get("image_128") or False}
                else:
                    values = template = {"active": action == "unarchive_product"}
                record = tx.update("product.product", product_id, values)
                if tx.get("product.template", product_id) is not None:
                    tx.update("product.template", product_id, template)
                return {"ok": True, "write_date": record["write_date"][:19]}
            raise ValueError(f"unknown action {action!r}")

    async def stats_route(self, request: Request) -> Response:
        def orders() -> int:
            with self.store.transaction() as tx:
                return tx.count("pos.order")

        return JSONResponse({**self.stats, "orders": await run_in_threadpool(orders)})


# Odoo 19's HTTP status for its exceptions over JSON-2 (exceptions.py `http_status`).
JSON2_STATUS = {
    UserError.name: 422,
    ValidationError.name: 422,
    MissingError.name: 404,
    AccessError.name: 403,
    AccessDenied.name: 403,
}


def _json2_status(error: OdooError) -> int:
    """A PostgreSQL error is no odoo.exceptions one: 500, like any other exception."""
    return 500 if error.name.startswith("psycopg2.") else JSON2_STATUS.get(error.name, 422)


def _serialize(name: str, message: str, arguments: list[Any] | None = None) -> dict[str, Any]:
    """odoo.http.serialize_exception: the body of a JSON-2 error answer."""
    return {
        "name": name,
        "message": message,
        "arguments": arguments if arguments is not None else [message],
        "context": {},
        "debug": ""
        if name == AccessDenied.name
        else f"Traceback (most recent call last):\n{name}: {message}\n",
    }


def _json2_error(status: int, name: str, message: str, arguments: Any = None) -> Response:
    return DecimalJSONResponse(_serialize(name, message, arguments), status_code=status)


def _werkzeug(status: int, description: str) -> Response:
    names = {
        400: "BadRequest",
        401: "Unauthorized",
        404: "NotFound",
        422: "UnprocessableEntity",
    }
    return _json2_error(
        status, f"werkzeug.exceptions.{names[status]}", description, [description, status]
    )


def _rpc_error(request_id: Any, name: str, message: str, status: int = 200) -> Response:
    """Odoo's JSON-RPC error object (HTTP 200, like Odoo, unless the request itself was bad)."""
    debug = (
        ""
        if name == AccessDenied.name
        else f"Traceback (most recent call last):\n{name}: {message}\n"
    )
    return DecimalJSONResponse(
        {
            "jsonrpc": "2.0",
            "id": request_id,
            "error": {
                "code": 200,
                "message": "Odoo Server Error",
                "data": {
                    "name": name,
                    "debug": debug,
                    "message": message,
                    "arguments": [message],
                    "context": {},
                },
            },
        },
        status_code=status,
    )


def create_app(
    store: SandboxStore,
    *,
    db_name: str = "kasir",
    login: str = "admin",
    api_key: str = "sandbox-key",
    faults: dict[str, Any] | None = None,
) -> Starlette:
    """The sandbox as an ASGI app, starting with `faults` (as POST /sandbox/faults takes them);
    `app.state.faults` and `app.state.store` for in-process tests."""
    sandbox = Sandbox(store, db_name, login, api_key)
    sandbox.faults.update(faults or {})
    app = Starlette(
        routes=[
            Route("/jsonrpc", sandbox.jsonrpc, methods=["POST"]),
            Route("/json/2/{model}/{method}", sandbox.json2, methods=["POST"]),
            Route("/web/version", sandbox.web_version, methods=["GET"]),
            Route("/sandbox/faults", sandbox.faults_route, methods=["GET", "POST"]),
            Route("/sandbox/control", sandbox.control_route, methods=["POST"]),
            Route("/sandbox/stats", sandbox.stats_route, methods=["GET"]),
        ]
    )
    app.state.sandbox = sandbox
    app.state.faults = sandbox.faults
    app.state.store = store
    return app
