// Runs an execution plan compiled ahead of time by the Python packager (webedge/plan): nodes in
// order, tensors freed right after their last use. For each node (`dispatch`):
//   1. the op unit's shape rule gives the outputs' dtypes and dims from the inputs' dtypes and
//      dims (and, for the few ops whose spec makes shapes data-dependent, the values of the
//      inputs it declares in `shapeReads`);
//   2. the first device in DEVICE_ORDER that the session has, that the op has a part for, whose
//      kernels are loaded and whose `supports(node, inputs)` is true, runs it;
//   3. an input that device cannot read where it lives is copied to it first (a transfer), the
//      outputs are allocated on it, and the part computes them.
// Control-flow ops (If, Loop, Scan) run subplans through the executor itself.
import { WebedgeError } from '../errors.mjs';
import { Tensor } from './tensor.mjs';
import { ARRAYS } from './lib/dtypes.mjs';

/** Where a node runs, best first: the first of these the session has and the op's part takes. */
export const DEVICE_ORDER = ['webgpu', 'wasm', 'js'];

function constantTensor(c) {
  const Arr = ARRAYS[c.dtype];
  const host = c.dtype === 'int64' || c.dtype === 'uint64' ? Arr.from(c.data, (v) => BigInt(v)) : Arr.from(c.data);
  return new Tensor(c.dtype, c.dims, { host });
}

// Release the transferred copies `moved` and the outputs `outputs` (either may be null); returns `result`.
function release(moved, outputs, result) {
  if (moved) for (const t of moved) t.release();
  if (outputs) for (const t of outputs) t?.release();
  return result;
}

const describe = (inputs) => inputs.map((t) => (t ? `${t.dtype}[${t.dims}]` : '-')).join(', ');

export class Executor {
  /** devices: {wasm?, js} device objects; units: Map op -> op unit; weights: Map name -> Tensor
   * already placed; placement: op -> device names tried instead of DEVICE_ORDER (the per-op test
   * battery uses it to run one part). */
  constructor(plan, { devices, units, weights, placement = {} }) {
    this.plan = plan;
    this.devices = devices;
    this.units = units;
    this.placement = placement;
    this.fixed = new Map(weights);
    for (const [name, c] of Object.entries(plan.constants)) this.fixed.set(name, this.place(constantTensor(c)));
    this.fixedTensors = new Set(this.fixed.values());
    this.pending = new Map(); // weight name -> promise of its arrival (streaming sessions)
    this.streaming = false;
    this.profile = null; // set to {} to collect {op: {calls, ms, device}} (bench/profile.mjs)
    this.kernelsLoaded = new Map(); // part -> whether its device has the kernel modules it calls
    this.chosen = new Map(); // node -> {part, device} that ran it last
    this.device = null; // the device of the part `choose` picked last
    this.placed = new Map(); // node -> {op, output, device, why}: where each executed node ran (placement())
  }

  addWeight([name, tensor]) {
    this.fixed.set(name, tensor);
    this.fixedTensors.add(tensor);
    this.pending.delete(name);
  }

  /** A tensor for values computed on the host (feeds, control flow): JS device placement. */
  alloc(dtype, dims) {
    return this.devices.js.alloc(dtype, dims);
  }

  /** Free `t` unless it is a weight or constant. */
  release(t) {
    if (t && !this.fixedTensors.has(t)) t.release();
  }

  // A float32 host tensor is copied into the arena, where kernels read it and JS reads it too.
  place(t) {
    const wasm = this.devices.wasm;
    return wasm && t.dtype === 'float32' && !wasm.reads(t) ? wasm.upload(t) : t;
  }

  // The tensor named `name` in scope `values`, else a weight or constant (scopes hold only what
  // was computed or fed, so that a run does not copy the weights' map).
  lookup(values, name) {
    return values.get(name) ?? this.fixed.get(name);
  }

  /** The top-level nodes that `outputs` need, in plan order: a backward walk over what each
   * kept node reads, its subgraphs' outer reads (`implicit`) included. A weight load(url,
   * {outputs}) did not fetch is never placed (nor pending), so a node that reads one (a bug)
   * fails at once with the plan error below instead of waiting. */
  nodesFor(outputs) {
    const need = new Set(outputs);
    return [...this.plan.nodes].reverse().filter((n) => {
      const kept = n.outputs.some((o) => need.has(o));
      if (kept) for (const x of [...n.inputs, ...(n.implicit ?? [])]) need.add(x);
      return kept;
    }).reverse();
  }

