"""The broker's own state in SQL: models, the database handle and migrations."""

from broker.storage.db import Database
from broker.storage.link_models import LinkAttempt, LinkSession
from broker.storage.models import Account, AuditEntry, Base, Client, LinkToken
from broker.storage.review_models import (
    AccountMapping,
    MappingChange,
    MatchDecision,
    ReconciliationChange,
    ReconciliationState,
    StandardChartRow,
)

__all__ = [
    "Account",
    "AccountMapping",
    "AuditEntry",
    "Base",
    "Client",
    "Database",
    "LinkAttempt",
    "LinkSession",
    "LinkToken",
    "MappingChange",
    "MatchDecision",
    "ReconciliationChange",
    "ReconciliationState",
    "StandardChartRow",
]
