"""The reseller REST dialect (`/tencent-vod/v1/...`, snake_case, Bearer ApiKey).

The two curl examples below are copied byte for byte from the resellers' docs
(seeds 003 and 004); the tests only swap the scheme+host for the local server
and `<token>` for the app's ApiKey.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

VOD_TASK_ID = re.compile(r"^\d+-AigcImageTask-[0-9a-f]{32}t$")
SEED_FILE_ID = "387702299774574677"
SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Seed 003 (kkiai docs), byte for byte.
SEED_003_CURL = r"""curl --location --request POST 'https://www.kkiai.com/tencent-vod/v1/aigc-image' \
--header 'Authorization: Bearer <token>' \
--header 'Content-Type: application/json' \
--data-raw '{
"model_name": "GEM",
"model_version": "3.0",
"file_infos": [
{
"type": "file",
"file_id": "387702299774574677",
"url": "",
"text": "Original image description."
}
],
"prompt": "Convert this image to anime style.",
"negative_prompt": "blur, distorted",
"enhance_prompt": "Enabled",
"output_config": {
"storage_mode": "Temporary",
"resolution": "1080P",
"aspect_ratio": "1:1",
"person_generation": "AllowAdult",
"input_compliance_check": "Enabled",
"output_compliance_check": "Enabled"
},
"session_id": "image-task-67890",
"session_context": "{\"user_id\":\"123\",\"scene\":\"profile_picture\"}",
"tasks_priority": 10,
"ext_info": ""
}'"""

# Seed 004 (winfull docs), byte for byte.
SEED_004_CURL = r"""curl --location --request POST 'https://api.winfull.cloud-ip.cc/tencent-vod/v1/aigc-image' \
--header 'Authorization: Bearer <token>' \
--header 'Content-Type: application/json' \
--data-raw '{
    "model_name": "GEM",
    "model_version": "3.0",
    "file_infos": [
        {
            "type": "file",
            "file_id": "387702299774574677",
            "url": "",
            "text": "原始图片的描述信息"
        }
    ],
    "prompt": "convert this image to anime style",
    "negative_prompt": "blur, distorted",
    "enhance_prompt": "Enabled",
    "output_config": {
        "storage_mode": "Temporary",
        "resolution": "1080P",
        "aspect_ratio": "1:1",
        "person_generation": "AllowAdult",
        "input_compliance_check": "Enabled",
        "output_compliance_check": "Enabled"
    },
    "session_id": "image-task-67890",
    "session_context": "{\"user_id\": \"123\", \"scene\": \"profile_picture\"}",
    "tasks_priority": 10,
    "ext_info": ""
}'"""

SEEDS = {
    # id: (command, the docs' scheme+host, seed file prefix)
    "seed003-kkiai": (SEED_003_CURL, "https://www.kkiai.com", "003_"),
    "seed004-winfull": (SEED_004_CURL, "https://api.winfull.cloud-ip.cc", "004_"),
}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def localize(command: str, docs_host: str, server, keys) -> str:
    assert command.count(docs_host) == 1 and command.count("<token>") == 1
    return command.replace(docs_host, server.base_url).replace("<token>", keys.api_key)


def request_body(command: str) -> dict:
    """The JSON document of a curl command's --data-raw '...' argument."""
    start = command.index("--data-raw '") + len("--data-raw '")
    return json.loads(command[start:command.rindex("'")])


def create(server, keys, body: dict) -> requests.Response:
    return requests.post(f"{server.base_url}/tencent-vod/v1/aigc-image", json=body, headers=keys.bearer, timeout=30)


def query(server, keys, task_id: str) -> dict:
    resp = requests.get(f"{server.base_url}/tencent-vod/v1/query/{task_id}", headers=keys.bearer, timeout=30)
    assert resp.status_code == 200, f"query -> {resp.status_code}: {resp.text[:500]}"
    body = resp.json()
    assert "Error" not in body["Response"], body
    assert body["Response"]["RequestId"]
    return body


def wait_finished(server, keys, task_id: str, poll) -> dict:
    out = poll(lambda: query(server, keys, task_id),
               lambda b: b["Response"].get("Status") in ("FINISH", "ABORTED"),
               what=f"REST task {task_id} to finish")
    response = out["Response"]
    assert response["Status"] == "FINISH", out
    assert response["TaskType"] == "AigcImageTask"
    task = response["AigcImageTask"]
    assert task["TaskId"] == task_id
    assert task["ErrCode"] == 0, task
    assert task["Progress"] == 100
    return response


def assert_create_envelope(body: dict) -> str:
    """Tencent envelope plus the queue fields of the resellers' response schema."""
    response = body.get("Response")
    assert isinstance(response, dict), body
    assert "Error" not in response, body
    task_id = response.get("TaskId")
    assert task_id and VOD_TASK_ID.match(task_id), f"bad TaskId in {body}"
    assert response.get("RequestId"), body
    for field in ("status", "request_id", "response_url", "status_url", "cancel_url"):
        assert isinstance(body.get(field), str) and body[field], f"queue field {field!r} missing: {body}"
    assert "logs" in body and body["logs"] is None, body
    assert body.get("metrics") == {}, body
    assert isinstance(body.get("queue_position"), int) and not isinstance(body["queue_position"], bool), body
    return task_id


