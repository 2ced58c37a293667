"""Secrets never leak: not into the server's logs (at EASEL_LOG_LEVEL=trace) and not into any response body.

One server at trace level with an app that has a webhook URL, and an `openai-compatible` upstream (a tiny local
fake of the OpenAI images API) configured with a recognisable `api_key`. The test runs a whole flow — credentials
from `easel keys create`, a VOD create with the official SDK (TC3) and its DescribeTaskDetail (TC3 GET and v1 too),
a REST create with Bearer and a signed webhook to a local receiver, an OpenAI generation (served by the upstream),
the delivery API, a signed file download, and failing calls (wrong SecretKey, tampered signature, wrong API key) —
recording every response body. Then none of SecretKey, ApiKey, WebhookSecret, the upstream api key or the master
key (data_dir/master.key, raw and as hex/base64) may appear in the server's stdout/stderr or any response body
(or any webhook body/headers). A second test makes the upstream fail with an error body that quotes its key:
that key must not be relayed to clients either.
"""

from __future__ import annotations

import base64
import json
import time
import types

import pytest
import requests
from openai import DefaultHttpxClient, OpenAI
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import models, vod_client

import fuzzing as fz
from fake_http import FakeHTTPServer, Reply, Request, solid_png

APP_ID = 1300400001
UPSTREAM_KEY = "sk-upstream-SECRET-5f3c1e0d9b8a7f6e5d4c3b2a19081726"
TRACE_ENV = {"EASEL_LOG_LEVEL": "trace", "EASEL_RATE_LIMIT": "0"}


class FakeImagesAPI:
    """`POST /v1/images/generations` answering one b64_json PNG; a prompt containing FAIL401 gets a 401 whose
    body quotes the key it was sent (as a careless upstream or gateway might)."""

    def __init__(self) -> None:
        self.authorizations: list = []
        self._png = base64.b64encode(solid_png((10, 200, 90))).decode()
        self._server = FakeHTTPServer(self._answer)
        self.url = self._server.url

    def _answer(self, request: Request) -> Reply:
        auth = request.headers.get("Authorization", "")
        self.authorizations.append(auth)
        if "FAIL401" in request.json_field("prompt"):
            return Reply.json(401, {"error": {"message": f"Incorrect API key provided: {auth}",
                                              "type": "invalid_request_error", "code": "invalid_api_key"}})
        return Reply.json(200, {"created": int(time.time()), "data": [{"b64_json": self._png}]})

    def close(self) -> None:
        self._server.close()


class Recorder:
    """Every response body the test's clients received (requests-based SDK, raw requests, httpx for openai)."""

    def __init__(self) -> None:
        self.bodies: list = []  # (what, bytes)

    def add(self, what: str, body: bytes, headers: dict) -> None:
        self.bodies.append((what, body + b"\n" + json.dumps(dict(headers)).encode()))

    def install_requests(self, monkeypatch) -> None:
        original = requests.adapters.HTTPAdapter.send
        recorder = self

        def send(adapter, request, *args, **kwargs):
            response = original(adapter, request, *args, **kwargs)
            recorder.add(f"{request.method} {request.url}", response.content, response.headers)
            return response

        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)

    def httpx_client(self) -> DefaultHttpxClient:
        """openai-python's own HTTP client class, with a hook that records every response."""

        def hook(response) -> None:
            response.read()
            self.add(f"{response.request.method} {response.request.url}", response.content, response.headers)

        return DefaultHttpxClient(event_hooks={"response": [hook]}, timeout=120)


@pytest.fixture
def setup(start_server, webhook_receiver, monkeypatch):
    fake = FakeImagesAPI()
    receiver = webhook_receiver()
    config = {
        "apps": [{"app_id": APP_ID, "sub_app_id": APP_ID, "concurrency": 2, "webhook_url": receiver.url("/hook")}],
        "delivery": {"allowed_hosts": ["127.0.0.1"], "retry_delays_seconds": [1, 1]},
        "scheduling": {"create_rate_limit": 0},
        "upstreams": [{"name": "fake-openai", "provider": "openai-compatible", "base_url": fake.url,
                       "api_key": UPSTREAM_KEY, "models": ["GG/2.5"], "options": {"response_format": "b64_json"},
                       "max_attempts": 1}],
        "sandbox": {"latency_ms": 0},
    }
    server = start_server(TRACE_ENV, config=config)
    keys = server.create_keys(APP_ID, APP_ID)
    assert keys.webhook_secret, f"`easel keys create` printed no WebhookSecret: {keys}"
    recorder = Recorder()
    recorder.install_requests(monkeypatch)
    yield types.SimpleNamespace(server=server, keys=keys, fake=fake, receiver=receiver, recorder=recorder)
    fake.close()


