// The WebGPU device: ops' `webgpu` parts run WGSL compute shaders (js/src/webedge/webgpu/*.wgsl)
// on GPU buffers. A tensor here has location 'webgpu' and its bytes in `buffer`; nothing on the
// host can read it directly, so the executor copies it back (`read()`, async) where a wasm or JS
// part needs it, and uploads host tensors (`upload`) where a GPU part does.
//
// - Buffers come from a pool by size class. A released buffer goes back to the pool only after the
//   commands that may still read it were submitted (`flush`), so a later upload into a reused
//   buffer can never overtake a dispatch that reads its old contents.
// - Dispatches are encoded into one command encoder and submitted together at the next readback
//   (or every MAX_PENDING dispatches), not one submit per node.
// - Each shader declares `struct Params` (shapes, strides, scalars in elements) bound at
//   @binding(0) as a uniform; `params()` reads the struct's field list from the shader source and
//   packs JS values with WGSL's uniform layout rules, so the JS side cannot drift from the shader.
//   Storage buffers follow at @binding(1..) in the order the part passes them. A Params field
//   named `inf` is set to +Infinity here (WGSL has no constant for it; -p.inf and p.inf - p.inf
//   give -inf and NaN at run time).
// - Pipelines are keyed by shader and override constants (specialisation: activation kind, flags,
//   workgroup size) and created with createComputePipelineAsync; `prepare()` starts them early
//   (while weights download).
// - `limits` are the adapter's; a part asks `fits(bytes)` and falls back when a tensor is larger
//   than one binding may be.
import { Tensor, size } from '../tensor.mjs';
import { bindingsOf } from './shaders.mjs';

import { selfTest } from './selftest.mjs';

/** The self-test of a session (see session.check): the golden pair must match or WebGPU goes. */
export async function check(session, bytes, dropGpu, onFallback, outputs) {
  const why = await selfTest(session, JSON.parse(new TextDecoder().decode(await bytes)), outputs);
  if (why) {
    session.fallbackReason = `the WebGPU self-test failed: ${why}`;
    dropGpu();
    onFallback(session.fallbackReason);
  }
}

const MAX_PENDING = 64;
const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
export const GPU_DTYPES = { float32: Float32Array, int32: Int32Array, uint32: Uint32Array };

const sizeClass = (bytes) => Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));

// WGSL uniform layout (size, alignment) of the field types Params may hold.
const LAYOUT = {
  u32: [4, 4], i32: [4, 4], f32: [4, 4],
  'vec4<u32>': [16, 16], 'vec4<i32>': [16, 16], 'vec4<f32>': [16, 16],
};

/** Field list of `struct Params { ... }` in a shader: [{name, type, count, offset}] and total size. */
export function paramsLayout(source, shader = 'shader') {
  const m = /struct\s+Params\s*\{([^}]*)\}/.exec(source);
  if (!m) return { fields: [], bytes: 0 };
  const fields = [];
  let offset = 0;
  const body = m[1].replace(/\/\/.*$/gm, '');
  const decls = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k <= body.length; k++) { // split at the commas outside <...>
    const ch = body[k];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if ((ch === ',' && depth === 0) || k === body.length) {
      if (body.slice(start, k).trim()) decls.push(body.slice(start, k).trim());
      start = k + 1;
    }
  }
  for (const decl of decls) {
    const [name, rawType] = decl.split(':').map((s) => s.trim());
    const arr = /^array<(.+),\s*(\d+)>$/.exec(rawType);
    const type = arr ? arr[1].trim() : rawType;
    const count = arr ? Number(arr[2]) : 1;
    if (!LAYOUT[type] || (arr && LAYOUT[type][1] !== 16)) {
      throw new Error(`${shader}: Params field '${name}: ${rawType}' has no uniform layout here (use u32/i32/f32, vec4, array<vec4, N>)`);
    }
    const [bytes, align] = LAYOUT[type];
    offset = Math.ceil(offset / align) * align;
    fields.push({ name, type, count, offset, lanes: bytes / 4 });
    offset += bytes * count;
  }
  return { fields, bytes: Math.max(16, Math.ceil(offset / 16) * 16) };
}

