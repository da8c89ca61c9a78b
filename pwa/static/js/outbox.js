// The outbox transport: sends unsent records to the relay and applies its per-item answers.
// Shared by the page and the service worker (Background Sync), so a flush with no page open is the
// same code. Nothing leaves the outbox before the relay accepted it; nothing is ever deleted here.

import {
  adoptRelaySeq, getMeta, newestFirst, partnerPosted, partnersNamed, setMeta, transact,
} from "./storage.js";

const BATCH_ITEMS = 100;
const BATCH_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 15000;

export class RelayError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

/** fetch against the relay with the terminal's token; JSON in, JSON out, clear errors. */
export async function relayFetch(path, { method = "GET", body, text, token, headers = {} } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(new URL(path, self.location.origin), {
      method,
      headers: {
        ...(body !== undefined || text !== undefined ? { "Content-Type": "application/json" } : {}),
        // The tablet's clock goes with its token: the manager's page shows a terminal whose
        // clock is wrong (its sales carry that clock's time).
        ...(token ? { Authorization: `Bearer ${token}`, "X-Kasir-Clock": String(Date.now()) } : {}),
        ...headers,
      },
      // `text`: JSON already written (a file as read), sent as it is.
      body: text ?? (body === undefined ? undefined : JSON.stringify(body)),
      cache: "no-store",
      signal: controller.signal,
    });
  } catch (err) {
    throw new RelayError(`relay unreachable: ${err.message || err}`);
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 304) return { status: 304, data: null, headers: response.headers };
  let data = null;
  try { data = await response.json(); } catch { /* not JSON: reported below */ }
  if (!response.ok) {
    const message = data?.error?.message || `relay answered HTTP ${response.status}`;
    throw new RelayError(message, response.status);
  }
  if (data === null) throw new RelayError("relay answered something that is not JSON", response.status);
  return { status: response.status, data, headers: response.headers };
}

export async function terminalToken() {
  const terminal = await getMeta("terminal");
  return terminal ? terminal.token : null;
}

// Outbox item states: pending -> sent (the relay accepted it) -> posted (in Odoo) | failed (Odoo
// refused it, or the manager discarded it; `retryable` is the relay's word on it) | held (the relay
// keeps it until a manager approves it) | rejected (the relay refused the record; the cashier may
// send it again with Retry). A later answer wins over an earlier one, posted is final, and a
// pending item (about to be sent again) takes only the answer to that send.
export const STATES = ["pending", "sent", "posted", "failed", "held", "rejected"];
/** The states that need someone's attention: the till never says "all sent" while any is left. */
export const ATTENTION = ["rejected", "failed", "held"];
// Before the relay journaled refusals, a refused record was stored as failed with this prefix.
const LEGACY_REJECTED = "rejected by the relay: ";

function readAll(store) {
  return transact(store, "readonly", (s) => new Promise((resolve, reject) => {
    const req = s[store].getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  }));
}

/** An item's state and reason, reading the older "failed: rejected by the relay" as rejected. */
function stateOf(item) {
  if (item.state === "failed" && typeof item.error === "string" && item.error.startsWith(LEGACY_REJECTED)) {
    return { state: "rejected", error: item.error.slice(LEGACY_REJECTED.length), retryable: true };
  }
  const retryable = item.state === "rejected" || (item.state === "failed" && item.retryable !== false);
  return { state: item.state, error: item.error ?? null, retryable };
}

function recordName(item) {
  const record = item.record || {};
  return record.name || record.values?.name || item.uuid;
}

// At most this many items waiting at the relay are listed with their reason (all are counted).
const WAITING_LISTED = 20;

/**
 * Counts by state and, for each item that needs attention (rejected, failed, held), what the
 * cashier sees of it: {pending, sent, posted, failed, held, rejected,
 * attention: [{uuid, name, kind, state, error, retryable}] (oldest first),
 * waiting: [{uuid, name, kind, state, error}]} — items at the relay that it says why it holds
 * back (e.g. no open session in Odoo), oldest first.
 */
