"""Real processes for the relay and browser tests (imported by conftest.py, the tests and bench/): the Odoo sandbox and the relay, over 127.0.0.1.

`KasirProcess` runs `python -m kasir.cli ...` as a child process, waits until it answers, and can be
stopped (SIGTERM), killed (SIGKILL) and started again on the same port and files, the way a relay
crashes and comes back in a shop.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
from kasir import decimal_json

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 20.0
T = TypeVar("T")
SANDBOX_DB = "kasir"
SANDBOX_LOGIN = "admin"
SANDBOX_KEY = "sandbox-key"
SANDBOX_UID = 2


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jsonrpc_version_ok(url: str) -> bool:
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {"service": "common", "method": "version", "args": []},
    }
    answer = httpx.post(f"{url}/jsonrpc", json=payload, timeout=2)
    return answer.status_code == 200 and "result" in answer.json()


def _healthz_ok(url: str) -> bool:
    return httpx.get(f"{url}/healthz", timeout=2).status_code == 200


class KasirProcess:
    """One `kasir` command as a child process on a fixed port; restartable on the same files."""

    def __init__(
        self,
        args: list[str],
        *,
        port: int,
        env: dict[str, str] | None = None,
        ready: str = "healthz",
        log_path: Path | None = None,
    ) -> None:
        self.args = args
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, **(env or {})}
        self.ready = ready
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def _check(self) -> bool:
        try:
            return (
                _healthz_ok(self.url) if self.ready == "healthz" else _jsonrpc_version_ok(self.url)
            )
        except (httpx.HTTPError, ValueError):
            return False

    def start(self) -> KasirProcess:
        if self.process is not None and self.process.poll() is None:
            return self
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kasir.cli", *self.args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.args[0]} exited with {self.process.returncode}{self._tail()}"
                )
            if self._check():
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"{self.args[0]} did not answer within {START_TIMEOUT} s{self._tail()}")

    def _tail(self) -> str:
        if self.log_path and self.log_path.exists():
            return "\n--- log ---\n" + self.log_path.read_text(errors="replace")[-3000:]
        return ""

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (a clean shutdown), then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: a crash, nothing gets to clean up."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.kill()
        self.process.wait(10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self._tail()

    # Helpers for the sandbox process and the relay process.

    def rpc(self, model: str, method: str, args: list[Any], kwargs: dict | None = None) -> Any:
        """(sandbox) execute_kw as the relay does it."""
        return odoo_call(self.url, model, method, args, kwargs)

    def faults(self, **faults: Any) -> dict[str, Any]:
        """(sandbox) error_500=N, drop_after_commit=N, down=True, reset=True."""
        return set_faults(self, **faults)

    def orders(self, uuids: list[str]) -> list[dict[str, Any]]:
        """(sandbox) pos.order rows with these uuids."""
        fields = ["uuid", "name", "pos_reference", "state", "amount_total", "amount_paid"]
        return self.rpc("pos.order", "search_read", [[["uuid", "in", uuids]]], {"fields": fields})

    @property
    def db_path(self) -> Path:
        """(relay) its journal file."""
        return Path(self.args[self.args.index("--db") + 1])


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """An ASGI app (a sandbox a test changed in this process) served by uvicorn on a free
    127.0.0.1 port in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, timeout=15, what="the server to start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def wait_for(check: Callable[[], T], what: str, timeout: float = 30, interval: float = 0.1) -> T:
    """Poll `check` until it answers something true, and return that; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def kasir(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`kasir ARGS...` as a person types it, from the project folder; its output is captured."""
    return subprocess.run(
        [sys.executable, "-m", "kasir.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )


def odoo_answer(
    url: str, model: str, method: str, args: list[Any], kwargs: dict | None = None
) -> dict[str, Any]:
    """The whole JSON-RPC answer ({"result"} or {"error"}) of execute_kw against the sandbox,
    as the relay makes it: amounts sent and read as exact Decimals."""
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [SANDBOX_DB, SANDBOX_UID, SANDBOX_KEY, model, method, args, kwargs or {}],
        },
    }
    response = httpx.post(
        f"{url}/jsonrpc",
        content=decimal_json.dumps(payload),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)


