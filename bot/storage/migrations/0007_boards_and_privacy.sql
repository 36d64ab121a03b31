-- Leaderboards, privacy and the member's own data.
--
-- `results.ranked`: whether a result counts on leaderboards (points, accuracy and answers). Practice and review
-- teach without scoring, so their results are stored with ranked = 0 (and 0 points); results stored before this
-- migration get it from their play's mode.
ALTER TABLE results ADD COLUMN ranked INTEGER NOT NULL DEFAULT 1 CHECK (ranked IN (0, 1));
UPDATE results SET ranked = 0
    WHERE round_id IN (SELECT r.id FROM rounds r JOIN plays p ON p.id = r.play_id
                       WHERE p.mode IN ('practice', 'review'));

-- Members who asked to be left off global leaderboards (server boards still show them).
CREATE TABLE hidden_members (
    user_id  INTEGER PRIMARY KEY
);

-- All-time leaderboard totals over ranked results, kept by the triggers below, so an all-time board reads one
-- row per member instead of adding up every result. One row per board and member: `guild_id` is the server, or 0
-- for the global board (results outside any server count there only); `pack_id` is the pack, or '' for every
-- pack. A row whose member has no ranked result left is deleted. Boards over a time window are added up from
-- `results` through the covering indexes further down.
CREATE TABLE board_totals (
    guild_id  INTEGER NOT NULL,
    pack_id   TEXT NOT NULL,
    user_id   INTEGER NOT NULL,
    points    INTEGER NOT NULL CHECK (points >= 0),
    correct   INTEGER NOT NULL CHECK (correct >= 0),
    answered  INTEGER NOT NULL CHECK (answered >= 0),
    PRIMARY KEY (guild_id, pack_id, user_id)
) WITHOUT ROWID;

INSERT INTO board_totals (guild_id, pack_id, user_id, points, correct, answered)
    SELECT 0, '', user_id, SUM(points), SUM(correct), COUNT(*) FROM results WHERE ranked = 1
    GROUP BY user_id;
INSERT INTO board_totals (guild_id, pack_id, user_id, points, correct, answered)
    SELECT 0, pack_id, user_id, SUM(points), SUM(correct), COUNT(*) FROM results WHERE ranked = 1
    GROUP BY pack_id, user_id;
INSERT INTO board_totals (guild_id, pack_id, user_id, points, correct, answered)
    SELECT guild_id, '', user_id, SUM(points), SUM(correct), COUNT(*) FROM results
    WHERE ranked = 1 AND guild_id IS NOT NULL GROUP BY guild_id, user_id;
INSERT INTO board_totals (guild_id, pack_id, user_id, points, correct, answered)
    SELECT guild_id, pack_id, user_id, SUM(points), SUM(correct), COUNT(*) FROM results
    WHERE ranked = 1 AND guild_id IS NOT NULL GROUP BY guild_id, pack_id, user_id;

CREATE TRIGGER results_board_insert AFTER INSERT ON results WHEN new.ranked = 1
BEGIN
    INSERT INTO board_totals (guild_id, pack_id, user_id, points, correct, answered)
        SELECT board.guild_id, board.pack_id, new.user_id, new.points, new.correct, 1
        FROM (SELECT 0 AS guild_id, '' AS pack_id
              UNION ALL SELECT 0, new.pack_id
              UNION ALL SELECT new.guild_id, '' WHERE new.guild_id IS NOT NULL
              UNION ALL SELECT new.guild_id, new.pack_id WHERE new.guild_id IS NOT NULL) AS board
        WHERE true
        ON CONFLICT (guild_id, pack_id, user_id) DO UPDATE SET points = points + excluded.points,
            correct = correct + excluded.correct, answered = answered + 1;
END;

CREATE TRIGGER results_board_delete AFTER DELETE ON results WHEN old.ranked = 1
BEGIN
    UPDATE board_totals SET points = points - old.points, correct = correct - old.correct, answered = answered - 1
        WHERE guild_id IN (0, old.guild_id) AND pack_id IN ('', old.pack_id) AND user_id = old.user_id;
    DELETE FROM board_totals
        WHERE guild_id IN (0, old.guild_id) AND pack_id IN ('', old.pack_id) AND user_id = old.user_id
        AND answered = 0;
END;

-- TorchQuiz never changes a stored result, but if anything does, the totals follow.
CREATE TRIGGER results_board_update AFTER UPDATE OF user_id, guild_id, pack_id, correct, points, ranked ON results
BEGIN
    UPDATE board_totals SET points = points - old.points, correct = correct - old.correct, answered = answered - 1
        WHERE old.ranked = 1
        AND guild_id IN (0, old.guild_id) AND pack_id IN ('', old.pack_id) AND user_id = old.user_id;
    DELETE FROM board_totals
        WHERE old.ranked = 1
        AND guild_id IN (0, old.guild_id) AND pack_id IN ('', old.pack_id) AND user_id = old.user_id
        AND answered = 0;
    INSERT INTO board_totals (guild_id, pack_id, user_id, points, correct, answered)
        SELECT board.guild_id, board.pack_id, new.user_id, new.points, new.correct, 1
        FROM (SELECT 0 AS guild_id, '' AS pack_id
              UNION ALL SELECT 0, new.pack_id
              UNION ALL SELECT new.guild_id, '' WHERE new.guild_id IS NOT NULL
              UNION ALL SELECT new.guild_id, new.pack_id WHERE new.guild_id IS NOT NULL) AS board
        WHERE new.ranked = 1
        ON CONFLICT (guild_id, pack_id, user_id) DO UPDATE SET points = points + excluded.points,
            correct = correct + excluded.correct, answered = answered + 1;
END;

-- Boards over a time window (this week, ...), read from the index alone: one server's, and every server's.
-- `pack_id` comes last so a pack filter is checked in the index too.
CREATE INDEX results_board_guild ON results(guild_id, ranked, created_at, user_id, points, correct, pack_id);
CREATE INDEX results_board_all ON results(ranked, created_at, user_id, points, correct, pack_id);
-- A member's ranked points day by day (/profile's chart).
CREATE INDEX results_member_days ON results(user_id, ranked, created_at, guild_id, points);
-- A play's rounds: forgetting a member deletes their private plays, and SQLite checks each deleted play for rounds
-- that still point at it (restoring a play after a restart reads them too).
CREATE INDEX rounds_by_play ON rounds(play_id, position);
-- A member's results with their rounds, for topic accuracy (/profile's strongest and weakest topics), in one server
-- or everywhere: without it, a server's filter would lead SQLite to read the whole server's results.
CREATE INDEX results_member_topics ON results(user_id, guild_id, round_id, correct);
