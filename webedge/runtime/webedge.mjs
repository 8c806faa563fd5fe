// ../webedge/manifest.schema.json
var manifest_schema_default = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "webedge-manifest-1",
  title: "webedge bundle manifest (model.json), format version 1",
  type: "object",
  required: ["format", "version", "model", "inputs", "outputs", "weights", "shards", "backend"],
  properties: {
    format: { const: "webedge-bundle" },
    version: { const: 1 },
    model: {
      type: "object",
      required: ["name", "opsets"],
      properties: {
        name: { type: "string" },
        graph_name: { type: "string" },
        producer: { type: "string" },
        ir_version: { type: "integer" },
        opsets: { type: "object", additionalProperties: { type: "integer" } }
      }
    },
    inputs: { type: "array", minItems: 1, items: { $ref: "#/$defs/valueInfo" } },
    outputs: { type: "array", minItems: 1, items: { $ref: "#/$defs/valueInfo" } },
    weights: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "dtype", "shape", "shard", "offset", "length"],
        properties: {
          name: { type: "string" },
          dtype: { $ref: "#/$defs/dtype" },
          shape: { type: "array", items: { type: "integer", minimum: 0 } },
          shard: { type: "integer", minimum: 0 },
          offset: { type: "integer", minimum: 0 },
          length: { type: "integer", minimum: 0 }
        }
      }
    },
    shards: { type: "array", items: { allOf: [{ $ref: "#/$defs/file" }], properties: {
      encoding: { enum: ["deflate-raw", "shuffle4+deflate-raw"] },
      size: { type: "integer", minimum: 0 }
    } } },
    labels: {
      type: "object",
      description: "class names along the last axis of an output, by output name",
      additionalProperties: { type: "array", minItems: 1, items: { type: "string", maxLength: 1e3 } }
    },
    quantization: {
      type: "object",
      required: ["encoding"],
      properties: {
        encoding: { enum: ["fp16", "int8", "int4", "int8-static", "auto"] },
        ratio: { type: "number" },
        tolerance: { type: "object" }
      }
    },
    backend: {
      type: "object",
      required: ["name", "eps", "graph", "files"],
      properties: {
        name: { enum: ["ort", "webedge"] },
        version: { type: "string" },
        eps: { type: "array", minItems: 1, items: { enum: ["wasm", "webgpu"] } },
        graph: { $ref: "#/$defs/file" },
        files: {
          type: "array",
          items: {
            allOf: [
              { $ref: "#/$defs/file" },
              { type: "object", required: ["role"], properties: { role: { enum: ["entry", "glue", "wasm", "kernel", "kernel-mt", "executor"] } } }
            ]
          }
        }
      }
    }
  },
  $defs: {
    dtype: { enum: [
      "float32",
      "float16",
      "bfloat16",
      "float64",
      "int8",
      "uint8",
      "int16",
      "uint16",
      "int32",
      "uint32",
      "int64",
      "uint64",
      "bool",
      "string"
    ] },
    valueInfo: {
      type: "object",
      required: ["name", "dtype", "shape"],
      properties: {
        name: { type: "string" },
        dtype: { $ref: "#/$defs/dtype" },
        shape: { type: "array", items: { type: ["integer", "string"] } }
      }
    },
    file: {
      type: "object",
      required: ["file", "bytes", "sha256"],
      properties: {
        file: {
          type: "string",
          maxLength: 255,
          pattern: "^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$",
          description: "a plain relative path inside the bundle: segments of letters, digits, _ . -, none starting with a dot (so no '..', no absolute path, no backslash, no empty segment)"
        },
        bytes: { type: "integer", minimum: 0 },
        sha256: { type: "string", pattern: "^[0-9a-f]{64}$" }
      }
    }
  }
};

