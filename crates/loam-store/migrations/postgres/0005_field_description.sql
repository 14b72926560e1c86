-- A field's description (a loam extension; the reference server has none): shown next to the
-- field in the annotation view, edited in dataset settings, null when there is none.
ALTER TABLE fields ADD COLUMN description TEXT;
