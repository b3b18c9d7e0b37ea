-- 10: each member's own default Midjourney version (/settings)
ALTER TABLE member_preferences ADD COLUMN version TEXT;
