"""The HTML report as a person sees it: rendered by headless Chromium (Debian's package,
installed by the test when missing), every chart label measured in the browser. Each
label lies inside its chart, no two overlap, each tick label reads the value it marks, the
charts span the page, and the latency axes are logarithmic. A screenshot is kept with the
test's files for a human look."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.debian import ensure
from rust2go.loadtest.report_html import fmt_count, fmt_tick_ns, render_html
from tests.loadtest.synthetic import synthetic_report

# Runs in the page after load; leaves what it measured in <body data-measure>.
MEASURE = """<script>
addEventListener('load', () => {
  const charts = [];
  for (const svg of document.querySelectorAll('svg')) {
    const vb = svg.viewBox.baseVal, texts = [];
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      texts.push({cls: t.getAttribute('class'), text: t.textContent, value: t.dataset.value,
                  x: b.x, y: b.y, w: b.width, h: b.height});
    }
    charts.push({label: svg.getAttribute('aria-label'), vb: [vb.x, vb.y, vb.width, vb.height],
                 px: svg.getBoundingClientRect().width, texts});
  }
  document.body.setAttribute('data-measure', JSON.stringify(
    {charts, page: document.body.getBoundingClientRect().width}));
});
</script>"""


def chromium() -> str:
    ensure("chromium", lambda: shutil.which("chromium") is not None, ["chromium"])
    return shutil.which("chromium")


def run_chromium(*args: str) -> str:
    r = subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--window-size=1280,1600", *args],
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> tuple[dict, Path]:
    work = tmp_path_factory.mktemp("render")
    page = work / "report.html"
    page.write_text(render_html(synthetic_report()))
    run_chromium(f"--screenshot={work / 'report.png'}", page.as_uri())
    probe = work / "measure.html"
    probe.write_text(page.read_text().replace("</body>", MEASURE + "</body>"))
    dom = run_chromium("--virtual-time-budget=2000", "--dump-dom", probe.as_uri())
    found = re.search(r'data-measure="([^"]*)"', dom)
    assert found, dom[:2000]
    import html

    return json.loads(html.unescape(found.group(1))), work


def boxes_overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
            and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])  # fmt: skip


def test_three_charts_span_the_page_and_a_screenshot_is_taken(measured):
    m, work = measured
    assert [c["label"] for c in m["charts"]] == [
        "Latency by percentile",
        "Latency over time (each interval)",
        "Throughput over time",
    ]
    for c in m["charts"]:
        assert c["px"] >= 0.95 * m["page"], (c["label"], c["px"], m["page"])
    assert (work / "report.png").stat().st_size > 20_000


def test_every_label_is_inside_its_chart_and_none_overlap(measured):
    m, _ = measured
    for c in m["charts"]:
        x0, y0, w, h = c["vb"]
        for t in c["texts"]:
            assert x0 <= t["x"] and t["x"] + t["w"] <= x0 + w, (c["label"], t)
            assert y0 <= t["y"] and t["y"] + t["h"] <= y0 + h, (c["label"], t)
            assert t["w"] > 0 and t["text"].strip(), (c["label"], t)
        texts = c["texts"]
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not boxes_overlap(a, b), (c["label"], a["text"], b["text"])


def test_tick_labels_read_their_values_on_the_right_scales(measured):
    m, _ = measured
    by_label = {c["label"]: c for c in m["charts"]}
    for label, fmt, log in (("Latency by percentile", fmt_tick_ns, True),
                            ("Latency over time (each interval)", fmt_tick_ns, True),
                            ("Throughput over time", fmt_count, False)):  # fmt: skip
        ticks = [t for t in by_label[label]["texts"] if t["cls"] == "y-tick"]
        assert len(ticks) >= 3, label
        values = [float(t["value"]) for t in ticks]
        assert values == sorted(values) and all(
            t["text"] == fmt(v) for t, v in zip(ticks, values, strict=True)
        )
        # Equal steps on screen: a constant ratio (log axis) or difference (linear axis).
        ys = [t["y"] for t in ticks]
        gaps = [a - b for a, b in zip(ys[:-1], ys[1:], strict=True)]
        assert max(gaps) - min(gaps) < 1.0, (label, ys)
        steps = [
            b / a if log else b - a
            for a, b in zip(values[:-1], values[1:], strict=True)
            if a > 0 or not log
        ]
        assert max(steps) - min(steps) < 1e-6 * max(steps), (label, values)
        if log:
            assert all(math.isclose(s, 10.0) for s in steps), values
    report = synthetic_report()
    lat = [float(t["value"]) for t in by_label["Latency by percentile"]["texts"]
           if t["cls"] == "y-tick"]  # fmt: skip
    assert lat[0] <= report.steady[0].min and lat[-1] >= report.steady[0].max
