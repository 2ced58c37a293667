"""Result delivery: signed webhooks (REST, OpenAI), VOD event callbacks and PullEvents/ConfirmEvents, retries,
dead letters and replay (HTTP API and CLI), redirects, and the SSRF guard at create time.

Every test starts its own `easel serve --config FILE` (own data dir and port) and real HTTP receivers on
127.0.0.1 (`webhook_receiver`); the config allows 127.0.0.1 as a delivery target and retries after 1, 1 and
2 seconds (4 attempts in all).
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
import types

import pytest
import requests
from openai import BadRequestError, OpenAI
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import models, vod_client

APP_ID = 1300200001
OTHER_APP_ID = 1300200002
RETRY_DELAYS = [1, 1, 2]
ATTEMPTS = len(RETRY_DELAYS) + 1
WEBHOOK_ID = re.compile(r"^evt_[0-9A-Za-z_-]+$")
WEBHOOK_SECRET = re.compile(r"^whsec_[0-9a-f]{64}$")
# Longest wait for one delivery that should succeed at once (task + sender tick of 1 s).
DELIVERY_TIMEOUT_S = 20
# Longest wait for a delivery to go dead: 1 + 1 + 2 s (+20% jitter) plus sender ticks and task time.
DEAD_TIMEOUT_S = 30


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def delivery_config(receiver, **overrides) -> dict:
    config = {
        "apps": [{"app_id": APP_ID, "sub_app_id": APP_ID, "concurrency": 2,
                  "callback_url": receiver.url("/vod"), "webhook_url": receiver.url("/hook")}],
        "delivery": {"allowed_hosts": ["127.0.0.1"], "retry_delays_seconds": RETRY_DELAYS},
        "scheduling": {"drain_timeout_seconds": 10, "create_rate_limit": 0},
        "sandbox": {"latency_ms": 0},
    }
    config.update(overrides)
    return config


@pytest.fixture
def setup(start_server, webhook_receiver):
    """A receiver, a server whose app APP_ID pushes to it, and the app's keys."""
    receiver = webhook_receiver()
    server = start_server(config=delivery_config(receiver))
    keys = server.create_keys(APP_ID, APP_ID)
    assert keys.webhook_secret and WEBHOOK_SECRET.match(keys.webhook_secret), (
        f"`easel keys create` printed no WebhookSecret of the form whsec_<64 hex>: {keys}"
    )
    return types.SimpleNamespace(receiver=receiver, server=server, keys=keys)


def rest_create(server, keys, **fields) -> str:
    body = {"model_name": "GEM", "model_version": "2.5", "prompt": "a paper boat on a pond",
            "output_config": {"storage_mode": "Temporary", "aspect_ratio": "1:1"}}
    body.update(fields)
    resp = requests.post(f"{server.base_url}/tencent-vod/v1/aigc-image", json=body, headers=keys.bearer, timeout=30)
    assert resp.status_code == 200, f"REST create -> {resp.status_code}: {resp.text[:500]}"
    task_id = resp.json()["Response"].get("TaskId")
    assert task_id, resp.text
    return task_id


def vod_client_for(server, keys) -> vod_client.VodClient:
    http = HttpProfile(endpoint=server.endpoint, protocol="http", reqTimeout=30)
    return vod_client.VodClient(keys.credential(), "", ClientProfile(httpProfile=http))


