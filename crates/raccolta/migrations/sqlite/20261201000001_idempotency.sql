-- Actions that must happen once (invio): the key the client sent, and the response of the first request, stored
-- in the transaction of the action's side effects, so a retried or doubled request replays it instead of acting
-- twice. Rows are purged after 48 hours.
CREATE TABLE idempotency (
    user_id          BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key  TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    response_status  BIGINT,
    response_headers TEXT,
    response_body    BLOB,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);
