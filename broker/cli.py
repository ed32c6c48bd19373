"""Operator commands: ``flask --app broker create-client|rotate-client-secret|list-clients|db-upgrade``."""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import Flask, current_app

from broker.lender import clients
from broker.state import broker_state


def register(app: Flask) -> None:
    """Add the broker's commands to ``app.cli``."""

    @app.cli.command("create-client")
    @click.argument("name")
    @click.option("--origin", "origins", multiple=True, required=True, help="An origin allowed to embed (repeatable).")
    def create_client(name: str, origins: tuple[str, ...]) -> None:
        """Create a broker client and print its id and secret as JSON (the secret is shown only once)."""
        state = broker_state()
        with state.db.session() as session:
            try:
                client, secret = clients.create_client(
                    session, name, origins, state.now(), current_app.config["CLIENT_SECRET_HASH_COST"]
                )
            except ValueError as error:
                raise click.BadParameter(str(error)) from None
            click.echo(json.dumps({"client_id": client.id, "client_secret": secret, "origins": client.origin_list}))

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
        state = broker_state()
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
        state = broker_state()
        with state.db.session() as session:
            for client in clients.list_clients(session):
                click.echo(
                    json.dumps(
                        {
                            "client_id": client.id,
                            "name": client.name,
                            "origins": client.origin_list,
                            "created_at": client.created_at.isoformat(),
                        }
                    )
                )

    @app.cli.command("db-upgrade")
    def db_upgrade() -> None:
        """Apply database migrations (safe to run from several processes at once)."""
        broker_state().db.upgrade()
        click.echo("database is at the newest revision")

    app.cli.add_command(db_upgrade, "init-db")
