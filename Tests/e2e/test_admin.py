"""The admin API (`/easel/v1/admin`) against a real `easel serve`, with plain `requests`.

The admin key is the one the server generates and prints at its first start (read from its log), except in the
test of `EASEL_ADMIN_KEY`. Covered: the error envelope on bad input of every route, unknown routes and methods; app
keys and wrong keys refused; an app and a key made through the admin API and then used on the REST dialect; a
callback URL and a webhook URL set through the admin API used by the next task.
"""

from __future__ import annotations

import json
import re
import types
import uuid

import pytest
import requests
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import models, vod_client

ADMIN = "/easel/v1/admin"
ADMIN_KEY_LINE = re.compile(r"^(sk-easel-admin-[0-9a-f]{48})$", re.MULTILINE)
APP_ID = 1300300001
DELIVERY_TIMEOUT_S = 30
ERROR_STATUS = {"InvalidParameter": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404,
                "MethodNotAllowed": 405, "Conflict": 409, "PayloadTooLarge": 413, "InternalError": 500}


def admin_config() -> dict:
    return {
        "delivery": {"allowed_hosts": ["127.0.0.1"], "retry_delays_seconds": [1, 1, 2]},
        "scheduling": {"create_rate_limit": 0},
        "sandbox": {"latency_ms": 0},
    }


def printed_admin_key(server) -> str:
    found = ADMIN_KEY_LINE.findall(server.read_log(limit=1_000_000))
    assert len(found) == 1, f"the first start must print exactly one admin key, found {found}"
    return found[0]


@pytest.fixture
def admin(start_server):
    """A server, its printed admin key and a `call(method, path, ...)` helper."""
    server = start_server(config=admin_config())
    key = printed_admin_key(server)

    def call(method: str, path: str, *, key_: str | None = key, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if key_ is not None:
            headers["Authorization"] = f"Bearer {key_}"
        return requests.request(method, f"{server.base_url}{ADMIN}/{path}", headers=headers, timeout=30, **kwargs)

    return types.SimpleNamespace(server=server, key=key, call=call)


def assert_envelope(resp: requests.Response, code: str, what: str) -> dict:
    assert resp.status_code == ERROR_STATUS[code], f"{what}: {resp.status_code} {resp.text[:500]}"
    assert resp.headers.get("Content-Type") == "application/json", f"{what}: {resp.headers}"
    body = resp.json()
    assert set(body) == {"error", "request_id"}, f"{what}: {body}"
    assert body["error"]["code"] == code, f"{what}: {body}"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], f"{what}: {body}"
    uuid.UUID(body["request_id"])
    return body


# Bad input on every route of the contract.
BAD_REQUESTS = [
    ("GET", "apps?verbose=1", None),
    ("POST", "apps", {"app_id": "one"}),
    ("POST", "apps", {"app_id": 1, "colour": "red"}),
    ("POST", "apps", {"app_id": 1, "concurrency": -1}),
    ("POST", "apps", {"app_id": 1, "callback_url": "ftp://example.com/x"}),
    ("GET", "apps/abc", None),
    ("PATCH", "apps/251007502", {"app_id": 2}),
    ("PATCH", "apps/251007502", {"create_rate_per_second": "fast"}),
    ("GET", "keys?app_id=x", None),
    ("POST", "keys", {}),
    ("POST", "keys", {"app_id": 1, "token_ttl_seconds": 0}),
    ("POST", "keys/" + "A" * 100 + "/revoke", None),
    ("GET", "tasks?limit=0", None),
    ("GET", "tasks?status=done", None),
    ("GET", "tasks?dialect=soap", None),
    ("GET", "tasks?created_after=yesterday", None),
    ("GET", "tasks?cursor=garbage", None),
    ("GET", "tasks/" + "x" * 200, None),
    ("POST", "tasks/x/abort?force=1", None),
    ("GET", "deliveries?status=lost", None),
    ("GET", "deliveries?limit=501", None),
    ("POST", "deliveries/x/replay?now=1", None),
    ("GET", "usage?since=2026-13-01", None),
    ("GET", "usage?since=2026-03-02&until=2026-03-01", None),
    ("POST", "media", None),
    ("POST", "media?app_id=1&file_id=abc", None),
]


def test_bad_input_on_every_route_is_answered_in_the_envelope(admin):
    for method, path, body in BAD_REQUESTS:
        resp = admin.call(method, path, json=body) if body is not None else admin.call(method, path)
        assert_envelope(resp, "InvalidParameter", f"{method} {path} {body}")
    resp = admin.call("POST", "apps", data=b"{not json", headers={"Content-Type": "application/json"})
    assert_envelope(resp, "InvalidParameter", "malformed JSON")
    resp = admin.call("POST", "apps", json={"app_id": 1, "name": "n" * 70_000})
    assert_envelope(resp, "PayloadTooLarge", "a 70 kB body")
    assert_envelope(admin.call("GET", "nothing/here"), "NotFound", "unknown route")
    assert_envelope(admin.call("DELETE", "apps/1"), "MethodNotAllowed", "unknown method")
    assert_envelope(admin.call("GET", "tasks/251007502-AigcImageTask-none"), "NotFound", "unknown task")
    assert_envelope(admin.call("POST", "keys/AKIDnone/revoke"), "NotFound", "unknown key")
    assert_envelope(admin.call("POST", "deliveries/none/replay"), "NotFound", "unknown delivery")


