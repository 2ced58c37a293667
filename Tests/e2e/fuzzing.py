"""Shared machinery for Easel's hostile-request tests (test_fuzz.py, test_secrets.py).

* Request signing in Python, written from tencent-api.md §2 (the same algorithms as tencentcloud-sdk-python):
  TC3-HMAC-SHA256 with any SignedHeaders list, and v1 HmacSHA1/HmacSHA256.
* `HostileRequest`: one raw HTTP request (method, verbatim path, headers, body bytes) and the dialect whose
  envelope its answer must use.
* `Sender`: sends raw requests over one keep-alive `http.client` connection (a `requests.Session` would normalise
  `..` segments and percent escapes in paths, which the traversal cases must keep verbatim).
* `check_response`: the per-dialect envelope contract and the "no secret in any body" rule.
* `Generators`: seeded generators of hostile requests for every dialect (see test_fuzz.py).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import http.client
import json
import random
import socket
import struct
import time
import urllib.parse
import zlib
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

VOD_VERSION = "2018-07-17"
MPS_VERSION = "2019-06-12"

TENCENT = "tencent"
REST = "rest"
OPENAI = "openai"
FILES = "files"
DELIVERY = "delivery"
OTHER = "other"
DIALECTS = (TENCENT, REST, OPENAI, FILES, DELIVERY, OTHER)


# --------------------------------------------------------------------------
# Signing (tencent-api.md §2.2 and §2.4)
# --------------------------------------------------------------------------


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_authorization(*, secret_id: str, secret_key: str, service: str, timestamp: int, method: str,
                      query: str, headers: dict, signed_headers: Iterable[str], body: bytes,
                      date: Optional[str] = None, unsigned_payload: bool = False) -> str:
    """The TC3-HMAC-SHA256 Authorization value for a request.

    `headers` maps lower-case header names to the values sent; `signed_headers` names the headers covered
    (canonical header lines are `name:lower(trim(value))`). The canonical URI is always `/`.
    """
    names = sorted(h.lower() for h in signed_headers)
    canonical_headers = "".join(f"{n}:{str(headers.get(n, '')).strip().lower()}\n" for n in names)
    payload_hash = hashlib.sha256(b"UNSIGNED-PAYLOAD" if unsigned_payload else body).hexdigest()
    canonical = "\n".join([method.upper(), "/", query, canonical_headers, ";".join(names), payload_hash])
    date = date or datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                                hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = _hmac256(_hmac256(_hmac256(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={';'.join(names)}, "
            f"Signature={signature}")


def v1_signature(*, method: str, host: str, params: dict, secret_key: str, algorithm: str = "HmacSHA256") -> str:
    """Base64 HMAC of `METHOD host/?k=v&…` (keys sorted, raw values, `_` in keys shown as `.`)."""
    pairs = [f"{k.replace('_', '.')}={params[k]}" for k in sorted(params) if k != "Signature"]
    text = f"{method.upper()}{host}/?{'&'.join(pairs)}"
    digest = hashlib.sha1 if algorithm == "HmacSHA1" else hashlib.sha256
    return base64.b64encode(hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), digest).digest()).decode()


def flatten(value: Any, prefix: str = "") -> list:
    """Flattens a JSON value the way GET/v1 clients send it: `FileInfos.0.Url=…`, all values strings."""
    if isinstance(value, dict):
        out: list = []
        for key, item in value.items():
            out += flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value):
            out += flatten(item, f"{prefix}.{index}" if prefix else str(index))
        return out
    if value is None:
        return [(prefix, "")]
    if isinstance(value, bool):
        return [(prefix, "true" if value else "false")]
    return [(prefix, str(value))]


def form_encode(pairs: Iterable) -> str:
    return "&".join(f"{urllib.parse.quote(str(k), safe='.')}={urllib.parse.quote(str(v), safe='')}" for k, v in pairs)


def form_decode_for_signing(raw: str) -> dict:
    """What the server's form decoder sees (`+` is a space, percent escapes decoded, last duplicate wins)."""
    out: dict = {}
    for pair in raw.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        key = urllib.parse.unquote_plus(key)
        if key:
            out[key] = urllib.parse.unquote_plus(value)
    return out


