-- Gatehouse schema, SQLite. Types are limited to INTEGER, TEXT and BLOB on purpose: the
-- server reads both databases through sqlx's Any driver, which maps exactly these.
-- Times are Unix milliseconds; flags are 0/1. Every row belongs to a site. Ids are never
-- reused (AUTOINCREMENT; identity columns in PostgreSQL): audit chains and revocation
-- lists name them long after a row is gone.

CREATE TABLE sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    pin_salt BLOB NOT NULL,
    -- Bundles: (epoch, version). The version rises with every change to what controllers
    -- enforce; the epoch is set anew on restore or re-key.
    policy_epoch INTEGER NOT NULL,
    policy_version INTEGER NOT NULL,
    -- How long controllers may decide with a bundle they could not refresh.
    max_offline_staff_secs INTEGER NOT NULL DEFAULT 604800,
    max_offline_visitor_secs INTEGER NOT NULL DEFAULT 86400,
    escort_window_secs INTEGER NOT NULL DEFAULT 30,
    two_person_window_secs INTEGER NOT NULL DEFAULT 30,
    created_at INTEGER NOT NULL
);

CREATE TABLE zones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES zones (id),
    explicit_grant_only INTEGER NOT NULL DEFAULT 0,
    two_person INTEGER NOT NULL DEFAULT 0,
    pin_required INTEGER NOT NULL DEFAULT 0,
    anti_passback INTEGER NOT NULL DEFAULT 0,
    UNIQUE (site_id, name)
);

CREATE TABLE holiday_calendars (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE holidays (
    calendar_id INTEGER NOT NULL REFERENCES holiday_calendars (id) ON DELETE CASCADE,
    date TEXT NOT NULL, -- YYYY-MM-DD in the site's time zone
    name TEXT NOT NULL,
    PRIMARY KEY (calendar_id, date)
);

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    windows TEXT NOT NULL,         -- JSON: [{"days": 31, "time": {"start": 480, "end": 1080}}]
    holiday_calendar_id INTEGER REFERENCES holiday_calendars (id),
    holiday_windows TEXT NOT NULL, -- JSON: [{"start": 600, "end": 720}]
    UNIQUE (site_id, name)
);

CREATE TABLE controllers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    enrollment_code_hash BLOB,     -- SHA-256 of the one-time code, until used
    enrollment_expires_at INTEGER,
    public_key BLOB,               -- the controller's own Ed25519 key, once enrolled
    enrolled_at INTEGER,
    last_seen_at INTEGER,
    revoked_at INTEGER,
    UNIQUE (site_id, name)
);

CREATE TABLE doors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    controller_id INTEGER REFERENCES controllers (id),
    unlock_schedule_id INTEGER REFERENCES schedules (id),
    first_card_unlock INTEGER NOT NULL DEFAULT 0,
    UNIQUE (site_id, name)
);

CREATE TABLE access_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE group_grants (
    group_id INTEGER NOT NULL REFERENCES access_groups (id) ON DELETE CASCADE,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    schedule_id INTEGER NOT NULL REFERENCES schedules (id),
    PRIMARY KEY (group_id, zone_id, schedule_id)
);

-- A person's id is their pseudonym everywhere outside this table: bundles, passes, events
-- and audit chains carry only the number.
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    display_name TEXT NOT NULL,
    email TEXT,
    manager_id INTEGER REFERENCES people (id),
    lockdown_override INTEGER NOT NULL DEFAULT 0,
    pin_required INTEGER NOT NULL DEFAULT 0,
    pin_verifier BLOB,
    created_at INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES access_groups (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX group_members_person ON group_members (person_id);

CREATE TABLE badges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    card_id TEXT,                  -- canonical CardId text (H10301:12:1001, uid:04A1B2C3)
    qr_serial INTEGER,             -- or the serial of a staff QR badge
    status TEXT NOT NULL,          -- active | suspended | lost | revoked
    not_before INTEGER,
    expires INTEGER,
    created_at INTEGER NOT NULL,
    status_changed_at INTEGER NOT NULL,
    UNIQUE (site_id, card_id),
    UNIQUE (site_id, qr_serial),
    CHECK ((card_id IS NULL) <> (qr_serial IS NULL))
);
CREATE INDEX badges_person ON badges (person_id);

