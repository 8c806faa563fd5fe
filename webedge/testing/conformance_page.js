// The in-page half of webedge/conformance.py, served as /__conformance__/runner.mjs.
//
// On the page, `runBatch(args)` reads the batch's JSON index and the tensor blob, then hands the
// cases one at a time to a module worker (this same file), so that a case which loops or hangs is
// stopped by terminating the worker after its time limit while the page itself stays responsive.
// In the worker, each case builds a session (webedge's createSession from a plan, kernels and
// weights, or onnxruntime-web's InferenceSession from the model bytes), runs every data set, and
// posts the raw output bytes back. Python decodes and compares them; nothing is judged here.

const IN_WORKER = typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope;

// dtype name (as webedge/weights.py spells it) -> typed array holding its bytes.
const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array, float16: Uint16Array, bfloat16: Uint16Array, float8e4m3fn: Uint8Array, float8e4m3fnuz: Uint8Array,
  float8e5m2: Uint8Array, float8e5m2fnuz: Uint8Array, float8e8m0: Uint8Array,
};
// Sub-byte types: ONNX (and onnxruntime-web) pack them, the first element in the low bits; the
// webedge runtime keeps one per slot (js/src/webedge/lowp.mjs), so its inputs are unpacked here
// and its outputs packed again. [bits, signed]
const SUB_BYTE = { int4: [4, true], uint4: [4, false], float4e2m1: [4, false], int2: [2, true], uint2: [2, false] };

function message(err) {
  if (err === undefined || err === null) return 'unknown error';
  if (typeof err === 'number') return `wasm exception or abort (${err})`;
  const text = err.message || String(err);
  return text.split('\n')[0].slice(0, 2000);
}

function typedView(type, bytes, name) {
  if (SUB_BYTE[type]) return bytes; // packed, as ONNX stores them
  const Arr = ARRAYS[type];
  if (!Arr) throw new Error(`input '${name}': no JS typed array for dtype ${type}`);
  return new Arr(bytes.buffer, bytes.byteOffset, bytes.byteLength / Arr.BYTES_PER_ELEMENT);
}

function unpack(type, bytes, n) {
  const [bits, signed] = SUB_BYTE[type];
  const per = 8 / bits, mask = (1 << bits) - 1, half = 1 << (bits - 1);
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = (bytes[(i / per) | 0] >> ((i % per) * bits)) & mask;
    out[i] = signed ? (v ^ half) - half : v;
  }
  return out;
}

function pack(type, values) {
  const bits = SUB_BYTE[type][0];
  const per = 8 / bits, mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / per));
  for (let i = 0; i < values.length; i++) out[(i / per) | 0] |= (values[i] & mask) << ((i % per) * bits);
  return out;
}

function outputOf(t, packed = false) {
  const dims = Array.from(t.dims, Number);
  if (t.type === 'string') return { type: 'string', dims, strings: Array.from(t.data, String) };
  const d = t.data;
  if (!ArrayBuffer.isView(d)) throw new Error(`output of type ${t.type} has no typed array data`);
  if (packed && SUB_BYTE[t.type]) return { type: t.type, dims, bytes: pack(t.type, d) };
  return { type: t.type, dims, bytes: new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice() };
}

// ---------------------------------------------------------------- worker side
let mode = null;
let runtime = null;
let ort = null;
let kernels = {};
let gpuDevice = null; // webgpu runs: one device for every case of this worker

async function init(msg) {
  mode = msg.mode;
  if (mode === 'webedge') {
    runtime = await import(msg.runtimeUrl);
    kernels = msg.kernels;
    if (msg.shaders) {
      const made = await runtime.gpu.createWebGPUDevice(msg.shaders);
      if (!made.device) throw new Error(`no WebGPU here: ${made.reason}`);
      gpuDevice = made.device;
    }
  } else {
    ort = await import(msg.ortUrl);
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = msg.ortBase;
    ort.env.logLevel = 'error';
    // Compile and start the ~14 MB wasm now, under the init time limit, not the first case's.
    const warm = await ort.InferenceSession.create(msg.warmModel, { executionProviders: ['wasm'] });
    await warm.release();
  }
}

