"""Where the bot's requests may go: the API's key stays with the API's origin, and links the API gives are
fetched only from allowed addresses, on every redirect hop, within a byte cap, and only as what they claim.

Driven through `open_core`, the production wiring, against real servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import ipaddress
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from PIL import Image

from bot.client.app import open_core
from bot.core.errors import ProviderError
from bot.core.images import ImageFetcher
from bot.core.url_policy import AddressPolicy, api_client, download_client
from bot.settings import load_settings
from tests.helpers import TOKEN

SECRET = "sk-redirect-secret-4242"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, "PNG")
    return out.getvalue()


class Server:
    """An aiohttp app on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.seen: list[web.Request] = []
        self.url = ""

    def route(self, method: str, path: str, answer: Callable[[web.Request], web.StreamResponse]) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            self.seen.append(request)
            return answer(request)

        self.app.router.add_route(method, path, handler)


@contextlib.asynccontextmanager
async def serving(*servers: Server) -> AsyncIterator[None]:
    runners = []
    for server in servers:
        runner = web.AppRunner(server.app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        runners.append(runner)
    try:
        yield
    finally:
        for runner in runners:
            await runner.cleanup()


def settings(tmp_path: Path, api_base: str, **env: str):  # type: ignore[no-untyped-def]
    return load_settings(
        {"DISCORD_TOKEN": TOKEN, "MJ_PROVIDER": "proxy", "MJ_API_BASE": api_base, "MJ_API_KEY": SECRET,
         "DATABASE_PATH": str(tmp_path / "bot.sqlite3"), **env}
    )  # fmt: skip


def redirect(to: Callable[[], str], status: int = 307) -> Callable[[web.Request], web.StreamResponse]:
    return lambda _request: web.Response(status=status, headers={"Location": to()})


@pytest.mark.parametrize("style", ["mj-api-secret", "bearer", "authorization"])
async def test_the_api_key_never_follows_a_redirect_to_another_origin(tmp_path: Path, style: str) -> None:
    api, elsewhere = Server(), Server()
    api.route("POST", "/mj/task/list-by-condition", redirect(lambda: f"{elsewhere.url}/steal"))
    elsewhere.route("POST", "/steal", lambda _r: web.json_response([]))
    async with serving(api, elsewhere), open_core(settings(tmp_path, api.url, MJ_AUTH_HEADER=style)) as (jobs, _):
        with pytest.raises(ProviderError) as caught:
            await jobs.provider.fetch_many(["1"])
    assert elsewhere.seen == []  # not even asked: nothing of the request left the API's origin
    assert api.seen and SECRET in (api.seen[0].headers.get(style) or api.seen[0].headers["Authorization"])
    assert caught.value.text.key == "upstream-redirected" and SECRET not in str(caught.value)


async def test_redirects_within_the_api_are_followed_a_few_times(tmp_path: Path) -> None:
    api, looping = Server(), Server()
    api.route("POST", "/mj/task/list-by-condition", redirect(lambda: f"{api.url}/moved"))
    api.route("POST", "/moved", lambda _r: web.json_response([{"id": "1", "status": "IN_PROGRESS"}]))
    looping.route("POST", "/mj/task/list-by-condition", redirect(lambda: f"{looping.url}/mj/task/list-by-condition"))
    async with serving(api, looping):
        async with open_core(settings(tmp_path, api.url)) as (jobs, _):
            found = await jobs.provider.fetch_many(["1"])
        async with open_core(settings(tmp_path, looping.url)) as (jobs, _):
            with pytest.raises(ProviderError):
                await jobs.provider.fetch_many(["1"])
    assert "1" in found and [r.path for r in api.seen] == ["/mj/task/list-by-condition", "/moved"]
    assert api.seen[1].headers["Authorization"] == f"Bearer {SECRET}"  # same origin: the key goes along
    assert 1 < len(looping.seen) <= 4  # limited, not followed twenty times


@pytest.mark.parametrize(
    ("address", "public_api", "private_api"),
    [
        ("169.254.169.254", False, False),  # cloud metadata: never
        ("::ffff:169.254.169.254", False, False),  # the same, mapped into IPv6
        ("fe80::1", False, False),
        ("fd00:ec2::254", False, False),
        ("100.100.100.200", False, False),
        ("0.0.0.0", False, False),
        ("224.0.0.1", False, False),
        ("127.0.0.1", False, True),  # loopback and private: only when the API is on such an address itself
        ("::1", False, True),
        ("10.1.2.3", False, True),
        ("192.168.1.20", False, True),
        ("100.64.0.1", False, True),
        ("8.8.8.8", True, True),
        ("2606:4700::1111", True, True),
    ],
)
def test_the_address_policy(address: str, public_api: bool, private_api: bool) -> None:
    ip = ipaddress.ip_address(address)
    assert AddressPolicy(allow_private=False).allows(ip) is public_api
    assert AddressPolicy(allow_private=True).allows(ip) is private_api


async def test_the_policy_follows_the_apis_own_address() -> None:
    assert (await AddressPolicy.for_api("http://127.0.0.1:8787")).allow_private
    assert (await AddressPolicy.for_api("http://localhost:8787/v1")).allow_private
    assert not (await AddressPolicy.for_api("https://8.8.8.8/v1")).allow_private
    assert not (await AddressPolicy.for_api("https://no-such-host.invalid")).allow_private


async def test_links_are_fetched_only_from_allowed_addresses_on_every_hop(tmp_path: Path) -> None:
    api, images = Server(), Server()
    picture = _png()
    images.route("GET", "/grid.png", lambda _r: web.Response(body=picture, content_type="image/png"))
    images.route("GET", "/to-metadata", redirect(lambda: "http://169.254.169.254/latest/meta-data/", 302))
    images.route("GET", "/to-file", redirect(lambda: "file:///etc/passwd", 302))
    images.route("GET", "/page.html", lambda _r: web.Response(text="<html>expired</html>", content_type="text/html"))
    async with serving(api, images), open_core(settings(tmp_path, api.url)) as (_, fetcher):
        assert await fetcher.download(f"{images.url}/grid.png") == picture  # the API is on loopback: so may links
        for url in ("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x.png", f"{images.url}/to-metadata",
                    f"{images.url}/to-file"):  # fmt: skip
            with pytest.raises(ProviderError) as caught:
                await fetcher.download(url)
            assert caught.value.text.key == "result-link-refused", url
        with pytest.raises(ProviderError) as caught:
            await fetcher.download(f"{images.url}/page.html")  # the preview and the result: only an image
        assert caught.value.text.key == "result-not-image"
    assert [r.path for r in images.seen].count("/grid.png") == 1
    assert all(r.headers.get("Authorization") is None for r in images.seen)  # links never get the key


async def test_a_public_api_gets_no_link_to_this_host_fetched(tmp_path: Path) -> None:
    images = Server()
    images.route("GET", "/grid.png", lambda _r: web.Response(body=_png(), content_type="image/png"))
    async with serving(images), open_core(settings(tmp_path, "https://93.184.215.14/v1")) as (_, fetcher):
        with pytest.raises(ProviderError) as caught:
            await fetcher.download(f"{images.url}/grid.png")
        assert caught.value.text.key == "result-link-refused" and "127.0.0.1" in caught.value.detail
    assert images.seen == []


async def test_downloads_stop_at_the_byte_cap() -> None:
    images = Server()
    images.route("GET", "/huge.png", lambda _r: web.Response(body=_png() + b"\0" * 5000))
    timeout, limits = httpx.Timeout(5.0), httpx.Limits(max_connections=2)
    async with serving(images), download_client(AddressPolicy(allow_private=True), timeout, limits) as client:
        fetcher = ImageFetcher(client, max_bytes=4000)
        with pytest.raises(ProviderError) as caught:
            await fetcher.download(f"{images.url}/huge.png")
    assert caught.value.text.key == "result-too-large"


def _tls_of(client: httpx.AsyncClient) -> ssl.SSLContext:
    transport = client._transport
    transport = getattr(transport, "_inner", transport)  # the download client's guard wraps httpx's transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    return transport._pool._ssl_context  # type: ignore[attr-defined,no-any-return]


async def test_every_client_verifies_with_one_shared_tls_context() -> None:
    # One CA bundle loaded once (each context of its own costs about 0.8 MB), still verifying names and chains.
    timeout, limits = httpx.Timeout(5.0), httpx.Limits(max_connections=2)
    async with (
        api_client("https://api.example", timeout, limits) as api,
        api_client("https://other.example", timeout, limits) as other,
        download_client(AddressPolicy(allow_private=False), timeout, limits) as downloads,
    ):
        contexts = {id(_tls_of(c)) for c in (api, other, downloads)}
        context = _tls_of(api)
    assert len(contexts) == 1
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.get_ca_certs()  # the CA bundle is loaded
