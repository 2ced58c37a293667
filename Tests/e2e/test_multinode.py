"""Several nodes, one PostgreSQL store, one S3 bucket: `kill -9` under a steady stream of creates in all dialects.

Three `easel serve` processes share a private PostgreSQL cluster (started here with `initdb` + `postgres` in a temp
dir, one database per test; see `pg_cluster`) through `EASEL_STORE_URL`, one moto S3 bucket through
`EASEL_OUTPUT_*`, and one `EASEL_MASTER_KEY`. Every model is routed to a fake `openai-compatible` upstream (a
threaded `http.server` in this process) whose calls sleep 200–500 ms. Each node's upstream `base_url` carries the
node and its incarnation (`/n<node>g<generation>`), and each task's prompt carries a unique marker, so every
upstream call is attributed to a task, a node and a process lifetime; the fake records start/end, whether the
caller was still connected when the answer was written, and the high-water mark of concurrent calls per app.

For ~60 s (`EASEL_MULTINODE_STREAM_S`), producers create tasks for two apps (concurrency 3 and 2) in all four
dialects — VOD and MPS with tencentcloud-sdk-python, the REST proxy with `requests` and Bearer, OpenAI with
openai-python (synchronous) — against all three nodes in turn, while one node at a time is killed with SIGKILL and
restarted (4 kills, `EASEL_MULTINODE_KILLS`, at moments drawn from `EASEL_MULTINODE_SEED`; each time the node
with the most upstream calls in flight). Leases are short (`scheduling.lease_seconds`, `EASEL_MULTINODE_LEASE_S`,
default 6) so that the survivors take over a dead node's tasks within the test's time.

Checked afterwards, with bounded waits only:
* every accepted task reaches a terminal state, and it is success (queried through a different node each time);
* no task ever ran at the upstream twice at once, and a task ran more than once only where every earlier run
  belonged to a process that was then killed, and the re-run started after that kill;
* the per-app concurrency high-water mark at the upstream never exceeds the app's limit, across nodes, and the
  channel's never exceeds its `max_concurrency` (4, below the apps' sum of 5);
* every VOD event callback and REST/OpenAI webhook arrived, validly signed, one Easel-Webhook-Id per task, with the
  same outputs the task query shows;
* any node serves any task's signed FileUrl (a sample is fetched through a node other than the creating one).

Needs PostgreSQL server binaries (`/usr/lib/postgresql/<v>/bin` or `EASEL_PG_BIN`; skipped without them unless
`CI` is set, then it fails) and moto_server. Prints the figures (tasks per dialect, kills, re-runs, high-water,
deliveries, wall time).
"""

from __future__ import annotations

import base64
import collections
import concurrent.futures
import dataclasses
import glob
import http.server
import io
import json
import os
import random
import re
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Optional

import pytest
import requests
from openai import OpenAI
from PIL import Image
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.mps.v20190612 import mps_client, models as mps_models
from tencentcloud.vod.v20180717 import models as vod_models, vod_client

from conftest import EASEL_BIN, AppKeys, _easel_env, _free_port, moto_server, start_easel_server

APP_A, APP_B = 1300500001, 1300500002
LIMITS = {APP_A: 3, APP_B: 2}  # APP_A by scheduling.default_concurrency, APP_B by its `apps` entry
# The channel's max_concurrency: below the apps' sum (5), so the channel, not the apps, is what holds the cluster back,
# and above what one app may run, so a node alone could break it.
CHANNEL_CAP = 4
APP_TAG = {APP_A: "A", APP_B: "B"}
NODES = 3
BUCKET = "easel-multinode"
MASTER_KEY = "multinode-master-key-" + uuid.uuid4().hex

STREAM_S = float(os.environ.get("EASEL_MULTINODE_STREAM_S", "60"))
KILLS = int(os.environ.get("EASEL_MULTINODE_KILLS", "4"))
# The claim lease: a killed node's tasks are taken over this long after its last heartbeat.
LEASE_S = int(os.environ.get("EASEL_MULTINODE_LEASE_S", "6"))
# Every accepted task must be terminal this long after the stream ends (the backlog left by the kills drains).
SETTLE_TIMEOUT_S = LEASE_S + 60
# Deliveries claimed by a node that was killed are re-sent when their claim expires: a fixed 60 s in
# WebhookSender (not `lease_seconds`), plus retries and ticks.
DELIVERY_TIMEOUT_S = 90
FILE_SAMPLES_PER_DIALECT = 6
MARKER = re.compile(r"\bmn_([AB])_(vod|mps|rest|openai)_(\d+)\b")
NODE_PATH = re.compile(r"^/n(\d+)g(\d+)/v1/images/generations$")


# --------------------------------------------------------------------------
# PostgreSQL: a private cluster, stopped by a watchdog even if pytest dies
# --------------------------------------------------------------------------


def _pg_bin() -> Optional[str]:
    explicit = os.environ.get("EASEL_PG_BIN")
    if explicit:
        return explicit if os.access(os.path.join(explicit, "postgres"), os.X_OK) else None
    found = []
    for bin_dir in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(bin_dir).parent.name
        if all(os.access(os.path.join(bin_dir, tool), os.X_OK) for tool in ("initdb", "postgres", "pg_ctl", "psql")):
            try:
                found.append((float(version), bin_dir))
            except ValueError:
                pass
    return max(found)[1] if found else None


