// The JS device: ops' `js` parts, plain typed-array code on the main thread. It reads every
// location the runtime has today (the wasm arena is host-visible). Its float32 outputs go into the
// wasm arena when the session has one, so a following wasm node reads them without a transfer;
// other dtypes (shapes, indices, masks, float16...) live in JS typed arrays.
import { Tensor, size } from '../tensor.mjs';
import { ARRAYS } from '../lib/dtypes.mjs';

export class JsDevice {
  constructor(wasm = null) {
    this.name = 'js';
    this.wasm = wasm;
  }

  reads() {
    return true;
  }

  alloc(dtype, dims) {
    if (dtype === 'float32' && this.wasm) return this.wasm.alloc(dtype, dims);
    const Arr = ARRAYS[dtype];
    if (!Arr) throw new Error(`no typed array for dtype ${dtype}`);
    return new Tensor(dtype, dims, { host: new Arr(size(dims)) });
  }

  upload(t) {
    return t;
  }
}
