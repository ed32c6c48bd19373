"""Simulated vendor apps: each renders a business in its own raw API shape and normalizes that shape."""
