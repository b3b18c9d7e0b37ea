-- 9: a member's bonus credits are summed from their bonus entries alone, not their whole history (and the
-- day's daily entries are found by the same index)
CREATE INDEX credit_entries_by_pool ON credit_entries(guild_id, user_id, pool, day);
