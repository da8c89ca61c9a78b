"""`build.py messages`: every message of the code is in every catalog, translated (the test that
looks for untranslated catalog entries), and the extractor finds what it should on a sample tree."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

spec = importlib.util.spec_from_file_location("kasir_build_messages", ROOT / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

SAMPLE = {
    "pwa/py/till/views.py": (
        "from .i18n import _, _n\n"
        "def pay(amount, n):\n"
        '    title = _("Pay {amount}", amount=amount)\n'
        '    items = _n("{n} item", "{n} items", n)\n'
        '    dynamic = _(f"not {amount}")  # not a literal: not a message\n'
        '    return title + items + dynamic + str("English only")\n'
    ),
    "pwa/py/register/errors.py": (
        "class RegisterError(Exception):\n    pass\n"
        "class InvalidQuantity(RegisterError):\n    pass\n"
        "class AmountError(ValueError):\n    pass\n"
    ),
    "pwa/py/register/cart.py": (
        "from .errors import AmountError, InvalidQuantity\n"
        "def qty(text):\n"
        '    if not text:\n        raise InvalidQuantity("Quantity “{qty}” is not a number.", qty=text)\n'
        '    if text == "-":\n        raise AmountError("An amount cannot be negative.")\n'
        '    raise ValueError("for developers, not a message")\n'
    ),
    "pwa/static/js/boot.js": (
        'import { t } from "./i18n.js";\n'
        'step(5, t("Loading Python…"));\n'
        "fail(t(\"kasir could not start: {reason}\", { reason }));\nlet list = sort('x');\n"
    ),
    "pwa/templates/index.html": '<span>{{ _("Reload") }}</span>',
    "server/templates/admin.html": (
        '<h1>{{ _("kasir — manager") }}</h1>{% if n %}{{ _n("{n} terminal", "{n} terminals", n) }}'
        "{% endif %}<p>plain text is not extracted</p>"
    ),
    "server/admin.py": 'from .i18n import _\n\ndef when():\n    return _("never")\n',
}
EXPECTED = {
    "Pay {amount}",
    "{n} item",
    "{n} items",
    "Quantity “{qty}” is not a number.",
    "An amount cannot be negative.",
    "Loading Python…",
    "kasir could not start: {reason}",
    "Reload",
    "kasir — manager",
    "{n} terminal",
    "{n} terminals",
    "never",
}


def sample_tree(root: Path) -> Path:
    for name, text in SAMPLE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    catalogs = root / "pwa" / "static" / "i18n"
    catalogs.mkdir(parents=True)
    (catalogs / "id.json").write_text(
        json.dumps({"Reload": "Muat ulang", "Gone from the code": "Hilang"}), encoding="utf-8"
    )
    return catalogs / "id.json"


def test_every_message_of_the_code_is_translated_in_every_catalog(capsys):
    assert build.catalog_paths(), "no catalog in pwa/static/i18n"
    code = build.messages_command(check=True)
    assert code == 0, "untranslated catalog entries:\n" + capsys.readouterr().out


def test_catalogs_are_sorted_utf8_with_two_space_indent():
    for path in build.catalog_paths():
        text = path.read_text(encoding="utf-8")
        catalog = json.loads(text)
        assert text == json.dumps(catalog, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_the_extractor_finds_exactly_the_messages_of_a_sample_tree(tmp_path):
    sample_tree(tmp_path)
    assert build.extract_messages(tmp_path) == EXPECTED


def test_messages_adds_new_ones_empty_removes_stale_ones_and_check_reports_them(tmp_path, capsys):
    catalog = sample_tree(tmp_path)
    assert build.messages_command(check=True, root=tmp_path) == 1
    report = capsys.readouterr().out
    assert "missing: 'Pay {amount}'" in report
    assert "stale: 'Gone from the code'" in report

    assert build.messages_command(check=False, root=tmp_path) == 0
    capsys.readouterr()
    text = catalog.read_text(encoding="utf-8")
    updated = json.loads(text)
    assert set(updated) == EXPECTED
    assert updated["Reload"] == "Muat ulang"  # a translation is kept
    assert updated["Pay {amount}"] == ""
    assert list(updated) == sorted(updated)
    assert "“{qty}”" in text  # UTF-8, not \u escapes

    assert build.messages_command(check=True, root=tmp_path) == 1
    assert "empty: 'Pay {amount}'" in capsys.readouterr().out

    translated = {msgid: f"ID {msgid}" for msgid in updated}
    translated["Pay {amount}"] = "Bayar {jumlah}"  # a field renamed: the text cannot be filled
    build.write_catalog(catalog, translated)
    assert build.messages_command(check=True, root=tmp_path) == 1
    assert capsys.readouterr().out.splitlines() == [
        "pwa/static/i18n/id.json: broken: 'Pay {amount}' -> 'Bayar {jumlah}' (its {fields} differ)"
    ]

    translated["Pay {amount}"] = "Bayar {amount}"
    build.write_catalog(catalog, translated)
    assert build.messages_command(check=True, root=tmp_path) == 0
