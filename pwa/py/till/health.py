"""The tablet itself, as the cashier and the manager are told about it: whether the browser keeps
its storage, how full that storage is, a storage found cleared at pairing, and its clock.

The facts come with the outbox counts (`counts["device"]`, see static/js/boot.js): {persisted,
usage, quota, lost, clock}. The cashier sees warnings under the top bar (storage nearly full,
storage cleared, clock wrong); the settings panel tells the manager all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .actions import Actions
from .i18n import _, _n
from .views import button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = ["actions", "cleared_text", "notices", "panel"]

FULL = 0.8  # the share of the quota at which the storage is said to be nearly full
CLOCK_OFF_MS = 5 * 60 * 1000  # a clock further than this from the relay's is wrong


def _device(counts: dict[str, Any]) -> dict[str, Any]:
    device = counts.get("device")
    return device if isinstance(device, dict) else {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _size(count: float) -> str:
    """Bytes as people read them: "850 KB", "12.4 MB", "3.1 GB"."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count / 1e3:.0f} KB"


def _fullness(device: dict[str, Any]) -> tuple[float, float, float] | None:
    """(used, quota, share used) when the browser told both, else None."""
    used, quota = _number(device.get("usage")), _number(device.get("quota"))
    if used is None or not quota:
        return None
    return used, quota, used / quota


def _skew_minutes(device: dict[str, Any]) -> int | None:
    """How many minutes the tablet's clock is ahead of the relay's (negative: behind) when it is
    off by more than CLOCK_OFF_MS; None when it is right or not known."""
    clock = device.get("clock")
    skew = _number(clock.get("skew_ms")) if isinstance(clock, dict) else None
    if skew is None or abs(skew) <= CLOCK_OFF_MS:
        return None
    return round(skew / 60000)


def _clock_text(minutes: int) -> str:
    if minutes > 0:
        return _n(
            "This tablet's clock is {n} minute ahead of the relay's: its sales would carry a "
            "wrong time. Set the tablet's date and time.",
            "This tablet's clock is {n} minutes ahead of the relay's: its sales would carry a "
            "wrong time. Set the tablet's date and time.",
            minutes,
        )
    return _n(
        "This tablet's clock is {n} minute behind the relay's: its sales would carry a wrong "
        "time. Set the tablet's date and time.",
        "This tablet's clock is {n} minutes behind the relay's: its sales would carry a wrong "
        "time. Set the tablet's date and time.",
        -minutes,
    )


def cleared_text(lost: dict[str, Any]) -> str:
    """What a cleared storage means, said plainly: the records only the relay has now, and the
    number the next sale takes (never 1 again)."""
    return _n(
        "This till's storage was cleared: {n} record of this till is at the relay but no "
        "longer on this tablet (it is safe there). New sales continue from number {next}.",
        "This till's storage was cleared: {n} records of this till are at the relay but no "
        "longer on this tablet (they are safe there). New sales continue from number {next}.",
        int(lost.get("missing") or 0),
        next=int(lost.get("next") or 0),
    )


def notices(counts: dict[str, Any]) -> str:
    """The warnings the cashier must see, each until its cause is gone: storage cleared (until
    read), storage nearly full, clock wrong; "" when there is none."""
    device = _device(counts)
    rows = []
    lost = device.get("lost")
    if isinstance(lost, dict) and not lost.get("seen"):
        rows.append(
            f'<p id="storage-cleared">{e(cleared_text(lost))} '
            + button(e(_("Got it")), "storage-seen", id="storage-seen", cls="small")
            + "</p>"
        )
    full = _fullness(device)
    if full is not None and full[2] >= FULL:
        rows.append(
            f'<p id="storage-full">{e(_full_text(full))} '
            + e(_("Send the sales (Sync now) and tell the manager."))
            + "</p>"
        )
    minutes = _skew_minutes(device)
    if minutes is not None:
        rows.append(f'<p id="clock-wrong">{e(_clock_text(minutes))}</p>')
    if not rows:
        return ""
    return f'<div id="device-notices" class="device-notices" role="alert">{"".join(rows)}</div>'


def _full_text(full: tuple[float, float, float]) -> str:
    used, quota, share = full
    return _(
        "This tablet's storage is {percent}% full ({used} of {quota}).",
        percent=int(share * 100),
        used=_size(used),
        quota=_size(quota),
    )


def panel(counts: dict[str, Any]) -> str:
    """The settings panel's "This tablet" part, for the manager: storage kept or not, used and
    free, a cleared storage found at pairing, and the clock against the relay's."""
    device = _device(counts)
    persisted = device.get("persisted")
    kept = (
        _("Storage: kept (persistent)")
        if persisted is True
        else _("Storage: may be cleared by the browser (not persistent)")
        if persisted is False
        else _("Storage: not known yet whether the browser keeps it")
    )
    full = _fullness(device)
    usage = (
        _(
            "Used: {used} of {quota} ({percent}%)",
            used=_size(full[0]),
            quota=_size(full[1]),
            percent=f"{full[2] * 100:.1f}",
        )
        if full is not None
        else _("Used: not known (the browser does not tell)")
    )
    rows = [
        f'<p id="storage-kept" data-persisted="{e(str(persisted).lower())}">{e(kept)}</p>',
        f'<p id="storage-usage" class="{"bad" if full and full[2] >= FULL else ""}">{e(usage)}</p>',
    ]
    lost = device.get("lost")
    if isinstance(lost, dict):
        rows.append(
            f'<p id="storage-lost">{e(cleared_text(lost))} '
            f"{e(_('Found {when} UTC.', when=str(lost.get('at') or '')[:16].replace('T', ' ')))}</p>"
        )
    minutes = _skew_minutes(device)
    clock = device.get("clock")
    rows.append(
        f'<p id="clock-state">{e(_clock_text(minutes))}</p>'
        if minutes is not None
        else f'<p id="clock-state">{e(_("Clock: right (checked against the relay)"))}</p>'
        if isinstance(clock, dict)
        else f'<p id="clock-state">{e(_("Clock: not checked yet (the relay was not reached)"))}</p>'
    )
    return f"<h2>{e(_('This tablet'))}</h2>" + "".join(rows)


# -- what the notices' buttons do ------------------------------------------------------------------

actions = Actions()


@actions("storage-seen")
async def storage_seen(till: Till, data: dict[str, Any]) -> None:
    """The cashier read that the storage was cleared: the top bar stops saying it (the settings
    panel keeps it for the manager)."""
    await till.device.storage_seen()
    await till.update_counts()
