-- Live quiz sessions: enough to rebuild a session exactly after a restart (joins, rounds, attempts, hints),
-- plus the server options moderators set for them.
CREATE TABLE live_sessions (
    play_id           TEXT PRIMARY KEY REFERENCES plays(id),
    question_ids      TEXT NOT NULL,          -- JSON list, in play order
    time_limit        INTEGER NOT NULL,
    lobby_message_id  INTEGER
);

CREATE TABLE participants (
    play_id    TEXT NOT NULL REFERENCES plays(id),
    user_id    INTEGER NOT NULL,
    joined_at  REAL NOT NULL,
    PRIMARY KEY (play_id, user_id)
);

ALTER TABLE rounds ADD COLUMN message_id INTEGER;

ALTER TABLE guild_settings ADD COLUMN quiz_channel_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN moderator_role_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN default_time_limit INTEGER;
ALTER TABLE guild_settings ADD COLUMN default_count INTEGER;
