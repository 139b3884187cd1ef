"""The SSRF guard for URLs the server itself calls (webhook endpoints, chat robots): in production a host
that resolves to a loopback, private, link-local (169.254.169.254: the cloud metadata service) or other
non-public address is refused when the URL is saved, and every request (`guarded_post`) connects only to
an address it vetted itself: the name is resolved once, at connection, and that answer is both checked
and used, so a name re-pointed at a private address between a check and the connection (DNS rebinding)
never reaches it. `WEBHOOK_ALLOW_PRIVATE` (default: on outside production, so a laptop and the
tests reach 127.0.0.1) allows such targets everywhere; `WEBHOOK_ALLOWED_HOSTS` allows named hosts (a
back office on the LAN) while the rest stays guarded."""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from restaurant_ops.errors import DomainError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _allowed_anywhere(host: str) -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE or host in settings.WEBHOOK_ALLOWED_HOSTS


def _public_addresses(host: str, port: int, field: str) -> list[Address]:
    """The host's addresses, one resolution; DomainError(field) unless every one is public."""
    try:
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
    return addresses


def _http_url_host(url: str, field: str):
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise DomainError(field, "invalid", _("Enter a full http:// or https:// address."))
    return parts, host


def url_check(url: str, *, field: str = "url") -> None:
    """Raises DomainError(field) for a URL the server must not call: not http(s), no host, a host that
    does not resolve, or (unless allowed) one that resolves to any address that is not public."""
    parts, host = _http_url_host(url, field)
    if _allowed_anywhere(host):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DomainError(field, "invalid", _("Enter a full http:// or https:// address."))
    _public_addresses(host, port, field)


class _VettedAddress:
    """A urllib3 connection that resolves its host once when it connects, refuses it as url_check would,
    and connects to the address it checked (`_dns_host`); TLS still verifies the name (`host`)."""

    def _new_conn(self):
        host = (self.host or "").lower()
        if not _allowed_anywhere(host):
            self._dns_host = str(_public_addresses(host, self.port, "url")[0])
        return super()._new_conn()


class _VettedHTTPConnection(_VettedAddress, HTTPConnection):
    pass


class _VettedHTTPSConnection(_VettedAddress, HTTPSConnection):
    pass


class _VettedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _VettedHTTPConnection


class _VettedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _VettedHTTPSConnection


class _VettedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _VettedHTTPPool, "https": _VettedHTTPSPool}


def guarded_post(url: str, *, field: str = "url", **kwargs) -> requests.Response:
    """POSTs to a URL the server calls on someone's behalf (a webhook, a chat robot): never a redirect,
    never through a proxy from the environment (the guard must see the real target), and only to an
    address vetted at connection. Raises DomainError when refused, requests' errors when unreachable."""
    _http_url_host(url, field)
    with requests.Session() as session:
        session.trust_env = False
        session.mount("http://", _VettedAdapter())
        session.mount("https://", _VettedAdapter())
        return session.post(url, allow_redirects=False, **kwargs)
