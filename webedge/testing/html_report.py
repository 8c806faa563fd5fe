"""`webedge test --html report.html`: the check's reports as one self-contained HTML page.

Per browser: the verdict, a load waterfall (an SVG with one bar per request of the cold load —
manifest, runtime files, each shard by name — from its start to its end on the page's clock, its
bytes, and the phase marks manifest / runtime / weights / ready / first result), the outputs'
errors against onnxruntime, the budgets, and for a quantized bundle each tensor's encoding and
error (from the bundle's report.json). No script, no external file: it opens anywhere, offline.

The request times come from the page's own Resource Timing entries
(`performance.getEntriesByType('resource')`, the same in every engine); bytes are what the test
server sent (webedge.testing.harness).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from ..errors import WebedgeError

KIND_COLORS = {"model": "#7b4fd6", "runtime": "#d9822b", "weights": "#1f77b4", "page": "#7f7f7f"}
MARK_COLORS = {"load() called": "#555555", "manifest": "#7b4fd6", "runtime": "#d9822b", "weights": "#1f77b4", "ready": "#2ca02c",
               "first result": "#d62728"}
ROW, LABEL_W, PLOT_W, RIGHT_W, TOP = 20, 300, 560, 150, 46

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 70rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.35rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
td, th { border-bottom: 1px solid #e4e4e4; padding: .2rem .6rem; text-align: left; font-variant-numeric: tabular-nums; }
td.n, th.n { text-align: right; }
.pass { color: #17702f; font-weight: 700; } .fail { color: #b00020; font-weight: 700; }
.meta td:first-child { color: #555; }
svg { width: 100%; height: auto; max-width: 1010px; border: 1px solid #eee; }
svg text { font: 11px system-ui, sans-serif; }
.note { color: #555; }
"""


def _e(x) -> str:
    return html.escape(str(x), quote=True)


