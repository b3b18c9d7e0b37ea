"""The catalogs (bot/locales/<language>/*.ftl): the languages in step, every key the code writes present,
every message renderable, real texts made by the code in Chinese, and Discord's rules for commands."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from fluent.syntax import FluentParser
from fluent.syntax.ast import Junk, Message, VariableReference
from fluent.syntax.visitor import Visitor

from bot.client.names import action_text, status_text
from bot.client.translator import CommandTranslator, command_keys
from bot.core.accounts import Accounts, Refusal
from bot.core.buttons import describe_button
from bot.core.errors import InvalidInput
from bot.core.ledger import Ledger
from bot.core.models import Job, JobAction, JobStatus, Requester, UpstreamButton
from bot.core.preferences import Preference
from bot.core.prompts import checked_prompt
from bot.core.quota import Defaults, GuildConfig, Tier
from bot.core.reasons import failure_message, refusal_message
from bot.core.text import VERBATIM, Text
from bot.i18n import CHINESE, ENGLISH, LOCALES, bundle, render
from bot.i18n import catalog as parsed_catalog
from cogs.admin.commands import AdminError, MJAdmin, apply_setting, describe_config
from cogs.credits.member import Account, history_page
from cogs.describe.commands import Describe
from cogs.edit.commands import Edit
from cogs.gallery.feature import GalleryFeature
from cogs.generation.commands import Generation
from cogs.generation.flows import UNKNOWN_JOB
from cogs.generation.region import CELL_NAMES, region_picker
from cogs.generation.render import _status_text, job_content
from cogs.preferences.commands import MemberSettings, Prefer
from cogs.preferences.panel import settings_panel

ZH = CHINESE
LANGUAGES = (ENGLISH, CHINESE)
CJK = re.compile(r"[\u4e00-\u9fff]")
NAME_RULE = re.compile(r"^[-_\w]{1,32}$")
ROOT = Path(__file__).parents[2]
CODE = (ROOT / "bot", ROOT / "cogs")  # every package that writes Text(...)
# `Text("key"` with a literal key, as the code writes it.
KEY_IN_CODE = re.compile(r"""\bText\(\s*["']([a-z][a-z0-9-]*)["']""")
# Messages with no words of their own, the same in every language.
NO_WORDS = {
    VERBATIM,  # text shown as it is
    "job-message-by",  # "{title} · {user}": only the punctuation differs
    "choice-midjourney",  # a name
    "refusal-and-blocked",  # the core's "{reason} {blocked}": two sentences side by side
}


@cache
def catalog(lang: str) -> dict[str, Message]:
    return parsed_catalog(lang)


def chinese(text: str) -> bool:
    return bool(CJK.search(text))


def variables(message: Message) -> set[str]:
    """The `$names` a message uses, in its value and its attributes, inside selectors too."""

    class Names(Visitor):
        def __init__(self) -> None:
            self.found: set[str] = set()

        def visit_VariableReference(self, node: VariableReference) -> None:
            self.found.add(node.id.name)
            self.generic_visit(node)

    names = Names()
    names.visit(message)
    return names.found


# -- the catalogs in step --------------------------------------------------------------------------
def test_languages_have_the_same_keys() -> None:
    english, chinese_ = set(catalog(ENGLISH)), set(catalog(CHINESE))
    assert not english - chinese_, "missing in zh-CN"
    assert not chinese_ - english, "missing in en-US"


@pytest.mark.parametrize("key", sorted(catalog(ENGLISH)))
def test_languages_use_the_same_variables(key: str) -> None:
    zh = catalog(CHINESE).get(key)
    assert zh is not None
    assert variables(catalog(ENGLISH)[key]) == variables(zh), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_files_parse_and_keys_are_unique(lang: str) -> None:
    """Nothing unreadable (Fluent skips it silently as Junk), and no key in two files of one language."""
    seen: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry.content for entry in resource.body if isinstance(entry, Junk)]
        assert not junk, f"{path}: {junk}"
        for entry in resource.body:
            if isinstance(entry, Message):
                assert entry.id.name not in seen, f"{entry.id.name} in {seen.get(entry.id.name)} and {path.name}"
                seen[entry.id.name] = path.name


def test_files_are_the_same_in_both_languages() -> None:
    names = {lang: sorted(p.name for p in (LOCALES / lang).glob("*.ftl")) for lang in LANGUAGES}
    assert names[ENGLISH] == names[CHINESE]
    for name in names[ENGLISH]:
        keys = {lang: set(_keys_of(LOCALES / lang / name)) for lang in LANGUAGES}
        assert keys[ENGLISH] == keys[CHINESE], name


def _keys_of(path: Path) -> list[str]:
    body = FluentParser().parse(path.read_text(encoding="utf-8")).body
    return [entry.id.name for entry in body if isinstance(entry, Message)]


@pytest.mark.parametrize("key", sorted(catalog(CHINESE)))
def test_chinese_is_translated(key: str) -> None:
    if key in NO_WORDS:
        return
    text = _render_all(CHINESE, key, 2)
    assert chinese(text), f"{key}: {text!r}"


# -- every key the code writes ---------------------------------------------------------------------
def _keys_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(p for package in CODE for p in package.rglob("*.py")):
        for key in KEY_IN_CODE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, str(path.relative_to(ROOT)))
    return found


