// IndexedDB for kasir: the one place that opens the database, shared by the page and the service worker.
// Python cannot await between two requests of one transaction (it would auto-commit), so every
// multi-step write lives here as a single transaction.

const DB_NAME = "kasir";
const DB_VERSION = 1;

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("meta");
        db.createObjectStore("catalog", { keyPath: "id" }).createIndex("barcode", "barcode");
        db.createObjectStore("partners", { keyPath: "id" });
        db.createObjectStore("orders", { keyPath: "uuid" });
        db.createObjectStore("outbox", { keyPath: "uuid" }).createIndex("seq", "seq");
        db.createObjectStore("drafts");
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading the schema: let it, this connection reopens on next use.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
      req.onblocked = () => reject(new Error("kasir database is blocked by another tab"));
    });
  }
  return opening;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
}

function result(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Run `work(stores)` in one transaction and resolve after it committed. */
export async function transact(names, mode, work, durability = "default") {
  const db = await openDb();
  const tx = db.transaction(names, mode, { durability });
  const finished = done(tx);
  const stores = Object.fromEntries([names].flat().map((n) => [n, tx.objectStore(n)]));
  let value;
  try {
    value = await work(stores, tx);
  } catch (err) {
    finished.catch(() => {});
    try { tx.abort(); } catch { /* already finished */ }
    throw err;
  }
  await finished;
  return value;
}

export const getMeta = (key) => transact("meta", "readonly", (s) => result(s.meta.get(key)));
export const setMeta = (key, value) =>
  transact("meta", "readwrite", (s) => { s.meta.put(value, key); });
export const getAll = (store) => transact(store, "readonly", (s) => result(s[store].getAll()));

export const loadDraft = () => transact("drafts", "readonly", (s) => result(s.drafts.get("current")));
export const saveDraft = (draft) =>
  transact("drafts", "readwrite", (s) => { s.drafts.put(draft, "current"); });

// Parked sales sit beside the open one in `drafts`, each as {key, ...} under its key
// "parked:<cart uuid>": no new store, so no schema upgrade for tills already in use.
const PARKED = "parked:";
const parkedKey = (key) => {
  if (!String(key).startsWith(PARKED)) throw new Error(`not a parked sale: ${key}`);
  return String(key);
};

export const parkedSales = () => transact("drafts", "readonly",
  (s) => result(s.drafts.getAll(IDBKeyRange.bound(PARKED, `${PARKED}\uffff`))));

/** Park a sale and open `current` in its place, in one transaction: no sale is ever in neither. */
export const parkSale = (parked, current) => transact("drafts", "readwrite", (s) => {
  s.drafts.put(parked, parkedKey(parked.key));
  s.drafts.put(current, "current");
}, "strict");

/**
 * Take parked sale `key` back as the open sale `current`, parking `park` (the sale that was
 * open) if given, in one transaction; false, with nothing changed, when `key` is not parked.
 */
export const resumeParked = (key, current, park) => transact("drafts", "readwrite", async (s) => {
  if ((await result(s.drafts.getKey(parkedKey(key)))) === undefined) return false;
  s.drafts.delete(key);
  s.drafts.put(current, "current");
  if (park) s.drafts.put(park, parkedKey(park.key));
  return true;
}, "strict");

export const discardParked = (key) =>
  transact("drafts", "readwrite", (s) => { s.drafts.delete(parkedKey(key)); });

/** The next gap-free sequence number of this terminal (allocated for real by finishSale). */
export async function nextSeq() {
  return ((await getMeta("seq")) || 0) + 1;
}

/**
 * A finished sale: history, outbox, sequence and the cleared draft in ONE strict transaction,
 * so a crash leaves either all of it or none of it.
 */
export function finishSale(order, seq) {
  return transact(["orders", "outbox", "meta", "drafts"], "readwrite", async (s) => {
    await queue(s, order, seq);
    s.orders.add(order);
    s.drafts.delete("current");
  }, "strict");
}

// The tab that holds the register (register_lock.js), also kept in meta "register": a tab that
// lost it (another tab took over) can no longer take a sequence number, even mid-sale.
let registerTab = null;

/** This tab is the register from now on; resolves once the database says so (no need to wait
 * for the disk: after a crash every tab starts again and claims the register anew). */
export function holdRegister(tab) {
  registerTab = tab;
  return transact("meta", "readwrite", (s) => { s.meta.put(tab, "register"); });
}

/**
 * Inside a transaction over `outbox` and `meta`: `record` queued with the terminal's next
 * sequence number `seq`, which it takes (a number another record took first is refused, and so
 * is any number when another tab holds the register).
 */
async function queue(s, record, seq) {
  const holder = await result(s.meta.get("register"));
  if (holder !== undefined && holder !== registerTab) {
    throw new Error("another tab or window of this browser is the register now");
  }
  const last = (await result(s.meta.get("seq"))) || 0;
  if (seq !== last + 1) throw new Error(`sequence ${seq} is taken (last is ${last}); try again`);
  const now = new Date().toISOString();
  s.outbox.add({ uuid: record.uuid, seq, kind: record.kind, record, state: "pending",
                 error: null, odoo_id: null, created_at: now, updated_at: now });
  s.meta.put(seq, "seq");
}

/**
 * The relay holds this terminal's records up to `lastSeq`: when this tablet's own count is lower,
 * its storage was cleared (or restored from an old copy). Its sequence then goes on after the
 * relay's, in ONE transaction with the note of what happened (meta "storage_lost"), so a new sale
 * never takes a number a sale at the relay already has. Resolves with that note, or null.
 */
export async function adoptRelaySeq(lastSeq) {
  // The usual answer (the relay has no more than this tablet) costs no write.
  if (!(lastSeq > ((await getMeta("seq")) || 0))) return null;
  return transact("meta", "readwrite", async (s) => {
    const local = (await result(s.meta.get("seq"))) || 0;
    if (!(lastSeq > local)) return null;
    const lost = { relay_seq: lastSeq, local_seq: local, missing: lastSeq - local, next: lastSeq + 1,
                   at: new Date().toISOString(), seen: false };
    s.meta.put(lastSeq, "seq");
    s.meta.put(lost, "storage_lost");
    return lost;
  }, "strict");
}

/** The cashier has read the note of cleared storage: the top bar stops showing it. */
export const acknowledgeLost = () => transact("meta", "readwrite", async (s) => {
  const lost = await result(s.meta.get("storage_lost"));
  if (lost) s.meta.put({ ...lost, seen: true }, "storage_lost");
});

/**
 * Ask the browser to keep this tablet's storage (never evict it under pressure) and note its
 * answer (meta "persisted"), at pairing and at each start: an installed app is granted it later.
 */
export async function keepStorage() {
  let persisted = null;
  try {
    persisted = Boolean(await navigator.storage.persist());
  } catch { /* no StorageManager here: unknown */ }
  await setMeta("persisted", { persisted, asked_at: new Date().toISOString() });
  return persisted;
}

/**
 * What the manager and the cashier are told about this tablet's storage: {persisted (the
 * browser's answer: true kept, false may be cleared, null not known), usage, quota (bytes, or
 * null), lost (the note adoptRelaySeq made, or null)}.
 */
export async function storageReport() {
  const [kept, lost] = await Promise.all([getMeta("persisted"), getMeta("storage_lost")]);
  let estimate = null;
  try {
    estimate = await navigator.storage.estimate();
  } catch { /* no StorageManager here */ }
  return { persisted: kept?.persisted ?? null, usage: estimate?.usage ?? null,
           quota: estimate?.quota ?? null, lost: lost ?? null };
}

/** Days a sale Odoo has booked stays on the tablet; older ones the relay's search still finds. */
export const RETENTION_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Drop from the history and the outbox what Odoo booked (posted) more than `days` ago, so the
 * store cannot fill: never a record that is not posted (pending, sent, held, failed, rejected),
 * nor one of the day still open (its drawer is counted from them), nor a draft or a parked sale.
 * One transaction; walks the outbox oldest first and stops at the first record younger than
 * that. Resolves with how many records went.
 */
export function pruneHistory(days = RETENTION_DAYS, now = Date.now()) {
  const before = now - days * DAY_MS;
  return transact(["outbox", "orders", "meta"], "readwrite", async (s) => {
    const open = (await result(s.meta.get("session")))?.uuid ?? null;
    return new Promise((resolve, reject) => {
      let pruned = 0;
      const req = s.outbox.index("seq").openCursor();
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor) return resolve(pruned);
        const item = cursor.value;
        const made = Date.parse(item.record?.created_at ?? item.created_at ?? "");
        if (!(made < before)) return resolve(pruned);  // young (or undated): kept, and all after it
        const ofOpenDay = open !== null && (item.uuid === open || item.record?.session_uuid === open);
        if (item.state === "posted" && !ofOpenDay) {
          cursor.delete();
          s.orders.delete(item.uuid);
          pruned += 1;
        }
        cursor.continue();
      };
    });
  });
}