def vod_create(client, sub_app_id: int, **fields) -> str:
    params = {"SubAppId": sub_app_id, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "a lantern in the fog",
              "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "1:1"}}
    params.update(fields)
    req = models.CreateAigcImageTaskRequest()
    req.from_json_string(json.dumps(params))
    task_id = client.CreateAigcImageTask(req).TaskId
    assert task_id
    return task_id


def vod_wait_finished(client, task_id: str, sub_app_id: int, poll):
    def describe():
        req = models.DescribeTaskDetailRequest()
        req.TaskId = task_id
        req.SubAppId = sub_app_id
        return client.DescribeTaskDetail(req)

    resp = poll(describe, lambda r: r.Status in ("FINISH", "ABORTED"), what=f"VOD task {task_id} to finish")
    assert resp.Status == "FINISH" and resp.AigcImageTask.ErrCode == 0, resp.to_json_string()
    return resp


def list_deliveries(server, keys, status=None) -> list:
    params = {"status": status} if status else {}
    resp = requests.get(f"{server.base_url}/easel/v1/deliveries", params=params, headers=keys.bearer, timeout=30)
    assert resp.status_code == 200, f"GET /easel/v1/deliveries -> {resp.status_code}: {resp.text[:500]}"
    body = resp.json()
    assert isinstance(body.get("deliveries"), list), body
    return body["deliveries"]


def delivery_of(server, keys, task_id: str) -> dict:
    found = [d for d in list_deliveries(server, keys) if d.get("task_id") == task_id]
    assert len(found) == 1, f"expected one delivery for {task_id}, got {found}"
    return found[0]


def replay(server, keys, delivery_id: str) -> requests.Response:
    return requests.post(f"{server.base_url}/easel/v1/deliveries/{delivery_id}/replay", headers=keys.bearer, timeout=30)


def assert_no_more(receiver, path: str, count: int, seconds: float = 3.0) -> None:
    """Over the next `seconds`, `path` must not receive more than `count` requests (a bounded wait, not a sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = receiver.received(path)
        assert len(got) <= count, (
            f"{path} received {len(got)} requests, expected {count}: "
            f"{[(r.status, r.webhook_id, r.body[:200]) for r in got]}"
        )
        time.sleep(0.1)


def fetch_image_ok(images, url: str):
    assert url and url.startswith("http"), f"not a URL: {url!r}"
    _, img = images.fetch(url)
    assert img.width > 0 and img.height > 0
    return img


def assert_succeeded_webhook(req, keys, task_id: str) -> dict:
    """`req` is a `task.completed` webhook signed with the app's secret, saying `task_id` succeeded; its body."""
    req.verify_signature(keys.webhook_secret, tolerance=30)
    body = req.json
    assert body.get("event_id") == req.webhook_id, body
    assert body.get("event_type") == "task.completed", body
    assert body.get("task_id") == task_id, body
    assert body.get("status") == "succeeded", body
    return body


def assert_rest_webhook(req, keys, task_id: str, images) -> dict:
    assert req.method == "POST"
    assert req.headers.get("content-type", "").startswith("application/json"), req.headers
    assert req.webhook_id and WEBHOOK_ID.match(req.webhook_id), f"bad Easel-Webhook-Id {req.webhook_id!r}"
    body = assert_succeeded_webhook(req, keys, task_id)
    response = body.get("Response")
    assert isinstance(response, dict) and response.get("Status") == "FINISH", body
    task = response["AigcImageTask"]
    assert task["TaskId"] == task_id and task["ErrCode"] == 0, task
    file_infos = task["Output"]["FileInfos"]
    assert file_infos, task
    fetch_image_ok(images, file_infos[0]["FileUrl"])
    return body


# --------------------------------------------------------------------------
# Webhooks and callbacks
# --------------------------------------------------------------------------


def test_rest_webhook_signed_and_delivered_once(setup, images):
    receiver, server, keys = setup.receiver, setup.server, setup.keys
    task_id = rest_create(server, keys, callback_url=receiver.url("/rest"), session_context="ctx-rest")

    got = receiver.wait_for(lambda r: len(r) >= 1, path="/rest", timeout=DELIVERY_TIMEOUT_S,
                            what=f"the webhook of {task_id}")
    body = assert_rest_webhook(got[0], keys, task_id, images)
    assert body["Response"]["AigcImageTask"]["SessionContext"] == "ctx-rest", body

    # The signature covers the exact bytes: a changed body or another secret does not verify.
    tampered = dataclasses.replace(got[0], body=got[0].body.replace(b"succeeded", b"failed"))
    with pytest.raises(AssertionError):
        tampered.verify_signature(keys.webhook_secret)
    with pytest.raises(AssertionError):
        got[0].verify_signature("whsec_" + "0" * 64)

    # Exactly once: recorded as delivered after one attempt, no second POST, the app default not used.
    delivery = delivery_of(server, keys, task_id)
    assert delivery["id"] == got[0].webhook_id, delivery
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1, delivery
    assert delivery["url"] == receiver.url("/rest"), delivery
    assert_no_more(receiver, "/rest", 1)
    assert receiver.received("/hook") == [], "the app's webhook_url was used although the task named its own"
    assert receiver.received("/vod") == [], "a REST task produced a VOD callback"


def test_openai_webhook_via_extra_body(setup, images):
    receiver, server, keys = setup.receiver, setup.server, setup.keys
    client = OpenAI(base_url=f"{server.base_url}/v1", api_key=keys.api_key, max_retries=0, timeout=120)
    started = time.time()
    result = client.images.generate(model="GG-2.5", prompt="a red fox", size="1024x1024", response_format="url",
                                    extra_body={"callback_url": receiver.url("/openai")})
    task_id = (result.model_extra or {}).get("easel_task_id")
    assert task_id, f"response has no easel_task_id: {result}"

    got = receiver.wait_for(lambda r: len(r) >= 1, path="/openai", timeout=DELIVERY_TIMEOUT_S,
                            what="the OpenAI webhook")
    req = got[0]
    assert req.method == "POST" and WEBHOOK_ID.match(req.webhook_id or ""), req.headers
    body = assert_succeeded_webhook(req, keys, task_id)
    assert "error" not in body or body["error"] is None, body
    assert isinstance(body.get("created"), int) and abs(body["created"] - started) < 60, body
    assert len(body.get("data") or []) == len(result.data) == 1, body
    pushed, _ = images.fetch(body["data"][0]["url"])
    answered, _ = images.fetch(result.data[0].url)
    assert pushed == answered, "the webhook's image differs from the synchronous answer's"

    assert_no_more(receiver, "/openai", 1)
    assert receiver.received("/hook") == [], "the app's webhook_url was used although the request named its own"


def test_app_webhook_url_is_the_default(setup, images):
    """REST and OpenAI tasks that name no callback go to the app's `webhook_url`; MPS and VOD tasks never do."""
    receiver, server, keys = setup.receiver, setup.server, setup.keys
    rest_id = rest_create(server, keys)
    client = OpenAI(base_url=f"{server.base_url}/v1", api_key=keys.api_key, max_retries=0, timeout=120)
    result = client.images.generate(model="GG-2.5", prompt="a blue whale", size="1024x1024", response_format="url")
    openai_id = (result.model_extra or {}).get("easel_task_id")
    assert openai_id, result

    got = receiver.wait_for(lambda r: {x.json.get("task_id") for x in r} >= {rest_id, openai_id}, path="/hook",
                            timeout=DELIVERY_TIMEOUT_S, what="both default webhooks")
    by_task = {r.json["task_id"]: r for r in got}
    assert_rest_webhook(by_task[rest_id], keys, rest_id, images)
    openai_req = by_task[openai_id]
    openai_req.verify_signature(keys.webhook_secret, tolerance=30)
    assert openai_req.json["status"] == "succeeded" and openai_req.json["data"][0]["url"], openai_req.json
    assert "Response" not in openai_req.json, "an OpenAI task was delivered in the REST body shape"
    assert len({r.webhook_id for r in got}) == len(got) == 2, [(r.webhook_id, r.json.get("task_id")) for r in got]


def test_vod_event_callback(setup, poll, images):
    receiver, server, keys = setup.receiver, setup.server, setup.keys
    client = vod_client_for(server, keys)
    task_id = vod_create(client, APP_ID, SessionContext="vod-ctx-42")

    got = receiver.wait_for(lambda r: len(r) >= 1, path="/vod", timeout=DELIVERY_TIMEOUT_S,
                            what=f"the VOD callback of {task_id}")
    req = got[0]
    assert req.method == "POST" and WEBHOOK_ID.match(req.webhook_id or ""), req.headers
    req.verify_signature(keys.webhook_secret, tolerance=30)
    body = req.json
    assert body.get("EventType") == "AigcImageTaskComplete", body
    assert "EventHandle" not in body, "a pushed callback carries an EventHandle (only PullEvents has them)"
    event = body.get("AigcImageCompleteEvent")
    assert isinstance(event, dict), body
    assert event["TaskId"] == task_id and event["Status"] == "FINISH" and event["ErrCode"] == 0, event
    assert event.get("SessionContext") == "vod-ctx-42", event
    file_infos = event["Output"]["FileInfos"]
    assert file_infos, event
    fetch_image_ok(images, file_infos[0]["FileUrl"])

    # The event matches what DescribeTaskDetail says.
    detail = vod_wait_finished(client, task_id, APP_ID, poll)
    assert detail.AigcImageTask.TaskId == event["TaskId"]
    assert len(detail.AigcImageTask.Output.FileInfos) == len(file_infos)

    delivery = delivery_of(server, keys, task_id)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1, delivery
    assert_no_more(receiver, "/vod", 1)
    assert receiver.received("/hook") == [], "a VOD task went to the REST/OpenAI webhook_url"


# --------------------------------------------------------------------------
# PullEvents / ConfirmEvents (the reliable callback) with the SDK
# --------------------------------------------------------------------------


def pull(client, sub_app_id: int):
    req = models.PullEventsRequest()
    req.SubAppId = sub_app_id
    started = time.monotonic()
    resp = client.PullEvents(req)
    assert resp.RequestId
    return resp.EventSet or [], time.monotonic() - started


def confirm(client, sub_app_id: int, handles: list):
    req = models.ConfirmEventsRequest()
    req.SubAppId = sub_app_id
    req.EventHandles = handles
    return client.ConfirmEvents(req)


def assert_event(event, task_ids) -> None:
    assert isinstance(event, models.EventContent), type(event)
    assert event.EventHandle and isinstance(event.EventHandle, str), event
    assert event.EventType == "AigcImageTaskComplete", event
    task = event.AigcImageCompleteEvent
    assert isinstance(task, models.AigcImageTask), f"AigcImageCompleteEvent not parsed by the SDK: {task!r}"
    assert task.TaskId in task_ids, task.TaskId
    assert task.Status == "FINISH" and task.ErrCode == 0, task
    assert task.Output.FileInfos and task.Output.FileInfos[0].FileUrl


def test_pull_and_confirm_events(setup, poll):
    server, keys = setup.server, setup.keys
    client = vod_client_for(server, keys)
    task_ids = [vod_create(client, APP_ID, SessionContext=f"pull-{i}") for i in range(3)]
    for task_id in task_ids:
        vod_wait_finished(client, task_id, APP_ID, poll)

    # Pending events come back at once, all in one pull (≤ 16).
    events, elapsed = pull(client, APP_ID)
    assert elapsed < 3, f"PullEvents with pending events took {elapsed:.1f}s"
    assert sorted(e.AigcImageCompleteEvent.TaskId for e in events) == sorted(task_ids), [e.to_json_string() for e in events]
    for event in events:
        assert_event(event, task_ids)
        assert event.AigcImageCompleteEvent.SessionContext.startswith("pull-")
    assert len({e.EventHandle for e in events}) == 3

    confirm(client, APP_ID, [e.EventHandle for e in events])
    confirm(client, APP_ID, [events[0].EventHandle])  # confirming twice is harmless

    # Nothing pending: the pull holds (≤ 5 s) and returns an empty EventSet.
    again, elapsed = pull(client, APP_ID)
    assert again == [], [e.to_json_string() for e in again]
    assert 3 <= elapsed <= 8, f"an empty PullEvents returned after {elapsed:.1f}s, expected a long-poll of about 5s"

    # An unknown handle is refused.
    with pytest.raises(TencentCloudSDKException) as info:
        confirm(client, APP_ID, ["12345678901234567890"])
    assert info.value.get_code().startswith("InvalidParameterValue"), (info.value.get_code(), info.value.get_message())

    # A long-poll is woken by a task that finishes while it waits.
    box: dict = {}

    def waiter():
        try:
            box["result"] = pull(client, APP_ID)
        except Exception as exc:  # reported below
            box["error"] = exc

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.5)  # let the pull start waiting
    late_id = vod_create(client, APP_ID)
    thread.join(timeout=15)
    assert not thread.is_alive(), "PullEvents did not return"
    assert "error" not in box, box
    late_events, elapsed = box["result"]
    if not late_events:  # the task finished just after that long-poll's last check: pull once more
        late_events, _ = pull(client, APP_ID)
    else:
        assert elapsed < 5, f"the long-poll returned the event only after {elapsed:.1f}s"
    assert [e.AigcImageCompleteEvent.TaskId for e in late_events] == [late_id]
    assert_event(late_events[0], [late_id])
    pulled_at = time.monotonic()

    # Not confirmed: invisible for 30 s, then pullable again; confirming then works and it is gone.
    hidden, _ = pull(client, APP_ID)
    assert hidden == [], "an unconfirmed event came back before 30 s"
    deadline = pulled_at + 45
    back: list = []
    while not back and time.monotonic() < deadline:
        back, _ = pull(client, APP_ID)
    waited = time.monotonic() - pulled_at
    assert back, f"the unconfirmed event did not come back within {waited:.0f}s"
    assert 28 <= waited, f"the unconfirmed event came back after {waited:.1f}s, before the 30 s window"
    assert [e.AigcImageCompleteEvent.TaskId for e in back] == [late_id]
    confirm(client, APP_ID, [back[0].EventHandle])
    gone, _ = pull(client, APP_ID)
    assert gone == [], [e.to_json_string() for e in gone]


