"""Question packs: the YAML format, its validation and loading."""

from bot.packs.loader import PackError, PackLibrary, PackProblem, load_library, load_pack_file, parse_pack
from bot.packs.models import Badge, Defaults, Pack, Question, Verify

__all__ = [
    "Badge",
    "Defaults",
    "Pack",
    "PackError",
    "PackLibrary",
    "PackProblem",
    "Question",
    "Verify",
    "load_library",
    "load_pack_file",
    "parse_pack",
]
