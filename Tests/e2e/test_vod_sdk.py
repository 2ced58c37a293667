"""VOD 2018-07-17 dialect, driven by the official tencentcloud-sdk-python vod client."""

from __future__ import annotations

import hashlib
import json
import re
import time
import types
import uuid

import pytest
import requests
from tencentcloud.common import abstract_client
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import models

from conftest import sdk_error

VOD_TASK_ID = re.compile(r"^\d+-AigcImageTask-[0-9a-f]{32}t$")
VOD_TASK_STATES = {"WAITING", "PROCESSING", "FINISH", "ABORTED"}
# Codes an abort of an already finished task may fail with.
REFUSAL_CODE_FAMILIES = ("InvalidParameter", "FailedOperation", "UnsupportedOperation", "ResourceUnavailable")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def create_request(sub_app_id: int, **fields) -> models.CreateAigcImageTaskRequest:
    """A GG 2.5 text-to-image request (Temporary storage, 16:9) with overrides."""
    params = {
        "SubAppId": sub_app_id,
        "ModelName": "GG",
        "ModelVersion": "2.5",
        "Prompt": "a lighthouse on a cliff at dusk",
        "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "16:9"},
    }
    params.update(fields)
    req = models.CreateAigcImageTaskRequest()
    req.from_json_string(json.dumps(params))
    return req


def create_task(client, sub_app_id: int, **fields) -> str:
    resp = client.CreateAigcImageTask(create_request(sub_app_id, **fields))
    assert resp.RequestId, "CreateAigcImageTask response has no RequestId"
    assert resp.TaskId and VOD_TASK_ID.match(resp.TaskId), f"bad TaskId {resp.TaskId!r}"
    assert resp.TaskId.startswith(f"{sub_app_id}-"), f"TaskId {resp.TaskId} does not start with the SubAppId"
    return resp.TaskId


def describe(client, task_id: str, sub_app_id=None) -> models.DescribeTaskDetailResponse:
    req = models.DescribeTaskDetailRequest()
    req.TaskId = task_id
    if sub_app_id is not None:
        req.SubAppId = sub_app_id
    resp = client.DescribeTaskDetail(req)
    assert resp.Status in VOD_TASK_STATES, f"unexpected task Status {resp.Status!r}"
    return resp


def wait_finished(client, task_id: str, sub_app_id: int, poll, timeout: float = 60):
    """Poll DescribeTaskDetail until the task leaves WAITING/PROCESSING; require FINISH."""
    resp = poll(lambda: describe(client, task_id, sub_app_id),
                lambda r: r.Status in ("FINISH", "ABORTED"),
                timeout=timeout, what=f"VOD task {task_id} to finish")
    assert resp.Status == "FINISH", f"task ended {resp.Status}: {resp.to_json_string()}"
    return resp


def manage_task(client, task_id: str, sub_app_id: int, operation: str = "Abort"):
    req = models.ManageTaskRequest()
    req.TaskId = task_id
    req.OperationType = operation
    req.SubAppId = sub_app_id
    return client.ManageTask(req)


def assert_succeeded(resp, task_id: str, images, ratio=(16, 9), image_format="PNG", storage="Temporary"):
    """Check a FINISHed DescribeTaskDetail; fetch and verify its first output file."""
    assert resp.TaskType == "AigcImageTask"
    assert resp.Status == "FINISH"
    assert resp.CreateTime and resp.CreateTime.endswith("Z"), f"CreateTime {resp.CreateTime!r}"
    assert resp.FinishTime and resp.FinishTime.endswith("Z"), f"FinishTime {resp.FinishTime!r}"
    task = resp.AigcImageTask
    assert task is not None, "DescribeTaskDetail lacks AigcImageTask"
    assert task.TaskId == task_id
    assert task.Status == "FINISH"
    assert task.ErrCode == 0, f"task failed: {task.ErrCode} {task.ErrCodeExt} {task.Message}"
    assert task.Progress == 100
    assert task.Output is not None and task.Output.FileInfos, "no output files"
    info = task.Output.FileInfos[0]
    assert info.StorageMode == storage
    assert info.FileUrl, "output file has no FileUrl"
    body, img = images.fetch(info.FileUrl)
    assert img.format == image_format, f"got {img.format}, wanted {image_format}"
    meta = info.MetaData
    assert meta is not None, "output file has no MetaData"
    assert (img.width, img.height) == (meta.Width, meta.Height)
    assert len(body) == meta.Size
    assert hashlib.md5(body).hexdigest() == (meta.Md5 or "").lower()
    if ratio:
        images.assert_ratio(img, *ratio)
    if storage == "Temporary":
        assert info.ExpireTime, "Temporary output has no ExpireTime"
    return info, img


