"""MPS 2019-06-12 dialect, driven by the official tencentcloud-sdk-python mps client."""

from __future__ import annotations

import json
import re
import uuid

from tencentcloud.mps.v20190612 import models

from conftest import sdk_error

MPS_TASK_ID = re.compile(r"^\d+-AigcImage-[0-9a-f]{32}$")
MPS_TASK_STATES = {"WAIT", "RUN", "FAIL", "DONE"}


def create_task(client, app_id: int, params: dict) -> str:
    req = models.CreateAigcImageTaskRequest()
    req.from_json_string(json.dumps(params))
    resp = client.CreateAigcImageTask(req)
    assert resp.RequestId, "CreateAigcImageTask response has no RequestId"
    assert resp.TaskId and MPS_TASK_ID.match(resp.TaskId), f"bad MPS TaskId {resp.TaskId!r}"
    assert resp.TaskId.startswith(f"{app_id}-"), f"TaskId {resp.TaskId} does not start with the AppId"
    return resp.TaskId


def describe(client, task_id: str) -> models.DescribeAigcImageTaskResponse:
    req = models.DescribeAigcImageTaskRequest()
    req.TaskId = task_id
    resp = client.DescribeAigcImageTask(req)
    assert resp.Status in MPS_TASK_STATES, f"unexpected MPS Status {resp.Status!r}"
    return resp


def wait_done(client, task_id: str, poll, timeout: float = 60) -> models.DescribeAigcImageTaskResponse:
    resp = poll(lambda: describe(client, task_id), lambda r: r.Status in ("DONE", "FAIL"),
                timeout=timeout, what=f"MPS task {task_id} to finish")
    assert resp.Status == "DONE", f"task failed: {resp.Message!r}"
    assert resp.ImageUrls, "DONE task has no ImageUrls"
    return resp


def create_call(client, params: dict):
    """A thunk that sends CreateAigcImageTask (for error tests)."""
    def call():
        req = models.CreateAigcImageTaskRequest()
        req.from_json_string(json.dumps(params))
        return client.CreateAigcImageTask(req).to_json_string()
    return call


def test_gem_square_image(make_mps_client, vod_app, poll, images):
    client = make_mps_client()
    task_id = create_task(client, vod_app.app_id, {
        "ModelName": "GEM", "ModelVersion": "2.5", "Prompt": "a paper boat on a pond",
        "EnhancePrompt": True, "ExtraParameters": {"AspectRatio": "1:1"}, "Operator": "admin",
    })

    resp = wait_done(client, task_id, poll)

    _, img = images.fetch(resp.ImageUrls[0])
    assert img.format == "PNG"
    images.assert_ratio(img, 1, 1)


def test_official_minimal_example(make_mps_client, vod_app, poll, images):
    client = make_mps_client()
    task_id = create_task(client, vod_app.app_id, {"Prompt": "draw a cat", "Operator": "admin"})

    resp = wait_done(client, task_id, poll)

    for url in resp.ImageUrls:
        images.fetch(url)


def test_hunyuan_additional_parameters_size(make_mps_client, vod_app, poll, images):
    client = make_mps_client()
    task_id = create_task(client, vod_app.app_id, {
        "ModelName": "Hunyuan", "ModelVersion": "3.0", "Prompt": "a mountain village in snow",
        "AdditionalParameters": json.dumps({"size": "1024x1024"}),
    })

    resp = wait_done(client, task_id, poll)

    _, img = images.fetch(resp.ImageUrls[0])
    assert img.size == (1024, 1024)


def test_jpeg_output_format(make_mps_client, vod_app, poll, images):
    client = make_mps_client()
    task_id = create_task(client, vod_app.app_id, {
        "ModelName": "Kling", "ModelVersion": "2.1", "Prompt": "a bowl of ramen",
        "ExtraParameters": {"AspectRatio": "16:9", "OutputFormat": "jpeg"},
    })

    resp = wait_done(client, task_id, poll)

    _, img = images.fetch(resp.ImageUrls[0])
    assert img.format == "JPEG"
    images.assert_ratio(img, 16, 9)


def test_too_many_reference_images_for_model(make_mps_client, vod_app):
    params = {
        "ModelName": "Kling", "ModelVersion": "2.1", "Prompt": "merge these",
        "ImageInfos": [{"ImageUrl": f"https://example.com/{i}.png"} for i in range(5)],  # Kling 2.1 takes 4
    }

    exc = sdk_error(create_call(make_mps_client(), params))

    assert exc.get_code().startswith("InvalidParameterValue"), exc.get_code()


def test_unknown_task_id(make_mps_client, vod_app):
    task_id = f"{vod_app.app_id}-AigcImage-{uuid.uuid4().hex}"

    exc = sdk_error(lambda: describe(make_mps_client(), task_id).to_json_string())

    assert exc.get_code() in ("ResourceNotFound", "InvalidParameterValue.TaskId"), exc.get_code()


def test_wrong_secret_key(make_mps_client, vod_app):
    client = make_mps_client(secret_key=vod_app.secret_key + "x")

    exc = sdk_error(create_call(client, {"Prompt": "draw a cat"}))

    assert exc.get_code() == "AuthFailure.SignatureFailure"
