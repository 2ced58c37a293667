"""Crash safety: `kill -9` under load, graceful SIGTERM drains, and deliveries that survive both.

The server runs with `--config` (app concurrency 4, sandbox latency, 127.0.0.1 allowed as a delivery target)
on a fixed port and data dir, and is restarted there after each kill. Local HTTP receivers record every
webhook (REST) and event callback (VOD).
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import threading
import time
from collections import Counter, defaultdict

import pytest
import requests
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import models, vod_client

APP_ID = 1300300001
TERMINAL = ("FINISH", "ABORTED")
# Everything accepted before the crashes must be finished this long after the last restart.
SETTLE_TIMEOUT_S = 60
# Webhooks of finished tasks must have arrived this long after the tasks settled.
WEBHOOK_TIMEOUT_S = 30
# The same after kill -9: a delivery that was being sent at the kill is claimed under a 60 s lease, so allow
# for it here (at-least-once); test_delivery_in_flight_at_crash_is_resent_after_restart checks promptness.
CRASH_WEBHOOK_TIMEOUT_S = 75
# A delivery interrupted by a crash must be sent again this soon after the restart.
RESEND_TIMEOUT_S = 15


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def crash_config(receiver, *, latency_ms: int, concurrency: int = 4, drain_s: int = 10) -> dict:
    return {
        "apps": [{"app_id": APP_ID, "sub_app_id": APP_ID, "concurrency": concurrency,
                  "callback_url": receiver.url("/vod")}],
        "delivery": {"allowed_hosts": ["127.0.0.1"], "retry_delays_seconds": [1, 1, 2]},
        "scheduling": {"drain_timeout_seconds": drain_s, "create_rate_limit": 0},
        "sandbox": {"latency_ms": latency_ms},
    }


def rest_body(n: int, callback_url: str) -> dict:
    return {"model_name": "GEM", "model_version": "2.5", "prompt": f"crash test image {n}",
            "output_config": {"storage_mode": "Temporary", "aspect_ratio": "1:1"}, "callback_url": callback_url}


def rest_create(port: int, keys, n: int, callback_url: str, timeout: float = 5) -> str:
    resp = requests.post(f"http://127.0.0.1:{port}/tencent-vod/v1/aigc-image", json=rest_body(n, callback_url),
                         headers=keys.bearer, timeout=timeout)
    if resp.status_code != 200:
        raise RuntimeError(f"REST create -> {resp.status_code}: {resp.text[:300]}")
    task_id = resp.json()["Response"].get("TaskId")
    if not task_id:
        raise RuntimeError(f"REST create answered without TaskId: {resp.text[:300]}")
    return task_id


def rest_query(port: int, keys, task_id: str) -> dict:
    resp = requests.get(f"http://127.0.0.1:{port}/tencent-vod/v1/query/{task_id}", headers=keys.bearer, timeout=10)
    assert resp.status_code == 200, f"query {task_id} -> {resp.status_code}: {resp.text[:500]}"
    return resp.json()["Response"]


def make_vod_client(port: int, keys, timeout: int = 5) -> vod_client.VodClient:
    http = HttpProfile(endpoint=f"127.0.0.1:{port}", protocol="http", reqTimeout=timeout)
    return vod_client.VodClient(keys.credential(), "", ClientProfile(httpProfile=http))


def vod_create(client, n: int) -> str:
    req = models.CreateAigcImageTaskRequest()
    req.from_json_string(json.dumps({
        "SubAppId": APP_ID, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": f"crash test vod {n}",
        "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "1:1"}, "SessionContext": f"vod-{n}",
    }))
    task_id = client.CreateAigcImageTask(req).TaskId
    if not task_id:
        raise RuntimeError("CreateAigcImageTask answered without TaskId")
    return task_id


def vod_describe(client, task_id: str):
    req = models.DescribeTaskDetailRequest()
    req.TaskId = task_id
    req.SubAppId = APP_ID
    return client.DescribeTaskDetail(req)


def unfinished(client) -> list:
    """Ids of the app's tasks still WAITING or PROCESSING (DescribeTasks)."""
    ids = []
    for status in ("WAITING", "PROCESSING"):
        token = ""
        while True:
            req = models.DescribeTasksRequest()
            req.SubAppId = APP_ID
            req.Status = status
            req.Limit = 100
            if token:
                req.ScrollToken = token
            resp = client.DescribeTasks(req)
            ids += [t.TaskId for t in resp.TaskSet or []]
            token = resp.ScrollToken or ""
            if not token:
                break
    return ids


