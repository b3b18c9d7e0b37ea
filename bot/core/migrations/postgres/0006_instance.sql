-- 6: this ledger's own name, so that its jobs are told from another ledger's on a shared API account
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('instance', substr(md5(random()::text || clock_timestamp()::text), 1, 10));
