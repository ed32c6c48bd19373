"""The broker's own state in SQL: the database handle, migrations and the models several features share."""

from broker.storage.db import Database, insert_or_race_winner
from broker.storage.models import Account, AuditEntry, Base, Client, LinkToken

__all__ = ["Account", "AuditEntry", "Base", "Client", "Database", "LinkToken", "insert_or_race_winner"]
