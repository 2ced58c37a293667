#!/usr/bin/env python3
"""Completion visibility: for a sample of tasks, (time the REST query first shows FINISH) − (time the fake upstream
answered the task), polling each sampled task every 20 ms from the moment the fake logged its answer.

The fake upstream (`easel-bench fake-upstream --log FILE`) appends `prompt<TAB>answered-at` per answer; prompts are
unique per task, and the task ids are read from the Easel database (read-only) by prompt.

usage: visibility.py --base http://127.0.0.1:P --key sk-… --db DATA/easel.sqlite --log FILE --sample 200
                     --timeout 120 [--json OUT]
"""
import argparse
import http.client
import json
import queue
import sqlite3
import statistics
import threading
import time
import urllib.parse


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(-(-len(ordered) * q // 1)) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.020)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--json")
    args = parser.parse_args()

    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=30)
    rows = db.execute("SELECT id, json_extract(CAST(record AS TEXT), '$.request.prompt') FROM tasks ORDER BY seq").fetchall()
    db.close()
    step = max(1, len(rows) // max(args.sample, 1))
    sample = {prompt: task_id for task_id, prompt in rows[::step][: args.sample]}
    answered = {}           # task id -> answered at
    seen = {}               # task id -> first FINISH seen at
    polls = {}              # task id -> number of polls
    work: "queue.Queue[str]" = queue.Queue()
    deadline = time.time() + args.timeout
    stop = threading.Event()

    def tail() -> None:
        position = 0
        buffer = ""
        while not stop.is_set() and time.time() < deadline:
            with open(args.log) as f:
                f.seek(position)
                chunk = f.read()
                position = f.tell()
            buffer += chunk
            *lines, buffer = buffer.split("\n")
            for line in lines:
                prompt, _, at = line.rpartition("\t")
                task_id = sample.get(prompt)
                if task_id and task_id not in answered:
                    answered[task_id] = float(at)
                    work.put(task_id)
            if len(answered) == len(sample):
                return
            time.sleep(0.005)

    url = urllib.parse.urlparse(args.base)

    def poller() -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        active = []  # [next poll time, task id]
        while not stop.is_set() and time.time() < deadline:
            try:
                while True:
                    active.append([0.0, work.get_nowait()])
            except queue.Empty:
                pass
            if not active:
                if len(seen) == len(sample):
                    return
                time.sleep(0.002)
                continue
            active.sort()
            due, task_id = active[0]
            now = time.time()
            if due > now:
                time.sleep(min(due - now, 0.005))
                continue
            try:
                conn.request("GET", f"/tencent-vod/v1/query/{task_id}", headers={"Authorization": f"Bearer {args.key}"})
                body = conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
                continue
            at = time.time()
            polls[task_id] = polls.get(task_id, 0) + 1
            status = (json.loads(body).get("Response") or {}).get("Status")
            if status == "FINISH":
                seen[task_id] = at
                active.pop(0)
            else:
                active[0][0] = now + args.interval

    threads = [threading.Thread(target=tail, daemon=True)] + [
        threading.Thread(target=poller, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    while time.time() < deadline and len(seen) < len(sample):
        time.sleep(0.1)
    stop.set()
    latencies = [(seen[t] - answered[t]) * 1000 for t in seen if t in answered]
    result = {
        "sample": len(sample), "answered": len(answered), "seen_finished": len(seen),
        "visibility_ms": {
            "p50": percentile(latencies, 0.5), "p90": percentile(latencies, 0.9), "p99": percentile(latencies, 0.99),
            "max": max(latencies) if latencies else float("nan"),
            "mean": statistics.fmean(latencies) if latencies else float("nan"),
        },
        "polls_per_task_mean": statistics.fmean(polls.values()) if polls else 0,
        "poll_interval_ms": args.interval * 1000,
    }
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
