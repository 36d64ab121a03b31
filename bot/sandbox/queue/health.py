"""How the queue looks from outside, for `doctor`: is Redis reachable, which worker hosts are alive, and how many
jobs wait or run. Reads only; never takes or answers a job."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as redis

from bot.sandbox.queue.wire import Heartbeat, Keys, connect, describe_url


@dataclass(frozen=True)
class QueueHealth:
    where: str
    version: str
    hosts: tuple[Heartbeat, ...]
    queued: int
    """Jobs in the stream that no host has taken yet."""
    running: int
    """Jobs a host has taken and not answered."""
    broken: tuple[str, ...] = ()
    """Heartbeat keys that could not be read."""

    @property
    def workers(self) -> int:
        return sum(host.workers for host in self.hosts if not host.problem)

    def describe(self) -> str:
        live = [host for host in self.hosts if not host.problem]
        hosts = f"{len(live)} worker host(s) alive ({self.workers} workers)"
        unable = [f"{host.name}: {host.problem}" for host in self.hosts if host.problem]
        if unable:
            hosts += f", {len(unable)} unable to run code ({'; '.join(unable)})"
        return f"Redis {self.version} at {self.where}: {hosts}; backlog {self.queued} waiting, {self.running} running"


async def queue_health(url: str, keys: Keys | None = None) -> QueueHealth:
    """Look at the queue at `url`; `redis.RedisError` or `OSError` when it cannot be reached."""
    keys = keys or Keys()
    client = connect(url)
    try:
        info = await client.info("server")
        hosts, broken = await _hosts(client, keys)
        length = int(await client.xlen(keys.jobs)) if await client.exists(keys.jobs) else 0
        running = 0
        if length:
            try:
                summary = await client.xpending(keys.jobs, keys.group)
                running = int(summary.get("pending", 0) if isinstance(summary, dict) else summary[0])
            except redis.ResponseError:  # no host ever made the group: nothing is running
                running = 0
        return QueueHealth(
            where=describe_url(url),
            version=str(info.get("redis_version", "?")),
            hosts=hosts,
            queued=max(length - running, 0),
            running=running,
            broken=broken,
        )
    finally:
        await client.aclose()


async def _hosts(client: redis.Redis, keys: Keys) -> tuple[tuple[Heartbeat, ...], tuple[str, ...]]:
    hosts: list[Heartbeat] = []
    broken: list[str] = []
    async for key in client.scan_iter(match=keys.hosts_pattern, count=100):
        name = keys.host_name(str(key))
        fields = await client.hgetall(key)
        if not fields:
            continue  # expired between the scan and the read
        try:
            hosts.append(Heartbeat.from_fields(name, {str(k): str(v) for k, v in fields.items()}))
        except ValueError:
            broken.append(name)
    return tuple(sorted(hosts, key=lambda host: host.name)), tuple(sorted(broken))
