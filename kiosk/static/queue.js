/* The tablet's queue of card scans made while the server could not be reached (IndexedDB, so it
 * survives a reload or a restart of the tablet).
 *
 *   const queue = await openQueue()      // database "hadir-kiosk", store "card-scans"
 *   queue.add({client_id, code, scanned_at})   → Promise; client_id (a UUID) is the key
 *   queue.all()                          → Promise of the items, oldest first
 *   queue.remove(client_id)              → Promise
 * Every item is sent with its client_id and scanned_at (ISO 8601 UTC); the server records a
 * client_id once, so sending an item twice (an answer lost on the way back) records it once.
 * Without IndexedDB (a private window of an old browser) openQueue rejects: card scans then
 * say "not recorded" while offline, as before.
 */
const DB = "hadir-kiosk", STORE = "card-scans";

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openQueue() {
  if (!window.indexedDB) return Promise.reject(new Error("no IndexedDB"));
  const opening = window.indexedDB.open(DB, 1);
  opening.onupgradeneeded = () => {
    opening.result.createObjectStore(STORE, {keyPath: "client_id"}).createIndex("scanned_at", "scanned_at");
  };
  return done(opening).then((db) => {
    const store = (mode) => db.transaction(STORE, mode).objectStore(STORE);
    return {
      add: (item) => done(store("readwrite").put(item)),
      all: () => done(store("readonly").index("scanned_at").getAll()),
      remove: (clientId) => done(store("readwrite").delete(clientId)),
    };
  });
}

/** A random UUID (crypto.randomUUID exists only in secure contexts and newer browsers). */
export function newClientId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
