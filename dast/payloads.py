"""Injection and oversized payloads for every operation, and the passive checks on every response:
leaked internals and security headers."""

import json
import re
import shlex
from urllib.parse import unquote_plus

# Classic injection probes; each becomes one request per operation with every string parameter and
# body field set to it.
PAYLOADS = [
    "'",
    "' OR '1'='1",
    '"; DROP TABLE installations; --',
    "1 UNION SELECT shared_secret FROM installations--",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "${jndi:ldap://127.0.0.1/a}",
    "{{7*7}}${7*7}",
    "\r\nSet-Cookie: dast=1",
    "$(id);`id`",
    "\u0000",
    "\U0001F600\u202e\ufeff",
    "%s%n%x",
    "-1",
]
OVERSIZED_BODY_BYTES = 70 * 1024  # above the 64 KiB default body limit: 413 expected
# Above the 16 KiB default header limit, in 9 headers of 2 KiB (431 expected; short curl lines).
OVERSIZED_HEADERS = {f"X-Dast-Padding-{n}": "h" * 2048 for n in range(9)}

LEAKS = [
    ("a Rust panic", re.compile(r"panicked at|stack backtrace|RUST_BACKTRACE|thread '[^']*' panicked")),
    ("a Rust source location", re.compile(r"[\w/.-]+\.rs:\d+")),
    ("a Python traceback", re.compile(r"Traceback \(most recent call last\)")),
    # Within one JSON string (no `"`), shortest first: an echo of the input quoted next to other text
    # (e.g. a message that shortens the value with `…`) is still recognised as the input.
    ("SQL text", re.compile(r"\b(SELECT\s+\S[^\"\n]*?\s+FROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET)\b", re.I)),
    (
        "database internals",
        re.compile(r"\b(sqlite|diesel|SQLSTATE|syntax error at or near|UNIQUE constraint|duplicate key)\b", re.I),
    ),
    ("a file path", re.compile(r"(/home/|/root/|/work/|/tmp/|/usr/(local|lib|src)/|\.cargo/registry|/rustc/)")),
]
# Only where a browser would render it: JSON answers (with `nosniff`) may quote the input back.
REFLECTED = re.compile(r"<script>alert\(1\)</script>|<img src=x onerror")


def _skeleton(schema: dict, raw_schema: dict, depth: int = 0):
    """A value of the schema's shape: its example if it has one, else built from its properties."""
    schema = _resolve(schema or {}, raw_schema)
    if "example" in schema or depth > 4:
        return schema.get("example")
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: _skeleton(sub, raw_schema, depth + 1) for name, sub in props.items()}
    if kind == "array":
        return [_skeleton(schema.get("items", {}), raw_schema, depth + 1)]
    return {"string": "x", "integer": 0, "number": 0, "boolean": False}.get(kind)


def _inject(value, payload):
    """Every string inside `value` replaced by `payload`."""
    if isinstance(value, str):
        return payload
    if isinstance(value, dict):
        return {k: _inject(v, payload) for k, v in value.items()}
    if isinstance(value, list):
        return [_inject(v, payload) for v in value]
    return value


