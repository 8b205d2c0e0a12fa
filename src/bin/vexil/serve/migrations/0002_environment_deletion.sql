-- A deleted environment keeps its row (and its revision), so that one created again under
-- the same name continues from the old revision: SDKs that remember a higher revision would
-- otherwise refuse the new snapshots as older.
ALTER TABLE environments ADD COLUMN deleted_at BIGINT;