# --------------------------------------------------------------------------
# Requests, sending, checking
# --------------------------------------------------------------------------


@dataclasses.dataclass
class HostileRequest:
    method: str
    path: str  # sent verbatim, with its query string
    headers: dict  # header name -> str or bytes; "Host" replaces the default Host header
    body: bytes
    dialect: str  # whose envelope the answer must use
    label: str  # the generator / mutation that made it
    # Statuses besides the dialect's defaults that are acceptable (e.g. 200 for a valid file link).
    expect_status: Optional[set] = None

    def describe(self, limit: int = 600) -> str:
        headers = {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in self.headers.items()}
        headers = {k: (v if len(v) <= 300 else v[:300] + f"…({len(v)} chars)") for k, v in headers.items()}
        path = self.path if len(self.path) <= 400 else self.path[:400] + f"…({len(self.path)} chars)"
        body = self.body[:limit]
        more = f"…({len(self.body)} bytes)" if len(self.body) > limit else ""
        return (f"[{self.dialect}/{self.label}] {self.method} {path}\n  headers: {headers}\n"
                f"  body: {body!r}{more}")


@dataclasses.dataclass
class Answer:
    status: int
    headers: dict  # lower-case names
    body: bytes
    elapsed: float

    @property
    def content_type(self) -> Optional[str]:
        return self.headers.get("content-type")


class NoAnswer(Exception):
    """The connection failed before a complete response arrived."""


class _RawConnection(http.client.HTTPConnection):
    """Sends non-ASCII request targets as raw UTF-8 bytes instead of refusing them."""

    def _encode_request(self, request: str) -> bytes:  # type: ignore[override]
        return request.encode("utf-8", "surrogateescape")


class Sender:
    """Raw HTTP/1.1 over one keep-alive connection to 127.0.0.1:port; reconnects after errors."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port = port
        self.timeout = timeout
        self._conn: Optional[http.client.HTTPConnection] = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, req: HostileRequest) -> Answer:
        if self._conn is None:
            self._conn = _RawConnection("127.0.0.1", self.port, timeout=self.timeout)
        conn = self._conn
        started = time.monotonic()
        try:
            conn.putrequest(req.method, req.path, skip_host=True, skip_accept_encoding=True)
            headers = dict(req.headers)
            host = headers.pop("Host", f"127.0.0.1:{self.port}")
            if host is not None:
                conn.putheader("Host", host)
            for name, value in headers.items():
                conn.putheader(name, value)
            if req.body or req.method in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(req.body)))
            conn.endheaders(req.body if req.body else None)
            resp = conn.getresponse()
            body = resp.read()
            answer = Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body,
                            time.monotonic() - started)
            if resp.will_close:
                self.close()
            return answer
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise NoAnswer(f"{type(exc).__name__}: {exc}") from exc


@dataclasses.dataclass
class Secrets:
    """Values that must never appear in a response body (or a log)."""

    values: dict  # label -> str

    @staticmethod
    def master_key_forms(raw: bytes) -> dict:
        """The master key file in every textual form it could leak as (the file holds 32 raw bytes)."""
        forms = {"master.key (as stored)": raw}
        text = raw.strip()
        forms["master.key hex"] = raw.hex()
        forms["master.key HEX"] = raw.hex().upper()
        forms["master.key base64"] = base64.b64encode(raw).decode()
        forms["master.key base64url"] = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        try:  # a key file written as text (hex/base64) leaks as that text and as the bytes it encodes
            decoded = text.decode("ascii")
            if decoded and decoded != raw.decode("latin-1"):
                forms["master.key text"] = decoded
        except UnicodeDecodeError:
            pass
        return forms

    def found_in(self, data: bytes) -> list:
        hits = []
        for label, value in self.values.items():
            needle = value if isinstance(value, bytes) else str(value).encode("utf-8")
            if len(needle) >= 8 and needle in data:
                hits.append(label)
            elif not isinstance(value, bytes):
                # JSON may escape `/` or `+`; look for the \u-escaped and slash-escaped forms too.
                escaped = json.dumps(str(value))[1:-1].encode()
                if escaped != needle and len(escaped) >= 8 and escaped in data:
                    hits.append(label + " (JSON-escaped)")
        return hits


def _json(body: bytes) -> Any:
    return json.loads(body.decode("utf-8"))


def check_response(req: HostileRequest, ans: Answer, secrets: Secrets) -> list:
    """Every violation of the contract by `ans` (empty when it is fine), each naming the answer's status."""
    problems = _check_response(req, ans, secrets)
    if problems:
        problems.append(f"(answer: HTTP {ans.status}, Content-Type {ans.content_type!r}, body {ans.body[:300]!r})")
    return problems


