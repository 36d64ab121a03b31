"""The pack format as JSON Schema, generated from the same pydantic models that validate packs.

`schema/pack.schema.json` is committed (and a test keeps it equal to what the models produce), so an editor
with a YAML language server checks a pack as its author types: each pack file names the schema in its first line.
"""

from __future__ import annotations

import json
from typing import Any

from bot.packs.models import Pack

SCHEMA_ID = "https://torchquiz.invalid/schema/pack.schema.json"


def pack_schema() -> dict[str, Any]:
    schema = Pack.model_json_schema(mode="validation")
    # The models check these rules in validators, which JSON Schema cannot see; state them for editors too.
    schema["$defs"]["Question"]["allOf"] = [
        {
            "if": {"properties": {"type": {"const": "code"}}},
            "then": {"required": ["starter", "check", "solution"], "not": {"required": ["choices"]}},
            "else": {"required": ["choices", "answer"]},
        },
        {
            "if": {"required": ["verify"]},
            "then": {"properties": {"type": {"enum": ["predict_output", "debug"]}}, "required": ["code"]},
        },
    ]
    schema["$defs"]["Question"]["properties"]["answer"]["anyOf"][0]["pattern"] = "^[A-Ea-e]$"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "TorchQuiz question pack",
        "description": "A YAML file in challenges/: a pack of PyTorch questions. See README.md, 'Question packs'.",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def schema_text() -> str:
    return json.dumps(pack_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
