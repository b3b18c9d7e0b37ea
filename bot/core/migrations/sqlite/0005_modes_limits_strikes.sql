-- 5: the mode a job goes with, the moments its time limits count from, shared upscales, strikes
ALTER TABLE jobs ADD COLUMN mode TEXT;
ALTER TABLE jobs ADD COLUMN bot_type TEXT;
ALTER TABLE jobs ADD COLUMN submitted_at REAL;
ALTER TABLE jobs ADD COLUMN input_since REAL;
ALTER TABLE jobs ADD COLUMN source_id INTEGER REFERENCES jobs(id);
UPDATE jobs SET submitted_at = created_at WHERE upstream_task_id IS NOT NULL;
UPDATE jobs SET input_since = updated_at WHERE status = 'needs_input';
CREATE INDEX jobs_by_parent ON jobs(parent_id, parent_button, action);
CREATE INDEX jobs_by_source ON jobs(source_id);
CREATE TABLE strikes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    day        TEXT NOT NULL,
    job_id     INTEGER REFERENCES jobs(id),
    reason     TEXT NOT NULL,
    cleared    INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX strikes_by_user ON strikes(guild_id, user_id, day);
