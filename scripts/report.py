#!/usr/bin/python3
"""Makes one self-contained HTML page from a tcesim run report, a sweep, or
two run reports side by side.

usage: report.py RUN.json|DIR -o FILE.html|- [--stdout-name NAME]
       report.py A.json B.json -o FILE.html|- [--stdout-name NAME]

RUN.json is a `tcesim run --json` report (schema tcesim.report/1). DIR is a
`tcesim sweep --out DIR` directory: results.csv (the varied keys first, then
the metrics, optionally <metric>_ci95 columns), sweep.json when present.
A.json B.json: two run reports compared, B against A: headline metrics with
their absolute and relative differences (at least 5% highlighted), latency
distributions and breakdowns overlaid, PEs, devices, pools and CPUs side by
side, the configuration keys that differ.

The page has inline CSS and its plots as base64 PNG <img>: no external
resources, so it can be mailed or attached as it is. Plots are matplotlib
(Agg backend); run with Debian's /usr/bin/python3, which is the interpreter
Debian's python3-matplotlib belongs to (`tcesim report` does that).

`-o -` writes the page to standard output (`tcesim report` passes the output
file it opened that way; --stdout-name names it in messages). A FILE is
written as tcesim writes its outputs (README "Outputs"): a temp file
`.NAME.tcesim-XXXXXX` created exclusively next to it and renamed onto it; an
existing FIFO or device is written straight, never replaced.

Exit status: 0 written, 1 runtime failure (matplotlib missing, cannot write),
2 bad input; every error is one line on stderr ("FILE: message").
"""
import base64
import csv
import html
import io
import json
import math
import os
import random
import stat
import sys

SCHEMA = "tcesim.report/1"
NEEDS_MPL = "report: needs Debian's python3-matplotlib (scripts/setup.sh installs it)"
# The DMA latency parts in the order a read goes through them (dma.breakdown).
PARTS = ["device", "link", "translation", "fetch_slot_wait", "memory", "completion"]
PART_COLORS = ["#4c72b0", "#8172b2", "#dd8452", "#c44e52", "#55a868", "#937860"]
STATS = ["mean", "p50", "p90", "p99", "p999", "max"]
STAT_LABELS = {"mean": "mean", "p50": "p50", "p90": "p90", "p99": "p99", "p999": "p99.9", "max": "max"}
# Sweep metrics (docs/interface.md, results.csv) with their axis labels.
METRICS = {
    "hit_rate": "TCE cache hit rate",
    "translation_p50_ns": "translation p50 (ns)",
    "translation_p99_ns": "translation p99 (ns)",
    "translation_p999_ns": "translation p99.9 (ns)",
    "dma_throughput_gbps": "DMA throughput (Gb/s)",
    "pool_wait_p99_ns": "pool lock wait p99 (ns)",
    "alloc_failures": "allocation failures",
    "faults": "translation faults",
    "dma_lost_bytes": "DMA bytes lost",
}


# results.csv columns that are not metrics: seeds averaged into a row.
BOOKKEEPING = ("seeds",)


class InputError(Exception):
    """Bad input: exit 2."""


class RuntimeFailure(Exception):
    """Anything else that stops the page: exit 1."""


plt = None  # matplotlib.pyplot, imported by main() so a missing one is one clear line


# ---- formatting ----

def esc(s):
    return html.escape(str(s), quote=True)


def fmt_ns(v):
    """A duration in ns with a unit that keeps 3-4 significant digits."""
    if v is None:
        return "–"
    v = float(v)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if abs(v) >= scale:
            return "%.3g %s" % (v / scale, unit) if abs(v) / scale < 100 else "%.4g %s" % (v / scale, unit)
    return "%.4g ns" % v if v else "0 ns"


def fmt_num(v):
    """Integers with thousands separators, floats with 4 significant digits."""
    if v is None or v == "":
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return "{:,}".format(v).replace(",", "\u2009")
    if isinstance(v, float):
        if (v.is_integer() or abs(v) >= 1e4) and abs(v) < 1e15:
            return fmt_num(int(round(v)))
        return "%.4g" % v
    if isinstance(v, list):
        return ", ".join(fmt_num(x) for x in v)
    return str(v)


def fmt_bytes(v):
    """Sizes as the config writes them: 4K, 64K, 2G (powers of 1024)."""
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return fmt_num(v)
    v = int(v)
    for suffix, shift in (("G", 30), ("M", 20), ("K", 10)):
        if v >= 1 << shift and v % (1 << shift) == 0:
            return "%d%s" % (v >> shift, suffix)
    return fmt_num(v)


def fmt_pct(v):
    return "–" if v is None else "%.2f%%" % (100.0 * v)


def get(d, path, default=None):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def flatten(d, prefix=""):
    """Dotted key -> scalar, in document order (arrays of scalars stay whole)."""
    out = []
    if isinstance(d, dict):
        for k, v in d.items():
            out += flatten(v, prefix + k + ".")
    elif isinstance(d, list) and any(isinstance(x, (dict, list)) for x in d):
        for i, v in enumerate(d):
            out += flatten(v, prefix + str(i) + ".")
    else:
        out.append((prefix[:-1], d))
    return out


def parse_value(s):
    """A sweep value as a number when it is one (sizes with K/M/G/T too, as
    traces/FORMAT.md "Numbers" has them), else None."""
    t = str(s).strip()
    mult = 1
    if t[-1:] in ("K", "M", "G", "T") and len(t) > 1:
        mult = 1024 ** ("KMGT".index(t[-1]) + 1)
        t = t[:-1]
    try:
        return float(int(t, 0)) * mult
    except ValueError:
        pass
    try:
        v = float(t) * mult
        return v if math.isfinite(v) else None
    except ValueError:
        return None


# ---- plots ----

def log_axis_labels(axis, span):
    """Plain numbers (50, 100, 200) on a log axis instead of powers of ten
    alone: a latency axis often spans less than one decade."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    subs = (1.0, 2.0, 5.0) if span > 8 else (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))
    axis.set_minor_formatter(NullFormatter())


def setup_matplotlib():
    global plt
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
    except ImportError:
        raise RuntimeFailure(NEEDS_MPL)
    plt = pyplot
    plt.rcParams.update({
        "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10,
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
        "axes.spines.right": False, "legend.fontsize": 9, "legend.frameon": False,
        "svg.hashsalt": "tcesim",
    })


def png(fig, alt):
    """The figure as an <img> with a data: URI; closes the figure."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return '<img class="plot" alt="%s" src="data:image/png;base64,%s">' % (esc(alt), b64)


def note(text):
    return '<p class="note">%s</p>' % text