# --------------------------------------------------------------------------
# Retries, dead letters and replay
# --------------------------------------------------------------------------


def test_retry_until_success_keeps_the_webhook_id(setup, images):
    receiver, server, keys = setup.receiver, setup.server, setup.keys
    receiver.respond("/flaky", 500, 500, 500, 200)
    task_id = rest_create(server, keys, callback_url=receiver.url("/flaky"))

    got = receiver.wait_for(lambda r: len(r) >= 4, path="/flaky", timeout=DEAD_TIMEOUT_S,
                            what="4 attempts (500, 500, 500, 200)")
    assert [r.status for r in got] == [500, 500, 500, 200]
    assert len({r.webhook_id for r in got}) == 1, f"Easel-Webhook-Id changed between attempts: {[r.webhook_id for r in got]}"
    for req in got:
        req.verify_signature(keys.webhook_secret, tolerance=30)
        assert req.json["event_id"] == got[0].webhook_id and req.json["task_id"] == task_id
    assert_rest_webhook(got[-1], keys, task_id, images)

    # The retry schedule: 1 s, 1 s, 2 s (±20% jitter; the sender looks for due deliveries every second).
    gaps = [b.received_at - a.received_at for a, b in zip(got, got[1:])]
    for gap, delay in zip(gaps, RETRY_DELAYS):
        assert 0.7 * delay <= gap <= 1.2 * delay + 2.0, f"attempt gaps {gaps} do not follow the schedule {RETRY_DELAYS}"

    delivery = delivery_of(server, keys, task_id)
    assert delivery["id"] == got[0].webhook_id
    assert delivery["status"] == "delivered" and delivery["attempts"] == 4, delivery
    assert_no_more(receiver, "/flaky", 4)


