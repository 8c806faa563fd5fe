// Validate a bundle manifest (model.json) against the schema the Python packager writes to.
import schema from '../../webedge/manifest.schema.json';
import { check } from './schema.mjs';
import { WebedgeError } from './errors.mjs';

export function validateManifest(manifest, where = 'model.json') {
  const problem = check(manifest, schema);
  if (problem) throw new WebedgeError(`${where}: invalid manifest at ${problem.path}: ${problem.message}`, { file: where });
  manifest.weights.forEach((w, i) => {
    const shard = manifest.shards[w.shard];
    if (!shard || w.offset + w.length > (shard.size ?? shard.bytes)) { // size: decoded, for encoded shards
      throw new WebedgeError(`${where}: invalid manifest at .weights[${i}]: tensor '${w.name}' lies outside its shard`, { file: where });
    }
  });
  manifest.shards.forEach((s, i) => {
    if (s.encoding && s.size === undefined) {
      throw new WebedgeError(`${where}: invalid manifest at .shards[${i}]: an encoded shard needs its decoded 'size'`, { file: where });
    }
  });
  for (const [out, list] of Object.entries(manifest.needs ?? {})) {
    if (!manifest.outputs.some((o) => o.name === out) || list.some((i) => i >= manifest.shards.length)) {
      throw new WebedgeError(`${where}: invalid manifest at .needs.${out}: names no output or shard of this bundle`, { file: where });
    }
  }
  return manifest;
}
