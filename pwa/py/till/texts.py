"""What the till says about sending sales: where each sale is (its hop: on this till, at the
relay, booked in Odoo, or held, failed or refused), the state of each sale that needs someone and
the messages after "Sync now", Retry and Export. Every text is looked up when it is said (`_`), in the
language in use then; the labels of the top bar are in `frame.top_bar`.

`counts` is what `Device.outbox_counts()` answers: a number per outbox state (pending, sent, posted,
failed, held, rejected) and `attention`, one {uuid, name, state, error, retryable} per item that
needs someone: rejected by the relay, failed in Odoo, or held for the manager; `waiting`, the
first sales at the relay that it says why it holds back.
"""

from __future__ import annotations

from typing import Any

from .i18n import _, _n

__all__ = [
    "ATTENTION",
    "attention",
    "attention_counts",
    "export_done",
    "export_failed",
    "hint",
    "hop",
    "import_done",
    "import_failed",
    "not_retryable",
    "not_waiting",
    "retry_result",
    "state_label",
    "sync_failed",
    "sync_result",
]

ATTENTION = ("rejected", "failed", "held")  # the order the cashier reads them in


def no_reason() -> str:
    return _("No reason given.")


def state_label(state: str) -> str:
    """What happened to a sale, as its line in the sync panel says."""
    labels = {
        "rejected": _("Rejected by the relay"),
        "failed": _("Failed in Odoo"),
        "held": _("Held for the manager"),
        "discarded": _("Discarded by the manager"),
    }
    return labels.get(state, state)


def _phrase(state: str, n: int) -> str:
    """One part of "need attention: ...", e.g. "1 held for the manager"."""
    if state == "rejected":
        return _("{n} rejected by the relay", n=n)
    if state == "failed":
        return _("{n} failed in Odoo", n=n)
    return _("{n} held for the manager", n=n)


def not_waiting() -> str:
    return _("That sale does not wait for a retry any more.")


def not_retryable(name: str) -> str:
    return _("{name} cannot be retried from the till; the manager decides on the relay.", name=name)


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
    """What the cashier (or the manager) can do about the item."""
    state = item_state(item)
    if state == "rejected":
        return _("Kept on this till. Remove the cause, then Retry sends the same sale again.")
    if state == "failed" and action(item) is None:
        return _("Kept on the relay; the manager retries it there once the cause is fixed.")
    if state == "failed":
        return _(
            "Kept on the relay; the manager retries it there. "
            "Ask again fetches its state from the relay."
        )
    if state == "held":
        return _("Kept on the relay until the manager approves or discards it.")
    if state == "discarded":
        return _("The manager discarded it on the relay; it will not reach Odoo.")
    return ""


def sync_result(counts: dict[str, Any]) -> tuple[str, str]:
    """(text, kind) after "Sync now" reached the relay. "All sales are in Odoo." only when every
    one is booked there; "All sales reached the relay; ..." when some still wait there for Odoo;
    otherwise what remains, e.g. "2 sales need attention: 1 rejected by the relay, 1 held for
    the manager."."""
    pending = _count(counts, "pending")
    waiting = _count(counts, "sent")
    need = attention_counts(counts)
    total = sum(need.values())
    if not pending and not total:
        if not waiting:
            return _("All sales are in Odoo."), "info"
        return (
            _n(
                "All sales reached the relay; {n} waits there for Odoo.",
                "All sales reached the relay; {n} wait there for Odoo.",
                waiting,
            ),
            "info",
        )
    parts = []
    if pending and counts.get("online") is False:
        parts.append(_("The relay cannot be reached."))
    if pending:
        parts.append(
            _n(
                "{n} sale not sent yet; it will be retried.",
                "{n} sales not sent yet; they will be retried.",
                pending,
            )
        )
    if total:
        detail = ", ".join(_phrase(state, n) for state, n in need.items() if n)
        parts.append(
            _n(
                "{n} sale needs attention: {detail}.",
                "{n} sales need attention: {detail}.",
                total,
                detail=detail,
            )
        )
    return " ".join(parts), "error" if total else "info"


