"""The fake Discord against a real, unmodified discord.py bot, all on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord_server import FakeDiscord, FakeFile, FakeInteraction

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 120


# ------------------------------------------------------------------------------------------ bot


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"vote:(?P<choice>[a-z]+)"):
    """Persistent across restarts: discord.py rebuilds it from the clicked message's custom_id."""

    def __init__(self, choice: str) -> None:
        super().__init__(discord.ui.Button(label=choice.title(), custom_id=f"vote:{choice}"))
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # type 6 on a component
        assert interaction.channel is not None and interaction.message is not None
        await interaction.channel.send(  # type: ignore[union-attr]
            f"voted {self.choice}", reference=interaction.message, allowed_mentions=discord.AllowedMentions.none()
        )


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput = discord.ui.TextInput(label="Your feedback", custom_id="feedback:text")

    def __init__(self, bot: FakeTestBot) -> None:
        super().__init__(custom_id="feedback:modal", timeout=None)
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.bot.results["feedback"] = self.text.value
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class FeedbackView(discord.ui.View):
    def __init__(self, bot: FakeTestBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Give feedback", custom_id="feedback:open")
    async def open(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(FeedbackModal(self.bot))


class PickView(discord.ui.View):
    @discord.ui.select(
        custom_id="pick:colour",
        options=[discord.SelectOption(label="Red", value="red"), discord.SelectOption(label="Blue", value="blue")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"picked {select.values[0]}", view=None)  # type 7


class FakeTestBot(commands.Bot):
    def __init__(self, *, slow_delay: float = 0.0, job_delay: float = 0.0) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.slow_delay = slow_delay
        self.job_delay = job_delay
        self.results: dict[str, Any] = {}
        self.setup_done = asyncio.Event()
        self._register()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton)
        self.add_view(FeedbackView(self))
        await self.tree.sync()
        self.setup_done.set()

    def _register(self) -> None:
        tree = self.tree

        @tree.command(description="Echo text back")
        async def echo(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.send_message(f"echo: {text}", allowed_mentions=discord.AllowedMentions.none())

        @tree.command(description="Size of an uploaded file")
        async def size(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            self.results["size_bytes"] = data
            await interaction.response.send_message(f"{file.filename}: {len(data)} bytes")

        @tree.command(description="Defer then edit with a file")
        async def render(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.edit_original_response(
                content="rendered", attachments=[discord.File(io.BytesIO(PNG), "out.png")]
            )

        @tree.command(description="Post the vote buttons")
        async def vote(interaction: discord.Interaction) -> None:
            view = discord.ui.View(timeout=None)
            view.add_item(VoteButton("yes"))
            view.add_item(VoteButton("no"))
            assert interaction.channel is not None
            msg = await interaction.channel.send("Vote!", view=view)  # type: ignore[union-attr]
            self.results["vote_message_id"] = msg.id
            await interaction.response.send_message("posted", ephemeral=True)

        @tree.command(description="Post the feedback button")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Tell us", view=FeedbackView(self))

        @tree.command(description="Pick a colour")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Pick one", view=PickView())

        @tree.command(description="Acknowledges too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(self.slow_delay)
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as exc:
                self.results["slow"] = exc.code

        @tree.command(description="Outlives its interaction token")
        async def longjob(interaction: discord.Interaction) -> None:
            resp = await interaction.response.send_message("working")
            await asyncio.sleep(self.job_delay)
            try:
                await interaction.edit_original_response(content="done")
            except discord.HTTPException as exc:
                self.results["longjob_error"] = (exc.status, exc.code)
                assert interaction.channel is not None and resp.message_id is not None
                await interaction.channel.get_partial_message(resp.message_id).edit(  # type: ignore[union-attr]
                    content="done via channel"
                )
            self.results["longjob"] = True

        @tree.command(description="Too long a reply")
        async def toolong(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("x" * 2001)
            except discord.HTTPException as exc:
                self.results["toolong"] = (exc.status, exc.code)

        group = app_commands.Group(name="admin", description="Admin tools")

        @group.command(name="say", description="Say something")
        @app_commands.describe(times="How many times")
        async def admin_say(interaction: discord.Interaction, text: str, times: int = 1) -> None:
            await interaction.response.send_message(" ".join([text] * times))

        tree.add_command(group)


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def redirect_discord() -> Iterator[None]:
    """Route.BASE and DEFAULT_GATEWAY are process-global: set per test, restore afterwards."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = old_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@asynccontextmanager
async def fake_discord(**kwargs: Any) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(**kwargs) as fake:
        discord.http.Route.BASE = fake.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        yield fake


@asynccontextmanager
async def running_bot(fake: FakeDiscord, **bot_kwargs: Any) -> AsyncIterator[FakeTestBot]:
    bot = FakeTestBot(**bot_kwargs)
    task = asyncio.create_task(bot.start("fake-token"))
    try:
        ready = asyncio.create_task(_bot_ready(fake, bot))
        done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # surfaces why the bot stopped
            raise AssertionError("bot stopped before becoming ready")
        if ready not in done:
            ready.cancel()
            raise AssertionError("bot did not become ready in 10 s")
        ready.result()
        yield bot
    finally:
        await bot.close()
        try:
            await asyncio.wait_for(task, 5)
        except Exception:
            task.cancel()


async def _bot_ready(fake: FakeDiscord, bot: FakeTestBot) -> None:
    await fake.wait_ready()
    await bot.wait_until_ready()
    await bot.setup_done.wait()


async def answered(fake: FakeDiscord, inter: FakeInteraction) -> None:
    await inter.wait_acked()
    await fake.wait_for(lambda: inter.response_type is not None)


# ------------------------------------------------------------------------------------------ tests


async def test_login_sync_and_echo(redirect_discord: None) -> None:
    async with fake_discord() as fake, running_bot(fake) as bot:
        paths = [(r.method, r.path) for r in fake.requests]
        assert ("GET", "/users/@me") in paths
        assert ("GET", "/oauth2/applications/@me") in paths
        assert ("PUT", f"/applications/{fake.application_id}/commands") in paths
        assert {c["name"] for c in fake.commands} >= {"echo", "size", "render", "vote", "admin"}
        assert fake.bot_token == "fake-token"
        assert all(r.headers.get("Authorization") != "Bot fake-token" for r in fake.requests)
        assert bot.user is not None and bot.user.id == fake.bot_user_id
        assert bot.get_channel(fake.channel_id) is not None

        inter = await fake.invoke_slash("echo", {"text": "hi <@123>"})
        await answered(fake, inter)
        assert inter.response_type == 4
        msg = fake.messages[inter.response_message_id]  # type: ignore[index]
        assert msg.content == "echo: hi <@123>"
        assert msg.allowed_mentions is not None and msg.allowed_mentions["parse"] == []
        assert msg.interaction_id == inter.id and not msg.ephemeral
        assert fake.channel_messages() == [msg]
        cb = fake.requests_to("POST", rf"/interactions/{inter.id}/.+/callback")[0]
        assert cb.query.get("with_response") in ("1", "true")

        # Subcommand in a group, typed from the registered schema (times is an integer).
        sub = await fake.invoke_slash("admin", {"text": "yo", "times": 3}, subcommand="say")
        await answered(fake, sub)
        assert fake.messages[sub.response_message_id].content == "yo yo yo"  # type: ignore[index]
        with pytest.raises(AssertionError, match="not a registered"):
            await fake.invoke_slash("nope")
        assert fake.errors == []


async def test_attachment_option_read_by_bot(redirect_discord: None) -> None:
    async with fake_discord() as fake, running_bot(fake) as bot:
        upload = FakeFile("cat.png", PNG * 3)
        inter = await fake.invoke_slash("size", attachments={"file": upload})
        await answered(fake, inter)
        assert bot.results["size_bytes"] == upload.data
        assert fake.messages[inter.response_message_id].content == f"cat.png: {len(upload.data)} bytes"  # type: ignore[index]
        resolved = next(iter(inter.data["resolved"]["attachments"].values()))
        assert {"id", "filename", "size", "url", "proxy_url", "content_type"} <= resolved.keys()


async def test_defer_then_edit_original_with_file(redirect_discord: None) -> None:
    async with fake_discord() as fake, running_bot(fake):
        inter = await fake.invoke_slash("render")
        assert inter.response_type == 5 and inter.response_message_id is not None
        msg = fake.messages[inter.response_message_id]
        await fake.wait_for(lambda: msg.content == "rendered")
        assert not msg.loading
        assert [a.filename for a in msg.attachments] == ["out.png"]
        assert msg.attachments[0].data == PNG
        assert msg.versions[0]["content"] == "" and msg.versions[0]["flags"] & 128
        patch = fake.requests_to("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")[0]
        assert patch.files and patch.json["attachments"][0]["filename"] == "out.png"


async def test_dynamic_button_survives_restart(redirect_discord: None) -> None:
    async with fake_discord() as fake:
        async with running_bot(fake) as bot:
            inter = await fake.invoke_slash("vote")
            await answered(fake, inter)
            vote_id = bot.results["vote_message_id"]
            assert [b["custom_id"] for b in fake.message_buttons(vote_id)] == ["vote:yes", "vote:no"]

            click = await fake.click(vote_id, "vote:yes")
            await fake.wait_for(lambda: any(m.content == "voted yes" for m in fake.channel_messages()))
            assert click.response_type == 6 and click.response_message_id == vote_id
            reply = next(m for m in fake.channel_messages() if m.content == "voted yes")
            assert reply.message_reference is not None and reply.message_reference["message_id"] == str(vote_id)
            with pytest.raises(AssertionError, match="no button"):
                await fake.click(vote_id, "vote:maybe")

        # A new bot process against the same fake: the message and its buttons are still there.
        async with running_bot(fake):
            assert fake.identify_count == 2
            click = await fake.click(vote_id, "vote:no")
            await fake.wait_for(lambda: any(m.content == "voted no" for m in fake.channel_messages()))
            assert click.response_type == 6


async def test_modal_and_select(redirect_discord: None) -> None:
    async with fake_discord() as fake, running_bot(fake) as bot:
        post = await fake.invoke_slash("feedback")
        await answered(fake, post)
        opener = await fake.click(post.response_message_id, "feedback:open")  # type: ignore[arg-type]
        await answered(fake, opener)
        assert opener.response_type == 9 and opener.modal is not None
        assert opener.modal["custom_id"] == "feedback:modal"

        submit = await fake.submit_modal(opener, {"feedback:text": "great bot"})
        await answered(fake, submit)
        assert bot.results["feedback"] == "great bot"
        thanks = fake.messages[submit.response_message_id]  # type: ignore[index]
        assert thanks.ephemeral and thanks.content == "thanks: great bot"
        assert thanks not in fake.channel_messages()

        pick = await fake.invoke_slash("pick")
        await answered(fake, pick)
        chosen = await fake.select(pick.response_message_id, "pick:colour", ["blue"])  # type: ignore[arg-type]
        await answered(fake, chosen)
        picked = fake.messages[pick.response_message_id]  # type: ignore[index]
        assert chosen.response_type == 7 and picked.content == "picked blue" and picked.components == []


async def test_late_ack_is_unknown_interaction(redirect_discord: None) -> None:
    async with fake_discord(ack_deadline=0.2) as fake, running_bot(fake, slow_delay=0.35) as bot:
        inter = await fake.invoke_slash("slow")
        await fake.wait_for(lambda: "slow" in bot.results)
        assert bot.results["slow"] == 10062
        assert not inter.acked.is_set()
        assert [(s, c) for _, s, c in fake.errors] == [(404, 10062)]


async def test_token_expiry_falls_back_to_channel_edit(redirect_discord: None) -> None:
    async with fake_discord(token_lifetime=0.3) as fake, running_bot(fake, job_delay=0.45) as bot:
        inter = await fake.invoke_slash("longjob")
        await fake.wait_for(lambda: "longjob" in bot.results)
        assert bot.results["longjob_error"] == (401, 50027)
        msg = fake.messages[inter.response_message_id]  # type: ignore[index]
        assert msg.content == "done via channel" and len(msg.edit_times) == 1


async def test_too_long_content_is_invalid_form_body(redirect_discord: None) -> None:
    async with fake_discord() as fake, running_bot(fake) as bot:
        inter = await fake.invoke_slash("toolong")
        await fake.wait_for(lambda: "toolong" in bot.results)
        assert bot.results["toolong"] == (400, 50035)
        assert [(s, c) for _, s, c in fake.errors] == [(400, 50035)]
        assert not inter.acked.is_set() and inter.response_message_id is None


async def test_channel_edit_burst_goes_through_the_limiter(redirect_discord: None) -> None:
    async with fake_discord(channel_edit_limit=(5, 1.0)) as fake, running_bot(fake) as bot:
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        msg = await channel.send("edit 0")
        for i in range(1, 13):
            await msg.edit(content=f"edit {i}")
        stored = fake.messages[msg.id]
        assert stored.content == "edit 12" and len(stored.edit_times) == 12
        # 13 requests in a 5-per-second bucket: at least two full windows were waited out.
        assert stored.edit_times[-1] - stored.created >= 1.9
        patches = fake.requests_to("PATCH", rf"/channels/{fake.channel_id}/messages/{msg.id}")
        assert [r.status for r in patches if r.status != 429] == [200] * 12
        # discord.py's limiter waits on the honest X-RateLimit-Remaining, so it never hits a 429.
        assert fake.ratelimited == []


async def test_429_is_retried_by_discord_py(redirect_discord: None) -> None:
    async with fake_discord(channel_edit_limit=(2, 1.0)) as fake, running_bot(fake) as bot:
        # Another client drains the channel bucket, so the bot's limiter cannot know it is empty.
        async with aiohttp.ClientSession() as session:
            for n in range(2):
                url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
                async with session.post(url, json={"content": f"other {n}"}, headers={"Authorization": "Bot x"}):
                    pass
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        msg = await channel.send("after the drain")
        assert fake.messages[msg.id].content == "after the drain"
        assert len(fake.ratelimited) == 1 and fake.ratelimited[0].path.endswith("/messages")


BOT_SCRIPT = """
import asyncio, os, discord, yarl
from discord.ext import commands

discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY"])
bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)

@bot.tree.command(description="Echo text back")
async def echo(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(f"echo: {text}")

async def setup_hook() -> None:
    await bot.tree.sync()

bot.setup_hook = setup_hook
bot.run("subprocess-token", log_handler=None)
"""


async def test_bot_as_subprocess(redirect_discord: None, tmp_path: Path) -> None:
    script = tmp_path / "bot.py"
    script.write_text(BOT_SCRIPT)
    async with fake_discord() as fake:
        env = {**os.environ, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY": fake.gateway_url}
        proc = await asyncio.create_subprocess_exec(sys.executable, str(script), env=env)
        try:
            await fake.wait_ready(timeout=15)
            await fake.wait_for(lambda: any(c["name"] == "echo" for c in fake.commands))
            inter = await fake.invoke_slash("echo", {"text": "from afar"})
            await answered(fake, inter)
            assert fake.messages[inter.response_message_id].content == "echo: from afar"  # type: ignore[index]
            assert fake.bot_token == "subprocess-token"
        finally:
            proc.terminate()
            await proc.wait()


async def test_attachments_kept_or_replaced_on_channel_edit(redirect_discord: None) -> None:
    async with fake_discord() as fake, running_bot(fake) as bot:
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        files = [discord.File(io.BytesIO(b"first"), "a.txt"), discord.File(io.BytesIO(b"second"), "b.txt")]
        msg = await channel.send("two files", files=files)
        assert [a.filename for a in msg.attachments] == ["a.txt", "b.txt"]
        assert await msg.attachments[1].read() == b"second"  # served back from the fake's loopback CDN
        # v10 semantics: the list is the whole set after the edit; b.txt goes, c.txt comes.
        edited = await msg.edit(attachments=[msg.attachments[0], discord.File(io.BytesIO(b"third"), "c.txt")])
        assert [a.filename for a in edited.attachments] == ["a.txt", "c.txt"]
        stored = fake.messages[msg.id]
        assert [(a.filename, a.data) for a in stored.attachments] == [("a.txt", b"first"), ("c.txt", b"third")]
        assert [v["attachments"] for v in stored.versions] == [["a.txt", "b.txt"], ["a.txt", "c.txt"]]


async def test_second_ack_and_form_validation_over_raw_http(redirect_discord: None) -> None:
    # No message rate limit here: rejected requests count against the bucket, as on Discord.
    async with fake_discord(channel_edit_limit=None) as fake, running_bot(fake), aiohttp.ClientSession() as http:
        inter = await fake.invoke_slash("echo", {"text": "once"})
        assert inter.response_type == 4  # invoke_slash returns once the bot has acknowledged
        callback = f"{fake.api_base}/interactions/{inter.id}/{inter.token}/callback"
        async with http.post(callback, json={"type": 4, "data": {"content": "again"}}) as resp:
            assert resp.status == 400 and (await resp.json())["code"] == 40060
            assert resp.headers["Content-Type"] == "application/json"

        url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
        auth = {"Authorization": "Bot fake-token"}

        def button(cid: str, label: str = "ok") -> dict:
            return {"type": 2, "style": 1, "label": label, "custom_id": cid}

        bad_payloads = [
            {"content": "x", "components": [{"type": 1, "components": [button(f"r{i}")]} for i in range(6)]},
            {"content": "x", "components": [{"type": 1, "components": [button(f"b{i}") for i in range(6)]}]},
            {"content": "x", "components": [{"type": 1, "components": [button("c" * 101)]}]},
            {"content": "x", "components": [{"type": 1, "components": [button("d"), button("d")]}]},
            {"content": "x", "components": [{"type": 1, "components": [button("e", "l" * 81)]}]},
            {"embeds": [{"description": "x"}] * 11},
            {"embeds": [{"description": "x" * 4097}]},
        ]
        for payload in bad_payloads:
            async with http.post(url, json=payload, headers=auth) as resp:
                body = await resp.json()
                assert (resp.status, body["code"], body["message"]) == (400, 50035, "Invalid Form Body"), payload
                assert body["errors"]
        async with http.post(url, json={"content": "hi"}) as resp:
            assert resp.status == 401
        assert [(s, c) for _, s, c in fake.errors] == [(400, 40060)] + [(400, 50035)] * 7 + [(401, 0)]
