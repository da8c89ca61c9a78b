"""What a first install costs: a fresh profile opens the till, pairs, and waits until the service
worker has precached the build and the till is ready to scan. Counts the bytes that came over the
wire (encoded, headers included) for the page and the service worker alike, as Chromium reports
them (CDP's encodedDataLength, through Playwright); a copy from the HTTP cache costs nothing.

Used by tests/browser/test_first_install.py (the budget) and bench/install.py (the figures)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Request

from .helpers import READY_MS

BUDGET = 6_000_000  # bytes over the wire for a first install (issue 11)


@dataclass
class Install:
    wire: Counter[str]  # bytes per URL path, page and service worker together
    seconds: float  # from opening the page until the worker controls it, precache done

    @property
    def total(self) -> int:
        return sum(self.wire.values())


def first_install(context: BrowserContext, url: str) -> Install:
    """Open `url` (with ?pair=CODE) in a fresh profile and wait for a till ready to scan, its
    worker installed and in control (its install is the precache)."""
    finished: list[Request] = []

    def listen(request: Request) -> None:
        finished.append(request)

    context.on("requestfinished", listen)
    page = context.pages[0] if context.pages else context.new_page()
    started = time.monotonic()
    page.goto(url)
    # Ready (whatever screen it starts on: the day to open, a cashier to choose), then installed.
    page.wait_for_function("window.kasirReadyAt !== undefined", timeout=READY_MS)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=READY_MS)
    seconds = time.monotonic() - started
    context.remove_listener("requestfinished", listen)
    wire: Counter[str] = Counter()
    for request in finished:
        sizes = request.sizes()
        wire[urlsplit(request.url).path] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return Install(wire, seconds)
