"""Fixtures of the security suite."""

from tests.security.support import lender, lender_world

__all__ = ["lender", "lender_world"]
