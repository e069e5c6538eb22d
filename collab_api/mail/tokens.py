"""The unsubscribe link's token: the person it is for, signed and expiring, so that it works
without signing in and cannot be made for anyone else (itsdangerous, as Starlette's sessions)."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "collab-unsubscribe"
MAX_AGE_DAYS = 90


def unsubscribe_token(secret: str, subject: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(subject)


def subject_of(secret: str, token: str) -> str | None:
    """The person a token is for; None when it is forged, damaged or older than MAX_AGE_DAYS."""
    try:
        return str(URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=MAX_AGE_DAYS * 86400))
    except BadSignature:
        return None
