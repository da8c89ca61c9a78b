// What the receipt needs from the browser: the shop's time zone (Pyodide has no time zone
// database, the browser's Intl has one) and printing on the tablet's roll of paper (58 or 80 mm).

/** Minutes the IANA zone `zone` is ahead of UTC at `epochMs`; null when this browser does not
 * know the zone. */
export function zoneOffset(zone, epochMs) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    }).formatToParts(new Date(epochMs));
  } catch {
    return null;  // RangeError: not a zone this browser knows
  }
  const at = Object.fromEntries(parts.map((part) => [part.type, Number(part.value)]));
  const wall = Date.UTC(at.year, at.month - 1, at.day, at.hour, at.minute, at.second);
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60000);
}

/** The tablet's paper (settings "receipt_paper": "58" or "80", else 80): the print stylesheet
 * reads it from the root element. */
export function configurePaper(settings) {
  document.documentElement.dataset.paper = settings?.receipt_paper === "58" ? "58" : "80";
}

let wanted = false;

/** The till asks for a print while it handles an action: the receipt it prints is painted after. */
export function requestPrint() {
  wanted = true;
}

/** Print the receipt on screen if the till asked for it. */
export function printIfRequested() {
  if (!wanted) return;
  wanted = false;
  const receipt = document.getElementById("receipt");
  if (!receipt) return;
  fitPage(receipt);
  window.print();
}

/** One page as wide as the paper and as long as the receipt: a roll printer then feeds no
 * blank paper after it. The length is measured on a copy laid out as the print stylesheet lays
 * out the receipt (the same width, font and padding: `.receipt-probe` in till.css). */
function fitPage(receipt) {
  const probe = receipt.cloneNode(true);
  for (const el of [probe, ...probe.querySelectorAll("[id]")]) el.removeAttribute("id");
  probe.classList.add("receipt-probe");
  probe.setAttribute("aria-hidden", "true");
  document.body.append(probe);
  const length = Math.ceil((probe.getBoundingClientRect().height * 25.4) / 96);
  probe.remove();
  const paper = document.documentElement.dataset.paper || "80";
  let style = document.getElementById("receipt-page");
  if (!style) {
    style = document.createElement("style");
    style.id = "receipt-page";
    document.head.append(style);
  }
  style.textContent = `@page { size: ${paper}mm ${length}mm; margin: 0; }`;
}
