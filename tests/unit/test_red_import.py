"""`packs import-red`: a Red-DiscordBot trivia list becomes a pack that loads, with an honest report.

`data/red_trivia.yaml` holds seven good questions and one of every kind of bad entry. The command is driven
through a tiny argparse with `add_arguments` and `run`, as `python -m bot packs import-red` will drive it.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from bot.packs import load_pack_file
from bot.packs.models import LETTERS
from bot.packs.red_convert import question_id, slugify
from bot.packs.red_import import add_arguments, run
from bot.settings import Settings

DATA = Path(__file__).parent / "data"
TRIVIA = DATA / "red_trivia.yaml"

# The good questions of the fixture and their accepted answers, as written in the file.
GOOD: dict[str, list[str]] = {
    "Which function turns logits into probabilities that sum to one?": ["softmax", "Softmax", "torch.softmax"],
    "What does backward() fill in on a leaf tensor?": ["grad", ".grad", "gradients"],
    "Which optimizer keeps running averages of the gradient and of its square?": ["Adam", "adam"],
    "How many dimensions does a batch of RGB images have in PyTorch?": ["4", "four"],
    "Is dropout active in eval mode?": ["no"],  # YAML would read `no` as False
    "Which Python version introduced the match statement?": ["3.10"],  # and 3.10 as 3.1
    "What is the default learning rate of torch.optim.Adam?": ["0.001", "1e-3"],
}
# First answers of every question whose answers could be read (the two over-long ones included).
FIRST_ANSWERS = {answers[0] for answers in GOOD.values()} | {"relu"}


def import_red(*args: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot packs import-red")
    add_arguments(parser)
    return run(parser.parse_args(list(args)), Settings(token=SecretStr("offline")))


def test_the_fixture_converts_into_a_pack_that_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack.yaml"
    assert import_red(str(TRIVIA), "--output", str(out)) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    pack = load_pack_file(out)
    assert pack.id == "red-trivia"
    assert pack.title == "Red Trivia"
    assert pack.author == "Ada Lovelace"
    assert pack.description == "Imported from a Red-DiscordBot trivia list."
    assert [q.prompt for q in pack.questions] == list(GOOD)
    for question in pack.questions:
        accepted = GOOD[question.prompt]
        assert question.type == "conceptual" and question.difficulty == "intermediate"
        assert question.tags == ["imported"]
        choices = question.choices or []
        assert choices[LETTERS.index(question.answer or "")] == accepted[0]
        distractors = [c for i, c in enumerate(choices) if LETTERS[i] != question.answer]
        assert len(distractors) == 3
        assert set(distractors) <= FIRST_ANSWERS - {accepted[0]}
        assert not {d.casefold() for d in distractors} & {a.casefold() for a in accepted}
        assert question.hint == (
            f"The answer starts with {accepted[0][0]!r} and has {len(accepted[0])} "
            f"character{'s' if len(accepted[0]) != 1 else ''}."
        )
        assert question.explanation == f"Accepted answers in the original list: {'; '.join(accepted)}."
    assert len({q.answer for q in pack.questions}) > 1  # the correct letter moves around
    assert all(len(q.id) <= 40 for q in pack.questions)
    assert "is-dropout-active-in-eval-mode" in [q.id for q in pack.questions]
    assert "converted 7 of 14 question(s) into pack 'red-trivia'" in captured.err


def test_the_report_names_every_bad_question_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert import_red(str(TRIVIA)) == 0
    report = [line for line in capsys.readouterr().err.splitlines() if line.startswith("skipped ")]
    long_question = "Which tensor operation is described here? " + "x" * 37 + "…"
    assert report == [
        "skipped question 'Which layer normalises over the batch dimension?': "
        "the answers are not a list (found the single value 'BatchNorm')",
        "skipped question 'Which activation is max(0, x)?': the list of answers is empty",
        f"skipped question '{long_question}': the question is 1042 characters (at most 1000)",
        "skipped question 'Name the method that clears gradients': "
        "the first answer is 201 characters (a choice holds at most 200)",
        "skipped question 'Which function turns logits into probabilities that sum to one??': duplicates question "
        "'Which function turns logits into probabilities that sum to one?' once slugified "
        "('which-function-turns-logits-into-probabilities-that-sum-to-one')",
        "skipped question '42': the key is a number, not text (quote it in the list)",
        "skipped question 'Which value is empty?': answer 1 is empty, not text or a number",
    ]


def test_output_goes_to_stdout_and_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert import_red(str(TRIVIA)) == 0
    first = capsys.readouterr().out
    out = tmp_path / "pack.yaml"
    assert import_red(str(TRIVIA), "-o", str(out)) == 0
    assert out.read_text(encoding="utf-8") == first
    assert first.startswith("id: red-trivia\ntitle: Red Trivia\n")


def test_id_and_title_options(tmp_path: Path) -> None:
    out = tmp_path / "pack.yaml"
    assert import_red(str(TRIVIA), "-o", str(out), "--id", "pytorch-trivia", "--title", "PyTorch Trivia") == 0
    pack = load_pack_file(out)
    assert (pack.id, pack.title) == ("pytorch-trivia", "PyTorch Trivia")


def test_a_bad_id_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert import_red(str(TRIVIA), "-o", str(tmp_path / "p.yaml"), "--id", "Not An Id") == 2
    assert "--id 'Not An Id' is not a pack id" in capsys.readouterr().err
    assert not (tmp_path / "p.yaml").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- what is torch?\n- a library\n", "is not a trivia list: expected a mapping"),
        ("just a sentence\n", "is not a trivia list: expected a mapping"),
        ("", "is not a trivia list: expected a mapping"),
        ("question: [a\n", "is not valid YAML"),
    ],
)
def test_not_a_mapping_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str) -> None:
    source = tmp_path / "list.yaml"
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "pack.yaml"
    assert import_red(str(source), "-o", str(out)) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"torchquiz: {source}: {message}")
    assert not out.exists()


def test_nothing_convertible_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "tiny.yaml"
    source.write_text("AUTHOR: me\nWhat is 2 + 2?:\n- 4\nWhat is 2+2?:\n- four\n- 4\n", encoding="utf-8")
    out = tmp_path / "pack.yaml"
    assert import_red(str(source), "-o", str(out)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "skipped question 'What is 2 + 2?': the list has too few distinct answers to build a wrong choice for it",
        "skipped question 'What is 2+2?': duplicates question 'What is 2 + 2?' once slugified ('what-is-2-2')",
        f"torchquiz: {source}: none of the 2 question(s) could be converted",
    ]
    assert not out.exists()


def test_pack_id_comes_from_the_file_name(tmp_path: Path) -> None:
    source = tmp_path / "World Capitals_2024.yml"
    source.write_text("Capital of France?: [Paris]\nCapital of Italy?: [Rome]\n", encoding="utf-8")
    out = tmp_path / "pack.yaml"
    assert import_red(str(source), "-o", str(out)) == 0
    pack = load_pack_file(out)
    assert (pack.id, pack.title, pack.author) == ("world-capitals-2024", "World Capitals 2024", "unknown")
    paris = pack.question("capital-of-france")
    assert paris.choices is not None and sorted(paris.choices) == ["Paris", "Rome"]


def test_long_questions_get_distinct_short_ids() -> None:
    first = "Which of these layers normalises activations over the batch dimension during training?"
    second = "Which of these layers normalises activations over the channel dimension instead?"
    ids = {question_id(slugify(text), text) for text in (first, second)}
    assert len(ids) == 2
    assert all(len(i) <= 40 and i.startswith("which-of-these-layers-normalises") for i in ids)
    assert question_id(slugify("日本の首都は？"), "日本の首都は？").startswith("q-")


def test_format_limits_on_question_count_and_explanation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    many_answers = [f"spelling number {n} of the answer" for n in range(60)]
    questions = {f"Question number {n}?": [f"answer {n}"] for n in range(205)}
    questions["Question number 0?"] = many_answers
    source = tmp_path / "big.yaml"
    source.write_text(yaml.safe_dump(questions, sort_keys=False), encoding="utf-8")
    out = tmp_path / "pack.yaml"
    # Past 200 questions a list becomes numbered packs, one file each; nothing is dropped.
    assert import_red(str(source), "-o", str(out)) == 0
    first, second = load_pack_file(tmp_path / "pack-1.yaml"), load_pack_file(tmp_path / "pack-2.yaml")
    assert (len(first.questions), len(second.questions)) == (200, 5)
    assert (first.id, second.id) == ("big-1", "big-2") and first.title.endswith("(part 1 of 2)")
    err = capsys.readouterr().err
    assert "skipped" not in err and "converted 205 of 205 question(s) into 2 packs of at most 200" in err
    assert import_red(str(source)) == 2  # two packs cannot go to stdout: one line says to give --output
    assert "give --output PATH" in capsys.readouterr().err
    pack = first
    explanation = pack.questions[0].explanation
    assert len(explanation) <= 1000
    assert explanation.startswith("Accepted answers in the original list: spelling number 0 of the answer; ")
    assert re.search(r"; and \d+ more\.$", explanation)


def test_the_bot_command_line_runs_the_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    output = tmp_path / "imported.yaml"
    assert main(["packs", "import-red", str(TRIVIA), "--output", str(output), "--id", "trivia-night"]) == 0
    assert "converted 7 of 14 question(s) into pack 'trivia-night'" in capsys.readouterr().err
    assert main(["packs", "check", "--no-verify", str(output)]) == 0


def test_reds_metadata_keys_become_the_packs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "computers.yaml"
    source.write_text(
        "AUTHOR: A trivia author\n"
        "DESCRIPTION: Questions about computers.\n"
        "CONFIG:\n  delay: 30\n  max_score: 10\n"
        "What does CPU stand for?:\n- Central processing unit\n"
        "What does RAM stand for?:\n- Random access memory\n"
        "What does GPU stand for?:\n- Graphics processing unit\n",
        encoding="utf-8",
    )
    out = tmp_path / "computers-pack.yaml"
    assert import_red(str(source), "-o", str(out)) == 0
    pack = load_pack_file(out)
    assert (pack.author, pack.description, pack.defaults.time_limit) == (
        "A trivia author",
        "Questions about computers.",
        30,
    )
    assert len(pack.questions) == 3  # DESCRIPTION is metadata, not a question
    err = capsys.readouterr().err
    assert "skipped" not in err
    assert "note: CONFIG keys with no equivalent in a pack were ignored: max_score" in err
