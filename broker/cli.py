"""Operator commands: create-client, rotate-client-secret, list-clients, register-upstream-webhook, db-upgrade.

``widget-sri`` lives with the widget's files.

``flask --app broker --help`` works without any configuration: when the settings are incomplete and the factory is
called by the command line, it builds ``unconfigured_app`` instead, whose commands show their help and, when run,
say what is missing rather than guessing a database to write to.
"""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from broker.errors import ConfigurationError
from broker.lender import clients
from broker.state import BrokerState, broker_state
from broker.webhooks import upstream as upstream_webhooks
from common.dates import iso

CONFIGURATION_ERROR = "broker_configuration_error"
UNCONFIGURED = (
    "the broker is not configured, so this command cannot run: {error}\n"
    "A command acts on the database of the broker whose configuration it is given: run it with the same BROKER_* "
    "variables and DATABASE_URL as that broker (`make demo` prints the command for the demo), or with "
    "BROKER_ENV=development for a local broker with dev-only defaults."
)


def listing_commands() -> bool:
    """Whether the ``flask`` command line is looking up or listing commands (``--help``, finding a command's name),
    as opposed to running one that serves or opens a shell: only then may the factory settle for an unconfigured app.
    """
    context = click.get_current_context(silent=True)
    return context is not None and isinstance(context.command, FlaskGroup)


def unconfigured_app(error: ConfigurationError) -> Flask:
    """An app that only carries the broker's commands, each of which fails with ``error`` and how to fix it."""
    from broker.widget import views as widget

    app = Flask("broker")
    app.extensions[CONFIGURATION_ERROR] = error
    register(app)
    app.register_blueprint(widget.bp)  # widget-sri reads the built loader only: it needs no configuration
    return app


def _state() -> BrokerState:
    """The broker's state, or a clear error when the command line could not configure the broker."""
    error = current_app.extensions.get(CONFIGURATION_ERROR)
    if error is not None:
        raise click.ClickException(UNCONFIGURED.format(error=error))
    return broker_state()


def _database(state: BrokerState) -> str:
    """The database a command wrote to, without any password (printed, so that nobody writes elsewhere unawares)."""
    return state.db.engine.url.render_as_string(hide_password=True)


def register(app: Flask) -> None:
    """Add the broker's commands to ``app.cli``."""

    @app.cli.command("create-client")
    @click.argument("name")
    @click.option("--origin", "origins", multiple=True, required=True, help="An origin allowed to embed (repeatable).")
    def create_client(name: str, origins: tuple[str, ...]) -> None:
        """Create a broker client and print its id, secret (shown only once), origins and database as JSON."""
        state = _state()
        with state.db.session() as session:
            try:
                client, secret = clients.create_client(
                    session, name, origins, state.now(), current_app.config["CLIENT_SECRET_HASH_COST"]
                )
            except ValueError as error:
                raise click.BadParameter(str(error)) from None
            created = {"client_id": client.id, "client_secret": secret, "origins": client.origin_list}
            click.echo(json.dumps({**created, "database": _database(state)}))

    @app.cli.command("rotate-client-secret")
    @click.argument("client_id")
    @click.option(
        "--grace-hours",
        type=click.FloatRange(0, 24 * 30),
        default=24.0,
        show_default=True,
        help="How long the current secret keeps working.",
    )
    def rotate_client_secret(client_id: str, grace_hours: float) -> None:
        """Issue a new secret; the current one stays valid for the grace period. Prints JSON."""
        state = _state()
        with state.db.session() as session:
            try:
                secret = clients.rotate_secret(
                    session,
                    client_id,
                    timedelta(hours=grace_hours),
                    state.now(),
                    current_app.config["CLIENT_SECRET_HASH_COST"],
                )
            except LookupError as error:
                raise click.ClickException(str(error)) from None
        state.authenticator.forget()
        click.echo(json.dumps({"client_id": client_id, "client_secret": secret, "previous_valid_hours": grace_hours}))

    @app.cli.command("list-clients")
    def list_clients() -> None:
        """Print every client as JSON lines (never secrets)."""
        state = _state()
        with state.db.session() as session:
            for client in clients.list_clients(session):
                click.echo(
                    json.dumps(
                        {
                            "client_id": client.id,
                            "name": client.name,
                            "origins": client.origin_list,
                            "created_at": iso(client.created_at),
                        }
                    )
                )

    @app.cli.command("register-upstream-webhook")
    @click.argument("url")
    @click.option("--region", default=None, help="Upstream region (default: the default one).")
    def register_upstream_webhook(url: str, region: str | None) -> None:
        """Register URL (this broker's /v1/upstream/webhooks) at the upstream and keep its secret (idempotent)."""
        state = _state()
        name = region or next(iter(state.upstreams))
        if name not in state.upstreams:
            raise click.BadParameter(f"unknown region {name!r}")
        with state.db.session() as session:
            endpoint_id, created = upstream_webhooks.register_at_upstream(
                session, state.upstreams[name], name, url, now=state.now()
            )
        click.echo(json.dumps({"endpoint_id": endpoint_id, "url": url, "region": name, "created": created}))

    @app.cli.command("db-upgrade")
    def db_upgrade() -> None:
        """Apply database migrations (safe to run from several processes at once)."""
        _state().db.upgrade()
        click.echo("database is at the newest revision")

    app.cli.add_command(db_upgrade, "init-db")
