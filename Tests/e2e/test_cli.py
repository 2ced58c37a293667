"""The operator's CLI against a real server and on a data directory.

`easel submit` talks to a running server through the REST dialect (Bearer app key); `easel tasks`, `usage`, `keys`,
`media` and `deliveries` talk to the admin API with `--url` (Bearer admin key, which the server takes from
EASEL_ADMIN_KEY) and open the data directory directly without it. Exit codes: 0 done, 1 the task failed or the
server refused, 2 usage or connection errors (one line on stderr).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pty
import re
import secrets
import select
import struct
import subprocess
import termios
import time
from pathlib import Path
from typing import Optional

import pytest
from PIL import Image

from conftest import (CLI_TIMEOUT_S, DEFAULT_APP_ID, EASEL_BIN, _easel_env, _free_port, start_easel_server,
                      wait_until)

ADMIN_KEY = "adm-" + secrets.token_hex(16)
# The sandbox takes this long per task, so a second task of the same app (concurrency 1) is still waiting when
# the first runs, and a progress bar has time to be drawn.
LATENCY_MS = 1500
TASK_ID = re.compile(r"^\d+-AigcImageTask-[0-9a-f]{32}t$")
FORBIDDEN_TERM = "flamethrower"
CONFIG = {"compliance": {"rules": [{"category": "weapons", "terms": [FORBIDDEN_TERM]}]},
          "sandbox": {"latency_ms": LATENCY_MS}}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def cli(args: list, env: Optional[dict] = None, timeout: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess:
    """Run `easel ARGS` with a hermetic environment (plus `env`); never fails by itself."""
    return subprocess.run([str(EASEL_BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=_easel_env(env or {}), stdin=subprocess.DEVNULL)


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"{proc.args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def admin(server, *args) -> list:
    """`easel ARGS --url … --admin-key …` (the admin API)."""
    return [*args, "--url", server.base_url, "--admin-key", ADMIN_KEY]


def submit(server, keys, *args, wait: bool = True) -> list:
    base = ["submit", "--url", server.base_url, "--api-key", keys.api_key, "--model", "GEM-2.5"]
    return base + (["--wait"] if wait else []) + list(args)


def image_kind(path: Path) -> str:
    head = path.read_bytes()[:8]
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    return f"unknown header {head!r}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with an admin key, a compliance rule (to fail tasks on purpose) and a slow sandbox."""
    srv = start_easel_server(tmp_path_factory.mktemp("easel-cli"), {"EASEL_ADMIN_KEY": ADMIN_KEY}, config=CONFIG)
    try:
        yield srv
    finally:
        srv.stop()


_app_ids = iter(range(1300002000, 1300003000))


@pytest.fixture
def app(server):
    """Fresh credentials of a fresh app (its own queue), created on the data directory."""
    app_id = next(_app_ids)
    return server.create_keys(app_id, app_id)


@pytest.fixture
def reference_png(tmp_path) -> Path:
    path = tmp_path / "reference.png"
    Image.new("RGB", (40, 30), (10, 200, 90)).save(path, format="PNG")
    return path


# --------------------------------------------------------------------------
# easel submit
# --------------------------------------------------------------------------


