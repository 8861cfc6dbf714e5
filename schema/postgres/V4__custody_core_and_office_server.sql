-- The store on PostgreSQL: what SQLite's V1 to V4 (schema/sqlite) make, as one migration. A
-- PostgreSQL store starts here, at V4; every later migration is written for both engines, with
-- the same number in both folders. Landed: never edit this file; add V5__… instead.
--
-- The same tables, columns, keys, checks and indexes as on SQLite (a test compares them), so
-- the same statements run on both:
-- - integers are BIGINT (SQLite's INTEGER is 64-bit); flags are 0/1 integers, not BOOLEAN;
-- - instants are TEXT in RFC 3339 UTC, and every text sorts by code point (COLLATE "C"), as
--   SQLite's does: the register and the ledgers come out in the same order on both;
-- - ids are given by the store (one writer at a time), never by a sequence.

CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

CREATE TABLE organisations (
    id   BIGINT PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('own', 'customer', 'partner'))
);

CREATE TABLE sites (
    id              BIGINT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    name            TEXT COLLATE "C" NOT NULL,
    address         TEXT COLLATE "C",
    UNIQUE (organisation_id, name)
);

CREATE TABLE people (
    id              BIGINT PRIMARY KEY,
    name            TEXT COLLATE "C" NOT NULL,
    kana            TEXT COLLATE "C",
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    email           TEXT COLLATE "C",
    employee_number TEXT COLLATE "C",
    active          BIGINT NOT NULL CHECK (active IN (0, 1))
);
CREATE INDEX people_name ON people (name);

CREATE TABLE site_responsibles (
    site_id   BIGINT NOT NULL REFERENCES sites (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (site_id, person_id)
);

CREATE TABLE accounts (
    id                   BIGINT PRIMARY KEY,
    login                TEXT COLLATE "C" NOT NULL UNIQUE,
    person_id            BIGINT REFERENCES people (id),
    roles                TEXT COLLATE "C" NOT NULL,
    active               BIGINT NOT NULL CHECK (active IN (0, 1)),
    failed_logins        BIGINT NOT NULL,
    locked_until         TEXT COLLATE "C",
    must_change_password BIGINT NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    locks_in_a_row       BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE assets (
    id                    BIGINT PRIMARY KEY,
    tag                   TEXT COLLATE "C" NOT NULL UNIQUE,
    kind                  TEXT COLLATE "C" NOT NULL CHECK (kind IN ('pc', 'phone', 'entry_badge',
                              'id_card', 'usb_media', 'external_disk', 'optical_media', 'other')),
    name                  TEXT COLLATE "C" NOT NULL,
    model                 TEXT COLLATE "C",
    serial                TEXT COLLATE "C",
    owner_organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    classification        TEXT COLLATE "C" NOT NULL CHECK (classification IN ('public',
                              'internal', 'confidential', 'personal_data')),
    encrypted             BIGINT NOT NULL CHECK (encrypted IN (0, 1)),
    status                TEXT COLLATE "C" NOT NULL CHECK (status IN ('available', 'on_loan',
                              'carried_out', 'lost', 'in_repair', 'retired')),
    note                  TEXT COLLATE "C",
    registered_at         TEXT COLLATE "C" NOT NULL,
    search_text           TEXT COLLATE "C" NOT NULL,
    holder_name           TEXT COLLATE "C",
    holder_due_on         TEXT COLLATE "C"
);
CREATE INDEX assets_status_kind ON assets (status, kind);
CREATE INDEX assets_search ON assets (tag, search_text, status, kind, holder_name, holder_due_on, name);
CREATE INDEX assets_holder ON assets (holder_name, tag);
CREATE INDEX assets_holder_due ON assets (holder_due_on, tag);

CREATE TABLE loans (
    id               BIGINT PRIMARY KEY,
    asset_id         BIGINT NOT NULL REFERENCES assets (id),
    custodian_id     BIGINT NOT NULL REFERENCES people (id),
    issued_at        TEXT COLLATE "C" NOT NULL,
    issued_by        BIGINT REFERENCES accounts (id),
    due_on           TEXT COLLATE "C",
    place            TEXT COLLATE "C",
    site_id          BIGINT REFERENCES sites (id),
    acknowledged_at  TEXT COLLATE "C",
    returned_at      TEXT COLLATE "C",
    returned_to      BIGINT REFERENCES accounts (id),
    return_condition TEXT COLLATE "C" CHECK (return_condition IN ('ok', 'damaged')),
    return_note      TEXT COLLATE "C"
);
CREATE UNIQUE INDEX loans_one_open_per_asset ON loans (asset_id) WHERE returned_at IS NULL;
CREATE INDEX loans_asset_period ON loans (asset_id, issued_at);
CREATE INDEX loans_custodian_period ON loans (custodian_id, issued_at);
CREATE INDEX loans_open_by_site ON loans (site_id) WHERE returned_at IS NULL;

CREATE TABLE journal (
    seq       BIGINT PRIMARY KEY,
    at        TEXT COLLATE "C" NOT NULL,
    actor     BIGINT,
    event     TEXT COLLATE "C" NOT NULL,
    prev_hash TEXT COLLATE "C" NOT NULL,
    hash      TEXT COLLATE "C" NOT NULL,
    form      BIGINT NOT NULL DEFAULT 1 CHECK (form IN (1, 2))
);

-- Append-only, as on SQLite. TRUNCATE passes row triggers by: a statement trigger refuses it.
-- An operator who wants more revokes UPDATE, DELETE and TRUNCATE on journal from the role the
-- server connects as (ARCHITECTURE.md).
CREATE FUNCTION journal_refuses_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only';
END
$$;
CREATE TRIGGER journal_refuses_update BEFORE UPDATE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_refuses_change();
CREATE TRIGGER journal_refuses_delete BEFORE DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_refuses_change();
CREATE TRIGGER journal_refuses_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_refuses_change();

-- An entry's instant never goes back. The write path refuses it first, with a message; this
-- holds for any other writer of the database.
CREATE FUNCTION journal_time_moves_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.at < (SELECT at FROM journal ORDER BY seq DESC LIMIT 1) THEN
        RAISE EXCEPTION 'a journal entry may not be earlier than the one before it';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER journal_time_moves_forward BEFORE INSERT ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_time_moves_forward();

CREATE TABLE credentials (
    account_id    BIGINT PRIMARY KEY REFERENCES accounts (id),
    password_hash TEXT COLLATE "C" NOT NULL
);

CREATE TABLE server_sessions (
    token_sha256 TEXT COLLATE "C" PRIMARY KEY CHECK (length(token_sha256) = 64),
    account_id   BIGINT NOT NULL REFERENCES accounts (id),
    device       TEXT COLLATE "C" NOT NULL,
    started_at   TEXT COLLATE "C" NOT NULL,
    last_used_at TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL,
    ended_at     TEXT COLLATE "C"
);
CREATE INDEX server_sessions_by_account ON server_sessions (account_id) WHERE ended_at IS NULL;

CREATE TABLE answered_requests (
    account_id      BIGINT NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT COLLATE "C" NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 128),
    answer          TEXT COLLATE "C" NOT NULL,
    answered_at     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
);
