// The JS device: ops' `js` parts, plain typed-array code on the main thread. It reads every host
// location (the wasm arena is host-visible); a GPU tensor is read back first (an async transfer). Its float32 outputs go into the
// wasm arena when the session has one, so a following wasm node reads them without a transfer;
// other dtypes (shapes, indices, masks, float16...) live in JS typed arrays.
import { Tensor, size } from '../tensor.mjs';
import { ARRAYS } from '../lib/dtypes.mjs';

export class JsDevice {
  constructor(wasm = null) {
    this.name = 'js';
    this.wasm = wasm;
  }

  /** Every host location; a GPU tensor must be read back first (upload). */
  reads(t) {
    return !globalThis.WEBGPU || t.location !== 'webgpu';
  }

  alloc(dtype, dims) {
    if (dtype === 'float32' && this.wasm) return this.wasm.alloc(dtype, dims);
    const Arr = ARRAYS[dtype];
    if (!Arr) throw new Error(`no typed array for dtype ${dtype}`);
    return new Tensor(dtype, dims, { host: new Arr(size(dims)) });
  }

  upload(t) {
    if (!globalThis.WEBGPU || t.location !== 'webgpu') return t;
    return t.read().then((data) => { // a readback: float32 into the arena as alloc puts it
      const copy = this.alloc(t.dtype, t.dims);
      copy.data.set(data);
      return copy;
    });
  }
}