export class WebGPUDevice {
  /** `shaders`: name -> WGSL source. Use `createWebGPUDevice`, which also says why not. */
  constructor(adapter, device, shaders, info = {}) {
    this.name = 'webgpu';
    this.adapter = adapter;
    this.gpu = device;
    this.shaders = shaders;
    this.info = info;
    this.limits = device.limits;
    this.modules = new Map();
    this.layouts = new Map();
    this.groupLayouts = new Map(); // shader -> GPUPipelineLayout from its declared bindings
    this.pipelines = new Map(); // key -> Promise<GPUComputePipeline> | GPUComputePipeline
    this.pool = new Map(); // size class -> [GPUBuffer]
    this.limbo = []; // released since the last submit: [class, buffer]
    this.residents = new WeakMap(); // weight or constant tensor -> its GPU copy, kept for the session
    this.encoder = null;
    this.pending = 0;
    this.lost = null;
    device.lost?.then((i) => { this.lost = i.message || i.reason || 'device lost'; });
  }

  has(kernels) {
    return kernels.every((k) => k in this.shaders);
  }

  reads(t) {
    return t.location === 'webgpu';
  }

  /** Whether one storage binding of `bytes` fits this adapter. */
  fits(bytes) {
    return bytes <= this.limits.maxStorageBufferBindingSize && bytes <= this.limits.maxBufferSize;
  }

  buffer(bytes) {
    const cls = sizeClass(bytes);
    const free = this.pool.get(cls);
    if (free?.length) return [cls, free.pop()];
    return [cls, this.gpu.createBuffer({ size: cls, usage: USAGE() })];
  }

  alloc(dtype, dims) {
    if (!GPU_DTYPES[dtype]) throw new Error(`the WebGPU device holds float32/int32 tensors, not ${dtype}`);
    const [cls, buffer] = this.buffer(size(dims) * 4);
    return new GpuTensor(dtype, dims, this, buffer, cls);
  }