/**
 * A record of the register's day (session open or close, cash move): outbox, sequence and the
 * tablet's open day (meta "session"; null clears it, at a close) in ONE strict transaction, so
 * the day on screen and the records sent never disagree.
 */
export function recordDay(record, seq, session) {
  return transact(["outbox", "meta"], "readwrite", async (s) => {
    await queue(s, record, seq);
    if (session) s.meta.put(session, "session");
    else s.meta.delete("session");
  }, "strict");
}

/** The outbox's records that name the session `uuid` (its sales and cash moves), by seq. */
export async function sessionRecords(uuid) {
  const items = await getAll("outbox");
  return items.filter((item) => item.record?.session_uuid === uuid)
    .sort((a, b) => a.seq - b.seq).map((item) => item.record);
}

/**
 * Up to `limit` records of `store` that `keep` accepts, walking `index` from its highest key
 * down (below `before` when given): {items, more}. A cursor, so a search through many records
 * reads them once and stops as soon as it has enough; `more` says one more match exists.
 */
export function newestFirst(store, index, { before = null, limit = 50, keep = () => true } = {}) {
  return transact(store, "readonly", (s) => new Promise((resolve, reject) => {
    const items = [];
    const range = before == null ? null : IDBKeyRange.upperBound(before, true);
    const req = s[store].index(index).openCursor(range, "prev");
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return resolve({ items, more: false });
      if (keep(cursor.value)) {
        if (items.length >= limit) return resolve({ items, more: true });
        items.push(cursor.value);
      }
      cursor.continue();
    };
  }));
}

