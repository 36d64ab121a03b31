-- Per-server options that moderators set with /settings.
CREATE TABLE guild_settings (
    guild_id     INTEGER PRIMARY KEY,
    run_enabled  INTEGER NOT NULL DEFAULT 1
);
