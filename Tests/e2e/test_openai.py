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
