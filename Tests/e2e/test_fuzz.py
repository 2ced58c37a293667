"""End-to-end fuzzing: thousands of hostile requests against every dialect of one `easel serve`.

Two tests share one runner:

* `test_hostile_corpus` sends a fixed list of known-nasty requests (colliding flattened indices, huge sizes,
  deep nesting, path traversal, curl's default Content-Type on the REST route, unknown routes) — deterministic.
* `test_fuzz_random` sends `EASEL_FUZZ_COUNT` (default 3000) seeded random hostile requests across the Tencent
  gateway (VOD and MPS; TC3 POST JSON, TC3 GET, v1 form POST and v1 GET; properly signed requests with mutated
  bodies as well as tampered signatures, expired/future timestamps, garbage `Authorization`, wrong
  `X-TC-Version`, unknown actions), the REST proxy routes, the OpenAI routes, the signed file routes and the
  delivery API. The acceptance run is `EASEL_FUZZ_COUNT=10000`:

      EASEL_FUZZ_COUNT=10000 .venv/bin/python -m pytest -q Tests/e2e/test_fuzz.py

  `EASEL_FUZZ_SEED=N` reproduces a run (the seed is printed, and named in every failure message).

Every answer must satisfy (fuzzing.check_response): no HTTP 5xx (except OpenAI's documented 504 wait timeout);
the Tencent gateway answers HTTP 200, `Content-Type: application/json` exactly, `{"Response": {…, "RequestId"}}`
and errors as `Response.Error.{Code, Message}` (never InternalError); REST and delivery API errors are the Tencent
envelope with a 4xx status; OpenAI errors are `{"error": {"message", "type", …}}`; file routes answer 4xx for
anything but an intact link; no SecretKey, ApiKey, WebhookSecret or master key in any response. Each path belongs
to one dialect: requests to `/tencent-vod/v1/…` are REST whatever their headers (curl's `-d` sends
`application/x-www-form-urlencoded`), `/v1/…` is OpenAI, `/easel/v1/…` the delivery API; unknown routes under
those prefixes answer in the prefix's envelope. The server must stay alive (`proc.poll() is None` and `/healthz`,
checked every 100 requests and at the end). When the server dies, the request that killed it is recorded, the
server is relaunched on the same data dir and the run goes on, so one run lists every crasher it meets.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import random
import time
import urllib.parse
from typing import Any, Callable, Optional

import pytest
import requests

import fuzzing as fz
from fuzzing import DELIVERY, FILES, OPENAI, OTHER, REST, TENCENT, HostileRequest

APP_ID = 1300300001
OPENAI_APP_ID = 1300300002
FUZZ_COUNT = int(os.environ.get("EASEL_FUZZ_COUNT", "3000"))
MAX_CRASHES = 12  # relaunches before giving up
MAX_REPORTED = 40  # failures kept in full
HEALTH_EVERY = 100

SERVER_ENV = {
    "EASEL_RATE_LIMIT": "0",
    "EASEL_SANDBOX_LATENCY_MS": "0",
    # Successful OpenAI generations wait at most this long (then the documented 504): keeps the run short.
    "EASEL_OPENAI_WAIT_SECONDS": "2",
    "EASEL_GLOBAL_CONCURRENCY": "4",
    "EASEL_DEFAULT_CONCURRENCY": "4",
    "EASEL_LOG_LEVEL": "warning",
}


# --------------------------------------------------------------------------
# The target: one server, its apps, a real task and a real signed file link
# --------------------------------------------------------------------------


class Target:
    def __init__(self, server, keys, openai_keys) -> None:
        self.server = server
        self.keys = keys
        self.openai_keys = openai_keys
        self.task_id: Optional[str] = None
        self.mps_task_id: Optional[str] = None
        self.file_path: Optional[str] = None  # "/files/<key>?expires=…&sig=…"
        master = (server.data_dir / "master.key").read_bytes() if (server.data_dir / "master.key").exists() else b""
        values = {"SecretKey": keys.secret_key, "ApiKey": keys.api_key,
                  "SecretKey (OpenAI app)": openai_keys.secret_key, "ApiKey (OpenAI app)": openai_keys.api_key}
        if keys.webhook_secret:
            values["WebhookSecret"] = keys.webhook_secret
        if master:
            values.update(fz.Secrets.master_key_forms(master))
        self.secrets = fz.Secrets(values)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def host(self) -> str:
        return self.server.endpoint


def _prepare(server, keys) -> tuple:
    """A finished REST task (its id and file link) and an MPS task id, made with ordinary requests."""
    base = server.base_url
    resp = requests.post(f"{base}/tencent-vod/v1/aigc-image", headers=keys.bearer, timeout=30,
                         json={"model_name": "GEM", "model_version": "2.5", "prompt": "a fuzzy seed",
                               "output_config": {"aspect_ratio": "1:1"}})
    assert resp.status_code == 200, f"seed REST create failed: {resp.status_code} {resp.text[:500]}"
    task_id = resp.json()["Response"]["TaskId"]
    deadline = time.monotonic() + 60
    file_url = None
    while time.monotonic() < deadline:
        detail = requests.get(f"{base}/tencent-vod/v1/query/{task_id}", headers=keys.bearer, timeout=30).json()
        task = detail.get("Response", {}).get("AigcImageTask") or {}
        if detail["Response"].get("Status") == "FINISH":
            infos = (task.get("Output") or {}).get("FileInfos") or []
            file_url = infos[0]["FileUrl"] if infos else None
            break
        time.sleep(0.2)
    assert file_url, f"seed task {task_id} did not finish with a file"
    parsed = urllib.parse.urlsplit(file_url)
    return task_id, parsed.path + "?" + parsed.query


# --------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------


def vod_create_seed(sub_app_id: int) -> dict:
    return {"SubAppId": sub_app_id, "ModelName": "GEM", "ModelVersion": "2.5",
            "FileInfos": [{"Type": "Url", "Url": "https://example.com/ref.png", "Text": "参考图"}],
            "Prompt": "generate a car", "NegativePrompt": "red", "EnhancePrompt": "Enabled",
            "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "16:9", "PersonGeneration": "AllowAdult",
                             "InputComplianceCheck": "Enabled", "OutputComplianceCheck": "Enabled",
                             "Resolution": "1K", "OutputImageCount": 1, "OutputFormat": "png", "LogoAdd": "Disabled"},
            "SessionId": "", "SessionContext": "mySessionContext", "TasksPriority": "10",
            "ExtInfo": "{\"AdditionalParameters\": \"{\\\"size\\\":\\\"728x1024\\\"}\"}", "Seed": 123}


SEED_MODELS = [("GEM", "2.5"), ("GG", "3.1"), ("OG", "image2_low"), ("SI", "4.0"), ("Qwen", "0925"),
               ("Hunyuan", "3.0"), ("Vidu", "q2"), ("Kling", "2.1"), ("Kling", "3.0-Omni"), ("Jimeng", "4.0"),
               ("MJ", "v7"), ("Mingmou", "1.0"), ("wand-vega-image", "1.0-pro")]


class Generators:
    def __init__(self, target: Target, rng: random.Random) -> None:
        self.t = target
        self.rng = rng
        self.values = fz.Values(rng)

    def hex(self) -> str:
        return "%032x" % self.rng.getrandbits(128)

    # ---- seeds ----------------------------------------------------------

    def vod_body(self, action: str) -> dict:
        sub = self.t.keys.sub_app_id
        task_id = self.t.task_id or "251007502-AigcImageTask-0123456789abcdef0123456789abcdeft"
        if action == "CreateAigcImageTask":
            body = vod_create_seed(sub)
            if self.rng.random() < 0.5:
                body["ModelName"], body["ModelVersion"] = self.rng.choice(SEED_MODELS)
            if self.rng.random() < 0.3:
                body["FileInfos"] = [self.file_info()]
            return body
        if action == "DescribeTaskDetail":
            return {"TaskId": task_id, "SubAppId": sub}
        if action == "DescribeTasks":
            return {"SubAppId": sub, "Status": "FINISH", "Limit": 10, "Sort": {"Field": "CreateTime", "Order": "Desc"},
                    "CreateTime": {"After": "2020-01-01T00:00:00Z", "Before": "2099-01-01T00:00:00Z"},
                    "ScrollToken": self.scroll_token()}
        if action == "ManageTask":
            return {"TaskId": task_id, "OperationType": "Abort", "SubAppId": sub}
        if action == "PullEvents":
            return {"SubAppId": sub}
        if action == "ConfirmEvents":
            return {"SubAppId": sub, "EventHandles": ["x" * self.rng.choice([1, 100, 10000])] * self.rng.choice([1, 17])}
        return {"SubAppId": sub}

    def mps_body(self, action: str) -> dict:
        if action == "CreateAigcImageTask":
            name, version = self.rng.choice([("Hunyuan", "3.0"), ("Kling", "2.1"), ("Vidu", "q2"), ("Qwen", "0925"),
                                             ("GEM", "2.5"), ("wand-vega-image", "1.0-lite"), ("MJ", "v7")])
            return {"ModelName": name, "ModelVersion": version, "Prompt": "draw a cat", "EnhancePrompt": True,
                    "ImageInfos": [{"ImageUrl": "https://example.com/a.png", "ReferenceType": "asset"}],
                    "OutputImageCount": 1, "AdditionalParameters": "{\"size\":\"1024x1024\"}",
                    "ExtraParameters": {"AspectRatio": "1:1", "LogoAdd": 0, "Resolution": "2K", "OutputFormat": "png"},
                    "StoreCosParam": {"CosBucketName": "b", "CosBucketRegion": "ap-guangzhou", "CosBucketPath": "/x"},
                    "Operator": "admin"}
        return {"TaskId": self.t.mps_task_id or f"{self.t.keys.app_id}-AigcImage-{self.hex()}"}

    def file_info(self) -> dict:
        r = self.rng.random()
        if r < 0.5:
            base64_value = self.rng.choice(fz.BAD_BASE64 + [
                base64.b64encode(fz.png_header(100_000, 100_000)).decode(),
                base64.b64encode(fz.png_header(0, 0)).decode(),
                base64.b64encode(fz.png_header(0xFFFFFFFF, 0xFFFFFFFF)).decode(),
                base64.b64encode(self.rng.randbytes(self.rng.choice([16, 70_000]))).decode(),
                "A" * self.rng.choice([5, 1_000_001]),
            ])
            return {"Type": self.rng.choice(["Base64", "base64", "BASE64", "File", "Url", ""]), "Base64": base64_value}
        if r < 0.75:
            return {"Type": "Url", "Url": self.rng.choice(fz.BAD_URLS)}
        return {"Type": "File", "FileId": self.rng.choice(["", "0", "-1", "9" * 40, "../../etc/passwd", "\u0000",
                                                           "x" * 10000])}

    def scroll_token(self) -> str:
        return self.rng.choice(["", "0", "-1", "!!!", "eyJ9", "A" * self.rng.choice([100, 100_000, 700_000]),
                                base64.b64encode(b'{"offset": -1, "id": "\' OR 1=1"}').decode(),
                                base64.b64encode(self.rng.randbytes(64)).decode(), "\u0000" * 10])

    def mutated(self, body: Any) -> Any:
        rounds = self.rng.choice([1, 1, 1, 2, 3])
        return fz.mutate_json(body, self.rng, self.values, rounds)

    # ---- Tencent gateway ------------------------------------------------

    def tencent(self) -> HostileRequest:
        rng = self.rng
        service = rng.choice(["vod", "vod", "mps"])
        version = fz.VOD_VERSION if service == "vod" else fz.MPS_VERSION
        if service == "vod":
            action = rng.choice(["CreateAigcImageTask"] * 4 + ["DescribeTaskDetail"] * 2
                                + ["DescribeTasks", "ManageTask", "PullEvents", "ConfirmEvents"])
            body = self.vod_body(action)
        else:
            action = rng.choice(["CreateAigcImageTask"] * 3 + ["DescribeAigcImageTask"])
            body = self.mps_body(action)
        label = [service, action]
        if rng.random() < 0.8:
            body = self.mutated(body)
            label.append("mutated")
        style = rng.choice(["tc3-post", "tc3-post", "tc3-post", "tc3-get", "v1-post", "v1-get"])
        label.append(style)
        # Auth / routing mutations.
        auth = rng.choices(["ok", "tamper", "wrong-key", "unknown-id", "expired", "future", "garbage", "version",
                            "action", "scope", "token", "ct", "host"],
                           weights=[40, 6, 4, 4, 5, 5, 10, 5, 6, 4, 3, 5, 3])[0]
        if action == "PullEvents" and auth in ("ok", "ct"):
            auth = "tamper"  # an authenticated PullEvents long-polls 5 s: only the refused ones are worth the time
        label.append(auth)
        if auth == "version":
            version = rng.choice(["", "2017-01-01", "2018-07-17 ", "2018-07-17\u0000", "x" * 1000, "2019-06-12",
                                  "2018-07-17", "１"])
        if auth == "action":
            action = rng.choice(["", "createAigcImageTask", "Nope", "DescribeTaskDetail\u0000", "A" * 5000,
                                 "../etc", "🦊", "CreateAigcVideoTask", "DeleteMedia", "ProcessMedia"])
        now = int(time.time())
        timestamp: Any = now
        if auth == "expired":
            timestamp = rng.choice([now - 301, now - 10_000, 0, 1, -1])
        elif auth == "future":
            timestamp = rng.choice([now + 301, now + 10 ** 9, 99999999999, "99999999999999999999",
                                    "1e10", "-0", "", "abc", str(now) + ".5", "0x10"])
        path = rng.choice(["/", "/", "/", "/prefix", "/a/b/c", "/?x=1", "//", "/" + "p" * 3000,
                           "/%2e%2e/%2e%2e", "/tencent", "/v2/x"])
        if style.startswith("tc3"):
            return self._tc3(service, version, action, body, style == "tc3-get", timestamp, auth, path, label)
        return self._v1(service, version, action, body, style == "v1-get", timestamp, auth, path, label)

    def _tc3(self, service, version, action, body, get, timestamp, auth, path, label) -> HostileRequest:
        rng = self.rng
        keys = self.t.keys
        host = self.t.host
        if auth == "host":
            host = rng.choice([f"http://{host}", f"{host}/prefix", "evil.example.com", "", "a" * 5000, "127.0.0.1"])
        query = ""
        if get:
            ct = "application/x-www-form-urlencoded"
            query = fz.form_encode(fz.flatten(body)) if isinstance(body, dict) else ""
            if rng.random() < 0.25:
                query = (query + "&" if query else "") + fz.flat_key_bomb(rng)
                label.append("flat-keys")
            payload = b""
            base_path = path.split("?")[0]
            full_path = base_path + ("?" + query if query else "")
            if len(full_path) > 200_000:
                full_path = full_path[:200_000]
                query = full_path.partition("?")[2]
        else:
            ct = rng.choice(["application/json"] * 8 + ["application/json; charset=utf-8", "text/plain", "",
                                                         "application/x-www-form-urlencoded", "multipart/form-data",
                                                         "application/xml", "APPLICATION/JSON"])
            if auth == "ct":
                ct = rng.choice(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                 "application/octet-stream", "image/png", "\u00e9"])
            payload = fz.dumps(body) if isinstance(body, (dict, list)) or body is not None else b""
            if rng.random() < 0.2:
                payload = fz.raw_body_mutation(payload, rng, self.values)
                label.append("raw-body")
            if ct.startswith("application/x-www-form") and rng.random() < 0.5:
                payload = fz.flat_key_bomb(rng).encode()
                label.append("flat-keys")
            full_path = path
            query = urllib.parse.urlsplit(path).query
        headers = {"Content-Type": ct, "Host": host, "X-TC-Action": action, "X-TC-Version": version,
                   "X-TC-Timestamp": str(timestamp), "X-TC-Language": rng.choice(["zh-CN", "en-US", "xx"]),
                   "X-TC-RequestClient": "SDK_PYTHON_3.1.194"}
        if rng.random() < 0.3:
            headers["X-TC-Region"] = rng.choice(["ap-guangzhou", "", "../x", "x" * 1000])
        signed = ["content-type", "host"] + (["x-tc-action"] if rng.random() < 0.3 else [])
        secret_id, secret_key = keys.secret_id, keys.secret_key
        if auth == "wrong-key":
            secret_key = "wrong" + secret_key[5:]
        if auth == "unknown-id":
            secret_id = rng.choice(["AKID" + self.hex(), "", "AKID/x", "%", "A" * 10000])
        sign_service = service
        date = None
        if auth == "scope":
            sign_service = rng.choice(["mps" if service == "vod" else "vod", "cvm", "", "VOD"])
            date = rng.choice(["2001-01-01", "9999-99-99", "", "2026-1-1", None])
        ts_for_sign = timestamp if isinstance(timestamp, int) else 0
        lower = {k.lower(): v for k, v in headers.items()}
        authorization = fz.tc3_authorization(
            secret_id=secret_id, secret_key=secret_key, service=sign_service, timestamp=ts_for_sign,
            method="GET" if get else "POST", query=query if get else "", headers=lower, signed_headers=signed,
            body=payload, date=date)
        if not isinstance(timestamp, int):
            authorization = authorization  # the timestamp header carries the garbage
        if auth == "tamper":
            where = rng.choice(["sig", "body", "header"])
            if where == "sig":
                sig = authorization[-64:]
                flipped = sig[:10] + ("0" if sig[10] != "0" else "1") + sig[11:]
                authorization = authorization[:-64] + rng.choice([flipped, sig.upper(), sig[:-1], sig + "0", ""])
            elif where == "body":
                payload = payload + b" " if not get else payload
                if get:
                    full_path += "&x=1"
            else:
                headers["Content-Type"] = ct + "x"  # not covered by the signature any more
        if auth == "garbage":
            authorization = fz.random_header_garbage(rng)
        if auth == "token":
            headers["X-TC-Token"] = rng.choice(["", "x", "A" * 10000, "\u0000", "null"])
        headers["Authorization"] = authorization
        if rng.random() < 0.05:
            headers["Authorization"] = authorization + "\t"  # trailing whitespace
        return HostileRequest("GET" if get else rng.choice(["POST"] * 20 + ["PUT", "DELETE", "PATCH"]), full_path,
                              {k: fz.latin1(v) if isinstance(v, str) else v for k, v in headers.items()},
                              payload, TENCENT, "/".join(label))

    def _v1(self, service, version, action, body, get, timestamp, auth, path, label) -> HostileRequest:
        rng = self.rng
        keys = self.t.keys
        pairs = fz.flatten(body) if isinstance(body, dict) else []
        algorithm = rng.choice(["HmacSHA256", "HmacSHA1"])
        common = {"Action": action, "Version": version, "Timestamp": str(timestamp), "Nonce": str(rng.randrange(1, 99999)),
                  "SecretId": keys.secret_id, "SignatureMethod": algorithm}
        if rng.random() < 0.3:
            common["Region"] = "ap-guangzhou"
        if auth == "unknown-id":
            common["SecretId"] = rng.choice(["AKID" + self.hex(), "", "A" * 10000])
        if auth == "scope":
            common["SignatureMethod"] = rng.choice(["HmacMD5", "", "hmacsha256", "HmacSHA512"])
        if auth == "token":
            common["Token"] = rng.choice(["", "x", "A" * 10000])
        own = "&".join(filter(None, [fz.form_encode(pairs)]))
        if rng.random() < 0.3:
            own = (own + "&" if own else "") + fz.flat_key_bomb(rng)
            label.append("flat-keys")
        raw = fz.form_encode(common.items()) + ("&" + own if own else "")
        params = fz.form_decode_for_signing(raw)
        secret_key = keys.secret_key if auth != "wrong-key" else "nope" + keys.secret_key[4:]
        method = "GET" if get else "POST"
        host = self.t.host
        sig = fz.v1_signature(method=method, host=host, params=params, secret_key=secret_key, algorithm=algorithm
                              if algorithm in ("HmacSHA1", "HmacSHA256") else "HmacSHA256")
        if auth == "tamper":
            sig = rng.choice([sig[:-2] + "==", "", "A" * 10000, sig.lower(), "%%%"])
        if auth == "garbage":
            sig = fz.random_header_garbage(rng)
        raw += "&Signature=" + urllib.parse.quote(sig, safe="")
        headers: dict = {}
        if auth == "host":
            headers["Host"] = rng.choice([f"http://{host}", "x", ""])
        if rng.random() < 0.05 or auth == "garbage":
            headers["Authorization"] = fz.latin1(fz.random_header_garbage(rng))
        if get:
            full = path.split("?")[0] + "?" + raw
            if len(full) > 200_000:
                full = full[:200_000]
            return HostileRequest("GET", full, headers, b"", TENCENT, "/".join(label))
        headers["Content-Type"] = rng.choice(["application/x-www-form-urlencoded"] * 6 + [
            "application/x-www-form-urlencoded; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED"])
        data = raw.encode()
        if rng.random() < 0.1:
            data = fz.raw_body_mutation(data, rng, self.values)
            label.append("raw-body")
        return HostileRequest("POST", path if "Action=" not in path else "/", headers, data, TENCENT, "/".join(label))

    # ---- REST proxy -----------------------------------------------------

    def bearer_or_garbage(self, bearer: dict) -> dict:
        """`bearer` mostly; sometimes no Authorization, sometimes garbage in it."""
        r = self.rng.random()
        if r < 0.7:
            return bearer
        if r < 0.8:
            return {}
        return {"Authorization": fz.latin1(fz.random_header_garbage(self.rng))}

    def rest_auth(self) -> dict:
        return self.bearer_or_garbage(self.t.keys.bearer)

    def task_id_garbage(self) -> str:
        rng = self.rng
        real = self.t.task_id or "x"
        return rng.choice([
            real, real, real + "x", real.upper(), f"{self.t.keys.sub_app_id}-AigcImageTask-{self.hex()}t",
            "..", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%00", "%FF%FE", "%",
            "x" * rng.choice([300, 10_000, 100_000]), urllib.parse.quote("🦊\u0000\u202e"), "'%20OR%201=1--",
            "1", "-1", "99999999999999999999", "null", "%252e%252e", "AigcImageTask", ";", "*",
        ])

    def rest(self) -> HostileRequest:
        rng = self.rng
        kind = rng.choice(["create"] * 5 + ["query", "status", "cancel", "unknown", "method"])
        if kind == "create":
            body: Any = {"model_name": "GEM", "model_version": "2.5", "prompt": "a lighthouse at dusk",
                         "negative_prompt": "blur", "enhance_prompt": "Enabled",
                         "file_infos": [{"type": "url", "url": "https://example.com/a.png"}],
                         "output_config": {"storage_mode": "Temporary", "aspect_ratio": "16:9", "resolution": "2K"},
                         "session_id": "", "session_context": "ctx", "tasks_priority": 10, "ext_info": "",
                         "callback_url": rng.choice(["", "https://example.com/hook"] + fz.BAD_URLS)}
            label = ["create"]
            if rng.random() < 0.85:
                body = self.mutated(body)
                label.append("mutated")
            if rng.random() < 0.2 and isinstance(body, dict):
                body["file_infos"] = [{k.lower(): v for k, v in self.file_info().items()}]
                label.append("file_infos")
            data = fz.dumps(body)
            if rng.random() < 0.2:
                data = fz.raw_body_mutation(data, rng, self.values)
                label.append("raw-body")
            ct = rng.choice(["application/json"] * 6 + ["application/x-www-form-urlencoded", "text/plain", "",
                                                         "application/json; charset=utf-8", "multipart/form-data"])
            if ct == "application/x-www-form-urlencoded" and rng.random() < 0.3:
                data = fz.flat_key_bomb(rng).encode()  # a real form body on the JSON route
                label.append("form-body")
            headers = {**self.rest_auth(), "Content-Type": ct}
            if rng.random() < 0.05:
                headers["X-TC-Action"] = "CreateAigcImageTask"  # Tencent-looking header on a REST path
            return HostileRequest("POST", rng.choice(["/tencent-vod/v1/aigc-image", "/tencent-vod/v1/aigc-image/",
                                                      "/tencent-vod/v1/aigc-image?x=1"]),
                                  headers, data, REST, "/".join(label + [f"ct={ct or 'none'}"]))
        tid = self.task_id_garbage()
        if kind == "query":
            return HostileRequest("GET", f"/tencent-vod/v1/query/{tid}", self.rest_auth(), b"", REST, "query")
        if kind == "status":
            return HostileRequest("GET", f"/tencent-vod/v1/query/{tid}/status", self.rest_auth(), b"", REST, "status")
        if kind == "cancel":
            return HostileRequest(rng.choice(["PUT", "POST"]), f"/tencent-vod/v1/query/{tid}/cancel",
                                  {**self.rest_auth(), "Content-Type": rng.choice(["application/json", "",
                                                                                   "application/x-www-form-urlencoded"])},
                                  rng.choice([b"", b"{}", b"a.0=x&a.%2B1=y", rng.randbytes(32)]), REST, "cancel")
        if kind == "unknown":
            path = rng.choice(["/tencent-vod/v1/aigc-video", "/tencent-vod/v1/", "/tencent-vod/v1", "/tencent-vod/v1/query",
                               "/tencent-vod/v1/query/", f"/tencent-vod/v1/query/{tid}/x/y", "/tencent-vod/v1/%2e%2e",
                               "/tencent-vod/v1/" + "x" * 5000, "/tencent-vod/v1/aigc-image/extra"])
            return HostileRequest(rng.choice(["GET", "POST", "PUT"]), path,
                                  {**self.rest_auth(), "Content-Type": "application/json"}, b"{}", REST, "unknown-route")
        path = rng.choice(["/tencent-vod/v1/aigc-image", f"/tencent-vod/v1/query/{tid}",
                           f"/tencent-vod/v1/query/{tid}/cancel", f"/tencent-vod/v1/query/{tid}/status"])
        return HostileRequest(rng.choice(["DELETE", "PATCH", "OPTIONS", "GET", "PUT", "TRACE"]), path,
                              self.rest_auth(), b"", REST, "wrong-method")

    # ---- OpenAI ---------------------------------------------------------

    def openai_auth(self) -> dict:
        return self.bearer_or_garbage(self.t.openai_keys.bearer)

    def openai(self) -> HostileRequest:
        rng = self.rng
        kind = rng.choice(["generate"] * 6 + ["models", "unknown", "method"])
        if kind == "generate":
            body: Any = {"model": rng.choice(["GG-2.5", "gpt-image-1", "dall-e-3", "OG-image2_low", "Kling-2.1",
                                              "SI-4.0", "Qwen-0925", "Hunyuan-3.0", "nope", ""]),
                         "prompt": "a red fox", "n": 1, "size": rng.choice(["1024x1024"] * 3 + fz.SIZE_STRINGS),
                         "response_format": rng.choice(["url", "b64_json"]), "seed": 1, "negative_prompt": "blur",
                         "output_format": "png", "background": "transparent", "quality": "high", "user": "u"}
            label = ["generate"]
            # Most bodies must be invalid: a valid one waits for a render (bounded by EASEL_OPENAI_WAIT_SECONDS).
            if rng.random() < 0.9:
                body = self.mutated(body)
                label.append("mutated")
            if rng.random() < 0.2 and isinstance(body, dict):
                body["callback_url"] = rng.choice(fz.BAD_URLS)
            data = fz.dumps(body)
            if rng.random() < 0.2:
                data = fz.raw_body_mutation(data, rng, self.values)
                label.append("raw-body")
            ct = rng.choice(["application/json"] * 6 + ["application/x-www-form-urlencoded", "", "text/plain",
                                                         "multipart/form-data; boundary=zz"])
            headers = {**self.openai_auth(), "Content-Type": ct}
            if rng.random() < 0.1:
                headers["Idempotency-Key"] = fz.latin1(rng.choice(["", "x", "k" * 10000, "\u00e9"]))
            return HostileRequest("POST", rng.choice(["/v1/images/generations", "/v1/images/generations?x=1"]),
                                  headers, data, OPENAI, "/".join(label + [f"ct={ct or 'none'}"]))
        if kind == "models":
            return HostileRequest("GET", rng.choice(["/v1/models", "/v1/models?limit=-1", "/v1/models/"]),
                                  self.openai_auth(), b"", OPENAI, "models")
        if kind == "unknown":
            return HostileRequest(rng.choice(["GET", "POST"]),
                                  rng.choice(["/v1/chat/completions", "/v1/images/edits", "/v1/images/variations",
                                              "/v1/models/GG-2.5", "/v1/", "/v1", "/v1/images", "/v1/%2e%2e/healthz",
                                              "/v1/" + "z" * 5000, "/v1/embeddings"]),
                                  {**self.openai_auth(), "Content-Type": "application/json"}, b'{"model": "x"}',
                                  OPENAI, "unknown-route")
        return HostileRequest(rng.choice(["GET", "PUT", "DELETE", "PATCH"]),
                              rng.choice(["/v1/images/generations", "/v1/models"]), self.openai_auth(), b"",
                              OPENAI, "wrong-method")

    # ---- files ----------------------------------------------------------

    def files(self) -> HostileRequest:
        rng = self.rng
        real = self.t.file_path or "/files/x.png?expires=1&sig=x"
        path_part, _, query = real.partition("?")
        q = dict(urllib.parse.parse_qsl(query))
        method = rng.choice(["GET", "GET", "HEAD"])
        r = rng.random()
        expect = None
        if r < 0.08:
            path, expect, label = real, {200}, "intact"
        elif r < 0.35:
            path = rng.choice(["/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd",
                               "/files/..%2f..%2fetc%2fpasswd", "/files/%252e%252e/etc/passwd", "/files/",
                               "/files", "/files//etc/passwd", "/files/./././x", "/files/%00", "/files/" + "a" * 10000,
                               "/files/" + "/".join([".."] * 50) + "/etc/passwd", "/files/\u00e9".encode("utf-8").decode("latin-1"),
                               path_part + "/../../../../etc/passwd", path_part + "%00.png", path_part.upper()])
            if rng.random() < 0.6:
                path += "?" + query  # a valid signature for a different key
            label = "traversal"
        elif r < 0.75:
            mq = dict(q)
            field = rng.choice(["expires", "sig", "both", "drop"])
            if field in ("expires", "both"):
                mq["expires"] = rng.choice(["", "-1", "0", "99999999999999999999", "1e10", "abc", "9" * 1000,
                                            str(int(q.get("expires", "0") or 0) + 1), "%00", "9223372036854775807",
                                            "-9223372036854775808"])
            if field in ("sig", "both"):
                sig = q.get("sig", "")
                mq["sig"] = rng.choice(["", sig[:-1], sig.upper(), sig + "0", "x" * 10000, "%%", "0" * len(sig)])
            if field == "drop":
                mq.pop(rng.choice(list(mq) or ["x"]), None)
            path = path_part + "?" + urllib.parse.urlencode(mq)
            if rng.random() < 0.2:
                path += "&sig=" + rng.choice(["a", q.get("sig", "")])  # duplicate parameter
            label = "tampered-link"
            if path == real:
                expect, label = {200}, "intact"  # the mutation happened to restore the link
        else:
            key = rng.choice([self.hex() + ".png", "a" * 2000, "x.png", "1/2/3.jpg", "%FF.png"])
            path = f"/files/{key}?expires={int(time.time()) + 100}&sig={self.hex()}"
            label = "unknown-key"
        headers = {}
        if rng.random() < 0.1:
            headers["Range"] = rng.choice(["bytes=0-1", "bytes=-1", "bytes=999999999-", "bytes=x"])
        return HostileRequest(method, path, headers, b"", FILES, label, expect_status=expect)

    # ---- delivery API ---------------------------------------------------

    def delivery(self) -> HostileRequest:
        rng = self.rng
        kind = rng.choice(["list", "list", "replay", "unknown"])
        auth = self.rest_auth()
        if kind == "list":
            status = rng.choice(["dead", "pending", "delivered", "", "DEAD", "x" * 10000, "%00", "dead&status=x",
                                 "1", "dead%27%20OR%201=1"])
            path = "/easel/v1/deliveries" + rng.choice([f"?status={status}", "", "?", "?limit=-1",
                                                       f"?status={status}&status=pending"])
            return HostileRequest("GET", path, auth, b"", DELIVERY, "list")
        if kind == "replay":
            did = rng.choice(["evt_" + self.hex(), "", "..", "%2e%2e", "x" * 10000, "evt_%00", "1", "'",
                              urllib.parse.quote("🦊")])
            return HostileRequest(rng.choice(["POST", "POST", "GET", "PUT"]), f"/easel/v1/deliveries/{did}/replay",
                                  {**auth, "Content-Type": rng.choice(["application/json",
                                                                       "application/x-www-form-urlencoded"])},
                                  rng.choice([b"", b"{}", b"a.0=x&a.%2B1=y"]), DELIVERY, "replay")
        return HostileRequest(rng.choice(["GET", "POST", "DELETE"]),
                              rng.choice(["/easel/v1/deliveries/x", "/easel/v1/", "/easel/v1/deliveries/x/y/z",
                                          "/easel/v1/nope"]), auth, b"", DELIVERY, "unknown-route")

    # ---- anything else --------------------------------------------------

    def other(self) -> HostileRequest:
        rng = self.rng
        path = rng.choice(["/healthz", "/healthz?x=1", "/nope", "/" + "q" * 8000, "/%00", "/%ZZ", "/..", "/index.html",
                           "/tencent-vod", "/easel", "/files..", "/v1x/models"])
        return HostileRequest(rng.choice(["GET", "HEAD", "DELETE", "OPTIONS", "PUT"]), path,
                              {"Content-Type": "application/json"}, b"", OTHER, "other")

    def next(self) -> HostileRequest:
        kind = self.rng.choices([TENCENT, REST, OPENAI, FILES, DELIVERY, OTHER], weights=[45, 20, 14, 10, 7, 4])[0]
        return getattr(self, kind)()


# --------------------------------------------------------------------------
# The fixed corpus
# --------------------------------------------------------------------------


def corpus(t: Target) -> list:
    keys = t.keys
    bearer = keys.bearer
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    now = int(time.time())
    reqs = []

    def add(method, path, headers, body, dialect, label, expect=None):
        reqs.append(HostileRequest(method, path, headers, body if isinstance(body, bytes) else body.encode(),
                                   dialect, label, expect))

    # The known crash: colliding numeric indices in flattened keys, on any path, unsigned.
    for pairs in ["a.0=x&a.%2B1=y", "a.%2B0=x", "A.01=x&A.0=y", "A.-1=x", "A.99999999999999999999=x"]:
        add("POST", "/anything", form, pairs, TENCENT, f"form {pairs}")
        add("GET", "/?Action=DescribeTaskDetail&Version=2018-07-17&" + pairs, {}, b"", TENCENT, f"query {pairs}")
    # Deep flattened keys and a deep JSON body (TC3-signed so it reaches the decoder).
    add("POST", "/", form, "Action=CreateAigcImageTask&" + ".".join(["a"] * 10_000) + "=x", TENCENT, "form depth 10k")
    for label, body in [("json depth 10k arrays", "[" * 10_000 + "]" * 10_000),
                        ("json depth 10k objects", '{"a":' * 10_000 + "1" + "}" * 10_000),
                        ("json depth 10k inside Prompt", '{"SubAppId": %d, "ModelName": "GG", "ModelVersion": "2.5", '
                         '"Prompt": %s}' % (keys.sub_app_id, "[" * 10_000 + "]" * 10_000))]:
        add("POST", "/", signed_tc3(t, "CreateAigcImageTask", body.encode()), body, TENCENT, label)
    # Huge explicit sizes: width×height overflows Int64.
    for size in ["9999999999x9999999999", "4294967296x4294967296", "3037000500x3037000500"]:
        for model in [("SI", "4.0"), ("Hunyuan", "3.0"), ("Qwen", "0925"), ("OG", "image2_low")]:
            body = json.dumps({"SubAppId": keys.sub_app_id, "ModelName": model[0], "ModelVersion": model[1],
                               "Prompt": "x", "ExtInfo": json.dumps({"AdditionalParameters": json.dumps({"size": size})})})
            add("POST", "/", signed_tc3(t, "CreateAigcImageTask", body.encode()), body, TENCENT,
                f"VOD {model[0]} size {size}")
        for model in ["GG-2.5", "SI-4.0", "Hunyuan-3.0", "Qwen-0925", "OG-image2_low"]:
            add("POST", "/v1/images/generations", {**t.openai_keys.bearer, "Content-Type": "application/json"},
                json.dumps({"model": model, "prompt": "x", "size": size}), OPENAI, f"OpenAI {model} size {size}")
        mps = json.dumps({"ModelName": "Hunyuan", "ModelVersion": "3.0", "Prompt": "x",
                          "AdditionalParameters": json.dumps({"size": size})})
        add("POST", "/", signed_tc3(t, "CreateAigcImageTask", mps.encode(), service="mps"), mps, TENCENT,
            f"MPS Hunyuan size {size}")
    # A Base64 reference whose PNG header claims 100000×100000 pixels.
    import base64 as b64
    bomb = b64.b64encode(fz.png_header(100_000, 100_000)).decode()
    body = json.dumps({"SubAppId": keys.sub_app_id, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": "x",
                       "FileInfos": [{"Type": "Base64", "Base64": bomb}]})
    add("POST", "/", signed_tc3(t, "CreateAigcImageTask", body.encode()), body, TENCENT, "Base64 PNG bomb header")
    # curl's default Content-Type on the REST route with a JSON body: a REST create.
    rest_body = json.dumps({"model_name": "GEM", "model_version": "2.5", "prompt": "a lighthouse at dusk",
                            "output_config": {"aspect_ratio": "16:9"}})
    add("POST", "/tencent-vod/v1/aigc-image", {**bearer, **form}, rest_body, REST, "curl -d default Content-Type")
    add("POST", "/tencent-vod/v1/aigc-image", {**bearer, **form}, "a.0=x&a.%2B1=y", REST, "REST form collision")
    add("POST", "/tencent-vod/v1/aigc-image", {**bearer, "Content-Type": "application/json"},
        "[" * 10_000 + "]" * 10_000, REST, "REST json depth 10k")
    add("POST", "/tencent-vod/v1/aigc-image?Action=CreateAigcImageTask", {**bearer, "Content-Type": "application/json"},
        rest_body, REST, "REST path with ?Action=")
    # Unknown routes in each prefix's envelope.
    for path in ["/tencent-vod/v1/aigc-video", "/tencent-vod/v1/", "/tencent-vod/v1/query/x/y"]:
        add("GET", path, bearer, b"", REST, f"unknown REST route {path}")
    for path in ["/v1/chat/completions", "/v1/", "/v1/images/edits"]:
        add("POST", path, {**t.openai_keys.bearer, "Content-Type": "application/json"}, "{}", OPENAI,
            f"unknown OpenAI route {path}")
    add("DELETE", "/v1/images/generations", t.openai_keys.bearer, b"", OPENAI, "wrong method on an OpenAI route")
    add("GET", "/easel/v1/nope", bearer, b"", DELIVERY, "unknown delivery route")
    # Path traversal on files.
    for path in ["/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files/..%2f..%2fetc%2fpasswd"]:
        add("GET", path, {}, b"", FILES, f"traversal {path}")
    # Huge ScrollToken and very long ids.
    for token in ["A" * 700_000, "\u0000" * 100]:
        body = json.dumps({"SubAppId": keys.sub_app_id, "ScrollToken": token})
        add("POST", "/", signed_tc3(t, "DescribeTasks", body.encode()), body, TENCENT, f"ScrollToken {len(token)}")
    add("GET", "/tencent-vod/v1/query/" + "x" * 100_000, bearer, b"", REST, "100k task id")
    # Timestamps at the edges.
    for ts in [now - 301, now + 301, 99999999999999999999]:
        body = json.dumps({"TaskId": "x"})
        add("POST", "/", signed_tc3(t, "DescribeTaskDetail", body.encode(), timestamp=ts), body, TENCENT, f"timestamp {ts}")
    return reqs


def signed_tc3(t: Target, action: str, body: bytes, *, service: str = "vod", timestamp: Optional[int] = None) -> dict:
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {"content-type": "application/json", "host": t.host}
    auth = fz.tc3_authorization(secret_id=t.keys.secret_id, secret_key=t.keys.secret_key, service=service,
                                timestamp=ts if ts < 10 ** 12 else 0, method="POST", query="", headers=headers,
                                signed_headers=["content-type", "host"], body=body)
    return {"Content-Type": "application/json", "X-TC-Action": action,
            "X-TC-Version": fz.VOD_VERSION if service == "vod" else fz.MPS_VERSION,
            "X-TC-Timestamp": str(ts), "Authorization": auth}


# --------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------


class Runner:
    def __init__(self, target: Target, seed: Optional[int], on_relaunch: Callable) -> None:
        self.t = target
        self.seed = seed
        self.on_relaunch = on_relaunch
        self.sender = fz.Sender(target.port)
        self.counts: collections.Counter = collections.Counter()
        self.statuses: collections.Counter = collections.Counter()
        self.failures: list = []
        self.crashes: list = []
        self.failure_kinds: collections.Counter = collections.Counter()
        self.recent: collections.deque = collections.deque(maxlen=3)
        self.seconds: collections.Counter = collections.Counter()  # time spent per dialect
        self.slowest: list = []  # (seconds, label) of the slowest answers

    def header(self) -> str:
        return f"EASEL_FUZZ_SEED={self.seed}" if self.seed is not None else "fixed corpus"

    def record(self, req: HostileRequest, problems: list, index: int) -> None:
        kind = f"{req.dialect}: {problems[0].split(':')[0][:90]}"
        self.failure_kinds[kind] += 1
        if len(self.failures) < MAX_REPORTED and self.failure_kinds[kind] <= 3:
            self.failures.append(f"#{index} {'; '.join(problems)}\n{req.describe()}")

    def crashed(self, req: HostileRequest, index: int, why: str) -> None:
        log = self.t.server.read_log(limit=3000)
        self.crashes.append(f"#{index} server died ({why}) on:\n{req.describe()}\n"
                            f"  previous: {[r.label for r in self.recent]}\n  --- log tail ---\n{log[-1500:]}")
        self.sender.close()
        if len(self.crashes) >= MAX_CRASHES:
            return
        self.t.server = self.t.server.relaunch()
        self.on_relaunch(self.t.server)
        self.sender = fz.Sender(self.t.port)

    def run_one(self, req: HostileRequest, index: int) -> None:
        self.counts[req.dialect] += 1
        try:
            ans = self.sender.send(req)
        except fz.NoAnswer as exc:
            if fz.wait_dead(self.t.server.proc, 3.0):
                self.statuses[f"{req.dialect} crash"] += 1
                self.crashed(req, index, str(exc))
            else:
                self.statuses[f"{req.dialect} no-answer"] += 1
                self.record(req, [f"no HTTP answer ({exc}) although the server still runs"], index)
            self.recent.append(req)
            return
        self.recent.append(req)
        self.statuses[f"{req.dialect} {ans.status}"] += 1
        self.seconds[req.dialect] += ans.elapsed
        self.slowest = sorted(self.slowest + [(round(ans.elapsed, 2), f"{req.label} -> {ans.status}")])[-5:]
        problems = fz.check_response(req, ans, self.t.secrets)
        if problems:
            self.record(req, problems, index)
        if index % HEALTH_EVERY == 0:
            why = fz.check_alive(self.t.server.proc, self.t.port)
            if why:
                if fz.wait_dead(self.t.server.proc, 1.0):
                    self.crashed(req, index, why + " (found by the periodic health check)")
                else:
                    self.record(req, [f"server unhealthy after this request: {why}"], index)

    def run(self, requests_: Any) -> None:
        for index, req in enumerate(requests_, 1):
            if len(self.crashes) >= MAX_CRASHES:
                break
            self.run_one(req, index)
        self.sender.close()

    def summary(self) -> str:
        lines = [self.header(), "requests per dialect: " + json.dumps(dict(sorted(self.counts.items()))),
                 "answers per dialect and status: " + json.dumps(dict(sorted(self.statuses.items()))),
                 "seconds per dialect: " + json.dumps({k: round(v, 1) for k, v in sorted(self.seconds.items())}),
                 "slowest answers: " + json.dumps(self.slowest[::-1], ensure_ascii=False)]
        if self.failure_kinds:
            lines.append("failure kinds: " + json.dumps(dict(self.failure_kinds.most_common()), ensure_ascii=False))
        return "\n".join(lines)

    def verdict(self) -> None:
        print("\n" + self.summary())
        final = fz.check_alive(self.t.server.proc, self.t.port)
        problems = []
        if self.crashes:
            problems.append(f"{len(self.crashes)} request(s) crashed the server:\n\n" + "\n\n".join(self.crashes))
        if final:
            problems.append(f"at the end: {final}")
        if self.failures:
            problems.append(f"{sum(self.failure_kinds.values())} contract violation(s), first ones:\n\n"
                            + "\n\n".join(self.failures))
        if problems:
            pytest.fail(f"{self.header()} — reproduce with this seed\n{self.summary()}\n\n" + "\n\n".join(problems),
                        pytrace=False)


@pytest.fixture
def target(start_server):
    server = start_server(SERVER_ENV)
    keys = server.create_keys(APP_ID, APP_ID)
    openai_keys = server.create_keys(OPENAI_APP_ID, OPENAI_APP_ID)
    t = Target(server, keys, openai_keys)
    t.task_id, t.file_path = _prepare(server, keys)
    return t


def _relauncher(start_server):
    # Relaunched servers are stopped by the start_server fixture (on_relaunch registers them).
    return lambda server: None


@pytest.mark.timeout(900)
def test_hostile_corpus(target, start_server):
    runner = Runner(target, None, _relauncher(start_server))
    runner.run(corpus(target))
    runner.verdict()


@pytest.mark.timeout(1800)
def test_fuzz_random(target, start_server):
    seed = int(os.environ["EASEL_FUZZ_SEED"]) if os.environ.get("EASEL_FUZZ_SEED") else random.randrange(2 ** 32)
    print(f"\nEASEL_FUZZ_SEED={seed} EASEL_FUZZ_COUNT={FUZZ_COUNT}")
    rng = random.Random(seed)
    gen = Generators(target, rng)
    runner = Runner(target, seed, _relauncher(start_server))
    started = time.monotonic()
    runner.run(gen.next() for _ in range(FUZZ_COUNT))
    print(f"{FUZZ_COUNT} requests in {time.monotonic() - started:.1f}s")
    runner.verdict()
