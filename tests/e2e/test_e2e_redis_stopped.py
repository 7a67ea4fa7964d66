"""Redis stopped under two live daphne processes (issue 10, item 10): joins and new sockets
work, play goes on, and everything flows through Redis again once it is back.

The Redis is the test's own (`private_redis`), killed (connections reset, the port refuses,
as after `redis-cli shutdown`) and started again on the same port. The database is the
session's own PostgreSQL database; both processes run the timer loop, whose heal pass reads
each game's newest seq from the database every few seconds.
"""

import asyncio
import json
import time

import pytest
from servers import daphne_servers
from tablekit import HttpError, Staff, join, log_problems, request_json

from game.realtime.botclient import BotClient

pytestmark = [pytest.mark.services, pytest.mark.timeout(180)]

TIMER_ENV = {"GAME_TIMER_LOOP": "true", "GAME_TIMER_INTERVAL": "0.2"}


def health(server) -> tuple[int, dict]:
    try:
        return 200, request_json(server.url + "/healthz", timeout=10)
    except HttpError as error:
        return error.status, json.loads(error.body)


def is_chat(text: str):
    return lambda event: event["kind"] == "chat_posted" and event["data"]["text"] == text


def test_joins_and_sockets_work_while_redis_is_stopped(services_backend, private_redis, tmp_path):
    env = {**services_backend, "REDIS_URL": private_redis.url, **TIMER_ENV}
    with daphne_servers(env, count=2, log_dir=tmp_path, name="redis-stopped") as (one, two):
        staff = Staff.login(one.url)
        code = staff.create_game(one.url, seed=11)
        us_token = join(one.url, code, "US")
        staff.command(one.url, code, "start")

        private_redis.stop()
        # A join still works (the join limiter fails open) ...
        jp_token = join(one.url, code, "JP")
        rok_token = join(two.url, code, "ROK")
        # ... and /healthz says what is down.
        status, body = health(one)
        assert status == 503 and body["channel_layer"]["ok"] is False, body
        assert body["cache"]["ok"] is False and body["database"]["ok"] is True, body

        async def scenario():
            # New sockets open on both processes (upstream: a 500 in the handshake).
            us = BotClient(one.ws_url(code), token=us_token, origin=one.origin, label="US@1")
            jp = BotClient(one.ws_url(code), token=jp_token, origin=one.origin, label="JP@1")
            rok = BotClient(two.ws_url(code), token=rok_token, origin=two.origin, label="ROK@2")
            for client in (us, jp, rok):
                await client.connect()
            try:
                ack = await us.send_command("chat", channel="all", text="redis is down")
                # Same process: live. The other process: from its heal pass (the database).
                sent = time.monotonic()
                await jp.wait_event(is_chat("redis is down"), timeout=5)
                await rok.wait_event(is_chat("redis is down"), timeout=15)
                healed_after = time.monotonic() - sent
                ack_rok = await rok.send_command("chat", channel="all", text="from two")
                await us.wait_event(is_chat("from two"), after=ack["seq"], timeout=15)

                private_redis.start()
                deadline = time.monotonic() + 20
                while health(one)[0] != 200 or health(two)[0] != 200:
                    assert time.monotonic() < deadline, health(one)
                    await asyncio.sleep(0.3)
                # Subscriptions made during the outage are renewed at Redis: live again
                # between the processes, both ways, well within the heal pass's interval.
                await asyncio.sleep(1.5)  # the receive loops retry once a second
                sent = time.monotonic()
                await us.send_command("chat", channel="all", text="redis is back")
                await rok.wait_event(is_chat("redis is back"), after=ack_rok["seq"], timeout=10)
                back_latency = time.monotonic() - sent
                await rok.send_command("chat", channel="all", text="two again")
                await us.wait_event(is_chat("two again"), after=ack_rok["seq"], timeout=10)
                return healed_after, back_latency, log_problems([us, jp, rok])
            finally:
                for client in (us, jp, rok):
                    await client.close()

        healed_after, back_latency, problems = asyncio.run(asyncio.wait_for(scenario(), 120))
        logs = one.log_tail(1_000_000) + two.log_tail(1_000_000)
    print(f"other process healed in {healed_after:.2f} s; live again in {back_latency:.3f} s")
    assert healed_after < 15
    assert back_latency < 1.0, f"after Redis came back an event took {back_latency:.2f} s"
    assert "is unreachable" in logs and "answers again" in logs
    assert "Traceback" not in logs.split("answers again")[-1], "errors after Redis came back"
    assert " 500 " not in logs
    assert problems == {}, problems  # every socket's log gapless and in order throughout