  async run(feeds, outputs = this.plan.outputs) {
    const values = new Map();
    const owned = new Set();
    for (const [name, t] of Object.entries(feeds)) {
      const tensor = this.alloc(t.type, t.dims);
      tensor.data.set(t.data);
      values.set(name, tensor);
      owned.add(name);
    }
    try {
      await this.runNodes(this.nodesFor(outputs), values, owned);
      const result = {};
      for (const name of outputs) {
        const t = this.lookup(values, name);
        result[name] = { data: await t.read(), dims: t.dims.slice(), type: t.dtype };
      }
      return result;
    } finally {
      for (const name of [...owned]) this.drop(values, owned, name);
    }
  }

  // Run nodes against `values` (name -> Tensor); names in `owned` are freed by this scope.
  async runNodes(nodes, values, owned) {
    for (const node of nodes) {
      if (this.streaming) await this.arrival(node);
      if (node.fold && node.outputs.every((name) => !name || this.fixed.has(name))) {
        for (const name of node.outputs) if (name) values.set(name, this.fixed.get(name));
        continue; // computed once already: it reads only weights and constants
      }
      const inputs = new Array(node.inputs.length);
      for (let i = 0; i < inputs.length; i++) {
        const name = node.inputs[i];
        if (name === '') inputs[i] = null;
        else if (!(inputs[i] = this.lookup(values, name))) throw new WebedgeError(`plan error: ${node.op} needs '${name}', which was never computed`);
      }
      let outputs;
      const started = this.profile ? performance.now() : 0;
      try {
        const unit = this.units.get(node.op);
        if (unit.control && !this.placed.has(node)) {
          this.placed.set(node, { op: node.op, output: node.outputs[0], device: 'js', why: 'control flow runs on the host' });
        }
        if (globalThis.WEBGPU && unit.control && inputs.some((t) => t?.location === 'webgpu')) {
          // control flow (If, Loop, Scan) reads its inputs on the host: GPU tensors are read back
          const host = await Promise.all(inputs.map((t) => (t?.location === 'webgpu' ? this.devices.js.upload(t) : t)));
          outputs = await unit.run(this, node, host, values);
          host.forEach((t, i) => { if (t !== inputs[i]) t.release(); });
        } else {
          outputs = unit.control ? unit.run(this, node, inputs, values) : this.dispatch(unit, node, inputs);
        }
        if (outputs instanceof Promise) outputs = await outputs;
        if (this.profile) {
          const entry = (this.profile[node.op] ??= { calls: 0, ms: 0, device: null });
          entry.calls++;
          entry.ms += performance.now() - started;
          entry.device = unit.control ? 'js' : this.device.name;
        }
      } catch (err) {
        if (err instanceof WebedgeError && err.message.includes(' (')) throw err;
        throw new WebedgeError(`${node.op} (${node.outputs[0]}): ${err.message}`, { cause: err });
      }
      for (let i = 0; i < outputs.length; i++) {
        const t = outputs[i];
        const name = node.outputs[i];
        if (!t) continue;
        if (!name) {
          this.release(t); // an optional output nobody reads (ops that allocate their own)
          continue;
        }
        values.set(name, t);
        if (node.fold) this.addWeight([name, t]);
        else owned.add(name);
      }
      for (const name of node.free) this.drop(values, owned, name);
    }
  }

  /** The part that runs `node` (see the top of this file); its device is left in this.device. The
   * choice is remembered per node and kept while the part still takes the node's inputs. */
  choose(unit, node, inputs) {
    const last = this.chosen.get(node);
    if (last && (!last.part.supports || last.part.supports(node, inputs, last.device))) {
      this.device = last.device;
      return last.part;
    }
    const skipped = [];
    for (const name of this.placement[node.op] ?? DEVICE_ORDER) {
      const device = this.devices[name];
      const part = unit[name];
      if (!device) continue; // the session has no such device: nothing to explain per node
      if (!part) skipped.push(`${name}: no part`);
      else if (!this.runnable(device, part)) skipped.push(`${name}: lacks ${part.kernels}`);
      else if (part.supports && !part.supports(node, inputs, device)) skipped.push(`${name}: not for ${describe(inputs)}`);
      else {
        this.device = device;
        this.chosen.set(node, { part, device });
        this.placed.set(node, { op: node.op, output: node.outputs[0], device: name, why: skipped.join('; ') });
        return part;
      }
    }
    const parts = DEVICE_ORDER.filter((d) => unit[d]).join(', ');
    throw new Error(`no part of ${node.op} (${parts}) runs here on inputs ${describe(inputs)}`);
  }

