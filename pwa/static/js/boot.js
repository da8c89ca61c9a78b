// Boot: shell and progress at once, Pyodide from the build's own files, then the Python till.
// Data work (pairing, refresh from the relay) runs while Python loads. A watchdog turns a stuck
// boot into an error screen that still offers reload and data export.

import * as storage from "./storage.js";
import * as outbox from "./outbox.js";
import * as relay from "./relay.js";
import * as register from "./register_lock.js";
import * as snapshot from "./snapshot.js";
import { current as catalog, load as loadLanguage, pick as pickLanguage, t } from "./i18n.js";
import { configureScanner, installScanner } from "./scanner.js";
import { installKeys, settleRoving } from "./keys.js";
import { morph, Stale } from "./morph.js";
import { configurePaper, printIfRequested, requestPrint, zoneOffset } from "./receipt.js";

const config = JSON.parse(document.getElementById("kasir-boot").textContent);
const abs = (url) => new URL(url, location.href).href;
const WATCHDOG_MS = Number(new URLSearchParams(location.search).get("watchdog")) || 30000;

const $ = (id) => document.getElementById(id);
const app = $("app");
let till = null;            // the Python module till.browser
let terminal = null;        // {name, token} once paired
let lastCounts = null;
let syncOk = null;          // did the last flush reach the relay?

function step(percent, text) {
  $("boot-progress").style.width = `${percent}%`;
  $("boot-step").removeAttribute("data-i18n");
  $("boot-step").textContent = text;
}

function fail(message) {
  console.error("kasir boot failed:", message);
  $("boot-error").removeAttribute("data-i18n");
  $("boot-error").textContent = t("kasir could not start: {reason}", { reason: message });
  $("boot").classList.add("failed");
  document.body.classList.remove("ready");
}

const watchdog = setTimeout(
  () => fail(t("it took too long to start (the watchdog stopped waiting)")), WATCHDOG_MS);

$("boot-reload").addEventListener("click", () => location.reload());
// The error screen saves the same recovery file as the till's sync panel: another till or
// /admin brings it to the relay (server/recovery.py).
$("boot-export").addEventListener("click", async () => {
  try {
    const { file, records } = await exportOutbox();
    $("boot-exported").textContent = t("Saved {n} unsent records to {file}.", { n: records, file });
  } catch (err) {
    $("boot-exported").textContent = t("Export failed: {error}", { error: err.message });
  }
});

/** Every record not in Odoo yet, saved as the recovery file kasir-<terminal>-<YYYY-MM-DD>.json. */
async function exportOutbox() {
  const dump = await outbox.exportUnsent();
  const now = new Date();
  const day = [now.getFullYear(), now.getMonth() + 1, now.getDate()]
    .map((n) => String(n).padStart(2, "0")).join("-");
  const file = storage.downloadJson(`kasir-${storage.fileSafe(dump.terminal.name)}-${day}.json`, dump);
  return { file, records: dump.records.length };
}

// --- the bridge Python calls (strings in, strings out: no proxies to leak) ----------------------

function notifyServiceWorkerSync() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready
    .then((reg) => reg.sync && reg.sync.register("kasir-outbox"))
    .catch(() => { /* Background Sync is a bonus, the page's own loop still runs */ });
}

async function countsWithHints() {
  const counts = await outbox.counts();
  // The tablet itself beside its sales: storage kept or not, how full, cleared; its clock.
  const device = { ...(await storage.storageReport()), clock: outbox.clockSkew() };
  return { ...counts, online: navigator.onLine && syncOk !== false, device };
}