-- Every signed QR credential issued (visitor passes, staff QR badges, property passes):
-- what revocation lists are built from.
CREATE TABLE passes (
    serial INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    kind TEXT NOT NULL,            -- visitor | staff | property
    subject TEXT NOT NULL,
    key_id BLOB NOT NULL,
    not_before INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX passes_revoked ON passes (site_id, revoked_at, expires);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,   -- argon2id PHC string
    role TEXT NOT NULL,            -- admin | security | receptionist | host | auditor
    person_id INTEGER REFERENCES people (id),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,   -- SHA-256 of the cookie value
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
-- A user's sessions are ended together (password change, reset, logout elsewhere).
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE, -- SHA-256 of the token, shown once at creation
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Lobby kiosks and guard stations: devices like controllers, with their own keys.
CREATE TABLE kiosks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    enrollment_code_hash BLOB,
    enrollment_expires_at INTEGER,
    public_key BLOB,
    enrolled_at INTEGER,
    last_seen_at INTEGER,
    revoked_at INTEGER,
    UNIQUE (site_id, name)
);

-- Nonces of signed device requests seen within the replay window; older ones are pruned.
CREATE TABLE device_nonces (
    device TEXT NOT NULL,          -- controller:<id> | kiosk:<id>
    nonce TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (device, nonce)
);
CREATE INDEX device_nonces_seen ON device_nonces (seen_at);

-- The last signed bundles sent to each controller, so the next answer can be a delta from
-- the version the controller holds. A few per controller are kept.
CREATE TABLE controller_bundles (
    controller_id INTEGER NOT NULL REFERENCES controllers (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    version INTEGER NOT NULL,
    bundle BLOB NOT NULL,           -- the signed bundle, GHB1 form
    created_at INTEGER NOT NULL,
    PRIMARY KEY (controller_id, epoch, version)
);

-- The tamper-evident audit log: one append-only hash chain per stream (`admin`,
-- `controller:<id>`). Payloads carry pseudonymous ids only (server/src/audit).
CREATE TABLE audit_log (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    payload BLOB NOT NULL,
    prev BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (stream, seq)
);

-- Signed heads of the chains, so a deleted tail is detectable.
CREATE TABLE audit_checkpoints (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    head BLOB NOT NULL,
    signed_at INTEGER NOT NULL,
    key_id BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (stream, seq)
);

-- Everything controllers journaled: access decisions and door events. A row is identified
-- by (controller, journal, seq), so an upload sent twice is stored once, and a reinstalled
-- controller (a new journal id) never collides with its old self.
CREATE TABLE events (
    controller_id INTEGER NOT NULL REFERENCES controllers (id),
    journal_id INTEGER NOT NULL,       -- the u64 journal id, stored bit for bit
    seq INTEGER NOT NULL,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,            -- access | door | controller_started | controller_stopping
    door_id INTEGER,
    zone_id INTEGER,
    person_id INTEGER,                 -- pseudonymous; visitors by their pass serial below
    pass_serial INTEGER,
    granted INTEGER,
    reason TEXT,
    event TEXT NOT NULL,           -- the journal entry as JSON
    received_at INTEGER NOT NULL,
    PRIMARY KEY (controller_id, journal_id, seq)
);
CREATE INDEX events_person_at ON events (person_id, at);
CREATE INDEX events_door_at ON events (door_id, at);
CREATE INDEX events_at ON events (site_id, at);

-- Alarms raised by controllers or by the server, until cleared and acknowledged.
CREATE TABLE alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    kind TEXT NOT NULL,            -- door_forced | controller_offline | ... (core AlarmKind)
    severity TEXT NOT NULL,        -- info | warning | critical
    source TEXT NOT NULL,          -- JSON AlarmSource
    raised_at INTEGER NOT NULL,
    cleared_at INTEGER,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at INTEGER
);
CREATE INDEX alarms_open ON alarms (site_id, cleared_at, raised_at);

-- What each controller last reported about itself.
CREATE TABLE controller_status (
    controller_id INTEGER PRIMARY KEY REFERENCES controllers (id) ON DELETE CASCADE,
    reported_at INTEGER NOT NULL,
    status TEXT NOT NULL           -- JSON heartbeat
);