def test_scan_finds_the_keys() -> None:
    keys = _keys_in_code()
    assert {"job-unknown", "input-refused", "quota-jobs", "admin-settings", "error-unexpected"} <= set(keys)


@pytest.mark.parametrize(("key", "where"), sorted(_keys_in_code().items()))
def test_key_in_code_is_in_the_catalog(key: str, where: str) -> None:
    assert key in catalog(ENGLISH), f"{where} writes Text({key!r}), which no catalog has"


def test_every_action_and_status_has_a_name() -> None:
    for text in [*(action_text(a) for a in JobAction), *(status_text(s) for s in JobStatus)]:
        assert text.key in catalog(ENGLISH), text.key
        assert render(text, ENGLISH) in {a.value for a in JobAction} | {s.value for s in JobStatus}
        assert chinese(render(text, ZH)), text.key


def test_every_client_message_is_used() -> None:
    """No dead entries in the Discord layer's catalog (kinds and states are named from the enums)."""
    used = set(_keys_in_code())
    for key in [*_keys_of(LOCALES / ENGLISH / "client.ftl"), *_keys_of(LOCALES / ENGLISH / "gallery.ftl")]:
        assert key in used or key.startswith(("action-", "status-")), f"{key} is used by no code"


# -- every message renders -------------------------------------------------------------------------
def _render_all(lang: str, key: str, sample: Any) -> str:
    """A message with every variable set to `sample`; Fluent's errors fail the test."""
    found = bundle(lang)
    message = found.get_message(key)
    assert message.value is not None, key
    args = {name: sample for name in variables(catalog(lang)[key])}
    out, errors = found.format_pattern(message.value, args)
    assert not errors, f"{lang} {key}: {errors}"
    return str(out)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("sample", [0, 1, 7, "x"])
def test_every_message_renders(lang: str, sample: Any) -> None:
    for key in catalog(lang):
        text = _render_all(lang, key, sample)
        assert text.strip(), key
        assert "{" not in text.replace("{x", "").replace(f"{{{sample}", ""), f"{key}: {text!r}"
        if lang == ENGLISH:
            assert not chinese(text), f"{key}: {text!r}"


def test_plurals() -> None:
    def history(cost: int, refunded: str = "no") -> str:
        line = Text(
            "history-line", icon="✅", id=3, action=Text("action-imagine"), cost=cost, refunded=refunded, prompt="p"
        )
        return render(line, ENGLISH)

    assert history(1) == "✅ **#3** imagine · 1 credit · p"
    assert history(2) == "✅ **#3** imagine · 2 credits · p"
    assert history(0) == "✅ **#3** imagine · 0 credits · p"
    assert history(2, "yes") == "✅ **#3** imagine · 2 refunded · p"
    assert render(Text("job-cost", cost=1, refunded="no"), ENGLISH) == "**Cost:** 1 credit"
    tier = Text("admin-tier", role="<@&5>", daily=1, running=0)
    assert render(tier, ENGLISH) == "✅ <@&5>: 1 credit a day, unlimited jobs at once."
    granted = Text("admin-granted", amount=1, member="<@8>", total=12345)
    assert render(granted, ENGLISH) == "✅ Granted 1 bonus credit to <@8>; they have 12345 now."


