"""Outgoing HTTP(S) calls (robots, 企业微信/钉钉 apps, event subscribers), guarded against SSRF.

The host name is resolved once (``resolve``); every address it gives must be public (not loopback, private,
link-local, reserved or multicast) unless settings.DUBAN_WEBHOOK_ALLOW_PRIVATE, or it lies in one of
settings.DUBAN_WEBHOOK_ALLOW_NETWORKS (e.g. an intranet robot gateway). The connection then goes to those
checked addresses only (``open``): the name is not looked up a second time, so a DNS answer that changes
between the check and the connection (DNS rebinding) cannot lead it elsewhere. The Host header, and for
https the SNI and the certificate check, still use the host name of the URL. Redirects are refused, and
no proxy from the environment is used (a proxy would connect wherever the name then points).
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request
from functools import lru_cache

from django.conf import settings

from .channels import DeliveryError


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in spec if n.strip())


def allowed(address) -> bool:
    """Whether outgoing calls may go to this address."""
    if getattr(settings, "DUBAN_WEBHOOK_ALLOW_PRIVATE", False):
        return True
    if address.is_global and not address.is_multicast:
        return True
    return any(address in n for n in _networks(tuple(getattr(settings, "DUBAN_WEBHOOK_ALLOW_NETWORKS", ()))))


def parse(url: str, what: str = "推送地址") -> tuple[urllib.parse.SplitResult, int]:
    """The URL's parts and port, or DeliveryError if it is not http(s) with a host name."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # ValueError if not a number from 0 to 65535
    except ValueError:
        raise DeliveryError(f"{what}的格式不正确（请检查主机名和端口）") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError(f"{what}须以 http:// 或 https:// 开头")
    return parts, port or (443 if parts.scheme == "https" else 80)


def resolve(url: str, what: str = "推送地址") -> list[str]:
    """The checked addresses of the URL's host, or DeliveryError (naming ``what``, never the URL: it may carry a token)."""
    parts, port = parse(url, what)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError, OverflowError):
        raise DeliveryError(f"无法解析{what}的主机名：{parts.hostname}") from None
    addresses = []
    for info in infos:
        text = info[4][0]
        if not allowed(ipaddress.ip_address(text.split("%")[0])):
            raise DeliveryError(f"{what}指向内网、本机或保留地址，不允许连接"
                                "（如确需连接内网，请设置 DUBAN_WEBHOOK_ALLOW_NETWORKS 或 DUBAN_WEBHOOK_ALLOW_PRIVATE=1）")
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise DeliveryError(f"无法解析{what}的主机名：{parts.hostname}")
    return addresses


def _pinned(connection_class, addresses: list[str]):
    """An http.client connection class that connects to ``addresses`` (in turn) instead of looking the host up."""

    class Pinned(connection_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = self._connect_pinned

        def _connect_pinned(self, address, timeout, source_address=None):
            error = None
            for ip in addresses:
                try:
                    return socket.create_connection((ip, address[1]), timeout, source_address)
                except OSError as exc:
                    error = exc
            raise error

    return Pinned


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, addresses):
        super().__init__()
        self.addresses = addresses

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.addresses), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, addresses):
        super().__init__()  # the default context: the certificate is checked against the URL's host name (also the SNI)
        self.addresses = addresses

    def https_open(self, req):
        return self.do_open(_pinned(http.client.HTTPSConnection, self.addresses), req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def __init__(self, what):
        self.what = what

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise DeliveryError(f"{self.what}返回了重定向（HTTP {code}），不跟随")


def open(request: urllib.request.Request, timeout: float, what: str = "推送地址"):  # noqa: A001 - like urlopen
    """urlopen for outgoing calls: resolve and check once, then connect only to the checked addresses (no proxy)."""
    addresses = resolve(request.full_url, what)
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.UnknownHandler(), _PinnedHTTP(addresses),
                    _PinnedHTTPS(addresses), urllib.request.HTTPDefaultErrorHandler(), _NoRedirect(what),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener.open(request, timeout=timeout)