/** The keys (Odoo id, or the uuid of one made here) of the customers whose name contains `text`
 * (lower case). */
export async function partnersNamed(text) {
  const ids = new Set();
  await walkPartners((partner) => {
    if (String(partner.name ?? "").toLowerCase().includes(text)) ids.add(partner.id);
    return false;
  });
  return ids;
}

/** Walk the stored customers until `visit` returns true (it has what it wants). */
function walkPartners(visit) {
  return transact("partners", "readonly", (s) => new Promise((resolve, reject) => {
    const req = s.partners.openCursor();
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor || visit(cursor.value)) return resolve();
      cursor.continue();
    };
  }));
}

/**
 * Up to `limit` stored customers with every word of `text` in their name, phone, e-mail or card
 * barcode (any case); a word of digits also matches the phone's digits ("0812 3456" for 08123456).
 */
export async function findPartners(text, limit = 30) {
  const words = String(text ?? "").toLowerCase().split(/\s+/).filter(Boolean).map((word) => ({
    word, digits: /^[0-9+()./-]+$/.test(word) ? word.replace(/[^0-9]/g, "") : "" }));
  const found = [];
  await walkPartners((partner) => {
    const seen = [partner.name, partner.phone, partner.email, partner.barcode]
      .filter(Boolean).join(" ").toLowerCase();
    const phone = String(partner.phone ?? "").replace(/[^0-9]/g, "");
    const has = ({ word, digits }) => seen.includes(word) || (digits !== "" && phone.includes(digits));
    if (words.every(has)) found.push(partner);
    return found.length >= limit;
  });
  return found;
}

export const getPartner = (key) => transact("partners", "readonly", (s) => result(s.partners.get(key)));

/** The customer whose card barcode is exactly `code`, or undefined. */
export async function partnerWithBarcode(code) {
  let found;
  await walkPartners((partner) => {
    if (code && partner.barcode === code) found = partner;
    return found !== undefined;
  });
  return found;
}

/**
 * A customer made or changed on this till: kept in `partners` (a new one under its uuid, marked
 * pending until Odoo has it) and its record queued in the outbox with the next sequence number,
 * in ONE strict transaction, as a finished sale is.
 */
export function savePartner(partner, record, seq) {
  return transact(["partners", "outbox", "meta"], "readwrite", async (s) => {
    await queue(s, record, seq);
    s.partners.put(partner);
  }, "strict");
}

/**
 * Odoo booked the customer this till made as `uuid`: it is kept under Odoo's id from now on
 * (the next pull of customers brings Odoo's own copy under the same key), never twice.
 */
export async function partnerPosted(stores, uuid, odooId) {
  const pending = await result(stores.partners.get(uuid));
  if (!pending) return;
  stores.partners.delete(uuid);
  const { pending: _mark, uuid: _uuid, ...kept } = pending;
  if ((await result(stores.partners.get(odooId))) === undefined) stores.partners.put({ ...kept, id: odooId });
}

export async function recentOrders(limit = 20) {
  const orders = await getAll("orders");
  orders.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  return orders.slice(0, limit);
}

/**
 * Put a page of records from the relay into `store` (removing inactive ones) and move its cursor,
 * in one transaction, so a page is either applied with its cursor or not at all.
 */
export function applyPage(store, items, cursor) {
  return transact([store, "meta"], "readwrite", (s) => {
    for (const item of items) {
      if (item.active === false) s[store].delete(item.id);
      else s[store].put(item);
    }
    s.meta.put(cursor, `${store}_cursor`);
  });
}

/**
 * Save `value` as a JSON file through the browser's downloads (page only: the worker has no
 * document). The one place that writes a file: the error screen's export and the till's export.
 */
export function downloadJson(filename, value) {
  const blob = new Blob([JSON.stringify(value, null, 1)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return filename;
}

/** A name safe in a file name: "kasir 1/A" -> "kasir-1-A". */
export function fileSafe(text) {
  return String(text ?? "").replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "terminal";
}