const bridge = {
  loadBootstrap: async () => JSON.stringify((await storage.getMeta("bootstrap")) ?? null),
  loadCatalog: async () => JSON.stringify(await storage.getAll("catalog")),
  refresh: async () => relay.refresh(),
  loadDraft: async () => JSON.stringify((await storage.loadDraft()) ?? null),
  saveDraft: async (json) => storage.saveDraft(JSON.parse(json)),
  parkedSales: async () => JSON.stringify(await storage.parkedSales()),
  parkSale: async (parked, current) => storage.parkSale(JSON.parse(parked), JSON.parse(current)),
  resumeParked: async (key, current, park) =>
    storage.resumeParked(key, JSON.parse(current), JSON.parse(park)),
  discardParked: async (key) => storage.discardParked(key),
  nextSeq: async () => storage.nextSeq(),
  finishSale: async (json, seq) => {
    await storage.finishSale(JSON.parse(json), seq);
    notifyServiceWorkerSync();
  },
  loadSession: async () => JSON.stringify((await storage.getMeta("session")) ?? null),
  recordDay: async (json, seq, session) => {
    await storage.recordDay(JSON.parse(json), seq, JSON.parse(session));
    notifyServiceWorkerSync();
  },
  sessionRecords: async (uuid) => JSON.stringify(await storage.sessionRecords(uuid)),
  recentOrders: async (limit) => JSON.stringify(await storage.recentOrders(limit)),
  findPartners: async (query, limit) => JSON.stringify(await storage.findPartners(query, limit)),
  getPartner: async (key) => JSON.stringify((await storage.getPartner(JSON.parse(key))) ?? null),
  partnerWithBarcode: async (code) =>
    JSON.stringify((await storage.partnerWithBarcode(code)) ?? null),
  savePartner: async (partner, record, seq) => {
    await storage.savePartner(JSON.parse(partner), JSON.parse(record), seq);
    notifyServiceWorkerSync();
  },
  findOrders: async (query, limit, before) =>
    JSON.stringify(await outbox.findOrders(JSON.parse(query), limit, before)),
  shopOrders: async (query) => JSON.stringify(await relay.findOrders(query)),
  outboxCounts: async () => JSON.stringify(await countsWithHints()),
  syncNow: async () => {
    await runSync();
    return JSON.stringify(lastCounts ?? (await countsWithHints()));
  },
  retrySale: async (uuid) => {
    await outbox.retry([uuid]);
    await runSync({ again: true });
    return JSON.stringify(lastCounts ?? (await countsWithHints()));
  },
  exportOutbox: async () => JSON.stringify(await exportOutbox()),
  storageSeen: async () => storage.acknowledgeLost(),
  // A refusal comes back as {refused: reason}: the cashier reads the relay's words alone.
  importRecords: async (text) => {
    try {
      return JSON.stringify(await outbox.importFile(text));
    } catch (err) {
      return JSON.stringify({ refused: err.message || String(err) });
    }
  },
  pair: async (code) => {
    const answer = await relay.pair(code);
    terminal = await storage.getMeta("terminal");
    await relay.refresh();
    setTimeout(backgroundSync, 0);
    return JSON.stringify(answer);
  },
  terminal: () => (terminal ? terminal.name : null),
  catalog: () => JSON.stringify(catalog()),
  loadLanguage: async (lang) => JSON.stringify(await loadLanguage(lang)),
  loadSettings: async () => JSON.stringify((await storage.getMeta("settings")) ?? {}),
  saveSettings: async (json) => {
    const settings = JSON.parse(json);
    await storage.setMeta("settings", settings);
    configureScanner(settings);
    configurePaper(settings);
  },
  loadCashiers: async () => JSON.stringify((await storage.getMeta("cashiers")) ?? {}),
  saveCashiers: (json) => storage.setMeta("cashiers", JSON.parse(json)),
  printReceipt: requestPrint,
  takeOver: async () => {
    await register.takeOver();
    terminal = (await storage.getMeta("terminal")) ?? null;  // the other tab may have paired
    setTimeout(backgroundSync, 0);
  },
  zoneOffset: (zone, epochMs) => JSON.stringify(zoneOffset(zone, epochMs)),
};

// --- painting and events --------------------------------------------------------------------------

