-- Custody core: the register, accounts, loans and the journal.
-- Landed: never edit this file; add V2__… instead. The checksum is recorded and checked.
-- Instants are TEXT in RFC 3339 UTC with milliseconds, so text order is time order.
-- Portable SQL only (no SQLite-only types), so a PostgreSQL store can share the schema.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('own', 'customer', 'partner'))
);

CREATE TABLE sites (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    address         TEXT,
    UNIQUE (organisation_id, name)
);

CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    kana            TEXT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    email           TEXT,
    employee_number TEXT,
    active          INTEGER NOT NULL CHECK (active IN (0, 1))
);
CREATE INDEX people_name ON people (name);

CREATE TABLE site_responsibles (
    site_id   INTEGER NOT NULL REFERENCES sites (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (site_id, person_id)
);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    person_id     INTEGER REFERENCES people (id),
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    failed_logins INTEGER NOT NULL,
    locked_until  TEXT
);

CREATE TABLE assets (
    id                    INTEGER PRIMARY KEY,
    tag                   TEXT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL CHECK (kind IN ('pc', 'phone', 'entry_badge', 'id_card',
                              'usb_media', 'external_disk', 'optical_media', 'other')),
    name                  TEXT NOT NULL,
    model                 TEXT,
    serial                TEXT,
    owner_organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    classification        TEXT NOT NULL CHECK (classification IN ('public', 'internal',
                              'confidential', 'personal_data')),
    encrypted             INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
    status                TEXT NOT NULL CHECK (status IN ('available', 'on_loan', 'carried_out',
                              'lost', 'in_repair', 'retired')),
    note                  TEXT,
    -- In the register since: an as-of ledger leaves out what was not registered yet.
    registered_at         TEXT NOT NULL,
    -- Derived from the asset and its open loan, so the register can be searched and sorted
    -- without a join: folded tag, name, model, serial and custodian; the custodian's name;
    -- the open loan's due date.
    search_text           TEXT NOT NULL,
    holder_name           TEXT,
    holder_due_on         TEXT
);
CREATE INDEX assets_status_kind ON assets (status, kind);
-- Covers the register's filters and sort keys in tag order: a search reads index entries,
-- not table rows.
CREATE INDEX assets_search ON assets (tag, search_text, status, kind, holder_name, holder_due_on, name);
CREATE INDEX assets_holder ON assets (holder_name, tag);
CREATE INDEX assets_holder_due ON assets (holder_due_on, tag);

CREATE TABLE loans (
    id               INTEGER PRIMARY KEY,
    asset_id         INTEGER NOT NULL REFERENCES assets (id),
    custodian_id     INTEGER NOT NULL REFERENCES people (id),
    issued_at        TEXT NOT NULL,
    issued_by        INTEGER REFERENCES accounts (id),
    due_on           TEXT,
    place            TEXT,
    -- The customer site where the item is used, when it is lent for work there.
    site_id          INTEGER REFERENCES sites (id),
    acknowledged_at  TEXT,
    returned_at      TEXT,
    returned_to      INTEGER REFERENCES accounts (id),
    return_condition TEXT CHECK (return_condition IN ('ok', 'damaged')),
    return_note      TEXT
);
-- At most one open loan per asset, enforced by the store itself.
CREATE UNIQUE INDEX loans_one_open_per_asset ON loans (asset_id) WHERE returned_at IS NULL;
CREATE INDEX loans_asset_period ON loans (asset_id, issued_at);
CREATE INDEX loans_custodian_period ON loans (custodian_id, issued_at);

CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     INTEGER,
    event     TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TRIGGER journal_refuses_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

CREATE TRIGGER journal_refuses_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
