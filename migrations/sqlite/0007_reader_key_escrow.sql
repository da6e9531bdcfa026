-- The latest escrow copy of each controller's OSDP reader key store
-- (docs/hardware-reader-keys.md): age ciphertext to the server's escrow recipient, which
-- the database alone cannot open. Uploaded again after every key installation; one row
-- per controller, replaced. (PostgreSQL has a 0006 of its own; SQLite needed none.)
CREATE TABLE reader_key_escrow (
    controller_id INTEGER PRIMARY KEY REFERENCES controllers (id),
    ciphertext BLOB NOT NULL,
    uploaded_at INTEGER NOT NULL
);
