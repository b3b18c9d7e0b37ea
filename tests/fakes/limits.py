"""The fake Discord's rate limits: a bucket per route (or per channel for messages), as Discord counts them."""

from __future__ import annotations

import math
import time


class _Bucket:
    """A fixed-window rate-limit bucket, reported honestly in X-RateLimit-* headers."""

    def __init__(self, limit: int, per: float, bucket_hash: str) -> None:
        self.limit = limit
        self.per = per
        self.hash = bucket_hash
        self.count = 0
        self.reset_at = 0.0

    def hit(self, now: float) -> float | None:
        """Take a token; returns retry_after seconds when exhausted."""
        if now >= self.reset_at:
            self.count = 0
            self.reset_at = now + self.per
        if self.count >= self.limit:
            return self.reset_at - now
        self.count += 1
        return None

    def headers(self, now: float) -> dict[str, str]:
        after = max(self.reset_at - now, 0.0)
        # Rounded up so a client that sleeps Reset-After never arrives before the window resets.
        after = math.ceil(after * 1000) / 1000
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - self.count, 0)),
            "X-RateLimit-Reset": f"{time.time() + after:.3f}",
            "X-RateLimit-Reset-After": f"{after:.3f}",
            "X-RateLimit-Bucket": self.hash,
        }
