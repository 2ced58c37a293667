"""`/metrics` counts what happened: a scripted mix of tasks, upstream failures and webhook deliveries, then one scrape.

One `easel serve` routes GG/2.5 to two `openai-compatible` channels on a local fake of the OpenAI images API:
`primary` (2 attempts) and `backup`. The prompt tells the fake what to do on `primary`: `RETRY500` fails the first
call with 500, `LIMIT429` answers the first call 429 with Retry-After, `FAILOVER` fails every call (so the task
moves to `backup`), `REJECT400` answers 400 (the task fails at once). Three successful REST tasks have webhooks to a
local receiver: one answered 200, one 500 then 200, one always 500 (dead after its two attempts). Add a VOD create
through the official SDK and a few failing calls. The scrape is parsed with prometheus_client's parser, and each
counter must equal exactly what the script caused.
"""

from __future__ import annotations

import base64
import collections
import json
import re
import threading
import time
import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import models, vod_client

from conftest import wait_until
from fake_http import FakeHTTPServer, Reply, Request, solid_png

APP_ID = 1300600001
MODEL = "GG-2.5"


class ScriptedImagesAPI:
    """`POST /<channel>/v1/images/generations`: one b64_json PNG, unless the prompt's marker scripts a failure on
    `primary`. Records every call as (channel, marker, status)."""

    def __init__(self) -> None:
        self.calls: list = []
        self.lock = threading.Lock()
        self._seen: collections.Counter = collections.Counter()
        self._png = base64.b64encode(solid_png((30, 90, 200))).decode()
        self.server = FakeHTTPServer(self._answer)

    def _answer(self, request: Request) -> Reply:
        channel = request.path.strip("/").split("/")[0]
        prompt = request.json_field("prompt")
        marker = next((m for m in ("RETRY500", "LIMIT429", "FAILOVER", "REJECT400") if m in prompt), None)
        with self.lock:
            self._seen[(channel, prompt)] += 1
            nth = self._seen[(channel, prompt)]
        status, headers = 200, {}
        if channel == "primary":
            if marker == "RETRY500" and nth == 1 or marker == "FAILOVER":
                status = 500
            elif marker == "LIMIT429" and nth == 1:
                status, headers = 429, {"Retry-After": "1"}
            elif marker == "REJECT400":
                status = 400
        answer = ({"created": int(time.time()), "data": [{"b64_json": self._png}]} if status == 200
                  else {"error": {"message": f"scripted {status}", "type": "server_error"}})
        with self.lock:
            self.calls.append((channel, marker, status))
        return Reply.json(status, answer, headers)

    def url(self, channel: str) -> str:
        return f"{self.server.url}/{channel}"

    def close(self) -> None:
        self.server.close()


