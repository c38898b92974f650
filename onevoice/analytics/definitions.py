"""What each figure means, which network provides it, and the one definition of the engagement rate.

A figure a network does not provide is "not available from this network" — never 0. The sets below say
what the connectors' `fetch_metrics` / `fetch_channel_metrics` return for each network.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

METRIC_LABELS = {
    "likes": _("Likes"),
    "reposts": _("Reposts / shares"),
    "replies": _("Replies / comments"),
    "quotes": _("Quotes"),
    "impressions": _("Impressions"),
    "clicks": _("Link clicks"),
    "interactions": _("Interactions"),
    "followers": _("Followers"),
    "posts": _("Posts on the account"),
    "engagement_rate": _("Engagement rate"),
}

# Per network: the post figures and the channel figures it reports.
NETWORK_POST_METRICS: dict[str, frozenset[str]] = {
    "bluesky": frozenset({"likes", "reposts", "replies", "quotes"}),
    "mastodon": frozenset({"likes", "reposts", "replies", "quotes"}),
    "newsroom": frozenset(),
}
NETWORK_CHANNEL_METRICS: dict[str, frozenset[str]] = {
    "bluesky": frozenset({"followers", "posts"}),
    "mastodon": frozenset(),
    "newsroom": frozenset(),
}

# The parts of an interaction; clicks are their own figure (few networks report them).
INTERACTION_PARTS = ("likes", "reposts", "replies", "quotes")

NOT_AVAILABLE = _("not available from this network")

ENGAGEMENT_RATE_DEFINITION = _(
    "Engagement rate = interactions (likes, reposts/shares, replies/comments and quotes) on the posts "
    "published in the period, divided by the followers their channel had on the day each post went out, "
    "in percent. For several posts: all their interactions together divided by all their followers "
    "together. Posts on networks that report no followers or no interactions are left out."
)


def provides(network: str, metric: str) -> bool:
    """Whether the network reports this figure at all (interactions and the rate need followers too)."""
    post = NETWORK_POST_METRICS.get(network, frozenset())
    channel = NETWORK_CHANNEL_METRICS.get(network, frozenset())
    if metric == "interactions":
        return bool(post & set(INTERACTION_PARTS))
    if metric == "engagement_rate":
        return bool(post & set(INTERACTION_PARTS)) and "followers" in channel
    return metric in post or metric in channel


def any_provides(networks: Iterable[str], metric: str) -> bool:
    return any(provides(network, metric) for network in networks)


def engagement_rate(interactions: int, followers: int) -> Decimal | None:
    """The rate in percent, two decimals; None when there are no followers to divide by."""
    if followers <= 0:
        return None
    return (Decimal(interactions) * 100 / Decimal(followers)).quantize(Decimal("0.01"))


def change_percent(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """Change against the previous period in percent; None when there is nothing to compare with."""
    if current is None or previous is None or previous == 0:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / abs(Decimal(previous))).quantize(Decimal("0.1"))
