"""The settings panel of the top bar: the cashier's language, the barcode scanner's timing and
the receipt printer's paper (58 or 80 mm) with printing after each sale.

Settings belong to the tablet (meta "settings" in IndexedDB, through the device): boot.js speaks
the chosen language from the next start on and hands the scanner's keys to scanner.js, so a change
is used at once and survives a reload (receipt.js reads the paper from the same settings). The
language names are written in their own language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from register.errors import RegisterError

from . import i18n
from .actions import Actions
from .forms import Form, typed
from .i18n import _
from .views import Flash, button, e

if TYPE_CHECKING:
    from .app import Till

__all__ = [
    "PAPERS",
    "SCANNER",
    "actions",
    "parse_scanner",
    "scanner_values",
    "settings_panel",
    "stored_settings",
]

# What scanner.js uses when nothing was saved.
SCANNER: dict[str, Any] = {
    "scan_threshold_ms": 30,
    "scan_min_length": 6,
    "scan_prefix": "",
    "scan_suffix": "",
}
# A person types 80 ms or more between keys: a longer threshold would take typing for scans.
NUMBERS = {"scan_threshold_ms": (5, 80), "scan_min_length": (3, 64)}
MAX_AFFIX = 8
# Receipt printers' roll widths in mm (settings "receipt_paper"); the first is the default.
PAPERS = ("80", "58")


def scanner_values(settings: dict[str, Any]) -> dict[str, Any]:
    """The scanner's settings in force: the saved ones over the defaults."""
    return {key: settings.get(key, default) for key, default in SCANNER.items()}


