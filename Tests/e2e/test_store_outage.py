"""A PostgreSQL store that goes away while a node serves, and comes back.

The node reaches the database through a TCP proxy in this process that can be cut (every connection closed, new
ones refused) and restored. While it is cut, every dialect answers `InternalError` in its own envelope within a
bounded time — never a hang, never a crash; once it is back, the node recovers by itself and no committed task is
lost. Uses the private PostgreSQL cluster of `test_multinode.py`.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from typing import Optional

import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.vod.v20180717 import models as vod_models

from conftest import AppKeys, wait_until
from test_multinode import pg_cluster  # noqa: F401  (the fixture)

OUTAGE_ANSWER_S = 30


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the database; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.lock = threading.Lock()
        self.connections: list = []
        self.listener: Optional[socket.socket] = None
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            connections, self.connections = self.connections, []
        if listener:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it accepting.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.close()
            except OSError:
                pass


def first_start_keys(server) -> dict:
    """The credentials `easel serve` printed on its first start against the empty database."""
    def found():
        match = re.search(r'^\{"ApiKey".*\}$', server.log_path.read_text(errors="replace"), re.M)
        return json.loads(match.group(0)) if match else None
    return wait_until(found, lambda keys: keys is not None, timeout=30, what="the first-start credentials in the server log")


def rest_create(server, api_key: str, prompt: str) -> requests.Response:
    return requests.post(f"{server.base_url}/tencent-vod/v1/aigc-image", headers={"Authorization": f"Bearer {api_key}"},
                         json={"model_name": "GG", "model_version": "2.5", "prompt": prompt}, timeout=OUTAGE_ANSWER_S + 10)


def rest_status(server, api_key: str, task_id: str) -> requests.Response:
    return requests.get(f"{server.base_url}/tencent-vod/v1/query/{task_id}",
                        headers={"Authorization": f"Bearer {api_key}"}, timeout=OUTAGE_ANSWER_S + 10)


def test_store_outage_answers_internal_error_everywhere_and_recovers(pg_cluster, start_server, make_vod_client):
    proxy = CuttableProxy(pg_cluster.port)
    url = pg_cluster.url(pg_cluster.create_database()).replace(f":{pg_cluster.port}/", f":{proxy.port}/")
    server = start_server({"EASEL_STORE_URL": url, "EASEL_MASTER_KEY": "outage-test-master-key",
                           "EASEL_RATE_LIMIT": "0"})
    keys = first_start_keys(server)
    api_key = keys["ApiKey"]
    before = rest_create(server, api_key, "committed before the outage")
    assert before.status_code == 200, before.text
    committed = before.json()["Response"]["TaskId"]
    wait_until(lambda: rest_status(server, api_key, committed).json()["Response"].get("Status"),
               lambda status: status == "FINISH", timeout=60, what="the first task to finish")

    proxy.cut()
    try:
        started = time.monotonic()
        answer = rest_create(server, api_key, "during the outage")
        assert answer.status_code == 500, answer.text
        assert answer.json()["Response"]["Error"]["Code"] == "InternalError"
        assert "RequestId" in answer.json()["Response"]
        answer = rest_status(server, api_key, committed)
        assert answer.status_code == 500 and answer.json()["Response"]["Error"]["Code"] == "InternalError", answer.text
        answer = requests.post(f"{server.base_url}/v1/images/generations", headers={"Authorization": f"Bearer {api_key}"},
                               json={"model": "GG-2.5", "prompt": "during the outage"}, timeout=OUTAGE_ANSWER_S + 10)
        assert answer.status_code == 500 and answer.json()["error"]["type"] == "server_error", answer.text
        client = make_vod_client(AppKeys.from_json(keys), server)
        request = vod_models.DescribeTaskDetailRequest()
        request.TaskId = committed
        try:
            client.DescribeTaskDetail(request)
            raise AssertionError("DescribeTaskDetail succeeded without a database")
        except TencentCloudSDKException as error:
            assert error.get_code() == "InternalError", error
            assert error.get_request_id()
        elapsed = time.monotonic() - started
        assert requests.get(f"{server.base_url}/healthz", timeout=10).status_code == 200, "liveness must hold"
        assert server.proc.poll() is None, "the node died during the outage"
    finally:
        proxy.restore()

    # Back: the node recovers by itself; nothing committed was lost.
    def works():
        created = rest_create(server, api_key, "after the outage")
        return created.json()["Response"]["TaskId"] if created.status_code == 200 else None
    after = wait_until(works, lambda task_id: task_id is not None, timeout=60, interval=1,
                       what="creates to work again after the database came back")
    wait_until(lambda: rest_status(server, api_key, after).json()["Response"].get("Status"),
               lambda status: status == "FINISH", timeout=60, what="a task created after the outage to finish")
    kept = rest_status(server, api_key, committed).json()["Response"]
    assert kept["Status"] == "FINISH" and kept["Output"]["FileInfos"], kept
    print(f"store outage: four dialects answered InternalError within {elapsed:.1f}s in all; recovered after restore")
