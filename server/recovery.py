"""Recovery files: a terminal's unsent records, exported as one checksummed file (the till's sync
panel, or its boot error screen), brought to the relay by another paired terminal or on /admin.

The records stay the ORIGINAL terminal's: its name, its seqs, its uuids. They go through the very
path `POST /api/v1/sync` uses (`Relay.accept_items`), as if that terminal had sent them, so the
journal deduplicates them by uuid: importing a file twice, or one whose records already arrived,
changes nothing and says so ("3 new, 5 already here"), and the original terminal coming back
online later gets `duplicate` for each. The file is never queued in the importing terminal's own
outbox: its seqs are not that terminal's, and its sales were not rung up there.

A file holds `sha256`, the SHA-256 of its canonical body (every member but `sha256` and `seal`,
as `records.canonical` writes it), which finds a file damaged on its way; and `seal`, an
HMAC-SHA256 of the same body keyed with the sha256 of the exporting terminal's token, which only
that terminal and this relay can make. A terminal's token must never let it write sales under
another terminal's name (`records.read_item` refuses that on /sync), so a terminal may import
only a file sealed by the original terminal as this relay knows it now. The manager's token vouches
for what it uploads on /admin: a file whose terminal was paired again since (its seal made with an
older token) is accepted there, when it names this relay's shop. A file from another relay names a
pairing this relay never made (`terminal.id`) and is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import auth, records

log = logging.getLogger("kasir.recovery")

FORMAT = "kasir-unsent-records"
VERSION = 1
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_RECORDS = 5000
HEX64 = frozenset("0123456789abcdef")
UNSEALED = ("sha256", "seal")  # the members the checksum and the seal do not cover


class RecoveryError(ValueError):
    """The file is refused: the HTTP status, a stable code, and the reason for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class RecoveryFile:
    """A file whose format and checksum are right: who made it, and its records."""

    terminal: str
    pairing: str | None  # terminal.id: which pairing of that terminal made it
    shop: dict[str, Any]
    records: list[Any]
    body: str  # the canonical body the checksum and the seal cover
    seal: str | None


def body_of(document: dict[str, Any]) -> str:
    """The canonical body of a file: what `sha256` and `seal` are computed over."""
    return records.canonical({k: v for k, v in document.items() if k not in UNSEALED})


def pairing_id(token_sha256: str) -> str:
    """A pairing's public id: the sha256 of the token's sha256, cut to 16 hex digits. It names
    the pairing in a file without carrying the seal's key."""
    return hashlib.sha256(token_sha256.encode("ascii")).hexdigest()[:16]


def seal(token_sha256: str, body: str) -> str:
    return hmac.new(token_sha256.encode("ascii"), body.encode("utf-8"), hashlib.sha256).hexdigest()


