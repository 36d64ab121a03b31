-- Spaced review (FSRS cards and their review log), the daily question, and closed vocabularies for plays.
--
-- `plays.mode` and `plays.status` take exactly the values of `PlayMode` and `PlayStatus` (bot/domain/plays.py);
-- tests/unit/test_migration_0005.py fails when the enums and these lists drift apart. SQLite cannot add a CHECK
-- to an existing column, so `plays` is rebuilt: create, copy, drop, rename (migrations run with foreign keys
-- off, and `PRAGMA foreign_key_check` must pass before they commit). A stored play with any other mode or status
-- makes this migration fail, leaving the database at version 4.

CREATE TABLE plays_new (
    id          TEXT PRIMARY KEY,
    mode        TEXT NOT NULL CHECK (mode IN ('challenge', 'live', 'practice', 'review', 'daily')),
    guild_id    INTEGER,
    channel_id  INTEGER,
    owner_id    INTEGER NOT NULL,           -- the member (private plays), moderator (live) or the bot (daily)
    pack_id     TEXT NOT NULL,
    started_at  REAL NOT NULL,
    ended_at    REAL,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'finished', 'abandoned', 'stopped', 'interrupted', 'cancelled'))
);
INSERT INTO plays_new (id, mode, guild_id, channel_id, owner_id, pack_id, started_at, ended_at, status)
    SELECT id, mode, guild_id, channel_id, owner_id, pack_id, started_at, ended_at, status FROM plays;
DROP TABLE plays;
ALTER TABLE plays_new RENAME TO plays;

-- One FSRS card per member and question. Times are unix seconds (REAL); `state` is fsrs.State
-- (1 learning, 2 review, 3 relearning); `step` is the (re)learning step, NULL in the review state.
CREATE TABLE cards (
    user_id      INTEGER NOT NULL,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    state        INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
    step         INTEGER CHECK (step >= 0),
    stability    REAL,
    difficulty   REAL,
    due          REAL NOT NULL,
    last_review  REAL,
    reps         INTEGER NOT NULL DEFAULT 0 CHECK (reps >= 0),      -- reviews so far
    lapses       INTEGER NOT NULL DEFAULT 0 CHECK (lapses >= 0),    -- times forgotten once learnt (Again in review)
    PRIMARY KEY (user_id, pack_id, question_id)
);
CREATE INDEX cards_due ON cards(user_id, due);

-- Every review, as the FSRS optimizer reads them. One per member, question and moment, so replaying the close
-- of a question stores nothing twice (and leaves the card alone).
CREATE TABLE review_logs (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),    -- fsrs.Rating: Again, Hard, Good, Easy
    reviewed_at  REAL NOT NULL,
    duration_ms  INTEGER CHECK (duration_ms >= 0),
    mode         TEXT NOT NULL CHECK (mode IN ('challenge', 'live', 'practice', 'review', 'daily')),
    UNIQUE (user_id, pack_id, question_id, reviewed_at)
);

-- The daily question: where and when (minutes after local midnight) it is posted, whom it mentions, and the
-- server's time zone (an IANA name; NULL means UTC).
ALTER TABLE guild_settings ADD COLUMN daily_channel_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN daily_time INTEGER CHECK (daily_time BETWEEN 0 AND 1439);
ALTER TABLE guild_settings ADD COLUMN daily_role_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN timezone TEXT;

-- At most one daily question per server and local day: the first claim wins, so two ticks or two processes
-- never post twice.
CREATE TABLE daily_posts (
    guild_id     INTEGER NOT NULL,
    day          TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    play_id      TEXT NOT NULL UNIQUE REFERENCES plays(id),
    channel_id   INTEGER NOT NULL,
    message_id   INTEGER,
    posted_at    REAL NOT NULL,
    PRIMARY KEY (guild_id, day)
);

-- Consecutive days with a correct daily answer, per member and server.
CREATE TABLE daily_streaks (
    user_id   INTEGER NOT NULL,
    guild_id  INTEGER NOT NULL,
    current   INTEGER NOT NULL DEFAULT 0 CHECK (current >= 0),
    best      INTEGER NOT NULL DEFAULT 0 CHECK (best >= current),
    last_day  TEXT,                         -- the last day with a correct answer, 'YYYY-MM-DD'
    PRIMARY KEY (user_id, guild_id)
);
