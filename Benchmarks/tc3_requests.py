#!/usr/bin/env python3
"""Writes N TC3-HMAC-SHA256-signed VOD CreateAigcImageTask requests, one per line:
`timestamp<TAB>Authorization<TAB>body`, every body unique (identical signed creates are answered with the first
task, so repeats would not measure a create). Signatures are valid for ±300 s: generate right before a run.

The signing is the same algorithm as Tests/e2e/fuzzing.py `tc3_authorization` (copied, so that the benchmark does
not depend on the test suite's internals).

usage: tc3_requests.py --keys keys.json --host 127.0.0.1:8080 --count 200000 --tag RUN --out FILE
"""
import argparse
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", required=True)
    parser.add_argument("--host", required=True, help="the Host header wrk sends (host:port)")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    keys = json.load(open(args.keys))
    secret_id, secret_key, sub_app = keys["SecretId"], keys["SecretKey"], keys["SubAppId"]
    timestamp = int(time.time())
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    service = "vod"
    scope = f"{date}/{service}/tc3_request"
    signing_key = _hmac256(_hmac256(_hmac256(("TC3" + secret_key).encode(), date), service), "tc3_request")
    canonical_headers = f"content-type:application/json\nhost:{args.host.lower()}\n"
    with open(args.out, "w") as out:
        for i in range(args.count):
            body = json.dumps({"SubAppId": sub_app, "ModelName": "GEM", "ModelVersion": "3.0",
                               "Prompt": f"bench vod {args.tag}-{i}"}, separators=(",", ":"))
            payload_hash = hashlib.sha256(body.encode()).hexdigest()
            canonical = "\n".join(["POST", "/", "", canonical_headers, "content-type;host", payload_hash])
            string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                                        hashlib.sha256(canonical.encode()).hexdigest()])
            signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
            auth = (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
                    f"Signature={signature}")
            out.write(f"{timestamp}\t{auth}\t{body}\n")


if __name__ == "__main__":
    main()
