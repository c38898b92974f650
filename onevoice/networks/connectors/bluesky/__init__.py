"""Bluesky (AT Protocol) connector."""

from onevoice.networks.connectors.bluesky.connector import BlueskyConnector

__all__ = ["BlueskyConnector"]
