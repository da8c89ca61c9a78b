"""The manager page, /admin: today's sales per terminal and per cashier, the registers' days
with their cash differences, terminals, the queue, Odoo's reachability, and failed items to retry
or discard, rendered on the server (jinja2, autoescaped)
so it works on any phone's browser; every time on it in the shop's time zone, which it names once.
A program that asks for JSON (Accept: application/json) gets the same facts as JSON.

It is behind one admin token (KASIR_ADMIN_TOKEN), taken as a Bearer header or typed once into a
login form that sets an HttpOnly, SameSite=Strict cookie. The cookie holds a random session id
signed with the token, never the token itself; every POST carries a CSRF token derived from that
session. Without a configured token the page does not exist (404).
"""

from __future__ import annotations

import asyncio
import email.policy
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from datetime import datetime
from decimal import Decimal
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

import jinja2
from register.money import money_str
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import auth, decisions, i18n, recovery, sales
from .negotiation import preferences
from .phrases import Phrase

log = logging.getLogger("kasir.admin")

COOKIE = "kasir_admin"
MAX_FORM = 16 * 1024
MAX_REASON = 500
CLOCK_OFF = 300  # seconds a terminal's clock may be off before the manager is warned
TEMPLATES = Path(__file__).parent / "templates"
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=HEADERS)


def wants_json(request: Request) -> bool:
    """Whether the client is a program, not a browser: it sends an Authorization header, or its
    Accept header prefers application/json to text/html (a browser's */* is not a preference)."""
    return "authorization" in request.headers or prefers_json(request)


def prefers_json(request: Request) -> bool:
    """Whether the Accept header prefers application/json to text/html: what asks for the
    page's JSON form (a Bearer header alone keeps getting the HTML page, as it always has)."""
    weights: dict[str, tuple[float, int]] = {}
    for kind, quality, place in preferences(request.headers.get("accept", "").lower()):
        if kind in ("application/json", "text/html") and kind not in weights:
            weights[kind] = (quality, -place)
    json_weight = weights.get("application/json", (0.0, 0))
    return json_weight[0] > 0 and json_weight > weights.get("text/html", (0.0, 0))