def scrape(base_url: str) -> dict:
    """Every sample of one scrape: {(name, frozenset(labels)): value}."""
    resp = requests.get(f"{base_url}/metrics", timeout=10)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["Content-Type"].startswith("text/plain"), resp.headers
    samples = {}
    for family in text_string_to_metric_families(resp.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    """A sample's value; 0 for a counter series that never moved (and so is not listed)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_counters_equal_what_the_script_caused(start_server, webhook_receiver):
    fake = ScriptedImagesAPI()
    receiver = webhook_receiver()
    receiver.respond("/flaky", 500, 200)
    receiver.respond("/dead", 500)
    try:
        config = {
            "scheduling": {"default_concurrency": 4, "create_rate_limit": 0},
            "delivery": {"allowed_hosts": ["127.0.0.1"], "retry_delays_seconds": [1]},
            "upstreams": [
                {"name": "primary", "provider": "openai-compatible", "base_url": fake.url("primary"),
                 "models": ["GG/2.5"], "options": {"response_format": "b64_json"}, "max_attempts": 2},
                {"name": "backup", "provider": "openai-compatible", "base_url": fake.url("backup"),
                 "models": ["GG/2.5"], "options": {"response_format": "b64_json"}, "max_attempts": 1},
            ],
        }
        server = start_server(config=config)
        keys = server.create_keys(APP_ID, APP_ID)
        base = server.base_url

        def rest_create(prompt: str, **fields) -> str:
            body = {"model_name": "GG", "model_version": "2.5", "prompt": f"{prompt} {uuid.uuid4().hex[:8]}", **fields}
            resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", json=body, headers=keys.bearer, timeout=30)
            assert resp.status_code == 200, f"REST create -> {resp.status_code}: {resp.text[:300]}"
            return resp.json()["Response"]["TaskId"]

        succeeding = [rest_create("a lighthouse", callback_url=receiver.url(path)) for path in ("/ok", "/flaky", "/dead")]
        succeeding += [rest_create(marker) for marker in ("RETRY500", "LIMIT429", "FAILOVER")]
        rejected = rest_create("REJECT400")

        profile = ClientProfile(httpProfile=HttpProfile(endpoint=server.endpoint, protocol="http", reqTimeout=30))
        client = vod_client.VodClient(keys.credential(), "", profile)
        request = models.CreateAigcImageTaskRequest()
        request.from_json_string(json.dumps({"SubAppId": APP_ID, "ModelName": "GG", "ModelVersion": "2.5",
                                             "Prompt": "a vod cat", "OutputConfig": {"AspectRatio": "1:1"}}))
        vod_task = client.CreateAigcImageTask(request).TaskId

        missing = requests.get(f"{base}/tencent-vod/v1/query/no-such-task", headers=keys.bearer, timeout=10)
        assert missing.status_code == 404
        unauthorised = requests.post(f"{base}/tencent-vod/v1/aigc-image", json={"prompt": "x"},
                                     headers={"Authorization": "Bearer sk-easel-wrong"}, timeout=10)
        assert unauthorised.status_code == 401
        auth_code = unauthorised.json()["Response"]["Error"]["Code"]

        status_polls = 0

        def finished(task_id: str) -> dict:
            nonlocal status_polls
            status_polls += 1
            resp = requests.get(f"{base}/tencent-vod/v1/query/{task_id}/status", headers=keys.bearer, timeout=10)
            assert resp.status_code == 200, resp.text[:300]
            return resp.json()

        for task_id in succeeding + [rejected]:
            wait_until(lambda: finished(task_id), lambda r: r["status"] == "COMPLETED", timeout=60, what=f"{task_id} to finish")
        assert "error" in finished(rejected), "the 400 from the upstream fails the task"
        for task_id in succeeding:
            assert "error" not in finished(task_id), f"{task_id} should have succeeded"
        wait_until(lambda: describe_status(client, vod_task), lambda s: s == "FINISH", timeout=60, what="the VOD task")
        # Deliveries: /ok once, /flaky twice (500, 200), /dead twice (500, 500, then dead-lettered).
        receiver.wait_for(lambda got: len(got) >= 5, timeout=30, what="5 delivery attempts")
        wait_until(lambda: requests.get(f"{base}/easel/v1/deliveries?status=dead", headers=keys.bearer, timeout=10).json(),
                   lambda r: len(r["deliveries"]) == 1, timeout=30, what="the /dead delivery to be dead-lettered")

        metrics = scrape(base)
    finally:
        fake.close()

    rest = {"dialect": "rest", "model": MODEL}
    assert value(metrics, "easel_tasks_created_total", **rest) == 7
    assert value(metrics, "easel_tasks_created_total", dialect="vod", model=MODEL) == 1
    assert value(metrics, "easel_tasks_finished_total", outcome="succeeded", **rest) == 6
    assert value(metrics, "easel_tasks_finished_total", outcome="failed", **rest) == 1
    assert value(metrics, "easel_tasks_finished_total", dialect="vod", model=MODEL, outcome="succeeded") == 1
    assert value(metrics, "easel_images_produced_total", model=MODEL) == 7
    # The engine of a routed model is named after its channels.
    assert value(metrics, "easel_queue_wait_seconds_count", model=MODEL, provider="primary,backup") == 8
    assert value(metrics, "easel_task_run_seconds_count", model=MODEL, provider="primary,backup") == 8

    calls = collections.Counter((channel, status) for channel, _, status in fake.calls)
    # primary: 3 webhooks tasks + the VOD task + the second tries of RETRY500 and LIMIT429 answered 200.
    assert value(metrics, "easel_upstream_calls_total", channel="primary", outcome="ok") == 6 == calls[("primary", 200)]
    # primary 500s: RETRY500 once, FAILOVER twice.
    assert value(metrics, "easel_upstream_calls_total", channel="primary", outcome="error") == 3 == calls[("primary", 500)]
    assert value(metrics, "easel_upstream_calls_total", channel="primary", outcome="rate_limited") == 1
    assert value(metrics, "easel_upstream_calls_total", channel="primary", outcome="rejected") == 1
    assert value(metrics, "easel_upstream_calls_total", channel="backup", outcome="ok") == 1 == calls[("backup", 200)]
    assert value(metrics, "easel_upstream_call_duration_seconds_count", channel="primary") == 11 == len(
        [c for c in fake.calls if c[0] == "primary"])
    assert value(metrics, "easel_upstream_retries_total", channel="primary") == 3
    assert value(metrics, "easel_upstream_retries_total", channel="backup") == 0
    assert value(metrics, "easel_upstream_rate_limited_total", channel="primary") == 1
    assert value(metrics, "easel_upstream_failovers_total", **{"from": "primary", "to": "backup"}) == 1

    assert value(metrics, "easel_deliveries_total", kind="rest_webhook", outcome="delivered") == 2
    assert value(metrics, "easel_deliveries_total", kind="rest_webhook", outcome="retried") == 2
    assert value(metrics, "easel_deliveries_total", kind="rest_webhook", outcome="dead") == 1
    assert value(metrics, "easel_deliveries_pending") == 0
    assert value(metrics, "easel_deliveries_dead") == 1
    for band in ("high", "normal", "low"):
        assert (("easel_queue_waiting", frozenset({"priority_band": band}.items())) in metrics
                and value(metrics, "easel_queue_waiting", priority_band=band) == 0)
        assert value(metrics, "easel_tasks_running", priority_band=band) == 0

    http = "easel_http_requests_total"
    assert value(metrics, http, dialect="rest", action="create", code="OK") == 7
    assert value(metrics, http, dialect="rest", action="create", code=auth_code) == 1
    assert value(metrics, http, dialect="rest", action="query", code="ResourceNotFound") == 1
    assert value(metrics, http, dialect="rest", action="status", code="OK") == status_polls
    assert value(metrics, http, dialect="vod", action="CreateAigcImageTask", code="OK") == 1
    assert value(metrics, "easel_http_request_duration_seconds_count", dialect="rest", action="create") == 8
    assert value(metrics, "easel_build_info", store="sqlite", version=build_version(metrics)) == 1


def describe_status(client, task_id: str) -> str:
    request = models.DescribeTaskDetailRequest()
    request.TaskId = task_id
    return client.DescribeTaskDetail(request).Status


def build_version(metrics: dict) -> str:
    versions = [dict(labels)["version"] for name, labels in metrics if name == "easel_build_info"]
    assert len(versions) == 1, versions
    return versions[0]


def test_a_metrics_port_and_json_logs(start_server):
    """`EASEL_METRICS_PORT` moves `/metrics` off the main port; `EASEL_LOG_FORMAT=json` writes one JSON object per
    log line, with one access line per request that names the RequestId the dialect answered."""
    metrics_port = _free_port()
    server = start_server({"EASEL_METRICS_PORT": str(metrics_port), "EASEL_LOG_FORMAT": "json"})
    keys = server.create_keys(APP_ID, APP_ID)
    assert requests.get(f"{server.base_url}/metrics", timeout=5).status_code == 404
    body = {"model_name": "GG", "model_version": "2.5", "prompt": "a json cat"}
    created = requests.post(f"{server.base_url}/tencent-vod/v1/aigc-image", json=body, headers=keys.bearer, timeout=10)
    assert created.status_code == 200, created.text[:300]
    answer = created.json()["Response"]
    metrics = scrape(f"http://127.0.0.1:{metrics_port}")
    assert value(metrics, "easel_http_requests_total", dialect="rest", action="create", code="OK") == 1
    assert value(metrics, "easel_tasks_created_total", dialect="rest", model=MODEL) == 1

    def access_lines() -> list:
        lines = [line for line in server.read_log(limit=10**7).splitlines() if line.startswith('{"time"')]
        objects = [json.loads(line) for line in lines]
        return [o for o in objects if o.get("message") == "request" and o.get("request_id") == answer["RequestId"]]

    line = wait_until(access_lines, lambda found: len(found) == 1, timeout=10, what="the access line")[0]
    assert line["level"] == "info" and line["label"] == "easel"
    assert line["dialect"] == "rest" and line["action"] == "create" and line["status"] == 200 and line["code"] == "OK"
    assert line["app"] == str(APP_ID) and line["task_id"] == answer["TaskId"]
    assert isinstance(line["latency_ms"], (int, float))
    # No log line is in the text format (`2026-12-01T22:40:00+0000 info easel: …`); stdout's first-start notice is
    # not a log line.
    text_lines = [l for l in server.read_log(limit=10**7).splitlines()
                  if re.match(r"^\d{4}-\d\d-\d\dT\S+ (trace|debug|info|notice|warning|error|critical) ", l)]
    assert not text_lines, text_lines[:3]


def _free_port() -> int:
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