  /** A GPU copy of a host tensor (int64 indices become int32, as the shaders read them). */
  upload(t, dtype = t.dtype === 'int64' ? 'int32' : t.dtype) {
    const out = this.alloc(dtype, t.dims);
    const Arr = GPU_DTYPES[dtype];
    let data = t.data;
    if (!(data instanceof Arr)) data = Arr.from(data, (v) => Number(v));
    if (data.byteLength) this.gpu.queue.writeBuffer(out.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return out;
  }

  /** Overwrite a GPU buffer from the host. queue.writeBuffer runs before commands that are
   * encoded but not yet submitted, so those are submitted first: a write never overtakes a
   * dispatch encoded before it. */
  write(buffer, data) {
    this.flush();
    this.gpu.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** The GPU copy of a weight or constant (uploaded the first time a GPU part reads it). */
  resident(t) {
    let copy = this.residents.get(t);
    if (!copy) {
      copy = this.upload(t);
      this.residents.set(t, copy);
    }
    return copy;
  }

  /** A GPU copy of a GPU tensor (a subplan output that its scope keeps). */
  clone(t) {
    const out = this.alloc(t.dtype, t.dims.slice());
    const n = Math.ceil((size(t.dims) * 4) / 4) * 4;
    if (n) {
      this.encoder ??= this.gpu.createCommandEncoder();
      this.encoder.copyBufferToBuffer(t.buffer, 0, out.buffer, 0, n);
    }
    return out;
  }

  /** Give a buffer back; reusable once the commands encoded so far are submitted. */
  free(cls, buffer) {
    this.limbo.push([cls, buffer]);
  }

  module(shader) {
    let m = this.modules.get(shader);
    if (!m) {
      const code = this.shaders[shader];
      if (code === undefined) throw new Error(`no WGSL shader '${shader}' in this bundle`);
      m = this.gpu.createShaderModule({ code, label: shader });
      this.modules.set(shader, m);
      this.layouts.set(shader, paramsLayout(code, shader));
      const entries = bindingsOf(code).map(({ binding, kind }) => ({
        binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: kind },
      }));
      const group = this.gpu.createBindGroupLayout({ entries, label: shader });
      this.groupLayouts.set(shader, [group, this.gpu.createPipelineLayout({ bindGroupLayouts: [group] })]);
    }
    return m;
  }

  /** The compute pipeline of `shader` specialised by `constants` (created once, asynchronously). */
  pipeline(shader, constants = {}) {
    const key = `${shader}|${JSON.stringify(constants)}`;
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.module(shader);
      p = this.gpu.createComputePipelineAsync({
        layout: this.groupLayouts.get(shader)[1], label: key, compute: { module, entryPoint: 'main', constants },
      }).then((made) => { this.pipelines.set(key, made); return made; });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Start creating pipelines now: [{shader, constants}]. Resolves when all exist. */
  prepare(list) {
    return Promise.all(list.map(({ shader, constants }) => this.pipeline(shader, constants)));
  }

  /** The uniform bytes of `values` laid out as `shader`'s Params. */
  params(shader, values) {
    this.module(shader);
    const { fields, bytes } = this.layouts.get(shader);
    const buf = new ArrayBuffer(bytes);
    const u = new Uint32Array(buf);
    const i = new Int32Array(buf);
    const f = new Float32Array(buf);
    for (const field of fields) {
      // `inf` is filled here: WGSL cannot spell infinity as a constant, shaders read it from Params
      const v = field.name === 'inf' ? Infinity : values[field.name] ?? (field.name.startsWith('_') ? 0 : undefined);
      if (v === undefined) throw new Error(`${shader}: Params.${field.name} not given`); // _padding fields are 0
      const flat = typeof v === 'number' || typeof v === 'boolean' ? [Number(v)] : Array.from(v, Number);
      const n = field.count * field.lanes;
      if (flat.length > n) throw new Error(`${shader}: Params.${field.name} takes ${n} values, got ${flat.length}`);
      const view = field.type.includes('f32') ? f : field.type.includes('i32') ? i : u;
      for (let k = 0; k < n; k++) view[field.offset / 4 + k] = flat[k] ?? 0;
    }
    return buf;
  }

  /**
   * Encode one dispatch: `shader` specialised by `constants`, Params from `params`, storage
   * `bindings` (GPU tensors or raw GPUBuffers, @binding(1..)), `workgroups` [x, y, z]. The
   * pipeline must exist already (await `pipeline()` / `prepare()` first, as parts do).
   */
  dispatch(shader, { constants = {}, params = {}, bindings, workgroups }) {
    const key = `${shader}|${JSON.stringify(constants)}`;
    const pipe = this.pipelines.get(key);
    if (!pipe || pipe instanceof Promise) throw new Error(`pipeline ${key} used before it was created`);
    const packed = this.params(shader, params);
    const uniform = this.gpu.createBuffer({ size: packed.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.gpu.queue.writeBuffer(uniform, 0, packed);
    const entries = [{ binding: 0, resource: { buffer: uniform } }];
    bindings.forEach((b, k) => entries.push({ binding: k + 1, resource: { buffer: b.buffer ?? b } }));
    const group = this.gpu.createBindGroup({ layout: this.groupLayouts.get(shader)[0], entries });
    this.encoder ??= this.gpu.createCommandEncoder();
    const pass = this.encoder.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(...workgroups);
    pass.end();
    this.limbo.push([0, uniform]); // destroyed at the next submit
    if (++this.pending >= MAX_PENDING) this.flush();
  }

  /** Async convenience for parts: create the pipeline if need be, then dispatch. */
  async run(shader, spec) {
    await this.pipeline(shader, spec.constants ?? {});
    this.dispatch(shader, spec);
  }

  /** Submit what was encoded; buffers released meanwhile become reusable. */
  flush() {
    if (this.encoder) {
      this.gpu.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.pending = 0;
    }
    for (const [cls, buffer] of this.limbo) {
      if (cls === 0) buffer.destroy();
      else (this.pool.get(cls) ?? this.pool.set(cls, []).get(cls)).push(buffer);
    }
    this.limbo = [];
  }

  /** Copy `bytes` of a GPU buffer back to the host. */
  async readBuffer(buffer, bytes) {
    const n = Math.ceil(bytes / 4) * 4;
    if (n === 0) return new ArrayBuffer(0);
    const staging = this.gpu.createBuffer({ size: n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.encoder ??= this.gpu.createCommandEncoder();
    this.encoder.copyBufferToBuffer(buffer, 0, staging, 0, n);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ);
    if (this.lost) throw new Error(`WebGPU device lost: ${this.lost}`);
    const copy = staging.getMappedRange(0, n).slice(0, bytes);
    staging.unmap();
    staging.destroy();
    return copy;
  }

  destroy() {
    this.flush();
    for (const list of this.pool.values()) for (const b of list) b.destroy();
    this.pool.clear();
    this.gpu.destroy();
  }
}

/** A tensor in a GPU buffer. `data` is not available: use `await read()`. */
export class GpuTensor extends Tensor {
  constructor(dtype, dims, device, buffer, cls) {
    super(dtype, dims);
    this.device = device;
    this.buffer = buffer;
    this.cls = cls;
  }
  get location() {
    return 'webgpu';
  }
  get data() {
    throw new Error('a WebGPU tensor has no host data: await tensor.read() (the executor inserts the transfer)');
  }
  async read() {
    const bytes = await this.device.readBuffer(this.buffer, this.size * 4);
    return new GPU_DTYPES[this.dtype](bytes);
  }
  release() {
    if (this.buffer) this.device.free(this.cls, this.buffer);
    this.buffer = null;
  }
}

// Create the compute pipelines the plan's GPU parts will use now, in the background: they compile
// while the weights download (createComputePipelineAsync), and a first run finds them ready.
/** Take WebGPU out of a session's devices for good; its nodes are placed again on wasm/js. */
export function drop(devices, executor, keep) {
  const dropped = devices.webgpu;
  if (!dropped) return;
  delete devices.webgpu;
  executor.chosen = new Map();
  executor.placed = new Map();
  if (dropped !== keep) dropped.destroy();
}

export function startPipelines(gpu, nodes, units) {
  const seen = new Set();
  const want = [];
  const visit = (list) => {
    for (const node of list) {
      for (const p of units.get(node.op)?.webgpu?.pipelines?.(node) ?? []) {
        const key = `${p.shader}|${JSON.stringify(p.constants)}`;
        if (!seen.has(key) && p.shader in gpu.shaders) {
          seen.add(key);
          want.push(p);
        }
      }
      for (const a of Object.values(node.attrs)) if (a && Array.isArray(a.nodes)) visit(a.nodes);
    }
  };
  visit(nodes);
  gpu.prepare(want).catch(() => {}); // a pipeline that fails here fails again, with its error, when used
}

/**
 * The WebGPU device of this page, or {device: null, reason} saying why not: no navigator.gpu
 * (not a secure context, or a browser without WebGPU), no adapter, or requestDevice failed.
 */
export async function createWebGPUDevice(sources, { powerPreference = 'high-performance' } = {}) {
  // name -> WGSL source, or the loader's [file, bytes] pairs (its .wgsl files)
  const shaders = !Array.isArray(sources) ? sources : Object.fromEntries(sources.filter(([f]) => f.endsWith('.wgsl'))
    .map(([f, bytes]) => [f.split('/').pop().slice(0, -5), new TextDecoder().decode(bytes)]));
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) return { device: null, reason: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  let adapter;
  try {
    adapter = await gpu.requestAdapter({ powerPreference });
  } catch (err) {
    return { device: null, reason: `requestAdapter failed: ${err.message}` };
  }
  if (!adapter) return { device: null, reason: 'WebGPU has no adapter on this machine' };
  const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage'];
  const requiredLimits = Object.fromEntries(want.filter((k) => k in adapter.limits).map((k) => [k, adapter.limits[k]]));
  let device;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (err) {
    return { device: null, reason: `requestDevice failed: ${err.message}` };
  }
  const info = adapter.info ?? {};
  return { device: new WebGPUDevice(adapter, device, shaders, {
    vendor: info.vendor || '', architecture: info.architecture || '', description: info.description || '',
    f16: adapter.features.has('shader-f16'),
  }) };
}