def parse_scanner(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The scanner settings typed in the form, and what is wrong with a field, by its name."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, (low, high) in NUMBERS.items():
        text = str(form.get(key) or "").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            errors[key] = _("Type a whole number from {low} to {high}.", low=low, high=high)
        else:
            values[key] = int(text)
    for key in ("scan_prefix", "scan_suffix"):
        text = str(form.get(key) or "")
        if len(text) > MAX_AFFIX:
            errors[key] = _("At most {n} characters.", n=MAX_AFFIX)
        values[key] = text
    return values, errors


def _field(key: str, label: str, form: Form, default: Any, numeric: bool) -> str:
    ident = f"setting-{key.removeprefix('scan_')}"
    extra = ' inputmode="numeric"' if numeric else ""
    return (
        f'<label for="{ident}">{e(label)}</label>'
        f'<input id="{ident}" name="{key}" type="text" value="{e(form.value(key, default))}"'
        f' spellcheck="false"{extra}{form.marks(key, ident)}>{form.note(key, ident)}'
    )


def settings_panel(
    settings: dict[str, Any],
    *,
    open_: bool = False,
    form: Form | None = None,
    tablet: str = "",
) -> str:
    """The panel: language buttons and the scanner form (with what was typed after a refusal);
    then `tablet`, what the manager is told of the tablet itself (`till.health.panel`)."""
    current = i18n.language()
    languages = "".join(
        button(
            e(name),
            "language",
            code,
            id=f"language-{code}",
            cls="small" + (" chosen" if code == current else ""),
            lang=code,
            aria_pressed="true" if code == current else "false",
        )
        for code, name in i18n.LANGUAGES.items()
    )
    values = scanner_values(settings)
    entered = typed(form, "settings")
    labels = {
        "scan_threshold_ms": _("Most milliseconds between a scanner's keys"),
        "scan_min_length": _("Shortest code a scanner sends"),
        "scan_prefix": _("Prefix the scanner sends before a code"),
        "scan_suffix": _("Suffix the scanner sends after a code"),
    }
    fields = "".join(
        _field(key, label, entered, values.get(key, ""), key in NUMBERS)
        for key, label in labels.items()
    )
    paper = settings.get("receipt_paper") if settings.get("receipt_paper") in PAPERS else PAPERS[0]
    papers = "".join(
        button(
            e(_("{width} mm", width=width)),
            "receipt-paper",
            width,
            id=f"paper-{width}",
            cls="small" + (" chosen" if width == paper else ""),
            aria_pressed="true" if width == paper else "false",
        )
        for width in sorted(PAPERS)
    )
    auto_print = bool(settings.get("auto_print"))
    title = _("Settings")
    return (
        f'<details id="settings" class="settings-panel"{" open" if open_ else ""}>'
        f'<summary data-action="settings-panel" title="{e(title)}">{e(title)}</summary>'
        '<div class="settings-body">'
        f"<h2>{e(_('Language'))}</h2>"
        f'<div class="languages" role="group" aria-label="{e(_("Language"))}">{languages}</div>'
        f"<h2>{e(_('Receipt'))}</h2>"
        '<div class="papers">'
        f'<div class="papers" role="group" aria-label="{e(_("Receipt paper"))}">{papers}</div>'
        + button(
            e(_("Print the receipt after each sale")),
            "auto-print",
            id="auto-print",
            cls="small" + (" chosen" if auto_print else ""),
            aria_pressed="true" if auto_print else "false",
        )
        + "</div>"
        f"<h2>{e(_('Barcode scanner'))}</h2>"
        f'<form id="scanner-settings" data-action="settings" autocomplete="off">{fields}'
        f'<button type="submit" class="primary">{e(_("Save"))}</button></form>'
        f'<div class="tablet">{tablet}</div>'
        "</div></details>"
    )


# -- what the settings panel's buttons do ----------------------------------------------------------

actions = Actions()


async def stored_settings(till: Till) -> dict[str, Any]:
    if till.settings is None:
        till.settings = await till.device.load_settings() or {}
    return till.settings


@actions("settings-panel")
async def toggle_settings(till: Till, data: dict[str, Any]) -> None:
    till.settings_open = not till.settings_open
    if till.settings_open:
        await stored_settings(till)


@actions("language")
async def choose_language(till: Till, data: dict[str, Any]) -> None:
    """Speak another language at once, and from the next start on."""
    language = str(data.get("arg") or "")
    if language not in i18n.LANGUAGES:
        raise RegisterError("Unknown language: {language}", language=language)
    speaking = await till.device.load_language(language)
    i18n.use(speaking.get("language") or "en", speaking.get("messages"))
    till.settings = {**await stored_settings(till), "language": language}
    await till.device.save_settings(till.settings)
    if i18n.language() != language:
        till.flash = Flash(
            _(
                "The words of {language} could not be loaded: English for now.",
                language=i18n.LANGUAGES[language],
            )
        )


@actions("receipt-paper")
async def choose_paper(till: Till, data: dict[str, Any]) -> None:
    """The width of the receipt printer's roll: the receipt prints on it from now on."""
    paper = str(data.get("arg") or "")
    if paper not in PAPERS:
        raise RegisterError("Unknown receipt paper: {paper}", paper=paper)
    till.settings = {**await stored_settings(till), "receipt_paper": paper}
    await till.device.save_settings(till.settings)


@actions("auto-print")
async def toggle_auto_print(till: Till, data: dict[str, Any]) -> None:
    """Print each sale's receipt as soon as it is validated (on) or only on Print (off)."""
    settings = await stored_settings(till)
    till.settings = {**settings, "auto_print": not settings.get("auto_print")}
    await till.device.save_settings(till.settings)


@actions("settings")
async def save_settings(till: Till, data: dict[str, Any]) -> None:
    """The scanner form: saved whole, or kept as typed with each wrong field marked."""
    values, errors = parse_scanner(data)
    if errors:
        till.settings_open = True
        till.form = Form("settings", data, errors=errors)
        till.flash = Flash(_("The scanner settings were not saved: check the marked fields."))
        return
    till.settings = {**await stored_settings(till), **values}
    await till.device.save_settings(till.settings)
    till.settings_open = False
    till.flash = Flash(_("Settings saved."), "info")
