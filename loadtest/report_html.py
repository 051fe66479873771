"""--html FILE: one self-contained page (inline SVG and CSS, the report as inline JSON;
no external links, so no xmlns URL either: HTML5 needs none for inline SVG) with three
charts: latency by percentile (HdrHistogram's "nines" axis, log latency), latency over
time (each tick interval's p50/p99/p99.9, log) and throughput over time.

The charts are drawn here rather than by a plotting library: three line charts do not
justify a dependency, and hand placement is checked the way a person sees it (the tests
render the page in headless Chromium and measure every label). The rules that keep the
text readable: room on the left sized for the longest tick label, axis titles above the
plot (never beside rotated labels), tick values rounded to 1-2-5 steps so that each label
reads its true value, and the last x label anchored inside the chart."""

from __future__ import annotations

import html
import json
import math

from rust2go.loadtest.report import Report
from rust2go.loadtest.report_text import fmt_ns

W, H = 960, 320  # viewBox; the chart scales to the page width
TOP, BOTTOM, RIGHT = 44, 40, 28
CHAR_W = 7.0  # px per character of the 12 px tick font, generously (digits and units)
COLORS = {"p50": "#2471a3", "p99": "#d68910", "p99_9": "#c0392b", "calls": "#2471a3"}


def nice_step(span: float, count: int = 5) -> float:
    """A 1-2-5 step that cuts `span` into about `count` parts."""
    raw = span / count if span > 0 else 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def linear_ticks(top: float) -> list[float]:
    step = nice_step(top)
    n = math.ceil(top / step - 1e-9) if top > 0 else 1
    return [i * step for i in range(n + 1)]


def decade_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten covering [lo, hi] (latencies in ns, at least 1)."""
    a = math.floor(math.log10(max(1.0, lo)))
    b = max(a + 1, math.ceil(math.log10(max(1.0, hi))))
    return [10.0**e for e in range(a, b + 1)]


def fmt_tick_ns(v: float) -> str:
    """A latency tick (a power of ten of ns) without padding zeros: 10 µs, 100 ms, 1 s."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if v >= scale:
            return f"{v / scale:g} {unit}"
    return f"{v:g} ns"


def fmt_count(v: float) -> str:
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if v >= scale:
            return f"{v / scale:g} {unit}"
    return f"{v:g}"


class Chart:
    """One plot area: x and y scales (y linear or log10), ticks and their labels."""

    def __init__(self, title: str, y_title: str, x_title: str, xs: list[float],
                 x_label, ys: list[float], y_label, log_y: bool):  # fmt: skip
        self.title, self.y_title, self.x_title = title, y_title, x_title
        self.xs, self.ys, self.log_y = xs, ys, log_y
        self.x_text = [x_label(x) for x in xs]
        self.y_text = [y_label(y) for y in ys]
        self.left = 16 + CHAR_W * max(len(t) for t in self.y_text)
        self.parts: list[str] = []

    def x(self, v: float) -> float:
        lo, hi = self.xs[0], self.xs[-1]
        return self.left + (v - lo) / ((hi - lo) or 1) * (W - RIGHT - self.left)

    def y(self, v: float) -> float:
        f = (lambda u: math.log10(max(u, 1.0))) if self.log_y else (lambda u: u)
        lo, hi = f(self.ys[0]), f(self.ys[-1])
        return H - BOTTOM - (f(v) - lo) / ((hi - lo) or 1) * (H - BOTTOM - TOP)

    def line(self, points: list[tuple[float, float]], color: str, name: str) -> None:
        pts = " ".join(f"{self.x(a):.1f},{self.y(b):.1f}" for a, b in points)
        self.parts.append(f'<polyline class="series" data-name="{name}" fill="none" '
                          f'stroke="{color}" stroke-width="2" points="{pts}"/>')  # fmt: skip

    def band(self, x0: float, x1: float, label: str) -> None:
        """A shaded stretch of the x axis (the warm-up)."""
        a, b = self.x(x0), self.x(x1)
        self.parts.append(f'<rect x="{a:.1f}" y="{TOP}" width="{b - a:.1f}" '
                          f'height="{H - BOTTOM - TOP}" fill="#eeeeee"/>'
                          f'<text class="note" x="{(a + b) / 2:.1f}" y="{TOP + 14}" '
                          f'text-anchor="middle" font-size="11" fill="#777">{label}</text>')  # fmt: skip

    def legend(self, names: list[tuple[str, str]]) -> None:
        x = W - RIGHT
        for label, color in reversed(names):
            self.parts.append(f'<text class="legend" x="{x}" y="{TOP - 10}" text-anchor="end" '
                              f'font-size="12" fill="{color}">{label}</text>')  # fmt: skip
            x -= CHAR_W * len(label) + 14

    def svg(self) -> str:
        bottom, left = H - BOTTOM, self.left
        out = [f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" '
               f'aria-label="{html.escape(self.title)}">',
               f'<text class="title" x="{left}" y="16" font-weight="bold" font-size="14">'
               f"{html.escape(self.title)}</text>",
               f'<text class="axis-title" x="{left}" y="{TOP - 10}" font-size="12" fill="#555">'
               f"{html.escape(self.y_title)}</text>"]  # fmt: skip
        for v, t in zip(self.ys, self.y_text, strict=True):
            y = self.y(v)
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" '
                       f'stroke="#e5e5e5"/><text class="y-tick" data-value="{v:g}" '
                       f'x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12">'
                       f"{t}</text>")  # fmt: skip
        last = len(self.xs) - 1
        for i, (v, t) in enumerate(zip(self.xs, self.x_text, strict=True)):
            anchor = "start" if i == 0 else "end" if i == last else "middle"
            out.append(f'<text class="x-tick" data-value="{v:g}" x="{self.x(v):.1f}" '
                       f'y="{bottom + 18}" text-anchor="{anchor}" font-size="12">{t}</text>')  # fmt: skip
        out.append(f'<text class="axis-title" x="{W - RIGHT}" y="{H - 4}" text-anchor="end" '
                   f'font-size="12" fill="#555">{html.escape(self.x_title)}</text>')  # fmt: skip
        out.append(f'<line x1="{left}" y1="{bottom}" x2="{W - RIGHT}" y2="{bottom}" stroke="#333"/>'
                   f'<line x1="{left}" y1="{TOP}" x2="{left}" y2="{bottom}" stroke="#333"/>')  # fmt: skip
        return "".join(out + self.parts) + "</svg>"


