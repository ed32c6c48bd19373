"""The lender's own pages: the company list, creating a company, and the applicant page that embeds the widget."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from example_host_app.broker_client import BrokerError
from example_host_app.views import broker, store, widget_page

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """Every company this lender created, newest first."""
    return render_template("home.html", companies=store().companies())


@bp.get("/companies/new")
def new_company() -> str:
    """The form to create a company."""
    return render_template("company_new.html", form={}, errors={})


@bp.post("/companies")
def create_company() -> Response | tuple[str, int]:
    """Create the company through the broker (server side), remember it, and go to its applicant page."""
    form = {"name": request.form.get("name", "").strip(), "email": request.form.get("email", "").strip()}
    errors = {}
    if not 1 <= len(form["name"]) <= 200:
        errors["name"] = "Enter the company's name (at most 200 characters)."
    if "@" not in form["email"] or len(form["email"]) > 320:
        errors["email"] = "Enter an email address like owner@company.com."
    if not errors:
        try:
            account = broker().create_account(form["name"], form["email"])
        except BrokerError as error:
            errors["form"] = f"The broker refused: {error.message}"
        else:
            store().add_company(account["account_key"], account["name"], account["email"])
            flash(f"{account['name']} was created. Send the applicant to the page below.")
            return redirect(url_for("pages.applicant", account_key=account["account_key"]), code=303)
    return render_template("company_new.html", form=form, errors=errors), 422


@bp.get("/companies/<account_key>/apply")
def applicant(account_key: str) -> Response | str:
    """What the applicant sees: a button that opens the widget with a token minted server-side on click."""
    company = store().company(account_key) or abort(404, "This lender has no company with that key.")
    return widget_page("applicant.html", company=company)


@bp.post("/companies/<account_key>/link_token")
def link_token(account_key: str) -> tuple[dict[str, Any], int]:
    """Mint a link token for this page's origin (the page's script calls this, CSRF-protected)."""
    if store().company(account_key) is None:
        abort(404, "This lender has no company with that key.")
    try:
        minted = broker().mint_link_token(account_key, _own_origin())
    except BrokerError as error:
        return {"error": {"code": error.code, "message": error.message}}, 502 if error.status is None else 409
    return {"link_token": minted["link_token"], "expires_at": minted["expires_at"]}, 201


def _own_origin() -> str:
    """This site's origin as the browser sees it: ``HOST_PUBLIC_URL`` when set, else the request's."""
    configured = current_app.config.get("PUBLIC_URL")
    parts = urlsplit(configured or request.host_url)
    return f"{parts.scheme}://{parts.netloc}"
