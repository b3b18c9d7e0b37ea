"""Messages as keys and arguments: kept in the ledger, scrubbed, and old English rows still shown."""

from __future__ import annotations

from pathlib import Path

from bot.core.errors import ErrorKind, ProviderError
from bot.core.ledger import Ledger
from bot.core.models import JobAction, JobStatus, Requester
from bot.core.redact import redact_text, register_secret
from bot.core.text import Text
from bot.i18n import render

ALICE = Requester(user_id=11, guild_id=22, channel_id=33)


def test_a_text_survives_its_json_with_nested_arguments() -> None:
    inner = Text("refusal-banned-word", word="nude")
    text = Text("refusal-and-strike", reason=inner, strikes=2, limit=3)
    assert Text.from_stored(text.to_json()) == text
    assert str(text) == "Your prompt contains a word this server does not allow: `nude`. Strike 2 of 3 today."
    assert render(text, "zh-CN") == "你的提示词包含本服务器禁止使用的词：`nude`。 这是你今天第 2 次违规（上限 3 次）。"


def test_stored_values_that_are_not_texts_show_as_they_were_written() -> None:
    for old in ("The job failed.", "{not json", '{"key": 5}', "{}"):
        assert Text.from_stored(old) == Text.verbatim(old)
        assert render(Text.from_stored(old), "zh-CN") == old


def test_numbers_keep_their_digits_and_plurals_follow_them() -> None:
    assert str(Text("upstream-internal-error", status=502)).endswith("(HTTP 502). Try again later.")
    one = Text(
        "refusal-credits-short", cost=1, left=0, time="08:00", timezone="UTC", wait=Text("wait", hours=0, minutes=5)
    )
    many = Text(
        "refusal-credits-short", cost=1500, left=3, time="08:00", timezone="UTC", wait=Text("wait", hours=2, minutes=5)
    )
    assert str(one).startswith("This costs 1 credit and") and "(in 5 min)" in str(one)
    assert str(many).startswith("This costs 1500 credits and") and "(in 2 h 5 min)" in str(many)


def test_an_unknown_key_renders_as_the_key_not_a_crash(caplog) -> None:
    assert render(Text("no-such-message"), "zh-CN") == "no-such-message"
    assert "no-such-message" in caplog.text


def test_secrets_inside_arguments_are_masked() -> None:
    register_secret("sk-live-0123456789abcdef")
    said = Text("upstream-failed-said", reason="bad key sk-live-0123456789abcdef")
    wrapped = redact_text(Text("refusal-and-strike", reason=said, strikes=1, limit=3))
    assert "0123456789abcdef" not in str(wrapped) and "[redacted]" in str(wrapped)


def test_an_error_logs_in_english_with_its_detail() -> None:
    error = ProviderError(ErrorKind.AUTH, Text("upstream-key-refused"), detail="/mj/submit/imagine: HTTP 401")
    assert str(error) == (
        "The image service refused the bot's API key. A server admin needs to check MJ_API_KEY."
        " (/mj/submit/imagine: HTTP 401)"
    )


async def test_the_ledger_keeps_texts_and_shows_old_english_rows(tmp_path: Path) -> None:
    ledger = await Ledger.open(tmp_path / "l.sqlite3")
    try:
        job = await ledger.create_job(ALICE, provider="proxy", action=JobAction.UPSCALE, prompt="p",
                                      title=Text("title-image", n=2))  # fmt: skip
        reason = Text("upstream-failed-said", reason="实例不可用 “x”")
        await ledger.transition(job.id, JobStatus.FAILED, error=reason)
        stored = await ledger.get(job.id)
        assert stored is not None and stored.error == reason and stored.title == Text("title-image", n=2)
        # A row written by a version that stored English sentences.
        async with ledger.transaction() as db:
            await db.execute(
                "UPDATE jobs SET error = ?, title = ? WHERE id = ?", ("The job failed.", "Image #2", job.id)
            )
        old = await ledger.get(job.id)
        assert old is not None and old.error is not None and old.title is not None
        assert (render(old.error, "zh-CN"), render(old.title, "zh-CN")) == ("The job failed.", "Image #2")
    finally:
        await ledger.close()
