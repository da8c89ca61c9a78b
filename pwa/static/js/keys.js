// Keyboard shortcuts for the frequent actions, and arrow keys inside the product grid, each row
// of chips and each toolbar (each is one Tab stop). A shortcut presses the button a finger would, so a
// disabled button stays disabled and the till sees the same action. Function keys never collide
// with the scanner: it only reads printable keys and Enter/Tab (scanner.js).

// key -> the button it presses (only when that button is on screen).
const BUTTONS = {
  F3: "#customer",
  F4: "#new-sale",
  F6: "#park",
  F8: "#exact-cash",
  F9: "#pay",
  F12: "#validate",
};

let dispatch = () => {};

function typing(el) {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement;
}

function press(selector) {
  const button = document.querySelector(selector);
  if (button && !button.disabled) button.click();
}

/** The shortcut `event` stands for: "help", "escape", "search" or a button's selector. */
function shortcut(event) {
  if (event.altKey || event.metaKey) return null;
  if (event.ctrlKey) return event.key === "Enter" ? BUTTONS.F12 : null;
  if (event.key === "F1" || (event.key === "?" && !typing(document.activeElement))) return "help";
  if (event.key === "Escape") return "escape";
  if (event.key === "F2") return "search";
  return BUTTONS[event.key] ?? null;
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (roving(event) || numpad(event)) return;
  const what = shortcut(event);
  if (!what) return;
  event.preventDefault();
  if (event.repeat) return; // a held key does not pay twice
  if (what === "help") {
    dispatch("help");  // the open dialog's Close takes the focus (boot.js paint)
  } else if (what === "escape") {
    dispatch("escape");
  } else if (document.getElementById("help")) {
    // the screen under the help is inert: only F1, ? and Escape work
  } else if (what === "search") {
    const search = document.getElementById("search");
    search?.focus();
    search?.select();
  } else {
    press(what);
  }
}

/** Arrow keys, Home and End move the focus inside a [data-roving] group (one Tab stop). */
function roving(event) {
  const group = event.target.closest?.("[data-roving]");
  if (!group || event.ctrlKey || event.altKey || event.metaKey) return false;
  const items = [...group.querySelectorAll("button")].filter((item) => !item.disabled);
  const at = items.indexOf(event.target);
  if (at < 0) return false;
  // Up and Down jump a row of the grid (as many items as sit on the first row); in a single
  // row of chips they move by one.
  const top = items[0].offsetTop;
  const first = items.filter((item) => item.offsetTop === top).length;
  const row = first < items.length ? Math.max(1, first) : 1;
  const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -row, ArrowDown: row }[event.key];
  let to;
  if (event.key === "Home") to = 0;
  else if (event.key === "End") to = items.length - 1;
  else if (step !== undefined) to = Math.min(items.length - 1, Math.max(0, at + step));
  else return false;
  event.preventDefault();
  for (const item of items) item.tabIndex = -1;
  items[to].tabIndex = 0;
  items[to].focus();
  return true;
}

// Keys of a keyboard that type on the numpad while it has the focus (till/numpad.py), and only then:
// digits and marks as typed ("28.000" is read as the field would read it), Backspace, Enter.
const NUMPAD = { Backspace: "back", Enter: "enter" };

function numpad(event) {
  if (event.target.id !== "numpad" || event.ctrlKey || event.altKey || event.metaKey) return false;
  const key = /^[0-9.,]$/.test(event.key) ? event.key : NUMPAD[event.key];
  if (!key) return false;
  event.preventDefault();
  dispatch("numpad", { arg: key });
  return true;
}

/**
 * Each [data-roving] group is one Tab stop: the item the till marked (the active chip, the first
 * tile: it has no tabindex="-1"), else its first enabled button (a toolbar's come unmarked).
 */
export function settleRoving(root) {
  for (const group of root.querySelectorAll("[data-roving]")) {
    const items = [...group.querySelectorAll("button")].filter((item) => !item.disabled);
    const stop = items.find((item) => item.getAttribute("tabindex") !== "-1") ?? items[0];
    for (const item of items) {
      const wanted = item === stop ? 0 : -1;
      if (item.tabIndex !== wanted) item.tabIndex = wanted;  // no needless style work on a repaint
    }
  }
}

/** Listen to the page's keys; `send(action)` hands an action to the till (boot.js dispatch). */
export function installKeys(send) {
  dispatch = send;
  document.addEventListener("keydown", onKeyDown);
}