def secrets_of(setup) -> fz.Secrets:
    keys = setup.keys
    values = {"SecretKey": keys.secret_key, "ApiKey": keys.api_key, "WebhookSecret": keys.webhook_secret,
              "upstream api_key": UPSTREAM_KEY}
    master = setup.server.data_dir / "master.key"
    assert master.exists(), f"no master key file at {master}"
    values.update(fz.Secrets.master_key_forms(master.read_bytes()))
    return fz.Secrets(values)


def vod(server, keys, **profile) -> vod_client.VodClient:
    http = HttpProfile(endpoint=server.endpoint, protocol="http", reqTimeout=30,
                       reqMethod=profile.pop("req_method", "POST"))
    client_profile = ClientProfile(httpProfile=http)
    if "sign_method" in profile:
        client_profile.signMethod = profile.pop("sign_method")
    return vod_client.VodClient(keys.credential(**profile), "", client_profile)


def vod_create(client, keys, prompt="a lantern in the fog") -> str:
    req = models.CreateAigcImageTaskRequest()
    req.from_json_string(json.dumps({"SubAppId": keys.sub_app_id, "ModelName": "GG", "ModelVersion": "2.5",
                                     "Prompt": prompt, "OutputConfig": {"AspectRatio": "1:1"}}))
    return client.CreateAigcImageTask(req).TaskId


def vod_describe(client, keys, task_id):
    req = models.DescribeTaskDetailRequest()
    req.TaskId = task_id
    req.SubAppId = keys.sub_app_id
    return client.DescribeTaskDetail(req)


def assert_no_leaks(setup, extra: list = ()) -> None:
    secrets = secrets_of(setup)
    problems = []
    log = setup.server.log_path.read_bytes()
    assert b" trace " in log, "the server log has no trace-level line: EASEL_LOG_LEVEL=trace was not applied"
    for label in secrets.found_in(log):
        line = next((ln for ln in log.splitlines() if _contains(ln, secrets.values[label.split(" (")[0]])), b"")
        problems.append(f"server log contains {label}: {line[:300]!r}")
    for what, body in list(setup.recorder.bodies) + list(extra):
        for label in secrets.found_in(body):
            problems.append(f"response to {what[:120]} contains {label}: {body[:300]!r}")
    for req in setup.receiver.received():
        blob = req.body + json.dumps(req.headers).encode()
        for label in secrets.found_in(blob):
            problems.append(f"webhook to {req.path} contains {label}: {blob[:300]!r}")
    assert setup.recorder.bodies, "no response was recorded: the recorder is not hooked in"
    assert not problems, "secrets leaked:\n" + "\n".join(problems)


def _contains(line: bytes, value) -> bool:
    needle = value if isinstance(value, bytes) else str(value).encode()
    return needle in line


