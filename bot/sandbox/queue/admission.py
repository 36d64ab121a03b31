"""Who may run now, decided in Redis so that every bot process (every shard) applies the same rules.

The rules and their wording are `bot/sandbox/admission.py`'s: one run per member at a time ("you already have a
run in progress"), a cooldown after each run ("you ran code a moment ago"), and a bound on runs waiting or
running ("the sandbox queue is full"). Each check-and-claim is one Lua script, so two shards admitting the same
member at the same moment cannot both succeed.

Keys (under the queue's prefix):

- ``member:<id>:running``: a sorted set of the member's job ids, each scored by when its claim lapses;
- ``member:<id>:cooldown``: a plain key whose expiry is the cooldown;
- ``inflight``: every admitted, unanswered job of every bot, scored the same way.

A claim lapses by itself (its score, and the key's expiry) when the bot that made it dies before the reply, so a
crashed shard never leaves a member locked out or the queue counted full. The reply releases it at once.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import RedisError
from redis.typing import EncodableT

from bot.sandbox.admission import ALREADY_RUNNING, COOLING_DOWN, QUEUE_FULL, SMOOTHING, round_up
from bot.sandbox.limits import SandboxLimits
from bot.sandbox.queue.wire import Keys
from bot.sandbox.result import Outcome, Result, refusal

log = logging.getLogger(__name__)

NO_MEMBER = "-"

# KEYS: inflight, member running, member cooldown. ARGV: job id, hold ms, per member, capacity, has member (1/0).
# Returns {verdict, now ms, detail}: ok (detail 0), running (ms left of the member's oldest claim), cooldown (ms
# left), full (runs in flight).
ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(ARGV[2])
local function claim(key)
  redis.call('ZADD', key, now + hold, ARGV[1])
  if redis.call('PTTL', key) < hold then redis.call('PEXPIRE', key, hold) end
end
if ARGV[5] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {'running', now, tonumber(oldest[2]) - now}
  end
  local cooling = redis.call('PTTL', KEYS[3])
  if cooling > 0 then return {'cooldown', now, cooling} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local active = redis.call('ZCARD', KEYS[1])
if active >= tonumber(ARGV[4]) then return {'full', now, active} end
claim(KEYS[1])
if ARGV[5] == '1' then claim(KEYS[2]) end
return {'ok', now, 0}
"""

# KEYS as ADMIT. ARGV: job id, cooldown ms, has member (1/0), ran (1/0).
RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  if ARGV[4] == '1' and tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[3], '1', 'PX', ARGV[2]) end
end
return 1
"""


@dataclass(frozen=True)
class Admitted:
    now: float
    """Redis's clock at admission, in seconds since the epoch: what the job's deadline counts from."""


class SharedAdmission:
    """The queue's admission, in Redis; `admit` before queueing a job, `release` once its reply is in."""

    def __init__(self, client: redis.Redis, keys: Keys, limits: SandboxLimits) -> None:
        self._keys = keys
        self._limits = limits
        self._admit = client.register_script(ADMIT)
        self._release = client.register_script(RELEASE)
        self._typical_duration = min(1.0, limits.wall_seconds)

    def _member_keys(self, member_id: int | None) -> list[str]:
        member = NO_MEMBER if member_id is None else member_id  # a placeholder the scripts then leave alone
        return [self._keys.inflight, self._keys.running(member), self._keys.cooldown(member)]

    async def admit(
        self, job_id: str, member_id: int | None, *, hold: float, wall: float, workers: int
    ) -> Admitted | Result:
        """Claim a place for `job_id` for at most `hold` seconds, or the refusal; raises `RedisError`."""
        capacity = workers + self._limits.queue_size
        args: list[EncodableT] = [job_id, math.ceil(hold * 1000), self._limits.per_member, capacity]
        args.append(int(member_id is not None))
        verdict, now_ms, detail = await self._admit(keys=self._member_keys(member_id), args=args)
        verdict, now, detail = str(verdict), int(now_ms) / 1000, int(detail)
        if verdict == "ok":
            return Admitted(now)
        if verdict == "running":
            left = min(max(detail / 1000, 0.0), wall)
            return refusal(Outcome.BUSY, ALREADY_RUNNING, retry_after=round_up(left + self._limits.cooldown_seconds))
        if verdict == "cooldown":
            return refusal(Outcome.COOLDOWN, COOLING_DOWN, retry_after=round_up(detail / 1000))
        return refusal(Outcome.BUSY, QUEUE_FULL, retry_after=self._queue_wait(detail, workers))

    async def release(self, job_id: str, member_id: int | None, result: Result | None) -> None:
        """Give the place back; a run that ran (not refused, not lost) starts the member's cooldown. Never raises:
        if Redis is away, the claim lapses by itself."""
        ran = result is not None and not result.refused
        if ran and result is not None:
            self._typical_duration += SMOOTHING * (result.duration - self._typical_duration)
        cooldown_ms = math.ceil(self._limits.cooldown_seconds * 1000)
        args: list[EncodableT] = [job_id, cooldown_ms, int(member_id is not None), int(ran)]
        try:
            await self._release(keys=self._member_keys(member_id), args=args)
        except RedisError as exc:
            log.warning("could not release sandbox job %s (its claim will lapse): %s", job_id, exc)

    def _queue_wait(self, active: int, workers: int) -> float:
        """Rough time until a run admitted now would start: the rounds of runs ahead times a typical run."""
        rounds = math.ceil(max(active - workers + 1, 1) / workers)
        return round_up(rounds * self._typical_duration)
