-- Visitors and their passes, property passes, lockdowns and controller commands.
-- Same conventions as 0001: INTEGER, TEXT and BLOB only; times in Unix milliseconds.

-- A visitor's personal data lives only here; passes, bundles, events and audit chains name
-- the visitor by id. Purging after the retention period blanks these columns and keeps
-- the row, so the ids elsewhere stay meaningful and the chains intact.
CREATE TABLE visitors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    display_name TEXT NOT NULL,
    company TEXT,
    email TEXT,
    host_id INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    purged_at INTEGER
);
CREATE INDEX visitors_host ON visitors (site_id, host_id);

-- The visitor side of a `passes` row of kind visitor.
CREATE TABLE visitor_passes (
    serial INTEGER PRIMARY KEY REFERENCES passes (serial),
    visitor_id INTEGER NOT NULL REFERENCES visitors (id),
    host_id INTEGER NOT NULL REFERENCES people (id),
    zones TEXT NOT NULL,           -- JSON array of zone ids
    escort INTEGER NOT NULL,
    status TEXT NOT NULL,          -- active | checked_out | revoked
    status_changed_at INTEGER NOT NULL
);
CREATE INDEX visitor_passes_visitor ON visitor_passes (visitor_id);

-- Permission for a person to take items out. A request has no serial until it is
-- approved and the signed pass issued.
CREATE TABLE property_passes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    carrier_id INTEGER NOT NULL REFERENCES people (id),
    reason TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    return_by INTEGER,
    status TEXT NOT NULL,          -- requested | approved | removed | returned | revoked
    serial INTEGER UNIQUE REFERENCES passes (serial),
    requested_by INTEGER NOT NULL REFERENCES users (id),
    requested_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at INTEGER,
    status_changed_at INTEGER NOT NULL
);
CREATE INDEX property_passes_carrier ON property_passes (site_id, carrier_id);

-- The items on a property pass; the pass's QR names them by id.
CREATE TABLE property_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    property_pass_id INTEGER NOT NULL REFERENCES property_passes (id),
    asset_tag TEXT,
    serial_number TEXT,
    description TEXT NOT NULL
);
CREATE INDEX property_items_pass ON property_items (property_pass_id);

-- Lockdowns in force (released_at NULL) and past. A zone's lockdown covers the zones
-- inside it; zone_id NULL is the whole site. Bundles carry the ones in force.
CREATE TABLE lockdowns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    zone_id INTEGER REFERENCES zones (id),
    started_at INTEGER NOT NULL,
    started_by INTEGER REFERENCES users (id),
    released_at INTEGER,
    released_by INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX lockdowns_in_force ON lockdowns (site_id, COALESCE(zone_id, 0))
    WHERE released_at IS NULL;

-- Commands to controllers (core `Command` as JSON), one delivery per controller it is
-- for, acknowledged by the controller over the signed sync channel.
CREATE TABLE commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    command TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    issued_by INTEGER REFERENCES users (id)
);

CREATE TABLE command_deliveries (
    command_id INTEGER NOT NULL REFERENCES commands (id),
    controller_id INTEGER NOT NULL REFERENCES controllers (id),
    acked_at INTEGER,
    outcome TEXT,                  -- JSON core CommandOutcome, once acknowledged
    PRIMARY KEY (command_id, controller_id)
);
CREATE INDEX command_deliveries_pending ON command_deliveries (controller_id, acked_at, command_id);
