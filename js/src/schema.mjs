// A small JSON Schema checker: the subset manifest.schema.json uses (type, const, enum, required,
// properties, additionalProperties, items, minItems, minimum, maxLength, pattern, allOf, local $ref).
// Written here because a full validator (ajv) would triple the runtime's size for one schema.

function typeOf(v) {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}

function typeMatches(v, t) {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function resolve(root, ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(2).split('/').reduce((node, key) => node[key], root);
}

// Returns null when `value` fits `schema`, else {path, message} for the first problem found.
export function check(value, schema, root = schema, path = '') {
  if (schema.$ref) return check(value, resolve(root, schema.$ref), root, path);
  const fail = (message) => ({ path: path || '(top)', message });
  if (schema.allOf) {
    for (const s of schema.allOf) {
      const e = check(value, s, root, path);
      if (e) return e;
    }
  }
  if ('const' in schema && value !== schema.const) return fail(`must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) return fail(`must be one of ${schema.enum.join(', ')}, got ${JSON.stringify(value)}`);
  if (schema.type) {
    const types = [].concat(schema.type);
    if (!types.some((t) => typeMatches(value, t))) return fail(`must be ${types.join(' or ')}, got ${typeOf(value)}`);
  }
  if (typeof value === 'number' && 'minimum' in schema && value < schema.minimum) return fail(`must be >= ${schema.minimum}`);
  if (typeof value === 'string' && 'maxLength' in schema && value.length > schema.maxLength) return fail(`is longer than ${schema.maxLength} characters`);
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) return fail(`does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (schema.minItems && value.length < schema.minItems) return fail(`needs at least ${schema.minItems} item(s)`);
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        const e = check(value[i], schema.items, root, `${path}[${i}]`);
        if (e) return e;
      }
    }
  } else if (value && typeof value === 'object') {
    for (const key of schema.required || []) if (!(key in value)) return fail(`is missing required field '${key}'`);
    for (const [key, v] of Object.entries(value)) {
      const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : null);
      if (sub) {
        const e = check(v, sub, root, `${path}.${key}`);
        if (e) return e;
      }
    }
  }
  return null;
}
