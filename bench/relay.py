"""The relay's accept and forward rates, over real processes on 127.0.0.1.

- accepted orders/s: 20 terminals at once, each sending batches of 100 orders back to back (the
  most the relay takes; one-order batches sent meanwhile are printed too, but at saturation they
  only measure the queue);
- p99 accept latency of one-order batches sent by one more terminal while the 20 terminals send
  their batches of 100 paced at the budget's rate (2,000 orders/s), the latency a till sees;
- the forward rate into the Odoo sandbox: orders/s from accepted to posted, measured while the
  backlog left by the two loads drains (for at most --forward-window seconds);
- the forward rate against an Odoo as slow as Odoo 18, ten times faster (sandbox call_cost
  0.022 s + order_cost 0.021 s per order of a sync_from_ui call, one worker): --forward-orders
  accepted from --forward-terminals terminals, then the seconds until all are posted, as orders/s
  and as a ratio to the ideal 1 / order_cost (Odoo's per-order cost alone; goal >= 0.9); once
  with KASIR_FORWARD_BATCH orders per call (25), once with one order per call (the old way).

Run once with the journal in SQLite, then in PostgreSQL when reachable (KASIR_BENCH_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/test, in a schema of its own that is dropped after;
a line says when it is skipped). Budgets on this machine: >= 2,000 orders/s accepted on SQLite,
p99 <= 50 ms. Prints figures only, never fails on a time; every loop is bounded.
Usage: python bench/relay.py [--only sqlite|postgresql|forward] [--batches 5] [--rate 2000]
       [--seconds 5] [--forward-orders 600] [--forward-terminals 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from processes import (  # noqa: E402
    DEFAULT_POSTGRES_URL,
    KasirProcess,
    drop_postgres_schema,
    make_order,
    pair,
    postgres_reachable,
    postgres_schema,
    set_faults,
    start_relay,
    start_sandbox,
)

LINES = [(1, "3500", 2), (2, "12500", 1)]
# The accept rate wanted on SQLite: every terminal of a store coming back from an outage at once.
ACCEPT_GOAL = 10_000


def bodies(terminal: str, first_seq: int, batches: int, size: int) -> list[bytes]:
    """Ready-made request bodies, so the bench measures the relay and not the order maker."""
    out = []
    seq = first_seq
    for _ in range(batches):
        items = [make_order(terminal, seq + i, LINES) for i in range(size)]
        seq += size
        out.append(json.dumps({"items": items}).encode())
    return out


async def send_all(client: httpx.AsyncClient, token: str, requests: list[bytes]) -> int:
    accepted = 0
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in requests:
        answer = await client.post("/api/v1/sync", content=body, headers=headers)
        answer.raise_for_status()
        accepted += sum(r["status"] == "accepted" for r in answer.json()["results"])
    return accepted


async def probe(
    client: httpx.AsyncClient, token: str, requests: list[bytes], stop: asyncio.Event
) -> list[float]:
    """One-order batches, one after another, until the load is over (or they run out)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies = []
    for body in requests:
        if stop.is_set():
            break
        started = time.perf_counter()
        answer = await client.post("/api/v1/sync", content=body, headers=headers)
        latencies.append(time.perf_counter() - started)
        answer.raise_for_status()
    return latencies


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[98]


async def saturate(
    relay: KasirProcess, tokens: list[tuple[str, str]], batches: int
) -> tuple[int, float, list[float]]:
    """Every loader terminal sends its batches of 100 back to back: the most the relay takes."""
    *loaders, (probe_name, probe_token) = tokens
    work = [bodies(name, 1, batches, 100) for name, _ in loaders]
    probes = bodies(probe_name, 1, batches * 100, 1)
    limits = httpx.Limits(max_connections=len(tokens) + 2)
    async with httpx.AsyncClient(base_url=relay.url, timeout=60, limits=limits) as client:
        stop = asyncio.Event()
        probing = asyncio.create_task(probe(client, probe_token, probes, stop))
        started = time.perf_counter()
        counts = await asyncio.gather(
            *(send_all(client, token, w) for (_, token), w in zip(loaders, work, strict=True))
        )
        elapsed = time.perf_counter() - started
        stop.set()
        latencies = await probing
    return sum(counts), elapsed, latencies


