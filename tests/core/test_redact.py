"""Secrets out of every text: configured ones and anything shaped like a credential."""

from __future__ import annotations

import pytest

from bot.core.errors import clip
from bot.core.redact import MASK, redact, register_secret


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("invalid token sk-abcDEF1234567890xyz", "sk-abcDEF1234567890xyz"),
        ("Authorization: Bearer abc.def-123456", "abc.def-123456"),
        ("bearer s3cr3tT0ken", "s3cr3tT0ken"),
        ("MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz12345 leaked", "GhIjKl.abcdefghij"),
        ('{"api_key": "hunter2hunter2"}', "hunter2hunter2"),
        ("token=abcdef123456&x=1", "abcdef123456"),
        ("mj-api-secret: 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.abcdefghijk", "eyJhbGciOiJIUzI1NiJ9"),
    ],
)
def test_credential_shapes_are_masked(text: str, gone: str) -> None:
    out = redact(text)
    assert gone not in out and MASK in out


def test_registered_secrets_are_masked_wherever_they_appear() -> None:
    register_secret("plain-key-without-shape")
    assert redact("the key plain-key-without-shape is wrong") == f"the key {MASK} is wrong"
    assert "plain-key-without-shape" not in clip("x " * 10 + "plain-key-without-shape")


def test_ordinary_text_is_left_alone() -> None:
    for text in ("a cat --ar 3:2 --sk 4", "任务失败，请重试", "token of appreciation", "Bearer of good news"):
        assert redact(text) == text
