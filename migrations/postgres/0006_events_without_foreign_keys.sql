-- Events are the append-only record of what controllers journaled; the server stores only
-- events of the signed-in controller, for its own site, and never deletes controllers or
-- sites. The foreign keys checked that again for every inserted row, with a row lock on
-- the parent (FOR KEY SHARE): every upload at once locked the site's one row, and the
-- checks took a seventh of PostgreSQL's time in the ingest benchmark (docs/benchmarks.md).
-- SQLite keeps them: there a check is a lookup in a small table, with no lock, and
-- dropping a constraint would mean rebuilding the events table.
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_controller_id_fkey;
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_site_id_fkey;
