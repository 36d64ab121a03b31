-- The questions of a private play (challenge, practice, review, daily), in play order and with their packs,
-- so a play that a restart interrupted can be rebuilt and resumed exactly.
CREATE TABLE play_items (
    play_id      TEXT NOT NULL REFERENCES plays(id),
    position     INTEGER NOT NULL,
    pack_id      TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    PRIMARY KEY (play_id, position)
);
