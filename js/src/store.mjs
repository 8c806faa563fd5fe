// Where verified files persist between visits: the Cache API, keyed by SHA-256, so identical
// bytes are shared across bundles and a re-deploy with unchanged shards downloads nothing.
// Falls back to memory only (mode 'memory') when the Cache API is missing, refused (insecure
// context, private mode) or out of quota.
const CACHE_NAME = 'webedge-files-v1';

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
  const store = {
    mode: cache ? 'persistent' : 'memory',
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
      if (!cache) return false;
      try {
        await cache.put(key(sha256), new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
        return true;
      } catch {
        cache = null; // quota exceeded or storage gone: keep going from memory
        store.mode = 'memory';
        return false;
      }
    },
    async delete(sha256) {
      if (cache) await cache.delete(key(sha256)).catch(() => {});
    },
  };
  return store;
}
