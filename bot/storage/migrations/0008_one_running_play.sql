-- Rules that lived only in one process's memory, now kept by the database, so that two bot processes on one
-- database cannot break them: a member has at most one running timed challenge, a channel at most one running
-- live quiz. Plays that already break them (left running by an old version) are closed as interrupted first,
-- keeping the newest.
UPDATE plays SET status = 'interrupted', ended_at = started_at
WHERE mode = 'challenge' AND status = 'running'
  AND rowid NOT IN (SELECT MAX(rowid) FROM plays WHERE mode = 'challenge' AND status = 'running' GROUP BY owner_id);

UPDATE plays SET status = 'interrupted', ended_at = started_at
WHERE mode = 'live' AND status = 'running'
  AND rowid NOT IN (SELECT MAX(rowid) FROM plays WHERE mode = 'live' AND status = 'running' GROUP BY channel_id);

CREATE UNIQUE INDEX one_running_challenge ON plays(owner_id) WHERE mode = 'challenge' AND status = 'running';
CREATE UNIQUE INDEX one_live_quiz_per_channel ON plays(channel_id) WHERE mode = 'live' AND status = 'running';
