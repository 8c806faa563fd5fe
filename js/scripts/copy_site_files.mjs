// After `npm run build`: put the files a bundle ships beside the built loader into webedge/runtime/
// (committed, so bundling needs no Node):
//   src/index.d.mts                                 -> webedge.d.mts (the loader's TypeScript types)
//   node_modules/coi-serviceworker (vendored, MIT)   -> coi-serviceworker.js + coi-serviceworker.LICENSE
// With --dist (npm pack's prepack), only the types go, into dist/ beside dist/webedge.mjs.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const js = join(dirname(fileURLToPath(import.meta.url)), '..');
const coi = join(js, 'node_modules', 'coi-serviceworker');
const copies = process.argv.includes('--dist')
  ? [[join(js, 'src', 'index.d.mts'), join(js, 'dist', 'webedge.d.mts')]]
  : [[join(js, 'src', 'index.d.mts'), join(js, '..', 'webedge', 'runtime', 'webedge.d.mts')],
    [join(coi, 'coi-serviceworker.min.js'), join(js, '..', 'webedge', 'runtime', 'coi-serviceworker.js')],
    [join(coi, 'LICENSE'), join(js, '..', 'webedge', 'runtime', 'coi-serviceworker.LICENSE')]];
for (const [from, to] of copies) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
