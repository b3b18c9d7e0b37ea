"""The fake Discord with two shard connections: each gets READY, GUILD_CREATE and events of its own servers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import aiohttp

from tests.fakes.discord_server import APPLICATION_ID, CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.records import I_GUILD_MESSAGES
from tests.helpers import TOKEN, guild_on_shard

OTHER_GUILD = guild_on_shard(1, 2)
OTHER_CHANNEL = 1_300_000_000_000_000_900


class ShardClient:
    """A bare gateway client that identifies as one shard and keeps every event it is sent."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[tuple[str, dict]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            payload = json.loads(msg.data)
            if payload.get("op") == 0:
                self.events.append((payload["t"], payload["d"]))

    def named(self, event: str) -> list[dict]:
        return [data for name, data in self.events if name == event]


@contextlib.asynccontextmanager
async def shard(http: aiohttp.ClientSession, fake: FakeDiscord, shard_id: int) -> AsyncIterator[ShardClient]:
    async with http.ws_connect(fake.gateway_url) as ws:
        hello = await ws.receive_json()
        assert hello["op"] == 10
        identify = {"token": TOKEN, "intents": 1 | I_GUILD_MESSAGES, "properties": {}, "shard": [shard_id, 2]}
        await ws.send_json({"op": 2, "d": identify})
        client = ShardClient(ws)
        try:
            yield client
        finally:
            client.reader.cancel()


async def test_each_shard_gets_only_its_servers() -> None:
    assert (GUILD_ID >> 22) % 2 == 0 and (OTHER_GUILD >> 22) % 2 == 1
    async with FakeDiscord(shard_count=2) as fake, aiohttp.ClientSession() as http:
        fake.add_guild(OTHER_GUILD, "Second Guild", OTHER_CHANNEL)
        auth = {"Authorization": f"Bot {TOKEN}"}
        async with http.get(fake.api_base + "/gateway/bot", headers=auth) as answer:
            assert (await answer.json())["shards"] == 2
        async with shard(http, fake, 0) as zero, shard(http, fake, 1) as one:
            await fake.wait_shards_ready()
            for client, guild in ((zero, GUILD_ID), (one, OTHER_GUILD)):
                assert [g["id"] for g in client.named("READY")[0]["guilds"]] == [str(guild)]
                assert [g["id"] for g in client.named("GUILD_CREATE")] == [str(guild)]

            command = {"name": "ping", "description": "ping", "type": 1}
            url = f"{fake.api_base}/applications/{APPLICATION_ID}/commands"
            async with http.put(url, json=[command], headers=auth) as answer:
                assert answer.status == 200
            for channel in (CHANNEL_ID, OTHER_CHANNEL):
                await fake.invoke_slash("ping", channel_id=channel, wait_ack=False)
                async with http.post(
                    f"{fake.api_base}/channels/{channel}/messages", json={"content": "hi"}, headers=auth
                ) as answer:
                    assert answer.status == 200
            await fake.wait_for(lambda: all(len(c.named("MESSAGE_CREATE")) == 1 for c in (zero, one)))
            await fake.wait_for(lambda: all(len(c.named("INTERACTION_CREATE")) == 1 for c in (zero, one)))
            for client, guild in ((zero, GUILD_ID), (one, OTHER_GUILD)):
                for event in ("MESSAGE_CREATE", "INTERACTION_CREATE"):
                    assert [d["guild_id"] for d in client.named(event)] == [str(guild)], (event, client.events)


async def test_an_identify_with_the_wrong_shard_count_is_refused() -> None:
    async with FakeDiscord(shard_count=2) as fake, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(fake.gateway_url)
        await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": TOKEN, "intents": 1, "properties": {}, "shard": [0, 3]}})
        closed = await ws.receive()
        await ws.close()
        assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 4010
