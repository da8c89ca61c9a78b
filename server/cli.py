"""The `kasir` command: serve the relay, run the Odoo sandbox or the whole demo, manage terminals."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from . import auth, decisions, logs, sales
from .config import ConfigError, load
from .decisions import Outcome
from .journal import STATES, Journal, JournalUnavailable, Namer, open_journal
from .odoo import OdooClient

log = logging.getLogger("kasir")
DEMO_TERMINAL = "kasir-1"


def _logging() -> None:
    logs.setup()


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us (two servers share one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn_config(app: object, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
    )


# -- commands --------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from .app import create_app

    settings = load(args.config).with_overrides(
        database=Path(args.db) if args.db else None,
        database_url=_database_url(args),
        dist=Path(args.dist) if args.dist else None,
    )
    # Opened here, so an unreachable database is one clear line and exit code 2.
    journal = open_journal(settings.database_url or settings.database)
    print(f"kasir relay on http://{args.host}:{args.port} (journal {journal!r})", flush=True)
    try:
        uvicorn.run(
            create_app(settings, journal=journal),
            host=args.host,
            port=args.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    finally:
        journal.close()
    return 0


def _sandbox_app(db: str, products: int, *, cashiers: bool = False):
    from .sandbox import SandboxStore, create_app, seed

    store = SandboxStore(db)
    if store.is_empty():
        seed(store, products=products, cashiers=cashiers)
    return create_app(store)


def cmd_sandbox(args: argparse.Namespace) -> int:
    app = _sandbox_app(args.db, args.products, cashiers=args.cashiers)
    print(f"Odoo sandbox on http://{args.host}:{args.port} (database kasir, {args.db})", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .app import create_app

    var = Path(args.var)
    var.mkdir(parents=True, exist_ok=True)
    sandbox_port = args.port + 69
    if not _port_free(args.host, sandbox_port):
        sandbox_port = _free_port(args.host)
    sandbox_url = f"http://{args.host}:{sandbox_port}"
    # The demo shop's register has cashiers: Ani (PIN 1234) and Budi, a manager (PIN 5678).
    sandbox_app = _sandbox_app(str(var / "sandbox.db"), args.products, cashiers=True)
    env = {
        **os.environ,
        "KASIR_ODOO_URL": sandbox_url,
        "KASIR_ODOO_DB": "kasir",
        "KASIR_ODOO_LOGIN": "admin",
        "KASIR_ODOO_API_KEY": "sandbox-key",
    }
    settings = load(args.config, env).with_overrides(
        database=var / "kasir.db", dist=Path(args.dist) if args.dist else None
    )
    # The manager page needs a token: the demo makes one unless the environment has one.
    admin_token = os.environ.get("KASIR_ADMIN_TOKEN", "").strip() or secrets.token_urlsafe(24)
    os.environ["KASIR_ADMIN_TOKEN"] = admin_token
    journal = Journal(settings.database)
    code = auth.add_terminal(journal, DEMO_TERMINAL)
    relay_app = create_app(settings, journal=journal)

    async def main() -> None:
        servers = [_QuietServer(_uvicorn_config(sandbox_app, args.host, sandbox_port))]
        loop = asyncio.get_running_loop()

        def stop() -> None:
            for server in servers:
                if server.should_exit:
                    server.force_exit = True
                server.should_exit = True

        async def started(tasks: list[asyncio.Task[None]]) -> bool:
            while not all(server.started for server in servers):
                if any(task.done() for task in tasks):
                    return False
                await asyncio.sleep(0.02)
            return True

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        tasks = [asyncio.create_task(servers[0].serve())]
        # The relay mirrors Odoo as it starts: only once the sandbox answers, or its first
        # pass would log "Odoo is unreachable" for nothing.
        if await started(tasks):
            servers.append(_QuietServer(_uvicorn_config(relay_app, args.host, args.port)))
            tasks.append(asyncio.create_task(servers[1].serve()))
        if await started(tasks) and len(servers) == 2:
            base = f"http://{args.host}:{args.port}"
            print(f"kasir is running: {base}/?pair={code}", flush=True)
            print(
                f"Open it in Chromium to pair the till as {DEMO_TERMINAL} with the demo shop "
                f"(Odoo sandbox at {sandbox_url}); Ctrl-C stops both.",
                flush=True,
            )
            print(f"Manager page: {base}/admin (admin token {admin_token})", flush=True)
        else:
            stop()
        await asyncio.gather(*tasks, return_exceptions=True)

    try:
        asyncio.run(main())
    finally:
        journal.close()
    return 0


def _database_url(args: argparse.Namespace) -> str | None:
    """--database-url (checked like KASIR_DATABASE_URL), else None: the environment decides."""
    url = getattr(args, "database_url", None)
    if url is None:
        return None
    from .config import database_url

    return database_url({"KASIR_DATABASE_URL": url})


def _journal(args: argparse.Namespace) -> Journal:
    if args.db:
        return Journal(args.db)
    from .config import database_url

    url = _database_url(args) or database_url(os.environ)
    return open_journal(url or os.environ.get("KASIR_DATABASE") or "var/kasir.db")


def cmd_terminal_add(args: argparse.Namespace) -> int:
    journal = _journal(args)
    try:
        code = auth.add_terminal(journal, args.name)
    except auth.AuthError as error:
        print(f"kasir: {error}", file=sys.stderr)
        return 2
    finally:
        journal.close()
    print(f"Pairing code for terminal {args.name} (one use, valid 24 hours):")
    print(code)
    return 0


def cmd_terminal_list(args: argparse.Namespace) -> int:
    journal = _journal(args)
    try:
        terminals = journal.terminal_overview()
    finally:
        journal.close()
    if not terminals:
        print("no terminals yet: `kasir terminal add NAME`")
    for t in terminals:
        state = "revoked" if t["revoked_at"] else "paired" if t["paired"] else "waiting for pairing"
        counts = "\t".join(f"{name}={t[name]}" for name in ("queued", "held", "failed", "rejected"))
        print(f"{t['name']}\t{state}\t{counts}")
    return 0


def cmd_terminal_revoke(args: argparse.Namespace) -> int:
    journal = _journal(args)
    try:
        revoked = auth.revoke(journal, args.name)
    except auth.AuthError as error:
        print(f"kasir: {error}", file=sys.stderr)
        return 2
    finally:
        journal.close()
    if not revoked:
        print(f"kasir: no terminal named {args.name} (see `kasir terminal list`)", file=sys.stderr)
        return 1
    print(f"Terminal {args.name} is revoked: its token is refused from now on.")
    print("What it already sent stays queued and is forwarded; `kasir terminal add` re-pairs it.")
    return 0


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# What a manager can do with an item in each state, for `kasir queue`.
QUEUE_SECTIONS = (
    ("failed", "failed in Odoo: `kasir retry UUID|--failed` or `kasir discard UUID`"),
    ("held", "held: `kasir approve UUID` (forward as sold) or `kasir discard UUID`"),
    ("rejected", "rejected (malformed; the terminal can resend it): `kasir discard UUID`"),
    ("queued", "waiting"),
)


def _namer(journal: Journal) -> Namer:
    """Names a register's day record as /admin does: its time in the shop's zone
    (KASIR_TIMEZONE, else the mirrored bootstrap's), its amount in the shop's currency."""
    stored = journal.bootstrap()
    shop = json.loads(stored[0]) if stored else None
    zone = sales.shop_zone(os.environ.get("KASIR_TIMEZONE"), shop)
    money = sales.money_format(shop)
    return lambda kind, record: sales.record_name(kind, record, zone, money)


def cmd_queue(args: argparse.Namespace) -> int:
    journal = _journal(args)
    try:
        counts = journal.counts()
        items = journal.attention_items(terminal=args.terminal, namer=_namer(journal))
    finally:
        journal.close()
    for state in STATES:
        print(f"{state:<10} {counts.get(state, 0)}")
    for state, title in QUEUE_SECTIONS:
        mine = [item for item in items if item["state"] == state]
        if not mine:
            continue
        print()
        print(f"{title} ({len(mine)})")
        for item in mine:
            reason = " ".join((item["reason"] or "").split())
            print(
                f"{item['uuid']}  {item['terminal']}  {item['name'] or '-'}  "
                f"attempts={item['attempts']}  {_when(item['failed_at'])}  "
                f"made={item['created_at'] or '-'}  received={_when(item['received_at'])}  "
                f"{reason}"
            )
    return 0


def _user() -> str:
    """Who runs a manager's command, as the journal records it."""
    return f"cli:{os.environ.get('USER') or os.environ.get('LOGNAME') or 'unknown'}"


def cmd_approve(args: argparse.Namespace) -> int:
    journal = _journal(args)
    try:
        problem = journal.approve(args.uuid, _user())
    finally:
        journal.close()
    if problem is not None:
        print(f"kasir: {problem}", file=sys.stderr)
        return 1
    print(f"approved {args.uuid}: queued, forwarded to Odoo as it was sold")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    if bool(args.uuid) == bool(args.failed):
        print("kasir: give one UUID or --failed", file=sys.stderr)
        return 2
    journal = _journal(args)
    try:
        if args.failed:
            uuids = journal.requeue_failed()
        else:
            outcome = asyncio.run(
                _with_odoo(args, lambda client: decisions.retry(journal, client, args.uuid))
            )
            if not outcome.done:
                print(f"kasir: {outcome.message}", file=sys.stderr)
                return 1
            uuids = [args.uuid]
    finally:
        journal.close()
    for uuid in uuids:
        print(f"requeued {uuid}")
    print(
        f"{len(uuids)} item(s) queued again with the same uuid (Odoo cannot book one twice); "
        "the relay sends them at its next pass."
    )
    return 0


def cmd_discard(args: argparse.Namespace) -> int:
    reason = " ".join(args.reason.split())
    if not reason:
        print("kasir: say why with --reason TEXT", file=sys.stderr)
        return 2
    journal = _journal(args)
    try:
        outcome = asyncio.run(
            _with_odoo(
                args, lambda client: decisions.discard(journal, client, args.uuid, reason, _user())
            )
        )
    finally:
        journal.close()
    print(
        outcome.message if outcome.done else f"kasir: {outcome.message}",
        file=sys.stdout if outcome.done else sys.stderr,
    )
    return 0 if outcome.done else 1


async def _with_odoo(
    args: argparse.Namespace, decide: Callable[[OdooClient | None], Awaitable[Outcome]]
) -> Outcome:
    """A manager's decision with an Odoo client when the relay's Odoo settings are at hand (an
    item in doubt needs Odoo's word)."""
    try:
        odoo = load(getattr(args, "config", None)).odoo
    except ConfigError:
        odoo = None
    client = OdooClient(odoo) if odoo is not None else None
    try:
        return await decide(client)
    finally:
        if client is not None:
            await client.aclose()


def _journal_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument("--db", help="the journal (default KASIR_DATABASE or var/kasir.db)")
    command.add_argument(
        "--database-url",
        help="the journal in PostgreSQL, postgresql://... (default KASIR_DATABASE_URL)",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kasir", description="kasir: offline-first POS for Odoo")
    sub = top.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the relay (Odoo from KASIR_ODOO_* variables)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--db", help="the journal (default KASIR_DATABASE or var/kasir.db)")
    serve.add_argument(
        "--database-url",
        help="the journal in PostgreSQL, postgresql://... (default KASIR_DATABASE_URL)",
    )
    serve.add_argument("--dist", help="the built PWA (default KASIR_DIST or dist)")
    serve.add_argument("--config", help="a TOML settings file (default KASIR_CONFIG)")
    serve.set_defaults(func=cmd_serve)

    sandbox = sub.add_parser("sandbox", help="run the Odoo sandbox alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8069)
    sandbox.add_argument("--db", default="var/sandbox.db")
    sandbox.add_argument("--products", type=int, default=200)
    sandbox.add_argument(
        "--cashiers",
        action="store_true",
        help="a new demo shop's register uses its cashiers (pos_hr: Ani 1234, Budi 5678)",
    )
    sandbox.set_defaults(func=cmd_sandbox)

    demo = sub.add_parser("demo", help="the relay and the sandbox with a demo shop, in one process")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--products", type=int, default=200)
    demo.add_argument("--var", default="var")
    demo.add_argument("--dist", help="the built PWA (default KASIR_DIST or dist)")
    demo.add_argument("--config", help="a TOML settings file (its Odoo part is the sandbox)")
    demo.set_defaults(func=cmd_demo)

    terminal = sub.add_parser("terminal", help="manage terminals")
    terminal_sub = terminal.add_subparsers(dest="terminal_command", required=True)
    add = terminal_sub.add_parser("add", help="add a terminal (or re-pair it): prints a code")
    add.add_argument("name")
    add.add_argument("--db", help="the journal (default KASIR_DATABASE or var/kasir.db)")
    add.add_argument(
        "--database-url",
        help="the journal in PostgreSQL, postgresql://... (default KASIR_DATABASE_URL)",
    )
    add.set_defaults(func=cmd_terminal_add)
    listing = terminal_sub.add_parser("list", help="list terminals")
    listing.add_argument("--db", help="the journal (default KASIR_DATABASE or var/kasir.db)")
    listing.add_argument(
        "--database-url",
        help="the journal in PostgreSQL, postgresql://... (default KASIR_DATABASE_URL)",
    )
    listing.set_defaults(func=cmd_terminal_list)
    revoke = terminal_sub.add_parser("revoke", help="refuse a terminal's token from now on")
    revoke.add_argument("name")
    _journal_flags(revoke)
    revoke.set_defaults(func=cmd_terminal_revoke)

    queue = sub.add_parser(
        "queue", help="items by state, and every item that needs a decision or waits, with why"
    )
    queue.add_argument("--terminal", help="only this terminal's items")
    _journal_flags(queue)
    queue.set_defaults(func=cmd_queue)
    retry = sub.add_parser("retry", help="send failed items again (same uuid)")
    retry.add_argument("uuid", nargs="?")
    retry.add_argument("--failed", action="store_true", help="every failed item")
    retry.add_argument(
        "--config", help="the relay's TOML settings, to ask Odoo about an item in doubt"
    )
    _journal_flags(retry)
    retry.set_defaults(func=cmd_retry)
    approve = sub.add_parser("approve", help="forward a held sale to Odoo as it was sold")
    approve.add_argument("uuid")
    _journal_flags(approve)
    approve.set_defaults(func=cmd_approve)

    discard = sub.add_parser("discard", help="give up on an item: kept, marked, never sent")
    discard.add_argument("uuid")
    discard.add_argument("--reason", required=True, help="why (the terminal shows it)")
    discard.add_argument(
        "--config", help="the relay's TOML settings, to ask Odoo about an item in doubt"
    )
    _journal_flags(discard)
    discard.set_defaults(func=cmd_discard)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _logging()
    try:
        return args.func(args)
    except (ConfigError, JournalUnavailable) as error:
        print(f"kasir: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
