"""The frame around every screen: the top bar with the sync indicator, the message area, the
keyboard help and the page that holds them; and the screens without a sale (pairing, loading).

Apart from the screens because it is drawn around each of them, whatever the screen is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from register.errors import RegisterError

from . import texts
from .actions import Actions
from .forms import Form, in_field, typed
from .i18n import _, _n
from .views import Flash, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = [
    "actions",
    "flash_box",
    "help_overlay",
    "loading_screen",
    "page",
    "pair_screen",
    "top_bar",
]


def _attention_item(item: dict[str, Any]) -> str:
    """One rejected, failed or held sale: its name, what happened, the reason and what to do."""
    state = texts.item_state(item)
    uuid = item.get("uuid") or ""
    action = ""
    if texts.action(item) == "retry":
        action = button(
            e(_("Retry")),
            "retry-sale",
            uuid,
            cls="small retry-sale",
            title=_("Send this sale to the relay again"),
        )
    elif texts.action(item) == "ask":
        action = button(
            e(_("Ask again")),
            "retry-sale",
            uuid,
            cls="small ask-again",
            title=_("Ask the relay what became of this sale (the manager retries it there)"),
        )
    return (
        f'<li class="outbox-item state-{e(state)}" data-uuid="{e(uuid)}" data-state="{e(state)}">'
        f'<div class="oi-head"><strong class="oi-name">{e(item.get("name") or uuid)}</strong>'
        f'<span class="oi-state">{e(texts.state_label(state))}</span></div>'
        f'<p class="oi-reason">{e(item.get("error") or texts.no_reason())}</p>'
        f'<p class="oi-hint">{e(texts.hint(item))}</p>'
        f"{action}</li>"
    )


def top_bar(
    shop_name: str,
    terminal: str | None,
    counts: dict[str, Any],
    *,
    panel_open: bool = False,
    settings: str = "",
    cashier: str = "",
    banner: str = "",
) -> str:
    """Shop, terminal, network hint and the sync indicator: unsent (on this till), at the relay
    (accepted, not booked yet), failed/rejected and held counts, each apart; "All in Odoo" only
    when none of those is left; a panel listing each sale that needs someone with its reason
    (Retry / Ask again), the sales the relay says why it holds back, Export and Import of
    unsent records (a recovery file); "Sync now";
    then the `settings` panel (`till.settings`); `cashier` is who is at the till, with Switch
    (`till.cashiers`); `banner`, a row of its own under them (`till.takeover`)."""
    pending = int(counts.get("pending") or 0)
    at_relay = int(counts.get("sent") or 0)
    need = texts.attention_counts(counts)
    bad = need["failed"] + need["rejected"]
    held = need["held"]
    items = texts.attention(counts)
    online = counts.get("online")
    net = ""
    if online is True:
        net = (
            f'<span class="net online" title="{e(_("The relay answered the last sync"))}">'
            f"{e(_('Online'))}</span>"
        )
    elif online is False:
        net = (
            f'<span class="net offline" title="{e(_("Sales are kept on this device"))}">'
            f"{e(_('Offline'))}</span>"
        )
    unsent_cls = "unsent has-unsent" if pending else "unsent"
    badges = ""
    if bad:
        badges += (
            f'<span class="badge badge-failed"><span id="failed-count" data-count="{bad}">{bad}</span>'
            f" {e(_('failed'))}</span>"
        )
    if held:
        badges += (
            f'<span class="badge badge-held"><span id="held-count" data-count="{held}">{held}</span>'
            f" {e(_('held'))}</span>"
        )
    if not badges and (pending or at_relay or "pending" not in counts):
        badges = f'<span class="badge badge-plain">{e(_("Sending sales"))}</span>'
    elif not badges and "pending" in counts:  # counted, and every sale is booked in Odoo
        badges = f'<span class="badge badge-done" id="all-in-odoo">{e(_("All in Odoo"))}</span>'
    sections = ""
    if bad:
        rows = "".join(
            _attention_item(i) for i in items if i.get("state") in ("failed", "rejected")
        )
        sections += (
            f"<h2>{e(_('Failed or rejected'))}</h2>"
            f'<ul class="failed-reasons">{rows or f"<li>{e(texts.no_reason())}</li>"}</ul>'
        )
    if held:
        rows = "".join(_attention_item(i) for i in items if i.get("state") == "held")
        sections += (
            f"<h2>{e(_('Held for the manager'))}</h2>"
            f'<ul class="held-reasons">{rows or f"<li>{e(texts.no_reason())}</li>"}</ul>'
        )
    waiting = [i for i in counts.get("waiting") or () if isinstance(i, dict)]
    if waiting:
        rows = "".join(
            f'<li class="outbox-item state-sent" data-uuid="{e(i.get("uuid"))}">'
            f'<strong class="oi-name">{e(i.get("name") or i.get("uuid"))}</strong>'
            f'<p class="oi-reason">{e(i.get("error"))}</p></li>'
            for i in waiting
        )
        sections += (
            f"<h2>{e(_('Waiting at the relay'))}</h2>"
            f'<p class="oi-hint">{e(_("The relay keeps them and sends them to Odoo by itself."))}</p>'
            f'<ul class="waiting-reasons">{rows}</ul>'
        )
    count_line = _(
        "{pending} unsent · {sent} waiting for Odoo · {posted} in Odoo",
        pending=pending,
        sent=int(counts.get("sent") or 0),
        posted=int(counts.get("posted") or 0),
    )
    title = _("Sales on this till")
    panel_cls = "sync-panel" + (" failed" if bad else "") + (" held" if held else "")
    panel = (
        f'<details id="sync-panel" class="{panel_cls}"{" open" if panel_open else ""}>'
        f'<summary data-action="sync-panel" title="{e(title)}">{badges}</summary>'
        f'<div class="sync-panel-body"><strong class="sync-panel-title">{e(title)}</strong>'
        f'<p class="sync-counts">{e(count_line)}</p>'
        f"{sections}"
        '<div class="sync-export">'
        + button(e(_("Export unsent records")), "export-outbox", id="export-outbox", cls="small")
        + f"<span>{e(_('Save every sale not in Odoo yet to a file.'))}</span></div>"
        '<div class="sync-export sync-import">'
        f'<label for="import-records">{e(_("Import unsent records"))}</label>'
        '<input type="file" id="import-records" accept=".json,application/json"'
        ' data-import="import-records">'
        f"<span>{e(_('Send the file another till exported to the relay, as that till.'))}</span>"
        "</div></div></details>"
    )
    return (
        '<header class="topbar">'
        f'<div class="who"><span class="shop-name">{e(shop_name or "kasir")}</span>'
        + (f'<span class="terminal">{e(terminal)}</span>' if terminal else "")
        + (f'<span class="cashier">{cashier}</span>' if cashier else "")
        + "</div>"
        '<div class="sync-status">'
        f"{net}"
        f'<span class="{unsent_cls}"><span id="pending-count" data-count="{pending}">{pending}</span>'
        f" {e(_('unsent'))}</span>"
        + (
            f'<span class="at-relay" title="{e(_("Accepted by the relay, not in Odoo yet"))}">'
            f'<span id="relay-count" data-count="{at_relay}">{at_relay}</span>'
            f" {e(_('at the relay'))}</span>"
            if at_relay
            else ""
        )
        + f"{panel}"
        + button(e(_("Sync now")), "sync", id="sync-now", cls="ghost")
        + button(e(_("Keys")), "help", id="keys-help", cls="ghost", aria_keyshortcuts="F1")
        + settings
        + "</div>"
        + banner
        + "</header>"
    )


def flash_box(flash: Flash | None) -> str:
    """The message area; always present so scripts and tests can find #flash."""
    if flash is None:
        return '<div id="flash" class="flash" role="status" aria-live="polite" hidden></div>'
    role = "alert" if flash.kind == "error" else "status"
    return (
        f'<div id="flash" class="flash flash-{e(flash.kind)}" role="{role}" aria-live="polite">'
        f"{e(flash.text)}</div>"
    )


