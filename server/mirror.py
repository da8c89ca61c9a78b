"""The mirror: copies the POS configuration and the product catalog from Odoo into the journal.

Terminals only ever read the mirror, so they boot and refresh while Odoo is away. Products are
pulled by write_date delta (archived ones included, they become removals) and stored only when
they changed, each change getting a new catalog cursor, so a terminal downloads in proportion to
what changed. Deleted products are found by comparing the ids Odoo still has. Customers
(res.partner) are mirrored the same way into their own table and cursor, each with their pricelist,
fiscal position and loyalty points (a card written since the last pass brings its customer
again: points live on loyalty.card, not on the customer). Product images are
copied after the catalog, a few per call, into the relay's image folder (images.py): the catalog
only names an image's version, so neither it nor the first bootstrap waits for pictures.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from . import odoo_mapping as mapping
from .config import known_zone
from .images import MAX_BYTES, ImageStore, media_type
from .journal import Journal, with_config_version
from .odoo import OdooBusinessError, OdooClient, OdooError, OdooHealth, OdooMisconfigured

log = logging.getLogger("kasir.mirror")

CHUNK = 500
IMAGE_CHUNK = 50  # images per call: 50 image_128 are ~0.5 to 2 MB of base64
IMAGE_PASS = 1000  # images per refresh; the next refresh, which then comes at once, does more
ALL = {"active_test": False}


class Mirror:
    """Pulls from Odoo at start, every `interval` seconds and when woken."""

    def __init__(
        self,
        journal: Journal,
        client: OdooClient,
        *,
        config_id: int | None = None,
        interval: float = 60.0,
        health: OdooHealth | None = None,
        on_bootstrap: Callable[[], Any] | None = None,
        timezone: str | None = None,
        manager_pin: dict[str, Any] | None = None,
        images: ImageStore | None = None,
    ) -> None:
        self.journal = journal
        self.images = images  # None: no product images
        self._image_cursor = 0  # the catalog cursor up to which the image folder was compared
        self._images_due: dict[int, str] = {}  # product id -> the image version to copy
        self._images_refused: dict[int, str] = {}  # too big or not an image: not asked again
        self.on_bootstrap = on_bootstrap  # called after each stored bootstrap (held orders)
        self.client = client
        self.wanted_config_id = config_id
        self.timezone = timezone  # KASIR_TIMEZONE: the shop's zone, whatever Odoo's user says
        self.manager_pin = manager_pin  # the relay's rules for a manager's PIN, for the tills
        self._unknown_zones: set[str] = set()  # Odoo's zone names this machine lacks, told once
        self.interval = interval
        self.health = health or OdooHealth()
        self.config_id: int | None = config_id
        self.last_refresh: float | None = None
        self._countries: dict[int, str] = {}  # res.country id -> ISO code
        self._models: dict[str, set[str]] = {}  # model -> its field names (fields_get)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Refresh now (on demand) instead of at the next interval."""
        self._wake.set()

    async def run(self) -> None:
        retry = 1.0
        while True:
            self._wake.clear()
            try:
                await self.refresh()
                delay = self.interval
                retry = 1.0
            except OdooError as error:
                self.health.failed(error, time.time())
                log.warning("mirror refresh failed, serving what is stored: %s", error.message)
                delay = min(self.interval, retry)
                retry = min(retry * 2, max(self.interval, 1.0))
            except Exception:
                log.exception("mirror refresh failed, serving what is stored")
                delay = min(self.interval, retry)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _read(
        self, model: str, domain: list[Any], fields: list[str], **kwargs: Any
    ) -> list[dict[str, Any]]:
        """search_read of the wanted fields this Odoo has (a module not installed, or another
        version, leaves some out: those are read as absent instead of failing the mirror)."""
        present = await self._fields(model)
        wanted = [name for name in fields if name in present] if present else fields
        return await self.client.search_read(model, domain, wanted, **kwargs)

    async def _fields(self, model: str) -> set[str]:
        """The field names of an Odoo model (fields_get once per model and relay run); empty
        when the model itself is missing (its module is not installed)."""
        if model not in self._models:
            try:
                answer = await self.client.execute_kw(
                    model, "fields_get", [], {"attributes": ["type"]}
                )
            except (OdooBusinessError, OdooMisconfigured):  # no such model (JSON-2: 404)
                answer = {}
            self._models[model] = set(answer) if isinstance(answer, dict) else set()
        return self._models[model]

    async def _has_model(self, model: str) -> bool:
        return bool(await self._fields(model))

    async def refresh(self) -> dict[str, int]:
        """One full pass: configuration -> bootstrap, then the catalog delta. Returns counts."""
        config = await self._config()
        self.config_id = config["id"]
        company_id = mapping.m2o_id(config.get("company_id"))
        companies = await self._read(
            "res.company", [["id", "=", company_id]], mapping.COMPANY_FIELDS
        )
        if not companies:
            raise OdooBusinessError(f"the company of pos.config {config['id']} is not readable")
        company = companies[0]
        currency_id = mapping.m2o_id(config.get("currency_id")) or mapping.m2o_id(
            company.get("currency_id")
        )
        currencies = await self._read(
            "res.currency", [["id", "=", currency_id]], mapping.CURRENCY_FIELDS, context=ALL
        )
        if not currencies:
            raise OdooBusinessError(f"currency {currency_id} is not readable")
        session = await self._session(config)
        taxes = await self._taxes()
        methods = await self._read(
            "pos.payment.method",
            [["id", "in", mapping.ids(config.get("payment_method_ids"))]],
            mapping.PAYMENT_METHOD_FIELDS,
        )
        pricelist_ids = sorted(
            {
                *mapping.ids(config.get("available_pricelist_ids")),
                *(
                    [mapping.m2o_id(config.get("pricelist_id"))]
                    if config.get("pricelist_id")
                    else []
                ),
            }
        )
        pricelists = (
            await self._read(
                "product.pricelist", [["id", "in", pricelist_ids]], mapping.PRICELIST_FIELDS
            )
            if pricelist_ids
            else []
        )
        items = (
            await self._read(
                "product.pricelist.item",
                [["pricelist_id", "in", pricelist_ids]],
                mapping.PRICELIST_ITEM_FIELDS,
            )
            if pricelist_ids
            else []
        )
        fp_ids = sorted(
            {
                *mapping.ids(config.get("fiscal_position_ids")),
                *filter(None, [mapping.m2o_id(config.get("default_fiscal_position_id"))]),
            }
        )
        fiscal_positions = (
            await self._read(
                "account.fiscal.position", [["id", "in", fp_ids]], mapping.FISCAL_POSITION_FIELDS
            )
            if fp_ids
            else []
        )
        fp_taxes = (
            await self._read(
                "account.fiscal.position.tax",
                [["position_id", "in", fp_ids]],
                mapping.FISCAL_POSITION_TAX_FIELDS,
            )
            if fp_ids
            else []
        )
        rounding_id = mapping.m2o_id(config.get("rounding_method"))
        roundings = (
            await self._read(
                "account.cash.rounding", [["id", "=", rounding_id]], mapping.CASH_ROUNDING_FIELDS
            )
            if rounding_id
            else []
        )
        pos_categories = await self._read(
            "pos.category", [], mapping.POS_CATEGORY_FIELDS, order="sequence, id"
        )
        product_categories = await self._read(
            "product.category", [], mapping.PRODUCT_CATEGORY_FIELDS, order="id"
        )
        loyalty = await self._loyalty(config["id"])
        nomenclature, barcode_rules = await self._nomenclature(company)
        lang, tz = await self._user_context()
        cashiers = await self._cashiers(config, company_id)
        ancestors = mapping.category_ancestors(product_categories)
        decimals = mapping.uom_decimals(
            await self._read("uom.uom", [], mapping.UOM_FIELDS, context=ALL)
        )
        changed = await self._products(ancestors, decimals)
        removed = await self._removals()
        partners = await self._partners([program["id"] for program in loyalty["programs"]])
        partners += await self._partner_removals()
        cursor = await run_in_threadpool(self.journal.catalog_cursor)
        document = mapping.bootstrap_document(
            company=company,
            currency=currencies[0],
            config=config,
            session=session,
            taxes=taxes,
            fiscal_positions=fiscal_positions,
            fiscal_position_taxes=fp_taxes,
            pricelists=pricelists,
            pricelist_items=items,
            payment_methods=methods,
            cash_roundings=roundings,
            pos_categories=pos_categories,
            product_categories=product_categories,
            loyalty=loyalty,
            lang=lang,
            tz=tz,
            nomenclature=nomenclature,
            barcode_rules=barcode_rules,
            cashiers=cashiers,
            manager_pin=self.manager_pin,
            catalog_version=cursor,
        )
        await run_in_threadpool(self.journal.put_bootstrap, with_config_version(document))
        if self.on_bootstrap is not None:
            await run_in_threadpool(self.on_bootstrap)
        now = time.time()
        self.health.ok(now)
        self.last_refresh = now
        images = await self._images()  # after the bootstrap: a till never waits for pictures
        if changed or removed:
            log.info(
                "mirror: %d product(s) changed, %d removed, cursor %s", changed, removed, cursor
            )
        if partners:
            log.info("mirror: %d customer(s) changed or removed", partners)
        return {
            "changed": changed,
            "removed": removed,
            "cursor": cursor,
            "partners": partners,
            "images": images,
        }

    async def _user_context(self) -> tuple[str, str]:
        """The shop's language and time zone: those of the Odoo user the relay works as
        (res.users.context_get, as Odoo's own clients ask it), e.g. ("id_ID", "Asia/Jakarta").
        The language is "" when this Odoo does not say; the zone is KASIR_TIMEZONE when set,
        else the user's, else UTC (Odoo itself reads a user without one in UTC)."""
        try:
            context = await self.client.execute_kw("res.users", "context_get", [], {})
        except (OdooBusinessError, OdooMisconfigured):
            context = {}
        if not isinstance(context, dict):
            context = {}
        lang = mapping.text(context.get("lang"))
        if self.timezone:
            return lang, self.timezone
        tz = mapping.text(context.get("tz"))
        if tz and not known_zone(tz):
            if tz not in self._unknown_zones:
                self._unknown_zones.add(tz)
                log.warning(
                    "the Odoo user's time zone %r is unknown here: times in UTC; "
                    "set KASIR_TIMEZONE",
                    tz,
                )
            tz = ""
        return lang, tz or "UTC"

    async def _cashiers(
        self, config: dict[str, Any], company_id: int | None
    ) -> list[dict[str, Any]]:
        """pos_hr's employees who log in to this register, as Odoo 18 loads them into its POS
        (hr.employee._load_pos_data): the company's, only those of basic_employee_ids and
        advanced_employee_ids (and the session user's) when basic ones are named, PINs hashed by
        Odoo itself. None without pos_hr or with module_pos_hr off: the till asks no one."""
        if not config.get("module_pos_hr") or not await self._has_model("hr.employee"):
            return []
        domain: list[Any] = [["company_id", "in", [company_id, False]]]
        basic = mapping.ids(config.get("basic_employee_ids"))
        advanced = mapping.ids(config.get("advanced_employee_ids"))
        if basic:
            user_id = mapping.m2o_id(config.get("current_user_id"))
            listed = ["id", "in", basic + advanced]
            domain += ["|", ["user_id", "=", user_id], listed] if user_id else [listed]
        employees = await self._read(
            "hr.employee", domain, mapping.EMPLOYEE_FIELDS, order="name, id"
        )
        if not employees:
            return []
        hashed = await self.client.execute_kw(
            "hr.employee", "get_barcodes_and_pin_hashed", [[row["id"] for row in employees]], {}
        )
        users = sorted({mapping.m2o_id(row.get("user_id")) for row in employees} - {None})
        group = mapping.m2o_id(config.get("group_pos_manager_id"))
        managers = (
            set(
                await self.client.search(
                    "res.users", [["id", "in", users], ["groups_id", "in", [group]]]
                )
            )
            if users and group
            else set()
        )
        return mapping.cashier_records(
            employees, hashed if isinstance(hashed, list) else [], managers, advanced
        )

    async def _taxes(self) -> list[dict[str, Any]]:
        """Sale taxes (a till never sells with a purchase tax), and the children of sale tax
        groups, whose own type is "none"."""
        taxes = await self._read(
            "account.tax", [["type_tax_use", "=", "sale"]], mapping.TAX_FIELDS, order="sequence, id"
        )
        known = {tax["id"] for tax in taxes}
        children = sorted(
            {child for tax in taxes for child in mapping.ids(tax.get("children_tax_ids"))} - known
        )
        if children:
            taxes += await self._read(
                "account.tax", [["id", "in", children]], mapping.TAX_FIELDS, order="sequence, id"
            )
        return taxes

    async def _loyalty(self, config_id: int) -> dict[str, list[dict[str, Any]]]:
        """pos_loyalty's programs this register may use (pos_ok, this config or every config),
        with their rules and rewards; nothing when pos_loyalty is not installed."""
        if not await self._has_model("loyalty.program"):
            return {"programs": [], "rules": [], "rewards": []}
        programs = [
            program
            for program in await self._read(
                "loyalty.program", [["pos_ok", "=", True]], mapping.LOYALTY_PROGRAM_FIELDS
            )
            if not mapping.ids(program.get("pos_config_ids"))
            or config_id in mapping.ids(program.get("pos_config_ids"))
        ]
        ids = [program["id"] for program in programs]
        if not ids:
            return {"programs": [], "rules": [], "rewards": []}
        rules = await self._read(
            "loyalty.rule", [["program_id", "in", ids]], mapping.LOYALTY_RULE_FIELDS
        )
        rewards = await self._read(
            "loyalty.reward", [["program_id", "in", ids]], mapping.LOYALTY_REWARD_FIELDS
        )
        return {"programs": programs, "rules": rules, "rewards": rewards}

    async def _nomenclature(
        self, company: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The company's barcode nomenclature and its rules: the ones Odoo's POS reads weight and
        price labels with (session_info's nomenclature_id is the company's). None without one."""
        nomenclature_id = mapping.m2o_id(company.get("nomenclature_id"))
        if not nomenclature_id:
            return None, []
        rows = await self._read(
            "barcode.nomenclature",
            [["id", "=", nomenclature_id]],
            mapping.BARCODE_NOMENCLATURE_FIELDS,
        )
        if not rows:
            return None, []
        rules = await self._read(
            "barcode.rule",
            [["barcode_nomenclature_id", "=", nomenclature_id]],
            mapping.BARCODE_RULE_FIELDS,
        )
        return rows[0], rules

    async def _config(self) -> dict[str, Any]:
        domain = [["id", "=", self.wanted_config_id]] if self.wanted_config_id else []
        configs = await self._read("pos.config", domain, mapping.CONFIG_FIELDS, order="id", limit=1)
        if not configs:
            which = (
                f"pos.config {self.wanted_config_id}" if self.wanted_config_id else "a pos.config"
            )
            raise OdooBusinessError(f"Odoo has no {which} (KASIR_ODOO_CONFIG_ID)")
        return configs[0]

    async def _session(self, config: dict[str, Any]) -> dict[str, Any] | None:
        current = mapping.m2o_id(config.get("current_session_id"))
        if current:
            rows = await self._read("pos.session", [["id", "=", current]], mapping.SESSION_FIELDS)
            if rows and rows[0].get("state") not in ("closed", "closing_control"):
                return rows[0]
        rows = await self._read(
            "pos.session",
            [["config_id", "=", config["id"]], ["state", "=", "opened"]],
            mapping.SESSION_FIELDS,
            order="id desc",
            limit=1,
        )
        return rows[0] if rows else None

    async def _products(self, ancestors: dict[int, list[int]], decimals: dict[int, int]) -> int:
        """Products written since the last pass (>= that second: re-read, stored only if changed)."""
        since = await run_in_threadpool(self.journal.get_meta, "product_write_date")
        domain = [["write_date", ">=", since]] if since else []
        ids = await self.client.search(
            "product.product", domain, order="write_date, id", context=ALL
        )
        newest = since
        changed = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = await self._read(
                "product.product",
                [["id", "in", chunk]],
                mapping.PRODUCT_FIELDS,
                order="id",
                context=ALL,
            )
            pictured = await self._with_images(chunk)
            records = [
                mapping.product_to_record(row, ancestors, decimals, has_image=row["id"] in pictured)
                for row in rows
            ]
            changed += await run_in_threadpool(self.journal.put_catalog, records)
            for row in rows:
                stamp = row.get("write_date")
                if isinstance(stamp, str) and (newest is None or stamp > newest):
                    newest = stamp
        if newest and newest != since:
            await run_in_threadpool(self.journal.set_meta, "product_write_date", newest)
        return changed

    async def _with_images(self, chunk: list[int]) -> set[int]:
        """The products of a chunk that have an image in Odoo: one search, no image data
        (product.product's image_128 is computed, and Odoo 18 answers a search on it with every
        product: the variant's and the template's stored images are searched instead)."""
        fields = await self._fields("product.product")
        if self.images is None or not {"image_128", "image_variant_128"} <= fields:
            return set()
        domain = [["id", "in", chunk], *mapping.HAS_IMAGE]
        return set(await self.client.search("product.product", domain, context=ALL))

    async def _images(self) -> int:
        """Copy the images the catalog names and this relay lacks, IMAGE_CHUNK per call and
        at most IMAGE_PASS a pass (the rest at the next, which then comes at once); forget those
        of products that lost theirs. Returns how many were copied."""
        if self.images is None:
            return 0
        await run_in_threadpool(self._compare_images)
        due = [
            product_id
            for product_id, version in self._images_due.items()
            if self._images_refused.get(product_id) != version
        ]
        copied = 0
        for start in range(0, min(len(due), IMAGE_PASS), IMAGE_CHUNK):
            chunk = due[start : start + IMAGE_CHUNK]
            rows = await self.client.search_read(
                "product.product",
                [["id", "in", chunk]],
                mapping.PRODUCT_IMAGE_FIELDS,
                order="id",
                context=ALL,
            )
            copied += await run_in_threadpool(self._keep_images, chunk, rows)
        left = len(due) - min(len(due), IMAGE_PASS)
        if copied or left:
            log.info("mirror: %d image(s) copied, %d to go", copied, left)
        if left:
            self._wake.set()
        return copied

    def _compare_images(self) -> None:
        """The catalog changed since the last look (all of it at the relay's start): note which
        images the folder lacks, and drop those no product names any more."""
        assert self.images is not None
        while True:
            records, cursor, more = self.journal.catalog_page(self._image_cursor, CHUNK * 10)
            for record in records:
                product_id = int(record["id"])
                version = record.get("image") if record.get("active", True) else None
                if version and self.images.version(product_id) != version:
                    self._images_due[product_id] = version
                else:
                    self._images_due.pop(product_id, None)
                    if not version:
                        self.images.remove(product_id)
            self._image_cursor = cursor
            if not more:
                return

    def _keep_images(self, asked: list[int], rows: list[dict[str, Any]]) -> int:
        """Store the images Odoo sent (the version of the write_date they were read at)."""
        assert self.images is not None
        kept = 0
        for product_id in asked:
            self._images_due.pop(product_id, None)
        for row in rows:
            product_id = int(row["id"])
            encoded = row.get("image_128")
            if not encoded or not isinstance(encoded, str):
                self.images.remove(product_id)
                continue
            version = mapping.image_version(row.get("write_date"))
            data = b""
            if len(encoded) <= MAX_BYTES * 4 // 3 + 4:
                with contextlib.suppress(binascii.Error, ValueError):
                    data = base64.b64decode(encoded, validate=True)
            if not data or len(data) > MAX_BYTES or media_type(data) is None:
                if self._images_refused.get(product_id) != version:
                    log.warning(
                        "product %s's image is not kept: not a PNG, JPEG, GIF or WebP of at "
                        "most %d KB",
                        product_id,
                        MAX_BYTES // 1024,
                    )
                self._images_refused[product_id] = version
                self.images.remove(product_id)
                continue
            self.images.put(product_id, version, data)
            kept += 1
        return kept

    async def _removals(self) -> int:
        """Products deleted in Odoo leave no write_date behind: compare the ids that remain."""
        known = await run_in_threadpool(self.journal.catalog_ids)
        if not known:
            return 0
        existing = set(await self.client.search("product.product", [], context=ALL))
        gone = sorted(known - existing)
        if not gone:
            return 0
        return await run_in_threadpool(
            self.journal.put_catalog, [mapping.removed_product(i) for i in gone]
        )

    async def _partners(self, program_ids: list[int]) -> int:
        """Customers written since the last pass, archived ones as removals (like products),
        and those whose loyalty card was written since (earning or spending points writes the
        card, not the customer: loyalty.card has its own write_date cursor), each with their
        points in the register's programs. When those programs change, every customer is read
        again."""
        cards = bool(program_ids) and await self._has_model("loyalty.card")
        programs = ",".join(map(str, program_ids)) if cards else ""
        if programs != await run_in_threadpool(self.journal.get_meta, "partner_programs"):
            await run_in_threadpool(self.journal.set_meta, "partner_write_date", "")
            await run_in_threadpool(self.journal.set_meta, "card_write_date", "")
            await run_in_threadpool(self.journal.set_meta, "partner_programs", programs)
        since = await run_in_threadpool(self.journal.get_meta, "partner_write_date")
        domain = [["write_date", ">=", since]] if since else []
        ids = await self.client.search("res.partner", domain, order="write_date, id", context=ALL)
        card_since = await run_in_threadpool(self.journal.get_meta, "card_write_date")
        card_newest = card_since
        if cards:
            holders, card_newest = await self._card_holders(program_ids, card_since)
            ids = sorted({*ids, *holders})
        newest = since
        changed = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = await self._read(
                "res.partner",
                [["id", "in", chunk]],
                mapping.PARTNER_FIELDS,
                order="id",
                context=ALL,
            )
            countries = await self._country_codes(rows)
            held = await self._cards(chunk, program_ids) if cards else {}
            records = [
                mapping.partner_to_record(
                    row, countries, held.get(row["id"], []), program_ids if cards else None
                )
                for row in rows
            ]
            changed += await run_in_threadpool(self.journal.put_partners, records)
            for row in rows:
                stamp = row.get("write_date")
                if isinstance(stamp, str) and (newest is None or stamp > newest):
                    newest = stamp
        if newest and newest != since:
            await run_in_threadpool(self.journal.set_meta, "partner_write_date", newest)
        if card_newest and card_newest != card_since:
            await run_in_threadpool(self.journal.set_meta, "card_write_date", card_newest)
        return changed

    async def _card_holders(
        self, program_ids: list[int], since: str | None
    ) -> tuple[set[int], str | None]:
        """The customers whose card in these programs was written since `since` (>= that
        second, as for products; archived cards too: their points are gone), and the newest
        card write_date seen."""
        domain: list[Any] = [["program_id", "in", program_ids]]
        if since:
            domain.append(["write_date", ">=", since])
        written = await self._read(
            "loyalty.card",
            domain,
            ["id", "partner_id", "write_date"],
            order="write_date, id",
            context=ALL,
        )
        newest = max([since or "", *(str(card.get("write_date") or "") for card in written)])
        holders = {mapping.m2o_id(card.get("partner_id")) for card in written}
        return {holder for holder in holders if holder is not None}, newest or None

    async def _cards(
        self, partner_ids: list[int], program_ids: list[int]
    ) -> dict[int, list[dict[str, Any]]]:
        """The active loyalty cards of these customers in these programs, by customer."""
        by_partner: dict[int, list[dict[str, Any]]] = {}
        for card in await self._read(
            "loyalty.card",
            [["partner_id", "in", partner_ids], ["program_id", "in", program_ids]],
            mapping.LOYALTY_CARD_FIELDS,
            order="id",
        ):
            partner_id = mapping.m2o_id(card.get("partner_id"))
            if partner_id is not None:
                by_partner.setdefault(partner_id, []).append(card)
        return by_partner

    async def _country_codes(self, rows: list[dict[str, Any]]) -> dict[int, str]:
        """res.country id -> ISO code, read again only when a partner names an unknown id."""
        wanted = {mapping.m2o_id(row.get("country_id")) for row in rows} - {None}
        if not wanted <= self._countries.keys():
            self._countries = {
                int(row["id"]): mapping.text(row.get("code")).upper()
                for row in await self._read("res.country", [], mapping.COUNTRY_FIELDS, context=ALL)
            }
        return self._countries

    async def _partner_removals(self) -> int:
        """Customers deleted in Odoo: compare the ids that remain."""
        known = await run_in_threadpool(self.journal.partner_ids)
        if not known:
            return 0
        existing = set(await self.client.search("res.partner", [], context=ALL))
        gone = sorted(known - existing)
        if not gone:
            return 0
        return await run_in_threadpool(
            self.journal.put_partners, [mapping.removed_partner(i) for i in gone]
        )