# -- real texts, made by the code ------------------------------------------------------------------
def _upstream_titles() -> list[Text]:
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
        "MJ::JOB::animate_high::1::abc::SOLO",
        "MJ::JOB::animate_low_extend::1::abc",
        "MJ::JOB::video_virtual_upscale::2::abc",
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
        "video::animate::low",
        "video::extend::high",
    ]
    faces = [describe_button(UpstreamButton(cid)) for cid in proxy + acedata]
    faces.append(describe_button(UpstreamButton("MJ::JOB::upsample_v6_2x_subtle::1::abc", label="Redo Upscale")))
    return [face.title for face in faces if face is not None]


def test_job_titles_translate() -> None:
    titles = _upstream_titles()
    assert len(titles) == 36
    for title in [*titles, Text("job-title-describe"), Text("job-title-shorten")]:
        assert chinese(render(title, ZH)), title


def _job(status: JobStatus, **extra: object) -> Job:
    job = Job(7, 42, 1, 2, JobAction.VARY_STRONG, "a red fox", status, 0.0, 0.0, locale=ZH)
    for name, value in extra.items():
        setattr(job, name, value)
    return job


def test_statuses_translate() -> None:
    texts = [_status_text(_job(s, queue_position=3 if s is JobStatus.WAITING else None)) for s in JobStatus]
    texts.append(_status_text(_job(JobStatus.WAITING)))
    words = {t for t in texts if isinstance(t, Text)}
    assert len(words) == 5  # "" and "(0%)" need no words
    for text in words:
        assert chinese(render(text, ZH)), text


def test_job_message_in_chinese() -> None:
    strong = describe_button(UpstreamButton("MJ::JOB::high_variation::1::abc::SOLO"))
    image = describe_button(UpstreamButton("MJ::JOB::upsample::3::abc"))
    assert strong is not None and image is not None
    running = job_content(_job(JobStatus.RUNNING, progress=42, title=strong.title))
    assert running == "**a red fox** - 变体（强烈） · <@42> (42%)"
    waiting = job_content(_job(JobStatus.WAITING, queue_position=2, title=image.title))
    assert waiting == "**a red fox** - 图片 #3 · <@42> (排队中，第 2 位)"
    failed = job_content(_job(JobStatus.FAILED, error=Text("job-not-posted")))
    assert failed.endswith("\n❌ 机器人无法发布这个任务的消息。未扣除任何积分。")
    assert job_content(_job(JobStatus.FAILED)).endswith("\n❌ 任务失败。")
    assert job_content(_job(JobStatus.CANCELLED)).endswith("\n🚫 已取消。")
    english = _job(JobStatus.RUNNING, progress=42, title=strong.title, locale=ENGLISH)
    assert job_content(english) == "**a red fox** - Variations (Strong) by <@42> (42%)"


GUILD, ALICE, BOB = 500, 1, 2


@pytest.fixture
async def accounts(ledger: Ledger) -> Accounts:
    # 20:48 in Shanghai: the credits come back in 3 h 12 min.
    clock = datetime(2026, 3, 1, 12, 48, tzinfo=UTC).timestamp()
    found = Accounts(
        ledger, Defaults(daily_credits=25, user_running=0, user_waiting=0, server_running=0), lambda: clock
    )

    def rules(config: GuildConfig) -> None:
        config.timezone = "Asia/Shanghai"
        config.banned_words = ["bad"]
        config.moderation_strikes = 3
        config.blocked = [BOB]

    await found.change_config(GUILD, rules)
    return found


def _refusal(accounts: Accounts, user_id: int, prompt: str) -> Text:
    with pytest.raises(Refusal) as caught:
        accounts.reserve(Requester(user_id, GUILD, 3), [], JobAction.IMAGINE, [prompt])
    return caught.value.text


async def test_refused_input_in_chinese(accounts: Accounts) -> None:
    reasons: list[Text] = []
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
        reasons.append(caught.value.text)
    reasons.append(_refusal(accounts, BOB, "a cat"))  # blocked
    for _ in range(3):
        reasons.append(_refusal(accounts, ALICE, "a bad cat"))  # a strike, then blocked for the day
    reasons.append(Text("input-blend-count", min=2, max=5, count=1))
    reasons.append(Text("input-too-large", filename="a.png", limit=25))
    for reason in reasons:
        text = render(Text("input-refused", reason=reason), ZH)
        assert text.startswith("❌ ") and text.endswith(" 未提交任何内容。"), text
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"`[^`]*`|UTC|Asia/Shanghai|Midjourney", "", text)), text