function paint(html, { aside = false } = {}) {
  performance.mark("kasir:paint");
  const active = document.activeElement;
  // A field keeps the focus through a repaint; a repaint from aside keeps it on any element
  // (a background sync must not move the cashier's focus, e.g. off the help's Close). What it
  // holds is noted first: the repaint gives a kept field the value the new screen says.
  const keep = active && active.id && (aside || active.tagName === "INPUT") ? {
    id: active.id, tagName: active.tagName, type: active.type, value: active.value,
    defaultValue: active.defaultValue, start: active.selectionStart, end: active.selectionEnd,
  } : null;
  // Nor may it eat what was typed in the other fields of a form (a customer's name, then the phone).
  const typed = aside ? [...app.querySelectorAll("input[id]")]
    .filter((el) => el.id !== keep?.id && el.type !== "hidden" && el.value !== el.defaultValue)
    .map((el) => ({ id: el.id, type: el.type, value: el.value })) : [];
  try {
    morph(app, html);
  } catch (err) {
    if (!(err instanceof Stale)) throw err;
    console.info("kasir: repainting the whole screen:", err.message);
    morph(app, till.render());  // the page lacked a fragment the till thought it kept
  }
  performance.mark("kasir:painted");
  settleRoving(app);
  for (const was of typed) {
    const field = $(was.id);
    if (field && field.type === was.type) field.value = was.value;
  }
  const lines = $("cart-lines");
  // An open dialog holds the focus: what is under it is inert, and focus left there is lost.
  const scope = app.querySelector('[aria-modal="true"]') || app;
  const kept = keep && $(keep.id);
  // A question, or the field a refusal is about, takes the focus (a repaint from aside leaves it).
  const wanted = aside ? null : scope.querySelector('.confirm [autofocus], [aria-invalid="true"]');
  const target = wanted || (kept && scope.contains(kept) ? kept : null)
    || scope.querySelector("[autofocus]");
  if (target) {
    if (keep && keep.tagName === "INPUT" && target.id === keep.id && target.type === keep.type) {
      // A repaint from aside (sync news, a scan, a search as you type) must not eat what the
      // cashier typed and not sent yet.
      if (aside && keep.value !== keep.defaultValue) target.value = keep.value;
      // The same text keeps its caret (a new field would put it first: typing on goes astray).
      if (target.value === keep.value) {
        try { target.setSelectionRange(keep.start, keep.end); } catch { /* not text */ }
      }
    }
    if (document.activeElement !== target) target.focus();
  }
  // The line the action changed comes into view: in a long sale the newest line is never hidden.
  const reveal = lines?.dataset.reveal;
  if (reveal) {
    lines.querySelector(`[data-line-uuid="${CSS.escape(reveal)}"]`)
      ?.scrollIntoView({ block: "nearest" });
  }
}

let queue = Promise.resolve();

/** The till's answer: the new screen at once, or a Python task that gives it (browser.handle). */
async function answered(answer) {
  if (typeof answer === "string") return answer;
  try {
    return await answer;
  } finally {
    answer.destroy();
  }
}

/** Every action goes to Python one at a time, then the screen is repainted. */
function dispatch(action, data = {}, { aside = false } = {}) {
  queue = queue.then(async () => {
    paint(await answered(till.handle(action, JSON.stringify(data))), { aside });
    printIfRequested();  // a receipt prints once it is on screen
    offerUpdate();
    // The open sale is saved once the change is on screen; a save that fails says so.
    const said = await till.save_changes();
    if (said) paint(said, { aside: true });
  }).catch((err) => console.error("kasir: action failed", action, err));
  return queue;
}

app.addEventListener("click", (event) => {
  const el = event.target.closest("[data-action]");
  if (!el || el.tagName === "FORM" || !app.contains(el)) return;
  event.preventDefault();
  // A sale line's buttons name no line: theirs is the one they are on (till/sell.py).
  const arg = el.dataset.arg ?? el.closest("[data-line-uuid]")?.dataset.lineUuid ?? null;
  dispatch(el.dataset.action, { arg });
});

app.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-action]");
  if (!form) return;
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  data.arg ??= form.closest("[data-line-uuid]")?.dataset.lineUuid;  // a line's qty form
  dispatch(form.dataset.action, data);
});

// A PIN pad (till/cashiers.py): its keys type into their PIN field as a keyboard would, and the
// field keeps the focus (a repaint from aside keeps what a field holds only while it has it).
app.addEventListener("mousedown", (event) => {
  if (event.target.closest("[data-pin-key]")) event.preventDefault();
});
app.addEventListener("click", (event) => {
  const key = event.target.closest("[data-pin-key]");
  const field = key && $(key.dataset.pinField);
  if (!field) return;
  const digit = key.dataset.pinKey;
  field.value = digit === "back" ? field.value.slice(0, -1) : field.value + digit;
  field.focus();
});

// Search as you type: the grid (or the customer list) follows its search field a moment after the
// last key, sent from aside so the field keeps the focus and what is typed meanwhile. A scan typed
// into the field stays a scan: scanner.js gives the field its text back before this looks at it.
const SEARCH_MS = 120;
// Keys closer than this come from a scanner, not a person: its Enter may come up to a second
// later (scanner.js), and a search sent meanwhile would repaint the field in the middle of the
// burst and take the rest of it for a search.
const SCANNER_KEY_MS = 50;
const SCAN_WAIT_MS = 1000;
const AS_YOU_TYPE = { search: "search", "customer-q": "customer-search" };  // field id -> action
let searchTimer = null;
let lastInputAt = -Infinity;
let scannerAt = -Infinity;  // the last key that came at a scanner's speed
app.addEventListener("input", (event) => {
  const id = event.target.id;
  if (!Object.hasOwn(AS_YOU_TYPE, id)) return;
  if (event.timeStamp - lastInputAt < SCANNER_KEY_MS) scannerAt = event.timeStamp;
  lastInputAt = event.timeStamp;
  const wait = event.timeStamp - scannerAt < SCAN_WAIT_MS ? SCAN_WAIT_MS : SEARCH_MS;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    const field = $(id);  // a repaint may have replaced the field the keys went to
    if (!field || field.value.trim() === field.defaultValue.trim()) return;
    // The field's default becomes what the till keeps (trimmed), so a repaint keeps what differs:
    // keys typed meanwhile, and a trailing space before the next word.
    field.defaultValue = field.value.trim();
    dispatch(AS_YOU_TYPE[id], { q: field.value }, { aside: true });
  }, wait);
});

