"""Which servers a bot process serves when it holds a slice of the shards."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.settings import Settings
from bot.shards import ShardSlice, shard_of

# Snowflakes whose shard of 2 is known: the shard is (id >> 22) % count.
ON_0, ON_1 = 4 << 22, 5 << 22


def test_servers_go_to_the_shard_discord_routes_them_to() -> None:
    assert (shard_of(ON_0, 2), shard_of(ON_1, 2), shard_of(None, 2)) == (0, 1, 0)
    first, second = ShardSlice(2, (0,)), ShardSlice(2, (1,))
    assert first.owns(ON_0) and not first.owns(ON_1) and first.owns(None)  # direct messages come to shard 0
    assert second.owns(ON_1) and not second.owns(ON_0) and not second.owns(None)
    assert first.syncs_commands and not second.syncs_commands


def test_one_process_with_every_shard_owns_everything() -> None:
    for whole in (ShardSlice(), ShardSlice(3), ShardSlice(2, (0, 1))):
        assert all(whole.owns(guild) for guild in (ON_0, ON_1, None)) and whole.syncs_commands


def test_settings_read_the_slice_and_refuse_one_that_cannot_be() -> None:
    settings = Settings(token=SecretStr("t"), shard_count=4, shard_ids="1, 3")
    assert settings.shards == ShardSlice(4, (1, 3)) and settings.shards.describe() == "shard(s) 1, 3 of 4"
    for count, ids, message in (
        (None, "0", "needs TORCHQUIZ_SHARD_COUNT"),
        (2, "2", "between 0 and 1"),
        (2, "0,0", "once each"),
        (2, "zero", "numbers separated by commas"),
    ):
        with pytest.raises(ValidationError, match=message):
            Settings(token=SecretStr("t"), shard_count=count, shard_ids=ids)