  // Whether `device` has the kernel modules `part` calls (asked once per part).
  runnable(device, part) {
    let ok = this.kernelsLoaded.get(part);
    if (ok === undefined) this.kernelsLoaded.set(part, (ok = !part.kernels || device.has(part.kernels)));
    return ok;
  }

  /** Where the executed nodes ran: [{op, output, device, why}] (why: the better devices that
   * declined it), and per op type how many nodes ran on each device. Control-flow nodes run on
   * the host ('js'); their subplans' nodes are listed themselves. */
  placementReport() {
    const nodes = [...this.placed.values()];
    const byOp = {};
    for (const n of nodes) {
      const entry = (byOp[n.op] ??= {});
      entry[n.device] = (entry[n.device] ?? 0) + 1;
    }
    return { nodes, byOp };
  }

  /** Run one node of a plain (not control-flow) op; returns its outputs, or a promise of them. */
  dispatch(unit, node, inputs) {
    const part = this.choose(unit, node, inputs);
    const device = this.device;
    let args = inputs;
    let moved = null;
    let pending = false;
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i];
      if (!t || device.reads(t) || part.hostInputs?.includes(i)) continue;
      if (!moved) [args, moved] = [inputs.slice(), []];
      if (globalThis.WEBGPU && device.resident && this.fixedTensors.has(t)) { // a weight: copied to the device once, kept there
        args[i] = device.resident(t);
        continue;
      }
      args[i] = device.upload(t); // a transfer: the part's device cannot read t where it lives
      pending ||= args[i] instanceof Promise; // a device may copy asynchronously (a GPU readback)
      moved.push(args[i]);
    }
    if (pending) {
      return Promise.all(args).then((ready) => {
        moved = moved.map((m) => ready[args.indexOf(m)]);
        return this.compute(unit, part, device, node, ready, moved);
      });
    }
    return this.compute(unit, part, device, node, args, moved);
  }

  // The shape rule, the outputs on `device`, and the part; `moved` are the transferred copies.
  compute(unit, part, device, node, args, moved) {
    let outputs = null;
    try {
      if (!unit.shape) { // outputs known only once computed: the part allocates them
        const result = part.run(device, node, args);
        if (moved && result instanceof Promise) return result.finally(() => release(moved));
        release(moved);
        return result;
      }
      const specs = unit.shape(node, args);
      outputs = new Array(specs.length);
      for (let i = 0; i < specs.length; i++) outputs[i] = node.outputs[i] ? device.alloc(specs[i].dtype, specs[i].dims) : null;
      const done = part.run(device, node, args, outputs);
      if (done instanceof Promise) {
        const out = outputs;
        return done.then(() => release(moved, null, out), (err) => {
          release(moved, out);
          throw err;
        });
      }
      release(moved);
      return outputs;
    } catch (err) {
      release(moved, outputs);
      throw err;
    }
  }

  // A subgraph (If branch, loop body): runs in a child scope that sees the parent's values; its
  // outputs are handed to the caller as new tensors (copied when the subgraph only forwarded an
  // outer value).
  async runSubplan(sub, parent) {
    const values = new Map(parent);
    const owned = new Set();
    try {
      await this.runNodes(sub.nodes, values, owned);
      return sub.outputs.map((name) => {
        const t = this.lookup(values, name);
        if (owned.has(name)) {
          owned.delete(name);
          return t;
        }
        if (globalThis.WEBGPU && t.location === 'webgpu') return this.devices.webgpu.clone(t); // stays on the GPU
        const copy = this.alloc(t.dtype, t.dims.slice());
        copy.data.set(t.data);
        return copy;
      });
    } finally {
      for (const name of [...owned]) this.drop(values, owned, name);
    }
  }

  // Wait until the weights this node reads (directly or from its subgraphs) have arrived.
  async arrival(node) {
    for (const name of [...node.inputs, ...(node.implicit ?? [])]) {
      const wait = this.pending.get(name);
      if (wait) await wait;
    }
  }

  drop(values, owned, name) {
    if (!owned.has(name)) return;
    const t = values.get(name);
    owned.delete(name);
    values.delete(name);
    this.release(t);
  }
}
