"""Turn measured variants into ratios, target verdicts and a Markdown report.

Variant keys (``workload["variants"]``)::

    transcode        (a)  plain decode + encode, same encoder and settings, no overlay
    pipeline_empty   (a0) our pipeline with an overlay that never draws (diagnostic)
    render           (b)  ecg-render render
    browser          (c)  Chromium seek + screenshot per frame, composited and encoded
    overlay          (d)  our overlay frames only
    overlay_chromium (d)  Chromium seek + screenshot (+ PNG decode) only
"""

from __future__ import annotations

from typing import Any

VARIANT_LABELS = {
    "transcode": "(a) plain transcode",
    "pipeline_empty": "(a0) our pipeline, no captions",
    "render": "(b) ecg-render render",
    "browser": "(c) browser pipeline",
    "overlay": "(d) our overlay only",
    "overlay_chromium": "(d) Chromium screenshots only",
}
TARGETS = {
    "b_over_a": (">=", 0.95),
    "b_over_c": (">=", 8.0),
    "d": (">=", 100.0),
    "peak_rss_mb": ("<=", 400.0),
    "rss_growth": ("<=", 1.10),
}
TARGET_LABELS = {
    "b_over_a": "b/a: render fps / plain transcode fps",
    "b_over_c": "b/c: render fps / browser pipeline fps",
    "d": "d: our overlay frames/s / Chromium screenshots/s",
    "peak_rss_mb": "peak RSS of `ecg-render render` (MB, process tree)",
    "rss_growth": "render peak RSS, long run / 10 s run",
}


def _fps(workload: dict, key: str) -> float | None:
    variant = workload["variants"].get(key)
    if not variant or not variant.get("ok"):
        return None
    return variant["fps"]


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom <= 0:
        return None
    return top / bottom


def _cpu(workload: dict, key: str) -> float | None:
    variant = workload["variants"].get(key)
    if not variant or not variant.get("ok") or variant["cpu_seconds"] <= 0:
        return None
    return variant["cpu_seconds"]


def workload_ratios(workload: dict) -> dict[str, float | None]:
    """b/a, b/c, d (from fps) and the render's own peak RSS for one workload; ``*_cpu``: the
    same ratios from CPU seconds per frame (every variant does the same frames), which a
    busy machine disturbs less than wall-clock speed."""
    render = workload["variants"].get("render") or {}
    return {
        "b_over_a": _ratio(_fps(workload, "render"), _fps(workload, "transcode")),
        "b_over_c": _ratio(_fps(workload, "render"), _fps(workload, "browser")),
        "d": _ratio(_fps(workload, "overlay"), _fps(workload, "overlay_chromium")),
        "peak_rss_mb": render.get("peak_rss_mb") if render.get("ok") else None,
        "b_over_a0": _ratio(_fps(workload, "render"), _fps(workload, "pipeline_empty")),
        "b_over_a_cpu": _ratio(_cpu(workload, "transcode"), _cpu(workload, "render")),
        "b_over_c_cpu": _ratio(_cpu(workload, "browser"), _cpu(workload, "render")),
        "d_cpu": _ratio(_cpu(workload, "overlay_chromium"), _cpu(workload, "overlay")),
    }


