"""Outbound calls through the PBX (click-to-call): one adapter interface, two backends.

- ``log`` (development default): records the request in the log and answers a made-up call
  id, so the desk works without a PBX.
- ``http``: POST JSON to the PBX's originate endpoint (settings.CSKH_PBX["URL"]):
  ``{"extension", "to", "reference"}`` with ``Authorization: Bearer <TOKEN>``; 2xx → the
  JSON field "call_id" (or "id") is the PBX's call id; anything else → PbxError.

The PBX then rings the agent's extension, dials the customer and reports the call through
the usual call events (``POST /api/v1/telephony/events``) with that call id.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("cskh.telephony.pbx")


class PbxError(Exception):
    """The PBX did not take the request (unreachable, refused, misconfigured)."""


class PbxAdapter:
    def __init__(self, **options: object) -> None:
        self.options = options

    def originate(self, *, extension: str, to: str, reference: str) -> str:
        """Ask the PBX to connect ``extension`` to the number ``to`` (E.164). Returns the
        PBX's call id. Raises PbxError."""
        raise NotImplementedError


class LogPbx(PbxAdapter):
    def originate(self, *, extension: str, to: str, reference: str) -> str:
        call_id = f"dev-{uuid.uuid4().hex[:12]}"
        log.info(
            "click-to-call (development PBX): %s -> %s ref=%s id=%s",
            extension,
            to,
            reference,
            call_id,
        )
        return call_id


class HttpPbx(PbxAdapter):
    def originate(self, *, extension: str, to: str, reference: str) -> str:
        url = str(self.options.get("URL") or "")
        if not url:
            raise PbxError("CSKH_PBX URL is not configured")
        headers = {"Idempotency-Key": reference}
        if token := self.options.get("TOKEN"):
            headers["Authorization"] = f"Bearer {token}"
        try:
            resp = httpx.post(
                url,
                json={"extension": extension, "to": to, "reference": reference},
                headers=headers,
                timeout=float(str(self.options.get("TIMEOUT") or 5)),
            )
        except httpx.HTTPError as exc:
            raise PbxError(f"PBX unreachable: {exc}") from exc
        if resp.status_code >= 300:
            raise PbxError(f"PBX HTTP {resp.status_code}: {resp.text[:200]}")
        try:
            data = resp.json()
        except ValueError:
            data = {}
        return str(data.get("call_id") or data.get("id") or "")


ALIASES = {"log": "cskh.telephony.pbx.LogPbx", "http": "cskh.telephony.pbx.HttpPbx"}


def get_adapter() -> PbxAdapter:
    conf = dict(settings.CSKH_PBX)
    path = str(conf.pop("BACKEND", "log") or "log")
    cls = import_string(ALIASES.get(path, path))
    return cls(**conf)
