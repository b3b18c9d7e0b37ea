"""The /settings message: a member's defaults with the menus and buttons that change them, in place.

Its items are DynamicItems whose custom_id names the member (`mj:pref:<user>:mode`), so they work after a
restart, and only for that member. Each change is acknowledged first, written, then the message redrawn.
"""

from __future__ import annotations

from typing import Any, cast

import discord

from bot.client.errors import GuardedModal, guarded
from bot.client.host import Host
from bot.client.replies import NO_MENTIONS, reply
from bot.core.errors import InvalidInput
from bot.core.preferences import BOTS, MODES, VERSIONS, checked_suffix
from bot.core.text import Text
from bot.i18n import render

DEFAULT = "default"  # the menus' value for "as the server has it"
_ROWS = {"mode": 0, "bot": 1, "version": 2}
_COLUMN = {"mode": "mode", "bot": "bot_type", "version": "version"}
_PLACEHOLDERS = {
    "mode": Text("settings-mode-placeholder"),
    "bot": Text("settings-bot-placeholder"),
    "version": Text("settings-version-placeholder"),
}
MODE_NAMES = {"fast": Text("choice-fast"), "relax": Text("choice-relax"), "turbo": Text("choice-turbo")}
BOT_NAMES = {"MID_JOURNEY": Text("choice-midjourney"), "NIJI_JOURNEY": Text("choice-niji")}


def _name(names: dict[str, Text], value: str | None) -> Text:
    if value is None:
        return Text("admin-api-default")
    return names.get(value) or Text.verbatim(value)


def _shown_suffix(suffix: str) -> str:
    return suffix.replace("`", "ˋ")  # inside `…` a backtick would end the code span


def settings_panel(host: Host, guild_id: int, user_id: int, locale: object) -> tuple[str, discord.ui.View]:
    """The member's defaults (from memory) as the message's text and its menus and buttons."""
    assert host.jobs.accounts is not None
    preference = host.preferences.of(guild_id, user_id)
    config = host.jobs.accounts.cached_config(guild_id)
    server_mode = _name(MODE_NAMES, config.default_mode or host.settings.mj_mode)
    server_bot = _name(BOT_NAMES, config.default_bot or host.settings.mj_bot_type)
    mode_default = Text("settings-server-default", value=server_mode)
    bot_default = Text("settings-server-default", value=server_bot)
    version_default = Text("settings-server-default", value=config.default_version or host.settings.mj_default_version)
    version = Text.verbatim(preference.version) if preference.version else version_default
    mode = MODE_NAMES[preference.mode] if preference.mode else mode_default
    bot = BOT_NAMES[preference.bot_type] if preference.bot_type else bot_default
    lines = [
        Text("settings-title"),
        Text("settings-mode", mode=mode),
        Text("settings-bot", bot=bot),
        Text("settings-version", version=version),
        Text("settings-remix-on") if preference.remix else Text("settings-remix-off"),
        Text("settings-suffix", suffix=_shown_suffix(preference.suffix))
        if preference.suffix
        else Text("settings-suffix-none"),
    ]
    view = discord.ui.View(timeout=None)
    modes = {**{m: MODE_NAMES[m] for m in MODES}, DEFAULT: mode_default}
    view.add_item(PreferenceSelect(user_id, "mode", modes, preference.mode or DEFAULT, locale))
    bots = {**{b: BOT_NAMES[b] for b in BOTS}, DEFAULT: bot_default}
    view.add_item(PreferenceSelect(user_id, "bot", bots, preference.bot_type or DEFAULT, locale))
    versions = {**{v: Text.verbatim(f"V{v}") for v in VERSIONS}, DEFAULT: version_default}
    view.add_item(PreferenceSelect(user_id, "version", versions, preference.version or DEFAULT, locale))
    view.add_item(PreferenceButton(user_id, "remix-off" if preference.remix else "remix-on", locale))
    view.add_item(PreferenceButton(user_id, "suffix", locale))
    view.stop()  # the state is in the custom_ids and the ledger; nothing to keep in memory
    return "\n".join(render(line, locale) for line in lines), view


