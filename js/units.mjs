// The op units of webedge's runtime, found by convention: every module in src/webedge/ops/ exports
// `units`, a list of op units (docs/runtime.md). Nothing lists the ops by hand: the build
// (build.mjs) writes the registry from this, and the Node test lane (tests/ops) loads them here.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const OPS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'src', 'webedge', 'ops');

/** The op module file names (sorted). */
export function opModules(dir = OPS_DIR) {
  return readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
}

/** [{file, units}] for every op module, imported from source. */
export async function loadOpModules(dir = OPS_DIR) {
  const out = [];
  for (const file of opModules(dir)) {
    const mod = await import(pathToFileURL(join(dir, file)).href);
    if (!Array.isArray(mod.units) || !mod.units.length) throw new Error(`${file}: exports no units`);
    for (const unit of mod.units) {
      if (typeof unit.op !== 'string') throw new Error(`${file}: a unit without an op name`);
    }
    out.push({ file, units: mod.units });
  }
  return out;
}
