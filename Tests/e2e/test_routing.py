"""Upstream routing configuration: once a channel is configured, only the models it lists are served."""

from __future__ import annotations

from test_vod_sdk import create_task, describe, sdk_error, create_call
from conftest import wait_until


def test_only_routed_models_are_accepted(start_server, make_vod_client):
    config = {"upstreams": [{"name": "local-sandbox", "provider": "sandbox", "base_url": "http://127.0.0.1:1",
                             "models": ["GG/2.5"], "options": {"latency_ms": "0"}}]}
    server = start_server({}, config=config)
    keys = server.create_keys(1300000201)
    client = make_vod_client(keys, server)

    task_id = create_task(client, keys.sub_app_id, ModelName="GEM", ModelVersion="2.5")
    detail = wait_until(lambda: describe(client, task_id), lambda r: r.Status == "FINISH", timeout=60,
                        what="routed task to finish")
    assert detail.AigcImageTask.ErrCode == 0

    exc = sdk_error(create_call(client, keys.sub_app_id, ModelName="Kling", ModelVersion="2.1",
                                OutputConfig={"AspectRatio": "1:1"}))
    assert exc.get_code() == "InvalidParameterValue"
    assert "no upstream" in exc.get_message()


def test_bad_upstream_configuration_stops_the_server(tmp_path):
    import json
    import subprocess
    from conftest import EASEL_BIN

    config = tmp_path / "easel.json"
    config.write_text(json.dumps({"upstreams": [{"name": "x", "provider": "nope", "base_url": "http://127.0.0.1:1",
                                                 "models": ["GG/2.5"]}]}))
    result = subprocess.run([str(EASEL_BIN), "serve", "--port", "0", "--data-dir", str(tmp_path / "d"), "--config", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "unknown provider" in (result.stderr + result.stdout)


def test_input_compliance_rules_fail_the_task(start_server, make_vod_client):
    config = {"compliance": {"rules": [{"category": "weapons", "terms": ["flamethrower"]}]}}
    server = start_server({}, config=config)
    keys = server.create_keys(1300000202)
    client = make_vod_client(keys, server)

    flagged = create_task(client, keys.sub_app_id, Prompt="a FLAMETHROWER in a field",
                          OutputConfig={"AspectRatio": "1:1", "InputComplianceCheck": "Enabled"})
    detail = wait_until(lambda: describe(client, flagged), lambda r: r.Status == "FINISH", timeout=60, what="flagged task")
    assert detail.AigcImageTask.ErrCodeExt == "InvalidParameter.ViolationContent"
    assert "flamethrower" not in detail.AigcImageTask.Message.lower()

    unchecked = create_task(client, keys.sub_app_id, Prompt="a flamethrower in a museum",
                            OutputConfig={"AspectRatio": "1:1", "InputComplianceCheck": "Disabled"})
    detail = wait_until(lambda: describe(client, unchecked), lambda r: r.Status == "FINISH", timeout=60, what="unchecked task")
    assert detail.AigcImageTask.ErrCode == 0
