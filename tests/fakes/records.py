"""The fake Discord's constants (fixed snowflakes, permission bits, flags) and the records tests read."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
API_PREFIX = "/api/v10"

# Fixed snowflakes so tests can hard-code them. On Discord the bot user id equals the application id.
APPLICATION_ID = 1_300_000_000_000_000_001
BOT_USER_ID = APPLICATION_ID
GUILD_ID = 1_300_000_000_000_000_100
CHANNEL_ID = 1_300_000_000_000_000_200
DEFAULT_USER_ID = 1_300_000_000_000_000_300
OWNER_USER_ID = 1_300_000_000_000_000_400
BOT_ROLE_ID = 1_300_000_000_000_000_500

ATTACHMENT_SIZE_LIMIT = 10_485_760
HEARTBEAT_INTERVAL_MS = 41_250

# Permission bits (https://discord.com/developers/docs/topics/permissions).
P_ADMINISTRATOR = 1 << 3
EVERYONE_PERMISSIONS = (
    (1 << 0)  # create instant invite
    | (1 << 6)  # add reactions
    | (1 << 10)  # view channel
    | (1 << 11)  # send messages
    | (1 << 14)  # embed links
    | (1 << 15)  # attach files
    | (1 << 16)  # read message history
    | (1 << 18)  # use external emojis
    | (1 << 20)  # connect
    | (1 << 21)  # speak
    | (1 << 26)  # change nickname
    | (1 << 31)  # use application commands
    | (1 << 35)  # create public threads
    | (1 << 38)  # send messages in threads
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | (1 << 13) | (1 << 17) | (1 << 28)  # manage msgs, mention all, roles

# Message flags.
F_SUPPRESS_EMBEDS = 1 << 2
F_EPHEMERAL = 1 << 6
F_LOADING = 1 << 7
F_SUPPRESS_NOTIFICATIONS = 1 << 12
F_COMPONENTS_V2 = 1 << 15

# Gateway intents that gate message events.
I_GUILD_MESSAGES = 1 << 9
I_DIRECT_MESSAGES = 1 << 12
I_MESSAGE_CONTENT = 1 << 15

SELECT_TYPES = (3, 5, 6, 7, 8)
_log = logging.getLogger(__name__)
GENEROUS_LIMIT = (50, 1.0)
JOINED_AT = "2024-01-01T00:00:00.000000+00:00"


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass
class FakeFile:
    filename: str
    data: bytes
    content_type: str = "image/png"
    id: int = 0  # assigned by the fake when it stores the file as an attachment
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any  # parsed JSON body, or the payload_json part of a multipart body, or None
    files: list[FakeFile]
    headers: dict[str, str]  # Authorization is redacted; the token is in FakeDiscord.bot_token
    time: float  # loop.time() when received
    status: int = 0  # HTTP status the fake answered


@dataclass
class FakeMessage:
    id: int
    channel_id: int
    author_id: int
    content: str
    embeds: list[dict]
    components: list[dict]
    attachments: list[FakeFile]
    flags: int
    message_reference: dict | None
    allowed_mentions: dict | None
    interaction_id: int | None
    versions: list[dict] = field(default_factory=list)
    edit_times: list[float] = field(default_factory=list)
    type: int = 0
    webhook_id: int | None = None
    tts: bool = False
    nonce: str | None = None
    deleted: bool = False
    created: float = 0.0  # loop.time()
    edited_timestamp: str | None = None
    interaction_metadata: dict | None = None
    reactions: list[str] = field(default_factory=list)  # emoji the bot added

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & F_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred (type 5) response that has not been edited yet ("Bot is thinking...")."""
        return bool(self.flags & F_LOADING)


@dataclass
class FakeInteraction:
    id: int
    token: str
    type: int  # 2 application command, 3 component, 5 modal submit
    data: dict
    user_id: int
    created: float  # loop.time() at dispatch
    responses: list[dict] = field(default_factory=list)
    response_type: int | None = None
    response_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: dict | None = None
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    acked_at: float | None = None  # loop.time() when the bot's first answer arrived
    sent_at: float | None = None
    channel_id: int = CHANNEL_ID
    message_id: int | None = None  # the message whose component started it (components, their modals)
    locale: str = "en-US"
    rejected: list[tuple[int, int]] = field(default_factory=list)  # (status, code) of refused callbacks

    async def wait_acked(self, timeout: float = 5.0) -> None:
        try:
            await asyncio.wait_for(self.acked.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"interaction {self.id} (type {self.type}) not acknowledged in {timeout}s") from None