def odoo_call(
    url: str, model: str, method: str, args: list[Any], kwargs: dict | None = None
) -> Any:
    """execute_kw against the sandbox as the relay would; its result (an error fails)."""
    answer = odoo_answer(url, model, method, args, kwargs)
    if "error" in answer:
        raise AssertionError(answer["error"])
    return answer["result"]


def set_faults(sandbox: KasirProcess, **faults: Any) -> dict[str, Any]:
    """POST /sandbox/faults (error_500=N, drop_after_commit=N, down=True, reset=True)."""
    answer = httpx.post(f"{sandbox.url}/sandbox/faults", json=faults, timeout=5)
    answer.raise_for_status()
    return answer.json()


def relay_env(sandbox_url: str) -> dict[str, str]:
    return {
        "KASIR_ODOO_URL": sandbox_url,
        "KASIR_ODOO_DB": SANDBOX_DB,
        "KASIR_ODOO_LOGIN": SANDBOX_LOGIN,
        "KASIR_ODOO_API_KEY": SANDBOX_KEY,
        "KASIR_ODOO_VERSION": "18",
        "KASIR_BACKOFF_BASE": "0.05",
        "KASIR_BACKOFF_CAP": "0.5",
        "KASIR_MIRROR_INTERVAL": "1",
        "KASIR_ODOO_TIMEOUT": "5",
        # A call whose answer was lost is sent again only once Odoo could no longer be running
        # it (or Odoo holds it): the sandbox's calls are short, so tests need not wait 120 s.
        "KASIR_ODOO_TIME_LIMIT": "2",
        "KASIR_LOG_LEVEL": "INFO",
    }


def start_sandbox(tmp: Path, products: int = 200, *, cashiers: bool = False) -> KasirProcess:
    """The sandbox with its demo shop; `cashiers`: its register uses pos_hr's Ani and Budi."""
    port = free_port()
    return KasirProcess(
        [
            "sandbox",
            "--port",
            str(port),
            "--db",
            str(tmp / "sandbox.db"),
            "--products",
            str(products),
            *(["--cashiers"] if cashiers else []),
        ],
        port=port,
        ready="jsonrpc",
        log_path=tmp / "sandbox.log",
    ).start()


# The /admin token of the `admin_relay` fixture (tests/conftest.py).
ADMIN_TOKEN = "s3cret-admin-token"


def start_relay(
    tmp: Path,
    sandbox_url: str,
    dist: Path | None = None,
    *,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
    log_name: str = "relay.log",
) -> KasirProcess:
    """A relay on a free port: its journal in `tmp`/kasir.db, or in PostgreSQL at
    `database_url` (several relays may share one); `env` adds or overrides KASIR_* variables."""
    port = free_port()
    journal = ["--database-url", database_url] if database_url else ["--db", str(tmp / "kasir.db")]
    return KasirProcess(
        ["serve", "--port", str(port), *journal, "--dist", str(dist or ROOT / "dist")],
        port=port,
        env={**relay_env(sandbox_url), **(env or {})},
        log_path=tmp / log_name,
    ).start()


