// Turn what a caller passes to model.run() into checked {data, dims, type} tensors, and say
// exactly what is wrong when it does not fit the manifest's input spec.
import { WebedgeError } from './errors.mjs';

export const ARRAY_TYPES = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array, float16: Uint16Array,
};

function accepts(dtype, data) {
  if (dtype === 'float16' && typeof Float16Array !== 'undefined' && data instanceof Float16Array) return true;
  if (dtype === 'string') return Array.isArray(data);
  return ARRAY_TYPES[dtype] && data instanceof ARRAY_TYPES[dtype];
}

const product = (dims) => dims.reduce((a, b) => a * b, 1);

export function prepareFeeds(specs, feeds) {
  if (!feeds || typeof feeds !== 'object') throw new WebedgeError('model.run() takes an object {inputName: tensor}');
  const known = new Set(specs.map((s) => s.name));
  const extra = Object.keys(feeds).filter((k) => !known.has(k));
  if (extra.length) throw new WebedgeError(`unknown input(s) ${extra.join(', ')}; the model's inputs are ${[...known].join(', ')}`);
  const missing = specs.filter((s) => !(s.name in feeds)).map((s) => s.name);
  if (missing.length) throw new WebedgeError(`missing input(s) ${missing.join(', ')}`);
  const symbols = {};
  const out = {};
  for (const spec of specs) {
    const value = feeds[spec.name];
    const isTensor = value && !ArrayBuffer.isView(value) && !Array.isArray(value) && 'data' in value;
    const data = isTensor ? value.data : value;
    if (!accepts(spec.dtype, data)) {
      const want = spec.dtype === 'string' ? 'an array of strings' : ARRAY_TYPES[spec.dtype]?.name;
      throw new WebedgeError(`input '${spec.name}' must be ${spec.dtype} (${want}), got ${data?.constructor?.name ?? typeof data}`);
    }
    if (isTensor && value.type && value.type !== spec.dtype) {
      throw new WebedgeError(`input '${spec.name}' must be ${spec.dtype}, got a ${value.type} tensor`);
    }
    let dims = isTensor && value.dims ? Array.from(value.dims, Number) : null;
    if (!dims) {
      const free = spec.shape.filter((d) => typeof d !== 'number');
      const fixed = product(spec.shape.filter((d) => typeof d === 'number'));
      if (free.length > 1) {
        throw new WebedgeError(`input '${spec.name}' has dynamic dims [${spec.shape.join(', ')}]; pass {data, dims}`);
      }
      const inferred = fixed > 0 ? data.length / fixed : NaN;
      if (free.length === 1 && !(Number.isInteger(inferred) && inferred >= 0)) {
        throw new WebedgeError(`input '${spec.name}' has ${data.length} values, not a whole multiple of ${fixed} ` +
          `(the fixed dims of [${spec.shape.join(', ')}]); pass {data, dims} with the shape you mean`);
      }
      dims = spec.shape.map((d) => (typeof d === 'number' ? d : inferred));
    }
    const badDim = dims.findIndex((d) => !Number.isSafeInteger(d) || d < 0);
    if (badDim >= 0) {
      throw new WebedgeError(`input '${spec.name}' dims [${dims.join(', ')}]: dim ${badDim} must be a non-negative integer`);
    }
    if (dims.length !== spec.shape.length) {
      throw new WebedgeError(`input '${spec.name}' must have rank ${spec.shape.length} [${spec.shape.join(', ')}], got dims [${dims.join(', ')}]`);
    }
    spec.shape.forEach((d, i) => {
      if (typeof d === 'number' && dims[i] !== d) {
        throw new WebedgeError(`input '${spec.name}' dim ${i} must be ${d}, got ${dims[i]} (expected [${spec.shape.join(', ')}])`);
      }
      if (typeof d === 'string') {
        if (d in symbols && symbols[d] !== dims[i]) {
          throw new WebedgeError(`input '${spec.name}' dim ${i} ('${d}') is ${dims[i]} but another input set '${d}' to ${symbols[d]}`);
        }
        symbols[d] = dims[i];
      }
    });
    if (!Number.isInteger(product(dims)) || product(dims) !== data.length) {
      throw new WebedgeError(`input '${spec.name}' has ${data.length} values but dims [${dims.join(', ')}] need ${product(dims)}`);
    }
    out[spec.name] = { data, dims, type: spec.dtype };
  }
  return out;
}
