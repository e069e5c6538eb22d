"""Development tokens: `collab token` signs with a local key that only a development-mode
server trusts. The private key lives in the data folder, readable by its owner only."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from collab_api.config import Settings
from collab_api.http.tokens import TokenVerifier

DEV_ISSUER = "urn:collab:development"


def signing_key(settings: Settings) -> ECKey:
    path: Path = settings.dev_signing_key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ECKey.generate_key("P-256", parameters={"kid": f"dev-{uuid.uuid4().hex[:8]}"}, private=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(key.as_dict(private=True), out)
    return ECKey.import_key(json.loads(path.read_text()))


def verifier(settings: Settings) -> TokenVerifier:
    public = signing_key(settings).as_dict(private=False)
    return TokenVerifier(DEV_ISSUER, settings.oidc_audience, KeySet.import_key_set({"keys": [public]}),
                         leeway=settings.token_leeway)


def mint(settings: Settings, role: str, *, collaborative: str | None = None, organisation: str | None = None,
         minutes: int = 60, subject: str | None = None, email: str | None = None, name: str | None = None) -> str:
    key = signing_key(settings)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": DEV_ISSUER, "aud": settings.oidc_audience, "iat": now, "exp": now + minutes * 60,
        "sub": subject or f"dev-{role.lower()}-{(collaborative or organisation or 'all').lower()}",
        "name": name or f"Development {role.lower()}" + (f" ({collaborative or organisation})" if collaborative or organisation else ""),
        settings.role_claim: role.upper(),
    }
    if email:
        claims["email"] = email
    if collaborative:
        claims[settings.collaborative_claim] = collaborative.upper()
    if organisation:
        claims[settings.organisation_claim] = organisation.upper()
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
