-- 11: the showcase (one post per image) and the images members took out of the web gallery
CREATE TABLE showcase_posts (
    job_id     BIGINT PRIMARY KEY REFERENCES jobs(id),
    guild_id   BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    message_id BIGINT,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE gallery_removed (
    job_id     BIGINT PRIMARY KEY REFERENCES jobs(id),
    state      TEXT NOT NULL CHECK (state IN ('hidden', 'deleted')),
    updated_at DOUBLE PRECISION NOT NULL
);
-- A gallery page: a server's images (a moderator) or one member's (a member), newest first.
CREATE INDEX jobs_by_guild_id ON jobs(guild_id, id);
CREATE INDEX jobs_by_guild_user_id ON jobs(guild_id, user_id, id);