@dataclasses.dataclass
class PostgresCluster:
    bin: str
    directory: str
    port: int
    user: Optional[str]  # the system user the server runs as (postgres when we are root)
    role: str = "easel"
    password: str = dataclasses.field(default_factory=lambda: "pw" + uuid.uuid4().hex[:16])

    def _as_server(self, argv: list) -> list:
        return ["runuser", "-u", self.user, "--", *argv] if self.user else argv

    def run(self, argv: list, timeout: float = 60) -> str:
        proc = subprocess.run(self._as_server(argv), capture_output=True, text=True, timeout=timeout, cwd="/")
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stdout}{proc.stderr}")
        return proc.stdout

    def psql(self, sql: str, database: str = "postgres") -> str:
        # Over the unix socket in the cluster directory, as the superuser (trusted locally).
        return self.run([f"{self.bin}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.directory,
                         "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql])

    def create_database(self) -> str:
        name = "mn_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name} OWNER {self.role}")
        return name

    def url(self, database: str) -> str:
        """The URL the nodes get: TCP on 127.0.0.1 with a password (scram-sha-256)."""
        return f"postgres://{self.role}:{self.password}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def register_holder(self, pid: int) -> None:
        """Records the process group of a client (an easel node) for the watchdog to wait for, then kill."""
        with open(Path(self.directory, "holders"), "a") as fh:
            fh.write(f"{pid}\n")

    def log(self) -> str:
        try:
            return Path(self.directory, "server.log").read_text(errors="replace")[-4000:]
        except OSError as exc:
            return f"(no server log: {exc})"

    def stop(self) -> None:
        try:
            self.run([f"{self.bin}/pg_ctl", "-D", f"{self.directory}/data", "stop", "-m", "immediate"], timeout=30)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass


# Started in its own session so that a Ctrl-C of pytest's process group does not take it down before the server.
_WATCHDOG = r"""
dir="$1"; bin="$2"; port="$3"; parent="$4"; user="$5"
as_server() { if [ -n "$user" ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }
as_server "$bin/postgres" -D "$dir/data" -k "$dir" -h 127.0.0.1 -p "$port" -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 >"$dir/server.log" 2>&1 &
server=$!
while [ -d "/proc/$parent" ] && kill -0 "$server" 2>/dev/null; do sleep 0.2; done
# pytest is gone: give the easel nodes it started (process groups listed in $dir/holders, SIGTERMed by their
# PR_SET_PDEATHSIG) a moment to shut down while the database still answers; then kill the ones left.
i=0
while [ $i -lt 75 ]; do
    left=0
    for group in $(cat "$dir/holders" 2>/dev/null); do kill -0 -"$group" 2>/dev/null && left=1; done
    [ $left = 0 ] && break
    i=$((i + 1)); sleep 0.2
done
for group in $(cat "$dir/holders" 2>/dev/null); do
    grep -q easel "/proc/$group/cmdline" 2>/dev/null && kill -KILL -"$group" 2>/dev/null
done
as_server "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1
wait "$server" 2>/dev/null
rm -rf "$dir"
"""


@pytest.fixture(scope="module")
def pg_cluster():
    """A private PostgreSQL cluster on 127.0.0.1:<free port>, as the `postgres` user when we are root.

    A watchdog shell polls this pytest process: when it is gone, however it ended, the server is stopped with
    `pg_ctl stop -m immediate` and its directory removed. Normal teardown stops it at once.
    """
    bin_dir = _pg_bin()
    if bin_dir is None:
        message = "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin or EASEL_PG_BIN"
        if os.environ.get("CI"):
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        if subprocess.run(["id", "-u", user], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
                           check=True)
    # Not under pytest's tmp dir: its parents are 0700 root, which the server user cannot traverse.
    directory = tempfile.mkdtemp(prefix="easel-pg-")
    os.chmod(directory, 0o700)
    if user:
        shutil.chown(directory, user=user)
    cluster = PostgresCluster(bin=bin_dir, directory=directory, port=_free_port(), user=user)
    pwfile = Path(directory, "pw")
    pwfile.write_text("unused-superuser-password\n")
    if user:
        shutil.chown(pwfile, user=user)
    cluster.run([f"{bin_dir}/initdb", "-D", f"{directory}/data", "-U", "postgres", "--pwfile", str(pwfile),
                 "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
                timeout=120)
    watchdog = subprocess.Popen(
        ["sh", "-c", _WATCHDOG, "easel-pg-watchdog", directory, bin_dir, str(cluster.port), str(os.getpid()),
         user or ""],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
        start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            ready = subprocess.run(
                cluster._as_server([f"{bin_dir}/pg_isready", "-q", "-h", directory, "-p", str(cluster.port)]),
                capture_output=True, cwd="/")
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline or watchdog.poll() is not None:
                pytest.fail(f"PostgreSQL did not start on port {cluster.port}:\n{cluster.log()}")
            time.sleep(0.1)
        cluster.psql(f"CREATE ROLE {cluster.role} LOGIN PASSWORD '{cluster.password}'")
        yield cluster
    finally:
        cluster.stop()
        try:
            watchdog.wait(timeout=30)  # it removes the directory once the server is gone
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture
def pg_database(pg_cluster) -> str:
    """A fresh, empty database of the cluster (Easel migrates it); returns its URL."""
    return pg_cluster.url(pg_cluster.create_database())


# --------------------------------------------------------------------------
# moto S3
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_bucket(tmp_path_factory):
    with moto_server(tmp_path_factory.mktemp("moto"), (BUCKET,)) as base:
        yield base


# --------------------------------------------------------------------------
# The fake upstream
# --------------------------------------------------------------------------


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (48, 48), (30, 90, 200)).save(buf, format="PNG")
    return buf.getvalue()


@dataclasses.dataclass
class UpstreamCall:
    marker: Optional[str]
    app: Optional[int]
    node: int
    generation: int
    start: float  # time.monotonic()
    end: float = 0.0
    completed: bool = False  # the caller was still connected and the whole answer was written
    cut_off: bool = False  # the caller went away while the call ran

    @property
    def incarnation(self) -> tuple:
        return (self.node, self.generation)


class FakeUpstream:
    """`POST /n<node>g<gen>/v1/images/generations`: sleeps 200–500 ms, answers one b64_json PNG, records the call."""

    def __init__(self, seed: int) -> None:
        self.calls: list = []
        self.unparsed: list = []
        self.lock = threading.Lock()
        self.in_flight = collections.Counter()
        self.high_water = collections.Counter()
        self.high_water_at: dict = {}
        self.total_in_flight = 0
        self.total_high_water = 0
        self.total_high_water_at: list = []
        rng = random.Random(seed)
        png = base64.b64encode(_png()).decode()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                started = time.monotonic()
                path = NODE_PATH.match(self.path)
                try:
                    prompt = json.loads(body or b"{}").get("prompt", "")
                except ValueError:
                    prompt = ""
                found = MARKER.search(prompt or "")
                if not path:
                    fake.unparsed.append((self.path, prompt))
                    self.send_error(404)
                    return
                app = (APP_A if found.group(1) == "A" else APP_B) if found else None
                call = UpstreamCall(marker=found.group(0) if found else None, app=app, node=int(path.group(1)),
                                    generation=int(path.group(2)), start=started)
                with fake.lock:
                    fake.calls.append(call)
                    fake.in_flight[app] += 1
                    if fake.in_flight[app] > fake.high_water[app]:
                        fake.high_water[app] = fake.in_flight[app]
                        # What was running at that moment, for the report when a limit is exceeded.
                        fake.high_water_at[app] = [c for c in fake.calls if c.app == app and not c.end]
                    fake.total_in_flight += 1
                    if fake.total_in_flight > fake.total_high_water:
                        fake.total_high_water = fake.total_in_flight
                        fake.total_high_water_at = [c for c in fake.calls if not c.end]
                    delay = rng.uniform(0.2, 0.5)

                def finish() -> None:
                    with fake.lock:
                        if not call.end:
                            call.end = time.monotonic()
                            fake.in_flight[app] -= 1
                            fake.total_in_flight -= 1

                try:
                    deadline = started + delay
                    while time.monotonic() < deadline:
                        if _peer_gone(self.connection):
                            call.cut_off = True
                            return
                        time.sleep(0.02)
                    if _peer_gone(self.connection):
                        call.cut_off = True
                        return
                    data = json.dumps({"created": int(time.time()), "data": [{"b64_json": png}]}).encode()
                    # The call ends for the books before the answer goes out: the caller can start its next call only
                    # once it has the answer, so a slot is never counted twice, however late this thread runs again.
                    finish()
                    try:
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data)
                        self.wfile.flush()
                        call.completed = True
                    except OSError:
                        call.cut_off = True
                finally:
                    finish()

            def log_message(self, *args) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def base_url(self, node: int, generation: int) -> str:
        return f"http://127.0.0.1:{self.port}/n{node}g{generation}"

    def running_per_node(self) -> collections.Counter:
        """Upstream calls in flight now, per node."""
        with self.lock:
            return collections.Counter(c.node for c in self.calls if not c.end)

    def snapshot(self) -> list:
        with self.lock:
            return list(self.calls)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _peer_gone(sock: socket.socket) -> bool:
    """Whether the caller closed its end (EOF or reset); it sends nothing more while it waits for the answer."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


# --------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------


class Cluster:
    """NODES `easel serve` processes on fixed ports, each with its own run dir and an incarnation counter."""

    def __init__(self, tmp_path: Path, env: dict, config_for, pg: PostgresCluster) -> None:
        self.env = env
        self.pg = pg
        self.config_for = config_for
        self.ports = [_free_port() for _ in range(NODES)]
        self.dirs = [tmp_path / f"node{i}" for i in range(NODES)]
        self.generation = [0] * NODES
        self.servers: list = [None] * NODES
        self.kills: list = []  # (node, generation, monotonic time the process was reaped)
        self.lock = threading.Lock()

    def start(self, node: int) -> None:
        generation = self.generation[node]
        server = start_easel_server(self.dirs[node], self.env, config=self.config_for(node, generation),
                                    port=self.ports[node])
        self.pg.register_holder(server.proc.pid)  # a session leader: its pid is its process group
        with self.lock:
            self.servers[node] = server

    def kill(self, node: int) -> None:
        server = self.servers[node]
        server.kill()
        with self.lock:
            self.kills.append((node, self.generation[node], time.monotonic()))
            self.generation[node] += 1

    def alive(self) -> list:
        with self.lock:
            return [i for i, s in enumerate(self.servers) if s is not None and s.alive()]

    def stop_all(self) -> None:
        for server in self.servers:
            if server is not None:
                server.stop()

    def logs(self) -> str:
        return "\n".join(f"--- node {i} ---\n{s.read_log(limit=6000)}" for i, s in enumerate(self.servers) if s)


def keys_create(app_id: int, env: dict, data_dir: Path) -> AppKeys:
    """`easel keys create` against the shared database (same EASEL_STORE_URL/EASEL_MASTER_KEY as the nodes)."""
    proc = subprocess.run([str(EASEL_BIN), "keys", "create", "--app-id", str(app_id), "--sub-app-id", str(app_id),
                           "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60,
                          env=_easel_env(env))
    assert proc.returncode == 0, f"easel keys create exited {proc.returncode}: {proc.stdout}{proc.stderr}"
    return AppKeys.from_json(json.loads(proc.stdout))


def _profile(port: int, timeout: int = 5) -> ClientProfile:
    return ClientProfile(httpProfile=HttpProfile(endpoint=f"127.0.0.1:{port}", protocol="http", reqTimeout=timeout))


# --------------------------------------------------------------------------
# Producers
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Accepted:
    marker: str
    dialect: str
    app: int
    node: int  # the node that answered the create
    task_id: str
    file_url: Optional[str] = None  # OpenAI answers with the result


class Producer(threading.Thread):
    """Creates tasks of one dialect for one app against the nodes in turn until stopped."""

    def __init__(self, dialect: str, keys: AppKeys, cluster: Cluster, receiver, pause: float, index: int) -> None:
        super().__init__(name=f"{dialect}-{keys.app_id}-{index}", daemon=True)
        self.dialect, self.keys, self.cluster, self.receiver, self.pause = dialect, keys, cluster, receiver, pause
        self.index = index
        self.accepted: list = []
        self.lost: list = []  # markers whose create got no answer (the node died, or timed out): outcome unknown
        self.errors = collections.Counter()
        self.samples: dict = {}  # a few distinct create errors, for the report
        self.halt = threading.Event()
        self.vod = {p: vod_client.VodClient(keys.credential(), "", _profile(p)) for p in cluster.ports}
        self.mps = {p: mps_client.MpsClient(keys.credential(), "", _profile(p)) for p in cluster.ports}
        self.openai = {p: OpenAI(base_url=f"http://127.0.0.1:{p}/v1", api_key=keys.api_key, max_retries=0, timeout=30)
                       for p in cluster.ports}

    def run(self) -> None:
        n = 0
        while not self.halt.is_set():
            n += 1
            node = (n + self.index) % NODES
            port = self.cluster.ports[node]
            marker = f"mn_{APP_TAG[self.keys.app_id]}_{self.dialect}_{self.index:02d}{n:05d}"
            prompt = f"a lighthouse on a cliff at dusk, tag {marker}"
            try:
                self.accepted.append(self.create(node, port, marker, prompt))
            except Exception as exc:  # the node is down or restarting, or died during the call
                self.errors[type(exc).__name__] += 1
                kind = re.sub(r"\d+", "N", str(exc))[:80]
                if kind not in self.samples and len(self.samples) < 5:
                    self.samples[kind] = f"node {node} at {time.monotonic():.1f}: {type(exc).__name__}: {str(exc)[:300]}"
                self.lost.append(marker)
                self.halt.wait(0.05)
            self.halt.wait(self.pause)

    def create(self, node: int, port: int, marker: str, prompt: str) -> Accepted:
        app = self.keys.app_id
        if self.dialect == "vod":
            req = vod_models.CreateAigcImageTaskRequest()
            req.from_json_string(json.dumps({
                "SubAppId": app, "ModelName": "GG", "ModelVersion": "2.5", "Prompt": prompt,
                "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "1:1"}, "SessionContext": marker}))
            task_id = self.vod[port].CreateAigcImageTask(req).TaskId
        elif self.dialect == "mps":
            req = mps_models.CreateAigcImageTaskRequest()
            req.from_json_string(json.dumps({"ModelName": "GEM", "ModelVersion": "2.5", "Prompt": prompt,
                                             "ExtraParameters": {"AspectRatio": "1:1"}}))
            task_id = self.mps[port].CreateAigcImageTask(req).TaskId
        elif self.dialect == "rest":
            resp = requests.post(f"http://127.0.0.1:{port}/tencent-vod/v1/aigc-image", headers=self.keys.bearer,
                                 json={"model_name": "GG", "model_version": "2.5", "prompt": prompt,
                                       "output_config": {"storage_mode": "Temporary", "aspect_ratio": "1:1"},
                                       "callback_url": self.receiver.url(f"/rest/{marker}")}, timeout=5)
            if resp.status_code != 200:
                raise RuntimeError(f"REST create -> {resp.status_code}: {resp.text[:300]}")
            task_id = resp.json()["Response"].get("TaskId")
        else:
            result = self.openai[port].images.generate(
                model="GG-2.5", prompt=prompt, size="1024x1024", n=1, response_format="url",
                extra_body={"callback_url": self.receiver.url(f"/openai/{marker}")})
            task_id = (result.model_extra or {}).get("easel_task_id")
            assert result.data and result.data[0].url, f"OpenAI answer without an image URL: {result}"
            return Accepted(marker, self.dialect, app, node, task_id, file_url=result.data[0].url)
        if not task_id:
            raise RuntimeError(f"{self.dialect} create answered without TaskId")
        return Accepted(marker, self.dialect, app, node, task_id)


# --------------------------------------------------------------------------
# Final state, queried through any node
# --------------------------------------------------------------------------


def query(task: Accepted, keys: AppKeys, port: int) -> tuple:
    """(terminal?, succeeded?, FileUrls, raw) for a task, asked of the node on `port`."""
    if task.dialect == "vod":
        req = vod_models.DescribeTaskDetailRequest()
        req.TaskId, req.SubAppId = task.task_id, task.app
        detail = vod_client.VodClient(keys.credential(), "", _profile(port, 15)).DescribeTaskDetail(req)
        image = json.loads(detail.AigcImageTask.to_json_string()) if detail.AigcImageTask else {}
        urls = [f.get("FileUrl") for f in (image.get("Output") or {}).get("FileInfos") or []]
        return detail.Status in ("FINISH", "ABORTED"), detail.Status == "FINISH" and image.get("ErrCode") == 0, urls, \
            image
    if task.dialect == "mps":
        req = mps_models.DescribeAigcImageTaskRequest()
        req.TaskId = task.task_id
        resp = mps_client.MpsClient(keys.credential(), "", _profile(port, 15)).DescribeAigcImageTask(req)
        return resp.Status in ("DONE", "FAIL"), resp.Status == "DONE", list(resp.ImageUrls or []), \
            {"Status": resp.Status, "Message": resp.Message}
    if task.dialect == "rest":
        resp = requests.get(f"http://127.0.0.1:{port}/tencent-vod/v1/query/{task.task_id}", headers=keys.bearer,
                            timeout=15)
        assert resp.status_code == 200, f"REST query {task.task_id} -> {resp.status_code}: {resp.text[:300]}"
        response = resp.json()["Response"]
        image = response.get("AigcImageTask") or {}
        urls = [f.get("FileUrl") for f in (image.get("Output") or {}).get("FileInfos") or []]
        return response.get("Status") in ("FINISH", "ABORTED"), \
            response.get("Status") == "FINISH" and image.get("ErrCode") == 0, urls, response
    return True, True, [task.file_url], {}  # OpenAI answered synchronously with the finished result


def through(url: str, port: int) -> str:
    """The same signed link, asked of another node."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, f"127.0.0.1:{port}", parts.path, parts.query, parts.fragment))


def path_of(url: Optional[str]) -> Optional[str]:
    return urllib.parse.urlsplit(url).path if url else None


# --------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------


@pytest.mark.timeout(420)
def test_three_nodes_one_store_kill_9_under_load(pg_cluster, pg_database, moto_bucket, webhook_receiver, tmp_path,
                                                 capsys):
    seed = int(os.environ.get("EASEL_MULTINODE_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    began = time.monotonic()
    receiver = webhook_receiver()
    fake = FakeUpstream(seed)
    env = {
        "EASEL_STORE_URL": pg_database, "EASEL_MASTER_KEY": MASTER_KEY,
        "EASEL_OUTPUT_BUCKET": BUCKET, "EASEL_OUTPUT_ENDPOINT": moto_bucket, "EASEL_OUTPUT_REGION": "us-east-1",
        "EASEL_OUTPUT_ACCESS_KEY_ID": "AKIDEXAMPLE", "EASEL_OUTPUT_SECRET_ACCESS_KEY": "SECRETEXAMPLE",
        "EASEL_OUTPUT_PREFIX": f"mn-{uuid.uuid4().hex[:8]}", "EASEL_OUTPUT_ADDRESSING": "path",
        "EASEL_DELIVERY_ALLOWED_HOSTS": "127.0.0.1",
    }

    def config_for(node: int, generation: int) -> dict:
        hooks = {"callback_url": receiver.url("/vod"), "webhook_url": receiver.url("/hook")}
        return {
            "scheduling": {"default_concurrency": LIMITS[APP_A], "create_rate_limit": 0, "lease_seconds": LEASE_S,
                           # Tasks killed mid-run are re-run; never give one up in this test (default 3 starts).
                           "max_attempts": 20, "drain_timeout_seconds": 5},
            "apps": [{"app_id": APP_A, "sub_app_id": APP_A, **hooks},
                     {"app_id": APP_B, "sub_app_id": APP_B, "concurrency": LIMITS[APP_B], **hooks}],
            "delivery": {"allowed_hosts": ["127.0.0.1"], "retry_delays_seconds": [1, 1, 2, 2, 5, 5, 10]},
            "upstreams": [{"name": "fake", "provider": "openai-compatible", "base_url": fake.base_url(node, generation),
                           "models": ["GG/2.5", "GEM/2.5"], "options": {"response_format": "b64_json"},
                           "max_concurrency": CHANNEL_CAP}],
        }

    keys = {app: keys_create(app, env, tmp_path / "cli") for app in (APP_A, APP_B)}
    cluster = Cluster(tmp_path, env, config_for, pg_cluster)
    try:
        # From this thread: the nodes die with the thread that started them (PR_SET_PDEATHSIG), not a pool's.
        for node in range(NODES):
            cluster.start(node)
        producers, stream_s = _stream(cluster, keys, fake, receiver, rng)
        assert not [p.name for p in producers if p.is_alive()], "a producer did not stop"
        _check(cluster, producers, keys, fake, receiver, seed, began, stream_s, capsys)
    except BaseException:
        print(cluster.logs())
        raise
    finally:
        cluster.stop_all()
        fake.close()


def _stream(cluster: Cluster, keys: dict, fake: FakeUpstream, receiver, rng: random.Random) -> tuple:
    """STREAM_S seconds of creates in every dialect while KILLS nodes are killed and restarted; (producers, seconds)."""
    # ~5 creates/s for APP_A (limit 3) and ~3.5/s for APP_B (limit 2), in all four dialects; OpenAI blocks.
    plan = {APP_A: [("vod", 0.7, 1), ("mps", 0.8, 1), ("rest", 0.7, 1), ("openai", 0.3, 2)],
            APP_B: [("vod", 1.0, 1), ("mps", 1.1, 1), ("rest", 1.0, 1), ("openai", 0.5, 1)]}
    producers: list = []
    for app, dialects in plan.items():
        for dialect, pause, threads in dialects:
            for _ in range(threads):
                producers.append(Producer(dialect, keys[app], cluster, receiver, pause, len(producers)))
    started = time.monotonic()
    for producer in producers:
        producer.start()
    try:
        # The kills: spread over the stream, each of the node with the most upstream calls in flight at that
        # moment (so that running work is interrupted), restarted after a random pause.
        span = max(STREAM_S - 20, 1)
        moments = sorted(8 + span * (k + rng.uniform(0.1, 0.9)) / max(KILLS, 1) for k in range(KILLS))
        for moment in moments:
            time.sleep(max(0.0, started + moment - time.monotonic()))
            busy_until = time.monotonic() + 3
            while not fake.running_per_node() and time.monotonic() < busy_until:
                time.sleep(0.01)
            in_flight = fake.running_per_node()
            victim = max(range(NODES), key=lambda n: (in_flight[n], rng.random()))
            cluster.kill(victim)
            time.sleep(rng.uniform(0.3, 2.5))
            cluster.start(victim)
        time.sleep(max(0.0, started + STREAM_S - time.monotonic()))
    finally:
        for producer in producers:
            producer.halt.set()
        for producer in producers:
            producer.join(timeout=40)
    return producers, time.monotonic() - started


def _describe(call: UpstreamCall, began: float, per_task: dict) -> str:
    """One upstream call, with the other runs of its task, times relative to the test's start."""
    def one(c: UpstreamCall) -> str:
        state = "answered" if c.completed else "cut off" if c.cut_off else "running"
        end = f"{c.end - began:.2f}" if c.end else "…"
        return f"node {c.node} gen {c.generation} {c.start - began:.2f}–{end}s {state}"
    runs = per_task.get(call.marker, [call])
    return f"{call.marker}: " + "; ".join(one(c) for c in runs)


def _check(cluster: Cluster, producers: list, keys: dict, fake: FakeUpstream, receiver, seed: int, began: float,
           stream_s: float, capsys) -> None:
    accepted = [a for p in producers for a in p.accepted]
    lost = [m for p in producers for m in p.lost]
    errors = collections.Counter()
    for p in producers:
        errors.update({f"{p.dialect}:{k}": v for k, v in p.errors.items()})
    per_dialect = collections.Counter(a.dialect for a in accepted)
    kills = [(node, gen, round(t - began, 1)) for node, gen, t in cluster.kills]
    context = f"seed {seed} (EASEL_MULTINODE_SEED); kills (node, generation, s): {kills}; create errors {dict(errors)}"
    samples = sorted({s.split(": ", 1)[1] for p in producers for s in p.samples.values()})
    context += f"; distinct create errors: {samples[:6]}"
    assert all(per_dialect[d] >= 10 for d in ("vod", "mps", "rest", "openai")), \
        f"too few creates went through: {dict(per_dialect)}; {context}"
    assert len(cluster.kills) == KILLS, context
    ids = [a.task_id for a in accepted]
    assert all(ids), f"an accepted create returned no task id; {context}"
    assert len(set(ids)) == len(ids), f"a TaskId was handed out twice; {context}"
    by_marker = {a.marker: a for a in accepted}

    # 1. Every accepted task reaches a terminal state, and it is success — asked of a node other than its creator.
    settle_started = time.monotonic()
    final: dict = {}
    pending = [a for a in accepted]
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    rounds = 0
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        while pending:
            rounds += 1

            def ask(task: Accepted):
                others = [i for i in range(NODES) if i != task.node] or [task.node]
                return task, query(task, keys[task.app], cluster.ports[others[rounds % len(others)]])

            still = []
            for task, (terminal, ok, urls, raw) in pool.map(ask, pending):
                if terminal:
                    final[task.task_id] = (ok, urls, raw)
                else:
                    still.append(task)
            pending = still
            if pending:
                assert time.monotonic() < deadline, (
                    f"{len(pending)} accepted tasks not terminal {SETTLE_TIMEOUT_S}s after the stream, e.g. "
                    f"{[(t.dialect, t.task_id) for t in pending[:5]]}; {context}")
                time.sleep(0.5)
    settle_s = time.monotonic() - settle_started
    failed = {t: raw for t, (ok, _, raw) in final.items() if not ok}
    assert not failed, f"{len(failed)} accepted tasks did not succeed, e.g. {list(failed.items())[:3]}; {context}"
    no_output = [t for t, (_, urls, _) in final.items() if not urls or not all(urls)]
    assert not no_output, f"succeeded without FileUrls: {no_output[:5]}; {context}"

    # 2. The upstream: no overlapping runs of a task; re-runs only after the earlier run's process was killed.
    calls = fake.snapshot()
    assert not fake.unparsed, f"upstream calls with an unexpected path: {fake.unparsed[:5]}"
    unmarked = [c for c in calls if c.marker is None]
    assert not unmarked, f"upstream calls without a task marker: {unmarked[:5]}"
    killed_at = {(node, gen): t for node, gen, t in cluster.kills}
    per_task = collections.defaultdict(list)
    for call in calls:
        per_task[call.marker].append(call)
    overlapping, unjustified, reruns, cut_offs = [], [], 0, 0
    for marker, runs in per_task.items():
        runs.sort(key=lambda c: c.start)
        cut_offs += sum(1 for c in runs if c.cut_off)
        for earlier, later in zip(runs, runs[1:]):
            if later.start < earlier.end:
                overlapping.append((marker, earlier, later))
            kill = killed_at.get(earlier.incarnation)
            if kill is None or later.start < kill:
                unjustified.append((marker, earlier, later, kill))
        reruns += len(runs) - 1
    assert not overlapping, (f"a task ran at the upstream twice at once: "
                             f"{[_describe(e, began, per_task) for _, e, _ in overlapping[:3]]}; {context}")
    assert not unjustified, (
        f"a task ran again although its earlier run's process was alive (not killed before the re-run): "
        f"{[(_describe(e, began, per_task), kill and round(kill - began, 2)) for _, e, _, kill in unjustified[:3]]}; "
        f"{context}")
    for task in accepted:
        runs = per_task.get(task.marker)
        assert runs, f"{task.dialect} task {task.task_id} ({task.marker}) succeeded without an upstream call; {context}"
        assert runs[-1].completed, f"the last upstream run of {task.marker} was not answered: {runs}; {context}"

    # 3. The per-app concurrency limit holds across the nodes.
    with fake.lock:
        high_water = {app: fake.high_water[app] for app in LIMITS}
    for app, limit in LIMITS.items():
        assert high_water[app] <= limit, (
            f"app {app} had {high_water[app]} concurrent upstream calls, limit {limit}: "
            f"{[_describe(c, began, per_task) for c in fake.high_water_at[app]]}; {context}")
    assert max(high_water.values()) >= 2, f"no concurrency reached the upstream at all: {high_water}; {context}"
    # The channel's max_concurrency holds across the nodes too (cluster-wide slots, not one limiter per node).
    with fake.lock:
        channel_high_water = fake.total_high_water
    assert channel_high_water <= CHANNEL_CAP, (
        f"the channel had {channel_high_water} concurrent upstream calls, max_concurrency {CHANNEL_CAP}: "
        f"{[_describe(c, began, per_task) for c in fake.total_high_water_at]}; {context}")

    # 4. Every delivery arrived: VOD events (app callback_url), REST and OpenAI webhooks (task callback_url).
    want_vod = {a.task_id: a for a in accepted if a.dialect == "vod"}
    want_hooks = {a.marker: a for a in accepted if a.dialect in ("rest", "openai")}
    # Creates whose answer was lost may still have been committed; those that ran at the upstream must notify too.
    committed_lost = {m for m in lost if m in per_task and m.split("_")[2] in ("rest", "openai")}

    def vod_tasks(reqs):
        return {(r.json.get("AigcImageCompleteEvent") or {}).get("TaskId") for r in reqs if r.path == "/vod"}

    def hook_markers(reqs):
        return {r.path.rsplit("/", 1)[-1] for r in reqs if r.path.startswith(("/rest/", "/openai/"))}

    delivery_started = time.monotonic()
    receiver.wait_for(lambda reqs: set(want_vod) <= vod_tasks(reqs)
                      and set(want_hooks) | committed_lost <= hook_markers(reqs),
                      timeout=DELIVERY_TIMEOUT_S, what=f"every VOD event and webhook ({context})")
    delivery_wait_s = time.monotonic() - delivery_started
    got = receiver.received()
    ids_per_task = collections.defaultdict(set)
    stray = []
    for req in got:
        if req.path == "/vod":
            event = req.json.get("AigcImageCompleteEvent") or {}
            task_id, app = event.get("TaskId"), int(str(event.get("TaskId", "0")).split("-")[0] or 0)
        elif req.path.startswith(("/rest/", "/openai/")):
            body = req.json
            task_id = body.get("task_id")
            app = APP_A if "_A_" in req.path else APP_B
            assert body.get("status") == "succeeded", f"webhook {req.path} says {body.get('status')}: {body}"
            accepted_task = by_marker.get(req.path.rsplit("/", 1)[-1])
            if accepted_task is not None:
                assert task_id == accepted_task.task_id, f"webhook {req.path} is for {task_id}, not {accepted_task}"
        else:
            stray.append((req.path, req.body[:200]))
            continue
        assert app in keys, f"delivery for an unknown app: {req.path} {req.body[:300]}"
        req.verify_signature(keys[app].webhook_secret, tolerance=180)
        ids_per_task[task_id].add(req.webhook_id)
        if task_id in final and final[task_id][1]:
            # The delivery announces the same outputs the task shows now: a task ends once.
            shown = sorted(path_of(u) for u in final[task_id][1])
            body = req.json
            if req.path.startswith("/openai/"):
                announced = sorted(path_of(item.get("url")) for item in body.get("data") or [] if item.get("url"))
            else:
                image = ((body.get("AigcImageCompleteEvent") or {}) if req.path == "/vod"
                         else (body.get("Response") or {}).get("AigcImageTask") or {})
                announced = sorted(path_of(f.get("FileUrl")) for f in (image.get("Output") or {}).get("FileInfos") or [])
            if announced:
                assert announced == shown, f"{task_id}: delivered outputs {announced}, query shows {shown}"
    assert not stray, f"deliveries to the app's default webhook although each task had its own: {stray[:3]}"
    twice = {t: i for t, i in ids_per_task.items() if len(i) > 1}
    assert not twice, f"tasks announced under more than one Easel-Webhook-Id (finished twice?): {twice}; {context}"
    deliveries_total = len(got)
    deliveries_unique = sum(len(i) for i in ids_per_task.values())

    # 5. Any node serves any task's signed FileUrl from the shared bucket.
    samples = []
    for dialect in ("vod", "mps", "rest", "openai"):
        tasks = [a for a in accepted if a.dialect == dialect]
        samples += random.Random(seed).sample(tasks, min(FILE_SAMPLES_PER_DIALECT, len(tasks)))
    fetched = 0
    for task in samples:
        url = final[task.task_id][1][0]
        assert path_of(url).startswith("/files/"), f"{task.dialect} FileUrl is not an Easel link: {url}"
        digests = set()
        for node in range(NODES):
            if node == task.node and NODES > 1:
                continue
            resp = requests.get(through(url, cluster.ports[node]), timeout=15)
            assert resp.status_code == 200, (
                f"node {node} answered {resp.status_code} for {task.dialect} {task.task_id}'s FileUrl "
                f"(created on node {task.node}): {resp.text[:300]}")
            image = Image.open(io.BytesIO(resp.content))
            image.load()
            digests.add(resp.content)
            fetched += 1
        assert len(digests) == 1, f"nodes serve different bytes for {url}"

    # The kills hit running work, which the survivors (or the restarted node) took over once its lease expired.
    log = "\n".join(s.read_log(limit=50_000_000) for s in cluster.servers if s is not None)
    requeued = [int(m) for m in re.findall(r"requeued=(\d+)[^\n]*recovered interrupted tasks", log)]
    assert sum(requeued) > 0, f"no kill hit a running task, so the take-over was not exercised; {context}"

    wall = time.monotonic() - began
    rerun_tasks = sum(1 for runs in per_task.values() if len(runs) > 1)
    with capsys.disabled():
        print(f"\nmultinode: {len(accepted)} tasks accepted {dict(sorted(per_dialect.items()))} "
              f"(apps: {dict(collections.Counter(a.app for a in accepted))}), {len(lost)} creates unanswered "
              f"({len(committed_lost)} of them ran anyway and were delivered); {len(cluster.kills)} kills "
              f"(node, generation, s): {kills}; {len(calls)} upstream calls, {cut_offs} cut off by a kill, "
              f"{reruns} re-runs in {rerun_tasks} tasks, {sum(requeued)} tasks re-queued after expired leases; "
              f"high-water per app {high_water} (limits {LIMITS}), channel {channel_high_water} (cap {CHANNEL_CAP}); "
              f"{deliveries_total} deliveries, {deliveries_unique} distinct ({deliveries_total - deliveries_unique} "
              f"repeats), complete {delivery_wait_s:.1f}s after the tasks settled; {fetched} FileUrls fetched "
              f"through another node; stream {stream_s:.0f}s, settle {settle_s:.1f}s, wall {wall:.0f}s; "
              f"create errors {dict(errors)}; seed {seed}")
