"""The public newsroom: an Atom feed and simple pages for the posts of a newsroom channel.

No login: the feed is meant for the website, partners and feed readers. Only published posts appear;
a deleted post leaves the feed, an edited one carries its new `updated` time.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from feedgen.feed import FeedGenerator

from onevoice.networks.models import Channel, ChannelPost, Network

FEED_SIZE = 50


def _newsroom(channel_id: UUID) -> Channel:
    channel = (
        Channel.objects.select_related("organization")
        .filter(public_id=channel_id, network=Network.NEWSROOM)
        .first()
    )
    if channel is None or channel.state == Channel.State.PAUSED:
        raise Http404
    return channel


def _published(channel: Channel) -> list[ChannelPost]:
    return list(
        ChannelPost.objects.filter(channel=channel, state=ChannelPost.State.PUBLISHED)
        .prefetch_related("images")
        .order_by("-published_at")[:FEED_SIZE]
    )


def _entry_url(channel: Channel, post: ChannelPost) -> str:
    return settings.BASE_URL + reverse("newsroom-entry", args=[channel.public_id, post.idempotency_key])


@cache_control(public=True, max_age=300)
def feed(request: HttpRequest, channel_id: UUID) -> HttpResponse:
    channel = _newsroom(channel_id)
    posts = _published(channel)
    feed_url = settings.BASE_URL + reverse("newsroom-feed", args=[channel.public_id])
    generator = FeedGenerator()
    # A tag URI that never changes, even if the installation moves to another host name.
    generator.id(f"urn:uuid:{channel.public_id}")
    generator.title(channel.config.get("title") or channel.name)
    if channel.config.get("subtitle"):
        generator.subtitle(channel.config["subtitle"])
    generator.author({"name": channel.organization.name})
    generator.link(href=feed_url, rel="self", type="application/atom+xml")
    generator.link(
        href=settings.BASE_URL + reverse("newsroom-page", args=[channel.public_id]), rel="alternate"
    )
    generator.language(posts[0].language if posts and posts[0].language else "de")
    newest = max((p.updated_at for p in posts), default=channel.created_at)
    generator.updated(newest)
    for post in reversed(posts):  # feedgen prepends entries
        entry = generator.add_entry()
        entry.id(f"urn:uuid:{post.public_id}")
        first_line = post.text.strip().splitlines()[0] if post.text.strip() else channel.name
        entry.title(first_line[:120])
        entry.content(post.text, type="text")
        entry.link(href=_entry_url(channel, post), rel="alternate")
        if post.link:
            entry.link(href=post.link, rel="related")
        entry.published(post.published_at)
        entry.updated(post.updated_at)
        for image in post.images.all():
            entry.link(
                href=request.build_absolute_uri(image.file.url),
                rel="enclosure",
                type=image.mime_type,
                title=image.alt_text or None,
            )
    body = generator.atom_str(pretty=True)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


def page(request: HttpRequest, channel_id: UUID) -> HttpResponse:
    channel = _newsroom(channel_id)
    return render(request, "networks/newsroom_page.html", {"channel": channel, "posts": _published(channel)})


def entry(request: HttpRequest, channel_id: UUID, key: str) -> HttpResponse:
    channel = _newsroom(channel_id)
    post = (
        ChannelPost.objects.filter(channel=channel, idempotency_key=key, state=ChannelPost.State.PUBLISHED)
        .prefetch_related("images")
        .first()
    )
    if post is None:
        raise Http404
    return render(request, "networks/newsroom_entry.html", {"channel": channel, "post": post})
