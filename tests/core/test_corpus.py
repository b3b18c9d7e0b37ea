"""Every real answer in shared/realdata/corpus.jsonl, replayed through the provider that would receive it.

Each entry must go through without an exception, to the outcome decided for it below (what the
member is told, or what the bot does next). The corpus lives beside the project (`../shared`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.core.buttons import describe_button
from bot.core.errors import ProviderError
from bot.core.models import ImagineRequest, JobStatus, ReferenceImage, TaskSnapshot, UpstreamButton
from bot.core.providers.acedata import AceDataProvider, parse_callback, parse_response, parse_task_item
from bot.core.providers.proxy import ProxyProvider, parse_task
from bot.core.reasons import failure_message
from tests.helpers import ROOT

CORPUS = ROOT.parent / "shared" / "realdata" / "corpus.jsonl"
ENTRIES = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]

# What the bot makes of each entry: "accepted", "needs input", "follow task" (an existing task),
# "error <kind>: <words in the member's message>", "<status> ...", or a count of buttons/tasks.
EXPECTED: dict[str, str] = {
    "nz-submit-code1": "accepted 8498455807619990",
    "nz-submit-code21-existed": "follow task 0741798445574458",
    "nz-submit-code22-queued": "accepted 0741798445574458 queue 1",
    "nz-submit-code23-queue-full": "error busy: queue is full",
    "nz-submit-code24-banned": "error moderation: banned word: nude",
    "nz-describe-success": "succeeded 4 prompts",
    "nz-callback-success": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "na-144-fetch-success": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ta-55-list-in-progress": "running 32",
    "chatany-29-failure-invalid-form-body": "failed failed: Invalid Form Body",
    "nz-pr162-failure-fragment": "not a task",
    "nz-39-list-not-start": "not a task",
    "dmx-submit-properties-null": "accepted 1755752048939155",
    "hub-submit-result-number": "accepted 1320098173412546",
    "dmx-fetch-fragment": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "anyapi-fetch-success-pig": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ta-upscale-buttons": "faces Upscale (Subtle) Upscale (Creative) Vary (Subtle) Vary (Strong) Vary (Region)"
    " Zoom Out 2x Zoom Out 1.5x Custom Zoom ⬅️ ➡️ ⬆️ ⬇️",
    "ta-submit-code21-modal": "needs input 1712205499990001",
    "na-submit-code21-rewritten": "accepted 1712205499990002",
    "ta-task-modal": "needs_input",
    "ta-failure-sensitive-word": "failed moderation: moderation refused",
    "ta-failure-exec-timeout": "failed timeout: timed out upstream",
    "ta-failure-instance-unavailable": "failed unavailable: account became unavailable",
    "ta-failure-credits-exhausted": "failed failed: out of fast hours",
    "ta-failure-pending-mod": "failed config: a server admin should check it",
    "nz-failure-task-timeout": "failed timeout: timed out upstream",
    "nz-failure-invalid-parameter": "failed failed: It said: “[Invalid parameter]",
    "ta-submit-code3-no-account": "error unavailable: no Midjourney account free",
    "ta-submit-code9-queue-full": "error busy: at its limit",
    "ta-logic-exception-concurrency": "error busy: at its limit",
    "ta-401-plain-text": "error auth: MJ_API_KEY",
    "na-fetch-just-submitted": "queued",
    "na-fetch-in-progress": "running 57",
    "na-fetch-upstream-timeout": "failed timeout: timed out upstream",
    "na-error-upstream-quota": "error rejected: quota_not_enough",
    "na-error-no-channel-503": "error config: no channel for mj_imagine",
    "na-error-invalid-token-401": "error auth: MJ_API_KEY",
    "na-error-group-saturated-429": "error busy: at its limit",
    "na-spa-index-200": "error config: web page",
    "nginx-502-html": "error unavailable: HTTP 502",
    "nginx-504-html": "error timeout: timed out",
    "ace-imagine-sync-grid": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-imagine-sync-variation": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-imagine-sync-upscale": "succeeded buttons Upscale (2x) Upscale (4x) Vary (Subtle) Vary (Strong)",
    "ace-imagine-sync-image-prompt": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-imagine-sync-blend": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-imagine-sync-region": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-callback-success": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-callback-failure": "failed failed: Unrecognized argument(s)",
    "ace-ndjson-line1": "running 35",
    "ace-ndjson-line2": "running 75",
    "ace-ndjson-line3": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-tasks-retrieve": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-tasks-retrieve-batch": "tasks 2 succeeded succeeded",
    "ace-error-api-error-fetch-failed": "error unavailable: internal error",
    "ace-async-task-id": "accepted b8b7fdc2-628e-40dd-bc0c-671c3ddac9e9",
    "ace-describe": "succeeded 4 prompts",
    "ace-oas-400-bad-request": "error rejected: The json payload is not valid",
    "ace-oas-401-invalid-token": "error auth: MJ_API_KEY",
    "ace-oas-403-forbidden": "error moderation: moderation refused",
    "ace-oas-429": "error busy: rate limiting",
    "ace-oas-500": "error unavailable: internal error",
    "ace-oas-504-timeout": "error timeout: timed out",
    "ace-oas-200-example": "succeeded buttons U1 U2 U3 U4 🔄 V1 V2 V3 V4",
    "ace-mcp-item-pending": "queued",
    "ace-mcp-item-failed-bare": "failed failed: the task failed upstream",
    "ace-mcp-item-failed-error": "failed failed: invalid input",
    "ace-mcp-item-success-minimal": "succeeded buttons U1 U2",  # the only actions it offers
    "ace-mcp-imagine-split": "succeeded buttons U1 U2 U3 U4 V1 🔄",  # its own order; rows are laid out later
}


def respond(entry: dict[str, Any]) -> httpx.MockTransport:
    body = entry["body"]
    content = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    headers = {"content-type": entry.get("content_type") or "application/json"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(entry["status_code"], content=content.encode(), headers=headers)

    return httpx.MockTransport(handler)


def snapshot_outcome(snap: TaskSnapshot | None) -> str:
    if snap is None:
        return "not a task"
    if snap.status is JobStatus.FAILED:
        kind, message = failure_message(snap.fail_reason, snap.fail_kind)
        return f"failed {kind.value}: {message}"
    if snap.status is JobStatus.SUCCEEDED:
        if snap.descriptions:
            return f"succeeded {len(snap.descriptions)} prompts"
        faces = [describe_button(b) for b in snap.buttons]
        return "succeeded buttons " + " ".join(f.label or f.emoji or "" for f in faces if f)
    if snap.status is JobStatus.RUNNING:
        return f"running {snap.progress}"
    return snap.status.value


async def replay(entry: dict[str, Any]) -> str:
    endpoint, body = entry["endpoint"], entry["body"]
    async with httpx.AsyncClient(transport=respond(entry)) as http:
        try:
            if entry["dialect"] == "acedata":
                return await replay_acedata(entry, http)
            if entry["kind"] == "buttons-upscale":
                faces = [describe_button(UpstreamButton.from_json(b)) for b in body]
                return "faces " + " ".join(f.label or f.emoji or "" for f in faces if f)
            if endpoint.startswith(("POST /mj/submit", "any")):
                provider = ProxyProvider(http, "http://api.test")
                if endpoint.endswith("/action"):
                    result = await provider.action("1711217942120945", "MJ::JOB::variation::1::abc")
                else:
                    result = await provider.imagine(ImagineRequest("a cat"))
                if result.needs_input:
                    return f"needs input {result.task_id}"
                if entry["kind"] == "submit-existed":
                    return f"follow task {result.task_id}"
                queue = f" queue {result.queue_position}" if result.queue_position else ""
                return f"accepted {result.task_id}{queue}"
            if isinstance(body, list):
                return " | ".join(snapshot_outcome(parse_task(item)) for item in body)
            return snapshot_outcome(parse_task(body))
        except ProviderError as error:
            return f"error {error.kind.value}: {error.text}"


async def replay_acedata(entry: dict[str, Any], http: httpx.AsyncClient) -> str:
    kind, endpoint, body = entry["kind"], entry["endpoint"], entry["body"]
    provider = AceDataProvider(http, "http://api.test", api_key="k", stream=False)
    if kind == "ndjson-line":
        return snapshot_outcome(parse_response(body))
    if endpoint.startswith("callback_url"):
        return snapshot_outcome(parse_callback(body))
    if kind.startswith("task-item"):
        return snapshot_outcome(parse_task_item(body))
    if kind == "task-batch":
        found = await provider.fetch_many([str(i["id"]) for i in body["items"]])
        return f"tasks {len(found)} " + " ".join(s.status.value for s in found.values())
    if endpoint.startswith("POST /midjourney/tasks"):
        if entry["status_code"] == 200:
            return snapshot_outcome(parse_task_item(body))
        await provider.fetch_many(["t"])
        return "no error"
    if endpoint.startswith("POST /midjourney/describe"):
        result = await provider.describe(ReferenceImage(b"x", "image/png", url="https://cdn.test/x.png"))
        return snapshot_outcome(result.snapshot)
    result = await provider.imagine(ImagineRequest("a cat"))
    if result.snapshot is not None:
        return snapshot_outcome(result.snapshot)
    return f"accepted {result.task_id}"


def test_every_entry_has_a_decided_outcome() -> None:
    assert len(ENTRIES) == 69
    assert sorted(EXPECTED) == sorted(e["id"] for e in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
async def test_replay(entry: dict[str, Any]) -> None:
    outcome = await replay(entry)
    expected = EXPECTED[entry["id"]]
    head, _, words = expected.partition(": ")
    assert outcome.startswith(head), outcome
    assert words in outcome, outcome
