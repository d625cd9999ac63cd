"""Rate limits kept in the database, so every web process sees the same counts.

Every door where a secret is tried or an email is sent goes through `attempt()`: the
coach's and the admin's sign-in, the second factor's codes, password reset, sign-up, the
signing code and emailed links. It takes a token from each of the door's buckets
before the password, code or link is looked at, under the buckets' row locks, so at most
`capacity` attempts are ever evaluated, however many arrive at the same instant. An
attempt that succeeds gives its tokens back (`Reservation.refund()`), so only failures
use a limit up.

A bucket holds up to `capacity` tokens and refills completely over `per_seconds`.
Keys are hashed with the secret key: the table never holds an email or an IP. Values
are counted in the form `normalise_email` gives, the form accounts are looked up in,
so every spelling of an address that reaches an account counts in that account's bucket.

Why not django-axes: it counts failures of `authenticate()` after the password was
checked (so simultaneous guesses all get evaluated), and it guards sign-in only; the
signing code, emailed links, sign-up and reset need the same limits.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coaching.models import TokenBucket, normalise_email


@dataclass(frozen=True)
class Door:
    """A place where attempts are limited: `per_key` for each account, address or signer
    tried, `per_ip` for each network address; both refill over `per_seconds`."""

    name: str
    per_seconds: int
    per_key: int = 0
    per_ip: int = 0


# Wrong passwords, at /accounts/login/ and /admin/login/ alike.
SIGN_IN = Door("sign-in", per_seconds=15 * 60, per_key=5, per_ip=30)
# Wrong codes from an authenticator app or recovery codes, at sign-in and when asked again.
SECOND_FACTOR = Door("second-factor", per_seconds=15 * 60, per_key=5, per_ip=30)
# Requests from one network; reset emails to one address (quietly: no page says so).
PASSWORD_RESET = Door("reset-ip", per_seconds=3600, per_ip=20)
PASSWORD_RESET_EMAILS = Door("reset-email", per_seconds=3600, per_key=3)
# Likewise for sign-up.
SIGN_UP = Door("signup-ip", per_seconds=3600, per_ip=10)
SIGN_UP_EMAILS = Door("signup-email", per_seconds=3600, per_key=3)


@dataclass(frozen=True)
class Reservation:
    """The tokens taken for one attempt, as (bucket key, capacity) pairs."""

    door: Door
    buckets: tuple[tuple[str, int], ...]

    def refund(self) -> None:
        """Give the tokens back: the attempt succeeded, so it does not count."""
        capacities = dict(self.buckets)
        with transaction.atomic():
            rows = list(_locked(capacities))
            now = timezone.now()
            for row in rows:
                capacity = capacities[row.key]
                level = _refilled(
                    row, capacity=capacity, per_seconds=self.door.per_seconds, now=now
                )
                row.tokens, row.updated_at = min(float(capacity), level + 1.0), now
            TokenBucket.objects.bulk_update(rows, ["tokens", "updated_at"])


def bucket_key(scope: str, value: str) -> str:
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{scope}:{normalise_email(value)}".encode()
    ).hexdigest()
    return f"{scope[:14]}:{digest[:64]}"


def attempt(door: Door, *, key: str = "", ip: str = "") -> Reservation | None:
    """Take one token from each of the door's buckets (for `key`, for `ip`), all or none,
    before the attempt is evaluated. None when one is empty: refuse without evaluating.
    """
    wanted: dict[str, int] = {}
    if door.per_key:
        wanted[bucket_key(door.name, key)] = door.per_key
    if door.per_ip:
        wanted[bucket_key(f"{door.name}:ip", ip)] = door.per_ip
    with transaction.atomic():
        # Every bucket exists before any is locked; ON CONFLICT DO NOTHING waits for a
        # concurrent insert of the same key instead of failing.
        TokenBucket.objects.bulk_create(
            [
                TokenBucket(key=bucket, tokens=capacity, updated_at=timezone.now())
                for bucket, capacity in sorted(wanted.items())
            ],
            ignore_conflicts=True,
        )
        rows = list(_locked(wanted))
        now = timezone.now()
        levels = {
            row.key: _refilled(
                row, capacity=wanted[row.key], per_seconds=door.per_seconds, now=now
            )
            for row in rows
        }
        if any(level < 1.0 for level in levels.values()):
            return None
        for row in rows:
            row.tokens, row.updated_at = levels[row.key] - 1.0, now
        TokenBucket.objects.bulk_update(rows, ["tokens", "updated_at"])
    return Reservation(door=door, buckets=tuple(sorted(wanted.items())))


def spend_token(scope: str, value: str, *, capacity: int, per_seconds: int) -> bool:
    """A plain rate limit on one value: take a token, False (taking none) when empty."""
    door = Door(scope, per_seconds=per_seconds, per_key=capacity)
    return attempt(door, key=value) is not None


def _locked(keys: dict[str, int]) -> list[TokenBucket]:
    # Always in key order, so two attempts locking the same buckets never deadlock.
    return list(TokenBucket.objects.select_for_update().filter(key__in=keys).order_by("key"))


def _refilled(bucket: TokenBucket, *, capacity: int, per_seconds: int, now: datetime) -> float:
    elapsed = (now - bucket.updated_at).total_seconds()
    return min(float(capacity), bucket.tokens + max(elapsed, 0.0) * capacity / per_seconds)
