// What a bundle whose model has no low-precision dtype links in place of lib/lowp.mjs
// (webedge/backends/executor_js.py, when lib/numbers.mjs is its only importer): numbers.mjs asks
// isLowp of every dtype it converts, so a low-precision one reaching it here is an error that
// says what happened, never bits read as another type.
const LOWP = ['bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1',
  'int4', 'uint4', 'int2', 'uint2'];

export function isLowp(dtype) {
  if (LOWP.includes(dtype)) {
    throw new Error(`${dtype}: this bundle was linked without the low-precision dtypes (its model had none); bundle it again`);
  }
  return false;
}
export { isLowp as decoder, isLowp as encoder };
