// Why a page runs on the threads it does, in words a page can show ("model.threadsWhy").
// wasm threads need SharedArrayBuffer, which a browser gives only to a cross-origin isolated page:
// the host sends COOP/COEP (webedge serve, a bundle's _headers) or the bundle's service worker
// (coi-serviceworker.js) adds them and reloads the page on the first visit.

function notIsolated() {
  const sw = globalThis.navigator?.serviceWorker;
  if (sw?.controller) {
    return 'the page is not cross-origin isolated although a service worker controls it (does it add COOP/COEP? see docs/hosting.md)';
  }
  if (!globalThis.isSecureContext) return 'the page is not cross-origin isolated, and on plain http (not localhost) no service worker can fix that: serve it over https';
  return "the page is not cross-origin isolated: its host sends no COOP/COEP headers and no service worker adds them (include the bundle's coi-serviceworker.js, or set the headers: docs/hosting.md)";
}

/** One sentence: how many threads run and, when it is one, why. */
export function threadsNote({ threads, requested, threadedKernels = true }) {
  if (threads > 1) return `${threads} threads (cross-origin isolated)`;
  let why;
  if (!globalThis.crossOriginIsolated) why = notIsolated();
  else if (typeof SharedArrayBuffer === 'undefined') why = 'this browser gives no SharedArrayBuffer even to an isolated page';
  else if (requested === 1) why = 'asked for with threads: 1';
  else if (!threadedKernels) why = 'the bundle ships no threaded kernels';
  else if ((globalThis.navigator?.hardwareConcurrency || 1) < 2) why = 'the device reports one core';
  else why = 'the worker threads could not start';
  return `1 thread: ${why}`;
}
