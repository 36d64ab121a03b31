"""No pattern lets a member score without knowing PyTorch: the shipped library's answer cues stay under limits."""

from __future__ import annotations

from bot.packs import load_library
from bot.packs.stats import LETTER_LIMIT, LONGEST_LIMIT, AnswerCues, answer_cues
from tests.conftest import CHALLENGES


def test_the_longest_option_is_rarely_the_answer_and_letters_are_spread() -> None:
    library = load_library([CHALLENGES])
    assert not library.problems, library.problems
    cues = answer_cues(list(library.packs.values()))
    assert cues.multiple_choice > 100
    assert cues.longest_share <= LONGEST_LIMIT, "\n".join(cues.lines())
    assert cues.largest_letter_share <= LETTER_LIMIT, "\n".join(cues.lines())


def test_packs_check_warns_past_either_limit() -> None:
    cued = AnswerCues(multiple_choice=10, longest_correct=4, letters={"A": 4, "B": 2, "C": 2, "D": 2})
    assert [line for line in cued.lines() if line.startswith("WARN")] == [
        "WARN the longest option is the answer too often: lengthen the distractors",
        "WARN one answer letter holds too many keys: move some answers to other letters",
    ]
    fine = AnswerCues(multiple_choice=10, longest_correct=3, letters={"A": 3, "B": 3, "C": 2, "D": 2})
    assert not [line for line in fine.lines() if line.startswith("WARN")]
