// Python in a fraction of the time: a Pyodide memory snapshot of the booted till (the interpreter
// with our packages installed and every one of their modules imported), made on this device the
// first time a build starts and kept in Cache Storage. A reload restores it instead of starting
// Python and importing the till again. A snapshot that is missing, of another build, damaged or
// refused by Pyodide is dropped, and Python starts the long way (which makes a new one).
//
// Made here, not by build.py under Node: a Node-made snapshot restores in Chromium too, but it is
// 31 MB of wasm memory, 4.3 MB even with Brotli's best, and would not fit the 6 MB a first install
// may download. Made on the device, it costs no download at all. Kept without its empty pages
// (more than half of it), so a start reads and hashes 14 MB, not 31.

const CACHE = "kasir-snapshot";
// What a snapshot holds beyond the runtime and the wheels (the key's URLs name those by content):
// bump it when the capture below changes.
const FORMAT = 1;
const HASH_HEADER = "X-Kasir-Sha256";
const LENGTH_HEADER = "X-Kasir-Memory";  // the length unpacked: Pyodide sizes the memory with it
// The JS module the till imports (till/browser.py): a snapshot holds a reference to it by this
// name, and a restored interpreter gets this page's bridge in its place.
const BRIDGE = "kasir_bridge";
// Cache Storage and WebCrypto exist only in a secure context (https, or localhost).
const KEEPABLE = Boolean(globalThis.caches && globalThis.crypto?.subtle);

// Every module of our packages imported, not only those a start needs: a restored interpreter has
// no package files (its site-packages is empty), so nothing of ours may be left to import later.
const IMPORT_ALL = `
def _import_all(packages):
    import importlib, os
    for package in packages:
        folder = importlib.import_module(package).__path__[0]
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and name != "__init__.py":
                importlib.import_module(f"{package}.{name[:-3]}")
`;
// What a snapshot froze but must differ from one start to the next: the random generator's state
// (every start would draw the same numbers). Clocks and the local time are asked of JS each time.
const AFTER_RESTORE = `
import sys
if "random" in sys.modules:
    sys.modules["random"].seed()
`;

/** What happened, for the tests and the bench: restored, or why not; read by the worker or by the
 * page; whether a new one was kept. */
const status = { restored: false, dropped: null, readAside: false, made: false, kept: false };
// This module is also the worker that reads a kept snapshot (see `readAside`).
const IN_PAGE = Boolean(globalThis.document);
if (IN_PAGE) window.kasirSnapshot = status;
let made = null;  // a snapshot taken during this start, kept once the till is ready
let key = null;   // where this build's snapshot is kept

/** The runtime's and the wheels' URLs name their content (build.py): so does the key. */
const keyOf = (options) => new URL(
  `/snapshot/${FORMAT}${new URL(options.indexURL).pathname}${new URL(options.lockFileURL).pathname}`,
  location.href).href;

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function drop(reason) {
  console.warn(`kasir: snapshot dropped (${reason}), Python starts the long way`);
  status.dropped = reason;
  return caches.delete(CACHE).catch(() => {});
}

/** A kept snapshot that must not be used: why, for the drop. */
class Unusable extends Error {}

const PAGE = 4096;

/** The snapshot without its pages of zeros: [total length, extent count] then [offset, length] per
 * extent of non-zero pages, then those extents' bytes (little-endian u32s). */
function packed(bytes) {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const extents = [];
  let open = null;  // the extent being grown
  for (let at = 0; at < bytes.length; at += PAGE) {
    const end = Math.min(at + PAGE, bytes.length);
    let empty = true;
    for (let i = at / 4; i < end / 4; i++) if (words[i]) { empty = false; break; }
    if (empty) open = null;
    else if (open) open[1] = end - open[0];
    else extents.push((open = [at, end - at]));
  }
  const table = 8 + extents.length * 8;
  const size = extents.reduce((sum, [, length]) => sum + length, table);
  const out = new Uint8Array(size);
  const head = new DataView(out.buffer);
  head.setUint32(0, bytes.length, true);
  head.setUint32(4, extents.length, true);
  let data = table;
  extents.forEach(([offset, length], i) => {
    head.setUint32(8 + i * 8, offset, true);
    head.setUint32(12 + i * 8, length, true);
    out.set(bytes.subarray(offset, offset + length), data);
    data += length;
  });
  return out;
}

/** The whole snapshot again, from `packed`'s form into `bytes` (zeros); Unusable if that does not
 * add up. */
function unpack(kept, bytes) {
  try {
    const head = new DataView(kept.buffer, kept.byteOffset, kept.length);
    if (head.getUint32(0, true) !== bytes.length) throw new RangeError();
    const count = head.getUint32(4, true);
    let data = 8 + count * 8;
    for (let i = 0; i < count; i++) {
      const offset = head.getUint32(8 + i * 8, true);
      const length = head.getUint32(12 + i * 8, true);
      if (data + length > kept.length || offset + length > bytes.length) throw new RangeError();
      bytes.set(kept.subarray(data, data + length), offset);
      data += length;
    }
    if (data !== kept.length) throw new RangeError();
  } catch {
    throw new Unusable("its extents do not add up");
  }
}

/** The kept snapshot of this build as {length, bytes}: its length unpacked and a promise of its
 * verified (packed) bytes; or null. */