def pull_all_events(client, wanted: set, timeout: float) -> dict:
    """PullEvents/ConfirmEvents until every task in `wanted` was seen; returns task id -> number of pulls."""
    seen: Counter = Counter()
    deadline = time.monotonic() + timeout
    while not wanted <= set(seen) and time.monotonic() < deadline:
        req = models.PullEventsRequest()
        req.SubAppId = APP_ID
        events = client.PullEvents(req).EventSet or []
        for event in events:
            seen[event.AigcImageCompleteEvent.TaskId] += 1
        if events:
            confirm = models.ConfirmEventsRequest()
            confirm.SubAppId = APP_ID
            confirm.EventHandles = [e.EventHandle for e in events]
            client.ConfirmEvents(confirm)
    return seen


class Producer(threading.Thread):
    """Creates tasks in a loop until stopped; remembers the ids of creates that got a successful answer."""

    def __init__(self, name: str, create, pause: float):
        super().__init__(name=name, daemon=True)
        self.create = create
        self.pause = pause
        self.accepted: list = []
        self.errors: Counter = Counter()
        self.halt = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.halt.is_set():
            n += 1
            try:
                self.accepted.append(self.create(n))
            except Exception as exc:  # the server is down or restarting: not accepted
                self.errors[type(exc).__name__] += 1
                self.halt.wait(0.05)
            self.halt.wait(self.pause)


