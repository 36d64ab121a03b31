-- PostgreSQL's first migration: it builds in one step the schema that SQLite reaches after its migration 0008
-- (same tables, columns in the same order, keys, indexes, checks, defaults, and the board_totals triggers).
-- Each engine keeps its own numbered folder: later changes land as the next number in each engine's folder.
--
-- Types: Discord snowflakes (members, servers, channels, messages, roles) are BIGINT; unix-second times are
-- DOUBLE PRECISION; counters and 0/1 flags stay INTEGER, so SUM(correct) and friends read alike on both engines.
-- The runner applies this file inside its own transaction and records the version itself.

CREATE TABLE plays (
    id          TEXT PRIMARY KEY,
    mode        TEXT NOT NULL CHECK (mode IN ('challenge', 'live', 'practice', 'review', 'daily')),
    guild_id    BIGINT,
    channel_id  BIGINT,
    owner_id    BIGINT NOT NULL,            -- the member (private plays), moderator (live) or the bot (daily)
    pack_id     TEXT NOT NULL,
    started_at  DOUBLE PRECISION NOT NULL,
    ended_at    DOUBLE PRECISION,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'finished', 'abandoned', 'stopped', 'interrupted', 'cancelled'))
);
-- A member has at most one running timed challenge, a channel at most one running live quiz.
CREATE UNIQUE INDEX one_running_challenge ON plays (owner_id) WHERE mode = 'challenge' AND status = 'running';
CREATE UNIQUE INDEX one_live_quiz_per_channel ON plays (channel_id) WHERE mode = 'live' AND status = 'running';

CREATE TABLE rounds (
    id           TEXT PRIMARY KEY,
    play_id      TEXT NOT NULL REFERENCES plays (id),
    position     INTEGER NOT NULL,
    question_id  TEXT NOT NULL,
    opened_at    DOUBLE PRECISION NOT NULL,
    deadline     DOUBLE PRECISION NOT NULL,
    closed_at    DOUBLE PRECISION,
    message_id   BIGINT
);
CREATE INDEX rounds_by_play ON rounds (play_id, position);

CREATE TABLE attempts (
    round_id    TEXT NOT NULL REFERENCES rounds (id),
    user_id     BIGINT NOT NULL,
    choice      TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    correct     INTEGER NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (round_id, user_id, choice)
);