// src/schema.mjs
function typeOf(v) {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (Number.isInteger(v)) return "integer";
  return typeof v;
}
function typeMatches(v, t) {
  const actual = typeOf(v);
  return actual === t || t === "number" && actual === "integer";
}
function resolve(root, ref) {
  if (!ref.startsWith("#/")) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(2).split("/").reduce((node, key) => node[key], root);
}
function check(value, schema, root = schema, path = "") {
  if (schema.$ref) return check(value, resolve(root, schema.$ref), root, path);
  const fail = (message) => ({ path: path || "(top)", message });
  if (schema.allOf) {
    for (const s of schema.allOf) {
      const e = check(value, s, root, path);
      if (e) return e;
    }
  }
  if ("const" in schema && value !== schema.const) return fail(`must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) return fail(`must be one of ${schema.enum.join(", ")}, got ${JSON.stringify(value)}`);
  if (schema.type) {
    const types = [].concat(schema.type);
    if (!types.some((t) => typeMatches(value, t))) return fail(`must be ${types.join(" or ")}, got ${typeOf(value)}`);
  }
  if (typeof value === "number" && "minimum" in schema && value < schema.minimum) return fail(`must be >= ${schema.minimum}`);
  if (typeof value === "string" && "maxLength" in schema && value.length > schema.maxLength) return fail(`is longer than ${schema.maxLength} characters`);
  if (typeof value === "string" && schema.pattern && !new RegExp(schema.pattern).test(value)) return fail(`does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (schema.minItems && value.length < schema.minItems) return fail(`needs at least ${schema.minItems} item(s)`);
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        const e = check(value[i], schema.items, root, `${path}[${i}]`);
        if (e) return e;
      }
    }
  } else if (value && typeof value === "object") {
    for (const key of schema.required || []) if (!(key in value)) return fail(`is missing required field '${key}'`);
    for (const [key, v] of Object.entries(value)) {
      const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : null);
      if (sub) {
        const e = check(v, sub, root, `${path}.${key}`);
        if (e) return e;
      }
    }
  }
  return null;
}

// src/errors.mjs
var WebedgeError = class extends Error {
  constructor(message, { file, retryable = false, cause } = {}) {
    super(message, cause ? { cause } : void 0);
    this.name = "WebedgeError";
    this.file = file;
    this.retryable = retryable;
  }
};

// src/manifest.mjs
function validateManifest(manifest, where = "model.json") {
  const problem = check(manifest, manifest_schema_default);
  if (problem) throw new WebedgeError(`${where}: invalid manifest at ${problem.path}: ${problem.message}`, { file: where });
  manifest.weights.forEach((w, i) => {
    const shard = manifest.shards[w.shard];
    if (!shard || w.offset + w.length > (shard.size ?? shard.bytes)) {
      throw new WebedgeError(`${where}: invalid manifest at .weights[${i}]: tensor '${w.name}' lies outside its shard`, { file: where });
    }
  });
  manifest.shards.forEach((s, i) => {
    if (s.encoding && s.size === void 0) {
      throw new WebedgeError(`${where}: invalid manifest at .shards[${i}]: an encoded shard needs its decoded 'size'`, { file: where });
    }
  });
  return manifest;
}

// src/store.mjs
var CACHE_NAME = "webedge-files-v1";
async function openStore(enabled = true) {
  let cache = null;
  if (enabled && typeof caches !== "undefined") {
    try {
      cache = await caches.open(CACHE_NAME);
    } catch {
      cache = null;
    }
  }
  const key = (sha256) => new Request(new URL(`/.webedge-cache/${sha256}`, location.href));
  const store = {
    mode: cache ? "persistent" : "memory",
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
        await cache.put(key(sha256), new Response(bytes, { headers: { "content-type": "application/octet-stream" } }));
        return true;
      } catch {
        cache = null;
        store.mode = "memory";
        return false;
      }
    },
    async delete(sha256) {
      if (cache) await cache.delete(key(sha256)).catch(() => {
      });
    }
  };
  return store;
}

// src/fetch.mjs
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
var RETRYABLE_STATUS = /* @__PURE__ */ new Set([408, 425, 429, 500, 502, 503, 504]);
async function fetchOnce(url, file, expectedBytes, onBytes, cacheMode) {
  let res;
  try {
    res = await fetch(url, { cache: cacheMode });
  } catch (cause) {
    throw new WebedgeError(`${file}: network error (${cause.message})`, { file, retryable: true, cause });
  }
  if (!res.ok) {
    const hint = res.status === 404 ? " \u2014 the file is missing from the server; upload the whole bundle folder" : "";
    throw new WebedgeError(`${file}: HTTP ${res.status}${hint}`, { file, retryable: RETRYABLE_STATUS.has(res.status) });
  }
  const buf = new Uint8Array(expectedBytes);
  let got = 0;
  const reader = res.body.getReader();
  try {
    for (; ; ) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > expectedBytes) {
        throw new WebedgeError(`${file}: server sent more than the ${expectedBytes} bytes the manifest lists; the bundle is out of date`, { file });
      }
      buf.set(value, got);
      got += value.length;
      onBytes(value.length);
    }
  } catch (cause) {
    onBytes(-got);
    if (cause instanceof WebedgeError) throw cause;
    throw new WebedgeError(`${file}: download interrupted (${cause.message})`, { file, retryable: true, cause });
  }
  if (got !== expectedBytes) {
    onBytes(-got);
    throw new WebedgeError(`${file}: got ${got} of ${expectedBytes} bytes`, { file, retryable: true });
  }
  return buf;
}
async function fetchBytes(url, { file, bytes, onBytes = () => {
}, retries = 3, backoffMs = 250, cacheMode = "default" }) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchOnce(url, file, bytes, onBytes, cacheMode);
    } catch (err) {
      if (!err.retryable || attempt >= retries) throw err;
      await sleep(backoffMs * 2 ** attempt);
    }
  }
}