def _sign(token: str, text: str) -> str:
    return hmac.new(token.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def _when(moment: float | None, _: i18n.Translate, zone: ZoneInfo) -> str:
    """A moment (relay clock) as the shop's wall clock shows it; the page names the zone once."""
    if moment is None:
        return _("never")
    return datetime.fromtimestamp(moment, zone).strftime("%Y-%m-%d %H:%M:%S")


def _clock(moment: datetime | None, zone: ZoneInfo) -> str:
    """A time of today's sales as the shop's wall clock shows it ("08:42:49")."""
    return moment.astimezone(zone).strftime("%H:%M:%S") if moment else ""


def _stamp(moment: datetime | None, zone: ZoneInfo, day: sales.Day) -> str:
    """A time of a register's day: its clock on the shop's day, else its date too (a day
    still open since yesterday)."""
    if moment is None:
        return ""
    if day.start <= moment < day.end:
        return _clock(moment, zone)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _sold_at(text: str | None, zone: ZoneInfo) -> str:
    """A record's own time (the terminal's clock, ISO-8601) in the shop's zone; "" if none."""
    try:
        return datetime.fromisoformat(str(text)).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""


def _iso(moment: float | datetime | None, zone: ZoneInfo) -> str | None:
    """A moment for the JSON form: ISO-8601 in the shop's zone, with its offset."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(zone).isoformat()
    return datetime.fromtimestamp(moment, zone).isoformat()


def _clock_wrong(skew: float | None) -> bool:
    """Whether a terminal's clock is off by more than CLOCK_OFF: its sales carry a wrong time."""
    return skew is not None and abs(skew) > CLOCK_OFF


def _clock_off(skew: float | None, _: i18n.Translate) -> str:
    """A terminal's clock against the relay's, in words for the manager."""
    if skew is None:
        return _("not known yet")
    if not _clock_wrong(skew):
        return _("right")
    minutes = round(abs(skew) / 60)
    if skew > 0:
        return _("{n} min ahead: set the tablet's clock", n=minutes)
    return _("{n} min behind: set the tablet's clock", n=minutes)


def _amount(amount: Decimal | None) -> str | None:
    return None if amount is None else money_str(amount)


def _day_json(day: sales.Day, zone: ZoneInfo) -> dict[str, Any]:
    """Today's sales and the registers' days for the JSON form: amounts as decimal strings,
    never floats."""

    def row(tally: sales.Tally) -> dict[str, Any]:
        return {
            "sales": tally.sales,
            "refunds": tally.refunds,
            "total": money_str(tally.total),
            "first": _iso(tally.first, zone),
            "last": _iso(tally.last, zone),
        }

    def session(one: sales.Session) -> dict[str, Any]:
        return {
            "terminal": one.terminal,
            "session_uuid": one.uuid,
            "opened_at": _iso(one.opened_at, zone),
            "opened_by": one.opened_by,
            "opening": _amount(one.opening),
            **{
                kind: {"count": moves.count, "total": money_str(moves.total)}
                for kind, moves in (("cash_in", one.cash_in), ("cash_out", one.cash_out))
            },
            "closed_at": _iso(one.closed_at, zone),
            "closed_by": one.closed_by,
            "counted": _amount(one.counted),
            "expected": _amount(one.expected),
            "difference": _amount(one.difference),
            "note": one.note,
            "state": one.state,
            "reason": one.reason,
            "odoo_id": one.odoo_id,
        }

    return {
        "date": day.start.date().isoformat(),
        "from": day.start.isoformat(),
        "to": day.end.isoformat(),
        "terminals": [{"terminal": t.terminal, **row(t)} for t in day.terminals],
        "cashiers": [{"cashier": c.cashier, **row(c)} for c in day.cashiers],
        "total": row(day.total),
        "sessions": [session(one) for one in day.sessions],
    }


# The language links at the top, each name in its own language.
LANGUAGE_NAMES = (("en", "English"), ("id", "Bahasa Indonesia"))


class AdminPage:
    """The page's handlers over the relay's journal, health and forwarder."""

    def __init__(self, relay: Any, token: str) -> None:
        self.relay = relay
        self.token = token
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,  # terminal names and Odoo's messages are shown as text, always
        )
        self.template = env.get_template("admin.html")

    # -- who is asking ----------------------------------------------------------------------

    def session(self, request: Request) -> str | None:
        """The session id of an authenticated request ("bearer" for a Bearer header), else None."""
        header = request.headers.get("authorization")
        if header is not None:
            given = auth.bearer_token(header) or ""
            return "bearer" if hmac.compare_digest(given.encode(), self.token.encode()) else None
        cookie = request.cookies.get(COOKIE, "")
        session, _, signature = cookie.partition(".")
        if session and hmac.compare_digest(signature, _sign(self.token, f"session:{session}")):
            return session
        return None

    def csrf(self, session: str) -> str:
        return _sign(self.token, f"csrf:{session}")

    async def form(self, request: Request) -> dict[str, str]:
        """A small url-encoded form (no multipart, no dependency); 408 (and the connection
        closed) when it has not all come within the relay's body timeout."""
        body = b""
        timeout = self.relay.settings.body_timeout
        try:
            async with asyncio.timeout(timeout):
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > MAX_FORM:
                        return {}
        except TimeoutError:
            raise HTTPException(
                408,
                f"the request body did not arrive within {timeout:g} s",
                headers={"Connection": "close"},
            ) from None
        fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in fields.items()}

    async def speech(self, request: Request) -> i18n.Speech:
        """The manager's language (see `i18n.choose`), and its words."""
        return await i18n.speech(request, self.relay.settings.dist, self.relay.shop_language)

    def render(
        self,
        speech: i18n.Speech,
        status: int = 200,
        zone: ZoneInfo | None = None,
        **values: Any,
    ) -> Response:
        _ = speech.gettext
        zone = zone or ZoneInfo("UTC")
        html = self.template.render(
            _=_,
            lang=speech.language,
            languages=LANGUAGE_NAMES,
            when=lambda moment: _when(moment, _, zone),
            **values,
        )
        return i18n.remember(HTMLResponse(html, status, headers=HEADERS), speech)

    # -- handlers ---------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        session = self.session(request)
        if session is None:
            if wants_json(request):
                message = (
                    "wrong admin token"
                    if "authorization" in request.headers
                    else "send the admin token as Authorization: Bearer TOKEN"
                )
                return _error(401, "unauthorized", message)
            return await self.login_page(request)
        db = self.relay.db
        now = time.time()
        shop = await self.shop_document()
        zone = sales.shop_zone(self.relay.settings.timezone, shop)
        day = await run_in_threadpool(sales.today, db, zone, now)
        offset = sales.offset_text(datetime.fromtimestamp(now, zone))
        terminals = await run_in_threadpool(db.terminal_overview)
        counts = await run_in_threadpool(db.counts)
        money = sales.money_format(shop)
        items = await run_in_threadpool(
            lambda: db.attention_items(
                namer=lambda kind, record: sales.record_name(kind, record, zone, money)
            )
        )
        health = self.relay.health
        odoo = (
            "not checked yet"
            if health.reachable is None and self.relay.settings.odoo is not None
            else "not configured"
            if self.relay.settings.odoo is None
            else health.as_text()
        )
        if prefers_json(request):
            return JSONResponse(
                {
                    "timezone": zone.key,
                    "utc_offset": offset,
                    "today": _day_json(day, zone),
                    "counts": counts,
                    "odoo": odoo,
                    "odoo_error": health.error,
                    "terminals": [
                        {
                            **t,
                            **{k: _iso(t[k], zone) for k in t if k.endswith("_at")},
                            "clock_wrong": _clock_wrong(t["clock_skew"]),
                        }
                        for t in terminals
                    ],
                    "items": [
                        {
                            **i,
                            "failed_at": _iso(i["failed_at"], zone),
                            "received_at": _iso(i["received_at"], zone),
                        }
                        for i in items
                    ],
                },
                headers=HEADERS,
            )
        speech = await self.speech(request)
        _ = speech.gettext
        for item in items:  # a register's day record, named in the manager's language
            if isinstance(item["name"], Phrase):
                item["name"] = _(item["name"])
        odoo_texts = {
            "not checked yet": _("not checked yet"),
            "not configured": _("not configured"),
            "misconfigured": _("misconfigured"),
            "reachable": _("reachable"),
            "unreachable": _("unreachable"),
        }
        return self.render(
            speech,
            zone=zone,
            view="page",
            zone_name=zone.key,
            utc_offset=offset,
            day=day,
            money=money,
            clock=lambda moment: _clock(moment, zone),
            stamp=lambda moment: _stamp(moment, zone, day),
            clock_off=lambda skew: _clock_off(skew, _),
            clock_wrong=_clock_wrong,
            sold_at=lambda text: _sold_at(text, zone),
            terminals=terminals,
            counts=counts,
            failed=[item for item in items if item["state"] == "failed"],
            held=[item for item in items if item["state"] == "held"],
            rejected=[item for item in items if item["state"] == "rejected"],
            waiting=[item for item in items if item["state"] == "queued"],
            odoo=odoo,
            odoo_text=odoo_texts.get(odoo, odoo),
            odoo_error=health.error,
            odoo_checked=health.checked_at,
            csrf=self.csrf(session),
            message=request.query_params.get("msg", "")[:300],
        )

    async def shop_document(self) -> dict[str, Any] | None:
        """The mirrored bootstrap (the shop's time zone and currency), None before the first
        mirror or if it cannot be read: the page then shows UTC and plain amounts."""
        try:
            stored = await run_in_threadpool(self.relay.db.bootstrap)
            return json.loads(stored[0]) if stored else None
        except Exception:  # the page is how a manager finds out what is wrong: show it anyway
            log.exception("the mirrored bootstrap could not be read")
            return None

    async def login_page(self, request: Request, *, wrong_token: bool = False) -> Response:
        speech = await self.speech(request)
        _ = speech.gettext
        return self.render(
            speech,
            401,
            view="login",
            error=_("That is not the admin token.") if wrong_token else "",
        )

    async def login(self, request: Request) -> Response:
        form = await self.form(request)
        given = form.get("token", "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            if wants_json(request):
                return _error(401, "unauthorized", "that is not the admin token")
            return await self.login_page(request, wrong_token=True)
        session = secrets.token_urlsafe(18)
        answer = RedirectResponse("/admin", 303, headers=HEADERS)
        answer.set_cookie(
            COOKIE,
            f"{session}.{_sign(self.token, f'session:{session}')}",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/admin",
        )
        return answer

    async def logout(self, request: Request) -> Response:
        checked = await self._checked_form(request)  # a forged form cannot log a manager out
        if isinstance(checked, Response):
            return checked
        answer = RedirectResponse("/admin", 303, headers=HEADERS)
        answer.delete_cookie(COOKIE, path="/admin")
        return answer

    async def _checked_form(self, request: Request) -> tuple[dict[str, str], str] | Response:
        session = self.session(request)
        if session is None:
            return _error(401, "unauthorized", "log in to the manager page first")
        form = await self.form(request)
        if not hmac.compare_digest(form.get("csrf", "").encode(), self.csrf(session).encode()):
            return _error(
                403, "csrf", "this form is stale or came from another site; reload /admin"
            )
        return form, session

    @staticmethod
    def _back(message: str) -> Response:
        return RedirectResponse("/admin?" + urlencode({"msg": message}), 303, headers=HEADERS)

    async def retry(self, request: Request) -> Response:
        checked = await self._checked_form(request)
        if isinstance(checked, Response):
            return checked
        form, _session = checked
        _ = (await self.speech(request)).gettext
        db = self.relay.db
        if form.get("all"):
            uuids = await run_in_threadpool(db.requeue_failed)
            done = _("{n} failed item(s) queued again", n=len(uuids))
        else:
            done = _((await decisions.retry(db, self.relay.client, form.get("uuid", ""))).message)
        if self.relay.forwarder is not None:
            self.relay.forwarder.wake()
        return self._back(done)

    async def approve(self, request: Request) -> Response:
        checked = await self._checked_form(request)
        if isinstance(checked, Response):
            return checked
        form, session = checked
        uuid = form.get("uuid", "")
        problem = await run_in_threadpool(self.relay.db.approve, uuid, _who(session))
        if self.relay.forwarder is not None:
            self.relay.forwarder.wake()
        _ = (await self.speech(request)).gettext
        return self._back(
            _(problem)
            if problem
            else _("{uuid} approved: forwarded to Odoo as it was sold", uuid=uuid)
        )

    async def recovery(self, request: Request) -> Response:
        """A terminal's recovery file, uploaded by the manager (recovery.py): a form with the
        file and the CSRF token from the page, or the file itself as JSON with the Bearer
        token. Refused with the reason; else what it did ("kasir-1: 3 new, 5 already here")."""
        session = self.session(request)
        if session is None:
            return _error(401, "unauthorized", "log in to the manager page first")
        kind = request.headers.get("content-type", "")
        raw = await self.relay.read_body(request, recovery.MAX_FILE_BYTES + MAX_FORM)
        if kind.startswith("multipart/form-data"):
            fields = await run_in_threadpool(_multipart, kind, raw)
            csrf = fields.get("csrf", b"").decode("utf-8", "replace")
            if not hmac.compare_digest(csrf.encode(), self.csrf(session).encode()):
                return _error(
                    403, "csrf", "this form is stale or came from another site; reload /admin"
                )
            raw = fields.get("file", b"")
        elif session != "bearer":
            return _error(415, "unsupported", "upload the file with the form on /admin")
        _ = (await self.speech(request)).gettext
        try:
            answer = await self.relay.import_file(raw, _who(session), by_manager=True)
        except recovery.RecoveryError as error:
            if wants_json(request):
                return _error(error.status, error.code, error.message)
            return self._back(_("Import refused: {error}", error=error.message))
        if wants_json(request):
            return JSONResponse(answer, headers=HEADERS)
        done = _(
            "Imported {terminal}'s unsent records: {new} new, {duplicate} already here.",
            terminal=answer["terminal"],
            new=answer["new"],
            duplicate=answer["duplicate"],
        )
        if answer["rejected"]:
            done += " · " + _("{n} refused (see Rejected records)", n=answer["rejected"])
        return self._back(done)

    async def discard(self, request: Request) -> Response:
        checked = await self._checked_form(request)
        if isinstance(checked, Response):
            return checked
        form, session = checked
        uuid = form.get("uuid", "")
        reason = " ".join(form.get("reason", "").split())[:MAX_REASON]
        if not reason:
            _ = (await self.speech(request)).gettext
            return self._back(_("say why the item is discarded"))
        outcome = await decisions.discard(
            self.relay.db, self.relay.client, uuid, reason, _who(session)
        )
        return self._back((await self.speech(request)).gettext(outcome.message))


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body (the recovery upload), read with the standard
    library's MIME parser: the relay takes no multipart dependency for one form."""
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return {}
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and name not in fields:
            fields[name] = part.get_payload(decode=True) or b""
    return fields


def _who(session: str) -> str:
    """The manager behind a decision, as the journal records it."""
    return "admin:bearer" if session == "bearer" else f"admin:{session[:6]}"


async def _disabled(request: Request) -> Response:
    return _error(404, "not_found", "admin page disabled")


def routes(relay: Any, token: str | None = None) -> list[Route]:
    """The /admin routes for the app's route list; KASIR_ADMIN_TOKEN unless `token` is given."""
    token = (os.environ.get("KASIR_ADMIN_TOKEN", "") if token is None else token).strip()
    if not token:
        return [Route("/admin{rest:path}", _disabled, methods=["GET", "POST", "HEAD"])]
    page = AdminPage(relay, token)
    return [
        Route("/admin", page.page, methods=["GET"]),
        Route("/admin/login", page.login, methods=["POST"]),
        Route("/admin/logout", page.logout, methods=["POST"]),
        Route("/admin/retry", page.retry, methods=["POST"]),
        Route("/admin/approve", page.approve, methods=["POST"]),
        Route("/admin/discard", page.discard, methods=["POST"]),
        Route("/admin/recovery", page.recovery, methods=["POST"]),
        Route("/admin/{rest:path}", _disabled_page, methods=["GET", "POST"]),
    ]


async def _disabled_page(request: Request) -> Response:
    return _error(404, "not_found", f"no such page: {request.url.path}")
