"""--html FILE: one self-contained page (inline SVG and CSS, the report as inline JSON;
no external links, so no xmlns URL either: HTML5 needs none for inline SVG)
with a latency-by-percentile chart and a throughput-over-time chart."""

from __future__ import annotations

import html
import json
import math

from rust2go.runtime.loadtest.report import Report
from rust2go.runtime.loadtest.report_text import fmt_ns

W, H, PAD = 640, 280, 48


def _polyline(points: list[tuple[float, float]], color: str) -> str:
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>'


def _frame(title: str, x_label: str, y_label: str, body: str, ticks: str) -> str:
    return (f'<svg width="{W}" height="{H}" '
            f'viewBox="0 0 {W} {H}" role="img" aria-label="{html.escape(title)}">'
            f'<text x="{W / 2}" y="16" text-anchor="middle" font-weight="bold">{html.escape(title)}</text>'
            f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#333"/>'
            f'<line x1="{PAD}" y1="24" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>'
            f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle">{x_label}</text>'
            f'<text x="12" y="{H / 2}" transform="rotate(-90 12 {H / 2})" text-anchor="middle">{y_label}</text>'
            f"{ticks}{body}</svg>")  # fmt: skip


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def latency_chart(r: Report) -> str:
    """x: percentile on a 'nines' axis (log of 1/(1-q)); y: latency (linear)."""
    curve = r.histogram.percentile_curve()
    nines = [min(6.0, -math.log10(max(1e-6, 1 - q / 100))) for q, _ in curve]
    top = max((v for _, v in curve), default=1) or 1
    sx, sy = _scale(0, max(nines + [3.0]), PAD, W - 10), _scale(0, top, H - PAD, 24)
    labels = ((0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%"))
    ticks = "".join(f'<text x="{sx(n):.1f}" y="{H - PAD + 16}" text-anchor="middle" '
                    f'font-size="11">{t}</text>' for n, t in labels if n <= max(nines + [3.0]))  # fmt: skip
    ticks += "".join(f'<text x="{PAD - 4}" y="{sy(top * f):.1f}" text-anchor="end" font-size="11">'
                     f"{fmt_ns(int(top * f))}</text>" for f in (0, 0.5, 1))  # fmt: skip
    body = _polyline([(sx(n), sy(v)) for n, (_, v) in zip(nines, curve, strict=True)], "#c0392b")
    return _frame("Latency by percentile", "percentile", "latency", body, ticks)


def throughput_chart(r: Report) -> str:
    tl = r.timeline()
    if not tl:
        tl = [{"t_s": r.elapsed_s, "calls_per_s": round(r.throughput)}]
    t_max = max(p["t_s"] for p in tl) or 1
    top = max(p["calls_per_s"] for p in tl) or 1
    sx, sy = _scale(0, t_max, PAD, W - 10), _scale(0, top, H - PAD, 24)
    ticks = "".join(f'<text x="{sx(t_max * f):.1f}" y="{H - PAD + 16}" text-anchor="middle" '
                    f'font-size="11">{t_max * f:.1f} s</text>' for f in (0, 0.5, 1))  # fmt: skip
    ticks += "".join(f'<text x="{PAD - 4}" y="{sy(top * f):.1f}" text-anchor="end" font-size="11">'
                     f"{top * f:,.0f}</text>" for f in (0, 0.5, 1))  # fmt: skip
    body = _polyline([(sx(0), sy(tl[0]["calls_per_s"]))]
                     + [(sx(p["t_s"]), sy(p["calls_per_s"])) for p in tl], "#2471a3")  # fmt: skip
    return _frame("Throughput over time", "time", "calls/s", body, ticks)


def render_html(r: Report) -> str:
    data = r.to_json()
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{v:,}</td></tr>"
                   for k, v in data["counts"].items())  # fmt: skip
    lat = "".join(f"<tr><th>{k.replace('_', '.')}</th><td>{fmt_ns(v)}</td></tr>"
                  for k, v in data["latency_ns"].items())  # fmt: skip
    checks = "".join(f"<li class={'ok' if c['ok'] else 'bad'}>{html.escape(c['name'])}: "
                     f"{html.escape(c['detail'])}</li>" for c in data["checks"])  # fmt: skip
    m = data["machine"]
    embedded = json.dumps(data).replace("</", "<\\/")  # may not close the script element
    title = f"rust2go loadtest — {data['transport']} — {data['method']}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:60em}}
table{{border-collapse:collapse}}th,td{{padding:2px 10px;text-align:right}}
.ok{{color:#1e8449}}.bad{{color:#c0392b;font-weight:bold}}svg{{display:block;margin:1em 0}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<p class="{"ok" if data["ok"] else "bad"}">{"PASS" if data["ok"] else "FAIL"} ·
{data["throughput_per_s"]:,.0f} calls/s over {data["elapsed_s"]:.2f} s ·
concurrency {data["config"]["concurrency"]} · payload {data["config"]["payload_bytes"]} B</p>
<div id="latency-chart">{latency_chart(r)}</div>
<div id="throughput-chart">{throughput_chart(r)}</div>
<h2>Latency</h2><table>{lat}</table>
<h2>Calls</h2><table>{rows}</table>
<h2>Checks</h2><ul>{checks}</ul>
<p>{html.escape("; ".join(data["notes"]))}</p>
<p>Machine: {html.escape(f"{m['cpu']}, {m['cores']} cores, {m['kernel']}; {m['go']}; {m['rust']}; Python {m['python']}")}</p>
<script type="application/json" id="report">{embedded}</script>
</body></html>
"""