def latency_plot(title, lat, hist):
    """A latency histogram on log-log axes with the percentiles marked, or,
    when the report has no histogram, the percentiles on a log axis."""
    if hist:
        edges = [float(e) for e, c in hist if c > 0]
        counts = [float(c) for e, c in hist if c > 0]
        if not edges:
            return note("%s: no samples." % esc(title))
        positive = [e for e in edges if e > 0]
        lo = min(positive) if positive else 1.0
        hi = max(max(edges), float(lat.get("max", 0) or 0), lo * 1.01)
        # Re-binned to at most 60 log-spaced bins: the report's buckets (at
        # most 1% wide, 1 ns below 100 ns) are too narrow to read at page
        # size. A bin is never narrower than a source bucket at the low end,
        # else empty bins between the buckets would draw as gaps.
        step = max(1.0 + 1.0 / lo if lo < 100 else 1.0, 1.0101, (hi * 1.0001 / lo) ** (1.0 / 60))
        nb = max(1, int(math.ceil(math.log(hi * 1.0001 / lo) / math.log(step))))
        bins = [lo * step ** i for i in range(nb + 1)]
        xs = [max(e, lo) for e in edges]
        fig, ax = plt.subplots(figsize=(6.4, 3.3))
        binned, _, _ = ax.hist(xs, bins=bins, weights=counts, color="#4c72b0", alpha=0.85)
        ax.set_xscale("log")
        ax.set_yscale("log")
        log_axis_labels(ax.xaxis, hi / lo)
        ax.set_ylabel("samples")
        for k, style in (("p50", ":"), ("p99", "--"), ("p999", "-.")):
            if lat.get(k):
                ax.axvline(lat[k], color="#c44e52", linestyle=style, linewidth=1.2,
                           label="%s %s" % (STAT_LABELS[k], fmt_ns(lat[k])))
        # Headroom above the tallest bin (log scale) for the legend.
        ax.set_ylim(0.7, max(binned) * 30)
        ax.legend(loc="upper right", frameon=True, framealpha=0.9, edgecolor="#ccc")
        ax.set_xlabel("latency (ns, log scale)")
        ax.set_title(title)
        return png(fig, title)
    vals = [(STAT_LABELS[k], float(lat[k])) for k in STATS if isinstance(lat.get(k), (int, float))]
    if not vals or max(v for _, v in vals) <= 0:
        return note("%s: no samples." % esc(title))
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    names = [n for n, _ in vals][::-1]
    nums = [max(v, 0.1) for _, v in vals][::-1]
    ax.barh(names, nums, color="#4c72b0", alpha=0.85)
    for i, v in enumerate(nums):
        ax.text(v, i, " " + fmt_ns(v), va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(min(nums) / 1.5, max(nums) * 2.5)
    log_axis_labels(ax.xaxis, max(nums) / min(nums) * 4)
    ax.set_xlabel("latency (ns, log scale)")
    ax.set_title(title + " — percentiles")
    return png(fig, title) + note(
        "Histogram not recorded in this report (written by an older tcesim): "
        "percentiles shown instead. Rerun with a current tcesim for the full distribution.")


def breakdown_plot(rows):
    """Stacked horizontal bars of the mean latency parts, one bar per row."""
    fig, ax = plt.subplots(figsize=(9.6, 0.45 * len(rows) + 1.2))
    labels = [r[0] for r in rows][::-1]
    left = [0.0] * len(rows)
    for part, color in zip(PARTS, PART_COLORS):
        widths = [float(get(r[1], part + ".mean", 0) or 0) for r in rows][::-1]
        ax.barh(labels, widths, left=left, color=color, label=part.replace("_", " "), height=0.6)
        for i, w in enumerate(widths):
            if w >= 0.07 * max(1.0, max(sum(float(get(r[1], p + ".mean", 0) or 0) for p in PARTS) for r in rows)):
                ax.text(left[i] + w / 2, i, "%.0f" % w, ha="center", va="center", color="white", fontsize=8)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_xlabel("mean DMA latency (ns), by part")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28 if len(rows) < 3 else -0.12), ncol=len(PARTS))
    ax.grid(axis="y", visible=False)
    ax.set_title("Where a DMA's time goes (means)")
    return png(fig, "latency breakdown")


def pools_plot(pools):
    used = [p for p in pools if p.get("acquisitions")]
    if not any(p.get("contended") for p in used):
        return note("No pool lock acquisition was contended.")
    labels = ["PE%s/%s%s" % (p.get("pe", "?"), p.get("id", "?"), "L" if p.get("kind") == "large" else "") for p in used]
    frac = [100.0 * p.get("contended", 0) / p["acquisitions"] for p in used]
    wait99 = [float(get(p, "wait_ns.p99", 0) or 0) for p in used]
    wmean = [float(get(p, "wait_ns.mean", 0) or 0) for p in used]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.0))
    x = range(len(used))
    a1.bar(x, frac, color="#dd8452")
    a1.set_ylabel("contended acquisitions (%)")
    a1.set_title("Pool lock contention")
    a2.bar([i - 0.2 for i in x], wmean, width=0.4, label="mean", color="#4c72b0")
    a2.bar([i + 0.2 for i in x], wait99, width=0.4, label="p99", color="#c44e52")
    a2.set_ylabel("wait (ns)")
    a2.set_title("Pool lock wait")
    a2.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for a in (a1, a2):
        a.set_xticks(list(x))
        a.set_xticklabels(labels, rotation=90 if len(used) > 10 else 0, fontsize=8)
        a.grid(axis="x", visible=False)
    fig.tight_layout()
    return png(fig, "pool contention")


def epochs_plot(ep):
    series = ep.get("series") or []
    if not series:
        return note("The run recorded no epochs.")
    t = [float(s.get("t_ns", 0)) for s in series]
    scale, unit = (1e6, "ms") if max(t) >= 1e6 else ((1e3, "µs") if max(t) >= 1e3 else (1, "ns"))
    x = [v / scale for v in t]
    faults = [float(s.get("faults", 0) or 0) for s in series]
    n = 4 if any(faults) else 3
    fig, axes = plt.subplots(n, 1, figsize=(10, 1.9 * n + 0.6), sharex=True)
    hr = [100.0 * float(s["hit_rate"]) if s.get("hit_rate") is not None else float("nan") for s in series]
    axes[0].plot(x, hr, color="#4c72b0", marker="." if len(x) < 60 else None)
    axes[0].set_ylabel("hit rate (%)")
    axes[0].set_ylim(0, max(1.0, max((h for h in hr if h == h), default=0) * 1.1))
    axes[1].plot(x, [float(s.get("throughput_gbps", 0) or 0) for s in series], color="#55a868",
                 marker="." if len(x) < 60 else None)
    axes[1].set_ylabel("DMA (Gb/s)")
    axes[1].set_ylim(bottom=0)
    acq = [float(s.get("lock_acquisitions", 0) or 0) for s in series]
    cont = [float(s.get("lock_contended", 0) or 0) for s in series]
    wait = [float(s.get("lock_wait_ns", 0) or 0) for s in series]
    axes[2].plot(x, [100.0 * c / a if a else 0.0 for c, a in zip(cont, acq)], color="#dd8452",
                 label="pool lock acquisitions contended (%)")
    axes[2].set_ylabel("contended (%)", color="#dd8452")
    axes[2].set_ylim(bottom=0)
    tw = axes[2].twinx()
    tw.plot(x, [w / a if a else 0.0 for w, a in zip(wait, acq)], color="#c44e52", linestyle="--",
            label="mean wait per acquisition (ns)")
    tw.set_ylabel("mean wait (ns)", color="#c44e52")
    tw.set_ylim(bottom=0)
    tw.grid(False)
    tw.spines["right"].set_visible(True)
    h1, l1 = axes[2].get_legend_handles_labels()
    h2, l2 = tw.get_legend_handles_labels()
    axes[2].legend(h1 + h2, l1 + l2, loc="upper left", bbox_to_anchor=(0.0, 1.25), ncol=2, fontsize=8)
    if n == 4:
        axes[3].bar(x, faults, width=(x[1] - x[0]) * 0.8 if len(x) > 1 else 0.8, color="#8172b2")
        axes[3].set_ylabel("faults")
    axes[-1].set_xlabel("simulated time (%s); epoch = %s" % (unit, fmt_ns(ep.get("ns"))))
    axes[0].set_title("Over time, per epoch")
    fig.tight_layout()
    return png(fig, "contention over time")


# ---- HTML ----

CSS = """
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#f6f7f9;margin:0}
main{max-width:1180px;margin:0 auto;padding:20px 28px 40px}
h1{font-size:24px;margin:6px 0 2px}
h2{font-size:19px;margin:30px 0 10px;padding-bottom:4px;border-bottom:2px solid #d8dce3}
h3{font-size:15px;margin:16px 0 6px}
.sub{color:#555;margin:0 0 14px;font-size:14px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 14px}
.card .k{font-size:12px;color:#666;text-transform:uppercase;letter-spacing:.03em}
.card .v{font-size:24px;font-weight:600;margin-top:2px;white-space:nowrap}
.card .v.bad{color:#b02a2a}
.card .v.range{font-size:17px;white-space:normal}
.panel{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 14px;margin:10px 0;overflow-x:auto}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.grid3{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px}
img.plot{max-width:100%;height:auto;display:block;margin:0 auto}
table{border-collapse:collapse;font-size:13px;width:auto}
th,td{padding:4px 9px;border-bottom:1px solid #e4e7ec;text-align:right;white-space:nowrap}
th{background:#eef1f5;font-weight:600;position:sticky;top:0;white-space:normal;max-width:8em;vertical-align:bottom}
td.l,th.l{text-align:left}
tr:nth-child(even) td{background:#fafbfc}
tr.hot td{background:#fff3e6}
.note{color:#666;font-size:13px;font-style:italic;margin:6px 0}
.bound{background:#fff4e0;border-left:4px solid #e69500;padding:6px 10px;margin:8px 0;font-size:14px}
details{margin:8px 0}
summary{cursor:pointer;font-weight:600;padding:6px 0}
pre{font-size:12px;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px;overflow-x:auto}
.kv td:first-child{text-align:left;color:#444}
footer{color:#888;font-size:12px;margin-top:30px}
.tag{display:inline-block;min-width:1.1em;padding:0 6px;border-radius:4px;color:#fff;font-weight:700;text-align:center}
.tag.a{background:#4c72b0}
.tag.b{background:#dd8452}
table.cmp tr.sig td{background:#fffbe6}
table.cmp td.good{color:#1d7a35;font-weight:600}
table.cmp td.worse{color:#b02a2a;font-weight:600}
table.cmp td.chg{color:#2b5cb8;font-weight:600}
table.side th.grp{text-align:center;border-left:2px solid #d8dce3}
table.side td.ga{border-left:2px solid #e4e7ec}
code{font-size:12px}
"""


