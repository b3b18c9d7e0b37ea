-- 9: a member's bonus credits are summed from their bonus entries alone, not their whole history (and the
-- day's daily entries are found by the same index)
CREATE INDEX credit_entries_by_pool ON credit_entries(guild_id, user_id, pool, day);
-- and a member's unfinished jobs are counted from their own (the server's other indexes would walk the whole history)
CREATE INDEX jobs_by_member_status ON jobs(guild_id, user_id, status);
