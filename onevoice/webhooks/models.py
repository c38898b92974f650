"""Webhooks and chat notifications."""
