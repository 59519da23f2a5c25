-- Enti (from IPA), users' associations with them, responsabili, notifications.
CREATE TABLE enti (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    codice_ipa      TEXT    NOT NULL UNIQUE,
    denominazione   TEXT    NOT NULL,
    codice_fiscale  TEXT    NOT NULL,
    tipo            TEXT    NOT NULL CHECK (tipo IN ('comune', 'provincia', 'citta_metropolitana', 'unione_comuni',
                                                     'comunita_montana', 'altro')),
    codice_istat    TEXT,
    regione         TEXT,
    pec             TEXT,
    attivo          BOOLEAN NOT NULL DEFAULT TRUE,
    -- Lower case, no accents, words separated by one space: computed in Rust (`domain::chiave_ricerca`).
    search_key      TEXT    NOT NULL,
    -- Who compiles the questionnaires (the frontispiece's "responsabile della compilazione"), kept by the ente's
    -- compilers; the import never touches these.
    referente_nome      TEXT,
    referente_telefono  TEXT,
    referente_email     TEXT,
    referente_at        BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX enti_tipo ON enti (tipo, search_key);
CREATE INDEX enti_search ON enti (search_key);

-- A user's request to work on an ente, and what became of it. At most one open (pending or active) per user
-- and ente; refused, revoked and superseded ones stay as history.
CREATE TABLE associazioni (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ente_id         BIGINT  NOT NULL REFERENCES enti (id),
    modalita        TEXT    NOT NULL CHECK (modalita IN ('consultazione', 'compilazione')),
    stato           TEXT    NOT NULL CHECK (stato IN ('in_attesa', 'attiva', 'rifiutata', 'revocata')),
    motivo          TEXT,
    created_at      BIGINT  NOT NULL,
    decided_at      BIGINT,
    decided_by      BIGINT  REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX associazioni_aperta ON associazioni (user_id, ente_id) WHERE stato IN ('in_attesa', 'attiva');
CREATE INDEX associazioni_ente ON associazioni (ente_id, stato);

-- Responsabili, appointed by an administrator: they decide on the ente's associations.
CREATE TABLE responsabili (
    ente_id         BIGINT  NOT NULL REFERENCES enti (id),
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nominato_da     BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (ente_id, user_id)
);
CREATE INDEX responsabili_user ON responsabili (user_id);

-- Notifications shown under the bell; the text is composed at display time in the reader's language.
CREATE TABLE notifiche (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tipo            TEXT    NOT NULL,
    ente_id         BIGINT  REFERENCES enti (id),
    associazione_id BIGINT  REFERENCES associazioni (id),
    dettaglio       TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    letta_at        BIGINT
);
CREATE INDEX notifiche_user ON notifiche (user_id, created_at);
