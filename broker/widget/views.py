"""The widget's files: ``/widget/v1/loader.js`` (long cache, ETag, SRI), the frame page (strict CSP) and its assets."""

from __future__ import annotations

import functools
import re

import click
from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from broker.state import db_session
from broker.storage.models import Client
from broker.widget import assets as widget_assets

bp = Blueprint("widget", __name__, url_prefix="/widget/v1", cli_group=None)

LOADER_CACHE = "public, max-age=604800"
ASSET_CACHE = "public, max-age=3600"
# An asset asked for by its version (the frame page names its bundle and style sheet so): that URL's body never changes.
VERSIONED_CACHE = "public, max-age=31536000, immutable"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$|^https?://\[[0-9a-fA-F:]+\](:\d{1,5})?$")


@functools.lru_cache(maxsize=1)
def loader_asset() -> widget_assets.Asset:
    """The built loader (read once per process)."""
    return widget_assets.build_loader()


def accepted_encoding(asset: widget_assets.Asset) -> str | None:
    """The best precompressed encoding of ``asset`` the request accepts (brotli before gzip), or None (identity)."""
    accepted = request.accept_encodings
    qualities = [(accepted.quality(name), -rank, name) for rank, name in enumerate(widget_assets.ENCODINGS)]
    best = max((q for q in qualities if q[0] > 0 and q[2] in asset.encoded), default=None)
    return best[2] if best else None


def _conditional(asset: widget_assets.Asset, cache_control: str) -> Response:
    """The asset in the encoding asked for, with its strong ETag; ``304`` when ``If-None-Match`` names that ETag."""
    encoding = accepted_encoding(asset)
    body, tag = asset.representation(encoding)
    etag = f'"{tag}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = Response(status=304)
    else:
        response = Response(body, mimetype=asset.mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
    response.headers.update({"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"})
    return response


@bp.get("/loader.js")
def loader() -> Response:
    """The loader: one script, safe to include twice; CORS-readable so that ``integrity=`` pinning works."""
    response = _conditional(loader_asset(), LOADER_CACHE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def registered_origin(origin: str) -> bool:
    """Whether some broker client registered ``origin`` (only those may frame the widget)."""
    if not _ORIGIN.match(origin):
        return False
    return any(origin in origins.split("\n") for origins in db_session().scalars(select(Client.origins)))


def frame_csp(origin: str | None) -> str:
    """The frame's policy: our own scripts (the bundle, and the inline boot script by its hash) and styles only, and
    framing only by the embedding origin."""
    ancestors = origin or "'none'"
    images = f"'self' data: https:{' ' + origin if origin else ''}"
    return (
        f"default-src 'none'; script-src 'self' {widget_assets.boot_script_hash()}; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {ancestors}"
    )


@bp.get("/frame")
def frame() -> Response:
    """The frame page; ``origin`` (the host page's origin, not a secret) must be one a client registered."""
    claimed = request.args.get("origin", "")
    origin = claimed if claimed and registered_origin(claimed) else None
    response = Response(widget_assets.frame_html(), mimetype="text/html")
    response.headers.update(
        {
            "Content-Security-Policy": frame_csp(origin),
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
            "Cross-Origin-Opener-Policy": "unsafe-none",
        }
    )
    return response


@bp.get("/assets/<path:path>")
def asset(path: str) -> Response:
    """A frame script, stylesheet or message catalogue from a closed list; kept for a year when asked for by the
    version it is (``?v=<ETag>``), else for an hour."""
    found = widget_assets.load_asset(path)
    if found is None:
        abort(404)
    return _conditional(found, VERSIONED_CACHE if request.args.get("v") == found.etag else ASSET_CACHE)


@bp.cli.command("widget-sri")
def widget_sri() -> None:
    """Print the loader's SRI hash and a script tag that pins it."""
    asset = loader_asset()
    click.echo(asset.integrity)
    click.echo(
        f'<script src="https://YOUR-BROKER/widget/v1/loader.js" integrity="{asset.integrity}" '
        'crossorigin="anonymous"></script>'
    )
