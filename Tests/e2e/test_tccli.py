"""The official `tccli` command line, pointed at Easel with --endpoint.

tccli never sets a protocol of its own, so the scheme must be part of
--endpoint (`http://127.0.0.1:P`); it then sends `Host: http://127.0.0.1:P`
and signs that value.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

VOD_TASK_ID = re.compile(r"^\d+-AigcImageTask-[0-9a-f]{32}t$")
MPS_TASK_ID = re.compile(r"^\d+-AigcImage-[0-9a-f]{32}$")


def tccli_path() -> str:
    beside_python = Path(sys.executable).parent / "tccli"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("tccli")
    if not found:
        pytest.fail("tccli is not installed (pip install -r Tests/e2e/requirements.txt)")
    return found


@pytest.fixture
def tccli(tmp_path, easel_server, vod_app):
    """Run tccli with the default app's keys in a throwaway HOME; returns a runner.

    runner(*args, secret_key=None, check=True) -> parsed JSON stdout (check=True)
    or the CompletedProcess (check=False).
    """
    home = tmp_path / "home"
    home.mkdir()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TENCENTCLOUD_")}
    base_env.update({
        "HOME": str(home),
        "TENCENTCLOUD_SECRET_ID": vod_app.secret_id,
        "TENCENTCLOUD_SECRET_KEY": vod_app.secret_key,
        "TENCENTCLOUD_REGION": "ap-guangzhou",
    })

    def run(*args: str, secret_key: str | None = None, check: bool = True):
        env = dict(base_env)
        if secret_key is not None:
            env["TENCENTCLOUD_SECRET_KEY"] = secret_key
        cmd = [tccli_path(), *args, "--endpoint", easel_server.base_url]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        if not check:
            return proc
        assert proc.returncode == 0, (
            f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"tccli printed no JSON:\n{proc.stdout}\nstderr:\n{proc.stderr}")

    return run


def wait_vod_finished(tccli, task_id: str, sub_app_id: int, poll) -> dict:
    out = poll(lambda: tccli("vod", "DescribeTaskDetail", "--TaskId", task_id, "--SubAppId", str(sub_app_id)),
               lambda r: r.get("Status") in ("FINISH", "ABORTED"), interval=0.5, what=f"task {task_id}")
    assert out["Status"] == "FINISH"
    assert out["TaskType"] == "AigcImageTask"
    assert out["AigcImageTask"]["ErrCode"] == 0
    return out


def test_vod_create_and_describe(tccli, vod_app, poll, images):
    out = tccli("vod", "CreateAigcImageTask", "--SubAppId", str(vod_app.sub_app_id),
                "--ModelName", "GG", "--ModelVersion", "2.5", "--Prompt", "a cat",
                "--OutputConfig", '{"StorageMode":"Temporary","AspectRatio":"1:1"}')
    task_id = out["TaskId"]
    assert VOD_TASK_ID.match(task_id), task_id
    assert out["RequestId"]

    detail = wait_vod_finished(tccli, task_id, vod_app.sub_app_id, poll)

    url = detail["AigcImageTask"]["Output"]["FileInfos"][0]["FileUrl"]
    _, img = images.fetch(url)
    images.assert_ratio(img, 1, 1)


def test_vod_create_with_unfolded_arguments(tccli, vod_app, poll, images):
    out = tccli("vod", "CreateAigcImageTask", "--cli-unfold-argument",
                "--SubAppId", str(vod_app.sub_app_id), "--ModelName", "GG", "--ModelVersion", "2.5",
                "--Prompt", "a cat", "--OutputConfig.StorageMode", "Temporary", "--OutputConfig.AspectRatio", "1:1")
    task_id = out["TaskId"]
    assert VOD_TASK_ID.match(task_id), task_id

    detail = wait_vod_finished(tccli, task_id, vod_app.sub_app_id, poll)

    _, img = images.fetch(detail["AigcImageTask"]["Output"]["FileInfos"][0]["FileUrl"])
    images.assert_ratio(img, 1, 1)


def test_mps_create_and_describe(tccli, poll, images):
    out = tccli("mps", "CreateAigcImageTask", "--ModelName", "GEM", "--ModelVersion", "2.5",
                "--Prompt", "draw a cat", "--Operator", "admin", "--ExtraParameters", '{"AspectRatio":"1:1"}')
    task_id = out["TaskId"]
    assert MPS_TASK_ID.match(task_id), task_id

    done = poll(lambda: tccli("mps", "DescribeAigcImageTask", "--TaskId", task_id),
                lambda r: r.get("Status") in ("DONE", "FAIL"), interval=0.5, what=f"MPS task {task_id}")

    assert done["Status"] == "DONE", done
    _, img = images.fetch(done["ImageUrls"][0])
    images.assert_ratio(img, 1, 1)


def test_bad_secret_key_fails(tccli, vod_app):
    proc = tccli("vod", "DescribeTaskDetail", "--TaskId", f"{vod_app.sub_app_id}-AigcImageTask-{'0' * 32}t",
                 secret_key=vod_app.secret_key + "x", check=False)

    assert proc.returncode != 0
    assert "AuthFailure.SignatureFailure" in proc.stdout + proc.stderr