def error_code(resp: requests.Response) -> str:
    body = resp.json()
    assert body["Response"]["RequestId"], body
    return body["Response"]["Error"]["Code"]


def simple_body(**fields) -> dict:
    body = {"model_name": "GEM", "model_version": "2.5", "prompt": "a teapot shaped like a whale",
            "output_config": {"storage_mode": "Temporary", "aspect_ratio": "16:9"}}
    body.update(fields)
    return body


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", list(SEEDS))
def test_embedded_commands_match_seed_files(seed):
    command, _, prefix = SEEDS[seed]
    files = sorted(SEEDS_DIR.glob(f"{prefix}*.txt"))
    if not files:
        pytest.skip(f"seed files not found in {SEEDS_DIR}")
    assert command in files[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", list(SEEDS))
def test_seed_curl_example(seed, start_server, sample_png, poll, images):
    command, docs_host, _ = SEEDS[seed]
    # A server of its own: both seeds use the same session_id and file_id.
    server = start_server()
    app = server.create_keys(251007502, 251007502)
    server.add_media(app, sample_png, file_id=SEED_FILE_ID)

    proc = subprocess.run(["bash", "-c", localize(command, docs_host, server, app)],
                          capture_output=True, text=True, timeout=60)

    assert proc.returncode == 0, f"curl exited {proc.returncode}: {proc.stderr}"
    body = json.loads(proc.stdout)
    task_id = assert_create_envelope(body)

    response = wait_finished(server, app, task_id, poll)
    task = response["AigcImageTask"]
    assert task["SessionContext"] == request_body(command)["session_context"]
    assert task["Input"]["ModelName"] == "GEM"
    info = task["Output"]["FileInfos"][0]
    _, img = images.fetch(info["FileUrl"])
    images.assert_ratio(img, 1, 1)

    status = requests.get(urljoin(server.base_url, body["status_url"]), headers=app.bearer, timeout=30)
    assert status.status_code == 200, status.text
    assert "status" in status.json(), status.text
    result = requests.get(urljoin(server.base_url, body["response_url"]), headers=app.bearer, timeout=30)
    assert result.status_code == 200, result.text
    result.json()
    cancel = requests.put(urljoin(server.base_url, body["cancel_url"]), headers=app.bearer, timeout=30)
    assert 400 <= cancel.status_code < 500, f"cancel of a finished task -> {cancel.status_code}: {cancel.text}"
    cancel.json()


@pytest.mark.parametrize("headers", [
    pytest.param({}, id="missing"),
    pytest.param({"Authorization": "Bearer not-a-key"}, id="invalid"),
    pytest.param({"Authorization": "Basic Zm9vOmJhcg=="}, id="not-bearer"),
])
def test_create_requires_valid_bearer(easel_server, headers):
    resp = requests.post(f"{easel_server.base_url}/tencent-vod/v1/aigc-image", json=simple_body(),
                         headers=headers, timeout=30)

    assert resp.status_code == 401, resp.text
    assert error_code(resp).startswith("AuthFailure")


def test_query_requires_valid_bearer(easel_server):
    resp = requests.get(f"{easel_server.base_url}/tencent-vod/v1/query/1-AigcImageTask-{'0' * 32}t",
                        headers={"Authorization": "Bearer not-a-key"}, timeout=30)

    assert resp.status_code == 401, resp.text
    assert error_code(resp).startswith("AuthFailure")


def test_duplicate_session_id(easel_server, new_app):
    app = new_app()
    body = simple_body(session_id="dup-" + uuid.uuid4().hex[:12])
    first = create(easel_server, app, body)
    assert "Error" not in first.json()["Response"], first.text

    second = create(easel_server, app, body)

    assert error_code(second) == "InvalidParameterValue.SessionId"


def test_snake_case_with_string_priority(easel_server, new_app, poll, images):
    app = new_app()

    resp = create(easel_server, app, simple_body(tasks_priority="10", enhance_prompt="Disabled",
                                                 negative_prompt="blurry", session_context="ctx-rest"))

    assert resp.status_code == 200, resp.text
    task_id = assert_create_envelope(resp.json())
    response = wait_finished(easel_server, app, task_id, poll)
    assert response["AigcImageTask"]["SessionContext"] == "ctx-rest"
    _, img = images.fetch(response["AigcImageTask"]["Output"]["FileInfos"][0]["FileUrl"])
    images.assert_ratio(img, 16, 9)


def test_query_unknown_task(easel_server, new_app):
    app = new_app()
    task_id = f"{app.sub_app_id}-AigcImageTask-{uuid.uuid4().hex}t"

    resp = requests.get(f"{easel_server.base_url}/tencent-vod/v1/query/{task_id}", headers=app.bearer, timeout=30)

    assert error_code(resp) in ("ResourceNotFound", "InvalidParameterValue.TaskId")
