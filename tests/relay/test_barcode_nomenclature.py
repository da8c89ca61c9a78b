"""The company's barcode nomenclature reaches the tills: the mirror reads it as recorded from real
Odoo 18 (tests/fixtures/odoo18), the bootstrap carries it, and a till reads scale labels with it."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from kasir import odoo_mapping as mapping
from kasir.journal import Journal
from kasir.mirror import Mirror
from kasir.sandbox.demo import PRICED_BARCODE, WEIGHED_BARCODE
from processes import TerminalClient, pair, wait_for
from register.barcodes import Nomenclature
from register.shop import Shop

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "odoo18"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


class RecordedOdoo:
    """Answers the nomenclature reads with Odoo 18's recorded answers, and keeps the calls."""

    def __init__(self) -> None:
        self.recorded = {
            (f["call"]["model"], f["call"]["method"]): f
            for f in map(load, sorted(p.name for p in FIXTURES.glob("*barcode_*.json")))
            if "call" in f
        }
        self.calls: list[tuple[str, str, list[Any], dict[str, Any]]] = []

    async def execute_kw(self, model: str, method: str, args: list, kwargs: dict) -> Any:
        self.calls.append((model, method, args, kwargs))
        return self.recorded[(model, method)]["answer"]

    async def search_read(self, model: str, domain: list, fields: list, **kwargs: Any) -> Any:
        self.calls.append((model, "search_read", [domain], {"fields": fields, **kwargs}))
        return self.recorded[(model, "search_read")]["answer"]


def test_the_mirror_reads_the_companys_nomenclature_as_recorded(tmp_path: Path) -> None:
    [company] = load("search_read_res_company_nomenclature.json")["answer"]
    odoo = RecordedOdoo()
    journal = Journal(tmp_path / "kasir.db")
    try:
        mirror = Mirror(journal, odoo)  # type: ignore[arg-type]
        nomenclature, rules = asyncio.run(mirror._nomenclature(company))
    finally:
        journal.close()
    # The very calls the fixtures hold (after fields_get, as for every model the mirror reads).
    reads = [call for call in odoo.calls if call[1] == "search_read"]
    assert reads == [
        (f["call"]["model"], "search_read", f["call"]["args"], f["call"]["kwargs"])
        for f in (
            odoo.recorded[("barcode.nomenclature", "search_read")],
            odoo.recorded[("barcode.rule", "search_read")],
        )
    ]
    record = mapping.nomenclature_record(nomenclature, rules)
    assert record is not None and record["upc_ean_conv"] == "always"
    assert [rule["sequence"] for rule in record["rules"]] == sorted(r["sequence"] for r in rules)
    label = Nomenclature.from_bootstrap(record).parse("2100003012340")
    # What Odoo itself answered for that label (parse_barcode.json).
    [case] = [
        case
        for case in load("parse_barcode.json")["cases"]
        if case["call"]["args"] == [[1], "2100003012340"]
    ]
    assert (label.type, label.value, label.base_code) == (
        case["answer"]["type"],
        case["answer"]["value"],
        case["answer"]["base_code"],
    )


def test_no_nomenclature_or_a_gs1_one_gives_the_tills_plain_barcodes_only() -> None:
    [row] = load("search_read_barcode_nomenclature.json")["answer"]
    rules = load("search_read_barcode_rule.json")["answer"]
    assert mapping.nomenclature_record(None, []) is None
    assert mapping.nomenclature_record({**row, "is_gs1_nomenclature": True}, rules) is None
    document = mapping.nomenclature_record(row, rules)
    assert document is not None and len(document["rules"]) == len(rules)


def test_the_bootstrap_carries_the_shops_rules_and_a_till_reads_labels(relay) -> None:
    client = TerminalClient(relay, *pair(relay, "kasir-1"))
    try:
        answer = wait_for(
            lambda: (r := client.get("/api/v1/bootstrap")).status_code == 200 and r,
            "the first mirror",
        )
    finally:
        client.http.close()
    bootstrap = answer.json()
    rules = bootstrap["barcode_nomenclature"]["rules"]
    assert {rule["type"]: rule["pattern"] for rule in rules}["price"] == "23.....{NNNNN}"
    nomenclature = Shop.from_bootstrap(bootstrap).nomenclature
    assert nomenclature is not None
    weight = nomenclature.parse("2100003007506")
    assert (weight.type, weight.value, weight.base_code) == (
        "weight",
        Decimal("0.750"),
        WEIGHED_BARCODE,
    )
    price = nomenclature.parse("2300004185009")
    assert (price.type, price.value, price.base_code) == ("price", Decimal(18500), PRICED_BARCODE)
