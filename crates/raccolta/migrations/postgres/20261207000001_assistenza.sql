-- Assistenza: requests of users to support, their threads and attachments. Support staff are users an
-- administrator marks (users.supporto); administrators act as support too.
ALTER TABLE users ADD COLUMN supporto BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE assistenza_richieste (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The id in URLs: random, so requests cannot be enumerated.
    pubblico       TEXT    NOT NULL UNIQUE,
    user_id        BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    -- Who opened it, as they were named then.
    autore         TEXT    NOT NULL,
    -- The ente it is about, if any: its users with an active association see it too.
    ente_id        BIGINT  REFERENCES enti (id),
    oggetto        TEXT    NOT NULL,
    categoria      TEXT    NOT NULL CHECK (categoria IN ('accesso', 'associazioni', 'compilazione', 'invio',
                                                       'riapertura', 'altro')),
    stato          TEXT    NOT NULL CHECK (stato IN ('aperta', 'in_lavorazione', 'in_attesa', 'chiusa')),
    -- The member of support who took it.
    assegnata_a    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at     BIGINT  NOT NULL,
    aggiornata_at  BIGINT  NOT NULL,
    messaggi       BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX assistenza_richieste_utente ON assistenza_richieste (user_id, aggiornata_at);
CREATE INDEX assistenza_richieste_ente ON assistenza_richieste (ente_id, aggiornata_at);
CREATE INDEX assistenza_richieste_stato ON assistenza_richieste (stato, aggiornata_at);

-- The thread: a message, a change of state, or both (append-only).
CREATE TABLE assistenza_messaggi (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    richiesta_id   BIGINT  NOT NULL REFERENCES assistenza_richieste (id),
    user_id        BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    autore         TEXT    NOT NULL,
    dal_supporto   BOOLEAN NOT NULL,
    testo          TEXT    NOT NULL,
    -- The state the request went to with this message, if it changed.
    stato          TEXT    CHECK (stato IN ('aperta', 'in_lavorazione', 'in_attesa', 'chiusa')),
    created_at     BIGINT  NOT NULL
);
CREATE INDEX assistenza_messaggi_richiesta ON assistenza_messaggi (richiesta_id, id);

CREATE TABLE assistenza_allegati (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    messaggio_id   BIGINT  NOT NULL REFERENCES assistenza_messaggi (id),
    nome           TEXT    NOT NULL,
    -- The MIME type read from the content.
    tipo           TEXT    NOT NULL,
    dimensione     BIGINT  NOT NULL,
    sha256         TEXT    NOT NULL,
    contenuto      BYTEA    NOT NULL
);
CREATE INDEX assistenza_allegati_messaggio ON assistenza_allegati (messaggio_id);
