"""A check's report as `webedge test` and `webedge demo` print it."""

from __future__ import annotations

from ..humanize import human_bytes as _human


def print_report(r) -> None:
    print(f"bundle    {r.bundle}")
    print(f"browser   {r.browser}")
    mode = ", streaming: computes while weights arrive" if r.streaming else ""
    mode += ", in a Web Worker" if r.worker else ""
    simd = f", {'relaxed SIMD' if r.simd == 'relaxed' else 'SIMD128'} kernels" if r.simd else ""
    print(f"backend   {r.backend} ({r.threads} thread{'s' if r.threads != 1 else ''}{simd}{mode}), network {r.network}")
    print(f"host      {r.host}")
    if r.threads_why and r.threads == 1:
        print(f"threads   {r.threads_why}")
    print(f"reference {r.reference}")
    if r.bytes:
        print("\nbytes transferred (cold)")
        for k in ("runtime", "model", "weights", "page", "total"):
            print(f"  {k:<22} {_human(r.bytes.get(k)):>12}")
        if r.outputs_asked:
            print(f"  weight bytes fetched for {', '.join(r.outputs_asked)}: {r.bytes.get('weights', 0):,} B "
                  f"of {r.weight_bytes_all:,} B (all outputs)")
    if r.timings:
        print("\ntimings (ms since page start, durations for inference)")
        labels = {"manifest_ms": "manifest", "runtime_ms": "runtime downloaded", "weights_ms": "weights downloaded",
                  "ready_ms": "backend ready", "first_inference_ms": "first inference", "first_result_ms":
                  "first result", "warm_inference_ms": "warm inference (median)",
                  "warm_mean_ms": "warm inference (mean)"}
        for k, label in labels.items():
            if k in r.timings and r.timings[k] is not None:
                print(f"  {label:<22} {r.timings[k]:>12.1f}")
    for what, why in r.not_measured.items():
        print(f"\n{what}: {why}")
    if r.reload:
        print("\nwarm-cache reload")
        print(f"  {'weight bytes fetched':<22} {r.reload['weight_bytes']:>12}")
        print(f"  {'all bytes fetched':<22} {_human(r.reload['total_bytes']):>12}")
        print(f"  {'backend ready (ms)':<22} {r.reload['ready_ms']:>12.1f}")
    if r.placement:
        counts: dict[str, int] = {}
        for devices in r.placement.values():
            for device, n in devices.items():
                counts[device] = counts.get(device, 0) + n
        total = sum(counts.values())
        print("\nplacement (executed nodes)")
        print("  " + ", ".join(f"{d} {n} ({n / total:.0%})" for d, n in sorted(counts.items(), key=lambda kv: -kv[1])))
        off = {op: d for op, d in r.placement.items() if set(d) - {"webgpu"}} if "webgpu" in counts else {}
        if off:
            print("  not on the GPU: " + ", ".join(f"{op} ({', '.join(f'{k} {v}' for k, v in d.items())})"
                                                   for op, d in sorted(off.items())))
    if r.fallback:
        print(f"\nWebGPU not used: {r.fallback}")
    if r.quantization:
        print(f"\nquantized {r.quantization['encoding']}: weights at {r.quantization.get('ratio', 1):.1%} of float32; "
              f"held to atol {r.tolerance.atol:g}, rtol {r.tolerance.rtol:g}, cosine >= {r.tolerance.min_cosine:g}")
    if r.outputs:
        print("\noutputs vs reference")
        print(f"  {'name':<28} {'shape':<16} {'max abs':>10} {'max rel':>10} {'cosine':>10}  ok")
        for c in r.outputs:
            print(f"  {c.name[:28]:<28} {str(c.shape):<16} {c.max_abs:>10.2e} {c.max_rel:>10.2e} {c.cosine:>10.6f}  "
                  f"{'yes' if c.ok else 'NO'}")
    if r.budgets:
        print("\nbudgets")
        for b in r.budgets:
            verdict = "not measured" if b["ok"] is None else "ok" if b["ok"] else "OVER"
            print(f"  {b['key']:<22} {str(b['value']):>12} <= {b['limit']:<12g} {verdict}")
    print()
    if r.ok:
        print("PASS")
    else:
        for f in r.failures:
            print(f"FAIL {f}")
