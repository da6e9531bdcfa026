-- Event searches by person or by door name the site too (every search does): the same
-- indexes as on SQLite, whose planner needs the site in front to choose them (see
-- migrations/sqlite/0005_event_indexes.sql). They replace the indexes without the site, so
-- ingest keeps as many indexes to maintain as before.
DROP INDEX events_person_at;
DROP INDEX events_door_at;
CREATE INDEX events_site_person_at ON events (site_id, person_id, at);
CREATE INDEX events_site_door_at ON events (site_id, door_id, at);
