"""One admission for every entry point that names a job: /show, ✉️ Send to me, a button press, a region pick.

Each refuses a blocked member and a channel the server does not allow, as the commands do, and a job of
another server (a copied or forged component: Discord sends the interaction from where the copy is)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.simulator.server import Simulator
from tests.fakes.discord_server import DEFAULT_USER_ID, OWNER_USER_ID, FakeDiscord, FakeInteraction, FakeMessage
from tests.helpers import bot_messages, button, grid_then_upscale, running_bot, wait_final

OTHER_GUILD = 1_300_000_000_000_100_100
OTHER_CHANNEL = 1_300_000_000_000_100_200
SECOND_CHANNEL = 1_300_000_000_000_000_201
PAID = ("imagine", "action", "change", "modal")
UNKNOWN = "This button belongs to a job the bot no longer knows."


async def admin(fake: FakeDiscord, sub: str, options: dict[str, object]) -> None:
    await fake.invoke_slash("mjadmin", options, subcommand=sub, user_id=OWNER_USER_ID)


def answer_of(fake: FakeDiscord, interaction: FakeInteraction) -> str:
    """The private answer: a follow-up, else the response itself when it is a message (not an update)."""
    if interaction.followup_ids:
        return fake.messages[interaction.followup_ids[-1]].content
    message = fake.messages.get(interaction.response_message_id or 0)
    return message.content if message is not None and interaction.response_type in (4, 5) else ""


def copied_to(fake: FakeDiscord, message_id: int, channel_id: int) -> int:
    """The message with its components, as if it stood in another channel (a copy, a forged component)."""
    copy_id = max(fake.messages) + 1000
    original: FakeMessage = fake.messages[message_id]
    fake.messages[copy_id] = dataclasses.replace(original, id=copy_id, channel_id=channel_id, flags=0)
    return copy_id


def paid(simulator: Simulator) -> int:
    return sum(n for k, n in simulator.requests.items() if k in PAID)


async def test_show_and_send_to_me_refuse_blocked_members_and_disallowed_channels(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    fake.add_text_channel(SECOND_CHANNEL, "elsewhere")
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        grid_id = (await fake.invoke_slash("imagine", {"prompt": "a stone bridge"})).response_message_id or 0
        await wait_final(fake, grid_id)
        await admin(fake, "channel", {"channel": SECOND_CHANNEL, "allowed": True})  # only the other channel now
        shown = await fake.invoke_slash("show", {"job": 1})
        assert "This bot works only in" in answer_of(fake, shown)
        await admin(fake, "channel", {"channel": SECOND_CHANNEL, "allowed": False})
        await admin(fake, "block", {"member": DEFAULT_USER_ID})
        posted = len(bot_messages(fake))
        shown = await fake.invoke_slash("show", {"job": 1})
        assert "blocked" in answer_of(fake, shown) and len(bot_messages(fake)) == posted
        sent = await fake.click(grid_id, button(fake, grid_id, "Send to me"))
        await fake.wait_for(lambda: bool(answer_of(fake, sent)))
        assert "blocked" in answer_of(fake, sent)
        assert not [m for m in fake.messages.values() if fake.channels[m.channel_id].get("type") == 1]  # no DM


async def test_a_job_of_another_server_is_unknown_to_every_entry_point(
    fake: FakeDiscord, simulator: Simulator, tmp_path: Path
) -> None:
    fake.add_guild(OTHER_GUILD, "Second Guild", OTHER_CHANNEL)
    async with running_bot(fake, simulator.base_url, tmp_path / "db.sqlite3"):
        grid_id, upscale_id = await grid_then_upscale(fake, "a private garden")
        before = paid(simulator)
        grid_copy = copied_to(fake, grid_id, OTHER_CHANNEL)
        for name in ("U2", "V1", "Send to me"):
            press = await fake.click(grid_copy, button(fake, grid_copy, name))
            await fake.wait_for(lambda press=press: bool(answer_of(fake, press)))  # type: ignore[misc]
            assert UNKNOWN in answer_of(fake, press), (name, answer_of(fake, press))

        # Vary (Region): the picker is private to the presser; its cells and its Submit name the job too.
        press = await fake.click(upscale_id, button(fake, upscale_id, "Vary (Region)"))
        picker = fake.messages[press.response_message_id or 0]
        cells = next(c["custom_id"] for row in picker.components for c in row["components"] if c["type"] == 3)
        picker_copy = copied_to(fake, picker.id, OTHER_CHANNEL)
        pick = await fake.select(picker_copy, cells, ["0", "4"])
        await fake.wait_for(lambda: bool(answer_of(fake, pick)))
        assert UNKNOWN in answer_of(fake, pick), answer_of(fake, pick)
        go = cells.replace("mj:rsel:", "mj:rgo:go:") + f":{0b10001}"  # a Submit with cells 0 and 4 picked
        fake.messages[picker_copy].components = [
            {"type": 1, "components": [{"type": 2, "style": 3, "label": "Submit", "custom_id": go}]}
        ]
        submit = await fake.click(picker_copy, go)
        await fake.wait_for(lambda: bool(answer_of(fake, submit)))
        assert UNKNOWN in answer_of(fake, submit), answer_of(fake, submit)
        assert paid(simulator) == before  # nothing sent to the paid API, nothing charged
        assert not [m for m in fake.messages.values() if fake.channels[m.channel_id].get("type") == 1]  # no DM
