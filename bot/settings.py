"""Settings read once at start-up from the environment and `.env`.

Every key is prefixed with ``TORCHQUIZ_`` so the bot never picks up an unrelated variable by accident.
Only the token is required; everything else has a default that suits a single study-group server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "TORCHQUIZ_"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


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
    database: Path = Field(default=Path("torchquiz.db"), description="SQLite database file.")
    packs_dir: Path = Field(default=Path("challenges"), description="Folder of YAML question packs.")
    log_level: LogLevel = "INFO"
    sync_guild: int | None = Field(
        default=None,
        description="Sync slash commands to this server only (instant, for development) instead of globally.",
    )

    guild_ready_timeout: float = Field(
        default=2.0, ge=0, le=60, description="Seconds to wait for servers to stream in after connecting."
    )

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


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the key and is meant for one line of output."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's multi-line report into one line that names the first bad key."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_settings_error(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    key = f"{ENV_PREFIX}{field.upper()}"
    if first["type"] == "missing":
        return f"{key} is required: set it in the environment or in .env (see .env.example)"
    return f"{key} is invalid: {first['msg']}"
