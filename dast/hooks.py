"""Schemathesis hooks for `cargo xtask dast` (`SCHEMATHESIS_HOOKS=dast.hooks`, repo root on PYTHONPATH).

* Auth: every request gets a fresh token for its operation's `security` in `openapi/openapi.yaml`,
  computed over the final method, path and query (a `requests` auth object sees the prepared request):
  HS256 with the tenant's shared secret (`connectJwt`, `contextJwt`; `connectJwtQuery` puts it in
  `jwt`), RS256 from the Jira sandbox (`signedInstall`, whose `iss` must be the body's `clientKey`).
  `STJ_DAST_AUTH=none` sends no token, `tampered` a broken one (cycling through `tampered.KINDS`);
  then every protected operation must answer 401 or 403.
* Payloads: the examples phase gets one case per injection payload for every operation (all string
  parameters and body fields set to it) and an oversized body; schema-based acceptance checks skip
  them (they carry no generation metadata), every other check applies.
* Checks on every response: no leaked internals (stack traces, SQL, file paths, secrets), the
  security headers, and per auth mode the refusal or acceptance rules above.

Context comes from the JSON file named by `STJ_DAST_CONTEXT` (written by xtask after installing the
app into the sandbox): app and sandbox URLs, app key, and two tenants with their shared secrets.
"""

import json
import os
import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import requests
import schemathesis

from dast import connect, payloads, tampered

MODE = os.environ.get("STJ_DAST_AUTH", "valid")
if MODE not in ("valid", "none", "tampered"):
    raise SystemExit(f"STJ_DAST_AUTH must be valid, none or tampered, not {MODE!r}")
with open(os.environ["STJ_DAST_CONTEXT"], encoding="utf-8") as _f:
    CTX = json.load(_f)
# Calls pages and the API make: a tenant that stays installed and enabled for the whole run.
MAIN = CTX["tenants"]["main"]
# Lifecycle calls act on this one, so disabling or uninstalling never touches MAIN.
LIFECYCLE = CTX["tenants"]["lifecycle"]
SECRETS = {t["client_key"]: t["shared_secret"] for t in CTX["tenants"].values()}
CLIENT_KEY = re.compile(r"^[A-Za-z0-9:._-]{1,255}$")
_VECTORS = os.environ.get("STJ_DAST_QSH_VECTORS")
if _VECTORS:
    connect.check_vectors(_VECTORS)  # the qsh port must agree with Atlassian before it signs anything

_OPERATIONS: list[tuple[str, re.Pattern, dict]] = []


@schemathesis.hook
def after_load_schema(context, schema) -> None:
    for path, item in schema.raw_schema.get("paths", {}).items():
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                _OPERATIONS.append((method.upper(), pattern, op))


def operation_for(method: str, path: str) -> dict | None:
    return next((op for m, p, op in _OPERATIONS if m == method and p.match(path)), None)


def schemes(op: dict | None) -> list[str]:
    return [name for requirement in (op or {}).get("security", []) for name in requirement]


def is_protected(op: dict | None) -> bool:
    return bool(schemes(op))