def _check_response(req: HostileRequest, ans: Answer, secrets: Secrets) -> list:
    problems = []
    leaked = secrets.found_in(ans.body) + [f"{h} (in a response header)" for h in
                                           secrets.found_in(json.dumps(ans.headers).encode())]
    if leaked:
        problems.append(f"secret(s) echoed in the response: {', '.join(leaked)}")
    allowed = req.expect_status or set()
    if ans.status >= 500 and not (req.dialect == OPENAI and ans.status == 504):
        problems.append(f"HTTP {ans.status} (5xx)")
    if ans.status in (400, 431) and (ans.headers.get("connection") or "").lower() == "close" and _is_malformed_http_answer(ans):
        # Not valid HTTP/1.1 (a head over 80 KB, a NUL in a header): refused before any dialect could be known,
        # in a body that carries both the Tencent and the OpenAI error envelope.
        problems += _check_rest_error(ans, req.dialect) + _check_openai_error(ans)
    elif req.dialect == TENCENT:
        problems += _check_tencent(ans)
    elif req.dialect in (REST, DELIVERY):
        if ans.status != 200:
            problems += _check_rest_error(ans, req.dialect)
    elif req.dialect == OPENAI:
        if ans.status != 200:
            problems += _check_openai_error(ans)
    elif req.dialect == FILES:
        if ans.status not in allowed and not 400 <= ans.status < 500:
            problems.append(f"file route answered HTTP {ans.status}, expected 4xx"
                            + (f" or {sorted(allowed)}" if allowed else ""))
    return problems


def _is_malformed_http_answer(ans: Answer) -> bool:
    try:
        body = _json(ans.body)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(body, dict) and "Response" in body and "error" in body


def _json_answer(ans: Answer, who: str, status_ok: bool, expected_status: str, not_json: str = "JSON",
                 exact_type: bool = False) -> tuple:
    """The problems with an answer's status and JSON Content-Type, whether its body parsed, and the body.

    A body that does not parse adds the problem `<who> body is not <not_json>`."""
    problems = []
    if not status_ok:
        problems.append(f"{who} answered HTTP {ans.status}, expected {expected_status}")
    if exact_type and ans.content_type != "application/json":
        problems.append(f"{who} Content-Type {ans.content_type!r}, expected exactly 'application/json'")
    elif not exact_type and not (ans.content_type or "").startswith("application/json"):
        problems.append(f"{who} Content-Type {ans.content_type!r}, expected application/json")
    try:
        return problems, True, _json(ans.body)
    except (ValueError, UnicodeDecodeError):
        return problems + [f"{who} body is not {not_json}: {ans.body[:200]!r}"], False, None


def _check_tencent(ans: Answer) -> list:
    problems, parsed, body = _json_answer(ans, "Tencent gateway", ans.status == 200, "200", exact_type=True)
    if not parsed:
        return problems
    response = body.get("Response") if isinstance(body, dict) else None
    if not isinstance(response, dict):
        return problems + ["Tencent gateway body has no Response object"]
    if not isinstance(response.get("RequestId"), str) or not response.get("RequestId"):
        problems.append("Tencent gateway Response has no RequestId")
    if "Error" in response:
        error = response["Error"]
        if not (isinstance(error, dict) and isinstance(error.get("Code"), str) and error.get("Code")
                and isinstance(error.get("Message"), str)):
            problems.append(f"Tencent gateway Response.Error lacks Code/Message: {error!r}")
        elif error["Code"] == "InternalError":
            problems.append(f"Tencent gateway answered InternalError: {error.get('Message')!r}")
    return problems


