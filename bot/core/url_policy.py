"""Which addresses the bot may reach, given the API's base URL, and the clients that hold to it.

Two kinds of outbound request leave the bot. Calls to the API carry its key: they may follow a redirect
only within the API's own origin, so the key never reaches another host (`api_client`). Links the API
hands out (results, previews, videos, whatever a push callback names) are fetched without credentials,
and only from addresses the policy allows, checked on every redirect hop (`download_client`).
Link-local and cloud metadata addresses are never reached; private and loopback ones only when the API
itself lives on such an address (the built-in simulator, a proxy on the LAN).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import httpx

from bot.core.errors import ErrorKind, ProviderError, clip
from bot.core.image_work import off_loop
from bot.core.text import Text

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 3
# Never, whatever the API's address: link-local (169.254.169.254 is the usual cloud metadata service) and
# the metadata addresses clouds put elsewhere (AWS's IPv6 one, Alibaba's).
_NEVER = tuple(
    ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32")
)


class RefusedAddress(httpx.TransportError):
    """A link the policy does not let the bot fetch; nothing was sent to it."""


@dataclass(frozen=True)
class AddressPolicy:
    """`allow_private`: loopback and private addresses may be fetched (the API lives on one itself)."""

    allow_private: bool = False

    @classmethod
    async def for_api(cls, *base_urls: str) -> AddressPolicy:
        """The policy for the APIs at `base_urls`: private addresses are allowed iff one of them is on one."""
        for base_url in base_urls:
            host = httpx.URL(base_url).host
            if not host:
                continue
            try:
                addresses = await resolve(host, 443)
            except OSError as exc:
                log.warning("the API's host %s does not resolve (%s): only public links from it", host, exc)
                continue
            if any(not a.is_global for a in addresses):
                return cls(allow_private=True)
        return cls()

    def allows(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:169.254.169.254 is 169.254.169.254
        if any(address in net for net in _NEVER):
            return False
        if address.is_multicast or address.is_unspecified:
            return False
        return address.is_global or self.allow_private


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for (a literal address stands for itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


class GuardedTransport(httpx.AsyncBaseTransport):
    """Sends a request only to a host whose every address the policy allows.

    Plain http goes to the address that was checked (with the original `Host` header), so a name that
    resolves elsewhere a moment later cannot slip through. Each redirect hop comes through here again.
    """

    def __init__(self, policy: AddressPolicy, inner: httpx.AsyncBaseTransport) -> None:
        self._policy = policy
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https") or not url.host:
            raise RefusedAddress(f"not a web link: {url.scheme}", request=request)
        try:
            addresses = await resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
        except OSError as exc:
            raise httpx.ConnectError(f"{url.host} does not resolve: {exc}", request=request) from exc
        refused = [a for a in addresses if not self._policy.allows(a)]
        if refused or not addresses:
            raise RefusedAddress(f"{url.host} is {refused[0] if refused else 'nowhere'}", request=request)
        if url.scheme == "https":
            # By name: TLS then proves the server is the name's, which no address it might be rebound to
            # (metadata, a LAN host) can; pinning here would share one connection between names on one address.
            return await self._inner.handle_async_request(request)
        pinned = httpx.Request(
            request.method,
            url.copy_with(host=str(addresses[0])),
            headers=request.headers,  # keeps `Host: <name>`
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        await self._inner.aclose()


@cache
def tls_context() -> ssl.SSLContext:
    """The one TLS context every client verifies with (httpx's default: certifi, or SSL_CERT_FILE/DIR). Each
    transport would otherwise load the CA bundle into a context of its own, about 0.8 MB each."""
    return httpx.create_ssl_context()


def download_client(policy: AddressPolicy, timeout: httpx.Timeout, limits: httpx.Limits) -> httpx.AsyncClient:
    """The client for links the API gives: no credentials ever, the policy on every hop, few redirects."""
    transport = GuardedTransport(policy, httpx.AsyncHTTPTransport(verify=tls_context(), limits=limits))
    return httpx.AsyncClient(
        transport=transport, timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS, trust_env=False
    )


def api_client(
    base_url: str,
    timeout: httpx.Timeout,
    limits: httpx.Limits,
    wrap: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] = lambda transport: transport,
) -> httpx.AsyncClient:
    """The client for the API's own calls, which carry its key: redirects only within its origin. `wrap` gets
    its transport (to meter it); the environment's proxy for the API (HTTPS_PROXY, NO_PROXY) is kept."""
    inner = httpx.AsyncHTTPTransport(verify=tls_context(), limits=limits, proxy=environment_proxy(base_url))
    return httpx.AsyncClient(
        timeout=timeout,
        transport=wrap(inner),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        event_hooks={"request": [same_origin_only(base_url)]},
    )


def environment_proxy(url: str) -> str | None:
    """The proxy the environment names for `url`, as httpx's own transport would take it (a transport made by
    hand takes none by itself)."""
    host = urlsplit(url).hostname
    if not host or urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(urlsplit(url).scheme) or proxies.get("all")


def same_origin_only(base_url: str) -> Callable[[httpx.Request], object]:
    """A request hook that refuses any request (a redirect hop) to another origin than the API's.

    Plain http upgraded to https on the same host and default port is the same server: allowed."""
    base = httpx.URL(base_url)
    origins = {_origin(base)}
    if base.scheme == "http" and base.port in (None, 80):
        origins.add(("https", base.host, 443))

    async def check(request: httpx.Request) -> None:
        if _origin(request.url) not in origins:
            raise RefusedAddress(f"redirected to another host: {request.url.host}", request=request)

    return check


def redirected(exc: RefusedAddress, path: str) -> ProviderError:
    """The API sent a call elsewhere: not followed, and the admin is told where to look."""
    log.warning("the image service redirected %s elsewhere; not followed (%s)", path, exc)
    return ProviderError(ErrorKind.CONFIG, Text("upstream-redirected"), detail=f"{path}: {exc}")


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    return url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80)


async def fetch_link(
    client: httpx.AsyncClient, url: str, max_bytes: int, usable: Callable[[bytes], bool], wrong: Text
) -> bytes:
    """The bytes behind a link the API gave, at most `max_bytes` of them, and only if `usable` says they are
    what the link claims to be (an image, a video); else a `ProviderError` fit for the member."""
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise ProviderError(
                    ErrorKind.UNAVAILABLE,
                    Text("result-download-failed"),
                    detail=f"HTTP {response.status_code}",
                    status=response.status_code,
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ProviderError(ErrorKind.MALFORMED, Text("result-too-large"), detail=f"{declared} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ProviderError(ErrorKind.MALFORMED, Text("result-too-large"), detail=f"over {max_bytes}")
                chunks.append(chunk)
    except (RefusedAddress, httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
        log.warning("a link from the image service was refused: %s", exc)
        raise ProviderError(ErrorKind.CONFIG, Text("result-link-refused"), detail=str(exc), status=403) from None
    except httpx.HTTPError as exc:
        raise ProviderError(ErrorKind.UNAVAILABLE, Text("result-download-failed"), detail=type(exc).__name__) from exc
    data = b"".join(chunks)
    if not await off_loop(
        usable, data
    ):  # read whole, off the event loop; a web page, an error text, a file cut short: no status, so it is tried again
        start = clip(data[:40].decode("latin-1"), 60)
        raise ProviderError(ErrorKind.MALFORMED, wrong, detail=f"{clip(url, 120)}: {len(data)} bytes, {start!r}")
    return data
