"""Fault injection: seeded, predictable 5xx answers, latency, forced 429s, dropped connections and slow bodies."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.errors import ValidationFailed

RATE_KEYS = ("error_rate", "rate_limit_rate", "reset_rate")
MS_KEYS = ("latency_ms", "slow_body_ms")
TARGETS = ("data", "apps")
ERROR_STATUSES = (500, 502, 503)
MAX_MS = 30_000


@dataclass(frozen=True)
class FaultSettings:
    """One set of switches; the n-th request's fate depends only on (seed, n)."""

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    reset_rate: float = 0.0
    latency_ms: int = 0
    slow_body_ms: int = 0
    retry_after: int = 1
    seed: str = "0"
    targets: tuple[str, ...] = ("data",)

    def active(self) -> bool:
        """True when any switch would change an answer."""
        return any(getattr(self, key) for key in (*RATE_KEYS, *MS_KEYS))

    def to_json(self) -> dict[str, Any]:
        """Render as the Administration API shows it."""
        data = asdict(self)
        data["targets"] = list(self.targets)
        return data


@dataclass(frozen=True)
class Fate:
    """What happens to one request: ``ok``, ``error`` (with a status), ``rate_limited`` or ``reset``."""

    kind: str
    status: int = 200


def _unit(seed: str, n: int, purpose: str) -> float:
    digest = hashlib.sha256(f"{seed}|{n}|{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def fate(settings: FaultSettings, n: int) -> Fate:
    """Return the fate of the ``n``-th request (1-based) under ``settings``: a pure function of (seed, n)."""
    u = _unit(settings.seed, n, "fate")
    edge = settings.error_rate
    if u < edge:
        pick = int(_unit(settings.seed, n, "status") * len(ERROR_STATUSES))
        return Fate("error", ERROR_STATUSES[pick])
    edge += settings.rate_limit_rate
    if u < edge:
        return Fate("rate_limited", 429)
    edge += settings.reset_rate
    if u < edge:
        return Fate("reset", 200)
    return Fate("ok", 200)


def _number(key: str, value: Any, low: float, high: float, *, integer: bool) -> float | int:
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number from {low:g} to {high:g}") from None
    if isinstance(value, bool) or not low <= number <= high:
        raise ValueError(f"{key} must be a number from {low:g} to {high:g}")
    return number


def build_settings(values: Mapping[str, Any]) -> FaultSettings:
    """Build settings from a mapping of switch names; raise ``ValueError`` naming a bad or unknown switch."""
    known = {*RATE_KEYS, *MS_KEYS, "retry_after", "seed", "targets"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown fault switch {unknown[0]!r}; known: {', '.join(sorted(known))}")
    settings: dict[str, Any] = {}
    for key in RATE_KEYS:
        if key in values:
            settings[key] = float(_number(key, values[key], 0, 1, integer=False))
    for key in MS_KEYS:
        if key in values:
            settings[key] = int(_number(key, values[key], 0, MAX_MS, integer=True))
    if "retry_after" in values:
        settings["retry_after"] = int(_number("retry_after", values["retry_after"], 1, 3600, integer=True))
    if "seed" in values:
        seed = str(values["seed"])
        if not 0 < len(seed) <= 64:
            raise ValueError("seed must be 1 to 64 characters")
        settings["seed"] = seed
    if "targets" in values:
        raw = values["targets"]
        items = raw.replace("+", " ").replace(";", " ").split() if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not items or any(t not in TARGETS for t in items):
            raise ValueError("targets must list data and/or apps")
        settings["targets"] = tuple(dict.fromkeys(items))
    if sum(settings.get(key, 0.0) for key in RATE_KEYS) > 1:
        raise ValueError("error_rate + rate_limit_rate + reset_rate must not exceed 1")
    return FaultSettings(**settings)


def parse_spec(spec: str) -> FaultSettings | None:
    """Parse ``SANDBOX_FAULTS`` (``error_rate=0.2,latency_ms=200,seed=7,targets=data+apps``); None when empty."""
    if not spec or not spec.strip():
        return None
    values: dict[str, str] = {}
    for item in spec.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep or not key:
            raise ValueError(f"{item.strip()!r} is not of the form name=value")
        values[key.strip()] = value.strip()
    return build_settings(values)


@dataclass
class _Scope:
    settings: FaultSettings
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class FaultInjector:
    """The fault switches of one sandbox process: a global set and one per company, each with its request counter."""

    def __init__(self, global_settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self._global = _Scope(global_settings) if global_settings else None
        self._companies: dict[str, _Scope] = {}

    def configure(self, settings: FaultSettings, account_key: str | None = None) -> None:
        """Replace the global switches (or one company's) and restart that scope's request count at 1."""
        with self._lock:
            if account_key is None:
                self._global = _Scope(settings)
            else:
                self._companies[account_key] = _Scope(settings)

    def reset(self, account_key: str | None = None) -> None:
        """Clear every switch (or only one company's)."""
        with self._lock:
            if account_key is None:
                self._global, self._companies = None, {}
            else:
                self._companies.pop(account_key, None)

    def describe(self) -> dict[str, Any]:
        """Return the current switches as the Administration API shows them."""
        with self._lock:
            return {
                "global": self._global.settings.to_json() if self._global else None,
                "accounts": {key: scope.settings.to_json() for key, scope in sorted(self._companies.items())},
            }

    def next_fate(self, target: str, account_key: str | None) -> tuple[Fate, FaultSettings] | None:
        """Count one request to ``target`` and return its fate, or None when no switch applies to it."""
        with self._lock:
            scope = self._companies.get(account_key or "") or self._global
            if scope is None or target not in scope.settings.targets or not scope.settings.active():
                return None
            n = next(scope.counter)
            return fate(scope.settings, n), scope.settings


def slow_chunks(body: bytes, total_ms: int, pieces: int = 5) -> Iterator[bytes]:
    """Yield ``body`` in pieces spread over ``total_ms`` milliseconds."""
    size = max(1, -(-len(body) // pieces))
    for start in range(0, max(len(body), 1), size):
        time.sleep(total_ms / 1000 / pieces)
        yield body[start : start + size]


def dropped_body(body: bytes) -> Iterator[bytes]:
    """Yield the first half of ``body`` then fail, so the server drops the connection mid-answer."""
    yield body[: max(1, len(body) // 2)]
    raise ConnectionResetError("fault injection: connection reset")


def configure_from_admin(state: Any, body: Mapping[str, Any]) -> dict[str, Any]:
    """Apply ``{"action": "faults", ...}`` of the Administration API and return the switches now in force."""
    from flask import current_app

    from sandbox import accounts

    injector: FaultInjector = current_app.extensions["sandbox.faults"]
    values = {k: v for k, v in body.items() if k not in {"action", "reset", "account_key"}}
    account_key = body.get("account_key")
    if account_key is not None:
        if not isinstance(account_key, str) or len(account_key) != 32:
            raise ValidationFailed("Some fields are not valid.", details={"fields": {"account_key": ["unknown"]}})
        accounts.get_company(state.db, account_key)
    if body.get("reset") is True:
        injector.reset(account_key)
        if not values:
            return injector.describe()
    try:
        settings = build_settings(values)
    except ValueError as error:
        raise ValidationFailed(f"Fault switches are not valid: {error}.") from None
    injector.configure(settings, account_key)
    return injector.describe()


_MESSAGES = {
    500: ("internal_error", "Injected fault: the server hit an unexpected error; retry with backoff."),
    502: ("bad_gateway", "Injected fault: an upstream of the sandbox answered badly; retry with backoff."),
    503: ("service_unavailable", "Injected fault: the service is briefly unavailable; retry with backoff."),
}


def target_of(path: str) -> str | None:
    """Return which fault target a request path belongs to: ``data`` (Data API), ``apps`` (raw app APIs) or None."""
    if path == "/api" or path.startswith("/api/"):
        return "data"
    parts = path.split("/")
    if len(parts) >= 4 and parts[1] == "apps" and parts[3] == "api":
        return "apps"
    return None


def register(app: Any, injector: FaultInjector) -> None:
    """Install the injector in a Flask app: decide each request's fate first, reshape its body last."""
    from flask import Response, g, request

    from common.web import error_response

    app.extensions["sandbox.faults"] = injector

    @app.before_request
    def _inject_fault() -> Response | None:
        target = target_of(request.path)
        if target is None:
            return None
        account_key = request.args.get("X_ACCOUNT_KEY") or request.headers.get("X-Account-Key")
        decided = injector.next_fate(target, account_key)
        if decided is None:
            return None
        chosen, settings = decided
        g.sandbox_fault = decided
        if settings.latency_ms:
            time.sleep(settings.latency_ms / 1000)
        if chosen.kind == "error":
            code, message = _MESSAGES[chosen.status]
            return error_response(chosen.status, code, message)
        if chosen.kind == "rate_limited":
            return error_response(
                429,
                "rate_limited",
                "Injected fault: too many requests; retry after the time in Retry-After.",
                {"Retry-After": str(settings.retry_after)},
            )
        return None

    @app.after_request
    def _reshape_body(response: Response) -> Response:
        decided = g.pop("sandbox_fault", None)
        if decided is None:
            return response
        chosen, settings = decided
        if chosen.kind == "reset":
            body = response.get_data()
            response.response = dropped_body(body)
            response.headers["Content-Length"] = str(len(body))
        elif chosen.kind == "ok" and settings.slow_body_ms:
            body = response.get_data()
            response.response = slow_chunks(body, settings.slow_body_ms)
            response.headers["Content-Length"] = str(len(body))
        return response
