-- A loam extension on datasets (rendered as `responses_visible_for_annotators`, set by owners and
-- managing admins through PATCH /api/v1/datasets/{id}): when true, annotators reading a record by
-- id see every annotator's responses to it; when false (the default, and every dataset created
-- before this migration) they see only their own: blind annotation.
ALTER TABLE datasets ADD COLUMN responses_visible_for_annotators BOOLEAN NOT NULL DEFAULT FALSE;
