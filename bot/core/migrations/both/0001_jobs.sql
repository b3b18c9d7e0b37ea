-- 1: jobs (Discord ids are snowflakes; times are Unix seconds)
CREATE TABLE jobs (
    id               {{id}},
    user_id          {{snowflake}} NOT NULL,
    guild_id         {{snowflake}},
    channel_id       {{snowflake}} NOT NULL,
    message_id       {{snowflake}},
    parent_id        {{snowflake}} REFERENCES jobs(id),
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
    created_at       {{time}} NOT NULL,
    updated_at       {{time}} NOT NULL,
    finished_at      {{time}},
    delivered        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_status ON jobs(status);
CREATE INDEX jobs_by_user ON jobs(user_id, created_at);
CREATE INDEX jobs_by_message ON jobs(message_id);
