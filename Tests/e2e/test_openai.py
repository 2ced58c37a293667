"""OpenAI-compatible images API (`/v1/images/generations`), driven by openai-python."""

from __future__ import annotations

import openai
import pytest
from openai import OpenAI


@pytest.fixture
def client(easel_server, vod_app) -> OpenAI:
    return OpenAI(base_url=f"{easel_server.base_url}/v1", api_key=vod_app.api_key, max_retries=0, timeout=120)


def test_b64_json_images(client, images):
    result = client.images.generate(model="GG-2.5", prompt="a red fox", n=2, size="1024x1024",
                                    response_format="b64_json")

    assert len(result.data) == 2
    for item in result.data:
        assert item.b64_json, "image has no b64_json"
        img = images.decode_b64(item.b64_json)
        assert img.size == (1024, 1024)


def test_url_images(client, images):
    result = client.images.generate(model="GG-2.5", prompt="a red fox", n=1, size="1024x1024",
                                    response_format="url")

    assert len(result.data) == 1
    assert result.data[0].url, "image has no url"
    _, img = images.fetch(result.data[0].url)
    assert img.size == (1024, 1024)


def test_unknown_model_is_bad_request(client):
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model="nope-1.0", prompt="a red fox", size="1024x1024")


def test_bad_api_key(easel_server):
    bad = OpenAI(base_url=f"{easel_server.base_url}/v1", api_key="not-a-key", max_retries=0, timeout=60)

    with pytest.raises(openai.AuthenticationError):
        bad.images.generate(model="GG-2.5", prompt="a red fox", size="1024x1024")


def test_idempotency_key_returns_the_first_task(client):
    key = {"Idempotency-Key": "retry-of-the-same-request-0001"}
    first = client.images.with_raw_response.generate(model="GG-2.5", prompt="a lantern", extra_headers=key)
    second = client.images.with_raw_response.generate(model="GG-2.5", prompt="a lantern", extra_headers=key)

    assert first.http_response.json()["easel_task_id"] == second.http_response.json()["easel_task_id"]


def test_aliases_and_model_listing(client):
    ids = {model.id for model in client.models.list()}
    assert {"GG-2.5", "Kling-2.1", "OG-image2_high"} <= ids
    result = client.images.generate(model="gpt-image-1", prompt="a kite", size="1024x1024")
    assert result.data[0].url


def test_unsupported_size_is_mapped_to_the_model(client, images):
    result = client.images.generate(model="GG-2.5", prompt="a wide valley", size="1792x1024", response_format="b64_json")
    img = images.decode_b64(result.data[0].b64_json)
    assert abs(img.size[0] / img.size[1] - 16 / 9) < 0.03
