"""`python -m bot [command]`: run the bot, check the installation, check packs, back up the database.

Every failure an operator can cause (a missing token, a malformed setting, a bad pack) ends with one line that
names what to fix and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.logging_setup import configure_logging
from bot.settings import Settings, SettingsError, load_settings

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="TorchQuiz, a PyTorch tutor for Discord.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord and serve (the default)")
    commands.add_parser("doctor", help="check settings, database and packs offline and report")
    packs = commands.add_parser("packs", help="work with question packs")
    pack_commands = packs.add_subparsers(dest="packs_command", metavar="ACTION", required=True)
    check = pack_commands.add_parser("check", help="validate packs and run their answer keys; exit 1 on any problem")
    check.add_argument("paths", nargs="*", type=Path, help="pack files or folders (default: the packs folder)")
    check.add_argument("--no-verify", action="store_true", help="validate only; do not run keys in the sandbox")
    from bot.packs import play, red_import

    play.add_arguments(pack_commands.add_parser("play", help="play a pack in the terminal with the bot's engine"))
    red_import.add_arguments(
        pack_commands.add_parser("import-red", help="convert a Red-DiscordBot trivia list into a pack")
    )
    schema = pack_commands.add_parser("schema", help="print the JSON Schema of the pack format")
    schema.add_argument("--output", type=Path, help="write it to this file instead")
    sandbox = commands.add_parser("sandbox", help="run code in the sandbox as /run does, or grade submissions")
    sandbox_commands = sandbox.add_subparsers(
        dest="sandbox_command", metavar="ACTION", required=True, parser_class=OneLineErrors
    )
    from bot.packs import grade
    from bot.sandbox.cli import add_arguments

    add_arguments(sandbox_commands.add_parser("run", help="run files through one warm pool, in order"))
    from bot import review_cli

    review_cli.add_arguments(commands.add_parser("review", help="spaced-review tools (fit FSRS to stored reviews)"))
    from bot import db_cli

    db_cli.add_arguments(
        commands.add_parser("db", help="back up the database, or export one server's results (safe while running)")
    )
    grade.add_arguments(sandbox_commands.add_parser("grade", help="grade files as submissions to a code question"))
    from bot.sandbox.cli import add_serve_arguments

    add_serve_arguments(sandbox_commands.add_parser("serve", help="be a worker host: run jobs from the Redis queue"))
    return parser


class OneLineErrors(argparse.ArgumentParser):
    """A parser whose usage errors are one line on stderr and status 2 (scripts read that line)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "doctor":
        from bot.doctor import run_doctor

        configure_logging("ERROR")
        return asyncio.run(run_doctor())
    if command in {"packs", "sandbox", "review", "db"}:
        try:
            settings = load_settings(require_token=False)
        except SettingsError as exc:
            print(f"torchquiz: {exc}", file=sys.stderr)
            return EXIT_USAGE
        configure_logging("WARNING")
        if command == "packs":
            return _packs(args, settings)
        if command == "review":
            from bot import review_cli

            return review_cli.run(args, settings)
        if command == "db":
            from bot import db_cli

            return db_cli.run(args, settings)
        if args.sandbox_command == "serve":
            from bot.sandbox.cli import serve_host

            return serve_host(args, settings)
        if args.sandbox_command == "grade":
            from bot.packs.grade import grade_files

            return asyncio.run(grade_files(args, settings.packs_dir, settings.sandbox_limits(), settings.sandbox_queue))
        from bot.sandbox.cli import run_files

        return asyncio.run(run_files(args, settings.sandbox_limits(), settings.sandbox_queue))
    return _run_bot()


def _packs(args: argparse.Namespace, settings: Settings) -> int:
    if args.packs_command == "schema":
        from bot.packs.schema import schema_text

        if args.output is None:
            sys.stdout.write(schema_text())
        else:
            args.output.write_text(schema_text(), encoding="utf-8")
        return 0
    if args.packs_command == "play":
        from bot.packs import play

        return play.run(args, settings)
    if args.packs_command == "import-red":
        from bot.packs import red_import

        return red_import.run(args, settings)
    from bot.packs.check import check_packs

    return asyncio.run(check_packs(args.paths, settings, verify=not args.no_verify))


def _run_bot() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"torchquiz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level)
    from bot.startup import StartupError, run_bot

    try:
        asyncio.run(run_bot(settings))
    except StartupError as exc:
        print(f"torchquiz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return 0
