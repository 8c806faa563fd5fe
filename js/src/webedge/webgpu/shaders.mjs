// WGSL sources as the device takes them: `// #include name` lines replaced by the named source
// (the one template step: activations.wgsl's shared epilogue), and each shader's bindings read off
// its declarations, so the device builds explicit bind group layouts. (With layout 'auto' a
// binding that an override constant leaves unused, e.g. Bias when HAS_BIAS is false, drops out of
// the layout and binding it fails.)

/** `source` with every `// #include name` replaced by library[name] (itself expanded). */
export function expand(source, library, seen = []) {
  return source.replace(/^[ \t]*\/\/ #include (\w+)[ \t]*$/gm, (_, name) => {
    if (seen.includes(name)) throw new Error(`WGSL include cycle: ${[...seen, name].join(' -> ')}`);
    if (!(name in library)) throw new Error(`WGSL include '${name}' not found`);
    return expand(library[name], library, [...seen, name]);
  });
}

/** [{binding, kind}] of group 0: kind 'uniform', 'read-only-storage' or 'storage'. */
export function bindingsOf(source) {
  const found = [];
  const re = /@group\(0\)\s*@binding\((\d+)\)\s*var<([^>]+)>/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const space = m[2].replace(/\s/g, '');
    const kind = space === 'uniform' ? 'uniform' : space === 'storage,read_write' ? 'storage' : 'read-only-storage';
    found.push({ binding: Number(m[1]), kind });
  }
  return found.sort((a, b) => a.binding - b.binding);
}
