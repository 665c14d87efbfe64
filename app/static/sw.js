// The service worker keeps the app's own files for offline use. It never
// caches the API: records and receipts go to the network or wait in the
// outbox (IndexedDB), and the definition is cached by the app itself after
// it has checked it against the log.
const CACHE = "tallylog-app-v2";
const FILES = ["./", "index.html", "app.css", "manifest.webmanifest", "icon.svg", "config.json",
  "js/main.js", "js/record.js", "js/note.js", "js/receipt.js", "js/qr.js", "js/db.js", "js/outbox.js", "js/form.js",
  // The Ed25519 fallback, loaded only where WebCrypto lacks Ed25519, with its licence.
  "js/vendor/noble-ed25519.js", "js/vendor/noble-ed25519.LICENSE", "js/vendor/VENDORED.txt"];

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