def test_submit_wait_piped_prints_plain_lines_and_saves_images(server, app, reference_png, tmp_path):
    out = tmp_path / "images"
    proc = ok(cli(submit(server, app, "--prompt", "a lighthouse at dusk", "--aspect-ratio", "16:9",
                         "--ref", reference_png, "--out", out)))
    assert "\r" not in proc.stdout and "\x1b" not in proc.stdout, f"terminal control codes in piped output: {proc.stdout!r}"
    lines = proc.stdout.splitlines()
    paths = [Path(line) for line in lines if line.startswith(str(out))]
    status_lines = [line for line in lines if not line.startswith(str(out))]
    assert len(paths) == 1, f"expected one saved image path, got:\n{proc.stdout}"
    task_id = paths[0].name.rsplit("-", 1)[0]
    assert TASK_ID.match(task_id), paths[0]
    assert paths[0].name in (f"{task_id}-1.png", f"{task_id}-1.jpeg"), paths[0]
    assert image_kind(paths[0]) in ("png", "jpeg"), image_kind(paths[0])
    with Image.open(paths[0]) as img:
        img.load()
        assert abs(img.width / img.height - 16 / 9) < 0.03, img.size
    # One line per change of state, each naming the task; no line repeats.
    assert status_lines and all(line.startswith(task_id) for line in status_lines), proc.stdout
    assert len(status_lines) == len(set(status_lines)), f"a state printed twice:\n{proc.stdout}"
    assert any("processing" in line for line in status_lines), proc.stdout
    assert "done" in status_lines[-1] and "100%" in status_lines[-1], proc.stdout
    # The reference image really reached the task (sent inline as base64).
    detail = json.loads(ok(cli(admin(server, "tasks", "show", task_id))).stdout)
    assert [str(f.get("source")).lower() for f in detail["request"]["inputs"]] == ["base64"], detail["request"]


def test_submit_without_wait_prints_the_task_id(server, app):
    proc = ok(cli(submit(server, app, "--prompt", "a red fox", wait=False)))
    assert TASK_ID.match(proc.stdout.strip()), proc.stdout
    proc = ok(cli(submit(server, app, "--prompt", "a red fox", "--json", wait=False)))
    created = json.loads(proc.stdout)
    assert TASK_ID.match(created["task_id"]) and isinstance(created["queue_position"], int), created


def test_submit_wait_in_a_terminal_redraws_a_progress_bar(server, app, tmp_path):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    args = submit(server, app, "--prompt", "three small boats", "--out", tmp_path, wait=True)
    args[args.index("GEM-2.5")] = "Kling-2.1"  # makes several images: progress moves in steps
    args += ["--count", "3", "--aspect-ratio", "1:1"]
    proc = subprocess.Popen([str(EASEL_BIN), *map(str, args)], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE, env=_easel_env({}))
    os.close(slave)
    output = b""
    deadline = time.monotonic() + CLI_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError as exc:  # EIO: the child closed the terminal
                    if exc.errno != errno.EIO:
                        raise
                    break
                if not chunk:
                    break
                output += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read().decode()
    text = output.decode("utf-8", "replace")
    assert code == 0, f"exit {code}\noutput:\n{text!r}\nstderr:\n{stderr}"
    bars = re.findall(r"\r\[[#.]+\] +(\d+)%", text)
    assert len(bars) >= 3, f"expected a bar redrawn with \\r several times, got:\n{text!r}"
    assert bars[-1] == "100", f"the last bar is not at 100%: {bars}"
    assert any(0 < int(p) < 100 for p in bars), f"no intermediate percentage among {bars}"
    assert re.search(r"\d+\.\ds", text), f"no elapsed time in the bar:\n{text!r}"
    saved = sorted(tmp_path.glob("*-AigcImageTask-*"))
    assert [p.name.rsplit("-", 1)[1].split(".")[0] for p in saved] == ["1", "2", "3"], saved
    assert all(image_kind(p) in ("png", "jpeg") for p in saved), [image_kind(p) for p in saved]
    for path in saved:
        assert str(path) in text, f"{path} not printed"


def test_a_failing_task_exits_1_with_its_error(server, app, tmp_path):
    proc = cli(submit(server, app, "--prompt", f"a {FORBIDDEN_TERM} on a table", "--out", tmp_path))
    assert proc.returncode == 1, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "InvalidParameter.ViolationContent" in proc.stderr, proc.stderr
    assert "failed" in proc.stderr, proc.stderr
    assert not list(tmp_path.iterdir()), "a failed task saved files"


