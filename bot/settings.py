"""Settings read once at start-up from the environment and `.env`.

Every key is prefixed with ``TORCHQUIZ_`` so the bot never picks up an unrelated variable by accident.
Only the token is required; everything else has a default that suits a single study-group server.

Paths never depend on where the bot happens to be started, unless the operator asks for that:

* the packs folder defaults to the `challenges/` folder shipped beside the code (`PROJECT_ROOT`), so
  `python -m bot`, `doctor`, `packs check` and `sandbox grade` find the same packs from any directory;
* the database defaults to `torchquiz.db` beside the code too, for the same reason: one bot has one database,
  and starting it from another folder must never quietly begin a new, empty one (members' points, streaks and
  badges would seem lost). The project folder is also the one the sandbox already keeps out of every run's
  reach (`bot/sandbox/worker.py`), with `.env`. Operators who want it elsewhere (a read-only checkout, a
  data volume) set `TORCHQUIZ_DATABASE`;
* an explicit relative `TORCHQUIZ_PACKS_DIR` or `TORCHQUIZ_DATABASE` resolves against the current directory,
  as it would in any other program; `~` is expanded.

Both paths are absolute once the settings are loaded, so logs and `doctor` show exactly which files are used.
`.env` itself is read from the current directory.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.sandbox.limits import SandboxLimits
from bot.shards import ShardSlice
from bot.storage.target import is_postgres

ENV_PREFIX = "TORCHQUIZ_"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

#: The folder that holds `bot/`, `cogs/` and the shipped `challenges/` (the repository, for an editable install).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PACKS_DIR = PROJECT_ROOT / "challenges"
DEFAULT_DATABASE = PROJECT_ROOT / "torchquiz.db"

#: FSRS-6, the version of the `fsrs` package the reviews use, has 21 weights.
FSRS_WEIGHT_COUNT = 21


SQLITE_URL = "sqlite:///"


class Settings(BaseSettings):
    """The bot's configuration; `.env.example` documents every field."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        frozen=True,
    )

    token: SecretStr = Field(description="Discord bot token from the developer portal.")
    database: Path | str = Field(
        default=DEFAULT_DATABASE,
        description="SQLite database file (a path or sqlite:///path; default torchquiz.db beside the code, a "
        "relative path is from the current directory), or a PostgreSQL server as postgresql://user@host:port/db.",
    )
    packs_dir: Path = Field(
        default=DEFAULT_PACKS_DIR,
        description="Folder of YAML question packs; default the shipped challenges/ folder, a relative path is "
        "from the current directory.",
    )
    log_level: LogLevel = "INFO"
    sync_guild: int | None = Field(
        default=None,
        description="Sync slash commands to this server only (instant, for development) instead of globally.",
    )

    guild_ready_timeout: float = Field(
        default=2.0, ge=0, le=60, description="Seconds to wait for servers to stream in after connecting."
    )
    shard_count: int | None = Field(
        default=None, ge=1, description="Total number of shards across every bot process; empty: Discord's advice."
    )
    shard_ids: str = Field(
        default="",
        description="The shards this process runs, comma-separated (e.g. 0,1); empty: every shard.",
    )

    # -- live quiz sessions (a server's /settings may override time and count) --
    quiz_lobby_seconds: float = Field(default=30.0, ge=0, le=600, description="How long the lobby stays open.")
    quiz_pause_seconds: float = Field(default=5.0, ge=0, le=120, description="Pause after each reveal.")
    quiz_time_limit: int = Field(default=30, ge=5, le=600, description="Seconds per live question.")
    quiz_count: int = Field(default=10, ge=1, le=50, description="Questions per live session.")

    # -- spaced-repetition reviews, practice and the daily question --
    clock_offset_file: Path | None = Field(
        default=None,
        description="For tests only: a file holding seconds to add to the bot's clock (leave unset).",
    )
    review_parameters: str = Field(
        default="",
        description=f"{FSRS_WEIGHT_COUNT} comma-separated FSRS weights (e.g. from the FSRS optimizer); "
        "empty = the fsrs package's defaults.",
    )
    review_retention: float = Field(
        default=0.9, ge=0.7, le=0.97, description="Probability of recall FSRS schedules reviews for."
    )
    review_session_size: int = Field(default=10, ge=1, le=50, description="Questions in one review session.")
    practice_default_count: int = Field(
        default=5, ge=1, le=25, description="Questions in a practice session when the member does not say."
    )
    daily_check_seconds: float = Field(
        default=30.0, ge=1, le=600, description="How often the daily question poster looks at the clock."
    )

    # -- the sandbox that runs members' code (docs/sandbox.md); every limit applies per run unless it says otherwise --
    sandbox_enabled: bool = Field(default=True, description="Start sandbox workers; false disables /run and code.")
    sandbox_wall_seconds: float = Field(default=5.0, gt=0, le=60)
    sandbox_cpu_seconds: int = Field(default=5, ge=1, le=60)
    sandbox_memory_mb: int = Field(default=512, ge=64, le=8192)
    sandbox_output_kb: int = Field(default=64, ge=1, le=1024)
    sandbox_file_size_mb: int = Field(default=16, ge=1, le=1024)
    sandbox_scratch_mb: int = Field(default=32, ge=1, le=1024)
    sandbox_open_files: int = Field(default=64, ge=16, le=1024)
    sandbox_torch_threads: int = Field(default=1, ge=1, le=16)
    sandbox_workers: int = Field(default=2, ge=1, le=32)
    sandbox_queue_size: int = Field(default=8, ge=0, le=1000)
    sandbox_per_member: int = Field(default=1, ge=1, le=10)
    sandbox_cooldown_seconds: float = Field(default=3.0, ge=0, le=3600)
    sandbox_namespaces: bool = Field(default=True, description="Use Linux namespaces when the host allows them.")
    sandbox_user: str = Field(
        default="nobody",
        min_length=1,
        description="When the bot runs as root, the unprivileged user (name or uid) its sandbox workers run as.",
    )

    sandbox_queue: str = Field(
        default="",
        description="A Redis URL (redis://host:port/db) through which worker hosts run members' code "
        "(`python -m bot sandbox serve`, docs/queue.md); empty = this process runs it in local workers.",
    )
    sandbox_queue_wait_seconds: float = Field(
        default=15.0,
        gt=0,
        le=600,
        description="With a queue: how long a run may wait for a free worker host before it is answered busy.",
    )

    @field_validator("shard_ids")
    @classmethod
    def _shard_list(cls, value: str) -> str:
        text = value.replace(" ", "")
        if text and not all(part.isdigit() for part in text.split(",")):
            raise ValueError(f"shard ids are numbers separated by commas, such as 0,1 (not {value!r})")
        return text

    @model_validator(mode="after")
    def _shards_agree(self) -> Settings:
        self.shards  # noqa: B018 - raises ValueError for ids without a count, or out of its range
        return self

    @property
    def shards(self) -> ShardSlice:
        """This process's shards (ValueError, found at start-up, for ids without a count or out of range)."""
        ids = tuple(int(part) for part in self.shard_ids.split(",")) if self.shard_ids else None
        return ShardSlice(self.shard_count, ids)

    @field_validator("token")
    @classmethod
    def _token_is_plausible(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        if not text.strip():
            raise ValueError("must not be empty")
        if any(ch.isspace() for ch in text):
            raise ValueError("must not contain spaces or line breaks")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> object:
        """A PostgreSQL URL stays text; a SQLite URL or anything else is a path. Any other scheme is refused in one
        line."""
        if isinstance(value, str):
            if is_postgres(value):
                return value
            if value.startswith(SQLITE_URL):
                return Path(value[len(SQLITE_URL) :] or ":memory:")
            if "://" in value:
                scheme = value.split("://", 1)[0]
                raise ValueError(
                    f"{scheme}:// databases are not supported: give a SQLite path, sqlite:///path or postgresql://..."
                )
            return Path(value)
        return value

    @field_validator("database", "packs_dir")
    @classmethod
    def _absolute(cls, value: Path | str) -> Path | str:
        """A relative path is taken from the current directory, once, so every later use agrees."""
        if isinstance(value, str) or str(value) == ":memory:":  # a server's URL, or SQLite in memory (tests)
            return value
        return value.expanduser().resolve()

    @field_validator("sandbox_queue")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        text = value.strip()
        if not text:
            return text
        if not text.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a Redis URL (redis://host:port/db, rediss://... or unix:///path), or empty")
        import redis

        try:
            redis.Redis.from_url(text).close()  # parses the URL; connects to nothing
        except ValueError as exc:
            raise ValueError(f"is not a usable Redis URL: {exc}") from None
        return text

    @field_validator("review_parameters")
    @classmethod
    def _fsrs_weights(cls, value: str) -> str:
        text = value.strip()
        if text:
            _parse_weights(text)
        return text

    @property
    def review_weights(self) -> tuple[float, ...] | None:
        """The FSRS weights from `review_parameters`, or None for the fsrs package's defaults."""
        return _parse_weights(self.review_parameters) if self.review_parameters else None

    def sandbox_limits(self) -> SandboxLimits:
        return SandboxLimits(
            wall_seconds=self.sandbox_wall_seconds,
            cpu_seconds=self.sandbox_cpu_seconds,
            memory_mb=self.sandbox_memory_mb,
            output_bytes=self.sandbox_output_kb * 1024,
            file_size_mb=self.sandbox_file_size_mb,
            scratch_mb=self.sandbox_scratch_mb,
            open_files=self.sandbox_open_files,
            torch_threads=self.sandbox_torch_threads,
            workers=self.sandbox_workers,
            queue_size=self.sandbox_queue_size,
            per_member=self.sandbox_per_member,
            cooldown_seconds=self.sandbox_cooldown_seconds,
            use_namespaces=self.sandbox_namespaces,
            user=self.sandbox_user,
        )


def _parse_weights(text: str) -> tuple[float, ...]:
    parts = [part.strip() for part in text.split(",")]
    weights: list[float] = []
    for index, part in enumerate(parts):  # numbered from 0, as FSRS (w0-w20) and fsrs's own messages do
        try:
            weight = float(part)
        except ValueError:
            raise ValueError(f"parameters[{index}] = {part!r} is not a number") from None
        if not math.isfinite(weight):
            raise ValueError(f"parameters[{index}] = {part!r} is not a finite number")
        weights.append(weight)
    if len(weights) != FSRS_WEIGHT_COUNT:
        raise ValueError(f"needs {FSRS_WEIGHT_COUNT} comma-separated FSRS weights, got {len(weights)}")
    _check_fsrs_bounds(weights)
    return tuple(weights)


def _check_fsrs_bounds(weights: list[float]) -> None:
    """Let fsrs itself refuse out-of-range weights now, as one line, rather than with a traceback at start."""
    try:
        import fsrs
    except ImportError:  # the reviews cannot run anyway; whoever builds the scheduler reports that
        return
    try:
        fsrs.Scheduler(parameters=weights)
    except ValueError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        detail = "; ".join(lines[1:] if len(lines) > 1 else lines)
        raise ValueError(f"fsrs refuses these weights: {detail}") from None


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the key and is meant for one line of output."""


# Stands in for the token in commands that never connect to Discord (doctor, packs, sandbox).
OFFLINE_TOKEN = "offline"


def load_settings(*, require_token: bool = True) -> Settings:
    """Read settings, turning pydantic's multi-line report into one line that names the first bad key."""
    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        token_missing = any(e["type"] == "missing" and e["loc"] == ("token",) for e in exc.errors())
        if require_token or not token_missing:
            raise SettingsError(describe_settings_error(exc)) from None
    try:
        return Settings(token=SecretStr(OFFLINE_TOKEN))
    except ValidationError as exc:
        raise SettingsError(describe_settings_error(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    key = f"{ENV_PREFIX}{field.upper()}"
    if first["type"] == "missing":
        return f"{key} is required: set it in the environment or in .env (see .env.example)"
    return f"{key} is invalid: {first['msg']}"
