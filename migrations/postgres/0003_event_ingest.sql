-- Event ingest at volume: how far each controller journal is stored without a gap, so an
-- upload's acknowledgement continues from the last one instead of scanning the journal.
-- Journals stored before this table existed get their row at their next upload.
CREATE TABLE event_journals (
    controller_id BIGINT NOT NULL REFERENCES controllers (id),
    journal_id BIGINT NOT NULL,        -- as in events: the u64 journal id, bit for bit
    stored_to BIGINT NOT NULL,         -- every seq from 1 to this one is in events
    PRIMARY KEY (controller_id, journal_id)
);
