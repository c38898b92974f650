"""How a delivery reaches its target: the body each kind expects, and the one HTTP call that sends it.

All HTTP goes through `onevoice.core.http.client()`, whose guard checks every request (and refuses
redirects), so a target that resolves to an internal address is refused at each delivery, not only when
it was saved.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from onevoice.core import http
from onevoice.webhooks import signing
from onevoice.webhooks.models import Delivery, Target

DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    response: str = ""
    # Retrying cannot help (the address is refused by the guard): give up at once.
    permanent: bool = False
    # Seconds the receiver asked us to wait (429 / 503 with Retry-After).
    retry_after: int | None = None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---- bodies ------------------------------------------------------------------------------------------


def webhook_body(envelope: dict[str, Any]) -> str:
    return _dumps(envelope)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chat_body(kind: str, text: str, link: str, organization: str) -> str:
    """The message a chat shows: one line of text and a link, each escaped for its format."""
    label = _("Open in OneVoice")
    if kind == Target.Kind.MATRIX:
        return _dumps(
            {
                "msgtype": "m.notice",
                "body": f"OneVoice · {organization}: {text}\n{link}",
                "format": "org.matrix.custom.html",
                "formatted_body": (
                    f"<strong>OneVoice · {escape(organization)}</strong>: {escape(text)}<br>"
                    f'<a href="{escape(link)}">{escape(label)}</a>'
                ),
            }
        )
    if kind == Target.Kind.SLACK:
        return _dumps(
            {
                "text": f"OneVoice · {organization}: {text} {link}",
                "unfurl_links": False,
                "blocks": [
                    {
                        "type": "section",
                        "text": {
                            "type": "mrkdwn",
                            "text": (
                                f"*OneVoice · {_slack_escape(organization)}*\n{_slack_escape(text)}\n"
                                f"<{link}|{_slack_escape(label)}>"
                            ),
                        },
                    }
                ],
            }
        )
    # Microsoft Teams: an Adaptive Card, which both Workflows ("Post to a channel when a webhook request
    # is received") and the older incoming-webhook connectors accept.
    return _dumps(
        {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {
                                "type": "TextBlock",
                                "text": f"OneVoice · {organization}",
                                "weight": "Bolder",
                                "wrap": True,
                            },
                            {"type": "TextBlock", "text": text, "wrap": True},
                        ],
                        "actions": [{"type": "Action.OpenUrl", "title": label, "url": link}],
                    },
                }
            ],
        }
    )


# ---- sending -----------------------------------------------------------------------------------------


def timeout() -> httpx.Timeout:
    seconds = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


def _request(target: Target, delivery: Delivery) -> tuple[str, str, dict[str, str]]:
    """Method, URL and headers for this delivery; the body is the stored one."""
    headers = {
        "Content-Type": "application/json",
        "OneVoice-Event": delivery.event,
        "OneVoice-Delivery": str(delivery.public_id),
    }
    secrets = target.secrets
    if target.kind == Target.Kind.WEBHOOK:
        in_use = [secrets.get("secret", "")]
        # After a rotation the old secret signs too, for its grace period only.
        until = secrets.get("previous_until")
        if until and datetime.fromisoformat(until) > timezone.now():
            in_use += secrets.get("previous", [])
        headers[signing.HEADER] = signing.header_value(in_use, int(time.time()), delivery.body.encode())
        return "POST", target.url, headers
    if target.kind == Target.Kind.MATRIX:
        # The delivery id as the transaction id: Matrix answers a repeated PUT with the same event instead
        # of posting the message twice, so a retry after a lost answer does not duplicate it.
        room = quote(str(target.config.get("room_id", "")), safe="")
        url = (
            target.url.rstrip("/")
            + f"/_matrix/client/v3/rooms/{room}/send/m.room.message/{delivery.public_id}"
        )
        headers["Authorization"] = f"Bearer {secrets.get('access_token', '')}"
        return "PUT", url, headers
    return "POST", str(secrets.get("url", "")), headers


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return min(int(value), 24 * 3600) if value.isdigit() else None


def send(target: Target, delivery: Delivery) -> Outcome:
    """One try: 2xx is success, anything else (3xx included: redirects are not followed) a failure."""
    method, url, headers = _request(target, delivery)
    try:
        with http.client(timeout=timeout(), retries=0) as client:
            response = client.request(method, url, content=delivery.body.encode(), headers=headers)
    except http.BlockedAddress as error:
        return Outcome(False, error=_("Address refused: %(reason)s") % {"reason": error}, permanent=True)
    except httpx.TimeoutException:
        return Outcome(False, error=_("No answer in time (timeout)."))
    except httpx.HTTPError as error:
        return Outcome(False, error=(_("Connection failed: %(reason)s") % {"reason": error})[:500])
    ok = 200 <= response.status_code < 300
    snippet = response.text[:500] if response.content else ""
    return Outcome(
        ok,
        status_code=response.status_code,
        response=snippet,
        error="" if ok else _("The receiver answered %(status)s.") % {"status": response.status_code},
        retry_after=_retry_after(response) if response.status_code in (429, 503) else None,
    )