def _check_rest_error(ans: Answer, dialect: str) -> list:
    problems, parsed, body = _json_answer(ans, f"{dialect} error", 400 <= ans.status < 500, "4xx",
                                          not_json="the Tencent envelope")
    if not parsed:
        return problems
    response = body.get("Response") if isinstance(body, dict) else None
    error = response.get("Error") if isinstance(response, dict) else None
    if not (isinstance(error, dict) and isinstance(error.get("Code"), str) and isinstance(error.get("Message"), str)
            and isinstance(response.get("RequestId"), str)):
        problems.append(f"{dialect} error is not {{'Response': {{'Error': {{Code, Message}}, 'RequestId'}}}}: "
                        f"{ans.body[:300]!r}")
    return problems


def _check_openai_error(ans: Answer) -> list:
    problems, parsed, body = _json_answer(ans, "OpenAI error", 400 <= ans.status < 500 or ans.status == 504,
                                          "4xx (or 504)")
    if not parsed:
        return problems
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and isinstance(error.get("message"), str) and isinstance(error.get("type"), str)):
        problems.append(f"OpenAI error is not {{'error': {{message, type, …}}}}: {ans.body[:300]!r}")
    return problems


# --------------------------------------------------------------------------
# Hostile values
# --------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG signature + IHDR claiming `width`×`height` (an image bomb's header), followed by a tiny IDAT/IEND."""
    ihdr = struct.pack(">IIBBBBB", width & 0xFFFFFFFF, height & 0xFFFFFFFF, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


HUGE_NUMBERS_TEXT = ["1e999", "-1e999", "99999999999999999999", "-99999999999999999999", "1" * 400,
                     "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e-999", "-0",
                     "0.0000000000000000000000001", "123456789012345678901234567890.5", "NaN", "Infinity", "-Infinity"]

NANISH_STRINGS = ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e400", "-1e400", "0x10", "0b1", "1_000", "+10",
                  " 10 ", "10abc", "１０", "٣", "9223372036854775808", "-9223372036854775809",
                  "99999999999999999999", "1.5", "-0", "null", "true", "[]", "{}", "\"\"", "undefined", "%00"]

UNICODE_STRINGS = ["\u202eevil", "🦊" * 50, "a\u0000b", "\u0000", "\ufeff", "\uffff", "\U0010ffff", "e\u0301" * 20,
                   "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\r\n\r\nX-Injected: 1", "'; DROP TABLE tasks; --", "${jndi:ldap://x}", "%s%n%x",
                   "<script>alert(1)</script>", "../../etc/passwd", "\\u0000", "\t\v\f"]

SIZE_STRINGS = ["99999999999x99999999999", "9223372036854775807x9223372036854775807", "4294967296x4294967296",
                "3037000500x3037000500", "0x0", "-1x-1", "1x0", "0x1", "1x99999999999999999", "1x1", "100000x100000",
                "65536x65536", "1024x", "x1024", "1024x1024x1024", "1024*1024", "1e3x1e3", "NaNxNaN", "１０２４x１０２４",
                "1024×1024", " 1024 x 1024 ", "-1024x-1024", "+1024x+1024", "auto", "", "x"]

BAD_BASE64 = ["!!!!", "====", "A", "AAA", "data:image/png;base64,iVBORw0KGgo=", "iVBORw0KGgo", "%%%%", "\u0000",
              "YWJj\nZGVm", "  ", "😀😀😀😀"]

BAD_URLS = ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:1/x.png",
            "http://[::1]/x.png", "gopher://127.0.0.1:25/", "http://0x7f000001/", "http://localhost/x.png",
            "ftp://example.com/a.png", "javascript:alert(1)", "http://", "://", "http://a" * 100,
            "https://example.invalid/" + "a" * 5000, "http://10.0.0.1/x.png", "http://[fd00::1]/"]


