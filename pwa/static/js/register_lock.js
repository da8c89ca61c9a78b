// One register per device. Of the tabs and windows of one browser profile only one sells: the one
// holding the Web Lock "kasir-register". Odoo's own POS loses orders to a second tab on the same
// session (odoo/odoo#152259): two tabs numbering sales, saving over each other's open sale. Here a
// second tab opens read-only and says why; "Use this tab instead" steals the lock, and the robbed
// tab learns it at once, because the lock it held is rejected with an AbortError (no polling).
//
// The holder is written in the database too (storage.holdRegister), and a sequence number is only
// taken in a transaction that finds this tab there: a sale already on its way in the robbed tab,
// before it learnt, can never take a number after the take-over.
//
// The register's tab also tells the others when its outbox changed (a BroadcastChannel), so the
// counts a read-only tab shows stay current.

import { holdRegister } from "./storage.js";

const LOCK = "kasir-register";
const tab = crypto.randomUUID();
const news = "BroadcastChannel" in self ? new BroadcastChannel(LOCK) : null;

let why = null;  // null: this tab is the register; "elsewhere" | "taken-over": it only shows it
let held = false;  // this tab holds the lock
let lost = () => {};

/** Why this tab only shows the register ("elsewhere", "taken-over"), or null when it sells. */
export const readOnly = () => why;

/** Ask for the lock with `options`; resolves true once held (kept until the page goes or is
 * robbed), false when another tab holds it (ifAvailable). */
function request(options) {
  return new Promise((granted) => {
    navigator.locks.request(LOCK, options, (lock) => {
      held = held || Boolean(lock);
      granted(Boolean(lock));
      return lock ? new Promise(() => {}) : undefined;
    }).catch((err) => {
      granted(false);
      if (err?.name !== "AbortError") console.warn("kasir: the register's lock failed:", err);
      if (!held) return;
      held = false;
      why = "taken-over";
      lost();
    });
  });
}

async function become() {
  await holdRegister(tab);
  if (held || !navigator.locks) why = null;  // not when robbed meanwhile
}

/**
 * At boot: this tab becomes the register if no other tab of this browser is; `onLost` is called
 * when another tab takes it over later, `onNews` (while read-only) when the register's outbox
 * changed. Resolves with readOnly().
 */
export async function claim(onLost, onNews) {
  lost = onLost;
  if (news) news.onmessage = () => { if (why !== null) onNews(); };
  if (!navigator.locks) {  // no Web Locks (old browsers): the tab opened last numbers the sales
    console.warn("kasir: no Web Locks here; only the tab opened last can save a sale");
    await become();
    return why;
  }
  why = "elsewhere";
  if (await request({ ifAvailable: true })) await become();
  return why;
}

/** The register's tab: its outbox changed (a sale, a sync), the other tabs show it. */
export function announce() {
  if (why === null) news?.postMessage("outbox-changed");
}

/** "Use this tab instead": take the register from the tab that holds it (it turns read-only). */
export async function takeOver() {
  if (why === null) return;
  if (navigator.locks) await request({ steal: true });
  await become();
}
