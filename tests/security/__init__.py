"""The security regression suite: one file per theme, each asserting status, error shape and that no secret leaks."""