def sync_failed(error: Any) -> str:
    return _("Sync failed ({error}). The sales are kept on this till and sent later.", error=error)


def retry_result(
    name: str, asked: str, now: dict[str, Any] | None, reached: bool
) -> tuple[str, str]:
    """(text, kind) after Retry (`asked` "rejected") or Ask again (`asked` "failed") of sale
    `name`; `now` is its attention item after the sync (None: it no longer needs attention)."""
    if not reached:
        return (
            _(
                "The relay cannot be reached; {name} is kept on this till and sent with the next "
                "sync.",
                name=name,
            ),
            "error",
        )
    if now is None:
        if asked == "failed":
            return _("{name} is back in the relay's queue for Odoo.", name=name), "info"
        return _("{name} was sent again and the relay accepted it.", name=name), "info"
    state, reason = item_state(now), now.get("error") or no_reason()
    if state == "rejected":
        return _("{name} was rejected again: {reason}", name=name, reason=reason), "error"
    if state == "held":
        return _("{name} is held for the manager: {reason}", name=name, reason=reason), "error"
    if state == "discarded":
        return f"{name}: {reason}", "error"
    return (
        _(
            "{name} still failed in Odoo ({reason}); the manager retries it on the relay.",
            name=name,
            reason=reason,
        ),
        "error",
    )


# The sign beside each hop state, so the state never rests on colour alone (the words say it).
HOP_ICONS = {
    "pending": "\u25cb",  # ○ on the tablet
    "sent": "\u2192",  # → at the relay
    "posted": "\u2713",  # ✓ booked
    "held": "\u23f8",  # ⏸ held
    "failed": "\u2717",  # ✗ failed
    "discarded": "\u2717",
    "rejected": "\u2298",  # ⊘ refused
}


def hop(state: Any) -> tuple[str, str, str]:
    """(state, icon, text) of where a sale is, from the outbox's word on it ({"state", "error",
    "odoo_name"}): saved on this till, at the relay (and why it waits there, when the relay said),
    booked in Odoo under Odoo's name, or held, failed or refused with the reason."""
    state = state if isinstance(state, dict) else {}
    kind = item_state(state) or "pending"
    reason = str(state.get("error") or "")
    if kind == "sent":
        text = _("At the relay · waiting: {reason}", reason=reason) if reason else _("At the relay")
    elif kind == "posted":
        name = state.get("odoo_name")
        text = _("Booked in Odoo · {name}", name=name) if name else _("Booked in Odoo")
    elif kind == "held":
        text = _("Held: {reason}", reason=reason or no_reason())
    elif kind in ("failed", "discarded"):
        text = _("Failed: {reason}", reason=reason or no_reason())
    elif kind == "rejected":
        text = _("Refused: {reason}", reason=reason or no_reason())
    else:
        kind, text = "pending", _("Saved on this till")
    return kind, HOP_ICONS[kind], text


def export_done(file: str, records: int) -> str:
    return _n(
        "Exported {n} record not in Odoo yet to {file}.",
        "Exported {n} records not in Odoo yet to {file}.",
        records,
        file=file,
    )


def export_failed(error: Any) -> str:
    return _("Export failed: {error}", error=error)


def import_done(answer: dict[str, Any]) -> str:
    """What an import did, from the relay's answer: "kasir-1: 3 new, 5 already here"."""
    text = _(
        "Imported {terminal}'s unsent records: {new} new, {duplicate} already here.",
        terminal=answer.get("terminal") or "?",
        new=int(answer.get("new") or 0),
        duplicate=int(answer.get("duplicate") or 0),
    )
    refused = int(answer.get("rejected") or 0)
    if refused:
        text += " " + _n(
            "{n} record was refused: the manager sees why on /admin.",
            "{n} records were refused: the manager sees why on /admin.",
            refused,
        )
    return text


def import_failed(error: Any) -> str:
    return _("Import refused: {error}", error=error)
