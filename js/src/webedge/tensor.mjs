// Located tensors: a tensor knows its dtype, its dims, and where its bytes live.
//   location 'wasm': in the wasm arena at byte offset `ptr` (kernels take that pointer; JS reads a
//     view, re-made on every `.data` access because growing the memory detaches old views);
//   location 'js': in the JS typed array `host`.
// (The WebGPU device adds 'webgpu', a GPU buffer, in the next step.) Every location the runtime
// has today is host-visible, so `.data` works on any tensor; `read()` is the async readback that
// a GPU location will need, and what the executor uses for the model's outputs.
// float16 and the low-precision types hold their storage bits, one element per slot (lib/dtypes.mjs).
import { ARRAYS } from './lib/dtypes.mjs';

export const size = (dims) => dims.reduce((a, b) => a * b, 1);

export function stridesOf(dims) {
  const s = [];
  for (let i = 0; i < dims.length; i++) s.push(0); // packed, not `new Array(n)` (lib/broadcast.mjs)
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

export class Tensor {
  constructor(dtype, dims, { ptr = null, host = null, arena = null } = {}) {
    this.dtype = dtype;
    this.dims = dims;
    this.ptr = ptr;
    this.host = host;
    this.arena = arena;
  }
  get location() {
    return this.ptr !== null ? 'wasm' : 'js';
  }
  get size() {
    return size(this.dims);
  }
  get data() {
    if (this.ptr === null) return this.host;
    return new ARRAYS[this.dtype](this.arena.memory.buffer, this.ptr, this.size);
  }
  // Numbers of a small integer tensor (shapes, axes, indices) as JS numbers.
  numbers() {
    return Array.from(this.data, Number);
  }
  /** A copy of the elements, wherever they live. */
  async read() {
    return this.data.slice();
  }
  /** Give the bytes back to where they came from (arena blocks are reused; host arrays are GC'd). */
  release() {
    if (this.ptr !== null) this.arena.dispose(this.ptr);
  }
}
