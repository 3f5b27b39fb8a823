"""Signing and the target check (SSRF guard) of outgoing webhooks.

Signature: ``X-Cskh-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``;
during a secret rotation's overlap a second ``v1=`` signed with the previous secret follows,
so a receiver may switch its key at any time in that window (docs/webhooks.md).

Target check: https only (``CSKH_WEBHOOKS_ALLOW_HTTP`` lets a developer use http), no user
name or password in the URL, and every address the host name resolves to must be a public
one (no loopback, private, link-local, carrier-grade NAT, multicast or reserved ranges;
``CSKH_WEBHOOKS_ALLOW_PRIVATE`` lifts this for development and tests). Checked when a
subscription is saved and again before every request (a name may resolve elsewhere later);
the request then goes to the very address that was checked (``pinned``), with the name kept in
the Host header and the TLS server name, so a second DNS answer (DNS rebinding) cannot send it
elsewhere. Redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(keys: Iterable[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"] + [f"v1={sign(k, timestamp, body)}" for k in keys if k]
    return ",".join(parts)


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: int) -> bool:
    """What a receiver does (the docs' example): the timestamp is recent and one v1 matches."""
    fields = [p.split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in fields if k == "t"]
    if not stamps or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = sign(secret, int(stamps[0]), body)
    return any(hmac.compare_digest(expected, v) for k, v in fields if k == "v1")


def _bad(message: str, code: str) -> DomainError:
    return DomainError(message, code=code)


@dataclass(frozen=True)
class Target:
    """Where to send a checked webhook: ``url`` names the vetted IP address; ``host`` goes in
    the Host header and ``server_name`` is the TLS name the certificate must match."""

    url: str
    host: str
    server_name: str


def pinned(url: str) -> Target:
    """Check url (see check_url) and name the address that passed, for the request itself."""
    parts = urlsplit((url or "").strip())
    address = check_url(url)
    host = parts.hostname or ""
    netloc = _host_port(address, parts.port)
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(url=target, host=_host_port(host, parts.port), server_name=host)


def _host_port(host: str, port: int | None) -> str:
    """host[:port] as written in a URL or a Host header: an IPv6 literal keeps its brackets."""
    named = f"[{host}]" if ":" in host else host
    return f"{named}:{port}" if port else named


def check_url(url: str) -> str:
    """Raise DomainError (400, Vietnamese) when url is not an allowed webhook target; return
    the first address the name resolves to (every one of them passed)."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise _bad(_("Địa chỉ nhận không hợp lệ."), "bad_url") from exc
    allowed = ("https", "http") if settings.CSKH_WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise _bad(_("Địa chỉ nhận phải dùng https."), "url_scheme")
    if not parts.hostname:
        raise _bad(_("Địa chỉ nhận không hợp lệ."), "bad_url")
    if parts.username or parts.password:
        raise _bad(_("Địa chỉ nhận không được chứa tên đăng nhập hay mật khẩu."), "url_userinfo")
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _bad(_("Không phân giải được tên miền của địa chỉ nhận."), "url_dns") from exc
    addresses = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        addresses.append(str(ip))
        if settings.CSKH_WEBHOOKS_ALLOW_PRIVATE:
            continue
        if not ip.is_global or ip.is_multicast:
            raise _bad(
                _("Địa chỉ nhận trỏ vào mạng nội bộ hoặc địa chỉ dành riêng (%(ip)s).")
                % {"ip": ip},
                "url_private",
            )
    return addresses[0]
