#!/usr/bin/env python3
"""Turns Benchmarks/run.sh's results.txt (key=value lines) into the Markdown table of BENCHMARKS.md."""
import sys

values = {}
for line in open(sys.argv[1]):
    key, sep, value = line.strip().partition("=")
    if sep:
        values[key] = value


def num(key):
    try:
        return float(values[key])
    except (KeyError, ValueError):
        return None


def fmt(x, digits=0):
    return "—" if x is None else f"{x:,.{digits}f}"


def ratio(a, b):
    return "—" if a is None or not b else f"{100 * a / b:.0f} %"


def baseline(dialect):
    runs = [v for v in (num(f"baseline.{dialect}.rps"), num(f"baseline.end.{dialect}.rps")) if v]
    return sum(runs) / len(runs) if runs else None


out = []
base = {d: baseline(d) for d in ("rest", "vod")}
out.append("| dialect | waiting at start → end | req/s | p50 ms | p99 ms | vs bare route | vs empty queue | errors | load |")
out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for d in ("rest", "vod"):
    b = base[d]
    out.append(f"| bare Hummingbird route ({d} body) | — | {fmt(b)} | {fmt(num(f'baseline.{d}.p50_ms'), 2)} | "
               f"{fmt(num(f'baseline.{d}.p99_ms'), 2)} | 100 % | — | — | {values.get(f'baseline.{d}.load', '—')} |")
depths = sorted({k.split(".")[2] for k in values if k.startswith("create.") and k.count(".") >= 3}, key=int)
labels = {"rest": "REST Bearer", "vod": "VOD TC3", "pgrest": "REST Bearer, PostgreSQL", "pgvod": "VOD TC3, PostgreSQL"}
for d in ("rest", "vod", "pgrest", "pgvod"):
    empty = num(f"create.{d}.0.rps")
    for depth in depths:
        p = f"create.{d}.{depth}"
        if num(f"{p}.rps") is None:
            continue
        errors = sum(int(num(f"{p}.{e}") or 0) for e in ("connect_errors", "read_errors", "write_errors",
                                                          "status_errors", "timeouts"))
        label = labels[d]
        out.append(f"| {label} | {fmt(num(p + '.waiting_before'))} → {fmt(num(p + '.waiting_after'))} | "
                   f"{fmt(num(p + '.rps'))} | {fmt(num(p + '.p50_ms'), 2)} | {fmt(num(p + '.p99_ms'), 2)} | "
                   f"{ratio(num(p + '.rps'), base[d.removeprefix('pg')])} | {ratio(num(p + '.rps'), empty)} | {errors} | "
                   f"{values.get(p + '.load', '—')} |")
out.append("")


def later(key):
    """The idle windows after the first, if the run sampled them (IDLE_WINDOWS)."""
    windows = []
    while f"idle.{key}.idle_cpu_pct_{len(windows) + 1}" in values:
        windows.append(values[f"idle.{key}.idle_cpu_pct_{len(windows) + 1}"])
    return f", then {', '.join(windows)} % in the next 10 s windows" if windows else ""


for depth in depths:
    for store, key in (("SQLite", depth), ("PostgreSQL", f"pg{depth}")):
        if num(f"idle.{key}.idle_cpu_pct") is not None:
            out.append(f"- idle CPU with {fmt(num(f'idle.{key}.waiting'))} waiting ({store}): "
                       f"{values[f'idle.{key}.idle_cpu_pct']} % of one core over 10 s{later(key)}; "
                       f"RSS {values.get(f'idle.{key}.rss_mb')} MB")
for n in sorted({k.split(".")[1] for k in values if k.startswith("claim.")}, key=int):
    p = f"claim.{n}"
    out.append(f"- claim latency with {int(n):,} waiting (one tenant saturated, 10,000 claims of another): "
               f"p50 {values.get(p + '.claim.p50_ms')} ms, p99 {values.get(p + '.claim.p99_ms')} ms, "
               f"max {values.get(p + '.claim.max_ms')} ms; empty claim p99 {values.get(p + '.empty_claim.p99_ms')} ms; "
               f"insert p99 {values.get(p + '.insert.p99_ms')} ms; finish p99 {values.get(p + '.finish.p99_ms')} ms")
if num("e2e.tasks_per_s") is not None:
    out.append(f"- end to end: {fmt(num('e2e.tasks'))} tasks in {fmt(num('e2e.seconds'), 1)} s = "
               f"**{fmt(num('e2e.tasks_per_s'))} tasks/s**; fake upstream direct {fmt(num('e2e.fake_direct.rps'))} req/s "
               f"({ratio(num('e2e.tasks_per_s'), num('e2e.fake_direct.rps'))}); statuses {values.get('e2e.statuses')}; "
               f"stored files {values.get('e2e.stored_files')}")
if num("inflight.tasks") is not None:
    out.append(f"- {fmt(num('inflight.tasks'))} in flight on a slow upstream: RSS idle {values.get('inflight.rss_mb_idle')} MB, "
               f"with all running {values.get('inflight.rss_mb_peak_running')} MB, peak {values.get('inflight.rss_mb_hwm')} MB; "
               f"fake at peak {values.get('inflight.fake_in_flight_at_peak')}; completion visibility p50 "
               f"{values.get('inflight.visibility.p50_ms')} ms, p99 {values.get('inflight.visibility.p99_ms')} ms, max "
               f"{values.get('inflight.visibility.max_ms')} ms (sample {values.get('inflight.visibility.seen')}); "
               f"all done {fmt(num('inflight.seconds'), 1)} s after the first submit")
print("\n".join(out))
