"""Publishing a public reply on the page: one adapter interface, two backends.

- ``http``: the Graph-API style call ``POST {URL}/{object_id}/comments`` (a comment under the
  post or comment) or ``POST {URL}/{object_id}/private_replies`` (move to private messages),
  form field ``message``, bearer page token; the answer's ``id`` is the published object.
- ``log`` (development default): writes the reply to the log and returns a local id.

Chosen by ``settings.CSKH_SOCIAL_PAGE_API["BACKEND"]``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import httpx
from django.conf import settings

__all__ = ["PublishError", "PageApi", "HttpPageApi", "LogPageApi", "get_page_api"]

log = logging.getLogger("cskh.social.pageapi")


class PublishError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class PageApi:
    def publish(self, *, object_id: str, text: str, private: bool = False) -> str:
        """Publish and return the provider's id of the new comment/message."""
        raise NotImplementedError


class LogPageApi(PageApi):
    def publish(self, *, object_id: str, text: str, private: bool = False) -> str:
        log.info("social reply to %s (private=%s): %s", object_id, private, text)
        return f"log-{uuid.uuid4().hex[:12]}"


class HttpPageApi(PageApi):
    def __init__(self, *, url: str, token: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def publish(self, *, object_id: str, text: str, private: bool = False) -> str:
        edge = "private_replies" if private else "comments"
        try:
            r = httpx.post(
                f"{self.url}/{object_id}/{edge}",
                data={"message": text},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise PublishError(f"network: {exc}") from exc
        if r.status_code >= 500 or r.status_code == 429:
            raise PublishError(f"HTTP {r.status_code}")
        if r.status_code >= 400:
            raise PublishError(f"HTTP {r.status_code}: {r.text[:200]}", permanent=True)
        try:
            body: Any = r.json()
        except ValueError as exc:
            raise PublishError("not JSON") from exc
        if not isinstance(body, dict) or not body.get("id"):
            raise PublishError("no id in answer", permanent=True)
        return str(body["id"])


def get_page_api() -> PageApi:
    conf: dict[str, Any] = dict(settings.CSKH_SOCIAL_PAGE_API)
    if conf.get("BACKEND") == "http":
        return HttpPageApi(
            url=str(conf["URL"]),
            token=str(conf.get("TOKEN", "")),
            timeout=float(conf.get("TIMEOUT", 10)),
        )
    return LogPageApi()