def _resolve(node: dict, raw_schema: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = raw_schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def injected_cases(operation, oversized: bool, auth) -> list:
    """One case per payload (every path and query parameter and every string in the body, from the
    body's example or shape, set to it),
    plus an oversized body and oversized headers when `oversized`. Each carries `auth` (a `requests`
    auth object), as generated cases do."""
    raw = operation.schema.raw_schema
    definition = operation.definition.raw
    params = [_resolve(p, raw) for p in definition.get("parameters", [])]
    path_names = [p["name"] for p in params if p.get("in") == "path"]
    query_names = [p["name"] for p in params if p.get("in") == "query"]
    body_schema = definition.get("requestBody", {})
    body_schema = _resolve(body_schema, raw).get("content", {}).get("application/json", {}).get("schema")
    template = _skeleton(body_schema, raw) if body_schema else None

    def case(value=None, body=None, headers=None):
        kwargs = {
            "path_parameters": {n: value if value is not None else "app.js" for n in path_names},
            "query": {n: value for n in query_names} if value is not None else {},
        }
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        if headers:
            kwargs["headers"] = headers
        made = operation.Case(**kwargs)
        made._auth = auth
        made._has_explicit_auth = True
        return made

    cases = []
    for payload in PAYLOADS:
        body = None
        if template is not None:
            body = _inject(template, payload)
        cases.append(case(payload, body))
    if oversized:
        if template is not None:
            cases.append(case(body=_inject(template, "A" * OVERSIZED_BODY_BYTES)))
        cases.append(case(body=template, headers=dict(OVERSIZED_HEADERS)))
    return cases


def headers_of(response) -> dict[str, str]:
    """schemathesis gives lower-case names with a list of values each."""
    return {k.lower(): ", ".join(v) if isinstance(v, list) else v for k, v in response.headers.items()}


def _sent(request) -> str:
    """What the client sent, decoded: text found there is an echo of the input, not a leak."""
    body = request.body or b""
    body = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return unquote_plus(request.url) + "\n" + body + "\n" + json.dumps(body)


def find_leak(response, secrets: list[str]) -> str | None:
    text = response.text or ""
    headers = "\n".join(f"{k}: {v}" for k, v in headers_of(response).items())
    sent = _sent(response.request)
    for name, pattern in LEAKS:
        for found in [*pattern.finditer(text), *pattern.finditer(headers)]:
            if found.group(0) not in sent:
                return f"{name}: {found.group(0)[:120]!r}"
    if "html" in headers_of(response).get("content-type", "") and REFLECTED.search(text):
        return "a script payload reflected into HTML"
    for secret in secrets:
        if secret and (secret in text or secret in headers):
            return "a shared or sealing secret"
    sent = response.request.headers.get("Authorization", "")
    token = sent.split(" ", 1)[-1]
    if len(token) > 20 and token in text:
        return "the request's token, echoed back"
    return None


EXACT_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "x-content-type-options": "nosniff",
}


# The descriptor's icon is loaded by Jira's page from another origin: the one cross-origin resource.
ICON_PATH = "/static/icon.svg"


def wanted_cache(path: str, status: int) -> str:
    """`no-store`, except a served icon (a day) and the release-hashed assets (a year, immutable)."""
    if status != 200 or not path.startswith("/static/"):
        return "no-store"
    if path == ICON_PATH:
        return "public, max-age=86400"
    return "public, max-age=31536000, immutable"


def missing_security_headers(response, path: str) -> list[str]:
    h = headers_of(response)
    exact = dict(EXACT_HEADERS)
    if path == ICON_PATH and response.status_code == 200:
        exact["cross-origin-resource-policy"] = "cross-origin"
    problems = [f"{name} is {h.get(name)!r}, want {want!r}" for name, want in exact.items() if h.get(name) != want]
    csp = h.get("content-security-policy", "")
    if not csp.startswith("default-src 'none';") or "frame-ancestors " not in csp:
        problems.append(f"Content-Security-Policy is {csp!r}")
    if "camera=()" not in h.get("permissions-policy", ""):
        problems.append(f"Permissions-Policy is {h.get('permissions-policy')!r}")
    want_cache = wanted_cache(path, response.status_code)
    if h.get("cache-control") != want_cache:
        problems.append(f"Cache-Control is {h.get('cache-control')!r}, want {want_cache!r}")
    for name in ("set-cookie", "x-powered-by"):
        if name in h:
            problems.append(f"unexpected {name}: {h[name]!r}")
    return problems


def curl(request) -> str:
    """The request exactly as sent (token included; it expires after 3 minutes)."""
    parts = ["curl", "-X", request.method]
    for name, value in request.headers.items():
        if name.lower() not in ("user-agent", "accept-encoding", "connection", "content-length"):
            parts += ["-H", f"{name}: {value}"]
    body = request.body
    if body:
        parts += ["--data-binary", body.decode("utf-8", "replace") if isinstance(body, bytes) else body]
    parts.append(request.url)
    return " ".join(shlex.quote(p) for p in parts)
