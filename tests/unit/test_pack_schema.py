"""The committed JSON Schema is current and agrees with the validator on real packs."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml

from bot.cli import main
from bot.packs.schema import schema_text
from tests.conftest import CHALLENGES, ROOT

SCHEMA_FILE = ROOT / "schema" / "pack.schema.json"


def committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def test_committed_schema_is_what_the_models_produce() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "run: python -m bot packs schema --output schema/pack.schema.json"
    )


def test_schema_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "schema"]) == 0
    assert json.loads(capsys.readouterr().out) == committed()


@pytest.mark.parametrize("path", sorted(CHALLENGES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_pack_satisfies_the_schema(path: Any) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), committed())


def test_schema_catches_what_authors_get_wrong() -> None:
    data = yaml.safe_load((CHALLENGES / "autograd-basics.yaml").read_text(encoding="utf-8"))
    del data["questions"][1]["answer"]
    with pytest.raises(jsonschema.ValidationError, match="'answer' is a required property"):
        jsonschema.validate(data, committed())
    data = yaml.safe_load((CHALLENGES / "autograd-basics.yaml").read_text(encoding="utf-8"))
    data["questions"][0]["difficulty"] = "hard"
    with pytest.raises(jsonschema.ValidationError, match="'hard' is not one of"):
        jsonschema.validate(data, committed())