def test_app_keys_and_wrong_keys_are_refused(admin):
    app = admin.call("POST", "keys", json={"app_id": APP_ID}).json()
    routes = [("GET", "apps"), ("POST", "apps"), ("GET", "apps/1"), ("PATCH", "apps/1"), ("GET", "keys"), ("POST", "keys"),
              ("POST", "keys/x/revoke"), ("GET", "tasks"), ("GET", "tasks/x"), ("POST", "tasks/x/abort"),
              ("GET", "deliveries"), ("POST", "deliveries/x/replay"), ("GET", "usage"), ("POST", "media?app_id=1")]
    for method, path in routes:
        assert_envelope(admin.call(method, path, key_=app["api_key"]), "Forbidden", f"app key on {method} {path}")
        assert_envelope(admin.call(method, path, key_="sk-easel-admin-" + "0" * 48), "Unauthorized", f"wrong key on {path}")
        assert_envelope(admin.call(method, path, key_=None), "Unauthorized", f"no key on {method} {path}")
    # A TC3-signed call (what an SDK sends) is refused as well.
    resp = admin.call("GET", "apps", key_=None, headers={
        "Authorization": f"TC3-HMAC-SHA256 Credential={app['secret_id']}/2026-01-01/vod/tc3_request, "
                         "SignedHeaders=content-type;host, Signature=" + "0" * 64,
        "X-TC-Action": "DescribeTaskDetail", "X-TC-Version": "2018-07-17"})
    assert_envelope(resp, "Forbidden", "TC3 signature")
    assert admin.call("GET", "apps").status_code == 200


def test_configured_admin_key_is_used_and_nothing_is_generated(start_server):
    key = "sk-easel-admin-configured-" + uuid.uuid4().hex
    server = start_server({"EASEL_ADMIN_KEY": key}, config=admin_config())
    assert ADMIN_KEY_LINE.findall(server.read_log(limit=1_000_000)) == [], "a key was generated although one is configured"
    resp = requests.get(f"{server.base_url}{ADMIN}/apps", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert resp.status_code == 200, resp.text
    resp = requests.get(f"{server.base_url}{ADMIN}/apps", headers={"Authorization": f"Bearer {key}x"}, timeout=30)
    assert_envelope(resp, "Unauthorized", "a key one character longer")


def test_generated_admin_key_survives_a_restart_and_is_not_printed_again(admin):
    server = admin.server
    server.stop()
    again = server.relaunch()
    assert len(ADMIN_KEY_LINE.findall(again.read_log(limit=1_000_000))) == 1, "printed again after a restart"
    resp = requests.get(f"{again.base_url}{ADMIN}/apps", headers={"Authorization": f"Bearer {admin.key}"}, timeout=30)
    assert resp.status_code == 200, resp.text


def test_app_and_key_made_through_admin_create_a_rest_task(admin, poll):
    created = admin.call("POST", "apps", json={"app_id": APP_ID, "name": "e2e", "concurrency": 2})
    assert created.status_code == 201, created.text
    app = created.json()
    assert app["app_id"] == APP_ID and app["sub_app_id"] == APP_ID and app["stored"] is True, app
    assert app["concurrency"] == 2 and app["name"] == "e2e", app
    assert_envelope(admin.call("POST", "apps", json={"app_id": APP_ID}), "Conflict", "creating it twice")

    issued = admin.call("POST", "keys", json={"app_id": APP_ID})
    assert issued.status_code == 201, issued.text
    key = issued.json()
    assert key["api_key"].startswith("sk-easel-") and key["secret_id"].startswith("AKID"), key
    assert re.fullmatch(r"whsec_[0-9a-f]{64}", key["webhook_secret"]), key

    base = admin.server.base_url
    resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", timeout=30, headers={"Authorization": f"Bearer {key['api_key']}"},
                         json={"model_name": "GEM", "model_version": "3.0", "prompt": "a kite over dunes"})
    assert resp.status_code == 200, resp.text
    task_id = resp.json()["Response"]["TaskId"]

    detail = poll(lambda: admin.call("GET", f"tasks/{task_id}").json(), lambda d: d.get("status") == "succeeded",
                  what=f"task {task_id} to succeed")
    assert detail["app_id"] == APP_ID and detail["key_id"] == key["secret_id"], detail
    assert detail["model"] == "GEM-3.0" and detail["dialect"] == "rest" and detail["output_count"] == 1, detail
    image = requests.get(detail["outputs"][0]["url"], timeout=30)
    assert image.status_code == 200 and image.headers["Content-Type"].startswith("image/"), image.status_code

    listed = admin.call("GET", f"tasks?app_id={APP_ID}").json()
    assert [t["task_id"] for t in listed["tasks"]] == [task_id] and listed["next_cursor"] is None, listed
    keys = admin.call("GET", f"keys?app_id={APP_ID}").json()["keys"]
    assert [k["secret_id"] for k in keys] == [key["secret_id"]] and "secret_key" not in keys[0], keys

    revoked = admin.call("POST", f"keys/{key['secret_id']}/revoke")
    assert revoked.json() == {"secret_id": key["secret_id"], "revoked": True}, revoked.text
    resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", timeout=30, headers={"Authorization": f"Bearer {key['api_key']}"},
                         json={"model_name": "GEM", "model_version": "3.0", "prompt": "refused"})
    assert resp.status_code == 401, resp.text


