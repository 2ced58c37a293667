"""fal.ai's Python client (`fal-client`, unmodified) against Easel over HTTPS.

fal-client speaks HTTPS only and reads its queue host from the environment when it is imported: the client runs
in a subprocess with `FAL_QUEUE_RUN_HOST=127.0.0.1:<port>` (fal's queue host, here Easel's address; no `queue.`
subdomain is involved), `FAL_KEY=<Easel API key>` (sent as `Authorization: Key …`) and `SSL_CERT_FILE=<the suite's
self-signed certificate>`, and talks to the app path `tencent-vod/v1/aigc-image`. The certificate is made by the
suite with `openssl` for 127.0.0.1 and handed to Easel through EASEL_TLS_CERTIFICATE / EASEL_TLS_KEY.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

from conftest import DEFAULT_APP_ID, EASEL_BIN, _easel_env, _free_port

APP = "tencent-vod/v1/aigc-image"


def make_certificate(directory: Path, name: str = "easel") -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM)."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_server(start_server, tmp_path):
    cert, key = make_certificate(tmp_path)
    # Slow enough that a task is seen queued and in progress; one task at a time per app (the default).
    server = start_server({"EASEL_TLS_CERTIFICATE": str(cert), "EASEL_TLS_KEY": str(key),
                           "EASEL_SANDBOX_LATENCY_MS": "2500"})
    return server, cert


def run_fal(script: str, server, cert: Path, api_key: str, timeout: float = 120) -> dict:
    """Runs `script` (with `fal_client` imported, `APP` and `emit(name, value)` defined) and returns what it emitted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAL_")}
    env.update({"FAL_QUEUE_RUN_HOST": f"127.0.0.1:{server.port}", "FAL_RUN_HOST": f"127.0.0.1:{server.port}",
                "FAL_KEY": api_key, "SSL_CERT_FILE": str(cert)})
    prelude = textwrap.dedent(f"""
        import json, sys, fal_client
        APP = {APP!r}
        _out = {{}}
        def emit(name, value):
            _out[name] = value
    """)
    coda = "\nprint('RESULT ' + json.dumps(_out, default=repr))\n"
    proc = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script) + coda], env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"fal-client script failed:\n{proc.stdout}\n{proc.stderr[-4000:]}"
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_submit_status_get_and_cancel_with_fal_client(tls_server):
    server, cert = tls_server
    keys = server.create_keys(DEFAULT_APP_ID)
    out = run_fal("""
        import time
        args = {"model_name": "GEM", "model_version": "3.0", "prompt": "a lighthouse at dusk",
                "output_config": {"aspect_ratio": "16:9"}}
        first = fal_client.submit(APP, args)
        second = fal_client.submit(APP, dict(args, prompt="a queued one"))
        emit("ids", [first.request_id, second.request_id])
        # The second waits behind the first (one running task per app).
        queued = fal_client.status(APP, second.request_id)
        emit("queued", [type(queued).__name__, getattr(queued, "position", None)])
        seen = []
        while True:
            status = first.status(with_logs=True)
            seen.append(type(status).__name__)
            if type(status).__name__ != "Queued":
                break
            time.sleep(0.05)
        emit("first_running", [type(status).__name__, [line["message"] for line in status.logs or []]])
        fal_client.cancel(APP, second.request_id)
        cancelled = second.status()
        emit("cancelled", [type(cancelled).__name__, cancelled.error, cancelled.error_type])
        result = first.get()
        emit("result", result["Response"]["AigcImageTask"])
        again = fal_client.result(APP, first.request_id)
        emit("result_by_id", again["Response"]["AigcImageTask"]["Status"])
        done = first.status(with_logs=True)
        emit("done", [type(done).__name__, done.error, [line["message"] for line in done.logs]])
        events = []
        subscribed = fal_client.subscribe(APP, dict(args, prompt="subscribed"), with_logs=True,
                                          on_queue_update=lambda s: events.append(type(s).__name__))
        emit("subscribed", [subscribed["Response"]["AigcImageTask"]["Status"], events])
    """, server, cert, keys.api_key)

    first_id, second_id = out["ids"]
    assert first_id.startswith(f"{DEFAULT_APP_ID}-AigcImageTask-") and second_id != first_id
    assert out["queued"] == ["Queued", 0], out
    state, logs = out["first_running"]
    assert state == "InProgress", out
    assert logs[0].startswith("queued: model GEM-3.0") and any(l.startswith("claimed by node ") for l in logs), logs
    assert out["cancelled"] == ["Completed", "The task was aborted before it started.", "OperationCanceled"], out
    task = out["result"]
    assert task["Status"] == "FINISH" and task["TaskId"] == first_id, task
    url = task["Output"]["FileInfos"][0]["FileUrl"]
    assert url.startswith(f"https://127.0.0.1:{server.port}/files/"), url
    assert requests.get(url, verify=str(cert), timeout=10).content[:4] == b"\x89PNG"
    assert out["result_by_id"] == "FINISH"
    state, error, logs = out["done"]
    assert state == "Completed" and error is None and logs[-1] == "stored 1 image", out
    status, events = out["subscribed"]
    assert status == "FINISH" and "InProgress" in events and events[-1] == "Completed", out


def test_http_stays_the_default_and_a_bad_certificate_stops_the_start(tmp_path, easel_server):
    assert easel_server.base_url.startswith("http://")
    assert requests.get(f"{easel_server.base_url}/healthz", timeout=5).status_code == 200
    cert, key = make_certificate(tmp_path, "one")
    _, other_key = make_certificate(tmp_path, "two")
    cases = {
        "mismatched key": ({"EASEL_TLS_CERTIFICATE": str(cert), "EASEL_TLS_KEY": str(other_key)}, "server.tls_key"),
        "key as certificate": ({"EASEL_TLS_CERTIFICATE": str(key), "EASEL_TLS_KEY": str(key)}, "server.tls_certificate"),
        "missing file": ({"EASEL_TLS_CERTIFICATE": str(tmp_path / "nope.crt"), "EASEL_TLS_KEY": str(key)},
                         "server.tls_certificate"),
        "certificate alone": ({"EASEL_TLS_CERTIFICATE": str(cert)}, "server.tls_key"),
    }
    for name, (env, setting) in cases.items():
        data_dir = tmp_path / name.replace(" ", "-")
        proc = subprocess.run([str(EASEL_BIN), "serve", "--host", "127.0.0.1", "--port", str(_free_port()),
                               "--data-dir", str(data_dir)], env=_easel_env(env), capture_output=True, text=True,
                              timeout=60)
        lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
        assert proc.returncode != 0, f"{name}: easel serve started anyway: {lines}"
        assert len(lines) == 1 and setting in lines[0], f"{name}: not one clear line: {lines}"
        assert not (data_dir / "easel.sqlite").exists(), f"{name}: the data directory was touched before the check"
