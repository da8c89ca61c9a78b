// kasir service worker, build {{ version }}. Rendered by build.py; registered as a module worker.
// Precaches the whole build cache-first under a versioned cache, serves navigations from the cached
// shell (or the emergency offline page), lets GET API answers fall back to cache, never touches POST,
// and flushes the outbox on Background Sync with the same code the page uses. The message catalogs
// live in a cache without the version, so neither a new build nor a lost relay takes the words away.
// Product pictures are fetched with the terminal's token and kept in a cache of their own.

import { flush, terminalToken } from "{{ scripts['outbox.js'] }}";

const VERSION = "{{ version }}";
const CACHE = `kasir-${VERSION}`;
const API_CACHE = "kasir-api";
const I18N_CACHE = "kasir-i18n";
const IMAGE_CACHE = "kasir-images";
// The page's snapshot of the booted till (static/js/snapshot.js): it names the runtime and the
// wheels it was made from, so it outlives a build that changed neither, and the page replaces it.
const SNAPSHOT_CACHE = "kasir-snapshot";
const IMAGES_KEPT = 2000;  // the pictures fetched last; 128 px each, some 20 MB in all
// What a tile gets when there is no picture (none, not yet on the relay, offline and never seen):
// a transparent pixel, so the page logs no failed load and the tile shows its colour.
const NO_IMAGE = Uint8Array.from(
  atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (c) => c.charCodeAt(0));
let trimming = null;
const PRECACHE = {{ precache | tojson }};
const SHELL = {{ shell | list | tojson }};
const CATALOGS = {{ catalogs | tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Every precached URL but the shell's names its content (a hash in its path): the copy the page
    // fetched while it booted is the right one, so the install takes it from the HTTP cache instead
    // of downloading the runtime a second time. The shell is fetched afresh.
    await cache.addAll(PRECACHE.map((url) => new Request(url, {
      cache: SHELL.includes(url) ? "reload" : "force-cache",
    })));
    const words = await caches.open(I18N_CACHE);
    await Promise.all(CATALOGS.map(async (url) => {
      try {
        const response = await fetch(url, { cache: "reload" });
        if (response.ok) await words.put(url, response);
      } catch { /* the catalog kept from an earlier build still speaks */ }
    }));
    // The very first install takes over at once; an update waits until the page says the till is idle.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      const kept = [CACHE, API_CACHE, I18N_CACHE, IMAGE_CACHE, SNAPSHOT_CACHE];
      if (name.startsWith("kasir-") && !kept.includes(name)) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "activate") self.skipWaiting();
});

async function fromCacheFirst(request) {
  const cached = await caches.match(request, { cacheName: CACHE });
  return cached || fetch(request);
}

async function navigation(request) {
  const cache = await caches.open(CACHE);
  const shell = await cache.match("/");
  if (shell) return shell;
  try {
    return await fetch(request);
  } catch {
    return (await cache.match("/offline")) || new Response(
      "<!doctype html><title>kasir</title><p>kasir is offline and has not been loaded on this device yet.",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
}

async function apiNetworkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(API_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await caches.match(request, { cacheName: API_CACHE });
    if (cached) return cached;
    throw err;
  }
}

// The kept catalog answers at once (a new build's install refreshed it); the network refreshes it
// for the next start. Only a till that never kept one waits for the relay.
async function catalogKeptFirst(request, event) {
  const cache = await caches.open(I18N_CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(request, response.clone());
    return response;
  });
  const kept = await cache.match(request);
  if (!kept) return network;
  event.waitUntil(network.catch(() => {}));
  return kept;
}

// A product picture, cache-first: its URL names its version (a new picture has a new URL), so
// what was kept is right for good, across builds, and shows offline. The relay wants the terminal's
// token, which an <img> cannot send: the worker adds it.
async function productImage(request, event) {
  const cache = await caches.open(IMAGE_CACHE);
  const kept = await cache.match(request.url);
  if (kept) return kept;
  try {
    const token = await terminalToken();
    const response = await fetch(request.url, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    if (response.ok) {
      if (new URL(request.url).searchParams.has("v")) {
        event.waitUntil(keepImage(cache, request.url, response.clone()));
      }
      return response;
    }
  } catch { /* offline: no picture */ }
  return new Response(NO_IMAGE, { headers: { "Content-Type": "image/gif", "Cache-Control": "no-store" } });
}

async function keepImage(cache, url, response) {
  // The product's earlier picture goes: one picture per product.
  for (const old of await cache.keys(new URL(url).pathname, { ignoreSearch: true })) {
    await cache.delete(old);
  }
  await cache.put(url, response);
  trimming ??= trimImages(cache).finally(() => { trimming = null; });
  await trimming;
}

async function trimImages(cache) {
  const keys = await cache.keys();  // in the order they were kept
  for (const old of keys.slice(0, Math.max(0, keys.length - IMAGES_KEPT))) await cache.delete(old);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;   // POST is never intercepted
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith("/api/v1/images/")) {
    event.respondWith(productImage(request, event));
  } else if (url.pathname.startsWith("/api/")) {
    // Sync state must be live; bootstrap and catalog may come from cache when offline.
    if (url.pathname.startsWith("/api/v1/sync")) return;
    event.respondWith(apiNetworkFirst(request));
  } else if (url.pathname.startsWith("/i18n/")) {
    event.respondWith(catalogKeptFirst(request, event));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fromCacheFirst(request));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "kasir-outbox") return;
  event.waitUntil((async () => {
    await flush();  // a rejection makes the browser retry this sync later, with its own backoff
    for (const client of await self.clients.matchAll()) client.postMessage({ type: "outbox-changed" });
  })());
});
