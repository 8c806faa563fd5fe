// Tensors of the webedge executor. float32 data lives in the shared wasm memory (kernels read
// it by pointer); other dtypes (shape math, indices, masks) live in plain JS typed arrays.
// A view over wasm memory is re-made on every `.data` access: growing memory detaches old views.
export const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array, float16: Uint16Array,
};

export const size = (dims) => dims.reduce((a, b) => a * b, 1);

export class Tensor {
  constructor(dtype, dims, { ptr = null, host = null, arena = null } = {}) {
    this.dtype = dtype;
    this.dims = dims;
    this.ptr = ptr;
    this.host = host;
    this.arena = arena;
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
}

export function stridesOf(dims) {
  const s = new Array(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}
