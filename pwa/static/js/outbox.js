// The outbox transport: sends unsent records to the relay and applies its per-item answers.
// Shared by the page and the service worker (Background Sync), so a flush with no page open is the
// same code. Nothing leaves the outbox before the relay accepted it; nothing is ever deleted here.

import { getMeta, setMeta, transact } from "./storage.js";

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
export async function relayFetch(path, { method = "GET", body, token, headers = {} } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(new URL(path, self.location.origin), {
      method,
      headers: {
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
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

/** Counts by state, and the reasons of failed items, for the cashier's indicator. */
export async function counts() {
  const items = await transact("outbox", "readonly",
    (s) => new Promise((resolve, reject) => {
      const req = s.outbox.getAll();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }));
  const result = { pending: 0, sent: 0, posted: 0, failed: 0, errors: [] };
  for (const item of items) {
    result[item.state] = (result[item.state] || 0) + 1;
    if (item.state === "failed") {
      result.errors.push({ uuid: item.uuid, name: item.record?.name || item.uuid, error: item.error });
    }
  }
  return result;
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

const RELAY_STATE = { queued: "sent", posted: "posted", failed: "failed" };

/** Apply the relay's answers (sync results and state changes) to the outbox in one transaction. */
function applyAnswers(results, states) {
  return transact("outbox", "readwrite", async (s) => {
    const now = new Date().toISOString();
    const update = async (uuid, change) => {
      const item = await new Promise((resolve, reject) => {
        const req = s.outbox.get(uuid);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      if (!item) return;
      // Never move an item back: posted is final, and a later state answer wins over an earlier one.
      if (item.state === "posted") return;
      s.outbox.put({ ...item, ...change, updated_at: now });
    };
    for (const r of results) {
      if (r.status === "accepted" || r.status === "duplicate") await update(r.uuid, { state: "sent" });
      else if (r.status === "rejected") {
        await update(r.uuid, { state: "failed", error: `rejected by the relay: ${r.error || "no reason"}` });
      }
    }
    for (const st of states) {
      const state = RELAY_STATE[st.status];
      if (!state) continue;
      const change = { state };
      if (st.odoo_id != null) change.odoo_id = st.odoo_id;
      if (st.status === "failed") change.error = st.error || "failed in Odoo";
      await update(st.uuid, change);
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

/** Posted/failed news for items the relay already holds. */
async function pullStates(token) {
  for (let page = 0; page < 50; page++) {
    const since = (await getMeta("state_cursor")) ?? "";
    const { data } = await relayFetch(`/api/v1/sync/state?since=${encodeURIComponent(since)}`, { token });
    const states = data.states || [];
    await applyAnswers([], states);
    await setMeta("state_cursor", data.cursor);
    if (!states.length || String(data.cursor) === String(since)) break;
  }
}
