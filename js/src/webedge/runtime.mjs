// The core of webedge's runtime, built into webedge-runtime.mjs: the session API the loader calls,
// and the core modules op modules import (tensors, the dtype table, the kernel ABI, the error
// type). The JS build (js/build.mjs) builds every op module (ops/*.mjs) into a file of its own
// that imports these from webedge-runtime.mjs, so a bundle carries the core once and only the op
// files its plan uses.
export * from './session.mjs';
export * from './tensor.mjs';
export * from './lib/dtypes.mjs';
export * from './wasm/abi.mjs';
export { WebedgeError } from '../errors.mjs';
export { DEVICE_ORDER } from './executor.mjs';