def _shortcuts() -> list[tuple[str, str]]:
    """The keyboard shortcuts keys.js handles, as the help lists them."""
    arrows = "<kbd>&larr;</kbd> <kbd>&rarr;</kbd> <kbd>&uarr;</kbd> <kbd>&darr;</kbd>"
    return [
        ("<kbd>F1</kbd> <kbd>?</kbd>", _("Show or hide these keys")),
        ("<kbd>F2</kbd>", _("Search products")),
        ("<kbd>F9</kbd>", _("Pay")),
        ("<kbd>F8</kbd>", _("Pay the exact amount in cash")),
        ("<kbd>F12</kbd> <kbd>Ctrl</kbd>+<kbd>Enter</kbd>", _("Validate the payment")),
        ("<kbd>F4</kbd>", _("New sale (on the receipt)")),
        ("<kbd>F3</kbd>", _("Choose the customer")),
        ("<kbd>F6</kbd>", _("Park the sale")),
        ("<kbd>Esc</kbd>", _("Close the editor or panel, or go back to the sale")),
        (arrows, _("Move between products or categories")),
    ]


def help_overlay() -> str:
    """The keyboard shortcuts, as a modal dialog over the screen (F1, ?, or the Keys button)."""
    rows = "".join(f"<dt>{keys}</dt><dd>{e(text)}</dd>" for keys, text in _shortcuts())
    return (
        '<div class="help-backdrop">'
        '<section id="help" class="help card" role="dialog" aria-modal="true"'
        ' aria-labelledby="help-title">'
        f'<h2 id="help-title">{e(_("Keyboard shortcuts"))}</h2>'
        f'<dl class="keys">{rows}</dl>'
        + button(
            e(_("Close")),
            "help",
            id="help-close",
            cls="primary",
            autofocus=True,
            aria_keyshortcuts="Escape",
        )
        + "</section></div>"
    )