def page(title, sub, body):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>%s</title>\n<style>%s</style></head>\n<body><main>\n<h1>%s</h1>\n"
            "<p class=\"sub\">%s</p>\n%s\n<footer>Made by tcesim report (scripts/report.py).</footer>\n"
            "</main></body></html>\n" % (esc(title), CSS, esc(title), sub, body))


def th_text(h):
    """A column name that may wrap after '.' and '_' (dotted config keys)."""
    return esc(h).replace(".", ".<wbr>").replace("_", "_<wbr>")


def table(header, rows, left=(), hot=None):
    """header: names; rows: lists of already formatted cells; left: column
    indices to left-align; hot(i) -> True highlights row i."""
    out = ["<table><thead><tr>"]
    out += ['<th class="l">%s</th>' % th_text(h) if i in left else "<th>%s</th>" % th_text(h)
            for i, h in enumerate(header)]
    out.append("</tr></thead><tbody>")
    for n, r in enumerate(rows):
        out.append('<tr class="hot">' if hot and hot(n) else "<tr>")
        out += ['<td class="l">%s</td>' % esc(c) if i in left else "<td>%s</td>" % esc(c) for i, c in enumerate(r)]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def kv_table(pairs):
    return '<table class="kv"><tbody>%s</tbody></table>' % "".join(
        "<tr><td>%s</td><td>%s</td></tr>" % (esc(k), esc(fmt_num(v))) for k, v in pairs)


def cards(items):
    out = ['<div class="cards">']
    for k, v, is_bad in items:
        cls = (" bad" if is_bad else "") + (" range" if " – " in v else "")
        out.append('<div class="card"><div class="k">%s</div><div class="v%s">%s</div></div>' % (esc(k), cls, esc(v)))
    out.append("</div>")
    return "".join(out)


def panel(*parts):
    return '<div class="panel">%s</div>' % "".join(parts)


def lat_cells(lat):
    return [fmt_num(get(lat, k)) for k in STATS]


# ---- a single run ----

class Node(dict):
    """A report object that knows where it is: a field the page needs and
    the file lacks is one line, FILE: PATH: missing (exit 2). The types of
    the fields present were checked by tcesim against the report schema
    before this script ran."""
    __slots__ = ("file", "where")

    def __missing__(self, key):
        raise InputError("%s: %s: missing" % (self.file, "%s.%s" % (self.where, key) if self.where else key))


def with_paths(v, file, where=""):
    if isinstance(v, dict):
        n = Node((k, with_paths(x, file, "%s.%s" % (where, k) if where else k)) for k, x in v.items())
        n.file, n.where = file, where
        return n
    if isinstance(v, list):
        return [with_paths(x, file, "%s.%d" % (where, i)) for i, x in enumerate(v)]
    return v


def load_run(path):
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
    except OSError as e:
        raise InputError("%s: %s" % (path, e.strerror))
    except (ValueError, UnicodeDecodeError):
        raise InputError("%s: not a tcesim report (not JSON)" % path)
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError("%s: not a tcesim report (no \"schema\": \"%s\")" % (path, SCHEMA))
    for k in ("run", "translation", "dma"):
        if not isinstance(doc.get(k), dict):
            raise InputError("%s: not a tcesim report (no \"%s\" object)" % (path, k))
    return with_paths(doc, path)


