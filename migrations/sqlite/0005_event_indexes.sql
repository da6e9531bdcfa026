-- Event searches by person or by door name the site too (every search does). With the
-- site in front, SQLite's planner, which keeps no statistics here, takes these for a
-- person's or a door's events in a time window, where it took the site's time index
-- (site_id, at) and read a whole month of everyone's events to find one person's (issue 3:
-- one person, 30 days, 10 million events). They replace the indexes without the site, so
-- ingest keeps as many indexes to maintain as before.
DROP INDEX events_person_at;
DROP INDEX events_door_at;
CREATE INDEX events_site_person_at ON events (site_id, person_id, at);
CREATE INDEX events_site_door_at ON events (site_id, door_id, at);
