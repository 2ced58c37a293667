"""Fixtures for Easel's end-to-end suite.

Every test talks to a real `easel serve` process over loopback HTTP, using the
official, unmodified clients (tencentcloud-sdk-python, tccli, openai-python,
curl). The server contract these fixtures rely on:

* `easel keys create --app-id N [--sub-app-id N] [--token-ttl S] --data-dir D`
  prints one JSON object: AppId, SubAppId, SecretId, SecretKey, ApiKey
  (+ Token, ExpiresAt with --token-ttl).
* `easel media add --app-id N --sub-app-id N [--file-id ID] --data-dir D PATH`
  prints one JSON object with FileId.
* `easel serve --host 127.0.0.1 --port P --data-dir D` is ready when
  GET /healthz answers 200.

Environment knobs for the suite itself:
  EASEL_BIN                   path of the easel binary (default .build/debug/easel)
  EASEL_E2E_SERVER_TIMEOUT    seconds after which any server we started is
                              killed no matter what (default 900)
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import dataclasses
import hashlib
import hmac
import io
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

import pytest
import requests
from PIL import Image
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.mps.v20190612 import mps_client
from tencentcloud.vod.v20180717 import vod_client

from fake_http import FakeHTTPServer, Reply
from fake_http import Request as FakeRequest

REPO_ROOT = Path(__file__).resolve().parents[2]
EASEL_BIN = Path(os.environ.get("EASEL_BIN") or REPO_ROOT / ".build" / "debug" / "easel")

# The app used by the Tencent docs' examples; the default app of the suite.
DEFAULT_APP_ID = 251007502
# A second app, used to check tenant isolation.
OTHER_APP_ID = 1300000001

SERVER_SAFETY_TIMEOUT_S = int(os.environ.get("EASEL_E2E_SERVER_TIMEOUT", "900"))
SERVER_READY_TIMEOUT_S = 60
CLI_TIMEOUT_S = 60
DEFAULT_TEST_TIMEOUT_S = 300
# Longest time a task may take to finish with EASEL_SANDBOX_LATENCY_MS=0.
TASK_TIMEOUT_S = 60
# Never let a stray proxy setting route loopback traffic elsewhere.
os.environ["NO_PROXY"] = ",".join(
    filter(None, [os.environ.get("NO_PROXY", ""), "127.0.0.1", "localhost"])
)
os.environ["no_proxy"] = os.environ["NO_PROXY"]

T = TypeVar("T")


# --------------------------------------------------------------------------
# Data types
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AppKeys:
    """Credentials printed by `easel keys create`."""

    app_id: int
    sub_app_id: int
    secret_id: str
    secret_key: str
    api_key: str
    token: Optional[str] = None
    expires_at: Any = None
    # `WebhookSecret` (whsec_…): signs webhook and callback deliveries; the same for every key of an app.
    webhook_secret: Optional[str] = None

    @classmethod
    def from_json(cls, data: dict) -> "AppKeys":
        for field in ("AppId", "SubAppId", "SecretId", "SecretKey", "ApiKey"):
            assert field in data, f"`easel keys create` output lacks {field}: {data}"
        return cls(
            app_id=int(data["AppId"]),
            sub_app_id=int(data["SubAppId"]),
            secret_id=data["SecretId"],
            secret_key=data["SecretKey"],
            api_key=data["ApiKey"],
            token=data.get("Token"),
            expires_at=data.get("ExpiresAt"),
            webhook_secret=data.get("WebhookSecret"),
        )

    def credential(self, **overrides: str) -> credential.Credential:
        """A tencentcloud Credential; overrides may replace secret_id/secret_key/token."""
        return credential.Credential(
            overrides.get("secret_id", self.secret_id),
            overrides.get("secret_key", self.secret_key),
            overrides.get("token", self.token),
        )

    @property
    def bearer(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}"}


def run_easel(args: list, timeout: float = CLI_TIMEOUT_S) -> dict:
    """Run an `easel` sub-command that prints one JSON object; return it."""
    if not EASEL_BIN.exists():
        pytest.fail(f"easel binary not found at {EASEL_BIN} (build it with `swift build` or set EASEL_BIN)")
    cmd = [str(EASEL_BIN), *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_easel_env({}))
    if proc.returncode != 0:
        pytest.fail(
            f"`{' '.join(cmd)}` exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        pytest.fail(f"`{' '.join(cmd)}` did not print one JSON object ({exc}):\n{proc.stdout}\nstderr:\n{proc.stderr}")


def _easel_env(overrides: dict) -> dict:
    """The environment for easel processes: hermetic w.r.t. EASEL_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}
    env["EASEL_SANDBOX_LATENCY_MS"] = "0"
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """preexec_fn: ask Linux to SIGTERM the child when the test runner dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


@contextlib.contextmanager
def moto_server(tmp_dir: Path, buckets: tuple = ()) -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 with `buckets` created; yields its base URL and stops it afterwards.

    Skips where moto_server is not installed, except under `CI`, where that is a failure.
    """
    candidate = Path(sys.executable).parent / "moto_server"
    binary = str(candidate) if candidate.exists() else shutil.which("moto_server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("moto_server is not installed (pip install 'moto[server]')")
        pytest.skip("moto_server is not installed (pip install 'moto[server]')")
    port = _free_port()
    log = open(tmp_dir / "moto.log", "wb")
    process = subprocess.Popen(["timeout", "--signal=KILL", "900", binary, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}"

    def reachable() -> bool:
        try:
            requests.get(base, timeout=2)
            return True
        except requests.RequestException:
            return False

    try:
        wait_until(reachable, bool, timeout=30, what="moto to start")
        for bucket in buckets:
            assert requests.put(f"{base}/{bucket}", timeout=10).status_code == 200
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@dataclasses.dataclass
class EaselServer:
    """One running `easel serve` process with its own data dir."""

    port: int
    data_dir: Path
    log_path: Path
    proc: subprocess.Popen
    # What it was started with, so that `relaunch()` can start it again on the same port and data dir.
    run_dir: Optional[Path] = None
    env: Optional[dict] = None
    config_path: Optional[Path] = None
    # Called with every server relaunched from this one (the fixture that owns it stops them all).
    on_relaunch: Optional[Callable[["EaselServer"], None]] = None
    # "https" when started with EASEL_TLS_CERTIFICATE (the certificate then also verifies it, see `verify`).
    scheme: str = "http"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def verify(self):
        """What `requests` needs to trust this server: its own (self-signed) certificate under TLS."""
        return (self.env or {}).get("EASEL_TLS_CERTIFICATE", True)

    @property
    def endpoint(self) -> str:
        """`host:port`, the form HttpProfile(endpoint=..., protocol="http") wants."""
        return f"127.0.0.1:{self.port}"

    def create_keys(self, app_id: int, sub_app_id: Optional[int] = None, token_ttl: Optional[int] = None) -> AppKeys:
        args = ["keys", "create", "--app-id", app_id]
        if sub_app_id is not None:
            args += ["--sub-app-id", sub_app_id]
        if token_ttl is not None:
            args += ["--token-ttl", token_ttl]
        keys = AppKeys.from_json(run_easel(args + ["--data-dir", self.data_dir]))
        assert keys.app_id == app_id
        if sub_app_id is not None:
            assert keys.sub_app_id == sub_app_id
        if token_ttl is not None:
            assert keys.token, f"--token-ttl given but no Token printed: {keys}"
        return keys

    def add_media(self, keys: AppKeys, path: Path, file_id: Optional[str] = None) -> str:
        args = ["media", "add", "--app-id", keys.app_id, "--sub-app-id", keys.sub_app_id]
        if file_id is not None:
            args += ["--file-id", file_id]
        out = run_easel(args + ["--data-dir", self.data_dir, path])
        assert out.get("FileId"), f"`easel media add` printed no FileId: {out}"
        if file_id is not None:
            assert str(out["FileId"]) == file_id
        return str(out["FileId"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def read_log(self, start: int = 0, limit: int = 20_000) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(start)
                data = fh.read()
        except OSError as exc:
            return f"(cannot read {self.log_path}: {exc})"
        text = data.decode("utf-8", "replace")
        if len(text) > limit:
            text = f"... ({len(text) - limit} chars cut) ...\n" + text[-limit:]
        return text

    def _signal(self, sig: int) -> None:
        """Send `sig` to the server's process group, if the server still runs."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait(timeout=10)
        _LIVE_SERVERS.discard(self)

    def kill(self) -> None:
        """SIGKILL the server (a crash: no shutdown code runs) and reap it."""
        if self.proc.poll() is None:
            self._signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        _LIVE_SERVERS.discard(self)

    def terminate(self) -> None:
        """Send SIGTERM (graceful shutdown) without waiting; see `proc.wait()`."""
        self._signal(signal.SIGTERM)

    def relaunch(self) -> "EaselServer":
        """Start `easel serve` again with the same data dir, port, config and env (the old one must be gone)."""
        assert self.run_dir is not None, "relaunch() needs a server started by start_easel_server"
        assert self.proc.poll() is not None, "relaunch() while the old process still runs"
        _LIVE_SERVERS.discard(self)
        server = start_easel_server(self.run_dir, self.env, config_path=self.config_path, port=self.port)
        server.on_relaunch = self.on_relaunch
        if self.on_relaunch is not None:
            self.on_relaunch(server)
        return server

    __hash__ = object.__hash__


# Servers currently running; their logs are attached to failing test reports.
_LIVE_SERVERS: "set[EaselServer]" = set()


def start_easel_server(tmp_dir: Path, env: Optional[dict] = None, *, config: Optional[dict] = None,
                       config_path: Optional[Path] = None, port: Optional[int] = None) -> EaselServer:
    """Start `easel serve` on a free port (or `port`) with the data dir `tmp_dir/data`.

    `config` is written to `tmp_dir/easel.json` and passed as `--config` (or pass an existing `config_path`).
    The suite pins EASEL_SANDBOX_LATENCY_MS=0 in the environment, which would override the file; when the
    config sets `sandbox.latency_ms` and `env` does not, the file's value is used.
    """
    if not EASEL_BIN.exists():
        pytest.fail(f"easel binary not found at {EASEL_BIN} (build it with `swift build` or set EASEL_BIN)")
    data_dir = tmp_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = tmp_dir / "server.log"
    if config is not None:
        config_path = tmp_dir / "easel.json"
        config_path.write_text(json.dumps(config, indent=2))
    process_env = _easel_env(env or {})
    if config_path is not None:
        file_config = json.loads(Path(config_path).read_text())
        if "latency_ms" in (file_config.get("sandbox") or {}) and "EASEL_SANDBOX_LATENCY_MS" not in (env or {}):
            process_env.pop("EASEL_SANDBOX_LATENCY_MS", None)
    last_error = ""
    for _attempt in range(3):  # a free port can be taken between probe and bind
        chosen_port = port if port is not None else _free_port()
        cmd = [
            "timeout", "--signal=KILL", str(SERVER_SAFETY_TIMEOUT_S),
            str(EASEL_BIN), "serve", "--host", "127.0.0.1", "--port", str(chosen_port), "--data-dir", str(data_dir),
        ]
        if config_path is not None:
            cmd += ["--config", str(config_path)]
        with open(log_path, "ab") as log:
            log.write(f"$ {' '.join(cmd)}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=process_env, start_new_session=True, preexec_fn=_die_with_parent,
            )
        server = EaselServer(port=chosen_port, data_dir=data_dir, log_path=log_path, proc=proc,
                             run_dir=tmp_dir, env=env, config_path=config_path,
                             scheme="https" if (env or {}).get("EASEL_TLS_CERTIFICATE") else "http")
        _LIVE_SERVERS.add(server)
        deadline = time.monotonic() + SERVER_READY_TIMEOUT_S
        while time.monotonic() < deadline and server.alive():
            try:
                if requests.get(f"{server.base_url}/healthz", timeout=2, verify=server.verify).status_code == 200:
                    return server
            except requests.RequestException:
                pass
            time.sleep(0.1)
        if server.alive():  # hung rather than crashed: retrying would not help
            server.stop()
            pytest.fail(f"easel serve not healthy after {SERVER_READY_TIMEOUT_S}s\n"
                        f"--- {log_path} ---\n{server.read_log()}")
        last_error = f"easel serve exited with {proc.returncode}"
        server.stop()
        if port is not None:
            time.sleep(0.5)  # a fixed port: give the previous owner's socket a moment
    pytest.fail(f"{last_error}\n--- {log_path} ---\n{server.read_log()}")


# --------------------------------------------------------------------------
# Generic helpers (exposed as fixtures)
# --------------------------------------------------------------------------


def wait_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float = TASK_TIMEOUT_S,
    interval: float = 0.25,
    what: str = "condition",
) -> T:
    """Call fetch() until done(result) is true; fail after `timeout` seconds.

    Returns the last result. Exceptions from fetch() propagate immediately.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = fetch()
        if done(last):
            return last
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}; last value: {_short(last)}")
        time.sleep(interval)


def sdk_error(call: Callable[[], Any]) -> TencentCloudSDKException:
    """Run call(); it must raise a TencentCloudSDKException carrying a RequestId."""
    try:
        result = call()
    except TencentCloudSDKException as exc:
        assert exc.get_code() != "ServerNetworkError", f"server answered non-200: {exc.get_message()!r}"
        assert exc.get_request_id(), f"error {exc.get_code()} carries no RequestId"
        return exc
    pytest.fail("expected a TencentCloudSDKException but the call succeeded with "
                f"{result.to_json_string() if hasattr(result, 'to_json_string') else result!r} "
                "(the SDK raises only if Content-Type is exactly application/json)")


def _short(value: Any, limit: int = 2000) -> str:
    if hasattr(value, "to_json_string"):
        value = value.to_json_string()
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def fetch_image(url: str, headers: Optional[dict] = None) -> "tuple[bytes, Image.Image]":
    """GET an image URL; return its raw bytes and the decoded Pillow image."""
    resp = requests.get(url, headers=headers or {}, timeout=30)
    assert resp.status_code == 200, f"GET {url} -> {resp.status_code}: {resp.text[:500]}"
    body = resp.content
    img = decode_image(body)
    return body, img


def decode_image(body: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(body))
    img.load()  # forces a full decode: a truncated or corrupt file fails here
    return img


def decode_b64_image(b64: str) -> Image.Image:
    return decode_image(base64.b64decode(b64, validate=True))


def assert_ratio(img: Image.Image, w: int, h: int, tolerance: float = 0.03) -> None:
    actual = img.width / img.height
    wanted = w / h
    assert abs(actual - wanted) / wanted <= tolerance, (
        f"image is {img.width}x{img.height} (ratio {actual:.3f}), wanted about {w}:{h} ({wanted:.3f})"
    )


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def easel_server(tmp_path_factory) -> Iterator[EaselServer]:
    """The suite's default server (sandbox engine, zero latency)."""
    server = start_easel_server(tmp_path_factory.mktemp("easel-default"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def vod_app(easel_server) -> AppKeys:
    """Credentials of app 251007502 / sub app 251007502 on the default server."""
    return easel_server.create_keys(DEFAULT_APP_ID, DEFAULT_APP_ID)


@pytest.fixture(scope="session")
def other_app(easel_server) -> AppKeys:
    """A second, unrelated app on the default server."""
    return easel_server.create_keys(OTHER_APP_ID)


_app_ids = itertools.count(1300001000)


@pytest.fixture
def new_app(easel_server) -> Callable[..., AppKeys]:
    """Factory: a fresh app (its own queue, SessionIds and media) on the default server."""

    def make() -> AppKeys:
        app_id = next(_app_ids)
        return easel_server.create_keys(app_id, app_id)

    return make


@pytest.fixture
def start_server(tmp_path_factory) -> Iterator[Callable[..., EaselServer]]:
    """Factory: start an extra server with extra env and an optional JSON config (`--config`).

    Servers relaunched from it (`server.relaunch()`) are stopped after the test as well.
    """
    started: list = []

    def start(env: Optional[dict] = None, *, config: Optional[dict] = None) -> EaselServer:
        server = start_easel_server(tmp_path_factory.mktemp("easel-extra"), env, config=config)
        server.on_relaunch = started.append
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _client_profile(endpoint: str, req_method: str = "POST", sign_method: Optional[str] = None) -> ClientProfile:
    http = HttpProfile(endpoint=endpoint, protocol="http", reqMethod=req_method, reqTimeout=30)
    profile = ClientProfile(httpProfile=http)
    if sign_method:
        profile.signMethod = sign_method
    return profile


@pytest.fixture
def make_vod_client(easel_server, vod_app) -> Callable[..., vod_client.VodClient]:
    """Factory: a VodClient pointed at a server (default: the default server and app).

    Keyword args: keys, server, path ("/prefix" appended to the endpoint),
    req_method ("GET"), sign_method ("HmacSHA256"/"HmacSHA1"), and
    secret_id / secret_key / token overrides for the credential.
    """

    def make(keys: Optional[AppKeys] = None, server: Optional[EaselServer] = None, *, path: str = "",
             req_method: str = "POST", sign_method: Optional[str] = None, **cred_overrides: str) -> vod_client.VodClient:
        keys = keys or vod_app
        server = server or easel_server
        profile = _client_profile(server.endpoint + path, req_method, sign_method)
        return vod_client.VodClient(keys.credential(**cred_overrides), "", profile)

    return make


@pytest.fixture
def make_mps_client(easel_server, vod_app) -> Callable[..., mps_client.MpsClient]:
    """Factory: an MpsClient pointed at a server (default: the default server and app)."""

    def make(keys: Optional[AppKeys] = None, server: Optional[EaselServer] = None,
             **cred_overrides: str) -> mps_client.MpsClient:
        keys = keys or vod_app
        server = server or easel_server
        return mps_client.MpsClient(keys.credential(**cred_overrides), "", _client_profile(server.endpoint))

    return make


@pytest.fixture
def sample_png(tmp_path) -> Path:
    """A small PNG file to import into a media library."""
    path = tmp_path / "sample.png"
    img = Image.new("RGB", (64, 48), (200, 120, 40))
    for x in range(0, 64, 8):
        for y in range(48):
            img.putpixel((x, y), (20, 40, 220))
    img.save(path, format="PNG")
    return path


# --------------------------------------------------------------------------
# Webhook receivers: real HTTP servers on 127.0.0.1 that record every request
# --------------------------------------------------------------------------


@dataclasses.dataclass
class ReceivedRequest:
    """One request a WebhookReceiver got."""

    method: str
    path: str
    headers: dict  # lower-case names
    body: bytes
    received_at: float  # time.time()
    status: int  # what the receiver answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> Optional[str]:
        return self.headers.get("easel-webhook-id")

    def verify_signature(self, secret: str, *, tolerance: float = 60) -> None:
        """Assert Easel-Webhook-Signature is v1=HMAC-SHA256(secret, f"{timestamp}.{body}") and the timestamp fresh."""
        stamp = self.headers.get("easel-webhook-timestamp")
        signature = self.headers.get("easel-webhook-signature")
        assert stamp and signature, f"delivery lacks Easel-Webhook-Timestamp/-Signature headers: {self.headers}"
        assert stamp.isdigit(), f"Easel-Webhook-Timestamp is not unix seconds: {stamp!r}"
        assert abs(self.received_at - int(stamp)) <= tolerance, (
            f"Easel-Webhook-Timestamp {stamp} is {self.received_at - int(stamp):.0f}s away from the arrival time"
        )
        expected = "v1=" + hmac.new(secret.encode(), stamp.encode() + b"." + self.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected), (
            f"bad Easel-Webhook-Signature {signature!r}, expected {expected!r} for timestamp {stamp}"
        )


class WebhookReceiver:
    """An HTTP server on 127.0.0.1:<free port> that records every request and answers by a per-path script.

    `respond(path, 500, 500, 200)` answers the first requests to `path` with 500, 500 and then 200 forever;
    `respond(path, fn)` calls fn(request) -> status or (status, headers) (it may block). Default: 200.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._requests: list = []
        self._scripts: dict = {}
        self._server = FakeHTTPServer(self._handle)
        self.port = self._server.port

    def _handle(self, request: FakeRequest) -> Reply:
        req = ReceivedRequest(method=request.method, path=request.path.split("?")[0],
                              headers={k.lower(): v for k, v in request.headers.items()},
                              body=request.body, received_at=time.time(), status=0)
        status, headers = self._answer(req)
        req.status = status
        with self._cond:
            self._requests.append(req)
            self._cond.notify_all()
        return Reply(status, b"ok", "text/plain", headers)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def respond(self, path: str, *script: Any) -> None:
        with self._cond:
            self._scripts[path] = list(script)

    def _answer(self, req: ReceivedRequest) -> "tuple[int, dict]":
        with self._cond:
            script = self._scripts.get(req.path)
            if not script:
                action: Any = 200
            elif len(script) > 1:
                action = script.pop(0)
            else:
                action = script[0]
        result = action(req) if callable(action) else action
        if isinstance(result, tuple):
            return int(result[0]), dict(result[1])
        return int(result), {}

    def received(self, path: Optional[str] = None) -> list:
        with self._cond:
            return [r for r in self._requests if path is None or r.path == path]

    def wait_for(self, done: Callable[[list], bool], *, path: Optional[str] = None, timeout: float = 30,
                 what: str = "webhook deliveries") -> list:
        """Wait until done(requests to `path`) is true; fail after `timeout` seconds. Returns those requests."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self._requests if path is None or r.path == path]
                if done(got):
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    summary = [(r.method, r.path, r.status, r.webhook_id) for r in got]
                    pytest.fail(f"timed out after {timeout}s waiting for {what}; got {len(got)}: {_short(summary)}")
                self._cond.wait(min(left, 0.5))

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def webhook_receiver() -> Iterator[Callable[[], WebhookReceiver]]:
    """Factory: a fresh WebhookReceiver on 127.0.0.1 (closed after the test)."""
    receivers: list = []

    def make() -> WebhookReceiver:
        receiver = WebhookReceiver()
        receivers.append(receiver)
        return receiver

    yield make
    for receiver in receivers:
        receiver.close()


def run_easel_cli(args: list, timeout: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess:
    """Run an `easel` sub-command; return the completed process (stdout/stderr as text), whatever its exit code."""
    if not EASEL_BIN.exists():
        pytest.fail(f"easel binary not found at {EASEL_BIN} (build it with `swift build` or set EASEL_BIN)")
    return subprocess.run([str(EASEL_BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=_easel_env({}))


@pytest.fixture
def easel_cli() -> Callable[..., subprocess.CompletedProcess]:
    return run_easel_cli


# --------------------------------------------------------------------------
# Reporting: attach the server log to failing tests; default per-test timeout
# --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _server_log_marks(request):
    """Remember where each live server's log was when the test started."""
    request.node._easel_log_marks = {id(s): s.log_size() for s in _LIVE_SERVERS}
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    marks = getattr(item, "_easel_log_marks", {})
    for server in list(_LIVE_SERVERS):
        start = marks.get(id(server), 0)
        report.sections.append(
            (f"easel server log (port {server.port}, {server.log_path})", server.read_log(start))
        )


def pytest_configure(config):
    # The SDK warns about response fields its models do not know (extensions such
    # as extra metadata); clients ignore them, and so do we.
    config.addinivalue_line("filterwarnings", "ignore:.*fileds are useless:UserWarning")


def pytest_collection_modifyitems(config, items):
    """Give every test a default timeout unless one was chosen on the command line."""
    if not config.pluginmanager.hasplugin("timeout"):
        return
    if config.getoption("timeout", default=None) is not None or os.environ.get("PYTEST_TIMEOUT"):
        return
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(DEFAULT_TEST_TIMEOUT_S))


# Helpers the test modules use, as fixtures (conftest is not imported directly).

@pytest.fixture
def poll() -> Callable[..., Any]:
    return wait_until


@pytest.fixture
def images():
    """Image helpers: fetch, decode, decode_b64, assert_ratio."""
    return _ImageHelpers


class _ImageHelpers:
    fetch = staticmethod(fetch_image)
    decode = staticmethod(decode_image)
    decode_b64 = staticmethod(decode_b64_image)
    assert_ratio = staticmethod(assert_ratio)
