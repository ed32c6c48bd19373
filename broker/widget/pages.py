"""The owner's and the accountant's own pages: ``/widget/v1/receipt`` and ``/widget/v1/accountant`` (issue 18).

Static documents under a strict CSP: their token comes after ``#`` in the link (a fragment never reaches a server or
its logs), their script reads it and sends it in a JSON body. Nothing here is framed by a lender's page.
"""

from __future__ import annotations

from flask import Blueprint, Response

from broker.widget import assets as widget_assets

bp = Blueprint("widget_pages", __name__, url_prefix="/widget/v1", cli_group=None)

# Our own scripts, styles and calls only; no framing (a receipt page that can revoke must not be clickjacked).
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _page(name: str) -> Response:
    response = Response(widget_assets.page_html(name), mimetype="text/html")
    response.headers.update(PAGE_HEADERS)
    return response


@bp.get("/receipt")
def receipt() -> Response:
    """The owner's consent receipt: what was shared, with whom, until when; print, download, verify, revoke."""
    return _page("receipt")


@bp.get("/accountant")
def accountant() -> Response:
    """The accountant's page: opens an invitation, then the map and reconcile steps of the frame for that company."""
    return _page("accountant")
