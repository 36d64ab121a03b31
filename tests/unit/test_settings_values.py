"""Settings: absolute paths whatever the current directory, the review keys, and `.env.example` listing them all."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from bot.settings import ENV_PREFIX, PROJECT_ROOT, Settings, SettingsError, load_settings
from tests.conftest import ROOT

DEFAULT_WEIGHTS = "0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, " + (
    "1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542"
)


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run each test from an empty folder with none of the operator's TORCHQUIZ_ variables."""
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TORCHQUIZ_TOKEN", "abc")
    return tmp_path


def test_project_root_is_the_repository() -> None:
    assert PROJECT_ROOT == ROOT


def test_defaults_are_beside_the_code_not_in_the_current_folder() -> None:
    settings = load_settings()
    assert settings.packs_dir == ROOT / "challenges"
    assert settings.database == ROOT / "torchquiz.db"


def test_explicit_relative_paths_are_from_the_current_folder(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHQUIZ_PACKS_DIR", "my-packs")
    monkeypatch.setenv("TORCHQUIZ_DATABASE", "data/../bot.db")
    settings = load_settings()
    assert settings.packs_dir == elsewhere.resolve() / "my-packs"
    assert settings.database == elsewhere.resolve() / "bot.db"
    assert settings.packs_dir.is_absolute() and settings.database.is_absolute()


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, elsewhere: Path) -> None:
    monkeypatch.setenv("HOME", str(elsewhere))
    monkeypatch.setenv("TORCHQUIZ_DATABASE", "~/quiz.db")
    assert load_settings().database == elsewhere.resolve() / "quiz.db"


def test_review_defaults() -> None:
    settings = load_settings()
    assert settings.review_parameters == ""
    assert settings.review_weights is None
    assert settings.review_retention == 0.9
    assert settings.review_session_size == 10
    assert settings.practice_default_count == 5
    assert settings.daily_check_seconds == 30.0


def test_review_weights_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHQUIZ_REVIEW_PARAMETERS", DEFAULT_WEIGHTS)
    weights = load_settings().review_weights
    assert weights is not None and len(weights) == 21
    assert weights[0] == 0.212 and weights[-1] == 0.1542


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.1, 0.2, 0.3", "needs 21 comma-separated FSRS weights, got 3"),
        (DEFAULT_WEIGHTS + ", 1.0", "needs 21 comma-separated FSRS weights, got 22"),
        (DEFAULT_WEIGHTS.replace("8.2956", "fast"), "parameters[3] = 'fast' is not a number"),
        (DEFAULT_WEIGHTS.replace("8.2956", "nan"), "parameters[3] = 'nan' is not a finite number"),
        (DEFAULT_WEIGHTS.replace("0.001, ", ""), "got 20"),
        (
            DEFAULT_WEIGHTS.replace("6.4133", "12.5"),
            "fsrs refuses these weights: parameters[4] = 12.5 is out of bounds",
        ),
    ],
)
def test_bad_review_weights_name_the_key(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    monkeypatch.setenv("TORCHQUIZ_REVIEW_PARAMETERS", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    text = str(caught.value)
    assert text.startswith("TORCHQUIZ_REVIEW_PARAMETERS is invalid:") and message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TORCHQUIZ_REVIEW_RETENTION", "0.5"),
        ("TORCHQUIZ_REVIEW_RETENTION", "0.99"),
        ("TORCHQUIZ_REVIEW_SESSION_SIZE", "0"),
        ("TORCHQUIZ_REVIEW_SESSION_SIZE", "51"),
        ("TORCHQUIZ_PRACTICE_DEFAULT_COUNT", "26"),
        ("TORCHQUIZ_DAILY_CHECK_SECONDS", "0.5"),
        ("TORCHQUIZ_DAILY_CHECK_SECONDS", "601"),
    ],
)
def test_review_ranges_name_the_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match=f"^{key} is invalid:"):
        load_settings()


def test_env_example_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(rf"^{ENV_PREFIX}([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert listed == {name.upper() for name in Settings.model_fields}


def test_the_database_is_a_path_a_sqlite_url_or_a_postgresql_url_and_nothing_else(tmp_path: Path) -> None:
    settings = Settings(token=SecretStr("t"), database=f"sqlite:///{tmp_path / 'quiz.db'}")
    assert settings.database == tmp_path / "quiz.db"
    assert Settings(token=SecretStr("t"), database="quiz.db").database == Path.cwd() / "quiz.db"
    server = Settings(token=SecretStr("t"), database="postgresql://quiz@localhost:5432/quiz")
    assert server.database == "postgresql://quiz@localhost:5432/quiz"
    with pytest.raises(ValidationError, match="mysql:// databases are not supported: give a SQLite path"):
        Settings(token=SecretStr("t"), database="mysql://quiz@localhost/quiz")
