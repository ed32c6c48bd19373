"""Liveness (``/healthz``) and readiness (``/readyz``: the database, and every upstream region as last checked)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from broker.errors import NotReady
from broker.lender.schemas import HealthSchema
from broker.state import broker_state

bp = Blueprint("health", __name__, description="Probes for load balancers and orchestrators.")


@bp.route("/healthz")
@bp.response(200, HealthSchema)
def healthz() -> dict[str, Any]:
    """The process is up."""
    return {"status": "ok"}


@bp.route("/readyz")
@bp.response(200, HealthSchema)
def readyz() -> dict[str, Any]:
    """The database answers and every upstream region answered its last check (made at most every 30 s)."""
    state = broker_state()
    checks = {"database": "ok" if state.db.ping() else "unavailable"}
    for name, readiness in state.readiness.items():
        checks[f"upstream:{name}"] = "ok" if readiness.ready() else "unavailable"
    if any(value != "ok" for value in checks.values()):
        raise NotReady(details={"checks": checks})
    return {"status": "ok", "checks": checks}
