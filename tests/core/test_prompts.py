"""Prompts checked before paying: control characters, stacked marks, Midjourney's parameters; and a fuzz run."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import InvalidInput
from bot.core.images import check_reference_image
from bot.core.prompts import checked_prompt, clean


def test_control_characters_go_and_joiners_stay() -> None:
    assert clean("a\x00 cat\x07 in\u200b the\u202e sun") == "a cat in the sun"
    assert clean("👨\u200d👩\u200d👧 family") == "👨\u200d👩\u200d👧 family"
    assert clean("line one\nline two\ttab") == "line one line two tab"


@pytest.mark.parametrize(
    "prompt",
    [
        "a red fox --ar 3:2 --v 6.1",
        "a fox —ar 16:9 --chaos 40 --stylize 250 --seed 42",  # iOS turns -- into —
        "a castle --zoom 1.5",
        "portrait --niji 6 --style raw --q .5",
        "city --no cars people --tile",
        "a cat --sref https://example.com/a.png --sw 300 --p",
        "ảnh đẹp trời",  # Vietnamese: two marks on one letter
        "สวัสดีครับ",
        "一只猫 --ar 1:1",
    ],
)
def test_good_prompts_pass(prompt: str) -> None:
    assert checked_prompt(prompt) == clean(prompt)


@pytest.mark.parametrize(
    ("prompt", "reason"),
    [
        ("", "empty"),
        ("--ar 999:1", "not valid"),
        ("--ar 3:2", "only parameters"),
        ("a cat --ar 0:1", "not valid"),
        ("a cat --ar 3.5:2", "not valid"),
        ("a cat --chaos 101", "0 to 100"),
        ("a cat --stylize -5", "0 to 1000"),
        ("a cat --weird 9999", "0 to 3000"),
        ("a cat --iw 5", "0 to 3"),
        ("a cat --seed 99999999999", "4294967295"),
        ("a cat --q 3", "0.25, 0.5"),
        ("a cat --v 9", "one of"),
        ("a cat --niji 2", "4, 5, 6 or 7"),
        ("a cat --bogus 3", "not a Midjourney parameter"),
        ("a cat --zoom 3", "1.0 to 2.0"),
        ("Z\u0351\u0308\u0300\u0301\u0302\u0303algo", "stacked accent marks"),
        ("x" * 1501, "limit is 1500"),
    ],
)
def test_bad_prompts_are_refused_with_the_reason(prompt: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_prompt(prompt)
    assert reason in str(refused.value.text)


def test_an_image_prompt_may_be_parameters_only() -> None:
    assert checked_prompt("--ar 3:2", has_images=True) == "--ar 3:2"


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_fuzzed_prompts_are_sent_clean_or_refused(text: str) -> None:
    try:
        sent = checked_prompt(text)
    except InvalidInput as refused:
        assert str(refused.text)
        return
    assert sent and len(sent) <= 1500
    assert not any(ch in sent for ch in "\x00\x01\x1b\u202e\u200b")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2048))
def test_fuzzed_attachments_are_images_or_refused(data: bytes) -> None:
    try:
        checked = check_reference_image(data, "upload.png", 1024 * 1024)
    except InvalidInput as refused:
        assert "upload.png" in str(refused.text)
        return
    assert checked.content_type.startswith("image/")