async def paced(
    relay: KasirProcess, tokens: list[tuple[str, str]], rate: int, seconds: int, first_seq: int
) -> tuple[int, float, list[float]]:
    """The loader terminals together send `rate` orders/s (batches of 100, spread evenly) for
    `seconds`, while the probe terminal sends one-order batches: the latency a till sees."""
    *loaders, (probe_name, probe_token) = tokens
    per_terminal = max(1, rate * seconds // 100 // len(loaders))
    interval = len(loaders) * 100 / rate
    work = [bodies(name, first_seq, per_terminal, 100) for name, _ in loaders]
    probes = bodies(probe_name, first_seq, seconds * 400, 1)
    limits = httpx.Limits(max_connections=len(tokens) + 2)

    async def pace(client: httpx.AsyncClient, index: int, token: str, requests: list[bytes]) -> int:
        accepted = 0
        offset = interval * index / len(loaders)  # the terminals spread over the interval
        for n, body in enumerate(requests):
            due = started + offset + interval * n
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            accepted += await send_all(client, token, [body])
        return accepted

    async with httpx.AsyncClient(base_url=relay.url, timeout=60, limits=limits) as client:
        stop = asyncio.Event()
        started = time.perf_counter()
        probing = asyncio.create_task(probe(client, probe_token, probes, stop))
        counts = await asyncio.gather(
            *(
                pace(client, i, token, w)
                for i, ((_, token), w) in enumerate(zip(loaders, work, strict=True))
            )
        )
        elapsed = time.perf_counter() - started
        stop.set()
        latencies = await probing
    return sum(counts), elapsed, latencies


def health(relay: KasirProcess) -> dict:
    return httpx.get(f"{relay.url}/healthz", timeout=10).json()


def settled(answer: dict) -> int:
    return (answer.get("posted") or 0) + (answer.get("failed") or 0)


def forward_rate(
    relay: KasirProcess,
    window: float,
    interval: float = 0.25,
    since: tuple[dict, float] | None = None,
) -> tuple[int, float, int]:
    """Orders settled (posted or failed) in the sandbox per second over `window` seconds, or
    until the queue is empty: (settled in the window, seconds, still queued). `since`: the
    /healthz answer and time.perf_counter() to count from (default: now)."""
    first, start = since or (health(relay), time.perf_counter())
    latest = health(relay)
    while time.perf_counter() - start < window and (latest.get("queued") or 0) > 0:
        time.sleep(interval)
        latest = health(relay)
    return settled(latest) - settled(first), time.perf_counter() - start, latest.get("queued") or 0


def ms(values: list[float], median: bool = False) -> str:
    if not values:
        return "n/a"
    return f"{(statistics.median(values) if median else p99(values)) * 1000:.1f} ms"


def run(label: str, tmp: Path, args: argparse.Namespace, database_url: str | None = None) -> None:
    sandbox = start_sandbox(tmp, products=200)
    relay = start_relay(
        tmp,
        sandbox.url,
        database_url=database_url,
        env={"KASIR_LOG_LEVEL": "WARNING", "KASIR_MIRROR_INTERVAL": "60"},
    )
    try:
        tokens = [pair(relay, f"bench-{i + 1}") for i in range(args.terminals + 1)]
        accepted, elapsed, latencies = asyncio.run(saturate(relay, tokens, args.batches))
        print(
            f"{label}: accepted {accepted} orders in {elapsed:.2f} s = "
            f"{accepted / elapsed:,.0f} orders/s, {accepted / elapsed / ACCEPT_GOAL:.2f} of the "
            f"goal {ACCEPT_GOAL:,}/s ({args.terminals} terminals, batches of 100 "
            f"back to back); one-order batches meanwhile: {len(latencies)} sent, "
            f"p50 {ms(latencies, median=True)}, p99 {ms(latencies)}",
            flush=True,
        )
        accepted, elapsed, latencies = asyncio.run(
            paced(relay, tokens, args.rate, args.seconds, args.batches * 100 + 1)
        )
        print(
            f"{label}: under a paced load of {accepted / elapsed:,.0f} orders/s "
            f"({args.terminals} terminals, batches of 100, target {args.rate:,}/s for "
            f"{args.seconds} s): one-order batches {len(latencies)} sent, "
            f"p50 {ms(latencies, median=True)}, p99 {ms(latencies)}",
            flush=True,
        )
        posted, spent, queued = forward_rate(relay, args.forward_window)
        print(
            f"{label}: forward rate into the sandbox {posted / spent:,.0f} orders/s "
            f"(settled {posted} in {spent:.1f} s; {queued} still queued)",
            flush=True,
        )
    finally:
        relay.stop()
        sandbox.kill()


ODOO_18_TENTH = {"call_cost": 0.022, "order_cost": 0.021, "workers": 1}


def forward_backlog(
    sandbox: KasirProcess, tmp: Path, args: argparse.Namespace, per_call: int
) -> tuple[int, float, float, int, int]:
    """A fresh relay sending `per_call` orders per sync_from_ui call: accept the backlog, then
    time it from the first order sent until none is queued:
    (posted, seconds, of which accepting, failed, queued)."""
    (tmp / str(per_call)).mkdir()
    relay = start_relay(
        tmp / str(per_call),
        sandbox.url,
        env={
            "KASIR_LOG_LEVEL": "WARNING",
            "KASIR_MIRROR_INTERVAL": "60",
            "KASIR_FORWARD_BATCH": str(per_call),
        },
    )
    try:
        tokens = [pair(relay, f"forward-{per_call}-{i + 1}") for i in range(args.forward_terminals)]
        per_terminal = args.forward_orders // args.forward_terminals
        work = [bodies(name, 1, 1, per_terminal) for name, _ in tokens]
        deadline = time.monotonic() + 30
        while not health(relay).get("mirrored") and time.monotonic() < deadline:
            time.sleep(0.05)  # no shop yet: the orders would be held, not queued

        async def accept() -> int:
            limits = httpx.Limits(max_connections=len(tokens) + 2)
            async with httpx.AsyncClient(base_url=relay.url, timeout=60, limits=limits) as client:
                counts = await asyncio.gather(
                    *(send_all(client, t, w) for (_, t), w in zip(tokens, work, strict=True))
                )
            return sum(counts)

        since = (health(relay), time.perf_counter())
        accepted = asyncio.run(accept())
        accepting = time.perf_counter() - since[1]
        assert accepted == per_terminal * len(tokens), f"accepted {accepted}"
        _, spent, queued = forward_rate(relay, args.backlog_window, 0.02, since)
        latest = health(relay)
        posted = (latest.get("posted") or 0) - (since[0].get("posted") or 0)
        return posted, spent, accepting, latest.get("failed") or 0, queued
    finally:
        relay.stop()


def forward_figure(tmp: Path, args: argparse.Namespace) -> None:
    """The forward rate against the sandbox set to a tenth of Odoo 18's measured costs."""
    sandbox = start_sandbox(tmp, products=200)
    try:
        faults = set_faults(sandbox, **ODOO_18_TENTH)
        ideal = 1 / faults["order_cost"]
        orders = args.forward_orders // args.forward_terminals * args.forward_terminals
        for per_call, label in ((args.forward_batch, "batched"), (1, "one per call")):
            posted, spent, accepting, failed, queued = forward_backlog(sandbox, tmp, args, per_call)
            rate = posted / spent
            print(
                f"forward ({label}, {per_call} order{'s' * (per_call > 1)}/call): posted "
                f"{posted} of {orders} in {spent:.2f} s (accepting {accepting:.2f} s of it) = "
                f"{rate:,.1f} orders/s, "
                f"{rate / ideal:.2f} of the ideal {ideal:,.1f}/s (sandbox call_cost "
                f"{faults['call_cost']} s + order_cost {faults['order_cost']} s/order, "
                f"{faults['workers']} worker; {args.forward_terminals} terminals; "
                f"{failed} failed, {queued} still queued)",
                flush=True,
            )
    finally:
        sandbox.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=20)
    parser.add_argument("--batches", type=int, default=5, help="batches of 100 per terminal")
    parser.add_argument("--rate", type=int, default=2000, help="orders/s of the paced load")
    parser.add_argument("--seconds", type=int, default=5, help="length of the paced load")
    parser.add_argument("--forward-window", type=float, default=15.0)
    parser.add_argument("--forward-orders", type=int, default=600)
    parser.add_argument("--forward-terminals", type=int, default=4)
    parser.add_argument("--forward-batch", type=int, default=25, help="KASIR_FORWARD_BATCH")
    parser.add_argument("--backlog-window", type=float, default=45.0, help="at most, per run")
    parser.add_argument("--only", choices=["sqlite", "postgresql", "forward"])
    args = parser.parse_args()
    if not 1 <= args.forward_orders // max(args.forward_terminals, 1) <= 500:
        parser.error("--forward-orders / --forward-terminals must be 1 to 500 (one request each)")
    with tempfile.TemporaryDirectory(prefix="kasir-bench-") as tmp:
        if args.only in (None, "forward"):
            (Path(tmp) / "forward").mkdir()
            forward_figure(Path(tmp) / "forward", args)
        if args.only == "forward":
            return 0
        if args.only != "postgresql":
            (Path(tmp) / "sqlite").mkdir()
            run("sqlite", Path(tmp) / "sqlite", args)
        if args.only == "sqlite":
            return 0
        url = os.environ.get("KASIR_BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL)
        if not postgres_reachable(url):
            print(f"postgresql: skipped, nothing answers at {url.split('@')[-1]}", flush=True)
            return 0
        schema = f"kasir_bench_{os.getpid()}"
        (Path(tmp) / "postgresql").mkdir()
        try:
            run("postgresql", Path(tmp) / "postgresql", args, postgres_schema(url, schema))
        finally:
            drop_postgres_schema(url, schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
