"""The catalogue of simulated apps: their modules by key, and the rows the ``integrations`` collection serves."""

from __future__ import annotations

from types import MappingProxyType, ModuleType
from typing import Any

from sandbox.apps import ledgerly, northbank, payday, shopwave, xenon

# Apps with a raw API to sync from, in catalogue order.
APPS: MappingProxyType[str, ModuleType] = MappingProxyType(
    {module.KEY: module for module in (ledgerly, xenon, northbank, shopwave, payday)}
)

# CSV upload is a way in, not an app with an API: it has a catalogue row and no module here.
UPLOAD_KEY = "csv_upload"
UPLOAD_ENTRY: MappingProxyType[str, Any] = MappingProxyType(
    {
        "key": UPLOAD_KEY,
        "name": "CSV upload",
        "category": "accounting",
        "auth_type": "upload",
        "description": "No supported app? Upload your chart of accounts and monthly trial balances as CSV files.",
        "objects": ["accounts", "trial_balances"],
    }
)


def _row(module: ModuleType) -> dict[str, Any]:
    return {
        "key": module.KEY,
        "name": module.NAME,
        "category": module.CATEGORY,
        "auth_type": module.AUTH_TYPE,
        "description": module.DESCRIPTION,
        "objects": list(module.OBJECTS),
    }


def integrations() -> list[dict[str, Any]]:
    """Return the catalogue rows (``key``, ``name``, ``category``, ``auth_type``, ``description``, ``objects``)."""
    return [*(_row(module) for module in APPS.values()), {**UPLOAD_ENTRY, "objects": list(UPLOAD_ENTRY["objects"])}]


def catalogue_entry(key: str) -> dict[str, Any] | None:
    """Return the catalogue row of one app (upload included), or None for an unknown key."""
    return next((row for row in integrations() if row["key"] == key), None)