CREATE TABLE hints (
    round_id    TEXT NOT NULL REFERENCES rounds (id),
    user_id     BIGINT NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

-- The final outcome of one question for one member. `ranked`: whether it counts on leaderboards.
CREATE TABLE results (
    round_id     TEXT NOT NULL REFERENCES rounds (id),
    user_id      BIGINT NOT NULL,
    guild_id     BIGINT,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    correct      INTEGER NOT NULL,
    points       INTEGER NOT NULL CHECK (points >= 0),
    attempts     INTEGER NOT NULL,
    hints        INTEGER NOT NULL,
    created_at   DOUBLE PRECISION NOT NULL,
    ranked       INTEGER NOT NULL DEFAULT 1 CHECK (ranked IN (0, 1)),
    PRIMARY KEY (round_id, user_id)
);
CREATE INDEX results_by_user ON results (user_id, created_at);
CREATE INDEX results_by_guild ON results (guild_id, created_at);
-- Boards over a time window, one server's and every server's; a member's points by day; a member's topics.
CREATE INDEX results_board_guild ON results (guild_id, ranked, created_at, user_id, points, correct, pack_id);
CREATE INDEX results_board_all ON results (ranked, created_at, user_id, points, correct, pack_id);
CREATE INDEX results_member_days ON results (user_id, ranked, created_at, guild_id, points);
CREATE INDEX results_member_topics ON results (user_id, guild_id, round_id, correct);

CREATE TABLE result_tags (
    round_id  TEXT NOT NULL,
    user_id   BIGINT NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (round_id, user_id, tag),
    FOREIGN KEY (round_id, user_id) REFERENCES results (round_id, user_id)
);

CREATE TABLE members (
    user_id         BIGINT PRIMARY KEY,
    current_streak  INTEGER NOT NULL DEFAULT 0,
    best_streak     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE badges (
    user_id     BIGINT NOT NULL,
    pack_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    emoji       TEXT NOT NULL,
    guild_id    BIGINT,
    awarded_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (user_id, pack_id)
);

CREATE TABLE guild_settings (
    guild_id            BIGINT PRIMARY KEY,
    run_enabled         INTEGER NOT NULL DEFAULT 1,
    quiz_channel_id     BIGINT,
    moderator_role_id   BIGINT,
    default_time_limit  INTEGER,
    default_count       INTEGER,
    daily_channel_id    BIGINT,
    daily_time          INTEGER CHECK (daily_time BETWEEN 0 AND 1439),
    daily_role_id       BIGINT,
    timezone            TEXT
);

CREATE TABLE live_sessions (
    play_id           TEXT PRIMARY KEY REFERENCES plays (id),
    question_ids      TEXT NOT NULL,          -- JSON list, in play order
    time_limit        INTEGER NOT NULL,
    lobby_message_id  BIGINT
);

CREATE TABLE participants (
    play_id    TEXT NOT NULL REFERENCES plays (id),
    user_id    BIGINT NOT NULL,
    joined_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (play_id, user_id)
);

CREATE TABLE guild_packs (
    guild_id     BIGINT NOT NULL,
    pack_id      TEXT NOT NULL,
    source       TEXT NOT NULL,
    uploaded_by  BIGINT NOT NULL,
    uploaded_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, pack_id)
);

CREATE TABLE cards (
    user_id      BIGINT NOT NULL,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    state        INTEGER NOT NULL CHECK (state IN (1, 2, 3)),
    step         INTEGER CHECK (step >= 0),
    stability    DOUBLE PRECISION,
    difficulty   DOUBLE PRECISION,
    due          DOUBLE PRECISION NOT NULL,
    last_review  DOUBLE PRECISION,
    reps         INTEGER NOT NULL DEFAULT 0 CHECK (reps >= 0),
    lapses       INTEGER NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    PRIMARY KEY (user_id, pack_id, question_id)
);
CREATE INDEX cards_due ON cards (user_id, due);

-- SQLite's `id INTEGER PRIMARY KEY` numbers rows itself when no id is given; an identity column does the same.
CREATE TABLE review_logs (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    reviewed_at  DOUBLE PRECISION NOT NULL,
    duration_ms  INTEGER CHECK (duration_ms >= 0),
    mode         TEXT NOT NULL CHECK (mode IN ('challenge', 'live', 'practice', 'review', 'daily')),
    UNIQUE (user_id, pack_id, question_id, reviewed_at)
);

-- SQLite checks `day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'`; the anchored pattern below is the same test.
CREATE TABLE daily_posts (
    guild_id     BIGINT NOT NULL,
    day          TEXT NOT NULL CHECK (day ~ '^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$'),
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    play_id      TEXT NOT NULL UNIQUE REFERENCES plays (id),
    channel_id   BIGINT NOT NULL,
    message_id   BIGINT,
    posted_at    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, day)
);

CREATE TABLE daily_streaks (
    user_id   BIGINT NOT NULL,
    guild_id  BIGINT NOT NULL,
    current   INTEGER NOT NULL DEFAULT 0 CHECK (current >= 0),
    best      INTEGER NOT NULL DEFAULT 0,
    last_day  TEXT,                         -- the last day with a correct answer, 'YYYY-MM-DD'
    PRIMARY KEY (user_id, guild_id),
    CHECK (best >= current)
);

CREATE TABLE play_items (
    play_id      TEXT NOT NULL REFERENCES plays (id),
    position     INTEGER NOT NULL,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    PRIMARY KEY (play_id, position)
);

-- Members who asked to be left off global leaderboards (server boards still show them).
CREATE TABLE hidden_members (
    user_id  BIGINT PRIMARY KEY
);

