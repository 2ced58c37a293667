"""Graceful shutdown as a load balancer sees it: SIGTERM turns `/readyz` to 503 at once, while `/healthz` and task
queries still answer and the tasks in flight (a slow sandbox: 3 s each) finish; then the process exits 0, and a
restart finds those tasks done rather than released back to the queue."""

from __future__ import annotations

import requests

from conftest import wait_until

APP_ID = 1300600101
LATENCY_MS = 3000


def test_sigterm_drains_in_flight_tasks_while_the_api_answers(start_server):
    server = start_server({"EASEL_SANDBOX_LATENCY_MS": str(LATENCY_MS)},
                          config={"scheduling": {"default_concurrency": 3, "drain_timeout_seconds": 30}})
    keys = server.create_keys(APP_ID, APP_ID)
    base = server.base_url
    ready = requests.get(f"{base}/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}, ready.text

    def create() -> str:
        body = {"model_name": "GG", "model_version": "2.5", "prompt": "a slow lighthouse"}
        resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", json=body, headers=keys.bearer, timeout=10)
        assert resp.status_code == 200, resp.text[:300]
        return resp.json()["Response"]["TaskId"]

    def status(task_id: str) -> str:
        resp = requests.get(f"{base}/tencent-vod/v1/query/{task_id}/status", headers=keys.bearer, timeout=5)
        assert resp.status_code == 200, resp.text[:300]
        return resp.json()["status"]

    tasks = [create() for _ in range(3)]
    wait_until(lambda: [status(t) for t in tasks], lambda s: s == ["IN_PROGRESS"] * 3, timeout=30,
               what="all three tasks to run")

    server.terminate()
    readyz = wait_until(lambda: requests.get(f"{base}/readyz", timeout=5), lambda r: r.status_code == 503,
                        timeout=10, interval=0.05, what="/readyz to answer 503")
    assert readyz.json() == {"status": "draining"}
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    during = [status(t) for t in tasks]
    assert "IN_PROGRESS" in during, f"queries answered while tasks were still running: {during}"
    assert server.alive(), "the process waits for its in-flight tasks"

    assert server.proc.wait(timeout=40) == 0, server.read_log()[-3000:]
    log = server.read_log()
    assert "releasing unfinished tasks" not in log, log[-3000:]

    restarted = server.relaunch()
    base = restarted.base_url
    assert [status(t) for t in tasks] == ["COMPLETED"] * 3, "the drained tasks finished before the process exited"
    for task_id in tasks:
        detail = requests.get(f"{base}/tencent-vod/v1/query/{task_id}", headers=keys.bearer, timeout=5).json()
        assert detail["Response"]["AigcImageTask"]["ErrCode"] == 0, detail
