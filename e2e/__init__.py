"""Playwright tests in Chromium across three origins: the lender's page, the broker and the sandbox."""