async function runWebedge(c) {
  const session = await runtime.createSession({
    plan: c.plan,
    kernels: c.plan.kernels.map((k) => {
      if (!kernels[k]) throw new Error(`kernel module ${k}.wasm is missing`);
      return [`kernels/${k}.wasm`, kernels[k]];
    }),
    weights: c.weights.map((w) => ({ name: w.name, dtype: w.dtype, shape: w.shape, bytes: w.bytes, length: w.bytes.byteLength })),
    gpuDevice,
  });
  const results = [];
  try {
    for (const set of c.feeds) {
      const feeds = {};
      for (const f of set) {
        if (f.strings) throw new Error(`input '${f.name}': string tensors have no typed array in the webedge runtime`);
        const n = f.dims.reduce((a, b) => a * b, 1);
        const data = SUB_BYTE[f.type] ? unpack(f.type, f.bytes, n) : typedView(f.type, f.bytes, f.name);
        feeds[f.name] = { data, dims: f.dims, type: f.type };
      }
      const out = await session.run(feeds);
      results.push(Object.entries(out).map(([name, t]) => ({ name, ...outputOf(t, true) })));
    }
    if (gpuDevice) results.placement = session.placement().byOp;
  } finally {
    await session.dispose();
  }
  return results;
}

async function runOrt(c) {
  const session = await ort.InferenceSession.create(c.model, { executionProviders: ['wasm'], logSeverityLevel: 3 });
  const results = [];
  try {
    for (const set of c.feeds) {
      const feeds = {};
      for (const f of set) {
        feeds[f.name] = f.strings ? new ort.Tensor('string', f.strings, f.dims)
          : new ort.Tensor(f.type, typedView(f.type, f.bytes, f.name), f.dims);
      }
      const out = await session.run(feeds);
      results.push(Object.entries(out).map(([name, t]) => ({ name, ...outputOf(t) })));
    }
  } finally {
    await session.release();
  }
  return results;
}

if (IN_WORKER) {
  globalThis.onmessage = async ({ data: msg }) => {
    try {
      if (msg.type === 'init') {
        await init(msg);
        postMessage({ ok: true });
        return;
      }
      const t0 = performance.now();
      const outputs = mode === 'webedge' ? await runWebedge(msg.case) : await runOrt(msg.case);
      const transfer = outputs.flat().filter((o) => o.bytes).map((o) => o.bytes.buffer);
      // (an array's own properties do not survive postMessage: the placement travels beside it)
      postMessage({ ok: true, outputs, placement: outputs.placement ?? null, ms: performance.now() - t0 }, transfer);
    } catch (err) {
      postMessage({ ok: false, error: message(err) });
    }
  };
}

// ---------------------------------------------------------------- page side
async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function base64(u8) {
  let s = '';
  for (let k = 0; k < u8.length; k += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(k, k + 0x8000));
  return btoa(s);
}

class Worker1 {
  constructor(initMsg, initTimeoutMs) {
    this.initMsg = initMsg;
    this.initTimeoutMs = initTimeoutMs;
    this.worker = null;
    this.broken = null;
  }

  async ensure() {
    if (this.broken) return this.broken;
    if (this.worker) return null;
    this.worker = new Worker(import.meta.url, { type: 'module' });
    const msg = { ...this.initMsg };
    if (msg.kernels) msg.kernels = Object.fromEntries(Object.entries(msg.kernels).map(([k, v]) => [k, v.slice()]));
    if (msg.warmModel) msg.warmModel = msg.warmModel.slice();
    const reply = await this.call(msg, this.initTimeoutMs);
    if (!reply.ok) {
      this.stop();
      this.broken = `runner could not start the ${msg.mode} worker: ${reply.error}`; // not retried in this batch
      return this.broken;
    }
    return null;
  }