def create_call(client, sub_app_id: int, **fields):
    """A thunk that sends CreateAigcImageTask (for error tests)."""
    return lambda: client.CreateAigcImageTask(create_request(sub_app_id, **fields))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


# --------------------------------------------------------------------------
# Happy paths
# --------------------------------------------------------------------------


def test_create_and_describe_temporary_png(make_vod_client, vod_app, poll, images):
    client = make_vod_client()
    context = "ctx-" + uuid.uuid4().hex
    task_id = create_task(client, vod_app.sub_app_id, SessionId=unique("s"), SessionContext=context)

    resp = wait_finished(client, task_id, vod_app.sub_app_id, poll)

    info, _ = assert_succeeded(resp, task_id, images)
    assert info.FileType.lower() == "png"
    assert resp.AigcImageTask.SessionContext == context
    assert resp.AigcImageTask.Input.ModelName == "GG"
    assert resp.AigcImageTask.Input.ModelVersion == "2.5"


@pytest.mark.parametrize(
    "client_options",
    [
        pytest.param({"req_method": "GET"}, id="tc3-get"),
        pytest.param({"sign_method": "HmacSHA256"}, id="v1-hmacsha256"),
        pytest.param({"sign_method": "HmacSHA1"}, id="v1-hmacsha1"),
        pytest.param({"path": "/prefix"}, id="endpoint-with-path"),
    ],
)
def test_transport_variants(make_vod_client, vod_app, poll, images, client_options):
    client = make_vod_client(**client_options)
    task_id = create_task(client, vod_app.sub_app_id, Prompt="a cat & a dog = friends")

    resp = wait_finished(client, task_id, vod_app.sub_app_id, poll)

    assert_succeeded(resp, task_id, images)


def test_sts_temporary_credentials(easel_server, make_vod_client, poll, images):
    temp = easel_server.create_keys(251007502, 251007502, token_ttl=3600)
    client = make_vod_client(temp)
    task_id = create_task(client, temp.sub_app_id)

    assert_succeeded(wait_finished(client, task_id, temp.sub_app_id, poll), task_id, images)


def test_sts_credentials_with_wrong_token_are_rejected(easel_server, make_vod_client):
    temp = easel_server.create_keys(251007502, 251007502, token_ttl=3600)
    client = make_vod_client(temp, token="not-the-token")

    exc = sdk_error(create_call(client, temp.sub_app_id))

    assert exc.get_code().startswith("AuthFailure"), exc.get_code()


def test_jpeg_output_format(make_vod_client, vod_app, poll, images):
    client = make_vod_client()
    task_id = create_task(client, vod_app.sub_app_id,
                          OutputConfig={"StorageMode": "Temporary", "AspectRatio": "1:1", "OutputFormat": "jpeg"})

    resp = wait_finished(client, task_id, vod_app.sub_app_id, poll)

    info, _ = assert_succeeded(resp, task_id, images, ratio=(1, 1), image_format="JPEG")
    assert info.FileType.lower() in ("jpg", "jpeg")


def test_permanent_output_can_be_used_as_reference(make_vod_client, vod_app, poll, images):
    client = make_vod_client()
    first = create_task(client, vod_app.sub_app_id, OutputConfig={"StorageMode": "Permanent", "AspectRatio": "1:1"})
    info, _ = assert_succeeded(wait_finished(client, first, vod_app.sub_app_id, poll), first, images,
                               ratio=(1, 1), storage="Permanent")
    assert info.FileId, "Permanent output has no FileId"

    second = create_task(client, vod_app.sub_app_id, Prompt="the same scene in watercolour",
                         FileInfos=[{"Type": "File", "FileId": info.FileId}])

    assert_succeeded(wait_finished(client, second, vod_app.sub_app_id, poll), second, images)


def test_describe_tasks_lists_created_tasks(new_app, make_vod_client, poll):
    app = new_app()
    client = make_vod_client(app)
    created = {create_task(client, app.sub_app_id, Prompt=f"still life number {i}") for i in range(2)}
    for task_id in created:
        wait_finished(client, task_id, app.sub_app_id, poll)

    req = models.DescribeTasksRequest()
    req.SubAppId = app.sub_app_id
    req.Limit = 100
    resp = client.DescribeTasks(req)

    listed = {t.TaskId: t for t in resp.TaskSet or []}
    assert created <= set(listed), f"DescribeTasks lacks {created - set(listed)}"
    for task_id in created:
        assert listed[task_id].TaskType == "AigcImageTask"
        assert listed[task_id].Status == "FINISH"


