// Barcode scanner capture. A USB wedge scanner is a keyboard that types a whole code within a few
// milliseconds and then presses Enter (or Tab). Such a burst is a scan wherever focus is: the field
// it typed into gets its value back and the till receives the code. Keys are never delayed or
// changed while they arrive (a cashier's typing goes where it always went); only the Enter or Tab
// that ends a burst is taken. The code comes from our own record of the keys, not from the field:
// a repaint in the middle of a burst replaces the field, never the record.

// scan_threshold_ms: the most time between the keys of a scan, on average (see `lastBurst`).
const DEFAULTS = { scan_threshold_ms: 30, scan_min_length: 6, scan_prefix: "", scan_suffix: "" };
const TERMINATORS = new Set(["Enter", "Tab"]);
// Keys a scanner presses around characters (Shift for capitals): they neither add to nor end a burst.
const SILENT = new Set(["Shift", "CapsLock", "NumLock"]);
// The field meant for codes. What it holds when a burst starts is the start of the code, so a
// count typed by hand ("3*") multiplies the scan and a burst cut by a stall stays one code.
const SCAN_BOX = "scan";
// Enter or Tab may come late (a loaded machine, a Bluetooth link): keys that came at scanner
// speed still are a scan.
const TERMINATOR_MS = 1000;
const MAX_KEYS = 200; // longer than any code: the record of a cashier's long typing is cut

let settings = { ...DEFAULTS };
let dispatch = () => {};
let canScan = () => false;
// Printable keys since the last other key, oldest first: {char, gap, field, before}, where gap is
// the time since the key before and before is the focused field's value and selection then.
let keys = [];
let lastAt = 0; // when the last printable key arrived
let seenAt = 0; // when the page last handled a key event
let waited = 0; // how long the page kept the events since the last printable key waiting

/** Use the scanner settings stored in meta "settings" (missing or invalid keys: defaults). */
export function configureScanner(stored) {
  const given = stored && typeof stored === "object" ? stored : {};
  const number = (key) => {
    const value = Number(given[key]);
    return Number.isFinite(value) && value >= 1 ? value : DEFAULTS[key];
  };
  settings = {
    scan_threshold_ms: number("scan_threshold_ms"),
    scan_min_length: Math.round(number("scan_min_length")),
    scan_prefix: String(given.scan_prefix ?? ""),
    scan_suffix: String(given.scan_suffix ?? ""),
  };
}

/** Listen to every key of the page; `dispatch("scan", {code})` for each scan while `canScan()`. */
export function installScanner(options) {
  dispatch = options.dispatch;
  canScan = options.canScan;
  // The window's capture phase runs before any other key handler, so no shortcut sees a scan's Enter.
  window.addEventListener("keydown", onKeyDown, true);
  window.addEventListener("keyup", seen, true);
  // A tap or a click comes from a person: no key before it belongs to the next scan (a reason
  // typed, Save and Back tapped, then a scan within 300 ms took the reason's last keys as its start).
  window.addEventListener("pointerdown", () => { keys = []; }, true);
}

function onKeyDown(event) {
  if (event.isComposing) return;
  if (SILENT.has(event.key)) {
    seen(event);
    return;
  }
  const gap = keys.length ? gapBefore(event) : Infinity;
  const modified = event.ctrlKey || event.metaKey || event.altKey;
  if (event.key.length === 1 && !modified && !event.repeat) {
    // After such a pause no key before it can belong to a scan (see `lastBurst`).
    if (gap > 10 * settings.scan_threshold_ms || keys.length >= MAX_KEYS) keys = [];
    // Typing with nothing focused goes to the scan box (the key lands where the focus is now).
    if (document.activeElement === document.body) document.getElementById(SCAN_BOX)?.focus();
    const field = isField(document.activeElement) ? document.activeElement : null;
    const before = field && { value: field.value, start: field.selectionStart, end: field.selectionEnd };
    keys.push({ char: event.key, gap, field, before });
    lastAt = event.timeStamp;
    waited = 0;
    seen(event);
    return;
  }
  const typed = keys;
  keys = [];
  if (modified || !TERMINATORS.has(event.key) || gap > TERMINATOR_MS) return;
  const burst = lastBurst(typed);
  if (!burst || !canScan()) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  scanned(burst);
}

/** The page has just handled a key event; it arrived `now - event.timeStamp` ms ago. */
function seen(event) {
  seenAt = performance.now();
  waited += Math.max(0, seenAt - event.timeStamp);
}

/** Milliseconds between the previous printable key and this key, as the sender spaced them. */
function gapBefore(event) {
  // event.timeStamp is when the key arrived, even if the page was busy (Python repainting).
  const gap = event.timeStamp - lastAt;
  // Test drivers and remote-input tools send a key only after the page handled the one before,
  // so a busy page spreads their burst out: a key that arrived after the page had handled the
  // previous ones does not count the time the page kept those waiting.
  return event.timeStamp >= seenAt ? gap - waited : gap;
}

/**
 * The scan that a terminator ends, or null: the longest run of last keys, at least
 * `scan_min_length`, whose gaps average no more than the threshold, leaving out the longest
 * gap. A person types 100 ms a key or slower, a scanner under 20 ms; leaving one gap out rides
 * over a single late key (a Bluetooth scanner's jitter, a loaded machine).
 */
function lastBurst(typed) {
  const { scan_threshold_ms: threshold, scan_min_length: least } = settings;
  let start = -1;
  let sum = 0; // the gaps between typed[i] and the last key
  let longest = 0;
  for (let i = typed.length - 1; i >= 0; i--) {
    const count = typed.length - i; // keys from i on: count - 1 gaps, count - 2 without the longest
    if (count >= Math.max(3, least) && (sum - longest) / (count - 2) <= threshold) start = i;
    sum += typed[i].gap;
    longest = Math.max(longest, typed[i].gap);
  }
  return start < 0 ? null : typed.slice(start);
}

function isField(el) {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement;
}

/** A burst ended by Enter or Tab: give the fields back what they held and send the code. */
function scanned(burst) {
  let code = burst.map((key) => key.char).join("");
  const { scan_prefix: prefix, scan_suffix: suffix } = settings;
  if (prefix && code.startsWith(prefix)) code = code.slice(prefix.length);
  if (suffix && code.endsWith(suffix)) code = code.slice(0, code.length - suffix.length);
  const first = burst[0];
  const head = code && first.field?.id === SCAN_BOX ? first.before.value : "";
  const restored = new Set();
  for (const { field, before } of burst) {
    if (!field || restored.has(field)) continue;
    restored.add(field);
    if (!field.isConnected) continue; // repainted away: the new screen shows the till's state
    field.value = code && field.id === SCAN_BOX ? "" : before.value;
    try {
      field.setSelectionRange(before.start, before.end);
    } catch {
      // a field without a text selection
    }
  }
  // Only the scanner's prefix or suffix (a scanner that sends them as a burst of their own).
  if (!code) return;
  dispatch("scan", { code: head + code });
}
