"""The one client of the upstream wire protocol (Administration API and Data API), with retries and pacing."""

from broker.upstream.client import UpstreamClient, UpstreamResponse
from broker.upstream.errors import (
    UpstreamBadGateway,
    UpstreamError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)

__all__ = [
    "UpstreamBadGateway",
    "UpstreamClient",
    "UpstreamError",
    "UpstreamRejected",
    "UpstreamResponse",
    "UpstreamTimeout",
    "UpstreamUnavailable",
]
