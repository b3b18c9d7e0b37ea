-- 11: each member's own default Midjourney version (/settings); 9 and 10 are other branches'
ALTER TABLE member_preferences ADD COLUMN version TEXT;
