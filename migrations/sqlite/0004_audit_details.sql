-- What an admin action changed: the resource before and after, as JSON. Kept beside the
-- hash chain rather than in it, because these documents may hold personal data (names,
-- e-mail addresses) that must be purgeable after its retention period; the chain entry
-- holds their SHA-256, so a kept document is proven and a purged one leaves the chain
-- intact (`purged_at` set, documents NULL).
CREATE TABLE audit_details (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    before TEXT,
    after TEXT,
    purged_at INTEGER,
    PRIMARY KEY (stream, seq)
);