def _bytes(n) -> str:
    if n is None:
        return "-"
    for unit, size in (("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{int(n)} B"


def _ms(v) -> str:
    return "-" if v is None else f"{v:.1f}"


def waterfall_svg(requests: list[dict], marks: dict) -> str:
    """One bar per request on a shared time axis, with the phase marks as vertical lines."""
    t0 = origin(requests, marks)
    times = [r["end_ms"] for r in requests] + [v for v in marks.values() if v is not None]
    span = max(1.0, max(times, default=1.0) - t0) * 1.04
    x = lambda t: LABEL_W + (max(t, t0) - t0) / span * PLOT_W  # noqa: E731
    height = TOP + ROW * len(requests) + 30
    width = LABEL_W + PLOT_W + RIGHT_W
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="load waterfall">', f'<rect width="{width}" height="{height}" fill="#fff"/>']
    step = _tick_step(span)
    tick = 0.0
    while tick <= span:
        tx = LABEL_W + tick / span * PLOT_W
        parts.append(f'<line x1="{tx:.1f}" y1="{TOP - 6}" x2="{tx:.1f}" y2="{height - 24}" stroke="#eee"/>'
                     f'<text x="{tx:.1f}" y="{height - 10}" text-anchor="middle" fill="#666">{tick:.0f} ms</text>')
        tick += step
    for i, r in enumerate(requests):
        y = TOP + i * ROW
        x1, x2 = x(r["start_ms"]), x(r["end_ms"])
        color = KIND_COLORS.get(r.get("kind"), "#7f7f7f")
        label = r["file"] if len(r["file"]) <= 44 else "…" + r["file"][-43:]
        parts.append(f'<g class="request" data-file="{_e(r["file"])}"><title>{_e(r["file"])}: '
                     f'{_ms(r["start_ms"] - t0)}–{_ms(r["end_ms"] - t0)} ms, {_e(_bytes(r["bytes"]))}</title>'
                     f'<text x="{LABEL_W - 8}" y="{y + 14}" text-anchor="end">{_e(label)}</text>'
                     f'<rect x="{x1:.1f}" y="{y + 4}" width="{max(1.5, x2 - x1):.1f}" height="{ROW - 8}" fill="{color}"/>'
                     f'<text x="{LABEL_W + PLOT_W + 8}" y="{y + 14}" fill="#444">{_e(_bytes(r["bytes"]))}, '
                     f'{_ms(r["end_ms"] - r["start_ms"])} ms</text></g>')
    for j, (name, t) in enumerate((k, v) for k, v in marks.items() if k in MARK_COLORS and v is not None):
        if name == "load() called" and abs(t - t0) < 1e-9:
            continue
        mx = x(t)
        color = MARK_COLORS[name]
        parts.append(f'<g class="mark" data-mark="{_e(name)}"><line x1="{mx:.1f}" y1="{TOP - 8}" x2="{mx:.1f}" '
                     f'y2="{height - 24}" stroke="{color}" stroke-width="1.5" stroke-dasharray="4 3"/>'
                     f'<text x="{mx:.1f}" y="{12 + (j % 3) * 12}" text-anchor="middle" fill="{color}">'
                     f'{_e(name)} {t - t0:.0f} ms</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def origin(requests: list[dict], marks: dict) -> float:
    """Time zero of the waterfall: the first request (the loader module itself) or the load() call."""
    return min([r["start_ms"] for r in requests] + [v for v in (marks.get("load() called"),) if v is not None] or [0.0])


def _tick_step(span: float) -> float:
    for step in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000):
        if span / step <= 10:
            return step
    return 120000


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th class="{"n" if i in numeric else ""}">{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="{"n" if i in numeric else ""}">{_e(c)}</td>' for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _section(r, bundle_report: dict | None) -> str:
    out = [f'<section class="report"><h2>{_e(r.browser or "browser")} — '
           f'<span class="{"pass" if r.ok else "fail"}">{"PASS" if r.ok else "FAIL"}</span></h2>']
    meta = [["bundle", r.bundle], ["backend", f"{r.backend}, {r.threads} thread(s)" + (", streaming" if r.streaming else "")
                                   + (", in a Web Worker" if r.worker else "")],
            ["threads", r.threads_why], ["kernels", {"relaxed": "relaxed SIMD", "simd128": "SIMD128"}.get(r.simd, "")],
            ["host", r.host], ["network", r.network], ["reference", r.reference]]
    out.append('<table class="meta">' + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in meta if v)
               + "</table>")
    for f in r.failures:
        out.append(f'<p class="fail">FAIL {_e(f)}</p>')
    out.append("<h3>Load waterfall (cold cache)</h3>")
    if r.requests:
        shards = sum(1 for q in r.requests if q["kind"] == "weights")
        out.append(f'<p class="note">{len(r.requests)} requests ({shards} weight shard(s)); ms from the first request; '
                   "bars colored by kind: model <b style=\"color:#7b4fd6\">■</b> runtime "
                   "<b style=\"color:#d9822b\">■</b> weights <b style=\"color:#1f77b4\">■</b></p>")
        out.append(waterfall_svg(r.requests, r.marks))
        t0 = origin(r.requests, r.marks)
        out.append(_table(["file", "kind", "start ms", "end ms", "bytes"],
                          [[q["file"], q["kind"], _ms(q["start_ms"] - t0), _ms(q["end_ms"] - t0), _bytes(q["bytes"])]
                           for q in r.requests], {2, 3, 4}))
    else:
        why = "the worker's requests are in its own timeline" if r.worker else "the page recorded no requests"
        out.append(f'<p class="note">no waterfall: {_e(why)}</p>')
    if r.bytes:
        out.append("<h3>Bytes transferred (cold)</h3>")
        out.append(_table(["kind", "bytes"], [[k, _bytes(v)] for k, v in r.bytes.items()], {1}))
    if r.timings:
        first = origin(r.requests, r.marks) if r.requests else None
        out.append("<h3>Timings</h3>" + (f'<p class="note">ms since page start (the waterfall starts at its first '
                                         f'request, {first:.1f} ms)</p>' if first is not None else ""))
        out.append(_table(["measure", "ms"], [[k, _ms(v)] for k, v in r.timings.items()], {1}))
    if r.reload:
        out.append("<h3>Warm-cache reload</h3>")
        out.append(_table(["measure", "value"], [[k, v] for k, v in r.reload.items()], {1}))
    for what, why in r.not_measured.items():
        out.append(f'<p class="note">{_e(what)}: {_e(why)}</p>')
    if r.outputs:
        out.append("<h3>Outputs against onnxruntime</h3>")
        tol = r.tolerance
        if tol:
            out.append(f'<p class="note">held to atol {tol.atol:g}, rtol {tol.rtol:g}, cosine ≥ {tol.min_cosine:g}</p>')
        out.append(_table(["output", "shape", "max abs", "max rel", "cosine", "ok"],
                          [[c.name, c.shape, f"{c.max_abs:.3e}", f"{c.max_rel:.3e}", f"{c.cosine:.6f}",
                            "yes" if c.ok else f"NO: {c.why}"] for c in r.outputs], {2, 3, 4}))
    if r.budgets:
        out.append("<h3>Budgets</h3>")
        out.append(_table(["budget", "measured", "limit", "verdict"],
                          [[b["key"], b["value"], f"{b['limit']:g}",
                            "not measured" if b["ok"] is None else "ok" if b["ok"] else "OVER"] for b in r.budgets], {1, 2}))
    quant = (bundle_report or {}).get("quantization")
    if quant:
        out.append(f"<h3>Quantization: {_e(quant['encoding'])}, weights at {quant.get('ratio', 1):.1%} of float32</h3>")
        out.append(_table(["tensor", "encoding", "bytes before", "bytes", "max abs error", "kept because"],
                          [[t["name"], t["encoding"], t["fp32_bytes"], t["bytes"],
                            "-" if t.get("max_abs_error") is None else f"{t['max_abs_error']:.3e}",
                            t.get("reason") or ""]
                           for t in quant.get("tensors", [])], {2, 3, 4}))
    out.append("</section>")
    return "".join(out)


def render(reports: list, bundle_dir: Path) -> str:
    try:
        bundle_report = json.loads((Path(bundle_dir) / "report.json").read_text())
    except (OSError, ValueError):
        bundle_report = None
    name = (bundle_report or {}).get("model", Path(bundle_dir).name)
    verdict = all(r.ok for r in reports)
    body = "".join(_section(r, bundle_report) for r in reports)
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><title>webedge test: {_e(name)}</title>"
            f"<style>{STYLE}</style></head><body><h1>webedge test: {_e(name)} — "
            f'<span class="{"pass" if verdict else "fail"}">{"PASS" if verdict else "FAIL"}</span></h1>'
            f"{body}</body></html>\n")


def write(reports: list, bundle_dir: Path, path: str | Path) -> Path:
    """Write the HTML report; a path that cannot be written is one WebedgeError line."""
    path = Path(path)
    try:
        path.write_text(render(reports, bundle_dir), encoding="utf-8")
    except OSError as exc:
        raise WebedgeError(f"--html {path}: cannot write it ({exc.strerror or exc})") from None
    return path
