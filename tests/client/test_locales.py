"""The zh-CN catalog: well-formed templates, Discord's rules for commands, and real texts translated."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from discord import app_commands
from discord.ext import commands

from bot.client.credits.admin import AdminError, MJAdmin, apply_setting, describe_config
from bot.client.credits.member import Account
from bot.client.errors import UNEXPECTED
from bot.client.generation.commands import Generation
from bot.client.generation.flows import UNKNOWN_JOB
from bot.client.generation.region import CELL_NAMES, REGION_HELP
from bot.client.generation.render import _status_text, job_content
from bot.core.buttons import describe_button
from bot.core.errors import InvalidInput
from bot.core.models import Job, JobAction, JobStatus, UpstreamButton
from bot.core.prompts import checked_prompt
from bot.core.quota import Defaults, GuildConfig, Tier
from bot.core.reasons import failure_message, refusal_message
from bot.i18n import tr
from bot.locales.zh_CN import COMMANDS, MESSAGES

ZH = "zh-CN"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u4e00-\u9fff]")
NAME_RULE = re.compile(r"^[-_\w]{1,32}$")


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def chinese(text: str) -> bool:
    return bool(CJK.search(text))


# -- the templates themselves ---------------------------------------------------------------------
@pytest.mark.parametrize("key", list(MESSAGES))
def test_template_is_well_formed(key: str) -> None:
    value = MESSAGES[key]
    assert "\n" not in key and "\n" not in value
    literal = PLACEHOLDER.sub("", key)
    assert re.search(r"[A-Za-z]{2,}", literal), f"{key!r} has no word of its own: it would match anything"
    names = placeholders(key)
    assert len(names) == len(set(names)), f"{key!r} repeats a placeholder (one regex group each)"
    assert set(placeholders(value)) == set(names), f"{key!r}: the placeholders differ in {value!r}"
    for text in (key, value):
        assert "{" not in PLACEHOLDER.sub("", text) and "}" not in PLACEHOLDER.sub("", text), text
    assert chinese(value), f"{key!r} is not translated"
    value.format(**{n: "x" for n in names})


@pytest.mark.parametrize("key", list(MESSAGES))
def test_each_template_wins_its_own_line(key: str) -> None:
    """Filled in, a key comes back as its own translation: no other entry takes the line."""
    samples = {name: f"v{i}" for i, name in enumerate(placeholders(key))}
    assert tr(key.format(**samples), ZH) == MESSAGES[key].format(**samples)


def test_real_code_strings_are_keys() -> None:
    for text in (
        "The prompt is empty. Describe the image you want.",
        "(Waiting to start)",
        "❌ {reason} Nothing was submitted.",
        UNKNOWN_JOB,
        UNEXPECTED,
        REGION_HELP,
        *CELL_NAMES,
    ):
        assert text in MESSAGES, text


# -- real texts, made by the code ------------------------------------------------------------------
def _upstream_titles() -> list[str]:
    proxy = [
        "MJ::JOB::upsample::2::abc",
        "MJ::JOB::reroll::0::abc::SOLO",
        "MJ::JOB::variation::3::abc",
        "MJ::JOB::upsample_v6_2x_subtle::1::abc",
        "MJ::JOB::upsample_v6_2x_creative::1::abc",
        "MJ::JOB::upsample_v5_4x::1::abc",
        "MJ::JOB::low_variation::1::abc::SOLO",
        "MJ::JOB::high_variation::1::abc::SOLO",
        "MJ::Inpaint::1::abc::SOLO",
        "MJ::Outpaint::50::1::abc::SOLO",
        "MJ::Outpaint::75::1::abc::SOLO",
        "MJ::Outpaint::100::1::abc::SOLO",
        "MJ::Outpaint::60::1::abc::SOLO",
        "MJ::CustomZoom::abc",
        "MJ::JOB::pan_left::1::abc::SOLO",
        "MJ::JOB::pan_down::1::abc::SOLO",
        "MJ::BOOKMARK::abc",
    ]
    acedata = [
        "upscale4",
        "reroll",
        "variation1",
        "upscale_2x",
        "redo_upscale_subtle",
        "upscale_creative",
        "variation_subtle",
        "variation_strong",
        "variation_region",
        "zoom_out_2x",
        "zoom_out_1_5x",
        "square",
        "pan_up",
    ]
    faces = [describe_button(UpstreamButton(cid)) for cid in proxy + acedata]
    faces.append(describe_button(UpstreamButton("MJ::JOB::upsample_v6_2x_subtle::1::abc", label="Redo Upscale")))
    return [face.title for face in faces if face is not None]


def test_job_titles_translate() -> None:
    titles = _upstream_titles()
    assert len(titles) == 31
    for title in [*titles, "Describe"]:
        assert chinese(tr(title, ZH)), title


def _job(status: JobStatus, **extra: object) -> Job:
    job = Job(7, 42, 1, 2, JobAction.VARY_STRONG, "a red fox", status, 0.0, 0.0, locale=ZH)
    for name, value in extra.items():
        setattr(job, name, value)
    return job


def test_statuses_translate() -> None:
    texts = {_status_text(_job(s, queue_position=3 if s is JobStatus.WAITING else None)) for s in JobStatus} | {
        _status_text(_job(JobStatus.WAITING))
    }
    texts -= {"", _status_text(_job(JobStatus.RUNNING))}  # nothing to say; "(0%)" needs no words
    assert len(texts) == 5
    for text in texts:
        assert chinese(tr(text, ZH)), text


def test_job_message_in_chinese() -> None:
    running = job_content(_job(JobStatus.RUNNING, progress=42, title="Variations (Strong)"))
    assert running == "**a red fox** - 变体（强烈） · <@42> (42%)"
    failed = job_content(_job(JobStatus.FAILED, error="The image service lost track of this job. Please try again."))
    assert failed.endswith("\n❌ 绘图服务丢失了这个任务。请重试。")
    waiting = job_content(_job(JobStatus.WAITING, queue_position=2, title="Image #3"))
    assert waiting == "**a red fox** - 图片 #3 · <@42> (排队中，第 2 位)"


def test_refused_input_in_chinese() -> None:
    reasons = []
    for check in (
        lambda: checked_prompt(""),
        lambda: checked_prompt("x" * 2000),
        lambda: checked_prompt("a cat --chaos 500"),
        lambda: checked_prompt("a cat --ar 99:1"),
        lambda: checked_prompt("a cat --v 2.5"),
        lambda: checked_prompt("a cat --bogus"),
        lambda: checked_prompt("--ar 1:1"),
        lambda: checked_prompt("Z\u0351\u0308\u0300\u0301\u0302\u0303"),
    ):
        with pytest.raises(InvalidInput) as caught:
            check()
        reasons.append(caught.value.user_message)
    reasons.append("You are blocked from using this bot in this server.")
    reasons.append("Your prompt contains a word this server does not allow: `bad`.")
    reasons.append("Your prompt contains a word this server does not allow: `bad`. Strike 2 of 3 today.")
    reasons.append(
        "Your prompt contains a word this server does not allow: `bad`. You are blocked for the rest of the day"
        " after 3 prompts refused by moderation; you can use the bot again at 00:00 UTC (in 2 h 5 min)."
    )
    reasons.append("This costs 2 credits and you have 1 left today. Your credits come back at 00:00 UTC (in 7 min).")
    for reason in reasons:
        text = tr(f"❌ {reason} Nothing was submitted.", ZH)
        assert text.startswith("❌ ") and text.endswith(" 未提交任何内容。"), text
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"`[^`]*`|UTC|Midjourney", "", text)), text


def test_refusal_of_credits_with_the_wait() -> None:
    line = (
        "You have used your 25 credits for today and this costs 2. Your credits come back at 00:00 Asia/Shanghai"
        " (in 3 h 12 min)."
    )
    assert tr(f"❌ {line}", ZH) == (
        "❌ 你今天的 25 积分已用完，本次需要 2 积分。积分将于 00:00（Asia/Shanghai）恢复，还有 3 小时 12 分钟。"
    )
    assert tr(line.replace("3 h 12 min", "5 min"), ZH).endswith("还有 5 分钟。")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("daily_credits", "lots"),
        ("cost_grid", "-1"),
        ("timezone", "Mars/Olympus"),
        ("press_policy", "everyone"),
        ("default_mode", "slow"),
        ("default_bot", "dalle"),
        ("colour", "blue"),
    ],
)
def test_admin_setting_errors_translate(name: str, value: str) -> None:
    with pytest.raises(AdminError) as caught:
        apply_setting(GuildConfig(), name, value)
    text = tr(f"❌ {caught.value}", ZH)
    assert text.startswith("❌ ") and chinese(text), text


@pytest.mark.parametrize(
    "config",
    [
        GuildConfig(),
        GuildConfig(
            daily_credits=0,
            user_running=2,
            timezone="Asia/Shanghai",
            default_mode="relax",
            tiers={"5": Tier(10, 0)},
            unlimited_roles=[6],
            allowed_channels=[7],
            banned_words=["gore"],
            blocked=[8],
        ),
    ],
)
def test_server_settings_translate(config: GuildConfig) -> None:
    bot = SimpleNamespace(settings=SimpleNamespace(quota_defaults=Defaults(), mj_bot_type="MID_JOURNEY"))
    for line in describe_config(config, bot).split("\n"):  # type: ignore[arg-type]
        assert chinese(tr(line, ZH)), line


def test_account_lines_translate() -> None:
    lines = {
        "**Credits left today:** 3 of 25": "**今日剩余积分：** 3 / 25",
        "**Credits left today:** unlimited": "**今日剩余积分：** 不限",
        "**Jobs running:** 1 of 3 · **waiting:** 0": "**进行中的任务：** 1 / 3 · **排队中：** 0",
        "**Jobs running:** 1 · **waiting:** 2 of 10": "**进行中的任务：** 1 · **排队中：** 2 / 10",
        "**Jobs running:** 1 of 3 · **waiting:** 2 of 10": "**进行中的任务：** 1 / 3 · **排队中：** 2 / 10",
        "**Job #12** · upscale · Image #2": "**任务 #12** · 放大 · 图片 #2",
        "**By** <@42> · 🔄 running (40%)": "**发起人** <@42> · 🔄 进行中（40%）",
        "**Cost:** 2 refunded": "**花费：** 2 积分（已退还）",
        "✅ **#3** imagine · 1 credit · a red fox https://discord.com/channels/1/2/3": (
            "✅ **#3** 想象 · 1 积分 · a red fox https://discord.com/channels/1/2/3"
        ),
        "✅ <@&5>: unlimited credits a day, 2 jobs at once.": "✅ <@&5>：每日积分不限，最多同时进行 2 个任务。",
        "✅ <@8> is no longer blocked.": "✅ 已解封 <@8>。",
        "Today: 4 jobs, 1 failed · 5 credits charged, 1 refunded, 4 spent · 2 moderation strikes": (
            "今天：4 个任务，1 个失败 · 扣除 5 积分，退还 1，实际消耗 4 · 2 次审核违规"
        ),
    }
    for english, expected in lines.items():
        assert tr(english, ZH) == expected


def test_upstream_failures_translate() -> None:
    reasons = (None, "", "Banned prompt detected", "task timeout", "无可用账号", "实例不可用", "任务失败，请重试",
               "Pending mod message", "当前分组 default 下对于模型 mj_imagine 无可用渠道", "队列已满", "额度不足",
               "账号已被临时封锁", "something new")  # fmt: skip
    for reason in reasons:
        _, message = failure_message(reason)
        assert chinese(tr(message, ZH)), message
        _, refusal = refusal_message(reason or "", "The image service refused the request.")
        assert chinese(tr(refusal, ZH)), refusal


def test_prompts_and_links_stay_as_they_are() -> None:
    for text in ("a cat in a hat --ar 16:9", "https://example.com/a.png", "```\nprompt\n```"):
        assert tr(text, ZH) == text


# -- slash commands --------------------------------------------------------------------------------
def _command_strings() -> tuple[set[str], set[str], set[str]]:
    """(command and group names, option names, descriptions and choice names) of every cog."""
    names: set[str] = set()
    options: set[str] = set()
    texts: set[str] = set()
    for cog in (Generation, Account, MJAdmin):
        if issubclass(cog, commands.GroupCog):
            names.add(str(cog.__cog_group_name__))
            texts.add(str(cog.__cog_group_description__))
        for command in cog.__cog_app_commands__:
            assert isinstance(command, app_commands.Command)
            names.add(command.name)
            texts.add(command.description)
            for parameter in command.parameters:
                options.add(parameter.name)
                if parameter.description != "…":
                    texts.add(parameter.description)
                texts.update(choice.name for choice in parameter.choices)
    return names, options, texts


def test_every_command_text_has_chinese() -> None:
    names, _, texts = _command_strings()
    assert not (names | texts) - set(COMMANDS), "missing from COMMANDS"
    assert not set(COMMANDS) - (names | texts), "in COMMANDS but not in any command"


def test_command_names_follow_discord_rules() -> None:
    names, options, _ = _command_strings()
    for english in (names | options) & set(COMMANDS):
        chinese_name = COMMANDS[english]
        assert NAME_RULE.match(chinese_name), chinese_name
        assert chinese_name == chinese_name.lower(), chinese_name
    top = [COMMANDS[n] for n in ("imagine", "blend", "describe", "quota", "history", "job", "mjadmin")]
    assert len(set(top)) == len(top)
    subcommands = [COMMANDS[c.name] for c in MJAdmin.__cog_app_commands__]
    assert len(set(subcommands)) == len(subcommands)


def test_command_descriptions_fit() -> None:
    _, _, texts = _command_strings()
    for english in texts:
        assert 1 <= len(COMMANDS[english]) <= 100, english
    assert COMMANDS["imagine"] == "想象" and COMMANDS["mjadmin"] == "绘图管理"
