-- The latest escrow copy of each controller's OSDP reader key store
-- (docs/hardware-reader-keys.md): age ciphertext to the server's escrow recipient, which
-- the database alone cannot open. Uploaded again after every key installation; one row
-- per controller, replaced.
CREATE TABLE reader_key_escrow (
    controller_id BIGINT PRIMARY KEY REFERENCES controllers (id),
    ciphertext BYTEA NOT NULL,
    uploaded_at BIGINT NOT NULL
);
