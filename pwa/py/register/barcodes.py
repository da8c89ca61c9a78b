"""Odoo's barcode nomenclature: which rule a scanned code falls under, and the number it carries.

A scale prints a label such as 2100003012340: under Odoo's default rule "21.....{NNDDD}" (EAN-13,
type weight) it is 1.234 kg of the product whose barcode is the base code 2100003000002 (the
weight replaced by zeros, the check digit made right again). A price rule ("23.....{NNNDD}")
carries the price instead. The shop sets its rules in Odoo; the relay sends them in the
bootstrap (`barcode_nomenclature`) and the cart reads a code with them when no product has it.

This follows Odoo 18's POS parser (barcodes/static/src/js/barcode_parser.js), which is what a
till of Odoo's does with a scan. Odoo's server-side `parse_barcode` gives the same answers except
in two corners (tests/fixtures/odoo18/parse_barcode.json records both): the server never reads a
UPC-A as an EAN-13 or the other way round (`upc_ean_conv`), and it keeps the scanned check digit
in an EAN-8 base code. The value is a Decimal made from the digits, never a float.
A GS1 nomenclature is not read here: the relay sends none for it (plain barcodes only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["BarcodeRule", "Nomenclature", "ParsedBarcode", "check_digit", "is_encoded"]

LENGTHS = {"ean8": 8, "ean13": 13, "upca": 12}
UPC_TO_EAN = ("upc2ean", "always")  # upc_ean_conv values that read a UPC-A as an EAN-13
EAN_TO_UPC = ("ean2upc", "always")
_NUMBER = re.compile(r"\{N*D*\}")  # the numeric part of a pattern: {NNDDD}
_DIGITS = re.compile(r"[0-9]+")


def check_digit(code: str) -> int:
    """The GS1 check digit of a code whose last digit is (or will be) its check digit."""
    digits = code[-2::-1]  # without the check digit, from the right: weights 3, 1, 3, ...
    total = 3 * sum(int(d) for d in digits[0::2]) + sum(int(d) for d in digits[1::2])
    return (10 - total % 10) % 10


def is_encoded(code: str, encoding: str) -> bool:
    """True when `code` is a valid `encoding` ("any", "ean8", "ean13", "upca") code."""
    if encoding == "any":
        return True
    length = LENGTHS.get(encoding)
    return (
        len(code) == length
        and _DIGITS.fullmatch(code) is not None
        and check_digit(code) == int(code[-1])
    )


def _sanitize_ean(code: str) -> str:
    """A valid EAN-13 from a prefix: zero-padded on the left, check digit made right."""
    code = code[:13].rjust(13, "0")
    return code[:12] + str(check_digit(code))


@dataclass(frozen=True, slots=True)
class BarcodeRule:
    """A barcode.rule: codes of `encoding` matching `pattern` are of `type` (Odoo's names)."""

    name: str
    sequence: int
    type: str
    encoding: str
    pattern: str
    alias: str = "0"

    @classmethod
    def from_bootstrap(cls, data: Mapping[str, Any]) -> BarcodeRule:
        return cls(
            name=data.get("name") or "",
            sequence=int(data.get("sequence") or 0),
            type=data.get("type") or "product",
            encoding=data.get("encoding") or "any",
            pattern=data.get("pattern") or ".*",
            alias=data.get("alias") or "0",
        )

    def match(self, code: str) -> tuple[Decimal, str] | None:
        """(the number the code carries, its base code) when it fits the pattern, else None.

        As Odoo: the digits under {N..D..} are the number (N whole, D decimals), the base code has
        zeros there (and the check digit made right), and the pattern with zeros there must match
        the base code from its start.
        """
        value = Decimal(0)
        base_code, pattern = code, self.pattern
        number = _NUMBER.search(pattern)
        if number is not None:
            start, width = number.start(), len(number.group()) - 2
            wholes = number.group().count("N")
            digits = code[start : start + width]
            whole, decimals = digits[:wholes], digits[wholes:]
            # Odoo's server skips such a code; its POS would read NaN.
            if any(part and _DIGITS.fullmatch(part) is None for part in (whole, decimals)):
                return None
            value = Decimal(int(whole or "0")) + Decimal(f"0.{decimals}")
            base_code = code[:start] + "0" * width + code[start + width :]
            pattern = pattern[:start] + "0" * width + pattern[number.end() :]
            length = LENGTHS.get(self.encoding)
            if length is not None and len(base_code) == length:
                base_code = base_code[:-1] + str(check_digit(base_code))
        try:
            found = re.match(pattern, base_code)
        except re.error:  # Odoo refuses to save such a pattern
            return None
        return (value, base_code) if found else None


@dataclass(frozen=True, slots=True)
class ParsedBarcode:
    """What a code is under the nomenclature: `type` "error" when no rule takes it."""

    type: str
    code: str
    base_code: str
    value: Decimal = Decimal(0)
    encoding: str = ""


@dataclass(frozen=True, slots=True)
class Nomenclature:
    """A barcode.nomenclature: its rules in order (sequence, then as Odoo listed them)."""

    rules: tuple[BarcodeRule, ...] = ()
    upc_ean_conv: str = "always"
    name: str = ""

    @classmethod
    def of(
        cls, rules: Iterable[BarcodeRule], upc_ean_conv: str = "always", name: str = ""
    ) -> Nomenclature:
        """Rules sorted as Odoo's POS sorts them (by sequence; a stable sort keeps Odoo's order)."""
        return cls(tuple(sorted(rules, key=lambda rule: rule.sequence)), upc_ean_conv, name)

    @classmethod
    def from_bootstrap(cls, data: Mapping[str, Any] | None) -> Nomenclature | None:
        """The bootstrap's `barcode_nomenclature`; None (plain barcodes only) when it has none."""
        if not data:
            return None
        return cls.of(
            (BarcodeRule.from_bootstrap(rule) for rule in data.get("rules") or ()),
            data.get("upc_ean_conv") or "always",
            data.get("name") or "",
        )

    def parse(self, barcode: str) -> ParsedBarcode:
        """The first rule the code fits, as Odoo's POS reads it (an alias rule swaps the code
        for its alias and goes on with the next rules)."""
        kind, scanned = "error", barcode
        for rule in self.rules:
            code = barcode
            if (
                rule.encoding == "ean13"
                and self.upc_ean_conv in UPC_TO_EAN
                and is_encoded(barcode, "upca")
            ):
                code = "0" + code
            elif (
                rule.encoding == "upca"
                and self.upc_ean_conv in EAN_TO_UPC
                and barcode.startswith("0")
                and is_encoded(barcode, "ean13")
            ):
                code = code[1:13]
            if not is_encoded(code, rule.encoding):
                continue
            found = rule.match(code)
            if found is None:
                continue
            if rule.type == "alias":
                barcode, kind = rule.alias, "alias"
                continue
            value, base_code = found
            if rule.encoding == "ean13":
                base_code = _sanitize_ean(base_code)
            return ParsedBarcode(rule.type, code, base_code, value, rule.encoding)
        return ParsedBarcode(kind, barcode, scanned)  # Odoo keeps the scanned code as base
