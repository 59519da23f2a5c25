-- Exports prepared as a job (Gestione → Esportazioni): any node takes one (a lease it renews while it works),
-- writes the file, and stores it in parts of 1 MB, so the file is kept for download on every node; it expires
-- after seven days.
CREATE TABLE esportazioni (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    pubblico       TEXT    NOT NULL UNIQUE,
    user_id        BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    campagna       TEXT    NOT NULL,
    modulo         TEXT    NOT NULL,
    forma          TEXT    NOT NULL CHECK (forma IN ('larga', 'lunga')),
    fonte          TEXT    NOT NULL CHECK (fonte IN ('inviati', 'bozze')),
    formato        TEXT    NOT NULL CHECK (formato IN ('csv', 'xlsx')),
    stato          TEXT    NOT NULL CHECK (stato IN ('in_coda', 'in_corso', 'pronta', 'fallita')),
    letti          BIGINT  NOT NULL DEFAULT 0,
    totale         BIGINT  NOT NULL DEFAULT 0,
    righe          BIGINT  NOT NULL DEFAULT 0,
    celle          BIGINT  NOT NULL DEFAULT 0,
    dimensione     BIGINT  NOT NULL DEFAULT 0,
    errore         TEXT,
    -- While in corso: until when the node working on it holds it.
    lease_until    BIGINT,
    tentativi      BIGINT  NOT NULL DEFAULT 0,
    created_at     BIGINT  NOT NULL,
    finita_at      BIGINT,
    scade_at       BIGINT
);
CREATE INDEX esportazioni_stato ON esportazioni (stato, created_at);

CREATE TABLE esportazioni_parti (
    esportazione_id BIGINT NOT NULL REFERENCES esportazioni (id),
    n               BIGINT NOT NULL,
    dati            BLOB   NOT NULL,
    PRIMARY KEY (esportazione_id, n)
);
