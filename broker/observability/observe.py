"""What the broker's parts report (upstream calls, retries, rejections, token events) without knowing who counts."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    """Receives the broker's operational events; ``metrics.BrokerMetrics`` turns them into Prometheus series."""

    def upstream_call(self, region: str, api: str, outcome: str, seconds: float) -> None:
        """One logical upstream call (retries included) of ``api`` (``admin`` or ``data``) ended with ``outcome``."""

    def upstream_retry(self, region: str, reason: str) -> None:
        """One more attempt was made because of ``reason`` (``5xx``, ``429`` or ``connection``)."""

    def rate_limited(self, limit: str) -> None:
        """A request was refused with 429 by the ``address``, ``client``, ``company`` or ``pacing`` limit."""

    def token_minted(self) -> None:
        """A link token was minted."""

    def token_rejected(self, reason: str) -> None:
        """A link token failed verification for ``reason`` (``malformed``, ``signature``, ``expired``, ...)."""


class NullObserver:
    """An observer that ignores everything (the default when nobody counts)."""

    def upstream_call(self, region: str, api: str, outcome: str, seconds: float) -> None:
        return None

    def upstream_retry(self, region: str, reason: str) -> None:
        return None

    def rate_limited(self, limit: str) -> None:
        return None

    def token_minted(self) -> None:
        return None

    def token_rejected(self, reason: str) -> None:
        return None


NULL_OBSERVER = NullObserver()