def test_a_wrong_url_exits_2_with_one_line(app):
    closed = f"http://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    proc = cli(["submit", "--url", closed, "--api-key", app.api_key, "--model", "GEM-2.5", "--prompt", "x", "--wait"])
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert time.monotonic() - started < 30
    assert len(proc.stderr.strip().splitlines()) == 1 and closed in proc.stderr, proc.stderr
    assert proc.stdout == ""
    proc = cli(["tasks", "list", "--url", closed, "--admin-key", ADMIN_KEY])
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_usage_errors_exit_2_with_one_line(server, app):
    cases = [
        ["submit", "--url", server.base_url, "--model", "GEM-2.5", "--prompt", "x"],  # no API key
        ["submit", "--url", server.base_url, "--api-key", app.api_key, "--model", "GEM", "--prompt", "x"],
        ["submit", "--url", "not-a-url", "--api-key", app.api_key, "--model", "GEM-2.5", "--prompt", "x"],
        ["submit", "--url", server.base_url, "--api-key", app.api_key, "--model", "GEM-2.5", "--prompt", "x",
         "--ref", "/nonexistent.png"],
        ["tasks", "list", "--url", server.base_url],  # no admin key
        ["tasks", "list", "--url", server.base_url, "--admin-key", ADMIN_KEY, "--data-dir", server.data_dir],
        ["usage", "--since", "yesterday", "--data-dir", server.data_dir],
        ["tasks", "list", "--bogus-flag"],
    ]
    for args in cases:
        proc = cli(args)
        assert proc.returncode == 2, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert len(proc.stderr.strip().splitlines()) == 1, f"{args}: not one line:\n{proc.stderr}"


def test_refusals_by_the_server_exit_1(server, app):
    proc = cli(["submit", "--url", server.base_url, "--api-key", "sk-easel-" + "0" * 48, "--model", "GEM-2.5",
                "--prompt", "x"])
    assert proc.returncode == 1 and "AuthFailure" in proc.stderr, (proc.returncode, proc.stderr)
    proc = cli(["submit", "--url", server.base_url, "--api-key", app.api_key, "--model", "GEM-9.9", "--prompt", "x"])
    assert proc.returncode == 1 and "9.9" in proc.stderr, (proc.returncode, proc.stderr)
    proc = cli(["tasks", "list", "--url", server.base_url, "--admin-key", "wrong-" + ADMIN_KEY])
    assert proc.returncode == 1 and "Unauthorized" in proc.stderr, (proc.returncode, proc.stderr)


# --------------------------------------------------------------------------
# Administration through the admin API (--url)
# --------------------------------------------------------------------------


def created_task(server, app, prompt: str) -> str:
    return ok(cli(submit(server, app, "--prompt", prompt, wait=False))).stdout.strip()


def test_tasks_list_show_cancel_through_the_admin_api(server, app):
    first = created_task(server, app, "first of three")
    second = created_task(server, app, "second of three")
    third = created_task(server, app, "third of three")  # waits behind two others (concurrency 1)

    waiting = json.loads(ok(cli(admin(server, "tasks", "show", third))).stdout)
    assert waiting["status"] == "waiting" and waiting["prompt"] == "third of three", waiting
    assert isinstance(waiting["queue_position"], int) and waiting["queue_position"] >= 1, waiting
    aborted = json.loads(ok(cli(admin(server, "tasks", "cancel", third))).stdout)
    assert aborted["task_id"] == third and aborted["status"] == "aborted", aborted
    proc = cli(admin(server, "tasks", "cancel", third))
    assert proc.returncode == 1 and "Conflict" in proc.stderr, (proc.returncode, proc.stderr)
    proc = cli(admin(server, "tasks", "show", f"{app.app_id}-AigcImageTask-{'0' * 32}t"))
    assert proc.returncode == 1 and "NotFound" in proc.stderr, (proc.returncode, proc.stderr)

    listed = json_lines(ok(cli(admin(server, "tasks", "list", "--app-id", app.app_id))).stdout)
    assert [t["task_id"] for t in listed] == [third, second, first], listed  # newest first
    assert all(t["app_id"] == app.app_id and t["model"] == "GEM-2.5" and t["dialect"] == "rest" for t in listed), listed

    done = wait_until(lambda: json.loads(ok(cli(admin(server, "tasks", "show", first))).stdout),
                      lambda t: t["status"] == "succeeded", timeout=60, what="the first task to succeed")
    assert len(done["outputs"]) == 1 and done["outputs"][0]["url"].startswith(server.base_url), done["outputs"]

    only_aborted = json_lines(ok(cli(admin(server, "tasks", "list", "--app-id", app.app_id, "--status", "aborted"))).stdout)
    assert [t["task_id"] for t in only_aborted] == [third], only_aborted

    page = cli(admin(server, "tasks", "list", "--app-id", app.app_id, "--limit", "1"))
    assert [t["task_id"] for t in json_lines(ok(page).stdout)] == [third]
    cursor = re.search(r"--cursor (\S+)", page.stderr)
    assert cursor, f"no next cursor on stderr: {page.stderr!r}"
    rest = json_lines(ok(cli(admin(server, "tasks", "list", "--app-id", app.app_id, "--cursor", cursor.group(1)))).stdout)
    assert [t["task_id"] for t in rest] == [second, first], rest

    table = ok(cli(admin(server, "tasks", "list", "--app-id", app.app_id, "--table"))).stdout.splitlines()
    assert table[0].split()[:4] == ["TASK_ID", "APP_ID", "MODEL", "STATUS"], table
    assert len(table) == 4 and third in table[1] and "aborted" in table[1], table