async def test_refusal_of_credits_with_the_wait(accounts: Accounts) -> None:
    for i in range(25):
        accounts.reserve(Requester(ALICE, GUILD, 3), [], JobAction.IMAGINE, [f"cat {i}"])
    refusal = _refusal(accounts, ALICE, "one more cat")
    assert render(refusal, ZH) == (
        "你今天的 25 积分已用完，本次需要 1 积分。积分将于 00:00（Asia/Shanghai）恢复，还有 3 小时 12 分钟。"
    )
    assert str(refusal).startswith("You have used your 25 credits for today and this costs 1.")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("daily_credits", "lots"),
        ("cost_grid", "-1"),
        ("moderation_strikes", "x"),
        ("timezone", "Mars/Olympus"),
        ("press_policy", "everyone"),
        ("default_mode", "slow"),
        ("default_bot", "dalle"),
        ("refund_cancelled", "maybe"),
        ("video", "sometimes"),
        ("translate_prompts", "yes"),
        ("colour", "blue"),
    ],
)
def test_admin_setting_errors_translate(name: str, value: str) -> None:
    with pytest.raises(AdminError) as caught:
        apply_setting(GuildConfig(), name, value)
    assert chinese(render(caught.value.text, ZH)), caught.value.text
    assert not chinese(str(caught.value.text))


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
            moderation_strikes=3,
            refund_cancelled=True,
            video=False,
        ),
    ],
)
def test_server_settings_translate(config: GuildConfig) -> None:
    bot = SimpleNamespace(settings=SimpleNamespace(quota_defaults=Defaults(), mj_bot_type="MID_JOURNEY"))
    chinese_lines = describe_config(config, bot, {8: 2}, ZH).split("\n")
    english_lines = describe_config(config, bot, {8: 2}, ENGLISH).split("\n")
    assert len(chinese_lines) == len(english_lines) == 15
    for line in chinese_lines:
        assert chinese(line), line
    for line in english_lines:
        assert not chinese(line), line


def test_server_settings_in_english() -> None:
    """The English rendering is the wording /mjadmin show always had."""
    bot = SimpleNamespace(settings=SimpleNamespace(quota_defaults=Defaults(), mj_bot_type="MID_JOURNEY"))
    config = GuildConfig(
        daily_credits=0, tiers={"5": Tier(10, 0)}, moderation_strikes=0, refund_cancelled=False, translate_prompts=False
    )
    lines = describe_config(config, bot).split("\n")
    assert lines[0] == "**Server settings**"
    assert lines[1].startswith("Daily credits: no limit · running per member: ")
    assert lines[1].endswith(" (default)")
    assert "mode: API default · bot: MID_JOURNEY" in lines[3]
    assert lines[4] == "Role tiers: <@&5> 10/day, ∞ running"
    assert lines[6] == "Channels: all"
    assert lines[9] == "Moderation strikes before a day's block: off"
    assert lines[10] == "Cancelled jobs refunded: off"
    assert lines[11] == "Video (Animate, Extend, video U1–U4): on"
    assert lines[12] == "Prompts translated by the API: off"
    assert lines[13] == "Strikes today: none"
    assert lines[14] == "**Showcase channel:** none"


def _inner(child: discord.ui.Item[Any]) -> Any:
    """The button or menu inside a DynamicItem."""
    return cast(Any, child).item


async def test_history_in_chinese() -> None:
    jobs = [
        Job(3, 42, 1, 2, JobAction.IMAGINE, "a red fox", JobStatus.SUCCEEDED, 0, 0, message_id=9, cost=1),
        Job(4, 42, 1, 2, JobAction.UPSCALE_HD, "a cat", JobStatus.FAILED, 0, 0, cost=2, refunded=True),
    ]

    async def history(guild_id: int, user_id: int, *, offset: int, limit: int) -> list[Job]:
        return jobs[offset : offset + limit]

    bot = SimpleNamespace(jobs=SimpleNamespace(accounts=SimpleNamespace(history=history)))
    text, view = await history_page(bot, 1, 42, 0, ZH)
    assert text.split("\n") == [
        "**你的任务**（第 1 页）",
        "✅ **#3** 想象 · 1 积分 · a red fox https://discord.com/channels/1/2/9",
        "❌ **#4** 高清放大 · 已退还 2 积分 · a cat",
    ]
    labels = [_inner(child).label for child in view.children]
    assert labels == ["◀ 较新", "较早 ▶"]
    english, _ = await history_page(bot, 1, 42, 0, ENGLISH)
    assert english.split("\n")[1:] == [
        "✅ **#3** imagine · 1 credit · a red fox https://discord.com/channels/1/2/9",
        "❌ **#4** upscale_hd · 2 refunded · a cat",
    ]
    empty, _ = await history_page(bot, 1, 42, 1, ZH)
    assert empty == "没有更多任务了。"


