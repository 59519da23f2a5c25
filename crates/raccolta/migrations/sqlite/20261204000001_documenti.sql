-- The PDFs of each invio (the questionnaire as sent and its receipt), made after the invio's commit by a job and
-- kept as made: they are served as these stored bytes, never made again. The row is written in the invio's own
-- transaction, so an invio never lacks its job, and it is retried (`prossimo_at`) until the PDFs are made. A row
-- being made is leased: `prossimo_at` moves past the lease, so another node does not make it twice.
CREATE TABLE documenti_invio (
    invio_id         BIGINT  PRIMARY KEY REFERENCES invii (id),
    pronto           BOOLEAN NOT NULL DEFAULT FALSE,
    tentativi        BIGINT  NOT NULL DEFAULT 0,
    prossimo_at      BIGINT  NOT NULL,
    -- The last failure, for the log and the administrators.
    errore           TEXT,
    questionario_pdf BLOB,
    ricevuta_pdf     BLOB,
    generato_at      BIGINT
);
CREATE INDEX documenti_invio_da_fare ON documenti_invio (prossimo_at) WHERE NOT pronto;

-- The invii sent before this table existed get their PDFs too: the job makes them at its first round.
INSERT INTO documenti_invio (invio_id, prossimo_at) SELECT id, 0 FROM invii;