class Values:
    """Random hostile values from one seeded Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def huge_string(self) -> str:
        """Up to ~1 MB once JSON-encoded (non-ASCII is \\u-escaped to 6 or 12 bytes)."""
        size = self.rng.choice([1_000, 10_000, 100_000, 1_000_000 - 200])
        char, width = self.rng.choice([("A", 1), ("%", 1), ("\\", 2), ("\"", 2), ("é", 6), ("🦊", 12)])
        return char * (size // width)

    def scalar(self, small: bool = False) -> Any:
        r = self.rng.random() * (0.97 if small else 1.0)
        choices: list = [None, True, False, 0, -1, 1, 1.5, -1.5, 2 ** 63, -(2 ** 63) - 1, 10 ** 30, -(10 ** 30),
                         1e308, -1e308, 5e-324, "", " ", "x", [], {}, [None], {"": None}]
        if r < 0.35:
            return self.rng.choice(choices)
        if r < 0.55:
            return self.rng.choice(NANISH_STRINGS)
        if r < 0.75:
            return self.rng.choice(UNICODE_STRINGS)
        if r < 0.85:
            return self.rng.choice(SIZE_STRINGS)
        if r < 0.93:
            return self.rng.choice(BAD_URLS + BAD_BASE64)
        if r < 0.97:
            return "".join(chr(self.rng.randrange(1, 0x3000)) for _ in range(self.rng.randrange(1, 64)))
        return self.huge_string()

    def deep_json_text(self, depth: Optional[int] = None) -> str:
        depth = depth or self.rng.choice([600, 1_000, 10_000])
        if self.rng.random() < 0.5:
            return "[" * depth + "]" * depth
        return '{"a":' * depth + "1" + "}" * depth

    def deep_value(self, depth: int = 10_000) -> Any:
        """A nested Python value; serialised with json.dumps only through `dumps_deep` (json recursion limit)."""
        return _Deep(depth, self.rng.random() < 0.5)


class _Deep:
    def __init__(self, depth: int, arrays: bool) -> None:
        self.depth, self.arrays = depth, arrays

    def text(self) -> str:
        if self.arrays:
            return "[" * self.depth + "]" * self.depth
        return '{"a":' * self.depth + "null" + "}" * self.depth


_MARK = "\u0001DEEP\u0001"


def dumps(value: Any) -> bytes:
    """json.dumps that can hold `_Deep` placeholders (spliced in as raw text) and raw number literals."""
    deep: list = []

    def default(obj: Any) -> Any:
        if isinstance(obj, _Deep):
            deep.append(obj.text())
            return f"{_MARK}{len(deep) - 1}{_MARK}"
        if isinstance(obj, RawJSON):
            deep.append(obj.text)
            return f"{_MARK}{len(deep) - 1}{_MARK}"
        raise TypeError(type(obj))

    text = json.dumps(value, default=default, allow_nan=True)
    for index, raw in enumerate(deep):
        text = text.replace(json.dumps(f"{_MARK}{index}{_MARK}"), raw, 1)
    return text.encode("utf-8", "surrogatepass")


@dataclasses.dataclass
class RawJSON:
    """A literal JSON fragment (e.g. `1e999`, `NaN`) spliced into a document by `dumps`."""

    text: str


def mutate_json(value: Any, rng: random.Random, values: Values, rounds: int = 1) -> Any:
    """A copy of `value` with `rounds` random hostile edits at random places (any depth)."""
    value = json.loads(json.dumps(value))
    for _ in range(rounds):
        value = _mutate_once(value, rng, values)
    return value


def _paths(value: Any, prefix: tuple = ()) -> list:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, prefix + (index,))
    return out


def _hostile(rng: random.Random, values: Values) -> Any:
    r = rng.random()
    if r < 0.06:
        return values.deep_value(rng.choice([1_000, 10_000]))
    if r < 0.14:
        return RawJSON(rng.choice(HUGE_NUMBERS_TEXT))
    if r < 0.20:
        return [values.scalar(small=True) for _ in range(rng.choice([2, 10, 1000]))]
    if r < 0.25:
        return {values.rng.choice(UNICODE_STRINGS + ["", "Type", "type", "FileId"]): values.scalar(small=True)
                for _ in range(rng.randrange(1, 6))}
    if r < 0.30:
        # A JSON document inside a string (ExtInfo, AdditionalParameters), itself hostile.
        inner = rng.choice([{"size": rng.choice(SIZE_STRINGS)},
                            {"AdditionalParameters": json.dumps({"size": rng.choice(SIZE_STRINGS)})},
                            {"AdditionalParameters": values.deep_json_text(rng.choice([600, 10_000]))}])
        return json.dumps(inner) if rng.random() < 0.8 else values.deep_json_text()
    return values.scalar()


def _mutate_once(value: Any, rng: random.Random, values: Values) -> Any:
    paths = _paths(value)
    path = rng.choice(paths)
    if not path:
        if rng.random() < 0.5:
            return _hostile(rng, values)
        path = ()
    op = rng.random()
    parent: Any = value
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1] if path else None
    if last is None:
        if isinstance(value, dict):
            value[rng.choice(["__proto__", "Unknown", "", "SubAppId", "a" * 1000])] = _hostile(rng, values)
        return value
    if op < 0.12 and isinstance(parent, dict):
        del parent[last]
    elif op < 0.22 and isinstance(parent, dict):
        # Same key in another case: the lenient reader matches case-insensitively.
        parent[str(last).upper() if rng.random() < 0.5 else str(last).lower()] = _hostile(rng, values)
    elif op < 0.30 and isinstance(parent, list):
        parent.extend(parent[:1] * (rng.choice([20, 200]) if len(json.dumps(parent[:1], default=str)) < 2000 else 2))
    else:
        parent[last] = _hostile(rng, values)
    return value


def raw_body_mutation(body: bytes, rng: random.Random, values: Values) -> bytes:
    """A structurally broken body derived from `body` (or none at all)."""
    r = rng.random()
    if r < 0.15:
        return body[: rng.randrange(0, max(1, len(body)))]  # truncated JSON
    if r < 0.25:
        return bytes(rng.randrange(256) for _ in range(rng.choice([1, 16, 1024, 65536])))  # binary garbage
    if r < 0.32:
        return b""
    if r < 0.38:
        return b"\xef\xbb\xbf" + body  # BOM
    if r < 0.44:
        return body.replace(b'"', b"'", rng.randrange(1, 4))
    if r < 0.50:
        return body[:-1] + b', "SubAppId": "x", "SubAppId": 1}'  # duplicate keys
    if r < 0.56:
        return rng.choice([b"null", b"[]", b"1", b'"x"', b"true", b"{}", b"{", b"}", b"[", b"\x00", b"NaN", b"1e999"])
    if r < 0.62:
        return values.deep_json_text().encode()
    if r < 0.68:
        pos = rng.randrange(0, max(1, len(body)))
        return body[:pos] + bytes([rng.choice([0x00, 0xff, 0xc0, 0x80, 0xed])]) + body[pos:]  # invalid UTF-8
    if r < 0.72:
        return body + b"\x00" * rng.choice([1, 1000])
    if r < 0.76:
        return b'{"Prompt": "\\ud800", "prompt": "\\udfff\\ud800"}'  # lone surrogates
    if r < 0.80:
        return b'{"a": "' + b"\\" * 9999 + b'"}'
    if r < 0.85:
        return json.dumps({"x": values.huge_string()}).encode()
    if r < 0.90:
        return body * (rng.choice([2, 50]) if len(body) < 20_000 else 2)
    return b" \t\r\n" * rng.randrange(1, 100)


# Flattened keys whose numeric segments collide, overflow or are not really numbers.
HOSTILE_FLAT_PAIRS = [
    "a.0=x&a.%2B1=y", "a.%2B0=x", "a.0=x&a.01=y", "A.01=x", "A.-1=x", "A.99999999999999999999=x", "A.0=x&A.-0=y",
    "A.1=x", "A.0=x&A.2=y", "A.%201=x&A.0=y", "A.1e0=x&A.0=y", "A..0=x", ".=x", "..=x", "A.=x", ".A=x", "A.0.B=x&A.0=y",
    "A.0=y&A.0.B=x", "FileInfos.0=x", "FileInfos.0.Type=Url&FileInfos.%2B1.Url=x&FileInfos.1.Url=y",
    "FileInfos.00.Type=Base64&FileInfos.0.Base64=AAAA", "OutputConfig=x&OutputConfig.AspectRatio=1:1",
    "A.%EF%BC%91=x&A.0=y", "A.%D9%A3=x&A.0=y&A.1=z&A.2=w", "A.0x1=x&A.0=y", "A.%00=x", "%00=x", "=x", "&&&", "=",
    "A.9223372036854775807=x", "A.9223372036854775808=x&A.0=y", "A.-9223372036854775808=x",
    "FileInfos.1.Url=x",  # index without 0
    "Prompt=%ZZ&Prompt.0=x", "A.0=%E0%A4%A", "%F0%9F%A6%8A.0=x",
]


def flat_key_bomb(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        depth = rng.choice([1_000, 10_000])
        return ".".join(["a"] * depth) + "=x"
    if r < 0.5:
        count = rng.choice([1_000, 10_000])
        return "&".join(f"A.{i}=x" for i in range(count))
    if r < 0.6:
        return "&".join(f"A.{i}=x" for i in range(1, 2000))  # 1..1999, no 0
    if r < 0.7:
        depth = rng.choice([500, 5_000])
        return ".".join(["0"] * depth) + "=x"
    return "&".join(rng.sample(HOSTILE_FLAT_PAIRS, k=rng.randrange(1, 5)))


BAD_AUTHORIZATION = [
    "", " ", "TC3-HMAC-SHA256", "TC3-HMAC-SHA256 ", "TC3-HMAC-SHA256 Credential=", "TC3-HMAC-SHA256 Credential=AKID",
    "TC3-HMAC-SHA256 Credential=AKID/2026-01-01/vod/tc3_request", "TC3-HMAC-SHA256 Credential=a/b/c/d/e/f/g, SignedHeaders=, Signature=",
    "TC3-HMAC-SHA256 Credential=//////, SignedHeaders=;;;;, Signature=zz", "TC3-HMAC-SHA256 ,,,,,,,,",
    "TC3-HMAC-SHA256 Credential=AKIDx/9999-99-99/vod/tc3_request, SignedHeaders=content-type;host, Signature=" + "0" * 64,
    "TC3-HMAC-SHA256 Credential=AKIDx/2026-01-01/vod/tc3_request, SignedHeaders=" + ";".join(["x-a"] * 2000) + ", Signature=00",
    "TC3-HMAC-SHA256 Credential=AKIDx/2026-01-01/vod/tc3_request, SignedHeaders=authorization, Signature=00",
    "TC3-HMAC-SHA256 Credential==, SignedHeaders==, Signature==", "TC3-HMAC-SHA256 Credential=AKID\u00e9/x/y/z",
    "Bearer ", "Bearer", "bearer  ", "Bearer sk-easel-" + "0" * 48, "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Token x",
    "TC3-HMAC-SHA1 Credential=x", "tc3-hmac-sha256 Credential=x", "Bearer " + "A" * 100_000, "\u0000",
    "TC3-HMAC-SHA256 " + "Credential=x, " * 5000,
]


def random_header_garbage(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.6:
        return rng.choice(BAD_AUTHORIZATION)
    alphabet = "".join(chr(c) for c in range(0x20, 0x7f)) + "\t\u00e9\u00ff"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 10, 100, 4000])))


def latin1(text: str) -> bytes:
    """A header value as bytes: latin-1 where possible, otherwise the UTF-8 bytes."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def check_alive(proc, base_port: int, timeout: float = 10.0) -> Optional[str]:
    """None when the server process runs and /healthz answers 200; else why not."""
    if proc.poll() is not None:
        return f"the server process exited with {proc.returncode}"
    conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            return f"/healthz answered {resp.status}"
        return None
    except (OSError, http.client.HTTPException) as exc:
        if proc.poll() is not None:
            return f"the server process exited with {proc.returncode}"
        return f"/healthz failed: {exc}"
    finally:
        conn.close()


def wait_dead(proc, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return True
        time.sleep(0.05)
    return proc.poll() is not None


__all__ = [name for name in dir() if not name.startswith("_")]
_ = socket  # kept for callers that want socket errors
