"""The web gallery in a real browser: headless Chromium (Debian's chromium and chromedriver) driven by selenium
against the real bot, the fake Discord and the simulator. One browser for the module; its calls run in a
thread, because the bot serving the pages runs on this test's event loop.

The link /gallery gives opens the grid, a filter narrows it, pagination walks it, an image's page shows its
prompt (escaped), parameters, parent and children; a member hides and deletes their own image; an expired or
tampered link is refused; one member's link never shows another's images. A screenshot is saved under
tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.core.gallery import Scope
from bot.simulator.server import Simulator
from cogs.gallery.links import Link, gallery_key, sign
from tests.fakes.discord_server import GUILD_ID, OWNER_USER_ID, FakeDiscord
from tests.helpers import TOKEN, bot_messages, button, imagined, running_bot, wait_final

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
OTHER_MEMBER = 1_300_000_000_000_000_905
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Chromium, shared by the module's tests (starting one takes about a second)."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1100,860", "--disable-extensions", "--no-first-run"):  # fmt: skip
        options.add_argument(argument)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Page:
    """The browser's calls off the event loop (the bot answering them runs on it)."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    async def open(self, url: str) -> None:
        await asyncio.to_thread(self.driver.get, url)

    async def run(self, function: Any, *args: Any) -> Any:
        return await asyncio.to_thread(function, *args)

    async def cells(self) -> list[int]:
        """The jobs shown in the grid, in order, once every thumbnail has loaded."""

        def read() -> list[int]:
            found = self.driver.find_elements(By.CSS_SELECTOR, "#grid a.cell")
            return [int(cell.get_attribute("data-job") or 0) for cell in found]

        await self.thumbnails_loaded()
        return await asyncio.to_thread(read)

    async def thumbnails_loaded(self) -> None:
        script = "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"
        for _ in range(100):
            if await asyncio.to_thread(self.driver.execute_script, script):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("thumbnails did not load")

    async def click(self, selector: str) -> None:
        """Clicks a link or button and waits for the page it leads to (every click here navigates)."""

        def click() -> None:
            old = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, selector).click()
            WebDriverWait(self.driver, 10).until(staleness_of(old))

        await asyncio.to_thread(click)

    async def text(self, selector: str) -> str:
        return str(await asyncio.to_thread(lambda: self.driver.find_element(By.CSS_SELECTOR, selector).text))


async def gallery_link(fake: FakeDiscord, user_id: int | None = None, locale: str = "en-US") -> str:
    invocation = await fake.invoke_slash("gallery", {}, user_id=user_id, locale=locale)
    answer = fake.messages[invocation.response_message_id or 0]
    await fake.wait_for(lambda: "/gallery/" in answer.content)
    assert answer.ephemeral
    found = re.search(r"<(http://\S+/gallery/\S+/)>", answer.content)  # in <…>: Discord previews no page
    assert found is not None, answer.content
    return found[1]


