"""Garbage a terminal may send (issue 8): refused item by item with a message, never a 500.

Lone surrogates, control characters and bidi overrides in any text, nesting beyond a sane depth,
non-ASCII digits in amounts and ids, dates outside the relay's window, negative prices and
refunds that name nothing, uuids used twice in one order; and a body that is not UTF-8.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kasir import records
from kasir.records import RecordError, read_item
from processes import make_order
from register.cart import Cart
from register.catalog import Product
from register.refunds import RefundLedger
from register.shop import Shop
from test_order_check import BOOTSTRAP, GOOD, _relay

TERMINAL = "kasir-1"
NOW = datetime.now(UTC).isoformat()


def order(seq: int = 1) -> dict[str, Any]:
    return {**make_order(TERMINAL, seq, GOOD), "created_at": NOW}


def refused(item: Any) -> str:
    with pytest.raises(RecordError) as error:
        read_item(item, TERMINAL)
    message = str(error.value)
    message.encode("utf-8")  # stored in the journal and sent back as UTF-8
    return message


def send(relay: Any, *items: Any) -> dict[str, Any]:
    """Through Relay.accept_batch, as the JSON a terminal sends (\\ud83c escapes and all)."""
    answer = relay.accept_batch(TERMINAL, json.dumps({"items": list(items)}).encode())[0]
    json.dumps(answer, ensure_ascii=False).encode("utf-8")  # what the relay writes back
    return answer


# -- 1. a lone surrogate is one item's rejection, not the batch's 500 ----------------------------


def test_a_lone_surrogate_rejects_its_item_and_the_batch_is_stored(tmp_path) -> None:
    relay, journal = _relay(tmp_path)
    bad, good = order(1), order(2)
    bad["lines"][0]["full_product_name"] = "Es Teh \ud83c"
    answer = send(relay, bad, good)
    first, second = answer["results"]
    assert first["status"] == "rejected"
    assert first["error"] == (
        "text must be valid Unicode: lines[0].full_product_name holds a lone surrogate (U+D83C)"
    )
    assert second == {"uuid": good["uuid"], "status": "accepted"}
    assert journal.get(bad["uuid"]).state == "rejected"  # visible to the manager
    assert journal.get(good["uuid"]).state == "held"  # no shop yet: held, as any good sale
    journal.close()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda o: o.update(name="kasir-1-\udc00"), "name"),
        (lambda o: o["payments"][0].update(reference="\ud800"), "payments[0].reference"),
        (lambda o: o.update(note={"\udfff": 1}), "a key of note"),
        (lambda o: o.update(loyalty=[{"by": ["x", "\ud83c"]}]), "loyalty[0].by[1]"),
    ],
)
def test_a_lone_surrogate_anywhere_is_named(change, where) -> None:
    item = order()
    change(item)
    assert refused(item).startswith(f"text must be valid Unicode: {where} holds a lone surrogate")


def test_over_http_a_lone_surrogate_is_a_rejection_not_a_500(relay, terminal) -> None:
    bad, good = order(1), order(2)
    bad["lines"][0]["full_product_name"] = "Es Teh \ud83c"
    body = json.dumps({"items": [bad, good]}).encode()  # "Es Teh \\ud83c" on the wire
    answer = terminal.http.post("/api/v1/sync", content=body, headers=terminal.headers)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    assert "text must be valid Unicode" in results[0]["error"]
    # 5,000 nested lists: the parser's RecursionError is a 400, not a 500.
    deep = b"[" * 5000 + b"]" * 5000
    answer = terminal.http.post("/api/v1/sync", content=deep, headers=terminal.headers)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_json"


# -- 2. nesting ----------------------------------------------------------------------------------


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_a_body_nested_5000_deep_is_a_400(tmp_path) -> None:
    from kasir.app import ApiError

    relay, journal = _relay(tmp_path)
    with pytest.raises(ApiError) as error:
        relay.accept_batch(TERMINAL, b"[" * 5000 + b"]" * 5000)
    assert error.value.status == 400
    journal.close()


def test_an_item_nested_too_deep_is_rejected_alone(tmp_path) -> None:
    relay, journal = _relay(tmp_path)
    deep, good = {**order(1), "extra": nested(200)}, order(2)
    answer = send(relay, deep, good)
    assert answer["results"][0]["status"] == "rejected"
    assert answer["results"][0]["error"].endswith(
        f"is nested more than {records.MAX_DEPTH} levels deep"
    )
    assert answer["results"][0]["error"].startswith("extra[0][0]")
    assert answer["results"][1]["status"] == "accepted"
    assert journal.get(deep["uuid"]).state == "rejected"
    journal.close()


@pytest.mark.parametrize("depth", [600, 900, 960, 985])
def test_an_item_nested_near_the_parsers_limit_never_gives_a_500(tmp_path, depth) -> None:
    from kasir.app import ApiError

    relay, journal = _relay(tmp_path)
    deep, good = {**order(1), "extra": "HERE"}, order(2)
    # Written by hand: json.dumps itself runs out of stack at these depths.
    text = json.dumps({"items": [deep, good]})
    body = text.replace('"HERE"', "[" * depth + '"x"' + "]" * depth).encode()
    try:
        answer = relay.accept_batch(TERMINAL, body)[0]
    except ApiError as error:  # too deep for the parser here: the whole body is a 400
        assert error.status == 400
    else:
        assert [r["status"] for r in answer["results"]] == ["rejected", "accepted"]
        kept = journal.get(deep["uuid"])
        assert kept.state == "rejected" and "nested more than" in kept.error
    journal.close()


# -- 3. what no text, amount or id may hold ------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "words"),
    [
        ("\x00", "a control character (U+0000)"),
        ("\x1b", "a control character (U+001B)"),
        ("\x7f", "a control character (U+007F)"),
        ("\x85", "a control character (U+0085)"),
        ("\u202e", "a bidirectional override (U+202E)"),
        ("\u202a", "a bidirectional override (U+202A)"),
        ("\u2066", "a bidirectional override (U+2066)"),
        ("\u2069", "a bidirectional override (U+2069)"),
    ],
)
def test_control_characters_and_bidi_overrides_are_refused_in_any_text(char, words) -> None:
    item = order()
    item["lines"][0]["full_product_name"] = f"Es Teh{char}"
    assert refused(item) == f"lines[0].full_product_name holds {words}"
    item = order()
    item["order_discount"] = {"percent": "10", "reason": f"member{char}day", "by": "ani"}
    assert refused(item) == f"order_discount.reason holds {words}"
    partner = {
        "uuid": order()["uuid"],
        "kind": "partner",
        "terminal": TERMINAL,
        "seq": 3,
        "op": "create",
        "values": {"name": f"Budi{char}"},
    }
    assert refused(partner) == f"values.name holds {words}"


@pytest.mark.parametrize(
    "text", ["Es Teh 🍵", "Kopi\tSusu", "Jl. Merdeka\n12", "👨\u200d👩\u200d👧", "Rp\u00a0500"]
)
def test_ordinary_text_passes(text) -> None:
    item = order()
    item["lines"][0]["full_product_name"] = text
    assert read_item(item, TERMINAL)[:2] == (item["uuid"], "order")


@pytest.mark.parametrize("value", ["３５００", "٣٥٠٠", "3500\n", "३५००"])
def test_amounts_take_ascii_digits_only(value) -> None:
    item = order()
    item["lines"][0]["price_unit"] = value
    assert refused(item).startswith('lines[0].price_unit must be a decimal string such as "12500"')
    item = order()
    item["amount_total"] = value
    assert refused(item).startswith("amount_total must be a decimal string")


@pytest.mark.parametrize("version", ["٣-0123456789abcdef", "57 ", "x" * 65])
def test_catalog_version_is_the_relays_own_text(version) -> None:
    assert refused({**order(), "catalog_version": version}).startswith("catalog_version must be")


def test_created_at_takes_ascii_digits_only() -> None:
    item = {**order(), "created_at": "２０２６-11-23T20:41:05+00:00"}
    assert refused(item).startswith("created_at must be an ISO-8601 date and time")


def test_created_at_must_fall_in_the_relays_window() -> None:
    now = datetime.now(UTC)
    early = {**order(), "created_at": "2019-12-31T23:59:59+00:00"}
    assert refused(early) == (
        "created_at 2019-12-31T23:59:59+00:00 is before 2020-01-01: "
        "check the date and time of the till"
    )
    ahead = (now + records.MAX_CLOCK_AHEAD + timedelta(minutes=5)).isoformat()
    message = refused({**order(), "created_at": ahead})
    assert "is in the future" in message and "check the date and time of the till" in message
    for fine in ("2020-01-01T00:00:00+00:00", (now + timedelta(hours=12)).isoformat()):
        assert read_item({**order(), "created_at": fine}, TERMINAL)[1] == "order"
    assert datetime(2020, 1, 1, tzinfo=UTC) == records.EARLIEST_CREATED_AT


def test_a_negative_price_is_only_for_discount_and_reward_lines() -> None:
    item = order()
    item["lines"][0]["price_unit"] = "-3500"
    assert refused(item) == (
        "lines[0].price_unit is negative (-3500): only a discount or reward line may be; "
        "give money back with a refund"
    )
    item["lines"][0]["is_order_discount"] = True
    assert read_item(item, TERMINAL)[1] == "order"
    del item["lines"][0]["is_order_discount"]
    item["lines"][0]["is_reward_line"] = True
    assert read_item(item, TERMINAL)[1] == "order"


def test_a_refund_line_must_name_the_line_it_gives_back() -> None:
    item = order()
    item["lines"][0]["qty"] = "-1"
    assert refused(item) == (
        "lines[0].qty is negative but the line has no refunded_line_uuid: "
        "a refund must name the sold line it gives back"
    )
    item["lines"][0]["refunded_line_uuid"] = order()["lines"][0]["uuid"]
    assert read_item(item, TERMINAL)[1] == "order"


def test_an_unknown_product_is_not_refused() -> None:
    # A product deleted in Odoo since the sale is a fact: the shape check does not know the
    # catalog (Odoo's answer, or a held order, says what happens to it).
    item = order()
    item["lines"][0]["product_id"] = 987654321
    assert read_item(item, TERMINAL)[1] == "order"


def test_one_uuid_names_one_thing_in_an_order() -> None:
    item = order()
    item["lines"].append({**item["lines"][0]})
    assert refused(item) == "lines[2].uuid is not unique within the order: it is lines[0].uuid"
    item = order()
    item["lines"][1]["uuid"] = item["uuid"]
    assert refused(item) == "lines[1].uuid is not unique within the order: it is the order's uuid"
    item = order()
    item["payments"][0]["uuid"] = item["lines"][0]["uuid"]
    assert refused(item) == ("payments[0].uuid is not unique within the order: it is lines[0].uuid")
    item = order()
    item["lines"][0]["qty"] = "-2"
    item["lines"][0]["refunded_line_uuid"] = item["lines"][1]["uuid"]
    assert refused(item) == (
        "lines[0].refunded_line_uuid names this same order; "
        "a refund gives back a line of an earlier sale"
    )


def test_what_the_till_makes_still_passes() -> None:
    """Never stricter than the register: its discount lines (negative price) and its refunds
    (negative quantities, and a refunded discount line) pass the relay's checks and its
    recomputation."""
    shop = Shop.from_bootstrap(
        {**BOOTSTRAP, "config": {**BOOTSTRAP["config"], "discount_product_id": 900}}
    )
    now = datetime.now(UTC)
    cart = Cart(shop)
    cart.add(Product(id=101, name="Es Teh", list_price="3500", tax_ids=(1,)), 3)
    cart.add(Product(id=102, name="Nasi Goreng", list_price="16500", tax_ids=(1,)))
    cart.set_order_discount(10, reason="member day", by="ani")
    cart.add_payment(1, "50000")
    kw = {"terminal": TERMINAL, "session": 1, "created_at": now, "catalog_version": "57"}
    sale = cart.order_record(seq=1, **kw)
    assert any(Decimal(line["price_unit"]) < 0 for line in sale["lines"])
    assert read_item(sale, TERMINAL, shop)[:3] == (sale["uuid"], "order", 1)
    back = Cart(shop)
    back.refund_of(sale, {line["uuid"]: line["qty"] for line in sale["lines"]}, RefundLedger())
    back.add_payment(1, str(-back.totals().amount_total))
    refund = back.order_record(seq=2, **kw)
    assert all(Decimal(line["qty"]) < 0 for line in refund["lines"])
    assert read_item(refund, TERMINAL, shop)[:3] == (refund["uuid"], "order", 2)


# -- 4. a body that is not UTF-8 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "position"),
    [
        (b"\xff", 0),
        (b'{"items": ["\xc3"]}', 12),
        (b'{\x00"\x00\xe9', 4),  # json.loads(bytes) would call this utf-16-le
        ('{"a": "é"}'.encode("utf-16"), 0),
    ],
)
def test_decode_body_names_the_first_bad_byte(body, position) -> None:
    with pytest.raises(ValueError) as error:
        records.decode_body(body)
    assert str(error.value) == f"the body is not UTF-8: invalid byte at position {position}"


def test_decode_body_passes_utf8() -> None:
    assert records.decode_body('{"name": "Es Teh 🍵"}'.encode()) == '{"name": "Es Teh 🍵"}'
    assert records.decode_body(b'"\\ud83c"') == '"\\ud83c"'  # an escape is text; JSON reads it


# -- 5. any JSON in any field: a record or a RecordError, nothing else ---------------------------

ODD = ["\ud83c", "\udfff", "\x00", "\x1b", "\x85", "\u202e", "\u2067", "３", "٣", "\t", "\n"]
# Joined by hand: st.text drops lone surrogates from its alphabet.
TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(ODD)), max_size=12).map("".join)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("1e999999"), 2**53, 2**53 + 1, -1, 0]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.one_of(
    st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=8,
    ),
    st.integers(min_value=15, max_value=60).map(nested),
    st.sampled_from(["3500", "-3500", "３５００", "0", "2019-01-01T00:00:00+00:00", NOW]),
)
SHOP = Shop.from_bootstrap(BOOTSTRAP)


def _bases() -> list[dict[str, Any]]:
    sale = order()
    partner = {
        "uuid": order()["uuid"],
        "kind": "partner",
        "terminal": TERMINAL,
        "seq": 2,
        "op": "update",
        "id": 7,
        "values": {"name": "Budi", "email": "budi@example.com", "phone": "+62 812"},
    }
    return [sale, partner]


BASES = _bases()


@st.composite
def mangled(draw: st.DrawFn) -> dict[str, Any]:
    """A good record with 1 to 3 fields (or new keys) set to any JSON value."""
    record = copy.deepcopy(draw(st.sampled_from(BASES)))
    if record["kind"] == "order":
        inner = [*record["lines"], *record["payments"]]
    else:
        inner = [record["values"]]
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from([record, *inner]))
        key = draw(st.one_of(st.sampled_from(sorted(target)), TEXT))
        changes.append((target is record, target, key, draw(VALUES)))
    # Inner objects first, so each change lands in the record (not in a line replaced since).
    for _, target, key, value in sorted(changes, key=lambda change: change[0]):
        target[key] = value
    return record


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_any_value_in_any_field_is_a_record_or_a_record_error(record) -> None:
    for shop in (None, SHOP):
        try:
            uuid, kind, seq, body = read_item(record, TERMINAL, shop)
        except RecordError as error:
            assert str(error).encode("utf-8") and len(str(error)) < 2000
            continue
        assert body == records.canonical(record)
        assert len(body.encode("utf-8")) <= records.MAX_RECORD_BYTES
        assert json.loads(body) == json.loads(json.dumps(record))
        assert (uuid, kind, seq) == (record["uuid"], record["kind"], record["seq"])


def test_the_good_bases_pass() -> None:
    for base in BASES:
        assert read_item(base, TERMINAL)[0] == base["uuid"]
