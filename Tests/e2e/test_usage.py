"""Usage accounting survives crashes: tasks are created on a slow sandbox while the server is killed with -9 several
times (each time while tasks are running) and restarted on the same data dir; at the end, with every task terminal,
`GET /easel/v1/admin/usage` must count exactly the tasks the store holds and their real terminal states: created =
accepted tasks, succeeded/failed/aborted = the tasks in those states, images = their outputs. A crash must never
count a task twice (a re-run after recovery) or not at all (an outcome recorded without its usage).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest
import requests

APP_ID = 1300400001
ADMIN_KEY = "sk-easel-admin-usage-" + uuid.uuid4().hex
KILLS = 4
LATENCY_MS = 700
CONCURRENCY = 3
# Every accepted task must be terminal this long after the last restart.
SETTLE_TIMEOUT_S = 120


def usage_config() -> dict:
    return {
        "apps": [{"app_id": APP_ID, "sub_app_id": APP_ID, "concurrency": CONCURRENCY}],
        # Two starts: a task running at two kills fails, one running at one kill runs again.
        "scheduling": {"create_rate_limit": 0, "global_concurrency": CONCURRENCY, "max_attempts": 2},
        "sandbox": {"latency_ms": LATENCY_MS},
        "usage": {"prices": {"GEM-3.0": {"per_image": 0.04, "per_task": 0.01}}},
    }


class Admin:
    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str, **params) -> dict:
        resp = requests.get(f"http://127.0.0.1:{self.port}/easel/v1/admin/{path}", params=params, timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert resp.status_code == 200, f"GET {path} {params} -> {resp.status_code}: {resp.text[:500]}"
        return resp.json()

    def post(self, path: str, body: dict) -> dict:
        resp = requests.post(f"http://127.0.0.1:{self.port}/easel/v1/admin/{path}", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert resp.status_code in (200, 201), f"POST {path} -> {resp.status_code}: {resp.text[:500]}"
        return resp.json()

    def all_tasks(self, **filters) -> list:
        tasks, cursor = [], None
        while True:
            params = dict(filters, limit=500)
            if cursor:
                params["cursor"] = cursor
            page = self.get("tasks", **params)
            tasks += page["tasks"]
            cursor = page["next_cursor"]
            if cursor is None:
                return tasks


class Creator(threading.Thread):
    """Creates REST tasks, each with its own SessionId, and cancels every fourth one at once; keeps going across
    crashes. A create whose answer was lost to a kill is `unknown`: it may or may not have been committed."""

    def __init__(self, port: int, api_key: str) -> None:
        super().__init__(daemon=True)
        self.port, self.api_key = port, api_key
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.attempted: set = set()
        self.accepted: dict = {}
        self.unknown: set = set()
        self.refused: list = []

    def count(self) -> int:
        with self.lock:
            return len(self.accepted)

    def run(self) -> None:
        base = f"http://127.0.0.1:{self.port}/tencent-vod/v1"
        headers = {"Authorization": f"Bearer {self.api_key}"}
        n = 0
        while not self.stop.is_set():
            n += 1
            session = f"usage-{n}"
            with self.lock:
                self.attempted.add(session)
            body = {"model_name": "GEM", "model_version": "3.0", "prompt": f"usage under crashes {n}", "session_id": session}
            try:
                resp = requests.post(f"{base}/aigc-image", json=body, headers=headers, timeout=5)
            except requests.RequestException:
                with self.lock:
                    self.unknown.add(session)
                time.sleep(0.1)
                continue
            if resp.status_code != 200:
                with self.lock:
                    self.refused.append((session, resp.status_code, resp.text[:300]))
                continue
            task_id = resp.json()["Response"]["TaskId"]
            with self.lock:
                self.accepted[session] = task_id
            if n % 4 == 0:
                try:
                    requests.post(f"{base}/query/{task_id}/cancel", headers=headers, timeout=5)
                except requests.RequestException:
                    pass
            time.sleep(0.05)


@pytest.mark.timeout(300)
def test_usage_counts_equal_terminal_states_across_kill_9(start_server, poll):
    server = start_server({"EASEL_ADMIN_KEY": ADMIN_KEY}, config=usage_config())
    admin = Admin(server.port)
    key = admin.post("keys", {"app_id": APP_ID})
    creator = Creator(server.port, key["api_key"])
    creator.start()
    interrupted = 0
    try:
        for _ in range(KILLS):
            before = creator.count()
            # Kill while tasks run and creates arrive: several new tasks accepted and at least one running.
            poll(lambda: (creator.count(), admin.get("tasks", app_id=APP_ID, status="processing")["tasks"]),
                 lambda r: r[0] >= before + 5 and len(r[1]) >= 1, timeout=60, interval=0.05,
                 what="new tasks and a running one before the kill")
            server.kill()
            interrupted += 1
            time.sleep(0.3)
            server = server.relaunch()
        after_restart = creator.count()
        poll(creator.count, lambda c: c >= after_restart + 10, timeout=60, what="creates after the last restart")
    finally:
        creator.stop.set()
        creator.join(timeout=30)
    admin = Admin(server.port)

    poll(lambda: admin.get("tasks", app_id=APP_ID, status="waiting,processing")["tasks"], lambda t: t == [],
         timeout=SETTLE_TIMEOUT_S, interval=0.5, what="every task to reach a terminal state")

    assert creator.refused == [], f"creates refused: {creator.refused[:5]}"
    tasks = admin.all_tasks(app_id=APP_ID)
    by_session = {t["session_id"]: t for t in tasks}
    assert len(by_session) == len(tasks), "two tasks with one SessionId"
    assert set(by_session) <= creator.attempted, "a task nobody created"
    missing = [s for s in creator.accepted if s not in by_session]
    assert missing == [], f"accepted tasks missing from the store: {missing[:5]}"
    assert {by_session[s]["task_id"] for s in creator.accepted} == set(creator.accepted.values())
    lost_answers = set(by_session) - set(creator.accepted)
    assert lost_answers <= creator.unknown, f"stored tasks whose create was neither accepted nor lost: {lost_answers}"

    states = Counter(t["status"] for t in tasks)
    images = sum(t["output_count"] for t in tasks if t["status"] == "succeeded")
    assert set(states) <= {"succeeded", "failed", "aborted"}, states
    assert states["succeeded"] > 0 and states["aborted"] > 0, states
    assert any(t["attempts"] > 1 for t in tasks), "no task was re-run after a kill: the crashes hit nothing"

    usage = admin.get("usage", app_id=APP_ID)
    totals = usage["totals"]
    real = {"created": len(tasks), "succeeded": states["succeeded"], "failed": states["failed"],
            "aborted": states["aborted"], "images": images}
    counted = {name: totals[name] for name in real}
    assert counted == real, (f"usage {counted} != the tasks' real states {real} after {interrupted} kills "
                             f"({len(creator.unknown)} creates lost to kills, "
                             f"{sum(1 for t in tasks if t['attempts'] > 1)} tasks re-run)")
    assert counted["succeeded"] + counted["failed"] + counted["aborted"] == counted["created"]
    assert {row["key_id"] for row in usage["usage"]} == {key["secret_id"]}, usage["usage"]
    assert {row["model"] for row in usage["usage"]} == {"GEM-3.0"}, usage["usage"]
    assert totals["cost"] == pytest.approx(images * 0.04 + states["succeeded"] * 0.01, abs=1e-6), totals
    assert totals["upstream_seconds"] >= states["succeeded"] * LATENCY_MS / 1000 * 0.5, totals