def test_region_picker_in_chinese() -> None:
    text, view = region_picker(7, 0, {0, 4}, ZH)
    assert text.split("\n")[0] == "🖌️ **Vary (Region)** — 选择图片中要重绘的区域（图片按 3×3 九宫格划分）。"
    assert text.split("\n")[-1] == "已选：左上, 正中。"
    assert region_picker(7, 0, set(), ZH)[0].endswith("已选：尚未选择。")
    select = _inner(view.children[0])
    assert [o.label for o in select.options] == [render(c, ZH) for c in CELL_NAMES]
    assert select.placeholder == "选择要重绘的区域"
    assert [_inner(child).label for child in view.children[1:]] == ["重绘", "修改提示词…"]
    english, _ = region_picker(7, 0, {0}, ENGLISH)
    assert english.endswith("Chosen: Top left.")


def test_settings_panel_in_chinese() -> None:
    mine = Preference("relax", None, True, "--ar 2:3")
    host: Any = SimpleNamespace(
        preferences=SimpleNamespace(of=lambda guild, user: mine),
        jobs=SimpleNamespace(
            accounts=SimpleNamespace(cached_config=lambda guild: GuildConfig(default_bot="NIJI_JOURNEY"))
        ),
        settings=SimpleNamespace(mj_mode=None, mj_bot_type="MID_JOURNEY", mj_default_version="8.1"),
    )
    text, view = settings_panel(host, 1, 42, ZH)
    assert text.split("\n")[1:] == [
        "**模式：** 慢速 (Relax)",
        "**机器人：** 服务器默认：Niji（动漫风格）",
        "**版本：** 服务器默认：8.1",
        "**Remix：** 开启（变体、重新生成和平移会先让你修改提示词）",
        "**后缀：** `--ar 2:3`",
    ]
    modes, bots, versions, remix, suffix = (_inner(child) for child in view.children)
    assert [o.value for o in versions.options] == ["8.1", "8", "7", "6.1", "default"]
    assert [o.label for o in modes.options] == ["快速 (Fast)", "慢速 (Relax)", "极速 (Turbo)", "服务器默认：API 默认"]
    assert [o.value for o in modes.options if o.default] == ["relax"]
    assert [o.value for o in bots.options if o.default] == ["default"]
    assert (remix.label, suffix.label) == ("关闭 Remix", "后缀…")
    english, _ = settings_panel(host, 1, 42, ENGLISH)
    assert english.split("\n")[1] == "**Mode:** Relax"


def test_account_lines_translate() -> None:
    lines = {
        Text("quota-left", left=3, daily=25): "**今日剩余积分：** 3 / 25",
        Text("quota-left-unlimited"): "**今日剩余积分：** 不限",
        Text("quota-jobs", running=1, running_limit=3, waiting=0, waiting_limit=0): (
            "**进行中的任务：** 1 / 3 · **排队中：** 0"
        ),
        Text("quota-jobs", running=1, running_limit=0, waiting=2, waiting_limit=10): (
            "**进行中的任务：** 1 · **排队中：** 2 / 10"
        ),
        Text("quota-jobs", running=1, running_limit=3, waiting=2, waiting_limit=10): (
            "**进行中的任务：** 1 / 3 · **排队中：** 2 / 10"
        ),
        Text("quota-reset", reset=1767225600): "**每日积分恢复于** <t:1767225600:t>（<t:1767225600:R>）",
        Text("job-heading-titled", id=12, action=action_text(JobAction.UPSCALE), title=_upstream_titles()[0]): (
            "**任务 #12** · 放大 · 图片 #2"
        ),
        Text("job-owner-running", user_id=42, icon="🔄", status=status_text(JobStatus.RUNNING), progress=40): (
            "**发起人** <@42> · 🔄 进行中（40%）"
        ),
        Text("job-cost", cost=2, refunded="yes"): "**花费：** 2 积分（已退还）",
        Text("admin-tier", role="<@&5>", daily=0, running=2): "✅ <@&5>：每日积分不限，最多同时进行 2 个任务。",
        Text("admin-unblocked", member="<@8>"): "✅ 已解封 <@8>。",
        Text("error-unexpected", id="3fa2c1"): (
            "机器人这边出了点问题。请重试；如果问题持续出现，请告诉服务器管理员（错误编号 3fa2c1）。"
        ),
    }
    for text, expected in lines.items():
        assert render(text, ZH) == expected
    assert render(Text("quota-jobs", running=1, running_limit=0, waiting=2, waiting_limit=10), ENGLISH) == (
        "**Jobs running:** 1 · **waiting:** 2 of 10"
    )


