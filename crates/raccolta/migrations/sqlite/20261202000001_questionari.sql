-- Compiling: one questionnaire per ente × campaign × modulo, stored the first time it is needed (never 8,000 ×
-- moduli up front), its current answers, every change of them, the squadrature's justifications, and the values
-- external sources (BDAP) prefill.
CREATE TABLE questionari (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The id in URLs: 128 random bits, so a questionnaire cannot be guessed or enumerated.
    pubblico        TEXT    NOT NULL UNIQUE,
    ente_id         BIGINT  NOT NULL REFERENCES enti (id),
    campagna        TEXT    NOT NULL,
    codice          TEXT    NOT NULL,
    modulo          TEXT    NOT NULL,
    stato           TEXT    NOT NULL CHECK (stato IN ('aperto', 'in_compilazione', 'inviato', 'riapertura_richiesta',
                                                      'riaperto', 'chiuso')),
    -- Grows by one with every change of an answer or a justification; each answer keeps the one that set it,
    -- which is the answer's version.
    revisione       BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    updated_by      BIGINT  REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX questionari_ente ON questionari (ente_id, campagna, modulo);

-- The current answer of every field ever saved. No row: never answered, the prefilled value applies.
CREATE TABLE risposte (
    questionario_id BIGINT  NOT NULL REFERENCES questionari (id) ON DELETE CASCADE,
    campo           TEXT    NOT NULL,
    -- Canonical form (`1234.5`, `SI`, `2023-12-31`); NULL is a blank.
    valore          TEXT,
    -- False once the compiler restored the prefilled value: the row keeps the version, the answer is gone.
    risposto        BOOLEAN NOT NULL,
    revisione       BIGINT  NOT NULL,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (questionario_id, campo)
);

-- Every change of an answer: appended, never updated or deleted.
CREATE TABLE storia_risposte (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    questionario_id BIGINT  NOT NULL REFERENCES questionari (id) ON DELETE CASCADE,
    campo           TEXT    NOT NULL,
    prima           TEXT,
    dopo            TEXT,
    come            TEXT    NOT NULL CHECK (come IN ('autosave', 'modulo', 'ripristino')),
    revisione       BIGINT  NOT NULL,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    ip              TEXT,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX storia_risposte_campo ON storia_risposte (questionario_id, campo, id);

-- The written justification of a violated squadratura, per rule. `valori` holds the rule's fields as they were
-- when it was written: when they differ now, the justification is stale and the page says so.
CREATE TABLE giustificazioni (
    questionario_id BIGINT  NOT NULL REFERENCES questionari (id) ON DELETE CASCADE,
    regola          TEXT    NOT NULL,
    testo           TEXT    NOT NULL,
    valori          TEXT    NOT NULL,
    revisione       BIGINT  NOT NULL,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (questionario_id, regola)
);

-- Values an external source supplies before anyone compiles, by ente (the questionnaire row may not exist yet).
CREATE TABLE precompilati (
    ente_id         BIGINT  NOT NULL REFERENCES enti (id),
    campagna        TEXT    NOT NULL,
    modulo          TEXT    NOT NULL,
    campo           TEXT    NOT NULL,
    valore          TEXT    NOT NULL,
    fonte           TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (ente_id, campagna, modulo, campo)
);