def page(
    top: str,
    body: str,
    flash: Flash | None,
    screen: str,
    *,
    help_open: bool = False,
    overlay: str = "",
) -> str:
    """The whole of #app: top bar, message and one screen; the keys help over it, when open, or
    `overlay` (a dialog such as a manager's PIN).

    Under the dialog the screen is inert, so Tab stays in it and its field takes the focus.
    """
    till = f"{top}{flash_box(flash)}{body}</div>"
    overlay = help_overlay() if help_open else overlay
    if overlay:
        return f'{overlay}<div class="till screen-{e(screen)}" inert>{till}'
    return f'<div class="till screen-{e(screen)}">{till}'


def pair_screen(form: Form | None = None) -> str:
    """Ask for the one-time code made by `kasir terminal add NAME` on the relay."""
    entered = typed(form, "pair")
    return (
        '<section class="pair card">'
        f"<h1>{e(_('Pair this till'))}</h1>"
        "<p>"
        + e(_("Type the pairing code your manager made with {command}.")).format(
            command="<code>kasir terminal add</code>"
        )
        + "</p>"
        '<form data-action="pair" autocomplete="off">'
        '<input id="pair-code" name="code" type="text" required autofocus spellcheck="false"'
        f' autocapitalize="off" placeholder="{e(_("Pairing code"))}"'
        f' aria-label="{e(_("Pairing code"))}" value="{e(entered.value("code"))}"'
        f"{entered.marks('code', 'pair-code')}>"
        f"{entered.note('code', 'pair-code')}"
        f'<button type="submit" class="primary">{e(_("Pair"))}</button>'
        "</form></section>"
    )


def loading_screen(message: str, can_retry: bool) -> str:
    """Before the shop data is on the device (or when it could not be loaded)."""
    retry = button(e(_("Retry")), "retry", cls="primary", id="retry") if can_retry else ""
    return f'<section class="loading card"><p>{e(message)}</p>{retry}</section>'


# -- what the top bar, the help and the setup screens' buttons do ----------------------------------

actions = Actions()