def run_page(path, d):
    tr, dma, alloc = d["translation"], d["dma"], d.get("allocator") or {}
    run = d["run"]
    tlat = tr.get("latency_ns") or {}
    dlat = dma.get("latency_ns") or {}
    faults = tr.get("faults", 0) or 0
    failures = alloc.get("failures", 0) or 0
    lost = dma.get("lost_bytes", 0) or 0
    workload = run.get("trace") or "built-in workload (%s)" % get(d, "config.workload.pattern", "?")
    sub = "%s &middot; trace: %s &middot; seed %s &middot; %s TLPs" % (
        esc(os.path.basename(path)), esc(workload), esc(run.get("seed", "?")), esc(fmt_num(run.get("tlps"))))
    body = []

    body.append("<h2>Headline</h2>")
    body.append(cards([
        ("TCE cache hit rate", fmt_pct(tr.get("hit_rate")), False),
        ("translation p50", fmt_ns(tlat.get("p50")), False),
        ("translation p99", fmt_ns(tlat.get("p99")), False),
        ("translation p99.9", fmt_ns(tlat.get("p999")), False),
        ("DMA throughput", "%.2f Gb/s" % float(dma.get("throughput_gbps", 0) or 0), False),
        ("DMA latency p99", fmt_ns(dlat.get("p99")), False),
        ("translation faults", fmt_num(faults), faults > 0),
        ("alloc failures", fmt_num(failures), failures > 0),
        ("DMA bytes lost", fmt_num(lost), lost > 0),
        ("simulated time", fmt_ns(run.get("simulated_ns")), False),
        ("lookups", fmt_num(tr.get("lookups")), False),
    ]))
    # dma.hidden_by: a link direction or the memory channel that set the pace
    for n in dma.get("hidden_by") or []:
        body.append('<p class="bound"><b>Translation hidden:</b> %s</p>' % esc(n))

    cfg = d.get("config")
    if isinstance(cfg, dict):
        body.append("<details><summary>Configuration (resolved, %d keys)</summary>%s"
                    "<details><summary>as JSON</summary><pre>%s</pre></details></details>"
                    % (len(flatten(cfg)), panel(kv_table(flatten(cfg))), esc(json.dumps(cfg, indent=2))))

    body.append("<h2>Latency</h2>")
    body.append('<div class="grid2">%s%s</div>' % (
        panel(latency_plot("Translation latency", tlat, tr.get("latency_histogram"))),
        panel(latency_plot("DMA latency", dlat, dma.get("latency_histogram")))))
    rows = [["translation", *lat_cells(tlat)], ["DMA (issue to completion)", *lat_cells(dlat)]]
    body.append(panel("<h3>Percentiles (ns)</h3>", table(["", *[STAT_LABELS[k] for k in STATS]], rows, left=(0,))))

    bd = dma.get("breakdown")
    if isinstance(bd, dict):
        body.append("<h2>DMA latency breakdown</h2>")
        bars = [("all devices", bd)]
        devs = [x for x in d.get("devices") or [] if isinstance(x.get("breakdown"), dict) and
                ((x.get("reads") or 0) + (x.get("writes") or 0)) > 0]
        if len(devs) > 1:
            bars += [("dev%s %s" % (x.get("id"), x.get("rid", "")), x["breakdown"]) for x in devs[:12]]
        rows = [[p.replace("_", " "), *lat_cells(bd.get(p) or {})] for p in PARTS if p in bd]
        body.append(panel(breakdown_plot(bars),
                          "<h3>Parts, percentiles (ns)</h3>",
                          table(["part", *[STAT_LABELS[k] for k in STATS]], rows, left=(0,)),
                          note("Each part's percentiles are over that part alone; they do not add up.")))

    body.append("<h2>Contention over time</h2>")
    ep = d.get("epochs")
    if isinstance(ep, dict):
        body.append(panel(epochs_plot(ep)))
    else:
        body.append(panel(note("Not recorded: run with <code>--epoch NS</code> "
                               "(e.g. <code>tcesim run ... --epoch 10000 --json FILE</code>).")))

    pes = d.get("pes") or []
    if pes:
        body.append("<h2>PEs</h2>")
        rows = [[p.get("pe"), fmt_num(p.get("devices")), fmt_bytes(p.get("page_size")), fmt_num(p.get("levels")),
                 fmt_bytes(p.get("window_bytes")), fmt_num(p.get("pools")), fmt_num(p.get("bypass")),
                 fmt_num(p.get("lookups")), fmt_pct(p.get("hit_rate")) if p.get("lookups") else "–",
                 fmt_num(p.get("bypass_tlps")), fmt_num(p.get("faults")), fmt_num(p.get("dropped")),
                 fmt_num(p.get("freezes")), fmt_num(get(p, "dma_latency_ns.p50")),
                 fmt_num(get(p, "dma_latency_ns.p99"))] for p in pes]
        body.append(panel(table(["PE", "device ids", "TCE page", "levels", "window", "pools", "bypass",
                                 "lookups", "hit rate", "bypass TLPs", "faults", "dropped", "freezes",
                                 "DMA p50 (ns)", "DMA p99 (ns)"], rows,
                                hot=lambda i: (pes[i].get("faults") or 0) > 0 or (pes[i].get("dropped") or 0) > 0)))

    devs = d.get("devices") or []
    if devs:
        body.append("<h2>Devices</h2>")
        rows = [[x.get("id"), x.get("rid", ""), x.get("pe"), x.get("dma_path", ""), fmt_num(x.get("dma_mask_bits")),
                 fmt_num(x.get("reads")), fmt_num(x.get("writes")), fmt_num(x.get("bytes")),
                 fmt_num(x.get("faulted")), fmt_num(x.get("dropped")), fmt_num(x.get("tag_waits")),
                 fmt_num(get(x, "latency_ns.p50")), fmt_num(get(x, "latency_ns.p99"))] for x in devs]
        body.append(panel(table(["id", "RID", "PE", "path", "mask bits", "reads", "writes", "bytes", "faulted",
                                 "dropped", "tag waits", "p50 (ns)", "p99 (ns)"], rows, left=(1, 3))))

    all_pools = alloc.get("pools") or []
    pools = [p for p in all_pools if p.get("acquisitions")]
    body.append("<h2>IOVA pools (allocator lock contention)</h2>")
    lock_note = "Lock: %s, cache: %s, invalidate: %s." % (
        esc(alloc.get("lock", "?")), esc(alloc.get("cache", "?")), esc(alloc.get("invalidate", "?")))
    idle = len(all_pools) - len(pools)
    if idle:
        lock_note += " %d pool%s never acquired, not listed." % (idle, "" if idle == 1 else "s")
    if pools:
        rows = [[p.get("pe", ""), p.get("id"), p.get("kind", ""), fmt_num(p.get("acquisitions")),
                 fmt_num(p.get("contended")), fmt_pct(p.get("contended", 0) / p["acquisitions"]),
                 fmt_num(get(p, "wait_ns.mean")), fmt_num(get(p, "wait_ns.p99")), fmt_num(get(p, "wait_ns.max")),
                 fmt_num(get(p, "hold_ns.mean")), fmt_num(p.get("allocs")), fmt_num(p.get("fallbacks_in"))]
                for p in pools]
        body.append(panel(pools_plot(pools),
                          table(["PE", "pool", "kind", "acquisitions", "contended", "contended %", "wait mean (ns)",
                                 "wait p99 (ns)", "wait max (ns)", "hold mean (ns)", "allocs", "fallbacks in"],
                                rows, left=(2,),
                                hot=lambda i: pools[i].get("contended", 0) / pools[i]["acquisitions"] > 0.1),
                          note(("Highlighted: more than 10%% of acquisitions contended. " if any(
                              p.get("contended", 0) / p["acquisitions"] > 0.1 for p in pools) else "") + lock_note)))
    else:
        body.append(panel(note("No pool was acquired in this run. " + lock_note)))

    all_cpus = d.get("cpus") or []
    cpus = [c for c in all_cpus if c.get("ops")]
    if all_cpus:
        body.append("<h2>CPUs</h2>")
        rows = []
        for c in cpus:
            busy = float(c.get("busy_ns", 0) or 0)
            lw = float(c.get("lock_wait_ns", 0) or 0)
            rows.append([c.get("cpu"), fmt_num(c.get("ops")), fmt_ns(busy), fmt_ns(lw),
                         fmt_pct(lw / busy) if busy else "–", fmt_ns(c.get("kill_ns", 0))])
        idle = len(all_cpus) - len(cpus)
        body.append(panel(table(["CPU", "ops", "busy", "lock wait", "lock wait / busy", "TCE kill"], rows),
                          note("%d CPU%s ran no host op, not listed." % (idle, "" if idle == 1 else "s"))
                          if idle else ""))

    groups = d.get("groups") or []
    if groups:
        body.append("<h2>IOMMU groups</h2>")
        rows = [[g.get("id"), g.get("name", ""), g.get("pe"), fmt_num(g.get("devices"))] for g in groups]
        body.append(panel(table(["id", "name", "PE", "device ids"], rows, left=(1,))))

    body.append("<h2>All counters</h2>")
    boxes = []
    for name, obj, skip in (("translation", tr, ("latency_ns", "latency_histogram")),
                            ("dma", dma, ("latency_ns", "latency_histogram", "breakdown")),
                            ("allocator", alloc, ("pools",)), ("memory", d.get("memory") or {}, ()),
                            ("run", run, ())):
        pairs = [(k, v) for k, v in flatten({k: v for k, v in obj.items() if k not in skip})]
        if pairs:
            boxes.append(panel("<h3>%s</h3>" % esc(name), kv_table(pairs)))
    body.append('<details open><summary>Counters by section</summary><div class="grid3">%s</div></details>'
                % "".join(boxes))
    return page("tcesim run report", sub, "\n".join(body))


# ---- a sweep ----

