-- 1: jobs
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL,
    guild_id         INTEGER,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER,
    parent_id        INTEGER REFERENCES jobs(id),
    parent_button    INTEGER,
    provider         TEXT NOT NULL,
    upstream_task_id TEXT,
    action           TEXT NOT NULL,
    title            TEXT NOT NULL DEFAULT '',
    prompt           TEXT NOT NULL,
    status           TEXT NOT NULL,
    progress         INTEGER NOT NULL DEFAULT 0,
    image_url        TEXT,
    preview_url      TEXT,
    buttons          TEXT NOT NULL DEFAULT '[]',
    error            TEXT,
    created_at       REAL NOT NULL,
    updated_at       REAL NOT NULL,
    finished_at      REAL,
    delivered        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_status ON jobs(status);
CREATE INDEX jobs_by_user ON jobs(user_id, created_at);
CREATE INDEX jobs_by_message ON jobs(message_id);
