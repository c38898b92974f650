"""Mastodon and compatible servers. The registry names `connector.MastodonConnector`; OAuth lives in `oauth`."""
