-- 7: a video job's MP4 links (its image_url is their cover), as a JSON list
ALTER TABLE jobs ADD COLUMN video_urls TEXT NOT NULL DEFAULT '[]';
