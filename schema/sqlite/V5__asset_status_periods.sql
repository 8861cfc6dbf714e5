-- Lost, in repair and retired are periods, as loans are: a custody ledger as of a past instant
-- shows the status the asset had then, not today's. Kept by apply_event like every state table.
-- Landed: never edit this file.
CREATE TABLE asset_status_periods (
    asset_id  INTEGER NOT NULL REFERENCES assets (id),
    -- 1, 2, … in the asset's own order: two marks in one millisecond still differ.
    period    INTEGER NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('lost', 'in_repair', 'retired')),
    began_at  TEXT NOT NULL,
    began_by  INTEGER REFERENCES accounts (id),
    note      TEXT,
    ended_at  TEXT,
    ended_by  INTEGER REFERENCES accounts (id),
    PRIMARY KEY (asset_id, period)
);
CREATE UNIQUE INDEX asset_status_open ON asset_status_periods (asset_id) WHERE ended_at IS NULL;

-- Before V5 the only way into a status of these was a loan returned damaged (into repair), and
-- nothing led out of it: each such return opened the period that is still open.
INSERT INTO asset_status_periods (asset_id, period, status, began_at, began_by, note)
SELECT l.asset_id, 1, 'in_repair', l.returned_at, l.returned_to, l.return_note
FROM loans l JOIN assets a ON a.id = l.asset_id
WHERE l.return_condition = 'damaged' AND a.status = 'in_repair';
