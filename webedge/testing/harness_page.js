// Runs inside the harness page (served at /__webedge__/harness.html, beside the bundle).
// page.evaluate(`(${this})(args)`): load the bundle, feed the inputs, time everything, and hand
// back outputs as base64 so Python can compare them bit for bit.
async (args) => {
  // every request of the load goes into the report's waterfall (the default buffer holds 250)
  performance.setResourceTimingBufferSize?.(100000);
  const webedge = await import('/webedge.mjs');
  const events = [];
  const onProgress = (e) => { if (events.length < 5000) events.push({ phase: e.phase, loaded: e.loaded, total: e.total, t: performance.now() }); };
  let model;
  try {
    model = await webedge.load('/model.json', { backend: args.backend || undefined, onProgress, stream: args.stream,
      ...(args.worker ? { worker: true } : {}), ...(args.outputs ? { outputs: args.outputs } : {}),
      ...(args.simd ? { simd: args.simd } : {}) });
  } catch (err) {
    return { error: `${err.message}` };
  }
  const ARR = { float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
    uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
    bool: Uint8Array, float16: Uint16Array };
  if (args.worker && !model.worker) return { error: 'load(url, {worker: true}) gave a model that is not in a worker' };
  const blob = new Uint8Array(await (await fetch('/__webedge__/inputs.bin')).arrayBuffer());
  const feeds = {};
  for (const i of args.inputs) {
    const bytes = blob.slice(i.offset, i.offset + i.length);
    feeds[i.name] = { data: new ARR[i.dtype](bytes.buffer), dims: i.dims, type: i.dtype };
  }
  const b64 = (t) => {
    const u8 = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
    let s = '';
    for (let k = 0; k < u8.length; k += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(k, k + 0x8000));
    return btoa(s);
  };
  try {
    const t0 = performance.now();
    const outputs = await model.run(feeds);
    const t1 = performance.now();
    await model.loaded; // streaming: weights nobody read yet may still be arriving
    // the page's own requests (in worker mode the worker's are in the worker's timeline, not here)
    const requests = performance.getEntriesByType('resource').map((e) => ({ url: e.name, start: e.startTime,
      end: e.responseEnd, encoded: e.encodedBodySize, initiator: e.initiatorType }));
    const warm = [];
    const warmStart = performance.now();
    for (let k = 0; k < args.warmRuns; k++) {
      const s = performance.now();
      await model.run(feeds);
      warm.push(performance.now() - s);
    }
    // Without cross-origin isolation performance.now() ticks in 0.1 ms steps: for sub-ms models
    // only the whole loop's time divided by the runs resolves the latency.
    const warmTotal = performance.now() - warmStart;
    let outBytes = 0;
    for (const [name, t] of Object.entries(outputs)) {
      outBytes += t.data.byteLength;
      if (outBytes > args.maxOutputBytes) {
        await model.dispose();
        return { error: `output '${name}' is ${t.data.byteLength} bytes (dims ${JSON.stringify(t.dims)}); webedge test brings back at most ${args.maxOutputBytes} bytes of outputs per run: test with smaller inputs` };
      }
    }
    const out = {};
    for (const [name, t] of Object.entries(outputs)) out[name] = { type: t.type, dims: t.dims, b64: b64(t.data) };
    const stats = { ...model.stats, networkBytes: model.stats.networkBytes, cacheBytes: model.stats.cacheBytes,
      cache: model.stats.cache };
    const placement = model.placement;
    const result = { backend: model.backend, threads: model.threads, simd: model.simd ?? null, threadsWhy: model.threadsWhy, device: model.device,
      fallbackReason: model.fallbackReason, placement: placement ? placement.byOp : null,
      placementNodes: placement ? placement.nodes.filter((n) => n.device !== 'webgpu' && n.why).slice(0, 50) : null,
      stats, streaming: model.streaming, firstStart: t0, firstInference: t1 - t0, warm, warmTotal, outputs: out, events,
      requests, isolated: !!globalThis.crossOriginIsolated };
    await model.dispose();
    return result;
  } catch (err) {
    return { error: `model.run failed: ${err.message}` };
  }
}
