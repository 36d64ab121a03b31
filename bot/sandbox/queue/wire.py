"""What the bot and the worker hosts say to each other through Redis: key names, a job's fields, a reply's fields.

Everything is flat strings (stream entries are string maps); a result travels as `Result.to_json`, observations
included, so a reply graded in the bot is graded exactly as a local run would be. Times are seconds since the
epoch on Redis's own clock (`TIME`), so bot and hosts agree on deadlines however their clocks drift.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as redis
from redis.typing import EncodableT, FieldT

from bot.sandbox.isolation import LayerStatus

PREFIX = "torchquiz:sandbox"
WIRE_VERSION = "1"
JOBS_MAXLEN = 100_000
"""A safety bound on the jobs stream (hosts delete what they acknowledge; admission bounds what waits)."""
SOCKET_TIMEOUT = 10.0
REPLIES_MAXLEN = 1_000
REPLIES_TTL_SECONDS = 3_600
"""A reply stream whose bot process is gone expires this long after its last reply."""


@dataclass(frozen=True)
class Keys:
    """Every Redis key the queue uses, under one prefix (tests may give each their own)."""

    prefix: str = PREFIX

    @property
    def jobs(self) -> str:
        return f"{self.prefix}:jobs"

    @property
    def group(self) -> str:
        """The consumer group every worker host reads the jobs stream through."""
        return f"{self.prefix}:hosts"

    def replies(self, client_id: str) -> str:
        return f"{self.prefix}:replies:{client_id}"

    def host(self, name: str) -> str:
        """A worker host's heartbeat (a hash that expires unless the host keeps refreshing it)."""
        return f"{self.prefix}:host:{name}"

    @property
    def hosts_pattern(self) -> str:
        return f"{self.prefix}:host:*"

    def host_name(self, key: str) -> str:
        return key.removeprefix(f"{self.prefix}:host:")

    def running(self, member_id: int | str) -> str:
        """The member's runs in flight: a sorted set of job ids scored by when each claim lapses."""
        return f"{self.prefix}:member:{member_id}:running"

    def cooldown(self, member_id: int | str) -> str:
        return f"{self.prefix}:member:{member_id}:cooldown"

    @property
    def inflight(self) -> str:
        """Every job admitted and not answered, from every bot process: a sorted set scored like `running`."""
        return f"{self.prefix}:inflight"


@dataclass(frozen=True)
class QueuedJob:
    """One run as it waits in the jobs stream."""

    id: str
    reply_to: str
    code: str
    check: str | None
    seed: int
    wall_seconds: float | None
    """None: the host's own default (with its CPU limit), as a local pool would do."""
    memory_mb: int | None
    deadline: float
    """When the answer is due (Redis clock); a host does not start a job it cannot finish by then."""

    def to_fields(self) -> dict[FieldT, EncodableT]:
        fields: dict[FieldT, EncodableT] = {
            "v": WIRE_VERSION,
            "id": self.id,
            "reply_to": self.reply_to,
            "code": self.code,
            "seed": str(self.seed),
            "deadline": repr(self.deadline),
        }
        if self.check is not None:
            fields["check"] = self.check
        if self.wall_seconds is not None:
            fields["wall_seconds"] = repr(self.wall_seconds)
        if self.memory_mb is not None:
            fields["memory_mb"] = str(self.memory_mb)
        return fields

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> QueuedJob:
        """Read a job back; raises `ValueError` (with what is wrong) for anything malformed."""
        try:
            if fields.get("v") != WIRE_VERSION:
                raise ValueError(f"unknown job format {fields.get('v')!r}")
            wall = fields.get("wall_seconds")
            memory = fields.get("memory_mb")
            job = cls(
                id=fields["id"],
                reply_to=fields["reply_to"],
                code=fields["code"],
                check=fields.get("check"),
                seed=int(fields["seed"]),
                wall_seconds=None if wall is None else float(wall),
                memory_mb=None if memory is None else int(memory),
                deadline=float(fields["deadline"]),
            )
        except KeyError as exc:
            raise ValueError(f"the job has no {exc.args[0]!r}") from None
        if not job.id or not job.reply_to or not math.isfinite(job.deadline):
            raise ValueError("the job has no id, reply stream or deadline")
        return job


@dataclass(frozen=True)
class Heartbeat:
    """What a live worker host says about itself (the value of its heartbeat key)."""

    name: str
    workers: int
    started: float
    done: int = 0
    running: int = 0
    identity: str = ""
    layers: tuple[LayerStatus, ...] = ()
    problem: str = ""
    """Why this host cannot run code now (it then takes no jobs); empty when it can."""

    def to_fields(self) -> dict[FieldT, EncodableT]:
        return {
            "workers": str(self.workers),
            "started": repr(self.started),
            "done": str(self.done),
            "running": str(self.running),
            "identity": self.identity,
            "layers": json.dumps([asdict(layer) for layer in self.layers]),
            "problem": self.problem,
        }

    @classmethod
    def from_fields(cls, name: str, fields: Mapping[str, str]) -> Heartbeat:
        """Raises `ValueError` for a malformed heartbeat."""
        try:
            layers = tuple(LayerStatus(**layer) for layer in json.loads(fields.get("layers") or "[]"))
            return cls(
                name=name,
                workers=int(fields["workers"]),
                started=float(fields["started"]),
                done=int(fields.get("done", 0)),
                running=int(fields.get("running", 0)),
                identity=fields.get("identity", ""),
                layers=layers,
                problem=fields.get("problem", ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed heartbeat of {name}: {exc}") from None


def reply_fields(job_id: str, result_json: str, host: str) -> dict[FieldT, EncodableT]:
    return {"id": job_id, "result": result_json, "host": host}


def stop_requested() -> bool:
    """Whether the current task has been asked to stop. Loops over Redis commands check it as well as catching
    `CancelledError`: redis-py can swallow a cancellation that lands in the middle of a command (a blocking read
    among them), and the loop would then go on forever."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def connect(url: str) -> redis.Redis:
    """A client for the queue: strings in and out, code with lone surrogates intact.

    Blocking reads (XREAD/XREADGROUP BLOCK) are kept well under `SOCKET_TIMEOUT`, so a silent server is noticed
    and a blocked read is never mistaken for one.
    """
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        encoding_errors="surrogatepass",
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        health_check_interval=30,
    )


async def redis_clock(client: redis.Redis) -> float:
    """Redis's time now, in seconds since the epoch."""
    seconds, micros = await client.time()
    return float(seconds) + float(micros) / 1e6


def describe_url(url: str) -> str:
    """host:port/db for logs and messages, never the password."""
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
    return f"{where}{parts.path}" if parts.path not in ("", "/") else where


def stream_entries(response: Any) -> list[tuple[str, dict[str, str]]]:
    """The (id, fields) entries of an XREAD/XREADGROUP answer, in RESP2 (a list) or RESP3 (a map) form."""
    streams = response.items() if isinstance(response, dict) else (response or [])
    entries: list[tuple[str, dict[str, str]]] = []
    for item in streams:
        for entry_id, fields in item[1] if isinstance(item, tuple | list) else ():
            entries.append((str(entry_id), dict(fields or {})))
    return entries
