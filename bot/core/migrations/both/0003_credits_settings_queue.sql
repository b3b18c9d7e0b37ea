-- 3: credits, per-server settings, queued requests
ALTER TABLE jobs ADD COLUMN cost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN request TEXT;
ALTER TABLE jobs ADD COLUMN running_limit INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_by_guild_status ON jobs(guild_id, status);
CREATE TABLE credit_entries (
    id         {{id}},
    guild_id   {{snowflake}} NOT NULL,
    user_id    {{snowflake}} NOT NULL,
    job_id     {{snowflake}} REFERENCES jobs(id),
    kind       TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'grant', 'revoke', 'reset')),
    pool       TEXT NOT NULL CHECK (pool IN ('daily', 'bonus')),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    day        TEXT NOT NULL,
    actor_id   {{snowflake}},
    note       TEXT NOT NULL DEFAULT '',
    created_at {{time}} NOT NULL
);
CREATE INDEX credit_entries_by_user ON credit_entries(guild_id, user_id, day);
CREATE INDEX credit_entries_by_job ON credit_entries(job_id);
CREATE TABLE guild_settings (
    guild_id {{snowflake}} PRIMARY KEY,
    data     TEXT NOT NULL DEFAULT '{}'
);
