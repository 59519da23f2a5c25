-- Tamper evidence for the audit log. Every transaction writes its rows freely; a sealer (one at a time, on any
-- node: it locks the head row) then numbers the rows in the order it seals them (`catena_seq`, 1, 2, 3 … without
-- gaps) and gives each the SHA-256 of the previous row's hash and its own content (`catena_hash`). An altered row
-- no longer matches its hash, a deleted one leaves a gap, a removed tail no longer reaches the head recorded here.
-- Sealing later, instead of hashing at insert, keeps every writer from queueing on one "last hash" row.
ALTER TABLE audit_events ADD COLUMN catena_seq BIGINT;
ALTER TABLE audit_events ADD COLUMN catena_hash TEXT;
CREATE UNIQUE INDEX audit_events_catena ON audit_events (catena_seq);
CREATE INDEX audit_events_da_sigillare ON audit_events (id) WHERE catena_seq IS NULL;

CREATE TABLE audit_catena (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    ultimo_seq  BIGINT NOT NULL,
    ultimo_hash TEXT   NOT NULL
);
INSERT INTO audit_catena (id, ultimo_seq, ultimo_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The archive: sealed rows older than the retention period move here, a prefix of the chain at a time, in one
-- transaction with their removal from the live table. Nothing is ever deleted; the check walks both as one chain.
CREATE TABLE audit_archivio (
    id            BIGINT PRIMARY KEY,
    occurred_at   BIGINT NOT NULL,
    actor         TEXT   NOT NULL,
    action        TEXT   NOT NULL,
    target        TEXT,
    origin        TEXT,
    request_id    TEXT,
    details       TEXT   NOT NULL,
    user_id       BIGINT,
    user_agent    TEXT,
    catena_seq    BIGINT NOT NULL UNIQUE,
    catena_hash   TEXT   NOT NULL,
    archiviato_at BIGINT NOT NULL
);
