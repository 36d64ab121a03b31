from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.packs import PackError, load_library, load_pack_file
from tests.conftest import CHALLENGES


def write_pack(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def autograd_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CHALLENGES / "autograd-basics.yaml").read_text(encoding="utf-8"))
    return data


def test_every_shipped_pack_loads() -> None:
    library = load_library([CHALLENGES])
    assert library.problems == []
    assert "autograd-basics" in library.packs


def test_autograd_basics_matches_the_seed(autograd_pack) -> None:
    assert [q.type for q in autograd_pack.questions] == [
        "conceptual",
        "predict_output",
        "model_choice",
        "hyperparameter",
        "debug",
    ]
    assert [q.answer for q in autograd_pack.questions] == ["A", "B", "A", "C", "D"]
    assert autograd_pack.questions[1].choices[1] == "14.0"
    assert autograd_pack.questions[1].verify.output == "14.0"
    assert autograd_pack.questions[4].verify.raises == "RuntimeError"
    assert autograd_pack.badge.name == "Automatic Differentiation Master"
    assert all(q.hint and q.explanation for q in autograd_pack.questions)


def test_missing_answer_names_file_question_and_field(tmp_path: Path) -> None:
    data = autograd_data()
    del data["questions"][1]["answer"]
    path = write_pack(tmp_path, "broken.yaml", data)
    with pytest.raises(PackError) as caught:
        load_pack_file(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert problem.question == "cubic-grad"
    assert problem.field == "answer"
    assert str(problem).startswith(f"{path}, question 'cubic-grad', field 'answer': ")


def test_answer_outside_the_choices(tmp_path: Path) -> None:
    data = autograd_data()
    data["questions"][0]["answer"] = "E"
    with pytest.raises(PackError, match="question 'why-autodiff', field 'answer': 'E' is not one of the choices A–D"):
        load_pack_file(write_pack(tmp_path, "bad.yaml", data))


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    data = autograd_data()
    data["questions"][0]["difficulty"] = "impossible"
    del data["questions"][2]["hint"]
    data["questions"][3]["colour"] = "red"
    with pytest.raises(PackError) as caught:
        load_pack_file(write_pack(tmp_path, "bad.yaml", data))
    found = {(p.question, p.field) for p in caught.value.problems}
    assert found == {
        ("why-autodiff", "difficulty"),
        ("clear-gradient-model", "hint"),
        ("lr-too-high", "colour"),
    }


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("id: x\nquestions: [\n  - oops: : :\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"syntax.yaml: is not valid YAML at line \d+"):
        load_pack_file(path)


def test_code_question_needs_its_check(tmp_path: Path) -> None:
    data = autograd_data()
    data["questions"].append(
        {
            "id": "write-it",
            "type": "code",
            "difficulty": "beginner",
            "prompt": "Write f",
            "hint": "h",
            "explanation": "e",
            "tags": ["autograd"],
            "starter": "def f(): ...",
            "solution": "def f(): return 1",
        }
    )
    with pytest.raises(PackError, match="question 'write-it', field 'check': is missing"):
        load_pack_file(write_pack(tmp_path, "code.yaml", data))


def test_a_bad_pack_does_not_stop_the_others(tmp_path: Path) -> None:
    good = autograd_data()
    bad = autograd_data()
    bad["id"] = "other"
    del bad["questions"][0]["answer"]
    write_pack(tmp_path, "a-good.yaml", good)
    write_pack(tmp_path, "b-bad.yaml", bad)
    duplicate = autograd_data()
    write_pack(tmp_path, "c-dup.yaml", duplicate)
    library = load_library([tmp_path])
    assert list(library.packs) == ["autograd-basics"]
    assert len(library.problems) == 2
    assert "c-dup.yaml, field 'id': pack id 'autograd-basics' is already used" in str(library.problems[1])


def test_packs_check_names_file_question_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = autograd_data()
    del data["questions"][4]["answer"]
    broken = write_pack(tmp_path, "broken.yaml", data)
    assert main(["packs", "check", "--no-verify", str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {broken}, question 'detach-backward', field 'answer': is missing" in out


def test_runnable_keys_without_verify_fail_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = autograd_data()
    del data["questions"][1]["verify"]
    path = write_pack(tmp_path, "unverified.yaml", data)
    assert main(["packs", "check", "--no-verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {path}, question 'cubic-grad', field 'verify': its code can run, so its key must be checked" in out


def test_packs_check_prints_counts_by_type_and_difficulty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "check", "--no-verify", str(CHALLENGES / "autograd-basics.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("pack "))
    assert header.split() == [
        "pack",
        "total",
        "concept",
        "predict",
        "model",
        "hyper",
        "metrics",
        "debug",
        "code",
        "beg",
        "int",
        "adv",
        "exp",
    ]
    row = next(line for line in lines if line.startswith("autograd-basics "))
    assert row.split()[1:] == ["5", "1", "1", "1", "1", "0", "1", "0", "0", "2", "2", "1"]


def test_a_deeply_nested_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("questions: " + "[" * 600, encoding="utf-8")
    with pytest.raises(PackError) as refused:
        load_pack_file(path)
    assert (
        str(refused.value) == f"{path}: nests lists or mappings too deeply to be read (a pack needs only a few levels)"
    )


def test_a_pack_states_what_it_requires_and_an_unmet_requirement_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load((CHALLENGES / "autograd-basics.yaml").read_text(encoding="utf-8"))
    met = tmp_path / "met.yaml"
    met.write_text(yaml.safe_dump({**data, "requires": {"torch": ">=2.4"}}), encoding="utf-8")
    assert load_pack_file(met).requires is not None
    unmet = tmp_path / "unmet.yaml"
    unmet.write_text(yaml.safe_dump({**data, "requires": {"torch": ">=99"}}), encoding="utf-8")
    with pytest.raises(PackError) as refused:
        load_pack_file(unmet)
    assert "field 'requires.torch': requires torch >=99, but torch 2.13.0" in str(refused.value)
    garbled = tmp_path / "garbled.yaml"
    garbled.write_text(yaml.safe_dump({**data, "requires": {"torch": "two point four"}}), encoding="utf-8")
    with pytest.raises(PackError, match="'two point four' is not a version specifier"):
        load_pack_file(garbled)