def wait_dead(server, keys, task_ids, poll) -> dict:
    """Wait until the deliveries of task_ids are dead; return them by task id."""
    def fetch():
        return {d["task_id"]: d for d in list_deliveries(server, keys, "dead")}

    dead = poll(fetch, lambda m: set(task_ids) <= set(m), timeout=DEAD_TIMEOUT_S, interval=0.5,
                what=f"the deliveries of {task_ids} to be dead")
    return {t: dead[t] for t in task_ids}


def test_dead_letter_listed_and_replayed_by_api_and_cli(setup, start_server, poll, easel_cli, images):
    receiver, server, keys = setup.receiver, setup.server, setup.keys
    receiver.respond("/down", 500)
    first = rest_create(server, keys, callback_url=receiver.url("/down"))
    second = rest_create(server, keys, callback_url=receiver.url("/down"))

    dead = wait_dead(server, keys, [first, second], poll)
    for task_id, delivery in dead.items():
        assert delivery["status"] == "dead" and delivery["attempts"] == ATTEMPTS, delivery
        assert "500" in (delivery.get("last_error") or ""), delivery
        assert delivery["url"] == receiver.url("/down"), delivery
        sent = [r for r in receiver.received("/down") if r.webhook_id == delivery["id"]]
        assert len(sent) == ATTEMPTS and all(r.status == 500 for r in sent), [(r.status, r.webhook_id) for r in sent]
    assert {d["id"] for d in list_deliveries(server, keys, "delivered")}.isdisjoint(d["id"] for d in dead.values())
    assert_no_more(receiver, "/down", 2 * ATTEMPTS)  # no more attempts once dead

    # The CLI lists them too (one JSON object per line), while the server runs.
    proc = easel_cli(["deliveries", "list", "--status", "dead", "--data-dir", server.data_dir])
    assert proc.returncode == 0, f"easel deliveries list failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    cli = {d["task_id"]: d for d in lines}
    for task_id, delivery in dead.items():
        assert task_id in cli, f"`easel deliveries list --status dead` lacks {task_id}:\n{proc.stdout}"
        assert cli[task_id]["id"] == delivery["id"] and cli[task_id]["status"] == "dead", cli[task_id]
        assert cli[task_id]["attempts"] == ATTEMPTS, cli[task_id]
    assert all(d["status"] == "dead" for d in lines), lines

    # Another app can neither see nor replay them; unknown ids are 404.
    other = server.create_keys(OTHER_APP_ID, OTHER_APP_ID)
    assert list_deliveries(server, other) == []
    resp = replay(server, other, dead[first]["id"])
    assert resp.status_code == 404, f"another app's replay -> {resp.status_code}: {resp.text}"
    resp = replay(server, keys, "evt_doesnotexist")
    assert resp.status_code == 404 and resp.json()["Response"]["Error"]["Code"] == "ResourceNotFound", resp.text
    resp = requests.get(f"{server.base_url}/easel/v1/deliveries", headers={"Authorization": "Bearer nope"}, timeout=30)
    assert resp.status_code == 401, resp.text
    resp = requests.get(f"{server.base_url}/easel/v1/deliveries", params={"status": "bogus"}, headers=keys.bearer,
                        timeout=30)
    assert resp.status_code == 400, resp.text

    # The receiver recovers. Replay the first by the API...
    receiver.respond("/down", 200)
    first_id, second_id = dead[first]["id"], dead[second]["id"]
    replayed_at = time.monotonic()
    resp = replay(server, keys, first_id)
    assert resp.status_code == 200, f"replay -> {resp.status_code}: {resp.text}"
    assert resp.json().get("id") == first_id and resp.json().get("status") == "pending", resp.text
    got = receiver.wait_for(lambda r: any(x.webhook_id == first_id and x.status == 200 for x in r), path="/down",
                            timeout=10, what=f"the API replay of {first_id}")
    took = time.monotonic() - replayed_at
    assert took <= 3, f"the replayed delivery was re-sent only after {took:.1f}s"
    assert_rest_webhook([x for x in got if x.status == 200][-1], keys, first, images)
    delivered = poll(lambda: delivery_of(server, keys, first), lambda d: d["status"] == "delivered", timeout=10,
                     what=f"{first_id} to be recorded as delivered")
    assert delivered["attempts"] == 1, delivered

    # ... and the second by the CLI.
    replayed_at = time.monotonic()
    proc = easel_cli(["deliveries", "replay", second_id, "--data-dir", server.data_dir])
    assert proc.returncode == 0, f"easel deliveries replay failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    got = receiver.wait_for(lambda r: any(x.webhook_id == second_id and x.status == 200 for x in r), path="/down",
                            timeout=10, what=f"the CLI replay of {second_id}")
    took = time.monotonic() - replayed_at
    assert took <= 4, f"the delivery replayed by the CLI was re-sent only after {took:.1f}s"
    assert_rest_webhook([x for x in got if x.status == 200 and x.webhook_id == second_id][-1], keys, second, images)
    poll(lambda: delivery_of(server, keys, second), lambda d: d["status"] == "delivered", timeout=10,
         what=f"{second_id} to be recorded as delivered")
    assert list_deliveries(server, keys, "dead") == []
    proc = easel_cli(["deliveries", "replay", "evt_doesnotexist", "--data-dir", server.data_dir])
    assert proc.returncode != 0, "replaying an unknown delivery by the CLI succeeded"
    assert_no_more(receiver, "/down", 2 * ATTEMPTS + 2, seconds=2)


