-- 8: each member's own defaults in a server (/prefer, /settings); 7 is another branch's
CREATE TABLE member_preferences (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    mode       TEXT,
    bot_type   TEXT,
    remix      INTEGER NOT NULL DEFAULT 0,
    suffix     TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
