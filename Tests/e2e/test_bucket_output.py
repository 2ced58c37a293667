"""Outputs delivered to the user's bucket (MPS StoreCosParam and per-app buckets), against moto's S3 server."""

from __future__ import annotations

import hashlib
import io
import socket

import pytest
import requests
from PIL import Image

from conftest import moto_server, wait_until
from test_mps_sdk import create_task as mps_create, describe as mps_describe, sdk_error
from test_vod_sdk import create_task as vod_create, describe as vod_describe

BUCKET = "easel-out"


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    with moto_server(tmp_path_factory.mktemp("moto"), (BUCKET,)) as base:
        yield base


def _bucket_env(moto_url: str) -> dict:
    return {
        "EASEL_BUCKET_ENDPOINT": moto_url, "EASEL_BUCKET_REGION": "ap-guangzhou", "EASEL_BUCKET_ADDRESSING": "path",
        "EASEL_BUCKET_ACCESS_KEY_ID": "AKIDEXAMPLE", "EASEL_BUCKET_SECRET_ACCESS_KEY": "SECRETEXAMPLE",
    }


def _check_object(url: str, moto_url: str, prefix: str) -> Image.Image:
    assert url.startswith(f"{moto_url}/{BUCKET}/{prefix}/"), url
    body = requests.get(url, timeout=10).content
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


def test_mps_store_cos_param_uploads_to_the_bucket(start_server, make_mps_client, moto):
    server = start_server(_bucket_env(moto))
    keys = server.create_keys(1300000101)
    client = make_mps_client(keys, server)
    task_id = mps_create(client, keys.app_id, {
        "ModelName": "GEM", "ModelVersion": "2.5", "Prompt": "a harbour at night", "OutputImageCount": 1,
        "ExtraParameters": {"AspectRatio": "1:1"},
        "StoreCosParam": {"CosBucketName": BUCKET, "CosBucketRegion": "ap-guangzhou", "CosBucketPath": "aigc/mps"},
    })
    done = wait_until(lambda: mps_describe(client, task_id), lambda r: r.Status in ("DONE", "FAIL"),
                      timeout=60, what="MPS task to finish")
    assert done.Status == "DONE", done.Message
    image = _check_object(done.ImageUrls[0], moto, "aigc/mps")
    assert image.size[0] == image.size[1]


def test_app_bucket_receives_vod_outputs(start_server, make_vod_client, moto):
    config = {"apps": [{"app_id": 1300000102, "bucket": BUCKET, "bucket_prefix": "apps/102"}]}
    server = start_server(_bucket_env(moto), config=config)
    keys = server.create_keys(1300000102)
    client = make_vod_client(keys, server)
    task_id = vod_create(client, keys.sub_app_id, Prompt="a tram in the rain")
    detail = wait_until(lambda: vod_describe(client, task_id), lambda r: r.Status == "FINISH", timeout=60,
                        what="VOD task to finish")
    info = detail.AigcImageTask.Output.FileInfos[0]
    image = _check_object(info.FileUrl, moto, "apps/102")
    assert (image.width, image.height) == (info.MetaData.Width, info.MetaData.Height)
    body = requests.get(info.FileUrl, timeout=10).content
    assert hashlib.md5(body).hexdigest() == info.MetaData.Md5


def test_store_cos_param_without_bucket_storage_is_refused(start_server, make_mps_client):
    server = start_server({})
    keys = server.create_keys(1300000103)
    client = make_mps_client(keys, server)
    from tencentcloud.mps.v20190612 import models
    import json

    def call():
        req = models.CreateAigcImageTaskRequest()
        req.from_json_string(json.dumps({"Prompt": "x", "StoreCosParam": {"CosBucketName": "b", "CosBucketRegion": "ap-guangzhou"}}))
        return client.CreateAigcImageTask(req)

    exc = sdk_error(call)
    assert exc.get_code() == "InvalidParameterValue"
    assert "StoreCosParam" in exc.get_message()


def test_unreachable_bucket_fails_the_task_clearly(start_server, make_mps_client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    server = start_server(_bucket_env(f"http://127.0.0.1:{dead_port}"))
    keys = server.create_keys(1300000104)
    client = make_mps_client(keys, server)
    task_id = mps_create(client, keys.app_id, {
        "Prompt": "x", "StoreCosParam": {"CosBucketName": BUCKET, "CosBucketRegion": "ap-guangzhou"},
    })
    done = wait_until(lambda: mps_describe(client, task_id), lambda r: r.Status in ("DONE", "FAIL"), timeout=60,
                      what="MPS task to fail")
    assert done.Status == "FAIL"
    assert BUCKET in done.Message
