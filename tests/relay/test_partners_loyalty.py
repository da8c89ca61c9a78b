"""Each customer in the relay's partners feed carries their pricelist, fiscal position and loyalty
points "as of" their card's last write; a points change (which writes the card, not the customer)
brings the customer again; an Odoo without those fields or without pos_loyalty still mirrors.
The sandbox writes a card as Odoo 18 did (tests/fixtures/odoo18/partners_loyalty_card_write.json).
Real sandbox and relay processes, or the mirror against a sandbox served from this process."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from kasir import sandbox as sandbox_module
from kasir.config import OdooSettings
from kasir.journal import Journal
from kasir.mirror import Mirror
from kasir.odoo import OdooClient
from kasir.sandbox import seed
from kasir.sandbox.demo import (
    FISCAL_POSITION_BEBAS_PPN_ID,
    LOYALTY_PROGRAM_ID,
    MEMBER_PRICELIST_ID,
    PRICELIST_ID,
)
from processes import SANDBOX_DB, SANDBOX_KEY, SANDBOX_LOGIN, serve_in_thread, wait_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "odoo18"
SARI, BUDI, RINA = 11, 12, 13  # the demo's customers: Sari and Budi hold a card, Rina none
# The recorded Odoo's ids of the same roles (see the fixture's setup)
ODOO_IDS = {"card": 1, "partner": 10, "program": 2}


def feed(terminal, since: str = "0") -> tuple[dict[int, dict[str, Any]], str]:
    """The latest record of every customer in the feed after `since`, and the cursor."""
    records: dict[int, dict[str, Any]] = {}
    while True:
        page = terminal.get("/api/v1/partners", params={"since": since, "limit": 50}).json()
        records.update({record["id"]: record for record in page["items"]})
        since = page["cursor"]
        if not page["more"]:
            return records, since


def feed_with(terminal, partner_ids: set[int]) -> tuple[dict[int, dict[str, Any]], str]:
    """The whole feed once the mirror has these customers."""

    def there() -> tuple[dict[int, dict[str, Any]], str] | None:
        records, cursor = feed(terminal)
        return (records, cursor) if partner_ids <= records.keys() else None

    return wait_for(there, what=f"customers {sorted(partner_ids)} in the feed", timeout=20)


def card_of(sandbox, partner_id: int) -> dict[str, Any]:
    [card] = sandbox.rpc(
        "loyalty.card",
        "search_read",
        [[["partner_id", "=", partner_id]]],
        {"fields": ["id", "points", "write_date"]},
    )
    return card


def partner_stamp(sandbox, partner_id: int) -> str:
    [row] = sandbox.rpc(
        "res.partner", "read", [[partner_id]], {"fields": ["write_date"]}
    )  # fmt: skip
    return row["write_date"]


def iso(odoo_stamp: str) -> str:
    return odoo_stamp.replace(" ", "T") + "Z"


def test_the_feed_carries_points_pricelist_and_fiscal_position(sandbox, terminal) -> None:
    records, _ = feed_with(terminal, {SARI, BUDI, RINA})
    sari, budi, rina = records[SARI], records[BUDI], records[RINA]
    assert (sari["pricelist_id"], sari["fiscal_position_id"]) == (MEMBER_PRICELIST_ID, None)
    assert (budi["pricelist_id"], budi["fiscal_position_id"]) == (
        PRICELIST_ID,  # none of his own: Odoo gives the first pricelist
        FISCAL_POSITION_BEBAS_PPN_ID,
    )
    for partner_id, record, points in ((SARI, sari, "250"), (BUDI, budi, "40")):
        card = card_of(sandbox, partner_id)
        assert record["loyalty"] == [
            {"program_id": LOYALTY_PROGRAM_ID, "points": points, "as_of": iso(card["write_date"])}
        ]
    # no card: no points, as of the customer's own last write
    assert rina["loyalty"] == [
        {
            "program_id": LOYALTY_PROGRAM_ID,
            "points": "0",
            "as_of": iso(partner_stamp(sandbox, RINA)),
        }
    ]
    # the till can sell at Sari's pricelist: the register offers it
    bootstrap = terminal.get("/api/v1/bootstrap").json()
    assert MEMBER_PRICELIST_ID in {p["id"] for p in bootstrap["pricelists"]}


def test_a_card_written_brings_its_customer_again(sandbox, terminal) -> None:
    feed_with(terminal, {SARI})
    # a customer written a second later moves the customers' cursor past Sari's write_date
    time.sleep(1.1)
    made = sandbox.rpc("res.partner", "create", [{"name": "Pelanggan Baru"}])
    records, cursor = feed_with(terminal, {SARI, made})
    time.sleep(1.5)  # a mirror pass or more after it: nothing new
    assert feed(terminal, cursor)[0] == {}
    before = partner_stamp(sandbox, SARI)
    card = card_of(sandbox, SARI)
    assert (
        sandbox.rpc("loyalty.card", "write", [[card["id"]], {"points": Decimal("262.5")}]) is True
    )

    def again() -> dict[int, dict[str, Any]] | None:
        news, _ = feed(terminal, cursor)
        return news or None

    news = wait_for(again, what="Ibu Sari again after her card changed", timeout=20)
    assert list(news) == [SARI]  # her alone: the others' cards did not change
    written = card_of(sandbox, SARI)["write_date"]
    assert news[SARI]["loyalty"] == [
        {"program_id": LOYALTY_PROGRAM_ID, "points": "262.5", "as_of": iso(written)}
    ]
    assert {k: v for k, v in news[SARI].items() if k != "loyalty"} == {
        k: v for k, v in records[SARI].items() if k != "loyalty"
    }
    assert partner_stamp(sandbox, SARI) == before  # the customer was not written


def test_the_sandbox_writes_a_card_as_odoo_did(sandbox) -> None:
    """The recorded steps, with the demo's ids: the card's write_date moves, its customer's
    does not, and a search by the card's write_date finds it."""
    recorded = json.loads((FIXTURES / "partners_loyalty_card_write.json").read_text())["steps"]
    card = card_of(sandbox, SARI)
    ours_of = {ODOO_IDS["card"]: card["id"], ODOO_IDS["partner"]: SARI}
    ours_of[ODOO_IDS["program"]] = LOYALTY_PROGRAM_ID

    def ours(value: Any) -> Any:
        if isinstance(value, list):
            return [ours(v) for v in value]
        if isinstance(value, dict):
            return {k: ours(v) for k, v in value.items()}
        return ours_of.get(value, value) if isinstance(value, int) else value

    answers: list[Any] = []
    for step in recorded:
        call = step["call"]
        args = ours(call["args"])
        if call["method"] == "write":
            time.sleep(1.5)  # as recorded: write_date is read to the second
            args[1]["points"] = step["call"]["args"][1]["points"]
        elif "write_date" in json.dumps(args):
            args[0][1][2] = answers[0][0]["write_date"]  # since the first read, as recorded
        answers.append(sandbox.rpc(call["model"], call["method"], args, call["kwargs"]))
        odoo = step["answer"]
        assert type(answers[-1]) is type(odoo), step["what"]
        if isinstance(odoo, list):
            assert [set(row) for row in answers[-1]] == [set(row) for row in odoo], step["what"]
    card_before, partner_before, written, card_after, partner_after, found = answers
    recorded_answers = [step["answer"] for step in recorded]
    assert written is recorded_answers[2] is True
    assert card_after[0]["points"] == recorded_answers[3][0]["points"]
    assert card_after[0]["write_date"] > card_before[0]["write_date"]
    assert partner_after[0]["write_date"] == partner_before[0]["write_date"]
    assert card["id"] in [row["id"] for row in found]
    assert found[-1]["id"] == card["id"]  # ordered by write_date: the card just written last


