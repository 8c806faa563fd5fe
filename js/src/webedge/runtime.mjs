// The core of webedge's runtime, built into webedge/runtime/executor/core.js: the session API the
// loader calls, and the names op modules import from core modules (the tensor helpers, the dtype
// table, the kernel ABI's op codes, the error type). js/build.mjs builds every op and helper module
// on its own, its imports of these resolved to the core, and refuses an import of a core module
// this file does not re-export; a bundle's executor is the core plus only its plan's op modules.
export { createSession, createWebedgeSession, createStreamingSession } from './session.mjs';
export { Tensor, size, stridesOf } from './tensor.mjs';
export { ARRAYS, BITS, DTYPE_OF, isBig } from './lib/dtypes.mjs';
export { ACT, BINARY, MATH, RECURRENT, UNARY, argsOf } from './wasm/abi.mjs';
export { WebedgeError } from '../errors.mjs';
