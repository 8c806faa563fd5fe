// Validate a bundle manifest (model.json) against the schema the Python packager writes to.
import schema from '../../webedge/manifest.schema.json';
import { check } from './schema.mjs';
import { WebedgeError } from './errors.mjs';

export function validateManifest(manifest, where = 'model.json') {
  const problem = check(manifest, schema);
  if (problem) throw new WebedgeError(`${where}: invalid manifest at ${problem.path}: ${problem.message}`, { file: where });
  manifest.weights.forEach((w, i) => {
    const bad = (why) => new WebedgeError(`${where}: invalid manifest at .weights[${i}]: tensor '${w.name}' ${why}`, { file: where });
    let sum = 0;
    for (const p of w.pieces ?? [w]) { // a spanning tensor: every piece (webedge/manifest.py checks more)
      const shard = manifest.shards[p.shard];
      if (!shard || p.offset + p.length > (shard.size ?? shard.bytes)) throw bad('lies outside its shard'); // size: decoded
      sum += p.length;
    }
    if (sum !== w.length) throw bad(`has pieces of ${sum} bytes in all, not its length ${w.length}`); // a hostile overrun
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
