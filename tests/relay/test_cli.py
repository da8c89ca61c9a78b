"""The `kasir` command as a person runs it: demo, terminals, and a clear error without Odoo."""

from __future__ import annotations

import re
import time

import httpx
from processes import KasirProcess, TerminalClient, free_port, kasir


def test_serve_without_odoo_settings_says_what_is_missing(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = kasir("serve", "--db", str(tmp_path / "k.db"), env=env)
    assert done.returncode == 2
    assert "KASIR_ODOO_URL" in done.stderr and "KASIR_ODOO_API_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_terminal_add_and_list(tmp_path) -> None:
    db = str(tmp_path / "k.db")
    added = kasir("terminal", "add", "kasir-3", "--db", db)
    assert added.returncode == 0
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", added.stdout.strip().splitlines()[-1])
    listed = kasir("terminal", "list", "--db", db)
    assert "kasir-3" in listed.stdout and "waiting for pairing" in listed.stdout
    bad = kasir("terminal", "add", "no/slash", "--db", db)
    assert bad.returncode == 2 and "terminal name" in bad.stderr


def test_demo_runs_sandbox_and_relay_in_one_process(tmp_path, order_factory) -> None:
    port = free_port()
    demo = KasirProcess(
        ["demo", "--port", str(port), "--var", str(tmp_path / "var"), "--products", "30"],
        port=port,
        log_path=tmp_path / "demo.log",
    ).start()
    try:
        deadline = time.monotonic() + 10
        while not (found := re.search(r"kasir is running: (\S+)\?pair=(\S+)", demo.log())):
            assert time.monotonic() < deadline, demo.log()
            time.sleep(0.05)
        assert found.group(1) == f"http://127.0.0.1:{port}/"
        paired = httpx.post(f"{demo.url}/api/v1/pair", json={"code": found.group(2)}, timeout=5)
        assert paired.json()["terminal"] == "kasir-1"
        client = TerminalClient(demo, "kasir-1", paired.json()["token"])
        order = order_factory("kasir-1", 1, [(1, "3500", 1)])
        client.sync([order])
        assert client.wait_settled([order["uuid"]])[order["uuid"]]["status"] == "posted"
        client.http.close()
        demo.stop()
        assert demo.process.returncode == 0, demo.log()
    finally:
        demo.kill()