def test_redirects_are_not_followed(setup, poll):
    receiver, server, keys = setup.receiver, setup.server, setup.keys
    receiver.respond("/r302", (302, {"Location": receiver.url("/target")}))
    receiver.respond("/r307", (307, {"Location": receiver.url("/target")}))
    task_302 = rest_create(server, keys, callback_url=receiver.url("/r302"))
    task_307 = rest_create(server, keys, callback_url=receiver.url("/r307"))

    dead = wait_dead(server, keys, [task_302, task_307], poll)
    for path, task_id in (("/r302", task_302), ("/r307", task_307)):
        delivery = dead[task_id]
        assert delivery["attempts"] == ATTEMPTS, delivery
        assert len(receiver.received(path)) == ATTEMPTS, [(r.status, r.webhook_id) for r in receiver.received(path)]
    assert receiver.received("/target") == [], (
        f"the redirect target was called: {[(r.method, r.webhook_id) for r in receiver.received('/target')]}"
    )


# --------------------------------------------------------------------------
# SSRF guard at create time (the suite's default server has no allowed_hosts)
# --------------------------------------------------------------------------

def test_internal_targets_are_refused_at_send_time(start_server, webhook_receiver, poll):
    """Without allowed_hosts, configured URLs that resolve to loopback are never connected to (checked when sending)."""
    receiver = webhook_receiver()
    config = delivery_config(receiver)
    del config["delivery"]["allowed_hosts"]
    config["apps"][0]["webhook_url"] = f"http://localhost:{receiver.port}/hook"   # a name resolving to loopback
    config["apps"][0]["callback_url"] = receiver.url("/vod")                      # a loopback literal
    server = start_server(config=config)
    keys = server.create_keys(APP_ID, APP_ID)
    rest_id = rest_create(server, keys)
    vod_id = vod_create(vod_client_for(server, keys), APP_ID)

    dead = wait_dead(server, keys, [rest_id, vod_id], poll)
    for delivery in dead.values():
        assert delivery["attempts"] == 1, f"a refused target was retried: {delivery}"
        assert re.search(r"private|internal", delivery.get("last_error") or ""), delivery
    assert_no_more(receiver, None, 0, seconds=1)