async def test_the_gallery_in_a_browser(
    fake: FakeDiscord,
    simulator: Simulator,
    tmp_path: Path,
    browser: webdriver.Chrome,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    fake.add_user(OTHER_MEMBER, "someone-else")
    env = {"OPS_PORT": str(port), "GALLERY_PUBLIC_URL": base, "QUOTA_DAILY_CREDITS": "0"}
    page = Page(browser)
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env) as bot:
        fox = await imagined(fake, "a red fox in snow --ar 3:2")  # job 1
        await fake.click(fox, button(fake, fox, "U1"))  # job 2: its upscale
        await fake.wait_for(lambda: len(bot_messages(fake)) == 2)
        await wait_final(fake, bot_messages(fake)[1].id)
        await imagined(fake, "a blue whale at night")  # job 3
        await imagined(fake, HOSTILE)  # job 4
        await imagined(fake, "a secret garden", OTHER_MEMBER)  # job 5: someone else's
        own = await gallery_link(fake)

        # The grid: the member's own four images, newest first, thumbnails served by the bot itself.
        await page.open(own)
        assert await page.text("h1") == "My images"
        assert await page.cells() == [4, 3, 2, 1]
        sources = await page.run(lambda: [i.get_attribute("src") for i in browser.find_elements(By.TAG_NAME, "img")])
        assert all(s.startswith(own + "thumb/") for s in sources), sources  # never Discord's expiring links
        assert "secret garden" not in browser.page_source

        # Filters: prompt text, then kind.
        await page.run(lambda: browser.find_element(By.NAME, "q").send_keys("FOX"))
        await page.click("#apply")
        assert await page.cells() == [2, 1]
        await page.run(lambda: Select(browser.find_element(By.NAME, "kind")).select_by_value("upscale"))
        await page.click("#apply")
        assert await page.cells() == [2]
        await page.open(own + "?from=2000-01-01&to=2000-12-31")  # dates: none that old
        assert await page.cells() == []

        # Keyset pagination: two a page, walked to the end by the link the page gives.
        # (The extension's own classes: discord.py imports a feature's modules afresh each time a bot loads it.)
        gallery_site = bot.get_cog("GalleryFeature").site  # type: ignore[union-attr]
        gallery_site.page_size = 2
        await page.open(own)
        walked = await page.cells()
        await page.click("#older")
        walked += await page.cells()
        assert walked == [4, 3, 2, 1] and not browser.find_elements(By.ID, "older")

        # An image's page: prompt, parameters, parent, children, the Discord message.
        gallery_site.page_size = 24
        await page.open(own + "image/1")
        assert await page.text("#prompt") == "a red fox in snow --ar 3:2"
        assert "--ar 3:2" in await page.text("dl")
        children = await page.run(lambda: browser.find_elements(By.CSS_SELECTOR, "#children a"))
        assert [c.get_attribute("data-job") for c in children] == ["2"]
        await page.click("#children a")
        assert "(#1)" in await page.text("#parent")
        discord_link = await page.run(lambda: browser.find_element(By.ID, "discord").get_attribute("href"))
        assert discord_link == f"https://discord.com/channels/{GUILD_ID}/{fake.channel_id}/{bot_messages(fake)[1].id}"

        # A hostile prompt is text, never markup.
        await page.open(own + "image/4")
        assert await page.text("#prompt") == HOSTILE
        assert not browser.find_elements(By.TAG_NAME, "script")
        assert len(browser.find_elements(By.TAG_NAME, "img")) == 1

        # Hidden: still the member's own, out of the moderator's view; deleted: out for everyone.
        await page.open(own + "image/3")
        await page.click("#hide")
        assert await page.text("p.tag") == "Hidden"
        moderator = await gallery_link(fake, OWNER_USER_ID)
        await page.open(moderator)
        assert await page.text("h1") == "This server's images"
        assert await page.cells() == [5, 4, 2, 1]
        ARTIFACTS.mkdir(exist_ok=True)
        await page.run(browser.save_screenshot, str(ARTIFACTS / "gallery.png"))
        await page.run(lambda: Select(browser.find_element(By.NAME, "member")).select_by_value(str(OTHER_MEMBER)))
        await page.click("#apply")
        assert await page.cells() == [5]
        assert not browser.find_elements(By.ID, "hide")  # a moderator cannot take a member's image out
        await page.open(own + "image/4")
        await page.click("#delete")
        assert await page.cells() == [3, 2, 1]  # back on the grid
        await page.open(moderator)
        assert await page.cells() == [5, 2, 1]
        assert not (tmp_path / "gallery-thumbs" / "4.jpg").exists()
        made = sorted(p.name for p in (tmp_path / "gallery-thumbs").iterdir())
        assert made == ["1.jpg", "2.jpg", "3.jpg", "5.jpg"]  # each made once, kept on disk; no part files left

        # Someone else's link never shows them, not even by guessing the address.
        theirs = await gallery_link(fake, OTHER_MEMBER, locale="zh-CN")
        await page.open(theirs)
        assert await page.text("h1") == "我的图片"
        assert await page.cells() == [5]
        async with httpx.AsyncClient() as http:
            for path in ("image/1", "thumb/1.jpg", "image/3", "thumb/3.jpg"):
                assert (await http.get(theirs + path)).status_code == 404, path
            refused = await http.post(theirs + "image/1", data={"do": "delete"})
            assert refused.status_code == 404
            assert (await http.get(own + "image/1")).status_code == 200  # still there

        # A tampered or expired link is refused.
        tampered = own.replace("-m-", "-s-")  # a member's link made a moderator's
        await page.open(tampered)
        assert "expired or is not valid" in await page.text("#refused")
        key = gallery_key(TOKEN)
        expired = sign(key, Link(Scope(GUILD_ID, fake.default_user_id, server=False), int(time.time()) - 1, "en-US"))
        await page.open(f"{base}/gallery/{expired}/")
        assert "expired or is not valid" in await page.text("#refused")
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"{base}/gallery/{expired}/thumb/1.jpg")
            assert answer.status_code == 403
            assert "script-src" not in answer.headers["content-security-policy"]
            assert answer.headers["referrer-policy"] == "no-referrer"

        # A phone's width: the grid wraps, nothing scrolls sideways.
        await page.run(browser.set_window_size, 390, 844)
        try:
            await page.open(moderator)
            assert await page.cells() == [5, 2, 1]
            wide = "return document.documentElement.scrollWidth <= window.innerWidth"
            assert await page.run(browser.execute_script, wide)
            await page.run(browser.save_screenshot, str(ARTIFACTS / "gallery-phone.png"))
        finally:
            await page.run(browser.set_window_size, 1100, 860)


async def test_without_a_public_url_gallery_says_it_is_not_set_up(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", OPS_PORT="0"):
        invocation = await fake.invoke_slash("gallery", {}, locale="zh-CN")
        answer = fake.messages[invocation.response_message_id or 0]
        await fake.wait_for(lambda: bool(answer.content))
        assert answer.ephemeral and "GALLERY_PUBLIC_URL" in answer.content and "网页画廊" in answer.content


async def test_a_thumbnail_comes_from_discord_when_the_api_link_is_gone(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    env = {"OPS_PORT": str(port), "GALLERY_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3", **env) as bot:
        first = await imagined(fake, "a tin robot")
        second = await imagined(fake, "a glass owl")
        for job_id in (1, 2):  # the API's links expired
            await bot.jobs.ledger.update(job_id, image_url=f"http://127.0.0.1:1/expired-{job_id}.png")
        fake.messages[second].deleted = True  # and the second's Discord message was deleted
        own = await gallery_link(fake)
        async with httpx.AsyncClient() as http:
            answer = await http.get(own + "thumb/1.jpg")
            assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
            assert Image.open(io.BytesIO(answer.content)).size == (384, 384)  # from the copy on the message
            assert any(r.method == "GET" and r.path.endswith(f"/messages/{first}") for r in fake.requests)
            assert (await http.get(own + "thumb/1.jpg")).content == answer.content  # from the cache now
            with caplog.at_level(logging.WARNING, logger="cogs.gallery.site"):
                assert (await http.get(own + "thumb/2.jpg")).status_code == 404
        assert any("no image for job 2" in r.getMessage() for r in caplog.records)  # for the admin