def add_terminal(relay: KasirProcess, name: str) -> str:
    """`kasir terminal add NAME` against the relay's journal; returns the code (last line)."""
    flag = "--db" if "--db" in relay.args else "--database-url"
    journal = relay.args[relay.args.index(flag) + 1]
    done = subprocess.run(
        [sys.executable, "-m", "kasir.cli", "terminal", "add", name, flag, journal],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def pair(relay: KasirProcess, name: str) -> tuple[str, str]:
    code = add_terminal(relay, name)
    answer = httpx.post(f"{relay.url}/api/v1/pair", json={"code": code}, timeout=5)
    answer.raise_for_status()
    data = answer.json()
    return data["terminal"], data["token"]


# -- orders as a terminal makes them (shared contract), for the relay tests ----------------------

PPN = Decimal("1.11")


def make_order(
    terminal: str,
    seq: int,
    lines: list[tuple[int, str, int]],
    *,
    session: int = 1,
    cash: str | None = None,
) -> dict[str, Any]:
    """An order record: lines of (product_id, unit price, qty), PPN 11 % included, paid in cash."""
    import uuid as uuidlib
    from decimal import ROUND_HALF_UP

    record_lines = []
    total = tax = Decimal(0)
    for product_id, price, qty in lines:
        incl = Decimal(price) * qty
        excl = (incl / PPN).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        total += incl
        tax += incl - excl
        record_lines.append(
            {
                "uuid": str(uuidlib.uuid4()),
                "product_id": product_id,
                "full_product_name": f"Product {product_id}",
                "qty": str(qty),
                "price_unit": price,
                "discount": "0",
                "tax_ids": [1],
                "price_subtotal": str(excl),
                "price_subtotal_incl": str(incl),
            }
        )
    tendered = Decimal(cash) if cash is not None else total
    return {
        "uuid": str(uuidlib.uuid4()),
        "kind": "order",
        "terminal": terminal,
        "session": session,
        "seq": seq,
        "name": f"{terminal}-{seq:06d}",
        "created_at": "2026-11-23T20:41:05.123456+00:00",
        "currency": "IDR",
        "pricelist_id": 1,
        "fiscal_position_id": None,
        "partner": None,
        "lines": record_lines,
        "payments": [{"uuid": str(uuidlib.uuid4()), "method_id": 1, "amount": str(tendered)}],
        "amount_total": str(total),
        "amount_tax": str(tax),
        "amount_paid": str(total),
        "amount_return": str(tendered - total),
        "rounding_applied": "0",
        "catalog_version": "200",
    }


def booked_once(sandbox: KasirProcess, uuids: list[str]) -> None:
    """Every uuid is in the sandbox exactly once, paid."""
    rows = []
    for start in range(0, len(uuids), 500):
        rows += sandbox.orders(uuids[start : start + 500])
    counts = Counter(row["uuid"] for row in rows)
    assert sorted(counts) == sorted(uuids), f"{len(uuids) - len(counts)} orders missing"
    assert max(counts.values()) == 1, [u for u, n in counts.items() if n > 1]
    assert all(row["state"] == "paid" for row in rows)


class TerminalClient:
    """A terminal talking to a relay over HTTP with its bearer token."""

    def __init__(self, relay: KasirProcess, name: str, token: str) -> None:
        self.relay, self.name, self.token = relay, name, token
        self.http = httpx.Client(base_url=relay.url, timeout=10)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sync(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        answer = self.http.post("/api/v1/sync", json={"items": items}, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def states(self, since: str = "") -> dict[str, Any]:
        answer = self.get("/api/v1/sync/state", params={"since": since})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_settled(self, uuids: list[str], timeout: float = 20.0) -> dict[str, dict[str, Any]]:
        """Poll sync/state until every uuid is posted or failed; returns uuid -> state."""
        deadline = time.monotonic() + timeout
        latest: dict[str, dict[str, Any]] = {}
        while True:
            for state in self.states("0")["states"]:
                latest[state["uuid"]] = state
            if all(latest.get(u, {}).get("status") in ("posted", "failed") for u in uuids):
                return {u: latest[u] for u in uuids}
            if time.monotonic() > deadline:
                raise AssertionError(f"not settled after {timeout} s: {latest}\n{self.relay.log()}")
            time.sleep(0.05)


# -- PostgreSQL journals for tests and the bench -------------------------------------------------

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def postgres_schema(url: str, name: str) -> str:
    """A fresh, empty schema `name` in the database at `url`; returns a URL whose connections
    use it (search_path), so each test or bench run has a journal of its own."""
    from urllib.parse import quote

    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as db:
        db.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        db.execute(f'CREATE SCHEMA "{name}"')
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={name}')}"


def drop_postgres_schema(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as db:
        db.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