@pytest.mark.timeout(300)
def test_secrets_never_in_logs_or_bodies(setup, poll):
    server, keys, recorder = setup.server, setup.keys, setup.recorder
    base = server.base_url

    # VOD with the SDK: TC3 POST create, TC3 GET and v1 describe.
    client = vod(server, keys)
    task_id = vod_create(client, keys)
    detail = poll(lambda: vod_describe(client, keys, task_id), lambda r: r.Status == "FINISH",
                  what=f"VOD task {task_id}")
    assert detail.AigcImageTask.ErrCode == 0, detail.to_json_string()
    vod_describe(vod(server, keys, req_method="GET"), keys, task_id)
    vod_describe(vod(server, keys, sign_method="HmacSHA256"), keys, task_id)
    file_url = detail.AigcImageTask.Output.FileInfos[0].FileUrl
    assert requests.get(file_url, timeout=30).status_code == 200

    # REST with Bearer, and its webhook (app default webhook_url) to the local receiver.
    resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", headers=keys.bearer, timeout=30,
                         json={"model_name": "GG", "model_version": "2.5", "prompt": "a paper boat",
                               "output_config": {"aspect_ratio": "1:1"}})
    assert resp.status_code == 200, resp.text
    rest_id = resp.json()["Response"]["TaskId"]
    poll(lambda: requests.get(f"{base}/tencent-vod/v1/query/{rest_id}", headers=keys.bearer, timeout=30).json(),
         lambda r: r["Response"].get("Status") == "FINISH", what=f"REST task {rest_id}")
    requests.get(f"{base}/tencent-vod/v1/query/{rest_id}/status", headers=keys.bearer, timeout=30)
    got = setup.receiver.wait_for(lambda r: any(json.loads(x.body).get("task_id") == rest_id for x in r),
                                  path="/hook", timeout=30, what=f"the webhook of {rest_id}")
    delivery = next(x for x in got if json.loads(x.body).get("task_id") == rest_id)
    delivery.verify_signature(keys.webhook_secret, tolerance=60)

    # OpenAI, served by the upstream (which must have received the configured key).
    openai_client = OpenAI(base_url=f"{base}/v1", api_key=keys.api_key, max_retries=0,
                           http_client=recorder.httpx_client())
    image = openai_client.images.generate(model="GG-2.5", prompt="a red fox", size="1024x1024",
                                          response_format="b64_json")
    assert image.data and image.data[0].b64_json
    assert f"Bearer {UPSTREAM_KEY}" in setup.fake.authorizations, (
        f"the upstream never received its api_key: {setup.fake.authorizations}")
    openai_client.models.list()

    # The delivery API.
    assert requests.get(f"{base}/easel/v1/deliveries", headers=keys.bearer, timeout=30).status_code == 200
    requests.post(f"{base}/easel/v1/deliveries/evt_nope/replay", headers=keys.bearer, timeout=30)

    # Failing calls: wrong SecretKey, tampered signature, wrong or garbled API keys, unknown SecretId.
    for bad in [vod(server, keys, secret_key="x" * len(keys.secret_key)),
                vod(server, keys, secret_id="AKID" + "0" * 32),
                vod(server, keys, sign_method="HmacSHA1", secret_key="nope")]:
        with pytest.raises(TencentCloudSDKException):
            vod_create(bad, keys)
    body = json.dumps({"TaskId": task_id}).encode()
    now = int(time.time())
    auth = fz.tc3_authorization(secret_id=keys.secret_id, secret_key=keys.secret_key, service="vod", timestamp=now,
                                method="POST", query="", headers={"content-type": "application/json",
                                                                  "host": server.endpoint},
                                signed_headers=["content-type", "host"], body=body)
    tampered = auth[:-1] + ("0" if auth[-1] != "0" else "1")
    for authorization, ts in [(tampered, now), (auth, now - 1000), ("TC3-HMAC-SHA256 garbage", now)]:
        r = requests.post(f"{base}/", data=body + (b" " if authorization == auth else b""), timeout=30, headers={
            "Content-Type": "application/json", "X-TC-Action": "DescribeTaskDetail", "X-TC-Version": "2018-07-17",
            "X-TC-Timestamp": str(ts), "Authorization": authorization})
        assert "Error" in r.json()["Response"], r.text
    for headers in [{"Authorization": "Bearer sk-easel-" + "0" * 48}, {"Authorization": "Basic Zm9vOmJhcg=="}, {}]:
        assert requests.post(f"{base}/tencent-vod/v1/aigc-image", headers=headers, json={"prompt": "x"},
                             timeout=30).status_code == 401
        assert requests.get(f"{base}/v1/models", headers=headers, timeout=30).status_code == 401
        assert requests.get(f"{base}/easel/v1/deliveries", headers=headers, timeout=30).status_code == 401
    # A request carrying the real SecretKey where an id belongs must not have it echoed back.
    r = requests.post(f"{base}/tencent-vod/v1/aigc-image", headers={"Authorization": f"Bearer {keys.secret_key}"},
                      json={"prompt": "x"}, timeout=30)
    assert r.status_code == 401

    time.sleep(1.5)  # let trace-level lines of the last requests and the delivery sender reach the log
    assert_no_leaks(setup)


@pytest.mark.timeout(300)
def test_upstream_error_does_not_relay_its_key(setup, poll):
    server, keys = setup.server, setup.keys
    base = server.base_url
    resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", headers=keys.bearer, timeout=30,
                         json={"model_name": "GG", "model_version": "2.5", "prompt": "FAIL401 please",
                               "output_config": {"aspect_ratio": "1:1"}})
    assert resp.status_code == 200, resp.text
    task_id = resp.json()["Response"]["TaskId"]
    detail = poll(lambda: requests.get(f"{base}/tencent-vod/v1/query/{task_id}", headers=keys.bearer,
                                       timeout=30).json(),
                  lambda r: r["Response"].get("Status") == "FINISH", what=f"failing upstream task {task_id}")
    assert detail["Response"]["AigcImageTask"]["ErrCode"] != 0, detail
    assert any(UPSTREAM_KEY in a for a in setup.fake.authorizations), setup.fake.authorizations
    client = OpenAI(base_url=f"{base}/v1", api_key=keys.api_key, max_retries=0,
                    http_client=setup.recorder.httpx_client())
    with pytest.raises(Exception):
        client.images.generate(model="GG-2.5", prompt="FAIL401 again", size="1024x1024", response_format="b64_json")
    time.sleep(1.0)
    assert_no_leaks(setup)
