"""The command line finds the shipped packs, and says which files it uses, from whatever folder it starts in."""

from __future__ import annotations

from pathlib import Path

from bot.packs import load_library
from tests.conftest import CHALLENGES
from tests.unit.test_cli import run_bot

OFFLINE = {"TORCHQUIZ_TOKEN": "abc", "TORCHQUIZ_SANDBOX_ENABLED": "false"}


def _line(output: str, area: str) -> str:
    [line] = [line for line in output.splitlines() if line[5:].startswith(area)]
    return line


def test_doctor_from_another_folder_finds_the_packs(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.db"
    done = run_bot("doctor", env={**OFFLINE, "TORCHQUIZ_DATABASE": "data/bot.db"}, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    packs, questions = _shipped()
    assert _line(done.stdout, "packs") == f"ok   packs     {packs} pack(s), {questions} question(s) in {CHALLENGES}"
    assert _line(done.stdout, "settings") == f"ok   settings  token set; database {database}; packs {CHALLENGES}"
    db_line = _line(done.stdout, "database")
    assert db_line.startswith(f"ok   database  {database} does not exist yet: it will be created at start")
    assert not database.exists() and not (tmp_path / "data").exists()  # a check creates nothing
    assert list(tmp_path.iterdir()) == []


def test_doctor_reports_an_existing_database_by_absolute_path(tmp_path: Path) -> None:
    (tmp_path / "here.db").touch()  # an empty file is an empty SQLite database
    done = run_bot("doctor", env={**OFFLINE, "TORCHQUIZ_DATABASE": "here.db"}, cwd=tmp_path)
    assert f"database  {tmp_path / 'here.db'}: SQLite " in done.stdout and ", schema " in done.stdout, done.stdout


def test_doctor_fails_on_a_packs_folder_without_packs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    env = {**OFFLINE, "TORCHQUIZ_DATABASE": str(tmp_path / "t.db")}
    empty = run_bot("doctor", env={**env, "TORCHQUIZ_PACKS_DIR": "empty"}, cwd=tmp_path)
    assert empty.returncode == 1
    assert _line(empty.stdout, "packs").startswith(f"FAIL packs     0 packs in {tmp_path / 'empty'}")
    missing = run_bot("doctor", env={**env, "TORCHQUIZ_PACKS_DIR": "nowhere"}, cwd=tmp_path)
    assert missing.returncode == 1
    assert _line(missing.stdout, "packs").startswith(
        f"FAIL packs     0 packs: there is no folder {tmp_path / 'nowhere'}"
    )


def test_packs_check_from_another_folder_finds_the_packs(tmp_path: Path) -> None:
    done = run_bot("packs", "check", "--no-verify", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    packs, _ = _shipped()
    assert f"{packs} of {packs} pack file(s) passed" in done.stdout
    assert f"ok   {CHALLENGES / 'autograd-basics.yaml'}: autograd-basics (5 questions; keys not run)" in done.stdout
    assert list(tmp_path.iterdir()) == []


def _shipped() -> tuple[int, int]:
    """How many packs and questions the shipped folder holds (what a run from anywhere must find)."""
    library = load_library([CHALLENGES])
    return len(library.packs), sum(len(pack.questions) for pack in library.packs.values())


def test_doctor_names_a_postgresql_server_its_schema_and_pool(postgres_url: str, tmp_path: Path) -> None:
    done = run_bot("doctor", env={**OFFLINE, "TORCHQUIZ_DATABASE": postgres_url}, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    where = postgres_url.removeprefix("postgresql://")
    line = _line(done.stdout, "database")
    assert line.startswith(f"ok   database  {where}: PostgreSQL 1"), line
    assert ", schema 1 of 1, pool of " in line and "idle" in line, line


def test_doctor_says_in_one_line_when_the_server_cannot_be_reached(tmp_path: Path) -> None:
    url = "postgresql://torchquiz@127.0.0.1:9/torchquiz"  # the discard port: nothing listens
    done = run_bot("doctor", env={**OFFLINE, "TORCHQUIZ_DATABASE": url}, cwd=tmp_path)
    assert done.returncode == 1
    line = _line(done.stdout, "database")
    assert line.startswith("FAIL database  torchquiz@127.0.0.1:9/torchquiz: cannot open it: "), line


def test_doctor_names_the_shards_and_refuses_a_slice_on_sqlite(tmp_path: Path) -> None:
    whole = run_bot("doctor", env={**OFFLINE, "TORCHQUIZ_DATABASE": "t.db"}, cwd=tmp_path)
    assert _line(whole.stdout, "shards") == "ok   shards    this process runs every shard"
    slice_env = {**OFFLINE, "TORCHQUIZ_DATABASE": "t.db", "TORCHQUIZ_SHARD_COUNT": "2", "TORCHQUIZ_SHARD_IDS": "1"}
    sliced = run_bot("doctor", env=slice_env, cwd=tmp_path)
    assert sliced.returncode == 1
    line = _line(sliced.stdout, "shards")
    assert line.startswith("FAIL shards    this process runs shard(s) 1 of 2;") and "postgresql://" in line, line
