// Runs an execution plan compiled ahead of time by the Python packager (webedge/plan): nodes
// in order, each op from the registry, tensors freed right after their last use.
import { WebedgeError } from '../errors.mjs';
import { Tensor, ARRAYS, size } from './tensor.mjs';
import { OPS } from './ops/index.mjs';

function constantTensor(c) {
  const Arr = ARRAYS[c.dtype];
  const host = c.dtype === 'int64' || c.dtype === 'uint64' ? Arr.from(c.data, (v) => BigInt(v)) : Arr.from(c.data);
  return new Tensor(c.dtype, c.dims, { host });
}

export class Executor {
  // weights: Map name -> Tensor already placed (float32 in the arena, others on the host)
  constructor(plan, kernels, arena, weights) {
    this.plan = plan;
    this.arena = arena;
    this.k = kernels;
    this.fixed = new Map(weights);
    for (const [name, c] of Object.entries(plan.constants)) this.fixed.set(name, this.place(constantTensor(c)));
    this.fixedTensors = new Set(this.fixed.values());
    this.pending = new Map(); // weight name -> promise of its arrival (streaming sessions)
    this.streaming = false;
    this.profile = null; // set to {} to collect {op: {calls, ms}} (webedge test --profile)
    this.scratch = arena.alloc(1024); // small int arrays (dims, strides) handed to kernels
  }

  addWeight([name, tensor]) {
    this.fixed.set(name, tensor);
    this.fixedTensors.add(tensor);
    this.pending.delete(name);
  }

  alloc(dtype, dims) {
    if (dtype === 'float32') return new Tensor(dtype, dims, { ptr: this.arena.alloc(size(dims) * 4), arena: this.arena });
    return new Tensor(dtype, dims, { host: new ARRAYS[dtype](size(dims)) });
  }

  // A float32 host tensor is copied into the arena so kernels can read it.
  place(t) {
    if (t.dtype !== 'float32' || t.ptr !== null) return t;
    const out = this.alloc('float32', t.dims);
    out.data.set(t.host);
    return out;
  }

  ints2(offset, values) {
    new Int32Array(this.arena.memory.buffer, this.scratch + offset * 4, values.length).set(values);
    return this.scratch + offset * 4;
  }

  async run(feeds) {
    const values = new Map(this.fixed);
    const owned = new Set();
    for (const [name, t] of Object.entries(feeds)) {
      const tensor = this.alloc(t.type, t.dims);
      tensor.data.set(t.data);
      values.set(name, tensor);
      owned.add(name);
    }
    try {
      await this.runNodes(this.plan.nodes, values, owned);
      const result = {};
      for (const name of this.plan.outputs) {
        const t = values.get(name);
        result[name] = { data: t.data.slice(), dims: t.dims.slice(), type: t.dtype };
      }
      return result;
    } finally {
      for (const name of [...owned]) this.drop(values, owned, name);
    }
  }

  // Run nodes against `values` (name -> Tensor); names in `owned` are freed by this scope.
  async runNodes(nodes, values, owned) {
    for (const node of nodes) {
      if (this.streaming) await this.arrival(node, values);
      if (node.fold && node.outputs.every((name) => !name || this.fixed.has(name))) {
        for (const name of node.outputs) if (name) values.set(name, this.fixed.get(name));
        continue; // computed once already: it reads only weights and constants
      }
      const op = OPS[node.op];
      const inputs = node.inputs.map((n) => (n === '' ? null : values.get(n)));
      const missing = node.inputs.find((n, i) => n !== '' && !inputs[i]);
      if (missing) throw new WebedgeError(`plan error: ${node.op} needs '${missing}', which was never computed`);
      let outputs;
      const started = this.profile ? performance.now() : 0;
      try {
        outputs = op(this, node, inputs, values);
        if (outputs instanceof Promise) outputs = await outputs;
        if (this.profile) {
          const entry = (this.profile[node.op] ??= { calls: 0, ms: 0 });
          entry.calls++;
          entry.ms += performance.now() - started;
        }
      } catch (err) {
        if (err instanceof WebedgeError && err.message.includes(' (')) throw err;
        throw new WebedgeError(`${node.op} (${node.outputs[0]}): ${err.message}`, { cause: err });
      }
      node.outputs.forEach((name, i) => {
        if (name && outputs[i]) {
          values.set(name, outputs[i]);
          if (node.fold) this.addWeight([name, outputs[i]]);
          else owned.add(name);
        }
      });
      for (const name of node.free) this.drop(values, owned, name);
    }
  }

  // A subgraph (If branch): runs in a child scope that sees the parent's values; its outputs are
  // handed to the caller as new tensors (copied when the subgraph only forwarded an outer value).
  async runSubplan(sub, parent) {
    const values = new Map(parent);
    const owned = new Set();
    try {
      await this.runNodes(sub.nodes, values, owned);
      return sub.outputs.map((name) => {
        const t = values.get(name);
        if (owned.has(name)) {
          owned.delete(name);
          return t;
        }
        const copy = this.alloc(t.dtype, t.dims.slice());
        copy.data.set(t.data);
        return copy;
      });
    } finally {
      for (const name of [...owned]) this.drop(values, owned, name);
    }
  }

  // Wait until the weights this node reads (directly or from its subgraphs) have arrived.
  async arrival(node, values) {
    for (const name of [...node.inputs, ...(node.implicit ?? [])]) {
      const wait = this.pending.get(name);
      if (wait) await wait;
      if (!values.has(name) && this.fixed.has(name)) values.set(name, this.fixed.get(name));
    }
  }

  drop(values, owned, name) {
    if (!owned.has(name)) return;
    const t = values.get(name);
    owned.delete(name);
    values.delete(name);
    if (t && t.ptr !== null && !this.fixedTensors.has(t)) this.arena.dispose(t.ptr);
  }
}
