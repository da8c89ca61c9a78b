// The words of the boot shell, and the catalog the Python till speaks with. English is the message
// id; a catalog (/i18n/<lang>.json, msgid -> translation, kept by the service worker across builds)
// gives the other language. Whatever is missing stays English: never a blank screen, never a crash.

const LANGUAGES = ["en", "id"];
const FETCH_MS = 5000;  // a relay that does not answer costs the till its words, not its start

let language = "en";
let messages = {};

/** `message` in the current language, with `{name}` fields filled from `values`. */
export function t(message, values = {}) {
  const text = messages[message] || message;
  return text.replace(/\{(\w+)\}/g, (field, name) => (name in values ? String(values[name]) : field));
}

/** The language to speak: the cashier's choice, else the shop's (Odoo's "id_ID"), else the
 * tablet's first known language ("in" is Android's old code for Indonesian), else English. */
export function pick(chosen, shop, tablet = navigator.languages || [navigator.language]) {
  for (const code of [chosen, shop, ...tablet]) {
    const base = String(code || "").toLowerCase().split(/[-_]/)[0];
    const lang = base === "in" ? "id" : base;
    if (LANGUAGES.includes(lang)) return lang;
  }
  return "en";
}

/** Speak `lang`: fetch its catalog (English needs none). Any failure leaves English. */
export async function load(lang) {
  let found = {};
  let speaking = LANGUAGES.includes(lang) ? lang : "en";
  if (speaking !== "en") {
    try {
      const response = await fetch(`/i18n/${speaking}.json`, { signal: AbortSignal.timeout(FETCH_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      found = await response.json();
      if (!found || typeof found !== "object" || Array.isArray(found)) throw new Error("not a catalog");
    } catch (err) {
      console.warn(`kasir: the ${speaking} catalog could not be loaded, speaking English:`, err.message);
      speaking = "en";
      found = {};
    }
  }
  language = speaking;
  messages = found;
  document.documentElement.lang = language;
  translateShell();
  return current();
}

/** {language, messages}: what the Python till is handed (see till.browser.start). */
export function current() {
  return { language, messages };
}

/** The boot screen's fixed texts: index.html is one file for every language, so its English
 * texts (marked data-i18n) are the message ids. A text the boot replaces loses its mark. */
function translateShell() {
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.dataset.i18n ||= element.textContent;
    element.textContent = t(element.dataset.i18n);
  }
}