async function find() {
  if (!KEEPABLE) return null;
  try {
    const cache = await caches.open(CACHE);
    const response = await cache.match(key);
    if (!response) {
      if ((await cache.keys()).length) await drop("made by another build");
      return null;
    }
    const length = Number(response.headers.get(LENGTH_HEADER));
    if (!Number.isSafeInteger(length) || length <= 0) {
      await drop("its length is missing");
      return null;
    }
    const bytes = readAside().catch((err) => (err instanceof Unusable ? Promise.reject(err)
      : verified(response)));
    bytes.catch(() => {});  // not unhandled meanwhile: startPython hears of it when it fills
    return { length, bytes };
  } catch (err) {
    await drop(`unreadable: ${err.message}`);
    return null;
  }
}

/** The kept snapshot's verified bytes, read and hashed by a worker: 14 MB to read and hash that
 * would otherwise hold the page's thread while Pyodide starts on it. Rejects with Unusable for a
 * snapshot that must not be used, with another error when the worker could not do it (the page
 * then reads it itself). */
function readAside() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(import.meta.url, { type: "module" });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.bytes) {
        status.readAside = true;
        resolve(data.bytes);
      } else {
        reject(data.unusable ? new Unusable(data.unusable) : new Error(data.error));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || "the snapshot's worker failed"));
    };
    worker.postMessage(key);
  });
}

if (!IN_PAGE) {
  self.onmessage = async ({ data: url }) => {
    try {
      const response = await (await caches.open(CACHE)).match(url);
      if (!response) throw new Error("no snapshot kept under its key");
      const bytes = await verified(response);
      self.postMessage({ bytes }, [bytes.buffer]);
    } catch (err) {
      self.postMessage(err instanceof Unusable ? { unusable: err.message } : { error: err.message });
    }
  };
}

async function verified(response) {
  let bytes;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw new Unusable(`unreadable: ${err.message}`);
  }
  if (await sha256(bytes) !== response.headers.get(HASH_HEADER)) {
    throw new Unusable("its hash does not match");
  }
  return bytes;
}

/** Pyodide with the till's packages and the bridge: from this build's kept snapshot, else the long
 * way (Pyodide, its packages, the bridge), taking a new snapshot on the way. `pyodideModule` is
 * the import of pyodide.mjs, under way. */
export async function startPython(pyodideModule, options, { packages, bridge, loaded }) {
  key = keyOf(options);
  const found = find();
  const { loadPyodide } = await pyodideModule;
  const kept = await found;
  if (kept) {
    let unusable = null;
    try {
      // Pyodide sizes the interpreter's memory by the snapshot and copies the snapshot in once the
      // runtime has started, after the fsInit hook, which it waits for: so its files load and its
      // wasm compiles while the hook reads, hashes and unpacks the snapshot into place.
      const memory = new Uint8Array(kept.length);
      const fill = async () => {
        try {
          unpack(await kept.bytes, memory);
        } catch (err) {
          unusable = err;
          memory.fill(0, 0, PAGE);  // no magic number: Pyodide refuses it, and we say why
        }
      };
      const pyodide = await loadPyodide({
        ...options,
        _loadSnapshot: memory,
        fsInit: fill,
        _snapshotDeserializer: (name) => (name === BRIDGE ? bridge : undefined),
      });
      pyodide.runPython(AFTER_RESTORE);
      status.restored = true;
      performance.mark("kasir:python");
      return pyodide;
    } catch (err) {
      await drop(unusable?.message ?? `Pyodide refused it: ${err.message}`);
    }
  }
  const pyodide = await loadPyodide({ ...options, _makeSnapshot: KEEPABLE });
  loaded();
  const errors = [];
  // loadPackage resolves even when a package failed: collect its errors and treat any as fatal.
  await pyodide.loadPackage(packages, {
    messageCallback: () => {},
    errorCallback: (message) => errors.push(message),
    checkIntegrity: true,
  });
  if (errors.length) throw new Error(errors.join("; "));
  pyodide.registerJsModule(BRIDGE, bridge);
  if (KEEPABLE) made = capture(pyodide, packages, bridge);
  performance.mark("kasir:python");
  return pyodide;
}

/** The interpreter's memory now, with every module of `packages` imported; null if Pyodide cannot
 * take it (a JS object held by Python that is not the bridge): the till starts all the same. */
function capture(pyodide, packages, bridge) {
  // Pyodide checks that its first JS references are as a fresh start left them, and the record
  // of loaded packages is one: empty while the snapshot is taken (a restored till installs none).
  const loadedPackages = pyodide.loadedPackages;
  const names = { ...loadedPackages };
  try {
    // The names go in as a Python literal: an argument from JS would be a proxy to serialize.
    pyodide.runPython(`${IMPORT_ALL}\n_import_all(${JSON.stringify(packages)})\ndel _import_all`);
    for (const name of Object.keys(names)) delete loadedPackages[name];
    const bytes = pyodide.makeMemorySnapshot({
      serializer: (obj) => {
        if (obj === bridge) return BRIDGE;
        throw new Error("a JS object other than the bridge is held by Python");
      },
    });
    status.made = true;
    return bytes;
  } catch (err) {
    console.warn("kasir: no snapshot taken:", err.message);
    return null;
  } finally {
    Object.assign(loadedPackages, names);
  }
}

/** Keep the snapshot taken during this start (once the till is ready: it is 31 MB to pack, hash
 * and write), replacing any other. */
export async function keepMade() {
  const memory = made;
  made = null;
  if (!memory) return;
  try {
    const bytes = packed(memory);
    const headers = {
      "Content-Type": "application/octet-stream",
      [HASH_HEADER]: await sha256(bytes),
      [LENGTH_HEADER]: String(memory.length),
    };
    await caches.delete(CACHE);
    const cache = await caches.open(CACHE);
    await cache.put(key, new Response(bytes, { headers }));
    status.kept = true;
  } catch (err) {
    console.warn("kasir: snapshot not kept:", err.message);
  }
}
