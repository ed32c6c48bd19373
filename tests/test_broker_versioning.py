"""Deprecations: a marked endpoint answers with Deprecation, Sunset and Link, and says deprecated in the document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint

from broker import openapi
from broker.errors import NotFound
from common.web import register_error_handlers

ANNOUNCED = datetime(2026, 1, 15, tzinfo=UTC)
SUNSET = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture
def app() -> Flask:
    app = Flask("versioning")
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.1.0", OPENAPI_URL_PREFIX="/")
    api = openapi.BrokerApi(app)
    openapi.init_app(app)
    bp = Blueprint("old", __name__, url_prefix="/v1")

    @bp.route("/old")
    @openapi.deprecated(announced=ANNOUNCED, sunset=SUNSET, link="https://docs.example/versioning")
    def old() -> Any:
        return {"ok": True}

    @bp.route("/old/missing")
    @openapi.deprecated(announced=ANNOUNCED, sunset=SUNSET)
    def old_missing() -> Any:
        raise NotFound()

    @bp.route("/things")
    class Things(MethodView):
        def get(self) -> Any:
            return {"current": True}

        @openapi.deprecated(announced=ANNOUNCED, sunset=SUNSET)
        def post(self) -> Any:
            return {"old": True}

    @bp.route("/current")
    def current() -> Any:
        return {"ok": True}

    api.register_blueprint(bp)
    register_error_handlers(app)
    return app


@pytest.mark.parametrize(
    ("method", "path", "status", "deprecated"),
    [
        ("get", "/v1/old", 200, True),
        ("get", "/v1/old/missing", 404, True),
        ("post", "/v1/things", 200, True),
        ("get", "/v1/things", 200, False),
        ("get", "/v1/current", 200, False),
    ],
)
def test_deprecation_headers(app: Flask, method: str, path: str, status: int, deprecated: bool) -> None:
    answer = getattr(app.test_client(), method)(path)
    assert answer.status_code == status
    if not deprecated:
        assert "Deprecation" not in answer.headers and "Sunset" not in answer.headers
        return
    assert answer.headers["Deprecation"] == f"@{int(ANNOUNCED.timestamp())}"
    assert answer.headers["Sunset"] == "Wed, 01 Jul 2026 00:00:00 GMT"
    if path == "/v1/old":
        assert answer.headers["Link"] == '<https://docs.example/versioning>; rel="deprecation"; type="text/html"'


def test_deprecated_operations_say_so_in_the_document(app: Flask) -> None:
    paths = app.test_client().get("/openapi.json").get_json()["paths"]
    assert paths["/v1/old"]["get"]["deprecated"] is True
    assert paths["/v1/things"]["post"]["deprecated"] is True
    assert "deprecated" not in paths["/v1/things"]["get"] and "deprecated" not in paths["/v1/current"]["get"]


def test_a_sunset_must_follow_its_announcement() -> None:
    with pytest.raises(ValueError, match="sunset after announced"):
        openapi.deprecated(announced=SUNSET, sunset=ANNOUNCED)
    with pytest.raises(ValueError):
        openapi.deprecated(announced=datetime(2026, 1, 1), sunset=SUNSET)


def test_the_broker_installs_the_mechanism(tmp_path: Any) -> None:
    from tests.broker_support import FakeUpstream, broker_app

    with broker_app(tmp_path, FakeUpstream().transport) as app:
        assert "_announce_deprecation" in [getattr(f, "__name__", "") for f in app.after_request_funcs[None]]