export async function counts() {
  const items = await readAll("outbox");
  items.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const result = Object.fromEntries(STATES.map((state) => [state, 0]));
  result.attention = [];
  result.waiting = [];
  for (const item of items) {
    const { state, error, retryable } = stateOf(item);
    result[state] = (result[state] || 0) + 1;
    const seen = { uuid: item.uuid, name: recordName(item), kind: item.kind || item.record?.kind, state, error };
    if (ATTENTION.includes(state)) result.attention.push({ ...seen, retryable });
    else if (state === "sent" && error && result.waiting.length < WAITING_LISTED) result.waiting.push(seen);
  }
  return result;
}

/** Where a sale is, as the Orders screen shows it: {state, error, retryable, odoo_name}. */
function hopOf(item) {
  return { ...stateOf(item), odoo_name: item.odoo_name ?? null };
}

/** An amount as written in a record, without its sign and trailing zeros ("-28000.00" -> "28000"). */
function plainAmount(text) {
  let digits = String(text ?? "").replace(/^[-+]/, "");
  if (digits.includes(".")) digits = digits.replace(/0+$/, "").replace(/\.$/, "");
  return digits;
}

/**
 * The sales kept on this till (every order in the outbox but those Odoo booked more than
 * storage.js RETENTION_DAYS ago, which storage.pruneHistory drops), newest
 * first, that match `query` — {text, amount, from, to}, any of them: `text` in the receipt
 * number, Odoo's name or the customer's name (any case); `amount` (a plain decimal string) the
 * total, refunds included; created_at within [from, to) (ISO UTC strings). An empty query
 * matches every sale. At most `limit`, older than the sale numbered `before` when given:
 * {orders: [record + {hop}], next: the seq to pass as `before` for more, or null}.
 */
export async function findOrders(query = {}, limit = 50, before = null) {
  const text = String(query.text ?? "").trim().toLowerCase();
  const amount = query.amount ? plainAmount(query.amount) : null;
  const { from = null, to = null } = query;
  const anything = !text && !amount && !from;
  const customers = text ? await partnersNamed(text) : new Set();
  const matches = (item) => {
    const order = item.record || {};
    if ((item.kind || order.kind) !== "order") return false;
    if (anything) return true;
    if (text) {
      const names = [order.name, item.odoo_name, order.partner?.name];
      if (names.some((name) => name && String(name).toLowerCase().includes(text))) return true;
      if (customers.has(order.partner?.id) || customers.has(order.partner?.uuid)) return true;
    }
    if (amount && plainAmount(order.amount_total) === amount) return true;
    return Boolean(from && order.created_at >= from && (!to || order.created_at < to));
  };
  const { items, more } = await newestFirst("outbox", "seq", { before, limit, keep: matches });
  return {
    orders: items.map((item) => ({ ...item.record, hop: hopOf(item) })),
    next: more && items.length ? items[items.length - 1].seq : null,
  };
}

/**
 * Put rejected or failed items back to pending (same uuid, same record), so the next flush sends
 * them again: the relay checks a rejected record again, and answers a failed one with its current
 * state (it never forwards a uuid twice). Resolves with the uuids that were put back.
 */