def _hex64(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX64


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (RFC 8259), and a till never writes them."""
    raise ValueError(f"{name} is not a JSON value")


def read_file(raw: bytes) -> RecoveryFile:
    """Parse and verify a file: size, JSON, format and version, checksum, shape."""
    if len(raw) > MAX_FILE_BYTES:
        raise RecoveryError(
            413, "too_large", f"a recovery file may be at most {MAX_FILE_BYTES // 2**20} MB"
        )
    try:
        text = records.decode_body(raw.removeprefix(b"\xef\xbb\xbf"))
        # Read twice: as written, for the checksum, and with exact decimals, as /sync reads.
        document = json.loads(text, parse_constant=_no_constant)
        exact = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise RecoveryError(
            400, "malformed_file", f"this is not a kasir export: it is not valid JSON ({error})"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RecoveryError(
            422, "wrong_format", f'this is not a kasir export of unsent records (format "{FORMAT}")'
        )
    if document.get("version") != VERSION:
        raise RecoveryError(
            422,
            "wrong_version",
            f"this export is version {_shown(document.get('version'))}; "
            f"this relay reads version {VERSION}",
        )
    body = body_of(document)
    given = document.get("sha256")
    if not _hex64(given) or not hmac.compare_digest(
        given, hashlib.sha256(body.encode("utf-8")).hexdigest()
    ):
        raise RecoveryError(
            422,
            "checksum_mismatch",
            "the file's checksum does not match its content: it was changed or damaged after "
            "the export; export it again from the till",
        )
    terminal = document.get("terminal")
    name = terminal.get("name") if isinstance(terminal, dict) else None
    pairing = terminal.get("id") if isinstance(terminal, dict) else None
    items = exact.get("records")
    if not isinstance(name, str) or not auth.TERMINAL_NAME.match(name):
        raise RecoveryError(
            422, "bad_shape", f"the file names no terminal of kasir's (name {_shown(name)})"
        )
    if not isinstance(items, list):
        raise RecoveryError(422, "bad_shape", 'the file has no "records" list')
    if len(items) > MAX_RECORDS:
        raise RecoveryError(
            413, "too_many_records", f"a recovery file may hold at most {MAX_RECORDS} records"
        )
    shop = document.get("shop")
    sealed = document.get("seal")
    return RecoveryFile(
        name,
        pairing if isinstance(pairing, str) else None,
        shop if isinstance(shop, dict) else {},
        items,
        body,
        sealed if _hex64(sealed) else None,
    )


def check_origin(
    file: RecoveryFile,
    secret: str | None,
    shop: dict[str, Any] | None,
    *,
    by_manager: bool,
) -> bool:
    """Whether the file may be accepted here, else RecoveryError with the reason: `secret` is the
    sha256 of the original terminal's token ("" not paired now, None no such terminal), `shop`
    this relay's {"company_id", "config_id"} (None before the first mirror). True when the seal
    proves the file was made by that terminal as this relay knows it now."""
    if secret is None:
        raise RecoveryError(
            422,
            "unknown_terminal",
            f"{file.terminal} is not a terminal of this relay: the file comes from another relay",
        )
    for key in ("company_id", "config_id"):
        mine, theirs = (shop or {}).get(key), file.shop.get(key)
        if mine is not None and theirs is not None and mine != theirs:
            raise RecoveryError(
                422,
                "other_shop",
                f"the file comes from another shop ({key} {_shown(theirs)}, "
                f"this relay's is {mine})",
            )
    current = bool(secret) and file.pairing == pairing_id(secret)
    if current:
        if file.seal is None or not hmac.compare_digest(file.seal, seal(secret, file.body)):
            raise RecoveryError(
                422,
                "bad_seal",
                f"the file's seal is not {file.terminal}'s: it was not made by that till",
            )
        return True
    if by_manager:
        return False
    raise RecoveryError(
        403,
        "other_pairing",
        f"the file was made by another pairing of {file.terminal} (another relay's, or "
        f"{file.terminal} was paired again since): only a manager can upload it, on /admin",
    )


def summary(terminal: str, results: list[dict[str, Any]], sealed: bool) -> dict[str, Any]:
    """What an import did: {terminal, records, new, duplicate, rejected, sealed, results}."""
    count = {
        status: sum(1 for r in results if r["status"] == status)
        for status in ("accepted", "duplicate", "rejected")
    }
    return {
        "terminal": terminal,
        "records": len(results),
        "new": count["accepted"],
        "duplicate": count["duplicate"],
        "rejected": count["rejected"],
        "sealed": sealed,
        "results": results,
    }


def shop_of(bootstrap: str | None) -> dict[str, Any] | None:
    """This relay's shop as a file names it ({"company_id", "config_id"}), from the mirrored
    bootstrap's text; None before the first mirror."""
    if not bootstrap:
        return None
    document = json.loads(bootstrap)
    return {
        "company_id": (document.get("company") or {}).get("id"),
        "config_id": (document.get("config") or {}).get("id"),
    }


def accept(relay: Any, raw: bytes, *, by: str, by_manager: bool) -> tuple[dict[str, Any], int]:
    """Import a file on the relay (`Relay`): verified, then its records accepted as the original
    terminal's through `Relay.accept_items`, deduplicated by uuid. `by` is who brought it (the
    importing terminal, or the manager), for the log. Returns (summary, number newly queued);
    RecoveryError with the reason when the file is refused."""
    file = read_file(raw)
    stored = relay.db.bootstrap()
    sealed = check_origin(
        file,
        relay.db.terminal_secret(file.terminal),
        shop_of(stored[0] if stored else None),
        by_manager=by_manager,
    )
    answer, queued = relay.accept_items(file.terminal, file.records)
    result = summary(file.terminal, answer["results"], sealed)
    log.info(
        "recovery file imported",
        extra={
            "terminal": file.terminal,
            "by": by,
            "records": result["records"],
            "new": result["new"],
            "duplicate": result["duplicate"],
            "rejected": result["rejected"],
            "sealed": sealed,
        },
    )
    return result, queued