@actions("sync")
async def sync(till: Till, data: dict[str, Any]) -> None:
    try:
        till.counts = await till.device.sync_now() or {}
    except Exception as exc:
        till.flash = Flash(texts.sync_failed(exc))
        await till.update_counts()
        return
    till.flash = Flash(*texts.sync_result(till.counts))


@actions("sync-panel")
async def sync_panel(till: Till, data: dict[str, Any]) -> None:
    till.sync_panel_open = not till.sync_panel_open


@actions("help")
async def toggle_help(till: Till, data: dict[str, Any]) -> None:
    till.help_open = not till.help_open


@actions("retry-sale")
async def retry_sale(till: Till, data: dict[str, Any]) -> None:
    """Retry a rejected sale (sent again, checked again) or Ask again about a failed one."""
    uuid = str(data.get("arg") or "")
    before = next((i for i in texts.attention(till.counts) if i.get("uuid") == uuid), None)
    if before is None:
        raise RegisterError(texts.not_waiting())
    name = str(before.get("name") or uuid)
    if texts.action(before) is None:
        raise RegisterError(texts.not_retryable(name))
    asked = texts.item_state(before)
    try:
        till.counts = await till.device.retry_sale(uuid) or {}
        reached = till.counts.get("online") is not False
    except Exception:
        await till.update_counts()
        reached = False
    now = next((i for i in texts.attention(till.counts) if i.get("uuid") == uuid), None)
    till.flash = Flash(*texts.retry_result(name, asked, now, reached))


@actions("export-outbox")
async def export_outbox(till: Till, data: dict[str, Any]) -> None:
    try:
        answer = await till.device.export_outbox() or {}
    except Exception as exc:
        till.flash = Flash(texts.export_failed(exc))
        return
    till.flash = Flash(
        texts.export_done(str(answer.get("file") or ""), int(answer.get("records") or 0)),
        "info",
    )


@actions("import-records")
async def import_records(till: Till, data: dict[str, Any]) -> None:
    """A recovery file chosen in the sync panel, brought to the relay: its records stay the
    till's that exported them (server/recovery.py), so this till's outbox does not change."""
    try:
        answer = await till.device.import_records(str(data.get("file") or "")) or {}
    except Exception as exc:
        till.flash = Flash(texts.import_failed(exc))
        return
    till.flash = Flash(texts.import_done(answer), "info")


@actions("outbox-changed")
async def outbox_changed(till: Till, data: dict[str, Any]) -> None:
    counts = data.get("counts")
    if isinstance(counts, dict):
        till.counts = counts
    else:
        await till.update_counts()


@actions("pair")
async def pair(till: Till, data: dict[str, Any]) -> None:
    code = str(data.get("code") or "").strip()
    if not code:
        raise RegisterError("Type the pairing code.")
    try:
        answer = await till.device.pair(code)
    except Exception as exc:
        with in_field("code" if till.screen == "pair" else None):
            raise RegisterError("Pairing failed: {error}", error=exc) from None
    await till.load()
    name = (answer or {}).get("terminal") or till.device.terminal() or ""
    if till.screen == "sell":
        till.flash = Flash(_("Paired as {name}.", name=name), "info")


@actions("retry")
async def retry(till: Till, data: dict[str, Any]) -> None:
    if till.device.terminal() is None:
        till.screen = "pair"
        return
    await till.load()


@actions("refresh")
async def refresh(till: Till, data: dict[str, Any]) -> None:
    """Pull the latest shop data and catalog now (the open sale stays)."""
    if not await till.device.refresh():
        raise RegisterError("The relay cannot be reached; the catalog on this till is used.")
    bootstrap = await till.device.load_bootstrap()
    if bootstrap is None:
        raise RegisterError("The relay sent no shop data.")
    till.use(bootstrap, await till.device.load_catalog())
    if till.cart is None:
        await till.restore_draft()
    till.flash = Flash(
        _n(
            "Catalog updated: {n} product.",
            "Catalog updated: {n} products.",
            len(till.catalog),
        ),
        "info",
    )
