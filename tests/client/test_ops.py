"""The operator's endpoints against the running bot (`python -m bot`): liveness that never depends on Discord,
readiness that follows the gateway, the ledger and the API, and Prometheus metrics of real jobs."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.client.web import WebServer
from tests.fakes.discord_server import DEFAULT_USER_ID, GUILD_ID, FakeDiscord
from tests.helpers import TOKEN, bot_env, free_port, start_bot, wait_final

pytestmark = pytest.mark.e2e


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def status(http: httpx.AsyncClient, path: str) -> int | None:
    try:
        return (await http.get(path)).status_code
    except httpx.TransportError:
        return None


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_live_stays_up_while_discord_goes_down_and_ready_follows(tmp_path: Path) -> None:
    port = free_port()
    async with FakeDiscord() as fake, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
        env = bot_env(
            fake, OPS_PORT=str(port), SIMULATOR_SPEED="8", LOG_FORMAT="json", DATABASE_PATH=str(tmp_path / "bot.db")
        )
        log = tmp_path / "bot.log"
        proc = await start_bot(env, log)
        try:
            await fake.wait_ready(timeout=30)
            await until(lambda: _is(http, "/health/ready", 200))
            assert (await http.get("/health/live")).json() == {"live": True}
            ready = (await http.get("/health/ready")).json()
            assert ready == {"ready": True, "checks": {"gateway": "connected", "ledger": "answers", "api": "answers"}}
            doctor = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "doctor", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE
            )
            out = (await asyncio.wait_for(doctor.communicate(), 60))[0].decode()
            assert f"http://127.0.0.1:{port}: a running bot answers, live and ready" in out, out

            grid_id = (await fake.invoke_slash("imagine", {"prompt": "a lighthouse"})).response_message_id
            assert grid_id is not None
            await wait_final(fake, grid_id, timeout=30)
            refused = await fake.invoke_slash("imagine", {"prompt": "a lighthouse --chaos 999"})
            assert refused.response_message_id is not None
            await until(lambda: _has_metric(http, "mjbot_jobs_finished_total"))
            figures = samples((await http.get("/metrics")).text)
            assert figures["mjbot_jobs_finished_total", (("action", "imagine"), ("mode", "default"),
                                                         ("state", "succeeded"))] == 1  # fmt: skip
            assert figures["mjbot_credits_total", (("kind", "charge"),)] == 1
            assert ("mjbot_credits_total", (("kind", "refund"),)) not in figures
            assert figures["mjbot_api_request_seconds_count", (("endpoint", "/mj/submit/imagine"),)] == 1
            assert figures["mjbot_api_request_seconds_count", (("endpoint", "/mj/task/list-by-condition"),)] >= 1
            assert figures["mjbot_status_polls_total", ()] >= 1
            assert figures["mjbot_poll_interval_seconds", ()] == 0.2
            assert figures["mjbot_queue_depth", ()] == 0 and figures["mjbot_jobs_in_flight", ()] == 0
            assert figures["mjbot_gateway_connected", ()] == 1
            assert 0 <= figures["mjbot_gateway_latency_seconds", (("shard", "0"),)] < 5
            assert figures["process_resident_memory_bytes", ()] > 0

            await fake.stop()  # Discord's outage: REST and gateway gone
            await until(lambda: _is(http, "/health/ready", 503))
            assert (await http.get("/health/ready")).json()["checks"]["gateway"] == "not connected"
            for _ in range(5):
                assert await status(http, "/health/live") == 200
                await asyncio.sleep(0.2)
            assert samples((await http.get("/metrics")).text)["mjbot_gateway_connected", ()] == 0

            await fake.start()  # back, on the same address: the bot resumes
            await until(lambda: _is(http, "/health/ready", 200), timeout=60)
            assert await status(http, "/health/live") == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 20) == 0, log.read_text()[-3000:]
    assert TOKEN not in log.read_text()
    lines = [json.loads(text) for text in log.read_text().splitlines()]  # LOG_FORMAT=json: every line parses
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line.get("job_id") == 1 and "accepted as upstream task" in line["message"] for line in lines)
    refusal = next(line for line in lines if line["message"].startswith("input refused"))
    assert (refusal["guild_id"], refusal["member_id"]) == (GUILD_ID, DEFAULT_USER_ID)
    assert any(line["level"] == "error" and "exception" in line for line in lines)  # the outage, one object each


async def test_live_answers_before_discord_can_be_reached(tmp_path: Path) -> None:
    port, closed = free_port(), free_port()
    async with FakeDiscord() as fake:
        env = bot_env(fake, OPS_PORT=str(port), STARTUP_RETRY_SECONDS="20", DATABASE_PATH=str(tmp_path / "db"))
    env["DISCORD_API_BASE"] = f"http://127.0.0.1:{closed}/api/v10"  # nothing listens there
    log = tmp_path / "bot.log"
    proc = await start_bot(env, log)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            await until(lambda: _is(http, "/health/live", 200), timeout=20)
            answer = await http.get("/health/ready")
            assert answer.status_code == 503 and answer.json()["checks"]["gateway"] == "not connected"
            assert "mjbot_gateway_connected 0.0" in (await http.get("/metrics")).text
    finally:
        proc.send_signal(signal.SIGTERM)  # stopped while retrying: it stops at once, not when the retries end
        assert await asyncio.wait_for(proc.wait(), 8) == 0, log.read_text()[-2000:]


async def test_an_ops_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeDiscord() as fake:
            env = bot_env(fake, OPS_PORT=str(port), LOG_FORMAT="json", DATABASE_PATH=str(tmp_path / "db"))
            log = tmp_path / "bot.log"
            proc = await start_bot(env, log)
            code = await asyncio.wait_for(proc.wait(), 30)
    last = json.loads(log.read_text().strip().splitlines()[-1])  # the one last line, JSON as every other
    assert code == 1 and (last["level"], last["logger"]) == ("critical", "bot")
    assert last["message"].startswith(f"the web server cannot listen on OPS_HOST=127.0.0.1 OPS_PORT={port}")


async def _is(http: httpx.AsyncClient, path: str, wanted: int) -> bool:
    return await status(http, path) == wanted


async def _has_metric(http: httpx.AsyncClient, name: str) -> bool:
    return name in (await http.get("/metrics")).text


async def test_the_early_server_hands_its_port_over_without_refusing_anyone() -> None:
    server = WebServer("127.0.0.1", free_port())

    def saying(text: str, app: web.Application) -> web.Application:
        async def answer(request: web.Request) -> web.Response:
            return web.Response(text=text)

        app.router.add_get("/who", answer)
        return app

    saying("full", server.app)
    port = await server.serve_early(saying("early", web.Application()))
    answers: list[str] = []
    try:
        fresh = httpx.Limits(max_keepalive_connections=0)  # a connection per probe, as monitors make them
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=fresh) as http:

            async def ask_all_along() -> None:
                while "full" not in answers[-1:]:
                    answers.append((await http.get("/who")).text)  # a refused connection would raise

            asker = asyncio.create_task(ask_all_along())
            await asyncio.sleep(0.05)
            assert await server.start() == port
            await asyncio.wait_for(asker, 5)
    finally:
        await server.stop()
    assert answers[0] == "early" and answers[-1] == "full"
    socket.create_server(("127.0.0.1", port)).close()  # closed: the port can be listened on again
