// Which of the bundle's kernel sets this browser runs: relaxed SIMD (fused multiply-adds, built
// with -mrelaxed-simd into kernels/relaxed/) where the engine validates it, SIMD128 (kernels/)
// elsewhere, e.g. Safari. Asked once per page, before any kernel is fetched.
import { WebedgeError } from './errors.mjs';

// (module (func (param v128) (result v128) local.get 0 local.get 0 local.get 0 f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 123, 1, 123, 3, 2, 1, 0, 10, 13,
  1, 11, 0, 32, 0, 32, 0, 32, 0, 253, 133, 2, 11]);
export const SIMD_CHOICES = ['relaxed', 'simd128'];

let relaxed = null;
/** Whether this engine accepts relaxed-SIMD wasm (f32x4.relaxed_madd). */
export function hasRelaxedSimd() {
  if (relaxed === null) {
    try {
      relaxed = WebAssembly.validate(RELAXED_PROBE);
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/** Throws on a `simd` option that is neither null nor one of SIMD_CHOICES. */
export function checkSimdOption(requested) {
  if (requested != null && !SIMD_CHOICES.includes(requested)) {
    throw new WebedgeError(`option simd must be one of ${SIMD_CHOICES.join(', ')}, got ${JSON.stringify(requested)}`);
  }
}

/** The kernel set to fetch from `manifest`: 'relaxed' or 'simd128'. `requested` (load()'s `simd`
 * option) forces one; by default relaxed when the bundle ships it and the engine validates it.
 * Throws on an unknown value, or on 'relaxed' where the engine or the bundle lacks it. */
export function simdFor(manifest, requested) {
  checkSimdOption(requested);
  const shipped = manifest.backend.files.some((f) => f.role === 'kernel-relaxed');
  if (requested === 'relaxed') {
    if (!shipped) throw new WebedgeError("simd: 'relaxed' asked for, but this bundle ships no relaxed-SIMD kernels; re-bundle it with this webedge");
    if (!hasRelaxedSimd()) throw new WebedgeError("simd: 'relaxed' asked for, but this browser does not support relaxed SIMD");
    return 'relaxed';
  }
  if (requested === 'simd128') return 'simd128';
  return shipped && hasRelaxedSimd() ? 'relaxed' : 'simd128';
}

/** The manifest role of the kernel set for `simd` and a thread count. */
export function kernelRole(simd, threads) {
  return `kernel${simd === 'relaxed' ? '-relaxed' : ''}${threads > 1 ? '-mt' : ''}`;
}
