-- 6: this ledger's own name, so that its jobs are told from another ledger's on a shared API account
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(5))));