def finish_time(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# --------------------------------------------------------------------------
# kill -9 under a steady stream of creates
# --------------------------------------------------------------------------


def test_kill_9_three_times_under_load(start_server, webhook_receiver, easel_cli, poll, capsys):
    seed = int(os.environ.get("EASEL_CRASH_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    receiver = webhook_receiver()
    server = start_server(config=crash_config(receiver, latency_ms=300, concurrency=4))
    port = server.port
    keys = server.create_keys(APP_ID, APP_ID)
    hook = receiver.url("/rest")

    rest = Producer("rest", lambda n: rest_create(port, keys, n, hook), pause=0.1)
    vod_sdk = make_vod_client(port, keys)
    vod = Producer("vod", lambda n: vod_create(vod_sdk, n), pause=0.15)
    rest.start()
    vod.start()
    kills = []
    try:
        for _ in range(3):
            # A random moment in the run: tasks are queued, running, and being delivered.
            time.sleep(rng.uniform(1.5, 3.0))
            kills.append(len(rest.accepted) + len(vod.accepted))
            server.kill()
            server = server.relaunch()
            assert server.port == port
        time.sleep(1.5)
    finally:
        rest.halt.set()
        vod.halt.set()
        rest.join(timeout=15)
        vod.join(timeout=15)
    assert not rest.is_alive() and not vod.is_alive(), "a producer did not stop"
    rest_ids, vod_ids = list(rest.accepted), list(vod.accepted)
    context = (f"seed {seed} (EASEL_CRASH_SEED), kills after {kills} accepted creates, "
               f"create errors: rest {dict(rest.errors)}, vod {dict(vod.errors)}")
    assert len(rest_ids) >= 10 and len(vod_ids) >= 5, f"too few creates went through: {context}"
    assert len(set(rest_ids + vod_ids)) == len(rest_ids) + len(vod_ids), f"a TaskId was handed out twice; {context}"

    # Every accepted task reaches a terminal state; nothing is left WAITING/PROCESSING.
    client = make_vod_client(port, keys, timeout=30)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        left = unfinished(client)
        if not left:
            break
        assert time.monotonic() < deadline, (
            f"{len(left)} tasks still WAITING/PROCESSING {SETTLE_TIMEOUT_S}s after the last restart "
            f"(e.g. {left[:5]}); {context}"
        )
        time.sleep(0.5)

    outcomes: Counter = Counter()
    final: dict = {}
    for task_id in rest_ids:
        response = rest_query(port, keys, task_id)
        assert response.get("Status") in TERMINAL, f"REST task {task_id} is {response.get('Status')}; {context}"
        final[task_id] = response["AigcImageTask"]
    for task_id in vod_ids:
        detail = vod_describe(client, task_id)
        assert detail.Status in TERMINAL, f"VOD task {task_id} is {detail.Status}; {context}"
        final[task_id] = json.loads(detail.AigcImageTask.to_json_string())
    for task_id, task in final.items():
        if task["ErrCode"] == 0:
            assert task["Output"]["FileInfos"], f"{task_id} succeeded without outputs: {task}"
            outcomes["succeeded"] += 1
        else:
            # Only a task interrupted by every crash may give up, and then as an internal error.
            assert task.get("ErrCodeExt") == "InternalError", f"{task_id} failed unexpectedly: {task}; {context}"
            outcomes["failed after 3 starts"] += 1

    # Every REST task's webhook arrived (at least once, validly signed); every VOD task's event was pushed.
    rest_set, vod_set = set(rest_ids), set(vod_ids)

    def tasks_of(reqs):
        return {r.json.get("task_id") for r in reqs}

    def events_of(reqs):
        return {r.json.get("AigcImageCompleteEvent", {}).get("TaskId") for r in reqs}

    settled = time.monotonic()
    receiver.wait_for(lambda r: rest_set <= tasks_of(r), path="/rest", timeout=CRASH_WEBHOOK_TIMEOUT_S,
                      what=f"webhooks of all {len(rest_set)} REST tasks ({context})")
    receiver.wait_for(lambda r: vod_set <= events_of(r), path="/vod", timeout=CRASH_WEBHOOK_TIMEOUT_S,
                      what=f"event callbacks of all {len(vod_set)} VOD tasks ({context})")
    webhook_wait = time.monotonic() - settled

    webhooks = receiver.received("/rest")
    per_task: dict = defaultdict(list)
    for req in webhooks:
        req.verify_signature(keys.webhook_secret, tolerance=120)
        body = req.json
        per_task[body["task_id"]].append(req.webhook_id)
        expected = "succeeded" if final.get(body["task_id"], {}).get("ErrCode", 0) == 0 else "failed"
        if body["task_id"] in final:
            assert body["status"] == expected, f"webhook says {body['status']} for {body['task_id']}: {final[body['task_id']]}"
    # At-least-once allows the same delivery to arrive again after a crash; it must keep its Easel-Webhook-Id.
    # A second, different id for one task would mean the task finished (and was announced) twice.
    twice = {t: ids for t, ids in per_task.items() if len(set(ids)) > 1}
    assert not twice, f"tasks announced under more than one Easel-Webhook-Id: {twice}; {context}"
    duplicates = sum(len(ids) - 1 for ids in per_task.values())
    vod_pushes = receiver.received("/vod")
    vod_per_task = Counter(r.json["AigcImageCompleteEvent"]["TaskId"] for r in vod_pushes)
    vod_duplicates = sum(n - 1 for n in vod_per_task.values())

    # The outbox holds exactly one delivery per task, all delivered (the CLI sees them all, not only 100).
    proc = easel_cli(["deliveries", "list", "--limit", "100000", "--data-dir", server.data_dir])
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    rows_per_task = Counter(row["task_id"] for row in rows)
    assert all(rows_per_task[t] == 1 for t in rest_set | vod_set), (
        f"deliveries per task: {[(t, rows_per_task[t]) for t in rest_set | vod_set if rows_per_task[t] != 1][:10]}"
    )

    def not_delivered():
        proc = easel_cli(["deliveries", "list", "--limit", "100000", "--data-dir", server.data_dir])
        assert proc.returncode == 0, proc.stderr
        rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        return [r for r in rows if r["task_id"] in rest_set | vod_set and r["status"] != "delivered"]

    # (The receiver records a request before it answers; the server records the answer a moment later.)
    left = poll(not_delivered, lambda rows: not rows, timeout=15, interval=0.5,
                what="every delivery to be recorded as delivered")
    assert not left

    # The reliable callback lost nothing either.
    pulled = pull_all_events(client, vod_set, timeout=30)
    assert vod_set <= set(pulled), f"PullEvents never returned {sorted(vod_set - set(pulled))[:5]}; {context}"

    log = server.read_log(limit=10_000_000)
    requeued = [int(m) for m in re.findall(r"requeued=(\d+)[^\n]*recovered interrupted tasks", log)]
    assert sum(requeued) > 0, f"no kill hit a running task, so recovery was not exercised; {context}"
    with capsys.disabled():
        print(f"\ncrash test: {len(final)} tasks, {len(webhooks) + len(vod_pushes)} webhooks, "
              f"{duplicates + vod_duplicates} duplicates "
              f"[{len(rest_ids)} REST + {len(vod_ids)} VOD tasks, {dict(outcomes)}; "
              f"{len(webhooks)} REST webhooks ({duplicates} dup), {len(vod_pushes)} VOD callbacks ({vod_duplicates} dup), "
              f"events pulled more than once: {sum(1 for n in pulled.values() if n > 1)}; "
              f"webhooks complete {webhook_wait:.1f}s after the tasks; running tasks re-queued at the restarts: "
              f"{requeued}; {context}]")


# --------------------------------------------------------------------------
# A task that never survives its run gives up after 3 starts
# --------------------------------------------------------------------------


def test_task_killed_in_three_runs_fails_with_internal_error(start_server, webhook_receiver, poll):
    receiver = webhook_receiver()
    server = start_server(config=crash_config(receiver, latency_ms=3000, concurrency=1))
    keys = server.create_keys(APP_ID, APP_ID)
    task_id = rest_create(server.port, keys, 1, receiver.url("/rest"))

    for run in range(1, 4):
        poll(lambda: rest_query(server.port, keys, task_id), lambda r: r.get("Status") == "PROCESSING", timeout=15,
             interval=0.05, what=f"run {run} of {task_id} to start")
        server.kill()
        server = server.relaunch()

    response = poll(lambda: rest_query(server.port, keys, task_id), lambda r: r.get("Status") in TERMINAL, timeout=15,
                    what=f"{task_id} to be given up")
    task = response["AigcImageTask"]
    assert response["Status"] == "FINISH", response
    assert task["ErrCode"] != 0 and task.get("ErrCodeExt") == "InternalError", task
    assert not (task.get("Output") or {}).get("FileInfos"), task

    got = receiver.wait_for(lambda r: len(r) >= 1, path="/rest", timeout=WEBHOOK_TIMEOUT_S,
                            what=f"the webhook of the failed task {task_id}")
    got[0].verify_signature(keys.webhook_secret, tolerance=30)
    body = got[0].json
    assert body["task_id"] == task_id and body["status"] == "failed", body
    assert body["Response"]["AigcImageTask"].get("ErrCodeExt") == "InternalError", body


# --------------------------------------------------------------------------
# A delivery in flight when the process dies
# --------------------------------------------------------------------------


def test_delivery_in_flight_at_crash_is_resent_after_restart(start_server, webhook_receiver):
    receiver = webhook_receiver()
    server = start_server(config=crash_config(receiver, latency_ms=0))
    keys = server.create_keys(APP_ID, APP_ID)
    arrived, release = threading.Event(), threading.Event()

    def hold(req):  # keep the first attempt open until the server is dead
        arrived.set()
        release.wait(30)
        return 200

    receiver.respond("/slow", hold, 200)
    task_id = rest_create(server.port, keys, 1, receiver.url("/slow"))
    assert arrived.wait(20), "the webhook never arrived"
    server.kill()
    release.set()
    restarted_at = time.monotonic()
    server = server.relaunch()

    # Tasks running at a crash are re-run at once on restart; a delivery being sent must not wait longer.
    deadline = restarted_at + RESEND_TIMEOUT_S
    while len(receiver.received("/slow")) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    got = receiver.received("/slow")
    listed = requests.get(f"{server.base_url}/easel/v1/deliveries", headers=keys.bearer, timeout=10).json()
    assert len(got) >= 2, (
        f"the webhook of {task_id} was in flight when the server was killed; {RESEND_TIMEOUT_S}s after the restart it "
        f"has not been sent again. Deliveries: {listed}"
    )
    assert got[1].webhook_id == got[0].webhook_id, "the re-sent delivery has a new Easel-Webhook-Id"
    assert got[1].json["task_id"] == task_id
    got[1].verify_signature(keys.webhook_secret, tolerance=30)


# --------------------------------------------------------------------------
# SIGTERM: not ready at once, drain while the API answers, release the rest, finish everything after the restart
# --------------------------------------------------------------------------


@pytest.mark.parametrize("drain_s", [10, 1], ids=["drain-finishes", "drain-times-out"])
def test_sigterm_drains_then_everything_finishes(start_server, webhook_receiver, poll, capsys, drain_s):
    latency_s = 2.0
    receiver = webhook_receiver()
    server = start_server(config=crash_config(receiver, latency_ms=int(latency_s * 1000), concurrency=4,
                                              drain_s=drain_s))
    port = server.port
    keys = server.create_keys(APP_ID, APP_ID)
    hook = receiver.url("/rest")
    accepted = [rest_create(port, keys, n, hook) for n in range(8)]

    def statuses():
        return {t: rest_query(port, keys, t)["Status"] for t in accepted}

    running = poll(statuses, lambda s: list(s.values()).count("PROCESSING") == 4, timeout=10, interval=0.05,
                   what="4 tasks to be PROCESSING")
    in_flight = [t for t, s in running.items() if s == "PROCESSING"]
    assert all(running[t] == "WAITING" for t in accepted if t not in in_flight), running

    signalled = time.monotonic()
    server.terminate()
    # Readiness turns 503 at once, so a load balancer stops sending work, while the API keeps answering until the
    # in-flight tasks have drained: a create that still arrives is accepted and waits in the queue for the restart.
    poll(lambda: requests.get(f"{server.base_url}/readyz", timeout=2), lambda r: r.status_code == 503, timeout=5,
         interval=0.05, what="/readyz to answer 503 after SIGTERM")
    if drain_s >= latency_s:
        accepted.append(rest_create(port, keys, 100, hook, timeout=2))
    still_running = server.alive()
    try:
        returncode = server.proc.wait(timeout=drain_s + 10)
    except Exception:
        pytest.fail(f"easel did not exit within {drain_s + 10}s of SIGTERM (drain timeout {drain_s}s)")
    exited = time.monotonic() - signalled
    exited_wall = time.time()
    assert still_running, f"the server exited {exited:.1f}s after SIGTERM, before its in-flight tasks could finish"
    assert returncode == 0, f"easel exited with {returncode} after SIGTERM"
    limit = min(drain_s, latency_s) + 3
    assert exited <= limit, f"exited {exited:.1f}s after SIGTERM, expected within {limit:.0f}s (drain {drain_s}s)"

    restarted_wall = time.time()
    server = server.relaunch()
    done = poll(lambda: {t: rest_query(port, keys, t) for t in accepted},
                lambda m: all(r["Status"] in TERMINAL for r in m.values()), timeout=30, interval=0.25,
                what="every accepted task to finish after the restart")
    for task_id, response in done.items():
        task = response["AigcImageTask"]
        assert response["Status"] == "FINISH" and task["ErrCode"] == 0, f"{task_id}: {response}"
    for task_id in in_flight:
        finished = finish_time(done[task_id]["FinishTime"])
        if drain_s >= latency_s:  # drained: finished before the process exited
            assert finished <= exited_wall + 1, f"in-flight {task_id} finished after the exit: {done[task_id]}"
        else:  # released back to the queue and run again after the restart
            assert finished >= restarted_wall - 1, f"in-flight {task_id} finished before the restart: {done[task_id]}"

    got = receiver.wait_for(lambda r: set(accepted) <= {x.json["task_id"] for x in r}, path="/rest",
                            timeout=WEBHOOK_TIMEOUT_S, what="webhooks of every accepted task")
    per_task = defaultdict(set)
    for req in got:
        req.verify_signature(keys.webhook_secret, tolerance=60)
        per_task[req.json["task_id"]].add(req.webhook_id)
    assert all(len(ids) == 1 for ids in per_task.values()), per_task
    with capsys.disabled():
        print(f"\nsigterm test: drain {drain_s}s, {len(in_flight)} tasks in flight, exited {exited:.1f}s after SIGTERM, "
              f"{len(accepted)} accepted tasks finished after the restart")
