"""Meta's Graph APIs (Facebook Pages, Instagram, Threads): versions, errors and hosted media, shared.

Error answers follow developers.facebook.com/docs/graph-api/guides/error-handling:
`{"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}}`. Rate limits
(codes 4, 17, 32, 613, 80001–80009) come with `X-Business-Use-Case-Usage` / `X-App-Usage` headers whose
`estimated_time_to_regain_access` (minutes) says when to try again.
"""

from __future__ import annotations

import json
import mimetypes
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from onevoice.networks.connectors.base import AuthExpired, ConnectorError, MediaItem, RateLimited
from onevoice.networks.connectors.rest import body_of, generic_error, server_text

GRAPH = "https://graph.facebook.com"
DEFAULT_VERSION = "v24.0"
# Release dates of Graph API versions; Meta keeps each for at least two years after the next one ships,
# in practice about two years after its own release.
RELEASES: dict[str, date] = {
    "v19.0": date(2024, 1, 23),
    "v20.0": date(2024, 5, 21),
    "v21.0": date(2024, 10, 2),
    "v22.0": date(2025, 1, 21),
    "v23.0": date(2025, 5, 29),
    "v24.0": date(2025, 10, 8),
}
LIFETIME = timedelta(days=730)
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014}
DEFAULT_WAIT = timedelta(hours=1)


def version_sunset(version: str) -> date | None:
    released = RELEASES.get(version)
    return released + LIFETIME if released else None


def _regain_minutes(headers: httpx.Headers) -> int:
    minutes = 0
    for header in ("X-Business-Use-Case-Usage", "X-Ad-Account-Usage", "X-App-Usage"):
        raw = headers.get(header)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = [e for values in usage.values() for e in values] if isinstance(usage, dict) else []
        for entry in entries if all(isinstance(e, dict) for e in entries) else []:
            minutes = max(minutes, int(entry.get("estimated_time_to_regain_access") or 0))
    return minutes


def error_for(label: str) -> Any:
    def mapping(response: httpx.Response, sending: bool) -> ConnectorError:
        error = body_of(response).get("error")
        details: dict[str, Any] = error if isinstance(error, dict) else {}
        code = int(details.get("code") or 0)
        message = str(details.get("error_user_msg") or details.get("message") or "")
        if code == 190 or response.status_code == 401:
            return AuthExpired(
                _("%(network)s no longer accepts OneVoice's access (%(reason)s). Connect the channel again.")
                % {"network": label, "reason": server_text(message) or code}
            )
        if code in RATE_LIMIT_CODES or response.status_code == 429:
            minutes = _regain_minutes(response.headers)
            wait = timedelta(minutes=minutes) if minutes else DEFAULT_WAIT
            return RateLimited(
                _("%(network)s asks OneVoice to wait (rate limit). It will try again by itself.")
                % {"network": label},
                retry_after=datetime.now(UTC) + wait,
                status=response.status_code,
            )
        if code == 10 or 200 <= code <= 299:
            return ConnectorError(
                _(
                    "%(network)s does not allow this: %(reason)s. The permission must be granted when "
                    "connecting, and approved for the app in Meta's App Review."
                )
                % {"network": label, "reason": server_text(message) or code},
                permanent=True,
                status=response.status_code,
            )
        if details.get("is_transient") or code in (1, 2):
            return ConnectorError(
                _("%(network)s has a temporary problem (%(reason)s). OneVoice will try again.")
                % {"network": label, "reason": server_text(message) or code},
                permanent=False,
                status=response.status_code,
            )
        return generic_error(label, response, message, sending=sending)

    return mapping


def hosted_media_url(item: MediaItem) -> str:
    """Put the image where Meta can fetch it (Instagram and Threads take image URLs, not uploads).

    Under MEDIA_URL with an unguessable name, like published post images; ONEVOICE_BASE_URL must be
    reachable from the internet for this.
    """
    extension = mimetypes.guess_extension(item.mime_type) or ".jpg"
    name = default_storage.save(f"public-media/{uuid.uuid4().hex}{extension}", ContentFile(item.content))
    return settings.BASE_URL + settings.MEDIA_URL + name


def graph_time(value: object) -> datetime:
    """Graph timestamps look like 2026-11-27T09:00:00+0000."""
    if isinstance(value, str) and value:
        text = value.replace("Z", "+00:00")
        if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
            text = text[:-2] + ":" + text[-2:]
        try:
            return datetime.fromisoformat(text).astimezone(UTC)
        except ValueError:
            pass
    return datetime.now(UTC)
