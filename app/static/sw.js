// The service worker keeps the app's own files for offline use. It never
// caches the API: records and receipts go to the network or wait in the
// outbox (IndexedDB), and the definition is cached by the app itself after
// it has checked it against the log.
const CACHE = "tallylog-app-v3";
const FILES = ["./", "index.html", "app.css", "manifest.webmanifest", "icon.svg", "config.json",
  "js/main.js", "js/record.js", "js/note.js", "js/receipt.js", "js/qr.js", "js/db.js", "js/outbox.js", "js/form.js",
  // The Ed25519 fallback, loaded only where WebCrypto lacks Ed25519: the ed25519 module of
  // @noble/curves and what it imports, with @noble/hashes' (js/vendor/VENDORED.txt), and their licences.
  "js/vendor/VENDORED.txt",
  "js/vendor/noble-curves/ed25519.js", "js/vendor/noble-curves/utils.js", "js/vendor/noble-curves/LICENSE",
  "js/vendor/noble-curves/abstract/curve.js", "js/vendor/noble-curves/abstract/edwards.js",
  "js/vendor/noble-curves/abstract/fft.js", "js/vendor/noble-curves/abstract/frost.js",
  "js/vendor/noble-curves/abstract/hash-to-curve.js", "js/vendor/noble-curves/abstract/modular.js",
  "js/vendor/noble-curves/abstract/montgomery.js", "js/vendor/noble-curves/abstract/oprf.js",
  "js/vendor/noble-hashes/sha2.js", "js/vendor/noble-hashes/utils.js", "js/vendor/noble-hashes/_md.js",
  "js/vendor/noble-hashes/_u64.js", "js/vendor/noble-hashes/LICENSE"];

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// Network first for the app's files (so an update shows when online), the
// cache when the network fails.
self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin || !url.pathname.startsWith(new URL("./", location).pathname)) return;
  e.respondWith(fetch(e.request).then((resp) => {
    if (resp.ok) {
      const copy = resp.clone();
      caches.open(CACHE).then((c) => c.put(e.request, copy));
    }
    return resp;
  }).catch(() => caches.match(e.request, { ignoreSearch: true }).then((r) => r || caches.match("index.html"))));
});