// src/integrity.mjs
async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}

// src/files.mjs
function createPool(limit) {
  let active = 0;
  const waiting = [];
  return async function run(task) {
    while (active >= limit) await new Promise((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
async function getVerified(entry, { base, store, pool, progress, phase, stats, retries }) {
  const cached = await store.get(entry.sha256);
  if (cached) {
    if (cached.length === entry.bytes && await sha256Hex(cached) === entry.sha256) {
      stats.cacheBytes += cached.length;
      progress.add(phase, cached.length, entry.file);
      return cached;
    }
    await store.delete(entry.sha256);
  }
  const url = new URL(entry.file, base);
  const download = (cacheMode) => pool(() => fetchBytes(url, {
    file: entry.file,
    bytes: entry.bytes,
    retries,
    cacheMode,
    onBytes: (n) => progress.add(phase, n, entry.file)
  }));
  let bytes = await download("default");
  let actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    progress.add(phase, -bytes.length, entry.file);
    bytes = await download("reload");
    actual = await sha256Hex(bytes);
  }
  if (actual !== entry.sha256) {
    throw new WebedgeError(
      `${entry.file}: integrity check failed (SHA-256 ${actual.slice(0, 16)}\u2026, manifest says ${entry.sha256.slice(0, 16)}\u2026); the file on the server is corrupt or from another bundle \u2014 upload the bundle again`,
      { file: entry.file }
    );
  }
  stats.networkBytes += bytes.length;
  await store.put(entry.sha256, bytes);
  return bytes;
}

// src/decode.mjs
async function decodeShard(entry, bytes) {
  if (!entry.encoding) return bytes;
  if (entry.encoding !== "deflate-raw" && entry.encoding !== "shuffle4+deflate-raw") {
    throw new WebedgeError(`${entry.file}: unknown encoding '${entry.encoding}'; this runtime is older than the bundle \u2014 re-bundle or update webedge`, { file: entry.file });
  }
  if (typeof DecompressionStream === "undefined") {
    throw new WebedgeError(`${entry.file}: this browser has no DecompressionStream; bundle with --no-compress to support it`, { file: entry.file });
  }
  let inflated;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    inflated = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (cause) {
    throw new WebedgeError(`${entry.file}: could not inflate the shard (${cause.message})`, { file: entry.file, cause });
  }
  if (inflated.length !== entry.size) {
    throw new WebedgeError(`${entry.file}: inflated to ${inflated.length} bytes, manifest says ${entry.size}`, { file: entry.file });
  }
  return entry.encoding === "shuffle4+deflate-raw" ? unshuffle4(inflated) : inflated;
}
function unshuffle4(planes) {
  const n4 = planes.length >> 2;
  const out = new Uint8Array(planes.length);
  const words = new Uint32Array(out.buffer, 0, n4);
  for (let i = 0; i < n4; i++) {
    words[i] = planes[i] | planes[n4 + i] << 8 | planes[2 * n4 + i] << 16 | planes[3 * n4 + i] << 24;
  }
  out.set(planes.subarray(4 * n4), 4 * n4);
  return out;
}

// src/progress.mjs
var Progress = class {
  constructor(callback) {
    this.callback = callback;
    this.phases = {};
  }
  setTotal(phase, total) {
    this.phases[phase] = { loaded: 0, total };
  }
  add(phase, n, file) {
    const p = this.phases[phase];
    p.loaded += n;
    this.emit(phase, { file });
  }
  emit(phase, extra = {}) {
    if (!this.callback) return;
    const p = this.phases[phase] ?? { loaded: 0, total: 0 };
    const all = Object.values(this.phases);
    try {
      this.callback({
        phase,
        loaded: p.loaded,
        total: p.total,
        allLoaded: all.reduce((s, q) => s + q.loaded, 0),
        allTotal: all.reduce((s, q) => s + q.total, 0),
        ...extra
      });
    } catch (err) {
      console.error("webedge: onProgress callback threw", err);
    }
  }
};

// src/tensor.mjs
var ARRAY_TYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  float16: Uint16Array
};
function accepts(dtype, data) {
  if (dtype === "float16" && typeof Float16Array !== "undefined" && data instanceof Float16Array) return true;
  if (dtype === "string") return Array.isArray(data);
  return ARRAY_TYPES[dtype] && data instanceof ARRAY_TYPES[dtype];
}
var product = (dims) => dims.reduce((a, b) => a * b, 1);
function prepareFeeds(specs, feeds) {
  if (!feeds || typeof feeds !== "object") throw new WebedgeError("model.run() takes an object {inputName: tensor}");
  const known = new Set(specs.map((s) => s.name));
  const extra = Object.keys(feeds).filter((k) => !known.has(k));
  if (extra.length) throw new WebedgeError(`unknown input(s) ${extra.join(", ")}; the model's inputs are ${[...known].join(", ")}`);
  const missing = specs.filter((s) => !(s.name in feeds)).map((s) => s.name);
  if (missing.length) throw new WebedgeError(`missing input(s) ${missing.join(", ")}`);
  const symbols = {};
  const out = {};
  for (const spec of specs) {
    const value = feeds[spec.name];
    const isTensor = value && !ArrayBuffer.isView(value) && !Array.isArray(value) && "data" in value;
    const data = isTensor ? value.data : value;
    if (!accepts(spec.dtype, data)) {
      const want = spec.dtype === "string" ? "an array of strings" : ARRAY_TYPES[spec.dtype]?.name;
      throw new WebedgeError(`input '${spec.name}' must be ${spec.dtype} (${want}), got ${data?.constructor?.name ?? typeof data}`);
    }
    if (isTensor && value.type && value.type !== spec.dtype) {
      throw new WebedgeError(`input '${spec.name}' must be ${spec.dtype}, got a ${value.type} tensor`);
    }
    let dims = isTensor && value.dims ? Array.from(value.dims, Number) : null;
    if (!dims) {
      const free = spec.shape.filter((d) => typeof d !== "number");
      const fixed = product(spec.shape.filter((d) => typeof d === "number"));
      if (free.length > 1) {
        throw new WebedgeError(`input '${spec.name}' has dynamic dims [${spec.shape.join(", ")}]; pass {data, dims}`);
      }
      const inferred = fixed > 0 ? data.length / fixed : NaN;
      if (free.length === 1 && !(Number.isInteger(inferred) && inferred >= 0)) {
        throw new WebedgeError(`input '${spec.name}' has ${data.length} values, not a whole multiple of ${fixed} (the fixed dims of [${spec.shape.join(", ")}]); pass {data, dims} with the shape you mean`);
      }
      dims = spec.shape.map((d) => typeof d === "number" ? d : inferred);
    }
    const badDim = dims.findIndex((d) => !Number.isSafeInteger(d) || d < 0);
    if (badDim >= 0) {
      throw new WebedgeError(`input '${spec.name}' dims [${dims.join(", ")}]: dim ${badDim} must be a non-negative integer`);
    }
    if (dims.length !== spec.shape.length) {
      throw new WebedgeError(`input '${spec.name}' must have rank ${spec.shape.length} [${spec.shape.join(", ")}], got dims [${dims.join(", ")}]`);
    }
    spec.shape.forEach((d, i) => {
      if (typeof d === "number" && dims[i] !== d) {
        throw new WebedgeError(`input '${spec.name}' dim ${i} must be ${d}, got ${dims[i]} (expected [${spec.shape.join(", ")}])`);
      }
      if (typeof d === "string") {
        if (d in symbols && symbols[d] !== dims[i]) {
          throw new WebedgeError(`input '${spec.name}' dim ${i} ('${d}') is ${dims[i]} but another input set '${d}' to ${symbols[d]}`);
        }
        symbols[d] = dims[i];
      }
    });
    if (!Number.isInteger(product(dims)) || product(dims) !== data.length) {
      throw new WebedgeError(`input '${spec.name}' has ${data.length} values but dims [${dims.join(", ")}] need ${product(dims)}`);
    }
    out[spec.name] = { data, dims, type: spec.dtype };
  }
  return out;
}

// src/backends/ort.mjs
function threadCount() {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}
async function importOrt(manifest, base) {
  const entry = manifest.backend.files.find((f) => f.role === "entry");
  try {
    return await import(
      /* webpackIgnore: true */
      new URL(entry.file, base).href
    );
  } catch (cause) {
    throw new WebedgeError(`${entry.file}: could not load onnxruntime-web (${cause.message})`, { file: entry.file, cause });
  }
}
async function createOrtSession(ort, { manifest, base, ep, wasmBinary, graph, shards }) {
  const glue = manifest.backend.files.find((f) => f.role === "glue");
  ort.env.wasm.numThreads = threadCount();
  ort.env.wasm.wasmPaths = { mjs: new URL(glue.file, base).href };
  ort.env.wasm.wasmBinary = wasmBinary;
  ort.env.logLevel = "error";
  const externalData = manifest.shards.map((s, i) => ({ path: s.file, data: shards[i] }));
  let session;
  try {
    session = await ort.InferenceSession.create(graph, {
      executionProviders: [ep],
      graphOptimizationLevel: "all",
      externalData
    });
  } catch (cause) {
    throw new WebedgeError(`onnxruntime-web (${ep}) could not create a session: ${cause.message}`, { cause });
  }
  return {
    async run(feeds) {
      const ortFeeds = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const results = await session.run(ortFeeds);
      const out = {};
      for (const spec of manifest.outputs) {
        const t = results[spec.name];
        out[spec.name] = { data: t.data, dims: Array.from(t.dims, Number), type: t.type };
      }
      return out;
    },
    async dispose() {
      await session.release();
    }
  };
}

// src/webedge/threads.mjs
var DEFAULT_MAX_THREADS = 4;
var MAX_THREADS = 16;
var SLOT_BYTES = 16384;
var ARGS_AT = 32;
var MAX_ARGS = (SLOT_BYTES - ARGS_AT) / 8;
function threadsFor(requested) {
  if (requested != null && !(Number.isInteger(requested) && requested >= 1)) {
    throw new WebedgeError(`option threads must be a positive integer, got ${JSON.stringify(requested)}`);
  }
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === "undefined") return 1;
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  return Math.min(MAX_THREADS, requested ?? Math.min(cores, DEFAULT_MAX_THREADS));
}

// src/isolation.mjs
function notIsolated() {
  const sw = globalThis.navigator?.serviceWorker;
  if (sw?.controller) {
    return "the page is not cross-origin isolated although a service worker controls it (does it add COOP/COEP? see docs/hosting.md)";
  }
  if (!globalThis.isSecureContext) return "the page is not cross-origin isolated, and on plain http (not localhost) no service worker can fix that: serve it over https";
  return "the page is not cross-origin isolated: its host sends no COOP/COEP headers and no service worker adds them (include the bundle's coi-serviceworker.js, or set the headers: docs/hosting.md)";
}
function threadsNote({ threads, requested, threadedKernels = true }) {
  if (threads > 1) return `${threads} threads (cross-origin isolated)`;
  let why;
  if (!globalThis.crossOriginIsolated) why = notIsolated();
  else if (typeof SharedArrayBuffer === "undefined") why = "this browser gives no SharedArrayBuffer even to an isolated page";
  else if (requested === 1) why = "asked for with threads: 1";
  else if (!threadedKernels) why = "the bundle ships no threaded kernels";
  else if ((globalThis.navigator?.hardwareConcurrency || 1) < 2) why = "the device reports one core";
  else why = "the worker threads could not start";
  return `1 thread: ${why}`;
}

// src/worker.mjs
var describe = (model) => ({
  manifest: model.manifest,
  inputs: model.inputs,
  outputs: model.outputs,
  backend: model.backend,
  threads: model.threads,
  threadsWhy: model.threadsWhy,
  streaming: model.streaming,
  labels: model.labels
});
var statsOf = (model) => ({
  timings: model.stats.timings,
  networkBytes: model.stats.networkBytes,
  cacheBytes: model.stats.cacheBytes,
  cache: model.stats.cache,
  timeOrigin: performance.timeOrigin
});
var errorOf = (err) => ({ name: err?.name ?? "Error", message: String(err?.message ?? err), file: err?.file });
function revive(e) {
  return e.name === "WebedgeError" ? new WebedgeError(e.message, { file: e.file }) : Object.assign(new Error(e.message), { name: e.name });
}
function transferables(outputs) {
  const list = /* @__PURE__ */ new Set();
  for (const t of Object.values(outputs)) {
    const d = t.data;
    if (!ArrayBuffer.isView(d)) continue;
    const own = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && !list.has(d.buffer) && !(typeof SharedArrayBuffer !== "undefined" && d.buffer instanceof SharedArrayBuffer);
    if (!own) t.data = d.slice();
    list.add(t.data.buffer);
  }
  return [...list];
}
function serveInWorker(load2) {
  let model = null;
  const post = (message, transfer = []) => self.postMessage(message, transfer);
  self.onmessage = async ({ data: msg }) => {
    if (msg.type === "load") {
      try {
        const onProgress = msg.progress ? (event) => post({ type: "progress", event }) : void 0;
        model = await load2(msg.url, { ...msg.options, onProgress });
        post({ type: "loaded", model: describe(model), stats: statsOf(model) });
        model.loaded.then(
          () => post({ type: "weights", stats: statsOf(model) }),
          (err) => post({ type: "weights", error: errorOf(err), stats: statsOf(model) })
        );
      } catch (err) {
        post({ type: "loaded", error: errorOf(err) });
      }
    } else if (msg.type === "run") {
      try {
        const outputs = await model.run(msg.feeds);
        post({ type: "result", id: msg.id, outputs, stats: statsOf(model) }, transferables(outputs));
      } catch (err) {
        post({ type: "result", id: msg.id, error: errorOf(err), stats: statsOf(model) });
      }
    } else if (msg.type === "dispose") {
      try {
        await model?.dispose();
      } finally {
        post({ type: "result", id: msg.id });
      }
    }
  };
  post({ type: "ready" });
}
async function loadInWorker(manifestUrl, options, base) {
  if (typeof Worker === "undefined") throw new WebedgeError("option worker: this environment has no Web Worker");
  const url = new URL(manifestUrl, base).href;
  const moduleUrl = new URL("webedge.mjs", url).href;
  const source = `import { serveInWorker, load } from ${JSON.stringify(moduleUrl)};
serveInWorker(load);
`;
  const blobUrl = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(blobUrl, { type: "module", name: "webedge" });
  const { onProgress, worker: _, ...rest } = options;
  const pending = /* @__PURE__ */ new Map();
  let nextId = 0;
  let stats = { timings: {}, networkBytes: 0, cacheBytes: 0, cache: "memory" };
  const shift = (s) => {
    const delta = s.timeOrigin - performance.timeOrigin;
    const timings = Object.fromEntries(Object.entries(s.timings).map(([k, v]) => [k, v + delta]));
    stats = { ...s, timings };
  };
  let settleLoad, settleWeights;
  const loadedModel = new Promise((resolve2, reject) => {
    settleLoad = { resolve: resolve2, reject };
  });
  const loaded = new Promise((resolve2, reject) => {
    settleWeights = { resolve: resolve2, reject };
  });
  loaded.catch(() => {
  });
  worker.onerror = (ev) => {
    ev.preventDefault?.();
    const err = new WebedgeError(
      ev.message ? `webedge.mjs: the worker failed (${ev.message})` : `webedge.mjs: the worker could not load ${moduleUrl} (a bundle has it beside model.json: is ${url} a bundle's model.json?)`,
      { file: "webedge.mjs" }
    );
    settleLoad.reject(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.onmessage = ({ data: msg }) => {
    if (msg.stats) shift(msg.stats);
    if (msg.type === "ready") {
      worker.postMessage({ type: "load", url, options: rest, progress: !!onProgress });
    } else if (msg.type === "progress") {
      try {
        onProgress?.(msg.event);
      } catch (err) {
        console.error("webedge: onProgress callback threw", err);
      }
    } else if (msg.type === "loaded") {
      URL.revokeObjectURL(blobUrl);
      if (msg.error) settleLoad.reject(revive(msg.error));
      else settleLoad.resolve(msg.model);
    } else if (msg.type === "weights") {
      if (msg.error) settleWeights.reject(revive(msg.error));
      else settleWeights.resolve();
    } else if (msg.type === "result") {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(revive(msg.error));
      else p?.resolve(msg.outputs);
    }
  };
  const call = (message) => new Promise((resolve2, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolve2, reject });
    worker.postMessage({ ...message, id });
  });
  let info;
  try {
    info = await loadedModel;
  } catch (err) {
    worker.terminate();
    throw err;
  }
  let disposed = false;
  return {
    ...info,
    worker: true,
    loaded,
    stats: {
      get timings() {
        return stats.timings;
      },
      get networkBytes() {
        return stats.networkBytes;
      },
      get cacheBytes() {
        return stats.cacheBytes;
      },
      get cache() {
        return stats.cache;
      }
    },
    async run(feeds) {
      if (disposed) throw new WebedgeError("model.run() after model.dispose()");
      return call({ type: "run", feeds });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await call({ type: "dispose" });
      } finally {
        worker.terminate();
      }
    }
  };
}

