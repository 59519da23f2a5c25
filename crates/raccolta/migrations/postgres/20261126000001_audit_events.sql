-- The audit log: append-only. Times are UTC seconds computed in Rust.
CREATE TABLE audit_events (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT,
    origin      TEXT,
    request_id  TEXT,
    details     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX audit_events_actor ON audit_events (actor, occurred_at);