def test_callback_and_webhook_urls_set_through_admin_are_used_by_the_next_task(admin, webhook_receiver, poll):
    receiver = webhook_receiver()
    key = admin.call("POST", "keys", json={"app_id": APP_ID}).json()
    patched = admin.call("PATCH", f"apps/{APP_ID}", json={"callback_url": receiver.url("/vod"),
                                                          "webhook_url": receiver.url("/hook")})
    assert patched.status_code == 200, patched.text
    assert patched.json()["callback_url"] == receiver.url("/vod"), patched.text

    http = HttpProfile(endpoint=admin.server.endpoint, protocol="http", reqTimeout=30)
    client = vod_client.VodClient(credential.Credential(key["secret_id"], key["secret_key"]), "", ClientProfile(httpProfile=http))
    req = models.CreateAigcImageTaskRequest()
    req.from_json_string(json.dumps({"SubAppId": APP_ID, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "a lantern"}))
    vod_task = client.CreateAigcImageTask(req).TaskId
    got = receiver.wait_for(lambda r: len(r) >= 1, path="/vod", timeout=DELIVERY_TIMEOUT_S, what="the VOD callback")
    event = got[0].json
    assert event["EventType"] == "AigcImageTaskComplete", event
    assert json.dumps(event).count(vod_task) >= 1, event

    resp = requests.post(f"{admin.server.base_url}/tencent-vod/v1/aigc-image", timeout=30,
                         headers={"Authorization": f"Bearer {key['api_key']}"},
                         json={"model_name": "GEM", "model_version": "3.0", "prompt": "a lantern"})
    rest_task = resp.json()["Response"]["TaskId"]
    got = receiver.wait_for(lambda r: len(r) >= 1, path="/hook", timeout=DELIVERY_TIMEOUT_S, what="the REST webhook")
    assert got[0].json["task_id"] == rest_task, got[0].json
    got[0].verify_signature(key["webhook_secret"], tolerance=30)

    deliveries = poll(lambda: admin.call("GET", f"deliveries?app_id={APP_ID}&status=delivered").json()["deliveries"],
                      lambda d: len(d) == 2, what="both deliveries recorded as delivered")
    assert {d["task_id"] for d in deliveries} == {vod_task, rest_task}, deliveries
    replayed = admin.call("POST", f"deliveries/{deliveries[0]['id']}/replay")
    assert replayed.json() == {"id": deliveries[0]["id"], "replayed": True}, replayed.text
    # Cleared, the URLs are no longer used.
    cleared = admin.call("PATCH", f"apps/{APP_ID}", json={"callback_url": None, "webhook_url": None}).json()
    assert cleared["callback_url"] is None and cleared["webhook_url"] is None, cleared


def test_usage_and_media_through_admin(admin, sample_png, poll):
    key = admin.call("POST", "keys", json={"app_id": APP_ID}).json()
    added = admin.call("POST", f"media?app_id={APP_ID}&name=sample.png", data=sample_png.read_bytes())
    assert added.status_code == 201, added.text
    assert added.json()["width"] == 64 and added.json()["height"] == 48, added.text
    resp = requests.post(f"{admin.server.base_url}/tencent-vod/v1/aigc-image", timeout=30,
                         headers={"Authorization": f"Bearer {key['api_key']}"},
                         json={"model_name": "GEM", "model_version": "3.0", "prompt": "from a file",
                               "file_infos": [{"type": "File", "file_id": added.json()["file_id"]}]})
    assert resp.status_code == 200, resp.text
    task_id = resp.json()["Response"]["TaskId"]
    poll(lambda: admin.call("GET", f"tasks/{task_id}").json(), lambda d: d.get("status") == "succeeded",
         what=f"task {task_id} to succeed")
    usage = admin.call("GET", f"usage?app_id={APP_ID}").json()
    assert len(usage["usage"]) == 1, usage
    row = usage["usage"][0]
    assert (row["created"], row["succeeded"], row["images"], row["key_id"], row["model"]) == \
        (1, 1, 1, key["secret_id"], "GEM-3.0"), row
    assert row["cost"] is None and usage["totals"]["created"] == 1, usage
