-- Reminders (Gestione → Monitoraggio → Promemoria): one row per campaign, ente and day (Rome) a reminder went to
-- the ente's compilers. The primary key is what keeps an ente from being reminded twice on one day, whoever
-- sends, on whichever node.
CREATE TABLE promemoria (
    campagna    TEXT   NOT NULL,
    ente_id     BIGINT NOT NULL REFERENCES enti (id),
    giorno      TEXT   NOT NULL,
    destinatari BIGINT NOT NULL,
    user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (campagna, ente_id, giorno)
);