REFUSED_URLS = [
    "http://169.254.169.254/latest",          # cloud metadata (link-local)
    "http://127.0.0.1:1/x",                   # loopback
    "http://localhost:8080/hook",             # loopback by name
    "http://10.1.2.3/hook",                   # private
    "http://192.168.0.10/hook",               # private
    "http://[::1]/hook",                      # IPv6 loopback
    "http://[::ffff:127.0.0.1]/hook",         # IPv4-mapped loopback
    "file:///etc/passwd",                     # not http(s)
    "http://user:pw@example.com/hook",        # credentials in the URL
]
FIELD_NAME = re.compile(r"callback_?url", re.IGNORECASE)


def rest_create_with_callback(server, keys, url: str) -> requests.Response:
    """POST a REST create whose `callback_url` is `url`; the answer, whatever it is."""
    body = {"model_name": "GEM", "model_version": "2.5", "prompt": "a paper boat", "callback_url": url}
    return requests.post(f"{server.base_url}/tencent-vod/v1/aigc-image", json=body, headers=keys.bearer, timeout=30)


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_rest_refuses_internal_callback_urls(easel_server, new_app, url):
    keys = new_app()
    resp = rest_create_with_callback(easel_server, keys, url)
    assert resp.status_code == 400, f"callback_url {url} -> {resp.status_code}: {resp.text[:500]}"
    error = resp.json()["Response"]["Error"]
    assert error["Code"] == "InvalidParameterValue", error
    assert FIELD_NAME.search(error["Message"]), f"the message does not name the field: {error}"
    # Nothing was queued for the refused request.
    listed = requests.get(f"{easel_server.base_url}/easel/v1/deliveries", headers=keys.bearer, timeout=30)
    assert listed.status_code == 200 and listed.json()["deliveries"] == [], listed.text


