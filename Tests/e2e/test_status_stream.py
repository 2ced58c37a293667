"""`GET /tencent-vod/v1/query/{id}/status/stream` (and `/v1/images/tasks/{id}/status/stream`): fal-style status
events as Server-Sent Events until the task is terminal, bounded per app, freed when the client goes away, and
served by any node of a PostgreSQL cluster whichever node runs the task."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import DEFAULT_APP_ID, wait_until
from test_multinode import keys_create, pg_cluster, pg_database  # noqa: F401  (fixtures)

BODY = {"model_name": "GG", "model_version": "2.5", "prompt": "a lighthouse"}


def create(base: str, keys, prompt: str = "a lighthouse") -> str:
    resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", headers=keys.bearer, json=dict(BODY, prompt=prompt),
                         timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["Response"]["TaskId"]


def status(base: str, keys, task_id: str) -> dict:
    return requests.get(f"{base}/tencent-vod/v1/query/{task_id}/status", headers=keys.bearer, timeout=10).json()


def events(resp: requests.Response, limit: int = 0):
    """Yields ("event", json) and ("comment", text) items of an SSE response until it ends (or `limit` events)."""
    count = 0
    block: list = []
    for raw in resp.iter_lines(decode_unicode=True):
        if raw:
            block.append(raw)
            continue
        for line in block:
            if line.startswith("data: "):
                count += 1
                yield "event", json.loads(line[len("data: "):])
            elif line.startswith(": "):
                yield "comment", line[2:]
        block = []
        if limit and count >= limit:
            return


def watch(base: str, path: str, keys, logs: bool = False) -> list:
    url = f"{base}{path}" + ("?logs=1" if logs else "")
    with requests.get(url, headers=keys.bearer, stream=True, timeout=60) as resp:
        assert resp.status_code == 200, resp.text
        assert resp.headers["Content-Type"] == "text/event-stream"
        return [value for kind, value in events(resp) if kind == "event"]


def collapse(values: list) -> list:
    out: list = []
    for value in values:
        if not out or out[-1] != value:
            out.append(value)
    return out


def test_a_stream_shows_every_state_change_in_order_and_ends_with_the_task(start_server):
    server = start_server({"EASEL_SANDBOX_LATENCY_MS": "1500", "EASEL_STREAMS_POLL_INTERVAL_MS": "50"})
    keys = server.create_keys(DEFAULT_APP_ID)
    first = create(server.base_url, keys)
    wait_until(lambda: status(server.base_url, keys, first), lambda s: s["status"] == "IN_PROGRESS", timeout=30)
    create(server.base_url, keys)
    watched = create(server.base_url, keys, "the watched one")
    seen = watch(server.base_url, f"/tencent-vod/v1/query/{watched}/status/stream", keys, logs=True)
    assert collapse([e["status"] for e in seen]) == ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"], seen
    positions = [e["queue_position"] for e in seen if e["status"] == "IN_QUEUE"]
    assert positions[0] == 1 and positions[-1] == 0 and positions == sorted(positions, reverse=True), positions
    progress = [e["metrics"]["progress"] for e in seen if e["status"] == "IN_PROGRESS"]
    assert progress == sorted(progress), progress
    assert all(a != b for a, b in zip(seen, seen[1:])), "every event says something new"
    last = seen[-1]
    assert last["request_id"] == watched and "error" not in last
    messages = [line["message"] for line in last["logs"]]
    assert messages[0] == "queued: model GG-2.5, priority 0" and messages[-1] == "stored 1 image", messages
    assert any(m.startswith("claimed by node ") for m in messages), messages
    # A terminal task answers its final event at once; the OpenAI-dialect route streams the same.
    again = watch(server.base_url, f"/v1/images/tasks/{watched}/status/stream", keys)
    assert [e["status"] for e in again] == ["COMPLETED"] and again[0]["logs"] is None


def test_the_app_limit_answers_429_and_a_client_that_goes_away_frees_its_stream(start_server):
    server = start_server({"EASEL_SANDBOX_LATENCY_MS": "30000", "EASEL_STREAMS_MAX_PER_APP": "1",
                           "EASEL_STREAMS_HEARTBEAT_SECONDS": "600", "EASEL_DRAIN_TIMEOUT_SECONDS": "0"})
    keys = server.create_keys(DEFAULT_APP_ID)
    task_id = create(server.base_url, keys)
    url = f"{server.base_url}/tencent-vod/v1/query/{task_id}/status/stream"
    held = requests.get(url, headers=keys.bearer, stream=True, timeout=60)
    # Keep the reader: dropping it mid-read makes urllib3 close the connection, which is the departure below.
    reader = events(held)
    kind, first = next(reader)
    assert kind == "event" and first["request_id"] == task_id
    refused = requests.get(url, headers=keys.bearer, timeout=10)
    assert refused.status_code == 429, refused.text
    assert refused.json()["Response"]["Error"]["Code"] == "RequestLimitExceeded.StatusStreams"
    openai = requests.get(f"{server.base_url}/v1/images/tasks/{task_id}/status/stream", headers=keys.bearer, timeout=10)
    assert openai.status_code == 429 and openai.json()["error"]["code"] == "rate_limit_exceeded", openai.text
    # The client goes away (its socket closes) long before any keep-alive would have been written.
    reader.close()
    held.close()
    deadline = time.monotonic() + 20
    while True:
        reopened = requests.get(url, headers={"Authorization": f"Key {keys.api_key}"}, stream=True, timeout=10)
        try:
            if reopened.status_code == 200:
                break
            assert reopened.status_code == 429, reopened.text
        finally:
            reopened.close()
        assert time.monotonic() < deadline, "the stream of the client that went away still holds its slot"
        time.sleep(0.1)


def test_any_node_streams_a_task_whichever_node_runs_it(start_server, pg_database):
    env = {"EASEL_STORE_URL": pg_database, "EASEL_MASTER_KEY": "stream-test-master-key",
           "EASEL_SANDBOX_LATENCY_MS": "2500", "EASEL_STREAMS_POLL_INTERVAL_MS": "200"}
    nodes = [start_server(env), start_server(env)]
    keys = keys_create(DEFAULT_APP_ID, env, nodes[0].data_dir)
    for index, creator in enumerate(nodes):
        task_id = create(creator.base_url, keys, f"made on node {index}")
        # Both nodes watch the same task at once; one of them runs it.
        with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
            watched = list(pool.map(
                lambda node: watch(node.base_url, f"/tencent-vod/v1/query/{task_id}/status/stream", keys, logs=True),
                nodes))
        for seen in watched:
            assert seen[-1]["status"] == "COMPLETED" and "error" not in seen[-1], seen
            assert collapse([e["status"] for e in seen])[-2:] == ["IN_PROGRESS", "COMPLETED"], seen
        logs = [line["message"] for line in watched[0][-1]["logs"]]
        assert sum(m.startswith("claimed by node ") for m in logs) == 1 and logs[-1] == "stored 1 image", logs