def test_upstream_failures_translate() -> None:
    reasons = (None, "", "Banned prompt detected", "task timeout", "无可用账号", "实例不可用", "任务失败，请重试",
               "Pending mod message", "当前分组 default 下对于模型 mj_imagine 无可用渠道", "队列已满", "额度不足",
               "账号已被临时封锁", "something new")  # fmt: skip
    for reason in reasons:
        _, message = failure_message(reason)
        assert chinese(render(message, ZH)), message
        _, refusal = refusal_message(reason or "", UNKNOWN_JOB)
        assert chinese(render(refusal, ZH)), refusal


def test_prompts_and_links_stay_as_they_are() -> None:
    for text in ("a cat in a hat --ar 16:9", "https://example.com/a.png", "```\nprompt\n```"):
        assert render(text, ZH) == text
    assert render(Text.verbatim("Upscale (Subtle)"), ZH) == "Upscale (Subtle)"


# -- slash commands --------------------------------------------------------------------------------
def _command_strings() -> tuple[set[str], set[str], set[str]]:
    """(command and group names, option names, descriptions and choice names) of every cog."""
    names: set[str] = set()
    options: set[str] = set()
    texts: set[str] = set()
    for cog in (Generation, Describe, Edit, Account, MJAdmin, Prefer, MemberSettings, GalleryFeature):
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


def _zh(english: str) -> str:
    return render(Text(command_keys()[english]), ZH)


def test_every_command_text_has_chinese() -> None:
    names, _, texts = _command_strings()
    assert not (names | texts) - set(command_keys()), "missing from commands.ftl"
    assert not set(command_keys()) - (names | texts), "in commands.ftl but not in any command"


def test_command_keys_are_unique() -> None:
    """Each English string has one key: the translator finds the key by the English."""
    keys = [k for k in catalog(ENGLISH) if k.startswith(("cmd-", "opt-", "choice-"))]
    assert len(keys) == len(command_keys())
    assert set(keys) == set(_keys_of(LOCALES / ENGLISH / "commands.ftl"))


def test_command_names_follow_discord_rules() -> None:
    names, options, _ = _command_strings()
    for english in (names | options) & set(command_keys()):
        chinese_name = _zh(english)
        assert NAME_RULE.match(chinese_name), chinese_name
        assert chinese_name == chinese_name.lower(), chinese_name
    top = [
        _zh(n)
        for n in ("imagine", "blend", "describe", "shorten", "show", "quota", "history", "job", "mjadmin", "prefer",
                  "settings", "gallery")
    ]  # fmt: skip
    assert len(set(top)) == len(top)
    subcommands = [_zh(c.name) for c in MJAdmin.__cog_app_commands__]
    assert len(set(subcommands)) == len(subcommands)


def test_command_descriptions_fit() -> None:
    _, _, texts = _command_strings()
    for english in texts:
        assert 1 <= len(_zh(english)) <= 100, english
    assert _zh("imagine") == "想象" and _zh("mjadmin") == "绘图管理"


async def test_translator() -> None:
    translator = CommandTranslator()
    context: Any = SimpleNamespace(location=None, data=None)
    chinese_ = await translator.translate(app_commands.locale_str("imagine"), discord.Locale.chinese, context)
    assert chinese_ == "想象"
    describe = app_commands.locale_str("Your recent jobs")
    assert await translator.translate(describe, discord.Locale.chinese, context) == "你最近的任务"
    assert await translator.translate(describe, discord.Locale.french, context) is None
    unknown = app_commands.locale_str("Not a command text")
    assert await translator.translate(unknown, discord.Locale.chinese, context) is None
