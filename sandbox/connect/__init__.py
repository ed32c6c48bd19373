"""Connecting an app to a company: the connect flow, its pages, the connector that pulls each app, connections."""