// src/load.mjs
var now = () => performance.now();
async function readManifest(url, retries) {
  const file = url.pathname.split("/").pop();
  let res;
  try {
    res = await fetch(url, { cache: "no-cache" });
  } catch (cause) {
    throw new WebedgeError(`${file}: network error (${cause.message})`, { file, cause });
  }
  if (!res.ok) throw new WebedgeError(`${file}: HTTP ${res.status} \u2014 is this the URL of a webedge bundle's model.json?`, { file });
  let manifest;
  try {
    manifest = await res.json();
  } catch {
    throw new WebedgeError(`${file}: not valid JSON`, { file });
  }
  return validateManifest(manifest, file);
}
async function importExecutor(manifest, base) {
  const entry = manifest.backend.files.find((f) => f.role === "executor");
  try {
    return await import(
      /* webpackIgnore: true */
      new URL(entry.file, base).href
    );
  } catch (cause) {
    throw new WebedgeError(`${entry.file}: could not load the webedge executor (${cause.message})`, { file: entry.file, cause });
  }
}
function chooseEp(manifest, requested) {
  const eps = manifest.backend.eps;
  const hasGpu = typeof navigator !== "undefined" && !!navigator.gpu;
  if (requested) {
    if (!eps.includes(requested)) {
      throw new WebedgeError(`backend '${requested}' is not in this bundle (it has ${eps.join(", ")}); re-bundle with --ep ${requested}`);
    }
    if (requested === "webgpu" && !hasGpu) throw new WebedgeError("backend 'webgpu' asked for, but this browser has no navigator.gpu");
    return requested;
  }
  return eps.find((ep) => ep !== "webgpu" || hasGpu) ?? eps[0];
}
function webedgeThreads(manifest, requested) {
  const threads = threadsFor(requested);
  return manifest.backend.files.some((f) => f.role === "kernel-mt") ? threads : 1;
}
var OPTIONS = ["backend", "onProgress", "concurrency", "cache", "retries", "stream", "threads", "worker"];
function checkOptions(options) {
  if (!options || typeof options !== "object") throw new WebedgeError("load(url, options): options must be an object");
  const unknown = Object.keys(options).filter((k) => !OPTIONS.includes(k));
  if (unknown.length) {
    throw new WebedgeError(`unknown option(s) ${unknown.join(", ")}; load() takes ${OPTIONS.join(", ")}`);
  }
}
async function load(manifestUrl, options = {}) {
  checkOptions(options);
  const pageBase = globalThis.document?.baseURI ?? location.href;
  if (options.worker) return loadInWorker(manifestUrl, options, pageBase);
  const { backend, onProgress, concurrency = 6, cache = true, retries = 3, stream = true } = options;
  const timings = { start: now() };
  const progress = new Progress(onProgress);
  const base = new URL(manifestUrl, pageBase);
  const manifest = await readManifest(base, retries);
  timings.manifest = now();
  const ep = chooseEp(manifest, backend);
  const store = await openStore(cache);
  const pool = createPool(concurrency);
  const stats = { networkBytes: 0, cacheBytes: 0 };
  const ctx = { base, store, pool, progress, stats, retries };
  const isOrt = manifest.backend.name === "ort";
  const threads = isOrt ? threadCount() : webedgeThreads(manifest, options.threads);
  const kernelRole = threads > 1 ? "kernel-mt" : "kernel";
  const binaries = manifest.backend.files.filter((f) => f.role === "wasm" || f.role === kernelRole);
  const modelFiles = [manifest.backend.graph, ...manifest.shards];
  progress.setTotal("runtime", binaries.reduce((s, f) => s + f.bytes, 0));
  progress.setTotal("weights", modelFiles.reduce((s, f) => s + f.bytes, 0));
  const runtime = Promise.all([
    isOrt ? importOrt(manifest, base) : null,
    ...binaries.map((f) => getVerified(f, { ...ctx, phase: "runtime" }))
  ]).then(([ort, ...bins]) => {
    timings.runtime = now();
    return { ort, bins };
  });
  const files = modelFiles.map((f) => getVerified(f, { ...ctx, phase: "weights" }).then((bytes) => decodeShard(f, bytes)));
  const everything = Promise.all(files).then((all) => {
    timings.weights = now();
    return all;
  });
  everything.catch(() => {
  });
  const streaming = !isOrt && stream;
  let session;
  if (streaming) {
    const [{ bins }, graph] = await Promise.all([runtime, files[0]]);
    progress.setTotal("compile", 0);
    progress.emit("compile");
    session = await (await importExecutor(manifest, base)).createStreamingSession({
      manifest,
      planBytes: graph,
      shards: files.slice(1),
      kernels: binaries.map((f, i) => [f.file, bins[i]]),
      threads
    });
  } else {
    const [{ ort, bins }, [graph, ...shards]] = await Promise.all([runtime, everything]);
    progress.setTotal("compile", 0);
    progress.emit("compile");
    session = isOrt ? await createOrtSession(ort, { manifest, base, ep, wasmBinary: bins[0], graph, shards }) : await (await importExecutor(manifest, base)).createWebedgeSession({
      manifest,
      planBytes: graph,
      shards,
      kernels: binaries.map((f, i) => [f.file, bins[i]]),
      threads
    });
  }
  timings.started = now();
  const loaded = (streaming ? Promise.all([everything, session.weightsPlaced]) : Promise.resolve()).then(() => {
    timings.ready = now();
    progress.setTotal("ready", 0);
    progress.emit("ready");
  });
  loaded.catch(() => {
  });
  if (!streaming) await loaded;
  let disposed = false;
  const running = isOrt ? threads : session.threads;
  const threadedKernels = isOrt || manifest.backend.files.some((f) => f.role === "kernel-mt");
  return {
    manifest,
    inputs: manifest.inputs,
    outputs: manifest.outputs,
    /** Class names along each labelled output's last axis (manifest `labels`), e.g. labels.target_label[i]. */
    labels: manifest.labels ?? {},
    backend: `${manifest.backend.name}/${ep}`,
    threads: running,
    /** Why this many threads, in one sentence (a page can show it when it is 1). */
    threadsWhy: threadsNote({ threads: running, requested: options.threads, threadedKernels }),
    streaming,
    worker: false,
    /** Resolves when every weight is downloaded, verified and in place (rejects if one fails). */
    loaded,
    stats: {
      timings,
      get networkBytes() {
        return stats.networkBytes;
      },
      get cacheBytes() {
        return stats.cacheBytes;
      },
      get cache() {
        return store.mode;
      }
    },
    async run(feeds) {
      if (disposed) throw new WebedgeError("model.run() after model.dispose()");
      return session.run(prepareFeeds(manifest.inputs, feeds));
    },
    async dispose() {
      if (!disposed) {
        disposed = true;
        await session.dispose();
      }
    }
  };
}

// src/labels.mjs
function topK(tensor, k = 5, labels = void 0) {
  const dims = tensor.dims;
  const classes = dims.length ? dims[dims.length - 1] : 1;
  if (!(Number.isInteger(k) && k >= 1)) throw new TypeError(`topK: k must be a positive integer, got ${k}`);
  if (typeof tensor.data[0] === "string") throw new TypeError("topK: a string tensor has no scores");
  if (labels && labels.length !== classes) {
    throw new TypeError(`topK: ${labels.length} labels for ${classes} classes`);
  }
  const rows = classes ? tensor.data.length / classes : 0;
  const out = [];
  for (let r = 0; r < rows; r++) {
    const best = [];
    for (let i = 0; i < classes; i++) {
      const score = Number(tensor.data[r * classes + i]);
      if (best.length < k || score > best[best.length - 1].score) {
        const at = best.findIndex((b) => score > b.score);
        best.splice(at < 0 ? best.length : at, 0, { index: i, label: labels?.[i], score });
        if (best.length > k) best.pop();
      }
    }
    out.push(best);
  }
  return out;
}

// src/index.mjs
var version = "0.1.0";
export {
  WebedgeError,
  load,
  serveInWorker,
  topK,
  validateManifest,
  version
};
