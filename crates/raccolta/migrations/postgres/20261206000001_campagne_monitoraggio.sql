-- Gestione → Campagne: what an administrator changed of a campaign's manifest. No row: the manifest's state and
-- dates apply. Dates are `AAAA-MM-GG` text on both backends.
CREATE TABLE campagne (
    campagna    TEXT   PRIMARY KEY,
    stato       TEXT   NOT NULL CHECK (stato IN ('preparazione', 'aperta', 'chiusa')),
    apertura    TEXT   NOT NULL,
    scadenza    TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  BIGINT REFERENCES users (id) ON DELETE SET NULL
);

-- Gestione → Monitoraggio: each questionnaire's summary (completion in percent, open bloccanti, squadrature not
-- justified), derived from its answers by a job after each change (`compilazione::riepilogo`) and recomputable at
-- any time. `riepilogo_revisione` is the revision it was computed at; behind `revisione`, the job is due.
ALTER TABLE questionari ADD COLUMN completamento BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questionari ADD COLUMN bloccanti BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questionari ADD COLUMN squadrature BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questionari ADD COLUMN riepilogo_revisione BIGINT NOT NULL DEFAULT -1;
CREATE INDEX questionari_da_riepilogare ON questionari (id) WHERE riepilogo_revisione < revisione;
CREATE INDEX questionari_campagna ON questionari (campagna, modulo);
CREATE INDEX invii_campagna ON invii (campagna);
