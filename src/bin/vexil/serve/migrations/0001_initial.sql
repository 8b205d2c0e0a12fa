-- The flag service's schema. One dialect for SQLite and PostgreSQL: only types and statements
-- both read the same way (TEXT, BIGINT, composite primary keys, ON CONFLICT upserts).
-- Instants are Unix milliseconds; definitions are the snapshot format's JSON, as written.

CREATE TABLE environments (
    name TEXT PRIMARY KEY,
    -- Bumped by every change, in the change's transaction; the published snapshot's revision.
    revision BIGINT NOT NULL,
    -- The snapshot document published at `revision`, written in the same transaction.
    snapshot TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE flags (
    environment TEXT NOT NULL,
    flag_key TEXT NOT NULL,
    -- The flag's own version, for If-Match; starts at 1.
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    -- Order in the snapshot: the revision that created the flag.
    position BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (environment, flag_key)
);

CREATE TABLE segments (
    environment TEXT NOT NULL,
    segment_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    position BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (environment, segment_key)
);

CREATE TABLE overrides (
    environment TEXT NOT NULL,
    flag_key TEXT NOT NULL,
    targeting_key TEXT NOT NULL,
    variant TEXT NOT NULL,
    note TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    -- NULL: never expires. An expired override is removed by a change of its own.
    expires_at BIGINT,
    PRIMARY KEY (environment, flag_key, targeting_key)
);

CREATE TABLE audit (
    environment TEXT NOT NULL,
    revision BIGINT NOT NULL,
    -- 'flag', 'segment' or 'environment'.
    subject_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT,
    reason TEXT,
    PRIMARY KEY (environment, revision, subject_type, subject)
);
CREATE INDEX audit_by_subject ON audit (environment, subject_type, subject, revision);

-- Changes per flag per hour (hour = Unix milliseconds / 3,600,000), for the change quota.
CREATE TABLE change_counts (
    environment TEXT NOT NULL,
    flag_key TEXT NOT NULL,
    hour BIGINT NOT NULL,
    changes BIGINT NOT NULL,
    PRIMARY KEY (environment, flag_key, hour)
);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    -- SHA-256 of the secret part, in hex. The secret itself is never stored.
    digest TEXT NOT NULL,
    -- 'admin', 'server' or 'client'.
    kind TEXT NOT NULL,
    -- For admin tokens: 'admin', 'editor' or 'viewer'.
    role TEXT,
    -- For SDK keys: the environment they read.
    environment TEXT,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT
);

-- Evaluation counts per flag, variant and hour; errors are counted under the variant ''.
CREATE TABLE evaluation_counts (
    environment TEXT NOT NULL,
    flag_key TEXT NOT NULL,
    variant TEXT NOT NULL,
    hour BIGINT NOT NULL,
    evaluations BIGINT NOT NULL,
    PRIMARY KEY (environment, flag_key, variant, hour)
);