class ConnectAuth(requests.auth.AuthBase):
    """Signs the prepared request: the exact method, path and query that go on the wire."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(r.url)
        # The query exactly as generated, less any `jwt` parameter (the token goes in fresh).
        raw_query = "&".join(p for p in url.query.split("&") if unquote_plus(p.split("=", 1)[0]) != "jwt")
        r.headers.pop("Authorization", None)
        op = operation_for(r.method, url.path)
        names = schemes(op)
        token = None
        if names and MODE != "none":
            token = self.token(r, names, url.path, raw_query)
            if MODE == "tampered":
                token = tampered.next_token(token, names, self.issuer(r, names), SECRETS)
        in_query = token is not None and names[0] == "connectJwtQuery" and not token.startswith("Bearer ")
        if in_query:
            raw_query = "&".join(filter(None, [raw_query, "jwt=" + connect._encode(token)]))
        elif token is not None and names == ["forgeInvocationToken"]:
            r.headers["Authorization"] = "Bearer " + token
        elif token is not None:
            r.headers["Authorization"] = token if token.startswith("Bearer ") else "JWT " + token
        r.url = urlunsplit((url.scheme, url.netloc, url.path, raw_query, url.fragment))
        return r

    @staticmethod
    def issuer(r: requests.PreparedRequest, names: list[str]) -> str:
        if names == ["connectJwt"] or names == ["signedInstall"]:
            body_key = _body_client_key(r)
            if names == ["signedInstall"] and body_key:
                return body_key
            return LIFECYCLE["client_key"]
        return MAIN["client_key"]

    def token(self, r: requests.PreparedRequest, names: list[str], path: str, raw_query: str) -> str:
        issuer = self.issuer(r, names)
        claims = connect.claims(issuer, connect.qsh(r.method, path, raw_query), sub=CTX["account_id"])
        if names == ["forgeInvocationToken"]:
            # Forge's side of the door: a system FIT for the main tenant's site, minted by the sandbox.
            answer = requests.post(
                f"{CTX['sandbox_url']}/__sandbox/forge/tokens", json={"clientKey": issuer}, timeout=30
            )
            answer.raise_for_status()
            return answer.json()["fit"]
        if names == ["signedInstall"]:
            claims["aud"] = [CTX["app_url"]]
            answer = requests.post(f"{CTX['sandbox_url']}/__sandbox/tokens/install", json=claims, timeout=30)
            answer.raise_for_status()
            return answer.json()["token"]
        return connect.sign_hs256(SECRETS.get(issuer, LIFECYCLE["shared_secret"]), claims)


def _body_client_key(r: requests.PreparedRequest) -> str | None:
    try:
        value = json.loads(r.body or b"{}").get("clientKey")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and CLIENT_KEY.match(value) else None


AUTH = ConnectAuth()
schemathesis.auth.set_from_requests(AUTH)


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    # Valid enabled/disabled calls must name a tenant the app knows: the lifecycle tenant.
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and schemes(case.operation.definition.raw) == ["connectJwt"] and isinstance(case.body, dict):
        case.body["clientKey"] = LIFECYCLE["client_key"]


@schemathesis.hook
def before_add_examples(context, examples: list) -> None:
    examples.extend(payloads.injected_cases(context.operation, oversized=MODE == "valid", auth=AUTH))


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    # Quick-entry text has a grammar JSON Schema cannot express: a schema-valid string may still be
    # refused with one of the 400 codes its operation lists in `x-dast-grammar-codes`.
    grammar = case.operation.definition.raw.get("x-dast-grammar-codes", [])
    rejected_valid = type(failure).__name__ == "RejectedPositiveData"
    if rejected_valid and response.status_code == 400 and _problem_code(response) in grammar:
        return False
    # Every other failure is kept, and logged as sent, token included (schemathesis's curl line
    # leaves out what the auth object added).
    if os.environ.get("STJ_DAST_CURL_LOG"):
        with open(os.environ["STJ_DAST_CURL_LOG"], "a", encoding="utf-8") as log:
            log.write(f"# {failure.title} ({MODE} tokens)\n{payloads.curl(response.request)}\n\n")
    return True


def _problem_code(response) -> str | None:
    try:
        return response.json().get("code")
    except (ValueError, AttributeError):
        return None


@schemathesis.check
def no_leaked_internals(ctx, response, case):
    leak = payloads.find_leak(response, secrets=[*SECRETS.values(), *CTX.get("secrets", [])])
    if leak:
        raise AssertionError(f"response leaks internal details: {leak}")


@schemathesis.check
def security_headers(ctx, response, case):
    problems = payloads.missing_security_headers(response, case.formatted_path)
    if problems:
        raise AssertionError("security headers: " + "; ".join(problems))


@schemathesis.check
def protected_operations_refuse_bad_tokens(ctx, response, case):
    op = case.operation.definition.raw
    # A request the router sent elsewhere never reached the operation: another method (405), or a
    # path parameter with a `/` in it that matches no route (the router's own 404 `not_found`).
    missed = response.status_code == 405 or (response.status_code == 404 and _problem_code(response) == "not_found")
    if MODE != "valid" and is_protected(op) and not missed and response.status_code not in (401, 403):
        raise AssertionError(
            f"{case.method} {case.formatted_path} answered {response.status_code} to a request with "
            f"{'no' if MODE == 'none' else 'a tampered'} token; protected operations must refuse (401/403)"
        )


@schemathesis.check
def good_tokens_are_accepted(ctx, response, case):
    op = case.operation.definition.raw
    tenant_op = is_protected(op) and "lifecycle" not in op.get("tags", [])
    if MODE == "valid" and tenant_op and response.status_code == 401:
        raise AssertionError(
            f"a correctly signed token was refused ({response.text[:200]}): the qsh or signing of this "
            "request differs between the hook and the app"
        )
