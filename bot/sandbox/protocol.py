"""The pipe protocol between the pool (in the bot) and a worker.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON holding one object with a
``type`` key. The worker reads frames from its stdin and writes frames to its stdout; it never writes anything
else there (its own stdout is pointed at stderr at start-up, see `worker.py`).

    worker → pool   {"type": "ready", "pid", "threads", "rss_kb", "base_dir", "identity",
                     "layers": [LayerStatus fields...]}
                    {"type": "failed", "reason"}                      warm-up failed; the worker exits
    pool → worker   {"type": "job", "id", "code", "check", "seed", <budgets of `Job`>}
    worker → pool   {"type": "result", "id", "result": Result.to_dict()}

Jobs are answered strictly in order, one at a time; the id lets the pool skip a stale answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
from dataclasses import asdict, dataclass
from typing import Any

HEADER = struct.Struct(">I")
MAX_FRAME = 16 * 2**20
"""Far above any honest frame (a result holds at most the output cap); a larger length means corruption."""


class ProtocolError(Exception):
    """A malformed frame: the peer is broken and should be replaced."""


@dataclass(frozen=True)
class Job:
    """One run as the worker receives it: the code and every budget, already resolved by the pool."""

    id: int
    code: str
    check: str | None
    wall_seconds: float
    cpu_seconds: int
    memory_bytes: int
    output_bytes: int
    file_size_bytes: int
    scratch_bytes: int
    open_files: int
    use_namespaces: bool
    seed: int = 0
    """What a check draws its hidden inputs from; the grader picks it per submission (`grader.py`)."""

    def to_message(self) -> dict[str, Any]:
        return {"type": "job", **asdict(self)}

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Job:
        try:
            return cls(
                id=int(message["id"]),
                code=str(message["code"]),
                check=None if message.get("check") is None else str(message["check"]),
                wall_seconds=float(message["wall_seconds"]),
                cpu_seconds=int(message["cpu_seconds"]),
                memory_bytes=int(message["memory_bytes"]),
                output_bytes=int(message["output_bytes"]),
                file_size_bytes=int(message["file_size_bytes"]),
                scratch_bytes=int(message["scratch_bytes"]),
                open_files=int(message["open_files"]),
                use_namespaces=bool(message["use_namespaces"]),
                seed=int(message.get("seed", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"malformed job: {exc!r}") from exc


def encode_frame(message: dict[str, Any]) -> bytes:
    payload = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    if len(payload) > MAX_FRAME:
        raise ProtocolError(f"frame of {len(payload)} bytes exceeds {MAX_FRAME}")
    return HEADER.pack(len(payload)) + payload


def decode_payload(payload: bytes) -> dict[str, Any]:
    try:
        message = json.loads(payload.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"undecodable frame: {exc}") from exc
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError("a frame must be a JSON object with a 'type'")
    return message


def _frame_length(header: bytes) -> int:
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ProtocolError(f"frame length {length} exceeds {MAX_FRAME}")
    return int(length)


# Blocking side, used by the single-threaded worker on raw file descriptors.


def write_frame(fd: int, message: dict[str, Any]) -> None:
    view = memoryview(encode_frame(message))
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> dict[str, Any] | None:
    """The next frame, or None when the peer closed the pipe between frames."""
    header = _read_exactly(fd, HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise ProtocolError("pipe closed inside a frame header")
    length = _frame_length(header)
    payload = _read_exactly(fd, length)
    if len(payload) < length:
        raise ProtocolError("pipe closed inside a frame")
    return decode_payload(payload)


# Asyncio side, used by the pool so the event loop never blocks on a worker.


async def read_frame_async(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next frame, or None at a clean end of stream; `ProtocolError` if it ends mid-frame."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise ProtocolError("stream closed inside a frame header") from exc
        return None
    try:
        payload = await reader.readexactly(_frame_length(header))
    except asyncio.IncompleteReadError as exc:
        raise ProtocolError("stream closed inside a frame") from exc
    return decode_payload(payload)
