"""A tiny discord.py bot that exercises every interaction path the fake must support.

It is deliberately written the ordinary discord.py way (``CommandTree``, ``ui.View``, ``ui.Modal``) so the
self-tests prove the fake works for unmodified client code, not for code bent to suit the fake.
Exceptions raised by discord.py inside commands are kept in ``caught`` so tests can assert on them.
"""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands


class HelloView(discord.ui.View):
    """Two buttons: one answers by editing the message, one by a new ephemeral reply and a follow-up."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Edit me", custom_id="hello:edit", style=discord.ButtonStyle.primary)
    async def edit(self, interaction: discord.Interaction, button: discord.ui.Button[HelloView]) -> None:
        await interaction.response.edit_message(content=f"edited by {interaction.user.name}", view=None)

    @discord.ui.button(label="Reply", custom_id="hello:reply")
    async def reply(self, interaction: discord.Interaction, button: discord.ui.Button[HelloView]) -> None:
        await interaction.response.send_message("a private reply", ephemeral=True)
        await interaction.followup.send("and a follow-up", ephemeral=True)

    @discord.ui.button(label="Rename", custom_id="hello:rename")
    async def rename(self, interaction: discord.Interaction, button: discord.ui.Button[HelloView]) -> None:
        await interaction.response.send_modal(RenameModal())

    @discord.ui.select(custom_id="hello:pick", options=[discord.SelectOption(label=x) for x in ("a", "b", "c")])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[HelloView]) -> None:
        await interaction.response.send_message(f"picked {','.join(select.values)}", ephemeral=True)


class RenameModal(discord.ui.Modal, title="Rename"):
    """Opened from a button, answered by editing the message the button was on (callback type 7)."""

    name: discord.ui.TextInput[RenameModal] = discord.ui.TextInput(label="New name", custom_id="name")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=f"renamed to {self.name.value}")


class AnswerModal(discord.ui.Modal, title="Your answer"):
    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(label="Answer", custom_id="answer", max_length=100)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"you said {self.answer.value}")


class TinyBot(discord.Client):
    def __init__(self, *, intents: discord.Intents | None = None) -> None:
        super().__init__(intents=intents or discord.Intents.default(), guild_ready_timeout=0)
        self.tree = app_commands.CommandTree(self)
        self.caught: list[Exception] = []
        self.gate = asyncio.Event()
        """``/late`` waits for this before answering, so a test can move the fake clock first."""
        self.original_edit: discord.InteractionMessage | None = None
        self._register()

    async def setup_hook(self) -> None:
        await self.tree.sync()

    def _register(self) -> None:
        tree = self.tree

        @tree.command(description="Greets you privately, with buttons")
        async def hello(interaction: discord.Interaction, name: str, times: int = 1) -> None:
            embed = discord.Embed(title=f"Hello {name}", description=f"x{times}")
            embed.add_field(name="manage_guild", value=str(interaction.permissions.manage_guild))
            await interaction.response.send_message(embed=embed, view=HelloView(), ephemeral=True)

        @tree.command(description="Suggests packs as you type")
        async def pack(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"pack {name}")

        @pack.autocomplete("name")
        async def pack_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            names = ["autograd-basics", "autograd-advanced", "tensors"]
            return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

        @tree.command(description="Asks for an answer in a modal")
        async def ask(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(AnswerModal())

        @tree.command(description="Thinks, then follows up")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done thinking")

        @tree.command(description="Answers, then edits its original response")
        async def orig(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first version")
            message = await interaction.original_response()
            self.original_edit = await message.edit(content="second version")

        @tree.command(description="Sends a file as a follow-up")
        async def file(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            await interaction.followup.send("here", file=discord.File(io.BytesIO(b"tensor([1.])"), "result.txt"))

        @tree.command(description="Tries to send too much")
        async def long(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("x" * 2001)
            except discord.HTTPException as error:
                self.caught.append(error)
                await interaction.response.send_message("shortened")

        @tree.command(description="Answers only when the test opens the gate")
        async def late(interaction: discord.Interaction) -> None:
            await self.gate.wait()
            try:
                await interaction.response.send_message("too late?")
            except discord.HTTPException as error:
                self.caught.append(error)

        @tree.command(description="Reads an uploaded file")
        async def upload(interaction: discord.Interaction, code: discord.Attachment, who: discord.Member) -> None:
            text = (await code.read()).decode()
            await interaction.response.send_message(f"{who.display_name} sent {code.filename}: {text}")

        quiz = app_commands.Group(name="quiz", description="Live quizzes")

        @quiz.command(name="start", description="Starts a quiz")
        async def start(interaction: discord.Interaction, topic: str, rounds: int, hard: bool = False) -> None:
            await interaction.response.send_message(f"quiz on {topic}: {rounds} rounds, hard={hard}")

        admin = app_commands.Group(name="admin", description="Quiz administration", parent=quiz)

        @admin.command(name="reset", description="Resets the scores")
        async def reset(interaction: discord.Interaction, confirm: bool) -> None:
            await interaction.response.send_message(f"reset confirm={confirm}", ephemeral=True)

        tree.add_command(quiz)
