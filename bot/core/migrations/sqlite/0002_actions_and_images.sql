-- 2: what actions address (AceData image ids), /describe results, delivered image size
ALTER TABLE jobs ADD COLUMN action_ref TEXT;
ALTER TABLE jobs ADD COLUMN descriptions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE jobs ADD COLUMN image_width INTEGER;
ALTER TABLE jobs ADD COLUMN image_height INTEGER;
