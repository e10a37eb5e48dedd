"""Broken tokens for the `STJ_DAST_AUTH=tampered` run: each request gets the next kind in turn, made
from the good token it would have carried. Every one of them must be refused with 401 or 403."""

import base64
import itertools
import json
import time

import jwt  # PyJWT

from dast import connect


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _resign(token: str, secret: str, **changes) -> str:
    claims = {**_claims(token), **changes}
    return connect.sign_hs256(secret, {k: v for k, v in claims.items() if v is not None})


def _flip_signature(token: str, *_) -> str:
    head, _, signature = token.rpartition(".")
    return f"{head}.{('A' if signature[:1] != 'A' else 'B')}{signature[1:]}"


def _edited_claims(token: str, *_) -> str:
    header, _, signature = token.split(".")
    claims = {**_claims(token), "sub": "someone-else", "exp": int(time.time()) + 86400}
    return f"{header}.{_b64(claims)}.{signature}"


def _alg_none(token: str, *_) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(token))}."


def _wrong_secret(token: str, secret: str) -> str:
    return _resign(token, "x" * 40 if secret != "x" * 40 else "y" * 40)


def _expired(token: str, secret: str) -> str:
    now = int(time.time())
    return _resign(token, secret, iat=now - 3700, exp=now - 3600)


def _from_the_future(token: str, secret: str) -> str:
    now = int(time.time())
    return _resign(token, secret, iat=now + 3600, exp=now + 7200)


def _no_qsh(token: str, secret: str) -> str:
    return _resign(token, secret, qsh=None)


def _other_request_qsh(token: str, secret: str) -> str:
    return _resign(token, secret, qsh=connect.qsh("GET", "/some/other/path", "a=1"))


def _unknown_issuer(token: str, secret: str) -> str:
    return _resign(token, secret, iss="dast-unknown-tenant")


def _no_exp(token: str, secret: str) -> str:
    return _resign(token, secret, exp=None)


def _truncated(token: str, *_) -> str:
    return token[: len(token) // 2]


def _bearer(token: str, *_) -> str:
    return "Bearer " + token


# (name, make(token, secret)); the secret is the tenant's, so only the named fault breaks the token.
KINDS = [
    ("signature flipped", _flip_signature),
    ("claims edited after signing", _edited_claims),
    ("alg none", _alg_none),
    ("signed with another secret", _wrong_secret),
    ("expired", _expired),
    ("issued in the future", _from_the_future),
    ("no qsh", _no_qsh),
    ("qsh of another request", _other_request_qsh),
    ("unknown issuer", _unknown_issuer),
    ("no exp", _no_exp),
    ("truncated", _truncated),
    ("Bearer scheme", _bearer),
]
_turn = itertools.count()


def next_token(token: str, schemes: list[str], issuer: str, secrets: dict[str, str]) -> str:
    """The next broken variant of `token`. For signed-install operations an HS256 token keyed with the
    tenant secret is one more kind (the algorithm confusion Atlassian's migration closed)."""
    secret = secrets.get(issuer) or next(iter(secrets.values()))
    kinds = list(KINDS)
    if schemes == ["signedInstall"]:
        kinds.append(("HS256 instead of RS256", lambda t, s: _resign(t, s)))
    if schemes and schemes[0] == "connectJwtQuery":
        kinds.append(("context token on an iframe page", lambda t, s: _resign(t, s, qsh=connect.CONTEXT_QSH)))
    _name, make = kinds[next(_turn) % len(kinds)]
    return make(token, secret)
