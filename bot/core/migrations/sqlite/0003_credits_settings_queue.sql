-- 3: credits, per-server settings, queued requests
ALTER TABLE jobs ADD COLUMN cost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN request TEXT;
ALTER TABLE jobs ADD COLUMN running_limit INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_by_guild_status ON jobs(guild_id, status);
CREATE TABLE credit_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    job_id     INTEGER REFERENCES jobs(id),
    kind       TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'grant', 'revoke', 'reset')),
    pool       TEXT NOT NULL CHECK (pool IN ('daily', 'bonus')),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    day        TEXT NOT NULL,
    actor_id   INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE INDEX credit_entries_by_user ON credit_entries(guild_id, user_id, day);
CREATE INDEX credit_entries_by_job ON credit_entries(job_id);
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY,
    data     TEXT NOT NULL DEFAULT '{}'
);
