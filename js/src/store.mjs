// Where verified files persist between visits: the Cache API, keyed by SHA-256, so identical
// bytes are shared across bundles and a re-deploy with unchanged shards downloads nothing.
// Falls back to memory only (mode 'memory') when the Cache API is missing, refused (insecure
// context, private mode) or out of quota, or when the quota left (navigator.storage.estimate())
// cannot hold what this load would add; files already cached are still read then.
// Cleaning up: each bundle (by its manifest's URL) keeps an index entry, the hashes its manifest
// named at its last load. After a load, the hashes of that previous index which the current
// manifest no longer names, and which no other bundle's index names, are deleted: an old
// deployment's shards go, another bundle's shared bytes stay.
const CACHE_NAME = 'webedge-files-v1';
const INDEX = '/.webedge-cache/bundle/';
const MB = (n) => `${(n / 1e6).toFixed(1)} MB`;

export async function openStore(enabled = true) {
  let cache = null;
  if (enabled && typeof caches !== 'undefined') {
    try {
      cache = await caches.open(CACHE_NAME);
    } catch {
      cache = null;
    }
  }
  const key = (sha256) => new Request(new URL(`/.webedge-cache/${sha256}`, location.href));
  const indexKey = (bundle) => new Request(new URL(INDEX + encodeURIComponent(bundle), location.href));
  const readIndex = async (request) => {
    const hit = await cache.match(request);
    return hit ? (await hit.json()).hashes : [];
  };
  let writable = !!cache;
  const store = {
    mode: cache ? 'persistent' : 'memory',
    why: null, // why a load runs from memory although the Cache API is there
    async get(sha256) {
      if (!cache) return null;
      try {
        const hit = await cache.match(key(sha256));
        return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
      } catch {
        return null;
      }
    },
    async put(sha256, bytes) {
      if (!writable) return false;
      try {
        await cache.put(key(sha256), new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
        return true;
      } catch {
        cache = null; // quota exceeded or storage gone: keep going from memory
        writable = false;
        store.mode = 'memory';
        return false;
      }
    },
    async delete(sha256) {
      if (writable) await cache.delete(key(sha256)).catch(() => {});
    },
    /** Before downloading: will the `files` ({sha256, bytes}) not yet cached for `bundle` fit the
     * quota left? If not, nothing is written (memory mode) and `why` says so. */
    async reserve(bundle, files) {
      try {
        const had = await readIndex(indexKey(bundle));
        const need = files.reduce((s, f) => s + (had.includes(f.sha256) ? 0 : f.bytes), 0);
        const { usage, quota } = await navigator.storage.estimate();
        if (need > quota - usage) {
          writable = false;
          store.mode = 'memory';
          store.why = `${MB(need)} to download, ${MB(quota - usage)} of storage left: not cached`;
        }
      } catch {} // no cache, no estimate: try, and fall back to memory if a write fails
    },
    /** After a load: record the hashes `bundle` names now and delete what only its previous
     * deployment named. Resolves to the number of files deleted. */
    async settle(bundle, hashes) {
      let gone = [];
      if (writable) try {
        const mine = indexKey(bundle);
        const keep = new Set(hashes);
        const old = await readIndex(mine);
        await cache.put(mine, Response.json({ hashes }));
        for (const request of await cache.keys()) {
          if (request.url !== mine.url && request.url.includes(INDEX)) for (const h of await readIndex(request)) keep.add(h);
        }
        gone = old.filter((h) => !keep.has(h));
        for (const h of gone) await cache.delete(key(h));
      } catch {}
      return gone.length;
    },
  };
  return store;
}