NINES = ((0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%"),
         (6, "99.9999%"))  # fmt: skip


def latency_chart(r: Report) -> str:
    """x: percentile on a 'nines' axis (log of 1/(1-q)); y: latency, log."""
    h = r.steady[0] if r.steady else r.histogram
    curve = h.percentile_curve()
    nines = [min(6.0, -math.log10(max(1e-6, 1 - q / 100))) for q, _ in curve]
    top_n = max(3, math.ceil(max(nines, default=3)))
    values = [v for _, v in curve] or [1]
    ys = decade_ticks(min(values), max(values))
    c = Chart("Latency by percentile", "latency (log scale)", "percentile",
              [n for n, _ in NINES[: top_n + 1]], lambda n: NINES[int(n)][1], ys,
              fmt_tick_ns, log_y=True)  # fmt: skip
    c.line(list(zip(nines, values, strict=True)), COLORS["p99_9"], "latency")
    return c.svg()


def timeline_x(tl: list[dict]) -> tuple[list[float], object]:
    t_max = max([p["t_s"] for p in tl] + [0.1])
    return linear_ticks(t_max), lambda t: f"{t:g} s"


def latency_over_time_chart(r: Report) -> str | None:
    tl = [p for p in r.timeline() if "p50_ns" in p]
    if len(tl) < 2:
        return None
    xs, x_label = timeline_x(tl)
    keys = (("p50", "p50"), ("p99", "p99"), ("p99_9", "p99.9"))
    values = [p[f"{k}_ns"] for p in tl for k, _ in keys]
    c = Chart("Latency over time (each interval)", "latency (log scale)", "time", xs, x_label,
              decade_ticks(min(values), max(values)), fmt_tick_ns, log_y=True)  # fmt: skip
    if r.steady and r.spec.warmup:
        c.band(0, min(r.spec.warmup, xs[-1]), "warm-up")
    for k, label in keys:
        c.line([(p["t_s"], p[f"{k}_ns"]) for p in tl], COLORS[k], label)
    c.legend([(label, COLORS[k]) for k, label in keys])
    return c.svg()


def throughput_chart(r: Report) -> str:
    tl = r.timeline() or [{"t_s": r.elapsed_s, "calls_per_s": round(r.throughput)}]
    xs, x_label = timeline_x(tl)
    c = Chart("Throughput over time", "calls/s", "time", xs, x_label,
              linear_ticks(max(p["calls_per_s"] for p in tl)), fmt_count, log_y=False)  # fmt: skip
    if r.steady and r.spec.warmup:
        c.band(0, min(r.spec.warmup, xs[-1]), "warm-up")
    c.line([(0, tl[0]["calls_per_s"])] + [(p["t_s"], p["calls_per_s"]) for p in tl],
           COLORS["calls"], "calls/s")  # fmt: skip
    return c.svg()


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
    if data["headline"] == "after-warmup":
        span = (f"after a {data['warmup_s']:g} s warm-up (whole run: "
                f"{data['whole_run']['throughput_per_s']:,.0f} calls/s over {data['elapsed_s']:.2f} s)")  # fmt: skip
    else:
        span = f"over {data['elapsed_s']:.2f} s"
    drift = latency_over_time_chart(r)
    drift_div = f'<div id="drift-chart" class="chart">{drift}</div>' if drift else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em}}
table{{border-collapse:collapse}}th,td{{padding:2px 10px;text-align:right}}
.ok{{color:#1e8449}}.bad{{color:#c0392b;font-weight:bold}}
.chart{{margin:1.5em 0}}svg{{display:block;font-family:system-ui,sans-serif}}</style>
</head><body>
<h1>{html.escape(title)}</h1>
<p class="{"ok" if data["ok"] else "bad"}">{"PASS" if data["ok"] else "FAIL"} ·
{data["throughput_per_s"]:,.0f} calls/s {html.escape(span)} ·
concurrency {data["config"]["concurrency"]} · payload {data["config"]["payload_bytes"]} B</p>
<div id="latency-chart" class="chart">{latency_chart(r)}</div>
{drift_div}
<div id="throughput-chart" class="chart">{throughput_chart(r)}</div>
<h2>Latency</h2><table>{lat}</table>
<h2>Calls</h2><table>{rows}</table>
<h2>Checks</h2><ul>{checks}</ul>
<p>{html.escape("; ".join(data["notes"]))}</p>
<p>Machine: {html.escape(f"{m['cpu']}, {m['cores']} cores, {m['kernel']}; {m['go']}; {m['rust']}; Python {m['python']}")}</p>
<script type="application/json" id="report">{embedded}</script>
</body></html>
"""