def test_usage_through_the_admin_api(server, app, tmp_path):
    ok(cli(submit(server, app, "--prompt", "counted", "--out", tmp_path)))
    report = json.loads(ok(cli(admin(server, "usage", "--app-id", app.app_id, "--json"))).stdout)
    rows = report["usage"]
    assert rows and all(r["app_id"] == app.app_id for r in rows), report
    assert sum(r["created"] for r in rows) == 1 and sum(r["succeeded"] for r in rows) == 1, report
    assert report["totals"]["images"] == 1 and report["totals"]["created"] == 1, report
    # `--app` is the short spelling of `--app-id`.
    table = ok(cli(admin(server, "usage", "--app", app.app_id))).stdout.splitlines()
    assert table[0].split()[:5] == ["DAY", "APP_ID", "SUB_APP_ID", "KEY_ID", "MODEL"], table
    assert table[-1].startswith("total"), table
    assert any("GEM-2.5" in line and app.secret_id in line for line in table[1:-1]), table


def test_keys_created_through_the_admin_api_work(server, tmp_path):
    app_id = next(_app_ids)
    issued = json.loads(ok(cli(admin(server, "keys", "create", "--app-id", app_id))).stdout)
    assert issued["AppId"] == app_id and issued["ApiKey"].startswith("sk-easel-") and issued["SecretId"], issued
    proc = ok(cli(["submit", "--url", server.base_url, "--api-key", issued["ApiKey"], "--model", "GEM-2.5",
                   "--prompt", "made with a new key", "--wait", "--out", tmp_path]))
    assert list(tmp_path.glob(f"{app_id}-AigcImageTask-*")), proc.stdout

    listed = json_lines(ok(cli(admin(server, "keys", "list", "--app-id", app_id))).stdout)
    assert [k["SecretId"] for k in listed] == [issued["SecretId"]] and listed[0]["Revoked"] is False, listed
    assert "SecretKey" not in listed[0] and "ApiKey" not in listed[0], listed
    ok(cli(admin(server, "keys", "revoke", issued["SecretId"])))
    listed = json_lines(ok(cli(admin(server, "keys", "list", "--app-id", app_id))).stdout)
    assert listed[0]["Revoked"] is True, listed
    proc = cli(["submit", "--url", server.base_url, "--api-key", issued["ApiKey"], "--model", "GEM-2.5", "--prompt", "x"])
    assert proc.returncode == 1 and "AuthFailure" in proc.stderr, (proc.returncode, proc.stderr)


