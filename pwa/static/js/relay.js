// Reading from the relay: pairing, the bootstrap and the catalog by cursor, into IndexedDB.
// The till only ever reads what is stored, so it starts the same with or without a network.

import { RelayError, relayFetch, terminalToken } from "./outbox.js";
import { adoptRelaySeq, applyPage, getMeta, keepStorage, setMeta } from "./storage.js";

const PAGE = 2000;

/**
 * Exchange a one-time pairing code for this terminal's token, and go on numbering after the
 * relay's last record of this terminal (a tablet whose storage was cleared and paired again must
 * not number its sales from 1 again): {terminal, lost} (storage.adoptRelaySeq's answer). The
 * browser is asked to keep this tablet's storage (storage.keepStorage).
 */
export async function pair(code) {
  const { data } = await relayFetch("/api/v1/pair", { method: "POST", body: { code: String(code).trim() } });
  const terminal = { name: data.terminal, token: data.token, paired_at: new Date().toISOString() };
  const lost = Number.isInteger(data.last_seq) ? await adoptRelaySeq(data.last_seq) : null;
  await setMeta("terminal", terminal);
  await keepStorage();
  return { terminal: terminal.name, lost };
}

/**
 * Sales of every till of the shop whose receipt number starts with `query` or whose Odoo name
 * contains it, with the refunds of their lines: {orders: [{terminal, record, status, ...}],
 * refunds: [records]}. Rejects with a RelayError when the relay cannot be reached.
 */
export async function findOrders(query) {
  const token = await terminalToken();
  if (!token) throw new RelayError("this terminal is not paired yet");
  const { data } = await relayFetch(`/api/v1/orders?q=${encodeURIComponent(query)}`, { token });
  return data;
}

/** Page through what changed in `store` since its cursor. */
async function pull(store, path, token) {
  for (let page = 0; page < 1000; page++) {
    const since = (await getMeta(`${store}_cursor`)) ?? "";
    const { data } = await relayFetch(
      `${path}?since=${encodeURIComponent(since)}&limit=${PAGE}`, { token });
    await applyPage(store, data.items, data.cursor);
    if (!data.more) break;
  }
}

/**
 * Refresh bootstrap, catalog and customers from the relay. Resolves true when the relay answered,
 * false when it could not be reached (what is stored stays as it is).
 */
export async function refresh() {
  const token = await terminalToken();
  if (!token) return false;
  try {
    const etag = await getMeta("bootstrap_etag");
    const boot = await relayFetch("/api/v1/bootstrap", {
      token, headers: etag ? { "If-None-Match": etag } : {},
    });
    if (boot.status !== 304) {
      await setMeta("bootstrap", boot.data);
      await setMeta("bootstrap_etag", boot.headers.get("ETag"));
    }
    await pull("catalog", "/api/v1/catalog", token);
    // A relay without customers yet (404) still gave a complete refresh.
    await pull("partners", "/api/v1/partners", token).catch((err) => {
      if (err.status !== 404) throw err;
    });
    return true;
  } catch (err) {
    if (err.status === 401) throw err;
    console.warn("kasir: refresh failed, using stored data:", err.message);
    return false;
  }
}
