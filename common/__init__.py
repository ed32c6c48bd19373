"""Helpers shared by the sandbox, the broker and the example host app: error shape, dates, pages, webhook signing."""