def test_common_client_with_string_priority(easel_server, vod_app, poll):
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=easel_server.endpoint, protocol="http", reqTimeout=30))
    client = CommonClient("vod", "2018-07-17", vod_app.credential(), "", profile=profile)

    out = client.call_json("CreateAigcImageTask", {
        "SubAppId": vod_app.sub_app_id, "ModelName": "GG", "ModelVersion": "2.5",
        "Prompt": "generate a car", "OutputConfig": {"StorageMode": "Temporary", "AspectRatio": "16:9"},
        "TasksPriority": "10",
    })

    task_id = out["Response"]["TaskId"]
    assert VOD_TASK_ID.match(task_id), task_id
    assert out["Response"]["RequestId"]
    final = poll(lambda: client.call_json("DescribeTaskDetail", {"TaskId": task_id, "SubAppId": vod_app.sub_app_id}),
                 lambda r: r["Response"]["Status"] in ("FINISH", "ABORTED"), what=f"task {task_id}")
    assert final["Response"]["Status"] == "FINISH"
    assert final["Response"]["AigcImageTask"]["ErrCode"] == 0


def test_repeated_signed_create_returns_the_first_task(make_vod_client, vod_app, monkeypatch):
    """The SDK sending the same Create twice inside one second (same timestamp, same bytes, same signature) is a
    retry, not an attack: it gets the first call's TaskId and no second task is created. With a SessionId the retry
    gets the contract's dedup error. A valid signature is never answered with a signature error."""
    frozen = int(time.time())
    monkeypatch.setattr(abstract_client, "time", types.SimpleNamespace(time=lambda: frozen, sleep=time.sleep))
    client = make_vod_client()
    prompt = f"repeated prompt {uuid.uuid4().hex}"

    first = create_task(client, vod_app.sub_app_id, Prompt=prompt)
    again = create_task(client, vod_app.sub_app_id, Prompt=prompt)

    assert again == first, "an identical signed create must return the first task"
    session = uuid.uuid4().hex
    create_task(client, vod_app.sub_app_id, Prompt=prompt, SessionId=session)
    exc = sdk_error(create_call(client, vod_app.sub_app_id, Prompt=prompt, SessionId=session))
    assert exc.get_code() == "InvalidParameterValue.SessionId"


def test_session_id_of_50_chars_is_accepted(make_vod_client, vod_app):
    sid = uuid.uuid4().hex + uuid.uuid4().hex[:18]
    assert len(sid) == 50

    create_task(make_vod_client(), vod_app.sub_app_id, SessionId=sid)


# --------------------------------------------------------------------------
# Abort
# --------------------------------------------------------------------------


def test_abort_waiting_task_and_refuse_abort_of_finished_one(start_server, make_vod_client, poll):
    server = start_server({"EASEL_SANDBOX_LATENCY_MS": "3000", "EASEL_DEFAULT_CONCURRENCY": "1"})
    app = server.create_keys(251007502, 251007502)
    client = make_vod_client(app, server)
    first = create_task(client, app.sub_app_id, Prompt="the first task")
    second = create_task(client, app.sub_app_id, Prompt="the second task")
    assert describe(client, second, app.sub_app_id).Status == "WAITING", "concurrency 1 should queue it"

    abort = manage_task(client, second, app.sub_app_id)

    assert abort.RequestId
    assert describe(client, second, app.sub_app_id).Status == "ABORTED"
    wait_finished(client, first, app.sub_app_id, poll)
    assert describe(client, second, app.sub_app_id).Status == "ABORTED", "aborted task ran anyway"

    exc = sdk_error(lambda: manage_task(client, first, app.sub_app_id))
    assert exc.get_code().startswith(REFUSAL_CODE_FAMILIES), exc.get_code()


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_duplicate_session_id_is_rejected(make_vod_client, vod_app):
    client = make_vod_client()
    sid = unique("dup")
    create_task(client, vod_app.sub_app_id, SessionId=sid, Prompt="first attempt")

    # A resubmission with the same SessionId (a new, differently signed request).
    exc = sdk_error(create_call(client, vod_app.sub_app_id, SessionId=sid, Prompt="second attempt"))

    assert exc.get_code() == "InvalidParameterValue.SessionId"