  call(msg, ms, transfer = []) {
    return new Promise((resolve) => {
      const w = this.worker;
      let timer = null;
      const done = (v) => {
        clearTimeout(timer);
        w.onmessage = null;
        w.onerror = null;
        if (!v.ok && (v.timedOut || v.crashed)) this.stop();
        resolve(v);
      };
      timer = setTimeout(() => done({ ok: false, timedOut: true, error: `timed out after ${ms / 1000} s` }), ms);
      w.onmessage = (e) => done(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        done({ ok: false, crashed: true, error: `worker crashed: ${e.message || 'out of memory or aborted'}` });
      };
      w.postMessage(msg, transfer);
    });
  }

  stop() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
  }
}

const cache = { blobUrl: null, blob: null, kernels: {}, ortModel: null };

// args: {index, blob, mode, timeoutMs, initTimeoutMs, maxTimeouts, kernelNames, kernelBase (the kernel set's
// folder: /kernels/ or /kernels/relaxed/), runtimeUrl, ortUrl, ortBase, warmModel}. After maxTimeouts cases
// time out, the rest are not run (a hung runtime stays bounded).
export async function runBatch(args) {
  const index = await (await fetch(args.index)).json();
  if (cache.blobUrl !== args.blob) {
    cache.blob = await fetchBytes(args.blob);
    cache.blobUrl = args.blob;
  }
  const blob = cache.blob;
  const origin = location.origin;
  const initMsg = { type: 'init', mode: args.mode };
  if (args.mode === 'webedge') {
    const kernels = {};
    for (const k of args.kernelNames) {
      const url = `${args.kernelBase}${k}.wasm`;
      if (!cache.kernels[url]) cache.kernels[url] = await fetchBytes(url);
      kernels[k] = cache.kernels[url];
    }
    initMsg.runtimeUrl = new URL(args.runtimeUrl, origin).href;
    initMsg.kernels = kernels;
    if (args.shaderNames) {
      cache.shaders ??= {};
      for (const s of args.shaderNames) {
        cache.shaders[s] ??= new TextDecoder().decode(await fetchBytes(`/__conformance__/shaders/${s}.wgsl`));
      }
      initMsg.shaders = cache.shaders;
    }
  } else {
    initMsg.ortUrl = new URL(args.ortUrl, origin).href;
    initMsg.ortBase = new URL(args.ortBase, origin).href;
    const w = args.warmModel;
    initMsg.warmModel = blob.subarray(w.offset, w.offset + w.length);
  }
  const runner = new Worker1(initMsg, args.initTimeoutMs);
  const take = (r) => blob.slice(r.offset, r.offset + r.length);
  const results = [];
  let timeouts = 0;
  try {
    for (const c of index.cases) {
      if (timeouts >= args.maxTimeouts) {
        results.push({ id: c.id, ok: false, error: `not run: ${timeouts} cases of this run already timed out` });
        continue;
      }
      console.debug(`conformance:start:${c.id}`);
      const startErr = await runner.ensure();
      if (startErr) {
        results.push({ id: c.id, ok: false, error: startErr });
        continue;
      }
      const transfer = [];
      const feeds = c.feeds.map((set) => set.map((f) => {
        if (f.strings) return f;
        const bytes = take(f);
        transfer.push(bytes.buffer);
        return { ...f, bytes };
      }));
      const msg = { type: 'case', case: { feeds } };
      if (args.mode === 'webedge') {
        msg.case.plan = c.plan;
        msg.case.weights = c.weights.map((w) => {
          const bytes = take(w);
          transfer.push(bytes.buffer);
          return { ...w, bytes };
        });
      } else {
        msg.case.model = take(c.model);
        transfer.push(msg.case.model.buffer);
      }
      const reply = await runner.call(msg, args.timeoutMs, transfer);
      if (reply.timedOut) timeouts++;
      const res = { id: c.id, ok: reply.ok, ms: reply.ms, timedOut: !!reply.timedOut, placement: reply.placement ?? null };
      if (reply.ok) {
        res.outputs = reply.outputs.map((set) => set.map((o) => (o.bytes ? { name: o.name, type: o.type, dims: o.dims, b64: base64(o.bytes) } : o)));
      } else {
        res.error = reply.error;
      }
      results.push(res);
    }
  } finally {
    runner.stop();
  }
  return results;
}
