"""Frames between pool and worker, the report channel, and `Result` as a value (no processes involved)."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from bot.sandbox import Outcome, Result
from bot.sandbox.protocol import HEADER, MAX_FRAME, Job, ProtocolError, encode_frame, read_frame, read_frame_async
from bot.sandbox.report import MAGIC, encode_report, parse_reports
from tests.sandbox.jobs import sample_job

JOB = sample_job(id=3, code="print('∂')")


def test_job_frames_round_trip_through_a_pipe() -> None:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, encode_frame(JOB.to_message()) + encode_frame({"type": "other"}))
        os.close(write_end)
        assert Job.from_message(read_frame(read_end) or {}) == JOB
        assert read_frame(read_end) == {"type": "other"}
        assert read_frame(read_end) is None  # clean end between frames
    finally:
        os.close(read_end)


@pytest.mark.parametrize(
    "data",
    [
        HEADER.pack(10) + b"{}",  # ends inside a frame
        b"\x00\x00",  # ends inside a header
        HEADER.pack(MAX_FRAME + 1),  # corrupt length
        HEADER.pack(2) + b"[]",  # not an object with a type
    ],
)
async def test_broken_frames_are_protocol_errors(data: bytes) -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    with pytest.raises(ProtocolError):
        await read_frame_async(reader)


def test_malformed_job_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        Job.from_message({"type": "job", "id": 1})


def test_the_last_well_formed_report_of_each_kind_wins() -> None:
    data = (
        encode_report("done", {"status": "ok", "observations": []})
        + b"garbage" + MAGIC + b"\xff\xff"  # a truncated report
        + encode_report("layers", {"layers": ["rlimits"]})
        + MAGIC + b"\x00\x00\x00\x05{bad}"  # one that does not decode
        + encode_report("done", {"status": "error"})
    )  # fmt: skip
    reports = parse_reports(data)
    assert reports["layers"]["layers"] == ["rlimits"]
    assert reports["done"] == {"kind": "done", "status": "error"}


def test_result_round_trips_and_serialises_every_field() -> None:
    result = Result(
        outcome=Outcome.OK,
        stdout="14.0\n",
        duration=0.0312,
        layers=("rlimits", "landlock"),
        observations=({"name": "gradient", "value": {"k": "float", "v": 14.0}, "atol": None, "rtol": None},),
        check_stopped="NameError: name 'f' is not defined",
    )
    assert Result.from_dict(result.to_dict()) == result
    line = json.loads(result.to_json(file="a.py"))
    assert next(iter(line)) == "file"
    assert {"outcome", "stdout", "stderr", "truncated", "duration", "layers", "error_line", "signal"} <= set(line)
    assert {"retry_after", "reason", "summary", "observations", "check_stopped"} <= set(line)
    assert line["summary"] == "ok (31 ms)"


@pytest.mark.parametrize(
    ("result", "summary"),
    [
        (Result(Outcome.TIMEOUT, reason="time limit (5 s)"), "stopped: time limit (5 s)"),
        (Result(Outcome.MEMORY, reason="memory limit (512 MiB)"), "stopped: memory limit (512 MiB)"),
        (Result(Outcome.OUTPUT_LIMIT, reason="output limit (64 KiB)"), "stopped: output limit (64 KiB)"),
        (Result(Outcome.ERROR, error_line="ValueError: bad"), "error: ValueError: bad"),
        (Result(Outcome.CRASHED, signal=11), "crashed: signal 11 (SIGSEGV)"),
        (Result(Outcome.BUSY, reason="queue full", retry_after=2.3), "busy: queue full; try again in 3 s"),
        (Result(Outcome.COOLDOWN, retry_after=0.2), "cooldown: try again in 1 s"),
        (Result(Outcome.UNAVAILABLE, reason="no Landlock"), "unavailable: no Landlock"),
        (Result(Outcome.OK, duration=2.5), "ok (2.50 s)"),
    ],
)  # fmt: skip
def test_summaries_are_one_plain_line(result: Result, summary: str) -> None:
    assert result.summary() == summary