// A file chosen in an input marked data-import (the sync panel's recovery file) goes to its
// action as text; the input is emptied at once, so a repaint from aside has nothing to restore.
app.addEventListener("change", async (event) => {
  const input = event.target.closest("input[type=file][data-import]");
  const file = input?.files?.[0];
  if (!file) return;
  input.value = "";
  dispatch(input.dataset.import, { file: await file.text(), name: file.name });
});

// A count typed in a form marked data-live (the drawer's banknotes and coins): its running
// total follows a moment after the last key, from aside, computed by Python (Decimal money).
let liveTimer = null;
app.addEventListener("input", (event) => {
  const form = event.target.closest("form[data-live]");
  if (!form) return;
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    if (!form.isConnected) return;  // repainted meanwhile: the next key sends the new one
    dispatch(form.dataset.live, Object.fromEntries(new FormData(form)), { aside: true });
  }, SEARCH_MS);
});

// A burst of keys ending in Enter or Tab is a barcode scan wherever focus is (scanner.js).
installScanner({
  dispatch: (action, data) => dispatch(action, data, { aside: true }),
  canScan: () => Boolean(till?.can_scan()) });
installKeys(dispatch);  // F-key shortcuts, Escape, arrow keys in the grid (keys.js)
storage.getMeta("settings")
  .then((settings) => { configureScanner(settings); configurePaper(settings); })
  .catch((err) => console.warn("kasir: settings not read, defaults used:", err.message));

// --- syncing ----------------------------------------------------------------------------------

const SYNC_IDLE_MS = 30000;
const SYNC_MIN_MS = 2000;
const SYNC_MAX_MS = 60000;
let syncDelay = SYNC_MIN_MS;
let syncTimer = null;

async function runSync({ again = false } = {}) {
  clearTimeout(syncTimer);
  // Only the register's tab sends (register_lock.js); another tab only shows the counts.
  if (register.readOnly()) return (lastCounts = await countsWithHints());
  try {
    await (again ? outbox.flushAgain() : outbox.flush());
    syncOk = true;
    syncDelay = SYNC_MIN_MS;
  } catch (err) {
    syncOk = false;
    syncDelay = Math.min(syncDelay * 2, SYNC_MAX_MS);
    console.warn("kasir: sync failed, will retry:", err.message);
  }
  lastCounts = await countsWithHints();
  register.announce();
  const wait = syncOk && !lastCounts.pending && !lastCounts.sent ? SYNC_IDLE_MS : syncDelay;
  // Full jitter keeps a shop's terminals from retrying in lockstep after an outage.
  syncTimer = setTimeout(backgroundSync, syncOk ? wait : Math.random() * wait);
  return lastCounts;
}

async function backgroundSync() {
  if (!terminal) return;
  const counts = await runSync();
  if (till) dispatch("outbox-changed", { counts }, { aside: true });
}

// Sales Odoo booked long ago leave the tablet a little after each start, then once a day (by
// the register's tab: another one only shows it).
const PRUNE_AFTER_MS = 3000;
const PRUNE_EVERY_MS = 24 * 3600 * 1000;
const prune = () => register.readOnly() || storage.pruneHistory()
  .catch((err) => console.warn("kasir: old sales not pruned:", err.message));
setTimeout(prune, PRUNE_AFTER_MS);
setInterval(prune, PRUNE_EVERY_MS);

window.addEventListener("online", () => backgroundSync());
window.addEventListener("offline", () => { syncOk = false; if (till) backgroundSync(); });

// --- service worker and updates ---------------------------------------------------------------

let waitingWorker = null;
let updateTimer = null;
// Chromium stops the old worker as soon as it is idle, then activates the new one. A request from
// this page that comes meanwhile (a picture the repaint just asked for, a sync's next request)
// starts the old one again, and the new one then waits until the old one has been idle for 30 s,
// which the sync every 30 s may never allow: up to Chromium's 5 minutes, into the next sale. So the
// page hands over once its own requests are done: a moment after its last repaint, not mid-sync.
const HAND_OVER_MS = 1000;

