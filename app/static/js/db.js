// The device's storage: one IndexedDB database with a key-value store
// (the identity with its non-extractable CryptoKey, the pinned log key, the
// cached definition) and the outbox of signed records waiting to be sent,
// with their photos and, once logged, their receipts.

const NAME = "tallylog-app";
let dbp = null;

function open() {
  if (!dbp) {
    dbp = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("kv");
        db.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbp;
}

async function tx(store, mode, f) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const s = t.objectStore(store);
    let result;
    const req = f(s);
    if (req) req.onsuccess = () => { result = req.result; };
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error("storage: transaction aborted"));
  });
}

export const get = (key) => tx("kv", "readonly", (s) => s.get(key));
export const put = (key, value) => tx("kv", "readwrite", (s) => s.put(value, key));
export const del = (key) => tx("kv", "readwrite", (s) => s.delete(key));

export const addItem = (item) => tx("outbox", "readwrite", (s) => s.add(item));
export const putItem = (item) => tx("outbox", "readwrite", (s) => s.put(item));
export const getItem = (id) => tx("outbox", "readonly", (s) => s.get(id));
export const items = () => tx("outbox", "readonly", (s) => s.getAll());
