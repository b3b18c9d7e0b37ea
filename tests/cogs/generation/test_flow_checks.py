"""Input checks in the flows that Discord's own form already prevents (so the fake Discord cannot send
them): /blend with 1 or 6 images must still be refused, privately, before anything is created or paid."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import AsyncMock, MagicMock

import pytest

from bot.core.quota import GuildConfig
from cogs.generation.flows import Flows
from cogs.generation.posted_messages import PostedMessages


def attachment(n: int) -> SimpleNamespace:
    return SimpleNamespace(filename=f"{n}.png", size=100, content_type="image/png", id=n, url=f"https://cdn/{n}.png")


@pytest.mark.parametrize("count", [0, 1, 6])
async def test_blend_refuses_the_wrong_number_of_images(count: int) -> None:
    jobs = MagicMock()
    jobs.create = AsyncMock()
    jobs.accounts.config = AsyncMock(return_value=GuildConfig())
    jobs.accounts.open_job = AsyncMock()
    flows = Flows(
        jobs,
        MagicMock(),
        PostedMessages(None),
        MagicMock(),
        MagicMock(),
        bot_type="MID_JOURNEY",
        mode=None,
        max_attachment_bytes=10**6,
    )
    interaction = MagicMock()
    interaction.response.send_message = AsyncMock()
    interaction.response.is_done = MagicMock(return_value=False)
    await flows.blend(interaction, [attachment(i) for i in range(count)], "SQUARE")  # type: ignore[misc]
    interaction.response.send_message.assert_awaited_once()
    text = interaction.response.send_message.await_args.args[0]
    assert f"2 to 5 images; you gave {count}" in text and "Nothing was submitted" in text
    assert interaction.response.send_message.await_args.kwargs["ephemeral"] is True
    jobs.accounts.open_job.assert_not_awaited()
