"""Who is calling. Locally (stage ``local``) tokens are HS256 JWTs signed with AUTH_DEV_SECRET; in the
cloud API Gateway's Cognito authorizer verifies the identity provider's token and passes its claims, and
only the stage's own app clients are accepted (AUTH_CLIENT_IDS). Which of the two applies is decided in
chalicelib.config, failing closed: see its docstring.

Every route then checks role and office/city scope: missing or bad token → 401, wrong role → 403.
"""
from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from ..config import settings
from ..domain.errors import OutOfScope, Unauthenticated
from ..domain.formats import DIVISION_CODE, matches

if TYPE_CHECKING:
    from ..domain.actor import Actor

# PyJWT (and the cryptography package it loads, ~40 ms of cold start) is imported where a token is
# checked or made here: in the cloud API Gateway's authorizer verifies tokens and it is never needed.

ROLES = ("citizen", "staff", "supervisor", "admin")


# What a claim may hold: anything else (a list, an object, a 5,000-character subject) is a token this API did
# not issue, refused with 401 here, once, rather than reaching a route that trusts the actor's fields.
_SUB = re.compile(r"[\x21-\x7e]{1,128}")  # Cognito's is a UUID; dev tokens use short printable names
_OFFICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NAME_MAX = 64


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    def claim(name: str) -> Any:
        return claims.get(name, claims.get(f"custom:{name}"))

    from ..domain.actor import Actor, Role

    sub, role = claim("sub"), claim("role")
    if not matches(_SUB, sub) or not isinstance(role, str) or role not in ROLES:
        raise Unauthenticated("token lacks a subject or a known role")
    office_id, city, name = claim("office_id"), claim("city"), claim("name")
    if any(value is not None and not isinstance(value, str) for value in (office_id, city, name)):
        raise Unauthenticated("token has a claim of the wrong type")  # [] or {} is no absent claim either
    office_id, city, name = office_id or None, city or None, name or ""
    if office_id is not None and not matches(_OFFICE_ID, office_id):
        raise Unauthenticated("token's office_id is not an office identifier")
    if city is not None and not matches(DIVISION_CODE, city):
        raise Unauthenticated("token's city is not a 6-digit division code")
    if len(name) > _NAME_MAX:
        raise Unauthenticated(f"token's name is longer than {_NAME_MAX} characters")
    if role == "staff" and not office_id:
        raise Unauthenticated("staff token lacks office_id")
    if role == "supervisor" and not city:
        raise Unauthenticated("supervisor token lacks city")
    return Actor(sub=sub, role=Role(role), office_id=office_id, city=city, name=name)


def authenticate(headers: Any, context: dict[str, Any] | None = None) -> Actor:
    s = settings()
    if s.auth_mode == "gateway":
        authorizer = (context or {}).get("authorizer") or {}
        claims = authorizer.get("claims") or (authorizer.get("jwt") or {}).get("claims")
        if not claims:
            raise Unauthenticated("not authenticated")
        # A Cognito user-pool authorizer accepts a token of ANY app client of the pool: an ID token names its
        # client in `aud`, an access token in `client_id`. Only the stage's named clients are let in.
        client = claims.get("client_id") if claims.get("token_use") == "access" else claims.get("aud")
        if not isinstance(client, str) or client not in s.auth_client_ids:
            raise Unauthenticated("token of an app client this stage does not accept")
        return actor_from_claims(claims)
    if s.auth_mode != "hs256":
        raise Unauthenticated("authentication is not configured for this process")
    import jwt

    header = headers.get("authorization") or ""
    if not header.lower().startswith("bearer "):
        raise Unauthenticated("missing bearer token (Authorization: Bearer <JWT>)")
    try:
        # Only HS256 (no `none`, no RS256 header verified with the secret as a public key), and `exp` is
        # required: a leaked local token must not stay valid for ever.
        claims = jwt.decode(header[7:].strip(), s.auth_dev_secret, algorithms=["HS256"],
                            options={"require": ["sub", "exp"]}, leeway=30)
    except jwt.PyJWTError as err:
        raise Unauthenticated(f"invalid token: {type(err).__name__}") from None
    return actor_from_claims(claims)


def require_role(actor: Actor, *roles: str) -> Actor:
    if actor.role not in roles:
        raise OutOfScope(f"this needs the role {' or '.join(roles)}")
    return actor


def issue_dev_token(role: str, sub: str, office_id: str | None = None, city: str | None = None,
                    name: str = "", ttl_seconds: int = 12 * 3600, secret: str | None = None) -> str:
    """A local-stage token (never valid in the cloud, where the identity provider issues tokens)."""
    import jwt

    key = secret or settings().auth_dev_secret
    if not key:
        raise RuntimeError("dev tokens exist only in a local process (STAGE=local, AUTH_MODE=hs256)")
    if ttl_seconds <= 0:
        raise ValueError("a dev token needs a positive lifetime (its exp is required)")

    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "role": role, "name": name, "iat": now, "exp": now + ttl_seconds}
    if office_id:
        claims["office_id"] = office_id
    if city:
        claims["city"] = city
    return jwt.encode(claims, key, algorithm="HS256")