def test_rest_refusal_names_the_field_as_sent(easel_server, new_app):
    """REST messages name fields in the dialect's snake_case (`output_config.aspect_ratio: ...`); so must this one."""
    keys = new_app()
    resp = rest_create_with_callback(easel_server, keys, "http://169.254.169.254/latest")
    assert resp.status_code == 400, resp.text
    message = resp.json()["Response"]["Error"]["Message"]
    assert "callback_url" in message, f"the REST client sent `callback_url`, the message says: {message!r}"


def test_rest_accepts_a_public_callback_host(easel_server, new_app):
    """Host names are resolved (and checked again) at delivery time, so a public name is accepted at create."""
    keys = new_app()
    resp = rest_create_with_callback(easel_server, keys, "https://hooks.example.com/easel")
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest", "http://127.0.0.1:1/x"])
def test_openai_refuses_internal_callback_urls(easel_server, new_app, url):
    keys = new_app()
    client = OpenAI(base_url=f"{easel_server.base_url}/v1", api_key=keys.api_key, max_retries=0, timeout=60)
    with pytest.raises(BadRequestError) as info:
        client.images.generate(model="GG-2.5", prompt="a red fox", size="1024x1024",
                               extra_body={"callback_url": url})
    error = info.value.body if isinstance(info.value.body, dict) else {}
    assert FIELD_NAME.search(json.dumps(error) + str(info.value)), f"the error does not name callback_url: {info.value}"
