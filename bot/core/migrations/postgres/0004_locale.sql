-- 4: the language of the member who started a job, for its public message
ALTER TABLE jobs ADD COLUMN locale TEXT NOT NULL DEFAULT 'en-US';
