-- TorchQuiz schema, version 1.
-- A "play" is one pass through questions: a member's timed challenge, or (later) a live session.
-- A "round" is one question inside a play. Attempts and hints are keyed so a repeated click is stored once.

CREATE TABLE plays (
    id          TEXT PRIMARY KEY,
    mode        TEXT NOT NULL,              -- 'challenge', 'live', ...
    guild_id    INTEGER,
    channel_id  INTEGER,
    owner_id    INTEGER NOT NULL,           -- the member (challenge) or moderator (live) who started it
    pack_id     TEXT NOT NULL,
    started_at  REAL NOT NULL,
    ended_at    REAL,
    status      TEXT NOT NULL DEFAULT 'running'   -- 'running', 'finished', 'abandoned'
);

CREATE TABLE rounds (
    id           TEXT PRIMARY KEY,
    play_id      TEXT NOT NULL REFERENCES plays(id),
    position     INTEGER NOT NULL,
    question_id  TEXT NOT NULL,
    opened_at    REAL NOT NULL,
    deadline     REAL NOT NULL,
    closed_at    REAL
);

CREATE TABLE attempts (
    round_id    TEXT NOT NULL REFERENCES rounds(id),
    user_id     INTEGER NOT NULL,
    choice      TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    correct     INTEGER NOT NULL,
    created_at  REAL NOT NULL,
    PRIMARY KEY (round_id, user_id, choice)
);

CREATE TABLE hints (
    round_id    TEXT NOT NULL REFERENCES rounds(id),
    user_id     INTEGER NOT NULL,
    created_at  REAL NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

-- The final outcome of one question for one member: what profiles, leaderboards and mastery add up.
CREATE TABLE results (
    round_id     TEXT NOT NULL REFERENCES rounds(id),
    user_id      INTEGER NOT NULL,
    guild_id     INTEGER,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    correct      INTEGER NOT NULL,
    points       INTEGER NOT NULL CHECK (points >= 0),
    attempts     INTEGER NOT NULL,
    hints        INTEGER NOT NULL,
    created_at   REAL NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
CREATE INDEX results_by_user ON results(user_id, created_at);
CREATE INDEX results_by_guild ON results(guild_id, created_at);

CREATE TABLE result_tags (
    round_id  TEXT NOT NULL,
    user_id   INTEGER NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (round_id, user_id, tag),
    FOREIGN KEY (round_id, user_id) REFERENCES results(round_id, user_id)
);

CREATE TABLE members (
    user_id         INTEGER PRIMARY KEY,
    current_streak  INTEGER NOT NULL DEFAULT 0,
    best_streak     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE badges (
    user_id     INTEGER NOT NULL,
    pack_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    emoji       TEXT NOT NULL,
    guild_id    INTEGER,
    awarded_at  REAL NOT NULL,
    PRIMARY KEY (user_id, pack_id)
);
