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
    const last = (await result(s.meta.get("seq"))) || 0;
    if (seq !== last + 1) throw new Error(`sequence ${seq} is taken (last is ${last}); try again`);
    const now = new Date().toISOString();
    s.orders.add(order);
    s.outbox.add({ uuid: order.uuid, seq, kind: order.kind, record: order, state: "pending",
                   error: null, odoo_id: null, created_at: now, updated_at: now });
    s.meta.put(seq, "seq");
    s.drafts.delete("current");
  }, "strict");
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

/** Everything on this device, for the export button of the error screen. */
export async function exportAll() {
  const names = ["meta", "orders", "outbox", "drafts", "partners"];
  const dump = { exported_at: new Date().toISOString(), database: DB_NAME };
  for (const name of names) dump[name] = await getAll(name);
  for (const row of dump.meta) if (row && row.token) row.token = "(hidden)";
  return dump;
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
