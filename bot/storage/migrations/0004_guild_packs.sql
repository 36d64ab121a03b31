-- Packs that moderators upload with /packs upload: available in their server only. The YAML is kept as sent,
-- so it is validated again at every start with the code of the day.
CREATE TABLE guild_packs (
    guild_id     INTEGER NOT NULL,
    pack_id      TEXT NOT NULL,
    source       TEXT NOT NULL,
    uploaded_by  INTEGER NOT NULL,
    uploaded_at  REAL NOT NULL,
    PRIMARY KEY (guild_id, pack_id)
);
