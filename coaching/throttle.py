"""Rate limits kept in the database, so every web process sees the same counts.

A bucket holds up to `capacity` tokens and refills completely over `per_seconds`.
Keys are hashed with the secret key: the table never holds an email or an IP.
"""

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coaching.models import TokenBucket


def bucket_key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value.lower()}".encode()).hexdigest()
    return f"{scope[:14]}:{digest[:64]}"


def _refilled(bucket: TokenBucket, *, capacity: int, per_seconds: int) -> float:
    elapsed = (timezone.now() - bucket.updated_at).total_seconds()
    return min(float(capacity), bucket.tokens + max(elapsed, 0.0) * capacity / per_seconds)


def has_tokens(scope: str, value: str, *, capacity: int, per_seconds: int) -> bool:
    """True when at least one token is left; spends nothing."""
    bucket = TokenBucket.objects.filter(key=bucket_key(scope, value)).first()
    if bucket is None:
        return True
    return _refilled(bucket, capacity=capacity, per_seconds=per_seconds) >= 1.0


def spend_token(scope: str, value: str, *, capacity: int, per_seconds: int) -> bool:
    """Spend one token. Returns False, spending nothing, when the bucket is empty."""
    key = bucket_key(scope, value)
    now = timezone.now()
    with transaction.atomic():
        bucket = TokenBucket.objects.select_for_update().filter(key=key).first()
        if bucket is None:
            try:
                with transaction.atomic():
                    TokenBucket.objects.create(key=key, tokens=capacity - 1, updated_at=now)
                return True
            except IntegrityError:
                bucket = TokenBucket.objects.select_for_update().get(key=key)
        tokens = _refilled(bucket, capacity=capacity, per_seconds=per_seconds)
        if tokens < 1.0:
            return False
        bucket.tokens = tokens - 1.0
        bucket.updated_at = now
        bucket.save(update_fields=["tokens", "updated_at"])
        return True
