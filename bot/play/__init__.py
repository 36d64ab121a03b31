"""The play layer: what every question mode shares on Discord.

A *play* is one pass through questions in one mode (`bot.domain.plays.PlayMode`): a timed challenge, a live quiz,
practice, review or the daily question. They differ only in how questions are chosen, timed, scored and
delivered. Everything else lives here once: the registry of running plays (`registry.py`), the routed buttons
that reach them (`buttons.py`), the round view (`views.py`), the reply and reveal wording (`replies.py`), the
close and finish service (`finish.py`), private plays (`private.py`, `modes.py`, `embeds.py`) and the restore
path after a restart (`restore.py`). Channel plays (a live quiz, the daily question) use the same pieces.
"""
