"""Meta's two-step publishing, shared by Instagram and Threads: create a container, wait until the network
has fetched and checked it (FINISHED), then publish it.

The container id is saved with the channel's credentials before publishing, so a retry after a lost answer
publishes the same container (or finds the post it became) instead of making a second post.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from onevoice.networks.connectors.base import (
    ConnectorError,
    MediaItem,
    PublishRequest,
    PublishResult,
    Unconfirmed,
)
from onevoice.networks.connectors.meta.graph import graph_time, hosted_media_url
from onevoice.networks.connectors.rest import RestApi
from onevoice.networks.oauth import OAuthConnector

KEPT_CONTAINERS = 20  # containers remembered per channel; older ones have expired on the network anyway


class ContainerConnector(OAuthConnector):
    """What differs per network: where containers are kept and published, how their status reads, the
    publishing limit, and the words of the errors."""

    containers_credential: ClassVar[str]  # the key under which the credentials keep the containers
    publish_edge: ClassVar[str]  # e.g. "media_publish"
    home_url: ClassVar[str]  # the post's address when the network gives no permalink
    container_wait_seconds: tuple[float, ...] = (2.0, 3.0, 5.0, 8.0, 13.0)
    # A container lives 24 hours, so a post made from one is at most that old when looked for.
    find_published_window: ClassVar[timedelta] = timedelta(hours=25)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sleep: Callable[[float], None] = time.sleep  # tests replace it
        self.media_url: Callable[[MediaItem], str] = hosted_media_url  # tests replace it

    # ---- per network ---------------------------------------------------------------------------------

    @property
    def owner(self) -> str:
        """The account id in the Graph paths (`/{owner}/…`)."""
        raise NotImplementedError

    def _api(self) -> RestApi:
        raise NotImplementedError

    def _create_container(self, api: RestApi, request: PublishRequest) -> str:
        raise NotImplementedError

    def _status(self, api: RestApi, container: str) -> tuple[str, str]:
        """(status code, detail) of a container."""
        raise NotImplementedError

    def _check_publishing_limit(self, api: RestApi) -> None:
        """Raise RateLimited when the account has used its posts of the last 24 hours."""
        raise NotImplementedError

    def _published_but_not_found(self) -> str:
        raise NotImplementedError

    def _refused(self, reason: str) -> str:
        raise NotImplementedError

    def _still_processing(self) -> str:
        raise NotImplementedError

    # ---- the flow ------------------------------------------------------------------------------------

    def _containers(self) -> dict[str, str]:
        return dict(self.credentials.get(self.containers_credential) or {})

    def _remember_container(self, key: str, container: str | None) -> None:
        containers = self._containers()
        if container:
            containers[key] = container
        else:
            containers.pop(key, None)
        self.credentials_changed(
            {
                **self.credentials,
                self.containers_credential: dict(list(containers.items())[-KEPT_CONTAINERS:]),
            }
        )

    def publish(self, request: PublishRequest, *, idempotency_key: str) -> PublishResult:
        api = self._api()
        container = self._containers().get(idempotency_key, "")
        status = ""
        if container:
            status, _detail = self._status(api, container)
            if status == "PUBLISHED":
                found = self.find_published(idempotency_key=idempotency_key, request=request)
                if found is None:
                    raise Unconfirmed(self._published_but_not_found())
                self._remember_container(idempotency_key, None)
                return found
            if status in ("ERROR", "EXPIRED"):
                container, status = "", ""
        if not container:
            self._check_publishing_limit(api)
            container = self._create_container(api, request)
            self._remember_container(idempotency_key, container)
        for delay in (0.0, *self.container_wait_seconds):
            if status == "FINISHED":
                break
            if delay:
                self.sleep(delay)
            status, detail = self._status(api, container)
            if status in ("ERROR", "EXPIRED"):
                self._remember_container(idempotency_key, None)
                raise ConnectorError(self._refused(detail or status), permanent=True)
        if status != "FINISHED":
            raise ConnectorError(self._still_processing(), permanent=False)
        body = api.json(
            "POST", f"/{self.owner}/{self.publish_edge}", data={"creation_id": container}, sending=True
        )
        media_id = str(body.get("id") or "")
        self._remember_container(idempotency_key, None)
        details = api.json("GET", f"/{media_id}", params={"fields": "id,permalink,timestamp"})
        return PublishResult(
            external_id=media_id,
            url=str(details.get("permalink") or self.home_url),
            published_at=graph_time(details.get("timestamp")),
        )
