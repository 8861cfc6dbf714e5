-- The office server: who a bearer token stands for, and the answers to requests a client may
-- send more than once (a custodian's outbox). Neither is a custody fact: they are not
-- journaled, replay does not rebuild them, and `verify` leaves them out of its comparison
-- (crates/store/src/verify.rs says why). Landed: never edit this file; add V4__… instead.

-- A session of the office server. The token itself is never stored: only its SHA-256, so a
-- copy of the store (a backup, a stolen disk) holds nothing that logs anyone in.
CREATE TABLE server_sessions (
    token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    -- The name the client gave for its computer, shown when sessions are listed or ended.
    device       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    -- The absolute end; the idle end is last_used_at plus the server's idle limit.
    expires_at   TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX server_sessions_by_account ON server_sessions (account_id) WHERE ended_at IS NULL;

-- The first answer to a request sent with an idempotency key, written in the transaction of
-- the write it answers: a repeat gets this answer and writes nothing.
CREATE TABLE answered_requests (
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 128),
    answer          TEXT NOT NULL,
    answered_at     TEXT NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
);
