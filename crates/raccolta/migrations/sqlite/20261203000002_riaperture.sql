-- Richieste Apertura: a compiler asks to reopen a sent questionnaire, with a reason; an administrator approves or
-- rejects it, with a note. At most one request per questionnaire waits at a time (the partial unique index).
CREATE TABLE richieste_apertura (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    questionario_id BIGINT  NOT NULL REFERENCES questionari (id),
    -- The version sent that the request asks to reopen.
    versione        BIGINT  NOT NULL,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    -- Who asked and who decided, as they were named: the list never changes.
    richiedente     TEXT    NOT NULL,
    motivazione     TEXT    NOT NULL,
    stato           TEXT    NOT NULL CHECK (stato IN ('in_attesa', 'approvata', 'respinta')),
    created_at      BIGINT  NOT NULL,
    deciso_da       BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    decisore        TEXT,
    nota            TEXT,
    decisa_at       BIGINT
);
CREATE UNIQUE INDEX richieste_apertura_una_in_attesa ON richieste_apertura (questionario_id) WHERE stato = 'in_attesa';
CREATE INDEX richieste_apertura_stato ON richieste_apertura (stato, created_at);
CREATE INDEX richieste_apertura_questionario ON richieste_apertura (questionario_id, created_at);