def load_sweep(dirpath):
    csv_path = os.path.join(dirpath, "results.csv")
    if not os.path.isfile(csv_path):
        raise InputError("%s: not a tcesim sweep (no results.csv)" % dirpath)
    try:
        with open(csv_path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise InputError("%s: %s" % (csv_path, e.strerror))
    except (UnicodeDecodeError, csv.Error):
        raise InputError("%s: not a tcesim sweep results file" % csv_path)
    rows = [r for r in rows if r and any(c.strip() for c in r)]
    if not rows or "hit_rate" not in rows[0]:
        raise InputError("%s: not a tcesim sweep results file (no hit_rate column)" % csv_path)
    header = [h.strip() for h in rows[0]]
    data = rows[1:]
    if not data:
        raise InputError("%s: no result rows" % csv_path)
    for n, r in enumerate(data, 2):
        if len(r) != len(header):
            raise InputError("%s:%d: %d fields, the header has %d" % (csv_path, n, len(r), len(header)))
    manifest = None
    mpath = os.path.join(dirpath, "sweep.json")
    if os.path.isfile(mpath):
        try:
            with open(mpath, encoding="utf-8") as f:
                manifest = json.load(f)
        except (OSError, ValueError):
            raise InputError("%s: not JSON" % mpath)
    # The varied keys are the columns before hit_rate (docs/interface.md); the
    # manifest is shown, not trusted for the layout.
    keys = header[:header.index("hit_rate")]
    metrics = [h for h in header if h not in keys and not h.endswith("_ci95") and h not in BOOKKEEPING]
    return header, data, keys, metrics, manifest


def sweep_plot(metric, key, keys, header, data):
    """metric against key, one line per combination of the other keys' values."""
    ki = header.index(key)
    mi = header.index(metric)
    ci = header.index(metric + "_ci95") if metric + "_ci95" in header else None
    others = [k for k in keys if k != key]
    oi = [header.index(k) for k in others]
    xvals = []
    for r in data:
        if r[ki] not in xvals:
            xvals.append(r[ki])
    numeric = all(parse_value(v) is not None for v in xvals)
    if numeric:
        xvals.sort(key=parse_value)
    pos = {v: (parse_value(v) if numeric else i) for i, v in enumerate(xvals)}
    lines = {}
    for r in data:
        y = parse_value(r[mi])
        if y is None:
            continue
        e = parse_value(r[ci]) if ci is not None else None
        lines.setdefault(tuple(r[i] for i in oi), {}).setdefault(r[ki], []).append((y, e))
    fig, ax = plt.subplots(figsize=(5.4, 3.3))
    if not lines:
        plt.close(fig)
        return note("%s: no values." % esc(metric))
    for label, pts in sorted(lines.items(), key=lambda kv: [parse_value(v) if parse_value(v) is not None else 0
                                                             for v in kv[0]] + list(kv[0])):
        xs = [v for v in xvals if v in pts]
        # Repeated points (same keys) are averaged.
        ys = [sum(y for y, _ in pts[v]) / len(pts[v]) for v in xs]
        es = [max((e or 0.0) for _, e in pts[v]) for v in xs]
        name = ", ".join("%s=%s" % (k.split(".")[-1], v) for k, v in zip(others, label)) or None
        if ci is not None and any(es):
            ax.errorbar([pos[v] for v in xs], ys, yerr=es, marker="o", markersize=4, capsize=3, label=name)
        else:
            ax.plot([pos[v] for v in xs], ys, marker="o", markersize=4, label=name)
    if numeric:
        p = [pos[v] for v in xvals]
        if min(p) > 0 and max(p) / min(p) >= 16:
            ax.set_xscale("log")
            ax.minorticks_off()
        if len(xvals) <= 12:
            ax.set_xticks(p)
            ax.set_xticklabels(xvals, rotation=45 if len(xvals) > 6 else 0)
    else:
        ax.set_xticks(list(range(len(xvals))))
        ax.set_xticklabels(xvals, rotation=45 if len(xvals) > 6 else 0)
    if metric == "hit_rate":
        ax.set_ylim(-0.02, 1.02)
    else:
        ax.set_ylim(bottom=0)
    ax.set_xlabel(key)
    ax.set_ylabel(METRICS.get(metric, metric))
    ax.set_title("%s vs %s" % (METRICS.get(metric, metric), key.split(".")[-1]))
    if len(lines) > 1:
        ax.legend(loc="best", title=", ".join(k.split(".")[-1] for k in others), fontsize=8, title_fontsize=8,
                  ncol=2 if len(lines) > 5 else 1)
    return png(fig, "%s vs %s" % (metric, key))


def sweep_page(dirpath, header, data, keys, metrics, manifest):
    values = {k: [] for k in keys}
    for r in data:
        for k in keys:
            v = r[header.index(k)]
            if v not in values[k]:
                values[k].append(v)
    for k in keys:
        if all(parse_value(v) is not None for v in values[k]):
            values[k].sort(key=parse_value)
    definition = manifest.get("definition") if isinstance(manifest, dict) else None
    sets = definition.get("sets") if isinstance(definition, dict) else None
    sub = "%s &middot; %d rows &middot; varied: %s" % (
        esc(os.path.basename(os.path.normpath(dirpath))), len(data),
        esc("; ".join("%s = %s" % (k, ", ".join(v)) for k, v in values.items())) or "nothing")
    if sets:
        sub += " &middot; fixed: %s" % esc(", ".join(str(x) for x in sets))
    body = ["<h2>Sweep</h2>"]
    items = [("rows", fmt_num(len(data)), False)]
    items += [(k, "%d values" % len(v), False) for k, v in values.items()]
    for m in ("hit_rate", "dma_throughput_gbps", "translation_p99_ns"):
        if m in header:
            ys = [parse_value(r[header.index(m)]) for r in data]
            ys = [y for y in ys if y is not None]
            if ys:
                f = fmt_pct if m == "hit_rate" else ((lambda v: "%.2f Gb/s" % v) if m.endswith("gbps") else fmt_ns)
                items.append(("%s range" % METRICS[m].split(" (")[0], "%s – %s" % (f(min(ys)), f(max(ys))), False))
    body.append(cards(items))
    if isinstance(manifest, dict):
        shown = {k: v for k, v in manifest.items() if k != "points"}
        npoints = len(manifest.get("points") or [])
        body.append("<details><summary>Manifest (sweep.json%s)</summary><pre>%s</pre></details>"
                    % (", %d point reports" % npoints if npoints else "", esc(json.dumps(shown, indent=2))))
    # A metric equal at every point makes a flat line: said in one sentence.
    flat, plotted = [], []
    for m in metrics:
        ys = {parse_value(r[header.index(m)]) for r in data} - {None}
        (flat if len(ys) <= 1 else plotted).append((m, ys))
    plot_keys = [k for k in keys if len(values[k]) > 1]
    if not plot_keys:
        body.append(panel(note("No key takes more than one value (the columns before hit_rate in "
                               "results.csv): nothing to plot against.")))
    for key in plot_keys:
        body.append("<h2>Metrics against %s</h2>" % esc(key))
        body.append('<div class="grid2">%s</div>' % "".join(
            panel(sweep_plot(m, key, keys, header, data)) for m, _ in plotted))
    if flat:
        body.append(panel(note("The same at every point, not plotted: %s." % esc(", ".join(
            "%s = %s" % (m, fmt_num(next(iter(ys))) if ys else "–") for m, ys in flat)))))
    body.append("<h2>Results</h2>")
    cols = [h for h in header if not (h.endswith("_ci95") and h[:-5] in header)]
    rows = []
    for r in data:
        row = []
        for h in cols:
            c = r[header.index(h)]
            if h in keys or parse_value(c) is None:
                row.append(c)
                continue
            cell = fmt_num(parse_value(c))
            ci = r[header.index(h + "_ci95")] if h + "_ci95" in header else ""
            if parse_value(ci):
                cell += " ± " + fmt_num(parse_value(ci))
            row.append(cell)
        rows.append(row)
    has_ci = any(h.endswith("_ci95") for h in header)
    body.append(panel(table(cols, rows, left=tuple(range(len(keys)))),
                      note("± is the 95% confidence interval over the seeds." if has_ci else "")))
    return page("tcesim sweep report", sub, "\n".join(body))


# ---- two runs side by side ----

COLOR_A, COLOR_B = "#4c72b0", "#dd8452"
# A difference is significant (highlighted) when it is at least this share of
# A's value, or when one of the two values is zero and the other is not.
SIGNIFICANT = 0.05


# better for a latency summary: lower is better, but 0 means no sample (a
# PE or device that moved no data), which is neither better nor worse.
LAT = -2


def worst_pool_wait_p99(d):
    vals = [float(get(p, "wait_ns.p99", 0) or 0) for p in get(d, "allocator.pools") or [] if isinstance(p, dict)]
    return max(vals) if vals else None


# The headline rows: (JSON path or function of the report, label, kind, better);
# kind picks the format ("pct": a ratio shown as %, its difference in
# percentage points; "ns"; "gbps"; "num"); better: +1 when higher is better,
# -1 when lower is, LAT for a latency summary, 0 when neither (the colour of a
# significant difference). Each path is a report schema field (`tcesim report
# --fields`, docs/report-fields.md) and its kind agrees with the field's unit:
# tests/unit/test_report_schema.cpp holds both.
HEADLINE = [
    ("translation.hit_rate", "TCE cache hit rate", "pct", +1),
    ("translation.lookups", "translation lookups", "num", 0),
    ("translation.misses", "TCE cache misses", "num", -1),
    ("translation.latency_ns.mean", "translation mean", "ns", LAT),
    ("translation.latency_ns.p50", "translation p50", "ns", LAT),
    ("translation.latency_ns.p99", "translation p99", "ns", LAT),
    ("translation.latency_ns.p999", "translation p99.9", "ns", LAT),
    ("dma.throughput_gbps", "DMA throughput", "gbps", +1),
    ("dma.latency_ns.mean", "DMA latency mean", "ns", LAT),
    ("dma.latency_ns.p50", "DMA latency p50", "ns", LAT),
    ("dma.latency_ns.p99", "DMA latency p99", "ns", LAT),
    ("dma.latency_ns.p999", "DMA latency p99.9", "ns", LAT),
    ("translation.fetch_slot_wait_ns", "TCE fetch slot wait (total)", "ns", -1),
    (worst_pool_wait_p99, "pool lock wait p99 (worst pool)", "ns", -1),
    ("translation.faults", "translation faults", "num", -1),
    ("allocator.failures", "allocation failures", "num", -1),
    ("dma.lost_bytes", "DMA bytes lost", "num", -1),
    ("run.simulated_ns", "simulated time", "ns", 0),
    ("run.tlps", "TLPs", "num", 0),
]


def number(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fmt_kind(v, kind):
    if v is None:
        return "–"
    if kind == "pct":
        return fmt_pct(v)
    if kind == "ns":
        return fmt_ns(v)
    if kind == "gbps":
        return "%.2f Gb/s" % v
    return fmt_num(v)


def fmt_delta(a, b, kind):
    """B - A with its sign, in the metric's unit (percentage points for a ratio)."""
    d = b - a
    sign = "+" if d > 0 else ("−" if d < 0 else "±")
    if kind == "pct":
        return "%s%.2f pp" % (sign, abs(100.0 * d))
    if kind == "ns":
        return sign + fmt_ns(abs(d))
    if kind == "gbps":
        return "%s%.2f Gb/s" % (sign, abs(d))
    return sign + fmt_num(abs(d) if not float(d).is_integer() else int(abs(d)))


def fmt_rel(a, b):
    if a == b:
        return "="
    if a == 0:
        return "new (A is 0)"
    r = abs(100.0 * (b - a) / a)
    return ("+" if b > a else "−") + ("%.1f%%" % r if r >= 0.1 else "%.2g%%" % r)


def significant(a, b):
    if a is None or b is None or a == b:
        return False
    if a == 0 or b == 0:
        return True
    return abs(b - a) / abs(a) >= SIGNIFICANT


def delta_class(a, b, better):
    """'' (not significant), 'good', 'worse' or 'chg' (neither better nor worse)."""
    if not significant(a, b):
        return ""
    if better == LAT and (a == 0 or b == 0):
        return "chg"
    better = max(-1, min(1, better))
    if better == 0:
        return "chg"
    return "good" if (b - a) * better > 0 else "worse"


def metric_value(d, spec):
    return number(spec(d) if callable(spec) else get(d, spec))


def headline_table(da, db):
    out = ['<table class="cmp"><thead><tr><th class="l">metric</th><th>%s</th><th>%s</th>'
           '<th>B − A</th><th>relative</th></tr></thead><tbody>' % (TAG_A, TAG_B)]
    nsig = 0
    for spec, label, kind, better in HEADLINE:
        a, b = metric_value(da, spec), metric_value(db, spec)
        cls = delta_class(a, b, better) if a is not None and b is not None else ""
        nsig += bool(cls)
        if a is None or b is None:
            dcell, rcell = "–", "–"
        else:
            dcell, rcell = fmt_delta(a, b, kind), fmt_rel(a, b)
        out.append('<tr%s><td class="l">%s</td><td>%s</td><td>%s</td><td class="%s">%s</td><td class="%s">%s</td></tr>'
                   % (' class="sig"' if cls else "", esc(label), esc(fmt_kind(a, kind)), esc(fmt_kind(b, kind)),
                      cls, esc(dcell), cls, esc(rcell)))
    out.append("</tbody></table>")
    return "".join(out), nsig


TAG_A = '<span class="tag a">A</span>'
TAG_B = '<span class="tag b">B</span>'


def cfg_text(v):
    if v is None:
        return "(absent)"
    if isinstance(v, str):
        return v
    return json.dumps(v)


def config_diff(da, db):
    """[(key, A's value, B's value)] for the configuration keys that differ."""
    fa = dict(flatten(da.get("config") or {}))
    fb = dict(flatten(db.get("config") or {}))
    keys = list(fa) + [k for k in fb if k not in fa]
    return [(k, fa.get(k), fb.get(k)) for k in keys if fa.get(k) != fb.get(k) or (k in fa) != (k in fb)]


def runs_table(pa, pb, da, db):
    ra, rb = da["run"], db["run"]
    rows = [("report", pa, pb),
            ("trace", ra.get("trace") or "built-in workload", rb.get("trace") or "built-in workload"),
            ("tcesim version", ra.get("version") or "(not recorded)", rb.get("version") or "(not recorded)"),
            ("seed", fmt_num(ra.get("seed")), fmt_num(rb.get("seed"))),
            ("PHB model", get(da, "config.phb.model", "?"), get(db, "config.phb.model", "?")),
            ("kernel era", get(da, "config.host.kernel", "?"), get(db, "config.host.kernel", "?")),
            ("trace events", fmt_num(ra.get("events")), fmt_num(rb.get("events")))]
    out = ['<table class="cmp"><thead><tr><th class="l"></th><th class="l">%s</th><th class="l">%s</th></tr>'
           '</thead><tbody>' % (TAG_A, TAG_B)]
    for k, a, b in rows:
        out.append('<tr%s><td class="l">%s</td><td class="l">%s</td><td class="l">%s</td></tr>'
                   % (' class="sig"' if k != "report" and a != b else "", esc(k), esc(a), esc(b)))
    out.append("</tbody></table>")
    return "".join(out)


def hist_points(hist):
    return [(float(e), float(c)) for e, c in hist or [] if c > 0]


def overlay_latency_plot(title, la, ha, lb, hb):
    """Both runs' latency histograms on the same log-spaced bins, A and B
    overlaid, their p50 and p99 marked; percentiles side by side when a report
    has no histogram."""
    pa, pb = hist_points(ha), hist_points(hb)
    if ha and hb and (pa or pb):
        edges = [e for e, _ in pa + pb]
        positive = [e for e in edges if e > 0]
        lo = min(positive) if positive else 1.0
        hi = max(max(edges), float(la.get("max", 0) or 0), float(lb.get("max", 0) or 0), lo * 1.01)
        step = max(1.0 + 1.0 / lo if lo < 100 else 1.0, 1.0101, (hi * 1.0001 / lo) ** (1.0 / 60))
        nb = max(1, int(math.ceil(math.log(hi * 1.0001 / lo) / math.log(step))))
        bins = [lo * step ** i for i in range(nb + 1)]
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        top = 1.0
        for name, pts, lat, color in (("A", pa, la, COLOR_A), ("B", pb, lb, COLOR_B)):
            if not pts:
                continue
            xs = [max(e, lo) for e, _ in pts]
            ws = [c for _, c in pts]
            # B's outline is dashed and thinner, so that where the two runs
            # coincide A's shows through.
            n, _, _ = ax.hist(xs, bins=bins, weights=ws, histtype="stepfilled", color=color, alpha=0.25)
            ax.hist(xs, bins=bins, weights=ws, histtype="step", color=color, label=name,
                    linewidth=2.2 if name == "A" else 1.3, linestyle="-" if name == "A" else (0, (4, 2)))
            top = max(top, max(n))
            for k, style in (("p50", ":"), ("p99", "--")):
                if lat.get(k):
                    ax.axvline(lat[k], color=color, linestyle=style, linewidth=2.0 if name == "A" else 1.2,
                               label="%s %s %s" % (name, STAT_LABELS[k], fmt_ns(lat[k])))
        ax.set_xscale("log")
        ax.set_yscale("log")
        log_axis_labels(ax.xaxis, hi / lo)
        ax.set_ylim(0.7, top * 60)
        ax.set_ylabel("samples")
        ax.set_xlabel("latency (ns, log scale)")
        ax.legend(loc="upper right", frameon=True, framealpha=0.9, edgecolor="#ccc", ncol=2, fontsize=8)
        ax.set_title(title + " — A and B")
        return png(fig, title + " A and B")
    va = [number(la.get(k)) or 0.0 for k in STATS]
    vb = [number(lb.get(k)) or 0.0 for k in STATS]
    if max(va + vb) <= 0:
        return note("%s: no samples in either run." % esc(title))
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    y = list(range(len(STATS)))[::-1]
    ax.barh([i + 0.2 for i in y], [max(v, 0.1) for v in va], height=0.4, color=COLOR_A, label="A")
    ax.barh([i - 0.2 for i in y], [max(v, 0.1) for v in vb], height=0.4, color=COLOR_B, label="B")
    ax.set_yticks(y)
    ax.set_yticklabels([STAT_LABELS[k] for k in STATS])
    ax.set_xscale("log")
    ax.set_xlabel("latency (ns, log scale)")
    ax.legend(loc="lower right")
    ax.set_title(title + " — percentiles, A and B")
    return png(fig, title + " A and B") + note("A report has no histogram (an older tcesim): percentiles shown.")


def epochs_overlay_plot(ea, eb):
    fig, axes = plt.subplots(2, 1, figsize=(10, 4.4), sharex=True)
    tmax = 0.0
    for ep in (ea, eb):
        for s in ep.get("series") or []:
            tmax = max(tmax, float(s.get("t_ns", 0) or 0))
    scale, unit = (1e6, "ms") if tmax >= 1e6 else ((1e3, "µs") if tmax >= 1e3 else (1, "ns"))
    for name, ep, color in (("A", ea, COLOR_A), ("B", eb, COLOR_B)):
        series = ep.get("series") or []
        x = [float(s.get("t_ns", 0)) / scale for s in series]
        hr = [100.0 * float(s["hit_rate"]) if s.get("hit_rate") is not None else float("nan") for s in series]
        style = dict(color=color, linewidth=2.2 if name == "A" else 1.3, linestyle="-" if name == "A" else (0, (4, 2)))
        axes[0].plot(x, hr, label="%s (epoch %s)" % (name, fmt_ns(ep.get("ns"))), **style)
        axes[1].plot(x, [float(s.get("throughput_gbps", 0) or 0) for s in series], label=name, **style)
    axes[0].set_ylabel("hit rate (%)")
    axes[0].set_ylim(bottom=0, top=105)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[1].set_ylabel("DMA (Gb/s)")
    axes[1].set_ylim(bottom=0)
    axes[1].set_xlabel("simulated time (%s)" % unit)
    axes[0].set_title("Over time, per epoch — A and B")
    fig.tight_layout()
    return png(fig, "epochs A and B")


def side_table(key_cols, rows_a, rows_b, cols):
    """A table of the entities (PEs, devices, pools) of both runs, matched by
    key: key_cols names the key columns; rows_a/rows_b map a key to
    (key cells, item); cols are (label, value(item), kind, better). Each
    metric gets an A and a B column; B is highlighted when it differs
    significantly from A."""
    keys = list(rows_a) + [k for k in rows_b if k not in rows_a]
    out = ["<table class=\"cmp side\"><thead><tr>"]
    out += ['<th class="l" rowspan="2">%s</th>' % th_text(h) for h in key_cols]
    out += ['<th colspan="2" class="grp">%s</th>' % th_text(c[0]) for c in cols]
    out.append("</tr><tr>")
    out += ["<th>%s</th><th>%s</th>" % (TAG_A, TAG_B) for _ in cols]
    out.append("</tr></thead><tbody>")
    for k in keys:
        cells, ia = rows_a.get(k, (None, None))
        cells_b, ib = rows_b.get(k, (None, None))
        cells = cells or cells_b
        out.append("<tr>")
        out += ['<td class="l">%s</td>' % esc(c) for c in cells]
        for _, fn, kind, better in cols:
            a = number(fn(ia)) if ia is not None else None
            b = number(fn(ib)) if ib is not None else None
            cls = delta_class(a, b, better)
            out.append('<td class="ga">%s</td><td class="%s">%s</td>'
                       % (esc(fmt_kind(a, kind) if ia is not None else "(none)"), cls,
                          esc(fmt_kind(b, kind) if ib is not None else "(none)")))
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def share(n, d):
    n, d = number(n), number(d)
    return n / d if n is not None and d else None


PE_COLS = [("lookups", lambda p: p.get("lookups"), "num", 0),
           ("hit rate", lambda p: p.get("hit_rate") if p.get("lookups") else None, "pct", +1),
           ("bypass TLPs", lambda p: p.get("bypass_tlps"), "num", 0),
           ("faults", lambda p: p.get("faults"), "num", -1),
           ("dropped", lambda p: p.get("dropped"), "num", -1),
           ("DMA p50", lambda p: get(p, "dma_latency_ns.p50"), "ns", LAT),
           ("DMA p99", lambda p: get(p, "dma_latency_ns.p99"), "ns", LAT)]
DEVICE_COLS = [("reads", lambda x: x.get("reads"), "num", 0),
               ("writes", lambda x: x.get("writes"), "num", 0),
               ("bytes", lambda x: x.get("bytes"), "num", +1),
               ("faulted", lambda x: x.get("faulted"), "num", -1),
               ("dropped", lambda x: x.get("dropped"), "num", -1),
               ("tag waits", lambda x: x.get("tag_waits"), "num", -1),
               ("p50", lambda x: get(x, "latency_ns.p50"), "ns", LAT),
               ("p99", lambda x: get(x, "latency_ns.p99"), "ns", LAT)]
POOL_COLS = [("acquisitions", lambda p: p.get("acquisitions"), "num", 0),
             ("contended", lambda p: share(p.get("contended"), p.get("acquisitions")), "pct", -1),
             ("wait mean", lambda p: get(p, "wait_ns.mean"), "ns", -1),
             ("wait p99", lambda p: get(p, "wait_ns.p99"), "ns", -1),
             ("hold mean", lambda p: get(p, "hold_ns.mean"), "ns", -1),
             ("allocs", lambda p: p.get("allocs"), "num", 0)]
CPU_COLS = [("ops", lambda c: c.get("ops"), "num", 0),
            ("busy", lambda c: c.get("busy_ns"), "ns", -1),
            ("lock wait", lambda c: c.get("lock_wait_ns"), "ns", -1),
            ("TCE kill", lambda c: c.get("kill_ns"), "ns", -1)]


def keyed(items, key, cells, keep=lambda x: True):
    return {key(x): (cells(x), x) for x in items or [] if isinstance(x, dict) and keep(x)}


def counters_diff(da, db):
    """Every scalar counter of the two reports that differs (wall* aside)."""
    def scalars(d):
        out = {}
        for name, skip in (("run", ()), ("translation", ("latency_histogram",)),
                           ("dma", ("latency_histogram",)), ("allocator", ("pools",)), ("memory", ())):
            obj = d.get(name) or {}
            if isinstance(obj, dict):
                for k, v in flatten({k: v for k, v in obj.items() if k not in skip}, name + "."):
                    if "wall" not in k and number(v) is not None:
                        out[k] = number(v)
        return out
    sa, sb = scalars(da), scalars(db)
    keys = list(sa) + [k for k in sb if k not in sa]
    return [(k, sa.get(k), sb.get(k)) for k in keys if sa.get(k) != sb.get(k)]


def compare_page(pa, da, pb, db):
    sub = "%s %s &nbsp;vs&nbsp; %s %s" % (TAG_A, esc(pa), TAG_B, esc(pb))
    body = []
    diff = config_diff(da, db)
    head, nsig = headline_table(da, db)
    body.append("<h2>Runs</h2>")
    body.append(panel(runs_table(pa, pb, da, db)))

    body.append("<h2>Headline metrics</h2>")
    body.append(panel(head, note(
        "%d of %d headline metrics differ by %d%% or more (highlighted; green: B is better, red: B is worse, "
        "blue: a change that is neither, or a latency from or to 0, i.e. no sample). Relative = (B − A) / A; a ratio's difference is in percentage points (pp)."
        % (nsig, len(HEADLINE), round(100 * SIGNIFICANT)))))

    body.append("<h2>Configuration differences</h2>")
    if diff:
        rows = "".join('<tr><td class="l"><code>%s</code></td><td class="l">%s</td><td class="l">%s</td></tr>'
                       % (esc(k), esc(cfg_text(a)), esc(cfg_text(b))) for k, a, b in diff)
        body.append(panel('<table class="cmp"><thead><tr><th class="l">key</th><th class="l">%s</th>'
                          '<th class="l">%s</th></tr></thead><tbody>%s</tbody></table>' % (TAG_A, TAG_B, rows),
                          note("%d key%s of the resolved configuration differ%s; every other key is the same."
                               % (len(diff), "" if len(diff) == 1 else "s", "s" if len(diff) == 1 else ""))))
    else:
        body.append(panel(note("The resolved configurations are the same: no key differs.")))

    ta, tb = da["translation"], db["translation"]
    ma, mb = da["dma"], db["dma"]
    body.append("<h2>Latency</h2>")
    body.append('<div class="grid2">%s%s</div>' % (
        panel(overlay_latency_plot("Translation latency", ta.get("latency_ns") or {}, ta.get("latency_histogram"),
                                   tb.get("latency_ns") or {}, tb.get("latency_histogram"))),
        panel(overlay_latency_plot("DMA latency", ma.get("latency_ns") or {}, ma.get("latency_histogram"),
                                   mb.get("latency_ns") or {}, mb.get("latency_histogram")))))
    rows = []
    for name, la, lb in (("translation", ta.get("latency_ns") or {}, tb.get("latency_ns") or {}),
                         ("DMA", ma.get("latency_ns") or {}, mb.get("latency_ns") or {})):
        rows.append((name, la, lb))
    body.append(panel("<h3>Percentiles</h3>", side_table(
        ["latency"], {n: ([n], la) for n, la, _ in rows}, {n: ([n], lb) for n, _, lb in rows},
        [(STAT_LABELS[k], (lambda kk: lambda lat: lat.get(kk))(k), "ns", LAT) for k in STATS])))

    ba, bb = ma.get("breakdown"), mb.get("breakdown")
    if isinstance(ba, dict) and isinstance(bb, dict):
        body.append("<h2>DMA latency breakdown</h2>")
        body.append(panel(breakdown_plot([("A", ba), ("B", bb)]),
                          "<h3>Parts (ns)</h3>",
                          side_table(["part"], {p: ([p.replace("_", " ")], ba.get(p) or {}) for p in PARTS},
                                     {p: ([p.replace("_", " ")], bb.get(p) or {}) for p in PARTS},
                                     [("mean", lambda s: s.get("mean"), "ns", -1),
                                      ("p50", lambda s: s.get("p50"), "ns", -1),
                                      ("p99", lambda s: s.get("p99"), "ns", -1)]),
                          note("Each part's percentiles are over that part alone; they do not add up.")))

    ea, eb = da.get("epochs"), db.get("epochs")
    if isinstance(ea, dict) and isinstance(eb, dict):
        body.append("<h2>Over time</h2>")
        body.append(panel(epochs_overlay_plot(ea, eb)))

    pe_key = lambda p: p.get("pe")
    if da.get("pes") or db.get("pes"):
        body.append("<h2>PEs</h2>")
        body.append(panel(side_table(["PE"], keyed(da.get("pes"), pe_key, lambda p: [p.get("pe")]),
                                     keyed(db.get("pes"), pe_key, lambda p: [p.get("pe")]), PE_COLS)))
    if da.get("devices") or db.get("devices"):
        body.append("<h2>Devices</h2>")
        dev_cells = lambda x: [x.get("id"), x.get("rid", ""), x.get("pe")]
        body.append(panel(side_table(["id", "RID", "PE"], keyed(da.get("devices"), lambda x: x.get("id"), dev_cells),
                                     keyed(db.get("devices"), lambda x: x.get("id"), dev_cells), DEVICE_COLS)))
    pool_key = lambda p: (p.get("pe"), p.get("id"), p.get("kind"))
    pool_cells = lambda p: [p.get("pe"), p.get("id"), p.get("kind", "")]
    used = lambda p: bool(p.get("acquisitions"))
    pa_rows = keyed(get(da, "allocator.pools"), pool_key, pool_cells, used)
    pb_rows = keyed(get(db, "allocator.pools"), pool_key, pool_cells, used)
    body.append("<h2>IOVA pools (allocator lock contention)</h2>")
    if pa_rows or pb_rows:
        body.append(panel(side_table(["PE", "pool", "kind"], pa_rows, pb_rows, POOL_COLS),
                          note("Pools acquired in either run; (none): the pool does not exist or was never "
                               "acquired in that run.")))
    else:
        body.append(panel(note("No pool was acquired in either run.")))
    ops = lambda c: bool(c.get("ops"))
    ca = keyed(da.get("cpus"), lambda c: c.get("cpu"), lambda c: [c.get("cpu")], ops)
    cb = keyed(db.get("cpus"), lambda c: c.get("cpu"), lambda c: [c.get("cpu")], ops)
    if ca or cb:
        body.append("<h2>CPUs</h2>")
        body.append(panel(side_table(["CPU"], ca, cb, CPU_COLS), note("CPUs that ran a host op in either run.")))

    changed = counters_diff(da, db)
    body.append("<h2>Every counter that differs</h2>")
    if changed:
        rows = []
        for k, a, b in changed:
            cls = delta_class(a, b, 0) if a is not None and b is not None else "chg"
            rows.append('<tr%s><td class="l">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
                ' class="sig"' if cls else "", esc(k), esc(fmt_num(a)), esc(fmt_num(b)),
                esc(fmt_delta(a, b, "num") if a is not None and b is not None else "–"),
                esc(fmt_rel(a, b) if a is not None and b is not None else "–")))
        body.append("<details><summary>%d counters of run, translation, dma, allocator and memory</summary>%s"
                    "</details>" % (len(changed), panel(
                        '<table class="cmp"><thead><tr><th class="l">counter</th><th>%s</th><th>%s</th>'
                        '<th>B − A</th><th>relative</th></tr></thead><tbody>%s</tbody></table>'
                        % (TAG_A, TAG_B, "".join(rows)))))
    else:
        body.append(panel(note("No counter differs.")))
    return page("tcesim comparison", sub, "\n".join(body))


# ---- main ----

def write_atomic(path, text):
    data = text.encode("utf-8")
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError("%s: Is a directory" % path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except OSError as e:
            raise RuntimeFailure("%s: %s" % (path, e.strerror))
        return
    target = os.path.realpath(path)
    d, base = os.path.split(target)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    rng = random.SystemRandom()
    for _ in range(100):
        tmp = os.path.join(d, "." + base[:240] + ".tcesim-" + "".join(rng.choice(alphabet) for _ in range(6)))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as e:
            raise RuntimeFailure("%s: %s" % (path, e.strerror))
    else:
        raise RuntimeFailure("%s: no free temp name" % path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise RuntimeFailure("%s: %s" % (path, e.strerror))


def write_stdout(text, name):
    try:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    except OSError as e:
        raise RuntimeFailure("%s: %s" % (name, e.strerror))


USAGE = "usage: report.py RUN.json|DIR -o FILE.html | report.py A.json B.json -o FILE.html"


def usage(msg):
    sys.stderr.write("report: %s\n" % msg)
    return 2


def main(argv):
    inputs, out, out_name = [], None, "stdout"
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-o", "--out"):
            if i + 1 >= len(argv):
                return usage("-o needs a file")
            out = argv[i + 1]
            i += 1
        elif a == "--stdout-name":
            if i + 1 >= len(argv):
                return usage("--stdout-name needs a name")
            out_name = argv[i + 1]
            i += 1
        elif a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        elif a.startswith("-") and a != "-":
            return usage("unknown option '%s' (%s)" % (a, USAGE))
        else:
            inputs.append(a)
        i += 1
    if not inputs or out is None:
        return usage("RUN.json|DIR (or A.json B.json) and -o FILE.html are required (%s)" % USAGE)
    if len(inputs) > 2:
        return usage("%d inputs: one run report or sweep directory, or two run reports to compare" % len(inputs))
    if len(inputs) == 2 and any(os.path.isdir(p) for p in inputs):
        return usage("compares two run reports, not a sweep directory ('%s')"
                     % next(p for p in inputs if os.path.isdir(p)))
    inp = inputs[0]
    try:
        if len(inputs) == 2:
            docs = [load_run(p) for p in inputs]
            setup_matplotlib()
            text = compare_page(inputs[0], docs[0], inputs[1], docs[1])
        elif os.path.isdir(inp):
            sweep = load_sweep(inp)
            setup_matplotlib()
            text = sweep_page(inp, *sweep)
        else:
            doc = load_run(inp)
            setup_matplotlib()
            text = run_page(inp, doc)
        if out == "-":
            write_stdout(text, out_name)
        else:
            write_atomic(out, text)
    except InputError as e:
        sys.stderr.write("%s\n" % e)
        return 2
    except RuntimeFailure as e:
        sys.stderr.write("%s\n" % e)
        return 1
    except Exception as e:  # a bug here, or a report shaped in a way not foreseen
        sys.stderr.write("%s: report failed: %s: %s\n" % (" ".join(inputs), type(e).__name__, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
