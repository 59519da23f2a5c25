-- Invio: each sending of a questionnaire is a version, frozen. The snapshot is the canonical JSON of every value,
-- prefilled mark and justification at that moment (with the definition's fingerprint), the hash is its SHA-256,
-- and the protocol number is gapless per protocol prefix (`FC80U-2022`: a campaign's code and reference year):
-- the counter's row is moved in the invio's transaction, so a rolled-back invio gives its number back.
CREATE TABLE protocolli (
    prefisso TEXT   PRIMARY KEY,
    ultimo   BIGINT NOT NULL
);

CREATE TABLE invii (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    questionario_id BIGINT  NOT NULL REFERENCES questionari (id),
    -- 1 for the first invio, n + 1 after each reopening.
    versione        BIGINT  NOT NULL,
    -- The questionnaire's revision the invio moved it to: the changes between two versions are the history rows
    -- between their revisions.
    revisione       BIGINT  NOT NULL,
    campagna        TEXT    NOT NULL,
    numero          BIGINT  NOT NULL,
    -- `FC80U-2022-000123`.
    protocollo      TEXT    NOT NULL UNIQUE,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    -- The sender's name and code as they were: the receipt never changes.
    mittente        TEXT    NOT NULL,
    inviato_at      BIGINT  NOT NULL,
    -- Sent after the campaign's deadline (allowed, and marked).
    in_ritardo      BOOLEAN NOT NULL,
    impronta        TEXT    NOT NULL,
    snapshot        TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    UNIQUE (questionario_id, versione),
    UNIQUE (campagna, numero)
);
CREATE INDEX invii_questionario ON invii (questionario_id, versione);
