"""Errors of the coverage feature, each a subclass in the broker's tree with its own code and status."""

from __future__ import annotations

from broker.errors import BrokerError


class CoverageNotMet(BrokerError):
    """The company's data does not yet meet the lender's minimums; ``details.coverage`` says what is missing."""

    code, status, message = (
        "coverage_not_met",
        409,
        "The data shared does not yet cover what the lender needs; see details.coverage for how to fix it.",
    )