function offerUpdate() {
  clearTimeout(updateTimer);
  if (waitingWorker) updateTimer = setTimeout(handOver, HAND_OVER_MS);
}

function handOver() {
  // A new version is activated between sales, never in the middle of one.
  if (!waitingWorker || !till || !till.idle() || register.readOnly()) return;
  if (outbox.flushing()) return offerUpdate();
  waitingWorker.postMessage({ type: "activate" });
  waitingWorker = null;
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  // The first worker taking control (clients.claim) needs no reload; a later one is a new version.
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (controlled) location.reload();
    controlled = true;
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "outbox-changed" && till) {
      countsWithHints().then((counts) => dispatch("outbox-changed", { counts }, { aside: true }));
    }
  });
  try {
    const reg = await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" });
    const watch = (worker) => worker && worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) {
        waitingWorker = worker;
        offerUpdate();
      }
    });
    if (reg.waiting && navigator.serviceWorker.controller) waitingWorker = reg.waiting;
    watch(reg.installing);
    reg.addEventListener("updatefound", () => watch(reg.installing));
    offerUpdate();
  } catch (err) {
    console.warn("kasir: service worker registration failed:", err);
  }
}

// --- boot ---------------------------------------------------------------------------------------

async function pairFromUrl() {
  const params = new URLSearchParams(location.search);
  const code = params.get("pair");
  if (!code) return;
  if (!(await storage.getMeta("terminal"))) {
    try {
      await relay.pair(code);
    } catch (err) {
      console.warn("kasir: pairing from the URL failed:", err.message);
    }
  }
  params.delete("pair");
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
}

/** The cashier's choice, else the shop's language from Odoo, else the tablet's (i18n.pick). */
async function chooseLanguage() {
  try {
    const settings = (await storage.getMeta("settings")) ?? {};
    const bootstrap = await storage.getMeta("bootstrap");
    const lang = pickLanguage(settings.language, bootstrap?.lang);
    if (lang !== catalog().language) await loadLanguage(lang);
  } catch (err) {
    console.warn("kasir: no language chosen, speaking English:", err.message);
  }
}

async function boot() {
  window.kasirBootStartedAt = performance.now();
  // Python starts at once, from this build's snapshot when the device keeps one (snapshot.js), else
  // the long way; the language, the register's lock and the data come meanwhile.
  const python = snapshot.startPython(import(abs(`${config.indexURL}pyodide.mjs`)), {
    indexURL: abs(config.indexURL),
    lockFileURL: abs(config.lockFileURL),
    packageBaseUrl: abs(config.packageBaseUrl),
    convertNullToNone: true,  // the bridge answers null for "nothing", Python expects None
  }, { packages: config.packages, bridge, loaded: () => step(60, t("Loading the register…")) });
  python.catch(() => {});  // awaited below, where a failure is reported
  await chooseLanguage();
  step(5, t("Loading Python…"));
  storage.keepStorage().catch(() => {});
  // A tab that only shows the register (another one sells) neither pairs nor writes the catalog.
  const claimed = register.claim(
    () => till && dispatch("read-only", { reason: register.readOnly() }, { aside: true }),
    () => till && backgroundSync());
  const data = claimed.then(async (readOnly) => {
    if (!readOnly) await pairFromUrl();
    terminal = (await storage.getMeta("terminal")) ?? null;
    const stored = await storage.getMeta("bootstrap");
    const refreshing = terminal && !readOnly
      ? relay.refresh().catch(() => false) : Promise.resolve(false);
    // With data on the device, start from it and let the refresh land in the background.
    return stored ? null : refreshing;
  });

  till = (await python).pyimport("till.browser");
  step(80, t("Loading the catalog…"));
  await data;
  await chooseLanguage();  // a till paired just now has learnt the shop's language
  await till.start();
  const why = register.readOnly();
  if (why) await answered(till.handle("read-only", JSON.stringify({ reason: why })));
  paint(till.render());
  document.body.classList.add("ready");
  clearTimeout(watchdog);
  window.kasirReadyAt = performance.now();
  window.kasirTill = { dispatch, ready: () => till.ready(), settled: () => queue.then(() => true) };
  registerServiceWorker();
  if (terminal) backgroundSync();
  snapshot.keepMade();
}

boot().catch((err) => fail(err?.message || String(err)));
