// webedge browser runtime: the public API.
//   const model = await load('model.json', {backend, onProgress});
//   const outputs = await model.run({name: typedArrayOrTensor});
// Types: index.d.mts (copied beside every bundle's webedge.mjs as webedge.d.mts).
export { load } from './load.mjs';
export { topK } from './labels.mjs';
export { validateManifest } from './manifest.mjs';
export { WebedgeError } from './errors.mjs';
export const version = '0.1.0';
