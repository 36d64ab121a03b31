"""Discord presentation shared by the cogs: embeds and formatting that fit Discord's limits."""
