"""The SSRF guard for URLs the server itself calls (webhook endpoints, chat robots): in production a host
that resolves to a loopback, private, link-local (169.254.169.254: the cloud metadata service) or other
non-public address is refused, when the URL is saved and again before every request (a name may be made
to resolve elsewhere later). `WEBHOOK_ALLOW_PRIVATE` (default: on outside production, so a laptop and the
tests reach 127.0.0.1) allows such targets everywhere; `WEBHOOK_ALLOWED_HOSTS` allows named hosts (a
back office on the LAN) while the rest stays guarded."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from restaurant_ops.errors import DomainError


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def url_check(url: str, *, field: str = "url") -> None:
    """Raises DomainError(field) for a URL the server must not call: not http(s), no host, a host that
    does not resolve, or (unless allowed) one that resolves to any address that is not public."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise DomainError(field, "invalid", _("Enter a full http:// or https:// address."))
    if settings.WEBHOOK_ALLOW_PRIVATE or host in settings.WEBHOOK_ALLOWED_HOSTS:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = _addresses(host, port)
    except (OSError, UnicodeError, ValueError):
        raise DomainError(field, "unresolvable", _("%(host)s does not resolve.") % {"host": host})
    blocked = [a for a in addresses if not a.is_global or a.is_multicast]
    if blocked or not addresses:
        raise DomainError(
            field,
            "private_address",
            _(
                "%(host)s is a loopback, private or link-local address (%(address)s), which the server "
                "does not call. List the host in WEBHOOK_ALLOWED_HOSTS for a system on your own network."
            )
            % {"host": host, "address": blocked[0] if blocked else "-"},
        )
