// Repaint by changing only what differs between the page shown and the page the till rendered.
//
// The till renders the whole screen in Python each time. Assigning it to #app's innerHTML threw
// every element away, so Chromium styled and laid out the whole page again for a scan that
// changed one line of a 50-line sale: a frame's budget gone (issue 10). Here an element that is
// still wanted (same tag, same key: its id or its data-line-uuid) is kept, moved if need be, and
// only its changed attributes and text are set (nothing at all when it carries the same data-v:
// the same fragment of the till's); the rest is inserted or removed. Form fields take
// the value the new HTML gives them, as freshly parsed ones would (boot.js paint keeps what the
// cashier typed where it must). A fragment the page already shows comes as a stand-in, its tag,
// key and version, empty and marked data-kept (till/views.py Page): the page's own is kept.

/** A kept fragment the page does not show (data-kept): the whole screen is needed. */
export class Stale extends Error {}

/** Make `root`'s children those of `html`, keeping the elements that are still there. */
export function morph(root, html) {
  const fresh = document.createElement("template");
  fresh.innerHTML = html;
  morphChildren(root, fresh.content);
}

function keyOf(node) {
  return node.nodeType === Node.ELEMENT_NODE
    ? node.id || node.getAttribute("data-line-uuid") || null
    : null;
}

/** Whether `old` can become `wanted` in place. */
function alike(old, wanted) {
  return old.nodeType === wanted.nodeType && old.nodeName === wanted.nodeName
    && keyOf(old) === keyOf(wanted) && (old.nodeName !== "INPUT" || old.type === wanted.type);
}

function morphChildren(parent, next) {
  const keyed = new Map();  // the old children with a key not yet matched
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    const key = keyOf(child);
    if (key) keyed.set(key, child);
  }
  let old = parent.firstChild;
  let wanted = next.firstChild;
  let left = null;  // the keys still to place, once an old keyed child is not where it is wanted
  while (wanted) {
    const following = wanted.nextSibling;
    const key = keyOf(wanted);
    let found = old && alike(old, wanted) ? old : null;
    if (!found && old && keyOf(old)) {
      // An old keyed child wanted nowhere goes now: moving every later one in front of it took
      // each out of the page and back (all of a sale's lines when its first one is removed).
      left ??= new Set([...next.childNodes].map(keyOf).filter(Boolean));
      while (old && keyOf(old) && !left.has(keyOf(old))) {
        const after = old.nextSibling;
        keyed.delete(keyOf(old));
        parent.removeChild(old);
        old = after;
      }
      found = old && alike(old, wanted) ? old : null;
    }
    const moved = found ? null : key && keyed.get(key);
    if (moved && alike(moved, wanted)) found = moved;
    if (found) {
      if (key) keyed.delete(key);
      if (found === old) old = old.nextSibling;
      else parent.insertBefore(found, old);  // a kept line that moved (one removed above it)
      update(found, wanted);
    } else {
      // A new part of the screen (a dialog opened around it) may hold stand-ins deep inside.
      const standIn = wanted.nodeType === Node.ELEMENT_NODE
        && (wanted.hasAttribute("data-kept") ? wanted : wanted.querySelector("[data-kept]"));
      if (standIn) throw new Stale(`no ${standIn.getAttribute("data-v")} here to keep`);
      parent.insertBefore(wanted, old);
    }
    wanted = following;
  }
  while (old) {  // what is left of the old children is no longer wanted
    const after = old.nextSibling;
    parent.removeChild(old);
    old = after;
  }
}

function update(old, wanted) {
  if (old.nodeType !== Node.ELEMENT_NODE) {
    if (old.nodeValue !== wanted.nodeValue) old.nodeValue = wanted.nodeValue;
    return;
  }
  const version = wanted.getAttribute("data-v");
  if (version && old.getAttribute("data-v") === version) {
    // The till rendered this very fragment before (till/views.py Fragments): only what the
    // cashier typed in its fields goes back to what it says.
    for (const field of old.getElementsByTagName("input")) {
      if (field.value !== field.defaultValue) field.value = field.defaultValue;
    }
    return;
  }
  if (wanted.hasAttribute("data-kept")) throw new Stale(`${version} is not the one here`);
  for (const { name } of [...old.attributes]) {
    if (!wanted.hasAttribute(name)) old.removeAttribute(name);
  }
  for (const { name, value } of wanted.attributes) {
    if (old.getAttribute(name) !== value) old.setAttribute(name, value);
  }
  if (old.nodeName === "TEXTAREA") {
    if (old.value !== wanted.defaultValue) old.value = wanted.defaultValue;
    return;
  }
  morphChildren(old, wanted);
  if (old.nodeName === "INPUT") {
    if (old.type === "checkbox" || old.type === "radio") old.checked = wanted.defaultChecked;
    else if (old.value !== wanted.defaultValue) old.value = wanted.defaultValue;
  } else if (old.nodeName === "SELECT") {
    for (const option of old.options) option.selected = option.defaultSelected;
  }
}
