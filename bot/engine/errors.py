"""Domain errors. Each carries a sentence a member can read; the Discord layer only delivers it."""

from __future__ import annotations


class QuizError(Exception):
    """Base of every refusal the engine gives a member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuestionClosed(QuizError):
    def __init__(self) -> None:
        super().__init__("This question has closed.")


class NoAttemptsLeft(QuizError):
    def __init__(self) -> None:
        super().__init__("You have no attempts left on this question.")


class AlreadyAnswered(QuizError):
    def __init__(self) -> None:
        super().__init__("You already answered this question correctly.")


class AlreadyTried(QuizError):
    def __init__(self, choice: str) -> None:
        super().__init__(f"You already tried {choice}; pick another answer.")
        self.choice = choice


class InvalidChoice(QuizError):
    def __init__(self, choice: str) -> None:
        super().__init__(f"{choice!r} is not one of this question's answers.")


class SameCodeAgain(QuizError):
    def __init__(self) -> None:
        super().__init__("You already submitted exactly this code; change something and submit again.")
