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
-- a password was set, never journaled and never rebuilt by replay. `verify` leaves this table
-- out of its comparison by name.
CREATE TABLE credentials (
    account_id    INTEGER PRIMARY KEY REFERENCES accounts (id),
    password_hash TEXT NOT NULL
);
INSERT INTO credentials (account_id, password_hash) SELECT id, password_hash FROM accounts;
ALTER TABLE accounts DROP COLUMN password_hash;

-- Set by a reset from the security office: the owner chooses a new password at next login.
ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));
-- Locks since the last successful login or unlock: each lasts twice as long as the one before.
ALTER TABLE accounts ADD COLUMN locks_in_a_row INTEGER NOT NULL DEFAULT 0;
-- What replaying the journal written so far makes of it: the locks after the last success.
UPDATE accounts SET locks_in_a_row = (
    SELECT COUNT(*) FROM journal j
    WHERE json_extract(j.event, '$.type') = 'login_failed'
      AND json_extract(j.event, '$.account_id') = accounts.id
      AND json_extract(j.event, '$.locked_until') IS NOT NULL
      AND j.seq > COALESCE((
          SELECT MAX(k.seq) FROM journal k
          WHERE json_extract(k.event, '$.type') = 'login_succeeded'
            AND json_extract(k.event, '$.account_id') = accounts.id), 0)
);

-- A custody period never ends before it starts, whoever writes the row.
CREATE TRIGGER loans_return_not_before_issue BEFORE UPDATE OF returned_at ON loans
WHEN NEW.returned_at IS NOT NULL AND NEW.returned_at < NEW.issued_at
BEGIN
    SELECT RAISE(ABORT, 'a loan cannot be returned before it was issued');
END;
