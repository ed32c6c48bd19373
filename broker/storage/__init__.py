"""The broker's own state in SQL: models, the database handle and migrations."""

from broker.storage.db import Database
from broker.storage.link_models import LinkAttempt, LinkSession
from broker.storage.models import Account, AuditEntry, Base, Client, LinkToken

__all__ = ["Account", "AuditEntry", "Base", "Client", "Database", "LinkAttempt", "LinkSession", "LinkToken"]