export function retry(uuids) {
  return transact("outbox", "readwrite", async (s) => {
    const now = new Date().toISOString();
    const done = [];
    for (const uuid of uuids) {
      const item = await new Promise((resolve, reject) => {
        const req = s.outbox.get(uuid);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      if (!item || !stateOf(item).retryable) continue;
      s.outbox.put({ ...item, state: "pending", retries: (item.retries || 0) + 1, updated_at: now });
      done.push(uuid);
    }
    return done;
  }, "strict");
}

// A recovery file (server/recovery.py): every record not in Odoo yet, as one document another
// paired terminal or the manager's /admin brings to the relay, where the records stay this
// terminal's (its seqs, its uuids) and are deduplicated by uuid.
export const RECOVERY_FORMAT = "kasir-unsent-records";
const RECOVERY_VERSION = 1;

/** JSON with sorted keys and no spaces: the text `records.canonical` writes for the same value. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
const utf8 = (text) => new TextEncoder().encode(text);
const sha256 = async (text) => hex(await crypto.subtle.digest("SHA-256", utf8(text)));

/** HMAC-SHA256 of `text` keyed with `key` (the sha256 of the token): the file's seal. */
async function hmac(key, text) {
  const secret = await crypto.subtle.importKey(
    "raw", utf8(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", secret, utf8(text)));
}

/**
 * Every record not in Odoo yet (pending, sent, held, failed, rejected) as a recovery file:
 * {format, version, terminal: {name, id}, shop: {company_id, config_id}, exported_at,
 * records: [the records as sent], states: [{uuid, state, error}], sha256, seal}. `sha256`
 * covers the canonical body (all but sha256 and seal): a damaged file is refused; `seal`, keyed
 * with the sha256 of this terminal's token, shows the relay that this terminal made it.
 */
export async function exportUnsent() {
  const items = (await readAll("outbox")).filter((item) => item.state !== "posted");
  items.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const terminal = (await getMeta("terminal")) ?? {};
  const bootstrap = (await getMeta("bootstrap")) ?? {};
  const key = terminal.token ? await sha256(terminal.token) : null;
  // Through JSON and back: what the file will say, with no undefined left to canonicalise.
  const body = JSON.parse(JSON.stringify({
    format: RECOVERY_FORMAT,
    version: RECOVERY_VERSION,
    terminal: { name: terminal.name ?? null, id: key && (await sha256(key)).slice(0, 16) },
    shop: { company_id: bootstrap.company?.id ?? null, config_id: bootstrap.config?.id ?? null },
    exported_at: new Date().toISOString(),
    records: items.map((item) => item.record),
    states: items.map((item) => {
      const { state, error } = stateOf(item);
      return { uuid: item.uuid, state, error };
    }),
  }));
  const text = canonical(body);
  return { ...body, sha256: await sha256(text), seal: key && (await hmac(key, text)) };
}

/**
 * Bring a recovery file (its text, as read) to the relay with this terminal's token; the relay
 * checks it and takes its records as the terminal that made it. Resolves with what it did
 * ({terminal, records, new, duplicate, rejected, sealed, results}); a RelayError says why not.
 */
export async function importFile(text) {
  const token = await terminalToken();
  if (!token) throw new RelayError("this terminal is not paired yet");
  const { data } = await relayFetch("/api/v1/recovery", { method: "POST", token, text });
  return data;
}

function pendingBatch() {
  return transact("outbox", "readonly", (s) => new Promise((resolve, reject) => {
    const batch = [];
    let bytes = 0;
    const req = s.outbox.index("seq").openCursor();
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor || batch.length >= BATCH_ITEMS) return resolve(batch);
      const item = cursor.value;
      if (item.state === "pending") {
        const size = JSON.stringify(item.record).length;
        if (batch.length && bytes + size > BATCH_BYTES) return resolve(batch);
        batch.push(item);
        bytes += size;
      }
      cursor.continue();
    };
  }));
}

// What the relay's state feed says, as outbox states.
const RELAY_STATE = { queued: "sent", posted: "posted", failed: "failed", held: "held", rejected: "rejected" };
const NO_REASON = { failed: "failed in Odoo (no reason given)", held: "held for the manager (no reason given)",
                    rejected: "refused by the relay (no reason given)" };

/**
 * Apply the relay's answers (sync results and state changes) to the outbox in one transaction;
 * a customer made here and now posted moves to its Odoo id in the same one.
 */
function applyAnswers(results, states) {
  return transact(["outbox", "partners"], "readwrite", async (s) => {
    const now = new Date().toISOString();
    const update = async (uuid, change, { fromFeed = false } = {}) => {
      const item = await new Promise((resolve, reject) => {
        const req = s.outbox.get(uuid);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      if (!item) return;
      // Posted is final. A pending item is about to be sent (again, after a Retry): only the answer
      // to that send counts, never older news from the feed. Otherwise the later answer wins.
      if (item.state === "posted") return;
      if (fromFeed && item.state === "pending") return;
      s.outbox.put({ ...item, ...change, updated_at: now });
      if (change.state === "posted" && change.odoo_id != null && item.record?.kind === "partner"
          && item.record.op === "create") await partnerPosted(s, uuid, change.odoo_id);
    };
    for (const r of results) {
      if (r.status === "accepted" || r.status === "duplicate") {
        await update(r.uuid, { state: "sent", error: null, retryable: null });
      } else if (r.status === "rejected") {
        await update(r.uuid, { state: "rejected", error: r.error || NO_REASON.rejected, retryable: true });
      }
    }
    for (const st of states) {
      const state = RELAY_STATE[st.status];
      if (!state) continue;
      // A queued item keeps the relay's word on why it waits (e.g. no open session in Odoo).
      const change = { state, error: state === "sent" ? st.error ?? null : null, retryable: null };
      if (st.odoo_id != null) change.odoo_id = st.odoo_id;
      if (st.odoo_name) change.odoo_name = st.odoo_name;
      if (NO_REASON[state]) change.error = st.error || NO_REASON[state];
      if (state === "failed") change.retryable = st.retryable !== false;
      if (state === "rejected") change.retryable = true;
      await update(st.uuid, change, { fromFeed: true });
    }
  }, "strict");
}

let running = null;

/**
 * Send every pending item, then fetch state changes. Resolves with the counts; rejects with a
 * RelayError when the relay cannot be reached (the items stay pending).
 * One flush at a time per context; across page and worker, the relay's idempotency makes an
 * overlapping send harmless (the second gets `duplicate`).
 */
export function flush() {
  if (!running) running = doFlush().finally(() => { running = null; });
  return running;
}

/** Whether this context is sending now (a flush is a few requests in a row). */
export const flushing = () => running !== null;

/** A flush that starts after the one running now, so it sends what was just put back to pending. */
export async function flushAgain() {
  if (running) await running.catch(() => {});
  return flush();
}

async function doFlush() {
  const token = await terminalToken();
  if (!token) throw new RelayError("this terminal is not paired yet");
  for (;;) {
    const batch = await pendingBatch();
    if (!batch.length) break;
    const { data } = await relayFetch("/api/v1/sync", {
      method: "POST", token, body: { items: batch.map((item) => item.record) },
    });
    await applyAnswers(data.results || [], data.states || []);
    if (batch.length < BATCH_ITEMS) break;
  }
  await pullStates(token);
  return counts();
}

let relayClock = null;

/**
 * How far this tablet's clock was from the relay's at the last state pull, in ms (+: the tablet
 * is ahead), with when that was: {skew_ms, at}; null before one. The relay's `now` is taken as
 * the middle of the request, so the network's delay does not count as skew.
 */
export const clockSkew = () => relayClock;

/**
 * State news (queued, held, posted, failed, rejected) for items the relay already holds; the
 * relay's clock against ours; and the relay's last seq of this terminal, which a tablet whose
 * storage was cleared (or restored from an old copy) goes on after (storage.adoptRelaySeq).
 */
async function pullStates(token) {
  for (let page = 0; page < 50; page++) {
    const since = (await getMeta("state_cursor")) ?? "";
    const asked = Date.now();
    const { data } = await relayFetch(`/api/v1/sync/state?since=${encodeURIComponent(since)}`, { token });
    const answered = Date.now();
    const relayNow = Date.parse(data.now ?? "");
    if (page === 0 && Number.isFinite(relayNow)) {
      relayClock = { skew_ms: Math.round((asked + answered) / 2 - relayNow), at: answered };
    }
    if (page === 0 && Number.isInteger(data.last_seq)) await adoptRelaySeq(data.last_seq);
    const states = data.states || [];
    await applyAnswers([], states);
    await setMeta("state_cursor", data.cursor);
    if (!states.length || String(data.cursor) === String(since)) break;
  }
}