# -- an Odoo without the customers' terms nor pos_loyalty's cards -----------------------------


@pytest.fixture
def bare_sandbox(tmp_path: Path, monkeypatch) -> Iterator[str]:
    """The demo served over 127.0.0.1 from this process, as an Odoo whose res.partner has no
    pricelist nor fiscal position and which has no loyalty.card (pos_loyalty not installed)."""
    store = sandbox_module.SandboxStore(str(tmp_path / "sandbox.db"))
    seed(store, products=5)
    partner = dict(sandbox_module.MODELS["res.partner"])
    for field in ("property_product_pricelist", "property_account_position_id"):
        partner.pop(field)
    monkeypatch.setitem(sandbox_module.MODELS, "res.partner", partner)
    monkeypatch.delitem(sandbox_module.MODELS, "loyalty.card")
    with serve_in_thread(sandbox_module.create_app(store)) as url:
        yield url


def test_an_odoo_without_the_fields_still_mirrors(bare_sandbox, tmp_path) -> None:
    journal = Journal(tmp_path / "kasir.db")
    settings = OdooSettings(
        url=bare_sandbox, db=SANDBOX_DB, login=SANDBOX_LOGIN, api_key=SANDBOX_KEY, version=18
    )
    client = OdooClient(settings)
    mirror = Mirror(journal, client, config_id=1)

    async def main() -> dict[str, Any]:
        try:
            return await mirror.refresh()
        finally:
            await client.aclose()

    counts = asyncio.run(main())
    records, _, _ = journal.partners_page(0, 100)
    by_id = {record["id"]: record for record in records}
    assert counts["partners"] == len(records) and {SARI, BUDI, RINA} <= by_id.keys()
    # nothing said about terms or points: the till keeps the sale's and says it does not know
    for record in by_id.values():
        assert not {"pricelist_id", "fiscal_position_id", "loyalty"} & record.keys(), record
    assert by_id[SARI]["barcode"] == "0420000000013"
    assert journal.bootstrap_etag() is not None
    journal.close()
