"""The core's counters: credits count only when their transaction commits; API requests are timed by a fixed
list of endpoints (task ids folded), failures counted by reason."""

from __future__ import annotations

import httpx
import pytest

from bot.core import metrics
from bot.core.accounts import Accounts
from bot.core.ledger import Ledger
from bot.core.lifecycle import IllegalTransition
from bot.core.metered_http import MAX_ENDPOINTS, MeteredTransport
from bot.core.models import JobAction, JobStatus, Requester
from bot.core.quota import add_entry
from tests.helpers import NO_LIMITS


def credits(kind: str) -> float:
    return metrics.REGISTRY.get_sample_value("mjbot_credits_total", {"kind": kind}) or 0.0


async def test_credits_count_once_committed_never_when_rolled_back(ledger: Ledger) -> None:
    before = credits("grant")
    await Accounts(ledger, NO_LIMITS).grant(guild_id=5, user_id=6, amount=4, actor_id=7)
    assert credits("grant") == before + 4
    with pytest.raises(RuntimeError):
        async with ledger.transaction() as db:
            await add_entry(db, guild_id=5, user_id=6, kind="grant", pool="bonus", amount=9, day="2026-01-01", now=1)
            raise RuntimeError("the transaction fails after the entry was written")
    assert credits("grant") == before + 4  # rolled back: not counted
    rows = await ledger.storage.fetch_all("SELECT amount FROM credit_entries WHERE kind = 'grant'")
    assert [r[0] for r in rows] == [4]


def test_endpoints_stay_a_bounded_list_whatever_links_the_api_gives() -> None:
    transport = MeteredTransport(httpx.MockTransport(lambda r: httpx.Response(200)), "http://api.test")
    names = {transport.endpoint(httpx.URL(f"http://api.test/files/{word}/view")) for word in ("a", "b") * 3}
    assert names == {"/files/a/view", "/files/b/view"}
    many = {transport.endpoint(httpx.URL(f"http://api.test/{chr(97 + i % 26) * (1 + i // 26)}")) for i in range(200)}
    assert len(many) == MAX_ENDPOINTS - 2 + 1 and "other" in many


async def test_api_requests_are_timed_by_endpoint_and_failures_counted() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if "broken" in request.url.path:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(500 if "fail" in request.url.path else 200, json={})

    transport = MeteredTransport(httpx.MockTransport(answer), "http://api.test/v1")
    assert transport.endpoint(httpx.URL("http://api.test/v1/mj/task/1733459/fetch")) == "/mj/task/{id}/fetch"
    assert transport.endpoint(httpx.URL("http://cdn.test/v1/mj/task/1/fetch")) is None  # not the API
    assert transport.endpoint(httpx.URL("http://api.test/other")) is None
    assert transport.endpoint(httpx.URL("http://api.test/v1/mj/image/abc.png")) == "/mj/image/{id}"
    assert transport.endpoint(httpx.URL("http://api.test/v1/mj/task/list-by-condition")) == "/mj/task/list-by-condition"

    def count(name: str, **labels: str) -> float:
        return metrics.REGISTRY.get_sample_value(name, labels) or 0.0

    seen = count("mjbot_api_request_seconds_count", endpoint="/mj/task/{id}/fetch")
    failed = count("mjbot_api_errors_total", endpoint="/mj/submit/fail", reason="500")
    broken = count("mjbot_api_errors_total", endpoint="/mj/broken", reason="ConnectError")
    async with httpx.AsyncClient(transport=transport) as http:
        await http.get("http://api.test/v1/mj/task/42/fetch")
        await http.get("http://api.test/v1/mj/submit/fail")
        with pytest.raises(httpx.ConnectError):
            await http.get("http://api.test/v1/mj/broken")
        await http.get("http://cdn.test/image.png")
    assert count("mjbot_api_request_seconds_count", endpoint="/mj/task/{id}/fetch") == seen + 1
    assert count("mjbot_api_errors_total", endpoint="/mj/submit/fail", reason="500") == failed + 1
    assert count("mjbot_api_errors_total", endpoint="/mj/broken", reason="ConnectError") == broken + 1
    assert metrics.REGISTRY.get_sample_value("mjbot_api_request_seconds_count", {"endpoint": "/image.png"}) is None


def finished(state: str, action: str = "upscale") -> float:
    labels = {"action": action, "mode": "default", "state": state}
    return metrics.REGISTRY.get_sample_value("mjbot_jobs_finished_total", labels) or 0.0


async def test_jobs_count_once_when_they_finish_or_are_written_finished(ledger: Ledger) -> None:
    who = Requester(user_id=1, guild_id=2, channel_id=3)
    succeeded, failed = finished("succeeded"), finished("failed", "imagine")
    job = await ledger.create_job(who, provider="proxy", action=JobAction.IMAGINE, prompt="p")
    await ledger.transition(job.id, JobStatus.FAILED)
    assert finished("failed", "imagine") == failed + 1
    with pytest.raises(IllegalTransition):
        await ledger.transition(job.id, JobStatus.FAILED)
    assert finished("failed", "imagine") == failed + 1

    copy = {"provider": "proxy", "action": JobAction.UPSCALE, "prompt": "p", "status": JobStatus.SUCCEEDED}
    await ledger.create_job(who, **copy)  # a free copy of an upscale: written finished, never moves
    assert finished("succeeded") == succeeded + 1
    with pytest.raises(RuntimeError):
        async with ledger.transaction() as db:
            await ledger.insert_job(db, who, **copy)
            raise RuntimeError("rolled back")
    assert finished("succeeded") == succeeded + 1