def evaluate_targets(workloads: list[dict]) -> dict[str, dict[str, Any]]:
    """Verdicts on the longest workload; ``rss_growth`` compares it with the shortest."""
    if not workloads:
        return {}
    longest = max(workloads, key=lambda w: w["seconds"])
    shortest = min(workloads, key=lambda w: w["seconds"])
    values = dict(longest["ratios"])
    growth = None
    if longest is not shortest:
        growth = _ratio(longest["ratios"]["peak_rss_mb"], shortest["ratios"]["peak_rss_mb"])
    values["rss_growth"] = growth
    verdicts = {}
    for key, (op, limit) in TARGETS.items():
        value = values.get(key)
        met = None if value is None else (value >= limit if op == ">=" else value <= limit)
        verdicts[key] = {
            "value": value,
            "target": f"{op} {limit:g}",
            "met": met,
            "workload": longest["name"],
        }
    return verdicts


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def markdown(results: dict) -> str:
    """The generated part of RESULTS.md: command, machine, per-variant table, targets."""
    m = results["machine"]
    s = results["settings"]
    lines = [
        f"Command: `{results['command']}`  ",
        f"Date: {results['started_at']}  ",
        f"Commit: {results.get('commit') or 'unknown'}  ",
        (
            f"Machine: {m['cpu_model']}, {m['cpu_count']} cores, {m['memory_gb']:.0f} GB RAM, "
            f"{m['os']}; Python {m['python']}, PyAV {m['pyav']} (FFmpeg {m['ffmpeg']}), "
            f"skia-python {m['skia']}, {m['chromium']}  "
        ),
        f"Load average before the run: {' / '.join(f'{x:.2f}' for x in m['loadavg'])}  ",
        (
            f"Encoder: {s['encoder']} preset {s['preset']} crf {s['crf']} "
            f"(the pipeline's defaults: quality 90), threads auto; clip {s['size']} at "
            f"{s['fps']} fps with AAC audio (copied); dense scenario: a new cue every second, "
            "Korean + Latin words with word-level baseTime, no plugins."
        ),
        "",
    ]
    names = [w["name"] for w in results["workloads"]]
    header = (
        "| variant | " + " | ".join(f"{n} fps | {n} peak RSS MB | {n} CPU s" for n in names) + " |"
    )
    lines += [header, "|---|" + "---:|---:|---:|" * len(names)]
    for key, label in VARIANT_LABELS.items():
        cells = []
        for w in results["workloads"]:
            v = w["variants"].get(key)
            if not v:
                cells += ["-", "-", "-"]
            elif not v.get("ok"):
                cells += ["failed", "-", "-"]
            else:
                cells += [_num(v["fps"]), _num(v["peak_rss_mb"], 0), _num(v["cpu_seconds"])]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "| ratio | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key in ("b_over_a", "b_over_c", "d"):
        cells = [_num(w["ratios"][key], 2) for w in results["workloads"]]
        lines.append(f"| {TARGET_LABELS[key]} | " + " | ".join(cells) + " |")
    cells = [_num(w["ratios"].get("b_over_a0"), 2) for w in results["workloads"]]
    lines.append(
        "| b/a0: render fps / our pipeline without captions fps | " + " | ".join(cells) + " |"
    )
    for key in ("b_over_a", "b_over_c", "d"):
        cells = [_num(w["ratios"].get(f"{key}_cpu"), 2) for w in results["workloads"]]
        lines.append(
            f"| same from CPU seconds: {TARGET_LABELS[key].split(':')[0]} | "
            + " | ".join(cells)
            + " |"
        )
    lines += ["", "| target | measured | goal | met |", "|---|---:|---:|:---:|"]
    for key, verdict in results["targets"].items():
        met = {True: "yes", False: "**no**", None: "n/a"}[verdict["met"]]
        digits = 0 if key == "peak_rss_mb" else 2
        lines.append(
            f"| {TARGET_LABELS[key]} ({verdict['workload']}) | {_num(verdict['value'], digits)} "
            f"| {verdict['target']} | {met} |"
        )
    lines += [
        "",
        (
            "fps = frames / seconds of work inside the worker process (interpreter start and imports "
            "excluded; Chromium's launch is included in (c), font loading in (b)). Peak RSS is the "
            "largest sum of RSS over the worker's process tree, sampled every 0.1 s (Chromium's "
            "shared pages are counted once per process). CPU s = user + system time of the tree, "
            "interpreter start and imports included; the CPU-second ratios compare CPU per frame "
            "(a busy machine distorts them less than wall-clock fps)."
        ),
    ]
    return "\n".join(lines) + "\n"


BEGIN_MARK = "<!-- benchmark:begin (generated by python -m benchmarks.run) -->"
END_MARK = "<!-- benchmark:end -->"


def splice(document: str, generated: str) -> str:
    """Replace the generated block of RESULTS.md, keeping the hand-written text around it."""
    block = f"{BEGIN_MARK}\n{generated}{END_MARK}"
    if BEGIN_MARK in document and END_MARK in document:
        head, rest = document.split(BEGIN_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        return head + block + tail
    return (document.rstrip() + "\n\n" if document.strip() else "") + block + "\n"