async def _owner(interaction: discord.Interaction, user_id: int) -> bool:
    """Only the member whose settings these are may change them (anyone could forge a press)."""
    if interaction.user.id == user_id and interaction.guild_id is not None:
        return True
    await reply(interaction, Text("settings-not-yours"))
    return False


async def _change(interaction: discord.Interaction, user_id: int, **changes: Any) -> None:
    """Acknowledged first; then written to the ledger, and the message redrawn in place."""
    assert interaction.guild_id is not None
    if not interaction.response.is_done():
        await interaction.response.defer()
    host = cast(Host, interaction.client)
    await host.preferences.change(interaction.guild_id, user_id, **changes)
    text, view = settings_panel(host, interaction.guild_id, user_id, interaction.locale)
    await interaction.edit_original_response(content=text, view=view, allowed_mentions=NO_MENTIONS)


class PreferenceSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"mj:pref:(?P<user>[0-9]+):(?P<field>mode|bot|version)"
):
    """The mode, the bot or the version: one of the choices, or the server's default."""

    def __init__(
        self,
        user_id: int,
        field: str,
        choices: dict[str, Text] | None = None,
        chosen: str = DEFAULT,
        locale: object = None,
    ) -> None:
        options = [
            discord.SelectOption(label=render(name, locale)[:100], value=value, default=value == chosen)
            for value, name in (choices or {DEFAULT: Text("settings-server-default", value="")}).items()
        ]
        placeholder = _PLACEHOLDERS[field]
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"mj:pref:{user_id}:{field}",
            placeholder=render(placeholder, locale),
            options=options,
            row=_ROWS[field],
        )
        super().__init__(select)
        self.user_id, self.field = user_id, field

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> PreferenceSelect:
        return cls(int(match["user"]), match["field"])

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        if not await _owner(interaction, self.user_id):
            return
        picked = self.item.values[0] if self.item.values else DEFAULT
        value = None if picked == DEFAULT else picked
        await _change(interaction, self.user_id, **{_COLUMN[self.field]: value})


class PreferenceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mj:pref:(?P<user>[0-9]+):(?P<what>remix-on|remix-off|suffix)",
):
    """Remix on or off (the custom_id says which, so a double press changes nothing), or the suffix dialog."""

    def __init__(self, user_id: int, what: str, locale: object = None) -> None:
        faces = {
            "remix-on": (Text("button-remix-on"), discord.ButtonStyle.success),
            "remix-off": (Text("button-remix-off"), discord.ButtonStyle.secondary),
            "suffix": (Text("button-suffix"), discord.ButtonStyle.secondary),
        }
        label, style = faces[what]
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=render(label, locale), style=style, custom_id=f"mj:pref:{user_id}:{what}", row=3
        )
        super().__init__(button)
        self.user_id, self.what = user_id, what

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> PreferenceButton:
        return cls(int(match["user"]), match["what"])

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        if not await _owner(interaction, self.user_id):
            return
        if self.what == "suffix":
            host = cast(Host, interaction.client)
            current = host.preferences.of(interaction.guild_id, self.user_id).suffix
            await interaction.response.send_modal(SuffixModal(self.user_id, current, interaction.locale))
            return
        await _change(interaction, self.user_id, remix=self.what == "remix-on")


class SuffixModal(GuardedModal):
    """The suffix, checked as /prefer suffix checks it; empty clears it."""

    def __init__(self, user_id: int, suffix: str, locale: object = None) -> None:
        super().__init__(title=render(Text("dialog-suffix"), locale)[:45], timeout=600)
        self.suffix: discord.ui.TextInput[SuffixModal] = discord.ui.TextInput(
            label=render(Text("dialog-suffix-field"), locale)[:45],
            default=suffix,
            required=False,
            max_length=1000,
        )
        self.add_item(self.suffix)
        self.user_id = user_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        host = cast(Host, interaction.client)
        assert host.jobs.accounts is not None
        try:
            suffix = checked_suffix(
                self.suffix.value, host.jobs.accounts.cached_config(interaction.guild_id).banned_words
            )
        except InvalidInput as exc:
            await reply(interaction, Text("prefer-suffix-refused", reason=exc.text))
            return
        await _change(interaction, self.user_id, suffix=suffix)


PANEL_ITEMS = (PreferenceSelect, PreferenceButton)