def test_media_added_through_the_admin_api_is_a_reference(server, app, reference_png, tmp_path):
    added = json.loads(ok(cli(admin(server, "media", "add", "--app-id", app.app_id, reference_png))).stdout)
    assert added["FileId"] and added["Width"] == 40 and added["Height"] == 30, added
    proc = ok(cli(submit(server, app, "--prompt", "from the library", "--ref", f"fileid:{added['FileId']}",
                         "--out", tmp_path)))
    assert len(list(tmp_path.glob("*-AigcImageTask-*"))) == 1, proc.stdout


def test_deliveries_list_through_the_admin_api(server, app):
    proc = ok(cli(admin(server, "deliveries", "list", "--app-id", app.app_id)))
    assert json_lines(proc.stdout) == [], proc.stdout
    proc = cli(admin(server, "deliveries", "replay", "evt_doesnotexist"))
    assert proc.returncode == 1 and "NotFound" in proc.stderr, (proc.returncode, proc.stderr)


# --------------------------------------------------------------------------
# The same commands on the data directory, after the server stopped
# --------------------------------------------------------------------------


def test_tasks_and_usage_on_the_data_dir_after_the_server_stopped(tmp_path_factory, tmp_path):
    srv = start_easel_server(tmp_path_factory.mktemp("easel-cli-local"), {"EASEL_ADMIN_KEY": ADMIN_KEY}, config=CONFIG)
    try:
        keys = srv.create_keys(DEFAULT_APP_ID, DEFAULT_APP_ID)
        ok(cli(submit(srv, keys, "--prompt", "finished before the stop", "--out", tmp_path)))
        finished = sorted(tmp_path.glob("*-AigcImageTask-*"))[0].name.rsplit("-", 1)[0]
        running = created_task(srv, keys, "running at the stop")
        waiting = created_task(srv, keys, "still waiting after the stop")
    finally:
        srv.stop()
    data = ["--data-dir", srv.data_dir]

    listed = json_lines(ok(cli(["tasks", "list", *data])).stdout)
    by_id = {t["task_id"]: t for t in listed}
    assert [t["task_id"] for t in listed] == [waiting, running, finished], listed
    assert by_id[finished]["status"] == "succeeded" and by_id[finished]["output_count"] == 1, by_id[finished]
    assert by_id[waiting]["status"] == "waiting", by_id[waiting]
    assert {"task_id", "app_id", "sub_app_id", "dialect", "model", "status", "progress", "priority", "session_id",
            "created_at", "started_at", "finished_at", "error_code", "error_message", "output_count",
            "attempts"} <= set(listed[0]), listed[0]

    shown = json.loads(ok(cli(["tasks", "show", finished, *data])).stdout)
    assert shown["prompt"] == "finished before the stop" and len(shown["outputs"]) == 1, shown
    assert "/files/" in shown["outputs"][0]["url"] and "sig=" in shown["outputs"][0]["url"], shown["outputs"]

    aborted = json.loads(ok(cli(["tasks", "cancel", waiting, *data])).stdout)
    assert aborted["status"] == "aborted", aborted
    proc = cli(["tasks", "cancel", finished, *data])
    assert proc.returncode == 1 and "Conflict" in proc.stderr, (proc.returncode, proc.stderr)
    only = json_lines(ok(cli(["tasks", "list", "--status", "aborted,succeeded", *data])).stdout)
    assert {t["task_id"] for t in only} >= {waiting, finished}, only
    assert all(t["status"] in ("aborted", "succeeded") for t in only), only

    report = json.loads(ok(cli(["usage", "--json", *data])).stdout)
    assert report["totals"]["created"] == 3 and report["totals"]["aborted"] == 1, report
    assert report["totals"]["succeeded"] >= 1 and report["totals"]["images"] >= 1, report
    table = ok(cli(["usage", *data])).stdout.splitlines()
    assert table[0].startswith("DAY") and table[-1].startswith("total"), table

    keys_listed = json_lines(ok(cli(["keys", "list", "--app-id", DEFAULT_APP_ID, *data])).stdout)
    assert keys.secret_id in {k["SecretId"] for k in keys_listed}, keys_listed
