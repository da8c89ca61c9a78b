"""What the till says about sending sales: the sync indicator, its panel and the messages after
"Sync now", Retry and Export. Every such word lives here, so the message catalogs of a later issue
have one place to take them from.

`counts` is what `Device.outbox_counts()` answers: a number per outbox state (pending, sent, posted,
failed, held, rejected) and `attention`, one {uuid, name, state, error, retryable} per item that
needs someone: rejected by the relay, failed in Odoo, or held for the manager.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ATTENTION",
    "attention",
    "attention_counts",
    "export_done",
    "export_failed",
    "retry_result",
    "sync_failed",
    "sync_result",
]

ATTENTION = ("rejected", "failed", "held")  # the order the cashier reads them in

# The top bar and its panel.
UNSENT = "unsent"
FAILED_BADGE = "failed"  # failed in Odoo and rejected by the relay, counted together
HELD_BADGE = "held"
PANEL_TITLE = "Sales on this till"
PANEL_CLOSED_HINT = "Sending sales"
FAILED_HEADING = "Failed or rejected"
HELD_HEADING = "Held for the manager"
NO_REASON = "No reason given."
STATE_LABEL = {
    "rejected": "Rejected by the relay",
    "failed": "Failed in Odoo",
    "held": "Held for the manager",
    "discarded": "Discarded by the manager",
}
STATE_HINT = {
    "rejected": "Kept on this till. Remove the cause, then Retry sends the same sale again.",
    "failed": (
        "Kept on the relay; the manager retries it there. "
        "Ask again fetches its state from the relay."
    ),
    "failed-final": "Kept on the relay; the manager retries it there once the cause is fixed.",
    "held": "Kept on the relay until the manager approves or discards it.",
    "discarded": "The manager discarded it on the relay; it will not reach Odoo.",
}
RETRY = "Retry"
ASK_AGAIN = "Ask again"
RETRY_TITLE = "Send this sale to the relay again"
ASK_AGAIN_TITLE = "Ask the relay what became of this sale (the manager retries it there)"
NOT_WAITING = "That sale does not wait for a retry any more."
NOT_RETRYABLE = "{name} cannot be retried from the till; the manager decides on the relay."
EXPORT = "Export"
EXPORT_HINT = "Save every sale not in Odoo yet to a file."
COUNT_LINE = "{pending} unsent · {sent} waiting for Odoo · {posted} in Odoo"
SYNC_NOW = "Sync now"
ONLINE = "Online"
ONLINE_TITLE = "The relay answered the last sync"
OFFLINE = "Offline"
OFFLINE_TITLE = "Sales are kept on this device"

UNREACHABLE = "The relay cannot be reached."
PHRASE = {
    "rejected": "{n} rejected by the relay",
    "failed": "{n} failed in Odoo",
    "held": "{n} held for the manager",
}


def _sales(n: int) -> str:
    return f"{n} sale" if n == 1 else f"{n} sales"


def _count(counts: dict[str, Any], state: str) -> int:
    try:
        return int(counts.get(state) or 0)
    except (TypeError, ValueError):
        return 0


def attention(counts: dict[str, Any]) -> list[dict[str, Any]]:
    """The items that need someone, as dicts (anything else in the list is left out)."""
    return [item for item in counts.get("attention") or () if isinstance(item, dict)]


def attention_counts(counts: dict[str, Any]) -> dict[str, int]:
    """Rejected, failed and held, counted."""
    return {state: _count(counts, state) for state in ATTENTION}


DISCARDED_PREFIX = "discarded by the manager"  # the relay's reason for a manager's discard


def item_state(item: dict[str, Any]) -> str:
    """rejected, failed, held, or discarded (a failed item the manager gave up on)."""
    state = str(item.get("state") or "")
    if state == "failed" and str(item.get("error") or "").startswith(DISCARDED_PREFIX):
        return "discarded"
    return state


def action(item: dict[str, Any]) -> str | None:
    """What the till can do about an item: "retry" a rejected one (sent again, checked again),
    "ask" the relay again about one failed in Odoo that the relay calls retryable, or nothing
    (held, discarded, or failed for good: those are the manager's, on the relay)."""
    state = item_state(item)
    if state == "rejected":
        return "retry"
    if state == "failed" and item.get("retryable") is True:
        return "ask"
    return None


def hint(item: dict[str, Any]) -> str:
    state = item_state(item)
    if state == "failed" and action(item) is None:
        return STATE_HINT["failed-final"]
    return STATE_HINT.get(state, "")


def sync_result(counts: dict[str, Any]) -> tuple[str, str]:
    """(text, kind) after "Sync now" reached the relay. "All sales are sent." only when nothing
    is pending, rejected, failed or held; otherwise what remains, e.g. "2 sales need attention:
    1 rejected by the relay, 1 held for the manager."."""
    pending = _count(counts, "pending")
    need = attention_counts(counts)
    total = sum(need.values())
    if not pending and not total:
        return "All sales are sent.", "info"
    parts = []
    if pending and counts.get("online") is False:
        parts.append(UNREACHABLE)
    if pending:
        them = "it" if pending == 1 else "they"
        parts.append(f"{_sales(pending)} not sent yet; {them} will be retried.")
    if total:
        verb = "needs" if total == 1 else "need"
        detail = ", ".join(PHRASE[state].format(n=n) for state, n in need.items() if n)
        parts.append(f"{_sales(total)} {verb} attention: {detail}.")
    return " ".join(parts), "error" if total else "info"


def sync_failed(error: Any) -> str:
    return f"Sync failed ({error}). The sales are kept on this till and sent later."


def retry_result(
    name: str, asked: str, now: dict[str, Any] | None, reached: bool
) -> tuple[str, str]:
    """(text, kind) after Retry (`asked` "rejected") or Ask again (`asked` "failed") of sale
    `name`; `now` is its attention item after the sync (None: it no longer needs attention)."""
    if not reached:
        return (
            f"The relay cannot be reached; {name} is kept on this till and sent with the next sync.",
            "error",
        )
    if now is None:
        if asked == "failed":
            return f"{name} is back in the relay's queue for Odoo.", "info"
        return f"{name} was sent again and the relay accepted it.", "info"
    state, reason = item_state(now), now.get("error") or NO_REASON
    if state == "rejected":
        return f"{name} was rejected again: {reason}", "error"
    if state == "held":
        return f"{name} is held for the manager: {reason}", "error"
    if state == "discarded":
        return f"{name}: {reason}", "error"
    return f"{name} still failed in Odoo ({reason}); the manager retries it on the relay.", "error"


def export_done(file: str, records: int) -> str:
    what = "1 record" if records == 1 else f"{records} records"
    return f"Exported {what} not in Odoo yet to {file}."


def export_failed(error: Any) -> str:
    return f"Export failed: {error}"
