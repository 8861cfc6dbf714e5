-- Hardening: the journal's hash covers whole entries; password hashes leave the journaled
-- state; accounts learn forced password changes and successive locks; time moves forward.
-- Landed: never edit this file; add V3__… instead. The checksum is recorded and checked.
-- SQLite's dialect (triggers, json_extract): the PostgreSQL engine will have its own files.

-- The rule each entry's hash was made with (see crates/domain/src/journal.rs). Entries written
-- before this migration are form 1 (event only); every entry after them is form 2.
ALTER TABLE journal ADD COLUMN form INTEGER NOT NULL DEFAULT 1 CHECK (form IN (1, 2));

-- An entry's instant never goes back. The write path refuses it first, with a message; this
-- holds for any other writer of the file.
CREATE TRIGGER journal_time_moves_forward BEFORE INSERT ON journal
WHEN NEW.at < (SELECT at FROM journal ORDER BY seq DESC LIMIT 1)
BEGIN
    SELECT RAISE(ABORT, 'a journal entry may not be earlier than the one before it');
END;

-- Password hashes are secrets: kept here, written beside the journal entry that records that
-- a password was set, never journaled and never rebuilt by replay. That entry keeps the hash's
-- SHA-256, and `verify` checks each kept hash against it.
CREATE TABLE credentials (
    account_id    INTEGER PRIMARY KEY REFERENCES accounts (id),
    password_hash TEXT NOT NULL
);
INSERT INTO credentials (account_id, password_hash) SELECT id, password_hash FROM accounts;
ALTER TABLE accounts DROP COLUMN password_hash;

-- Set by a reset from the security office: the owner chooses a new password at next login.
-- Every account migrated here gets it too: its hash stays inside its `account_added` entry in
-- every copy of the journal for good, open to guessing offline, so that password must go.
ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));
UPDATE accounts SET must_change_password = 1;

-- Locks since the last successful login or unlock: each lasts twice as long as the one before.
ALTER TABLE accounts ADD COLUMN locks_in_a_row INTEGER NOT NULL DEFAULT 0;
-- What replaying the journal written so far makes of it: the locks after the last success.
-- One pass over the journal picks out the login entries (canonical JSON ends with the type);
-- the count per account then reads only those.
CREATE TEMP TABLE login_entries AS
    SELECT seq, json_extract(event, '$.account_id') AS account,
           json_extract(event, '$.type') = 'login_succeeded' AS succeeded,
           json_extract(event, '$.locked_until') IS NOT NULL AS locks
    FROM journal
    WHERE event LIKE '%"type":"login_failed"}' OR event LIKE '%"type":"login_succeeded"}';
CREATE INDEX temp.login_entries_by_account ON login_entries (account, seq);
UPDATE accounts SET locks_in_a_row = (
    SELECT COUNT(*) FROM login_entries e
    WHERE e.account = accounts.id AND e.locks
      AND e.seq > COALESCE((SELECT MAX(s.seq) FROM login_entries s
                            WHERE s.account = accounts.id AND s.succeeded), 0)
);
DROP TABLE temp.login_entries;