def test_session_id_too_long(make_vod_client, vod_app):
    sid = "x" * 51

    exc = sdk_error(create_call(make_vod_client(), vod_app.sub_app_id, SessionId=sid))

    assert exc.get_code() == "InvalidParameterValue.SessionIdTooLong"


def test_wrong_secret_key(make_vod_client, vod_app):
    client = make_vod_client(secret_key=vod_app.secret_key + "x")

    exc = sdk_error(create_call(client, vod_app.sub_app_id))

    assert exc.get_code() == "AuthFailure.SignatureFailure"


def test_unknown_secret_id(make_vod_client, vod_app):
    client = make_vod_client(secret_id="AKID" + uuid.uuid4().hex)

    exc = sdk_error(create_call(client, vod_app.sub_app_id))

    assert exc.get_code() == "AuthFailure.SecretIdNotFound"


def test_expired_timestamp(make_vod_client, vod_app, monkeypatch):
    # The SDK stamps X-TC-Timestamp with abstract_client's `time.time()`.
    stale_clock = types.SimpleNamespace(time=lambda: time.time() - 1000, sleep=time.sleep)
    monkeypatch.setattr(abstract_client, "time", stale_clock)

    exc = sdk_error(create_call(make_vod_client(), vod_app.sub_app_id))

    assert exc.get_code() == "AuthFailure.SignatureExpire"


def test_unknown_task_id(make_vod_client, vod_app):
    task_id = f"{vod_app.sub_app_id}-AigcImageTask-{uuid.uuid4().hex}t"

    exc = sdk_error(lambda: describe(make_vod_client(), task_id, vod_app.sub_app_id))

    assert exc.get_code() == "ResourceNotFound"


def test_unknown_file_id(make_vod_client, vod_app):
    exc = sdk_error(create_call(make_vod_client(), vod_app.sub_app_id,
                                FileInfos=[{"Type": "File", "FileId": "5285890799999999999"}]))

    assert exc.get_code() == "InvalidParameterValue.FileId"


def test_too_many_reference_images_for_model(make_vod_client, vod_app):
    refs = [{"Type": "Url", "Url": "https://example.com/a.png"}] * 4  # GG 2.5 takes at most 3

    exc = sdk_error(create_call(make_vod_client(), vod_app.sub_app_id, FileInfos=refs))

    assert exc.get_code().startswith("InvalidParameterValue"), exc.get_code()
    assert "FileInfos" in exc.get_message()


def test_unsupported_aspect_ratio(make_vod_client, vod_app):
    exc = sdk_error(create_call(make_vod_client(), vod_app.sub_app_id,
                                OutputConfig={"StorageMode": "Temporary", "AspectRatio": "7:3"}))

    assert exc.get_code().startswith("InvalidParameterValue"), exc.get_code()
    assert "AspectRatio" in exc.get_message()


def test_missing_prompt_without_reference_images(make_vod_client, vod_app):
    exc = sdk_error(create_call(make_vod_client(), vod_app.sub_app_id, Prompt=None))

    assert exc.get_code().startswith("MissingParameter"), exc.get_code()


def test_unknown_model(make_vod_client, vod_app):
    exc = sdk_error(create_call(make_vod_client(), vod_app.sub_app_id, ModelName="NoSuchModel"))

    assert exc.get_code().startswith("InvalidParameterValue"), exc.get_code()


def test_tasks_of_another_app_are_invisible(make_vod_client, vod_app, other_app):
    task_id = create_task(make_vod_client(), vod_app.sub_app_id)
    intruder = make_vod_client(other_app)

    exc = sdk_error(lambda: describe(intruder, task_id))

    assert exc.get_code() == "ResourceNotFound"
    req = models.DescribeTasksRequest()
    req.SubAppId = other_app.sub_app_id
    req.Limit = 100
    listed = {t.TaskId for t in intruder.DescribeTasks(req).TaskSet or []}
    assert task_id not in listed


def test_error_wire_format(easel_server):
    """Errors are HTTP 200 + exactly `application/json` (else the SDK swallows them)."""
    resp = requests.post(f"{easel_server.base_url}/", data=b"{}", timeout=10, headers={
        "Content-Type": "application/json",
        "X-TC-Action": "DescribeTaskDetail",
        "X-TC-Version": "2018-07-17",
        "X-TC-Timestamp": str(int(time.time())),
        "Authorization": "garbage",
    })

    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    body = resp.json()["Response"]
    assert body["Error"]["Code"].startswith("AuthFailure"), body
    assert body["Error"]["Message"]
    assert body["RequestId"]