-- All-time totals over ranked results, one row per board and member: `guild_id` is the server, or 0 for the
-- global board; `pack_id` is the pack, or '' for every pack. Kept by the triggers below; a row whose member has
-- no ranked result left on that board is deleted.
CREATE TABLE board_totals (
    guild_id  BIGINT NOT NULL,
    pack_id   TEXT NOT NULL,
    user_id   BIGINT NOT NULL,
    points    INTEGER NOT NULL CHECK (points >= 0),
    correct   INTEGER NOT NULL CHECK (correct >= 0),
    answered  INTEGER NOT NULL CHECK (answered >= 0),
    PRIMARY KEY (guild_id, pack_id, user_id)
);

-- Adds one ranked result to its boards: global (every pack, its pack), and when it has a server, that server's
-- (every pack, its pack). One upsert per board, as SQLite applies its INSERT … SELECT … ON CONFLICT row by row
-- (PostgreSQL refuses to update one row twice in a single upsert, should two boards ever coincide).
CREATE FUNCTION board_totals_add(p_guild_id BIGINT, p_pack_id TEXT, p_user_id BIGINT, p_points INTEGER,
                                 p_correct INTEGER) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    board RECORD;
BEGIN
    FOR board IN
        SELECT 0::BIGINT AS guild_id, ''::TEXT AS pack_id
        UNION ALL SELECT 0, p_pack_id
        UNION ALL SELECT p_guild_id, '' WHERE p_guild_id IS NOT NULL
        UNION ALL SELECT p_guild_id, p_pack_id WHERE p_guild_id IS NOT NULL
    LOOP
        INSERT INTO board_totals AS t (guild_id, pack_id, user_id, points, correct, answered)
            VALUES (board.guild_id, board.pack_id, p_user_id, p_points, p_correct, 1)
            ON CONFLICT (guild_id, pack_id, user_id) DO UPDATE SET points = t.points + excluded.points,
                correct = t.correct + excluded.correct, answered = t.answered + 1;
    END LOOP;
END;
$$;

-- Takes one ranked result off its boards, and deletes the rows left with no answer.
CREATE FUNCTION board_totals_remove(p_guild_id BIGINT, p_pack_id TEXT, p_user_id BIGINT, p_points INTEGER,
                                    p_correct INTEGER) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE board_totals SET points = points - p_points, correct = correct - p_correct, answered = answered - 1
        WHERE guild_id IN (0, p_guild_id) AND pack_id IN ('', p_pack_id) AND user_id = p_user_id;
    DELETE FROM board_totals
        WHERE guild_id IN (0, p_guild_id) AND pack_id IN ('', p_pack_id) AND user_id = p_user_id
        AND answered = 0;
END;
$$;

CREATE FUNCTION results_board_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM board_totals_add(NEW.guild_id, NEW.pack_id, NEW.user_id, NEW.points, NEW.correct);
    RETURN NULL;
END;
$$;

CREATE FUNCTION results_board_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM board_totals_remove(OLD.guild_id, OLD.pack_id, OLD.user_id, OLD.points, OLD.correct);
    RETURN NULL;
END;
$$;

-- TorchQuiz never changes a stored result, but if anything does, the totals follow: the old result comes off
-- (if it was ranked), the new one goes on (if it is ranked).
CREATE FUNCTION results_board_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.ranked = 1 THEN
        PERFORM board_totals_remove(OLD.guild_id, OLD.pack_id, OLD.user_id, OLD.points, OLD.correct);
    END IF;
    IF NEW.ranked = 1 THEN
        PERFORM board_totals_add(NEW.guild_id, NEW.pack_id, NEW.user_id, NEW.points, NEW.correct);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER results_board_insert AFTER INSERT ON results
    FOR EACH ROW WHEN (NEW.ranked = 1) EXECUTE FUNCTION results_board_insert();
CREATE TRIGGER results_board_delete AFTER DELETE ON results
    FOR EACH ROW WHEN (OLD.ranked = 1) EXECUTE FUNCTION results_board_delete();
CREATE TRIGGER results_board_update AFTER UPDATE OF user_id, guild_id, pack_id, correct, points, ranked ON results
    FOR EACH ROW EXECUTE FUNCTION results_board_update();
