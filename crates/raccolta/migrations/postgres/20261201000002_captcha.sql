-- Captcha challenges already answered, one row each, keyed by the challenge's random salt: the first request that
-- inserts the row consumes the challenge, every other one (even at the same instant, from the same session) finds
-- it taken. Rows are useless once the challenge has expired and housekeeping deletes them.
CREATE TABLE captcha_consumati (
    sale TEXT PRIMARY KEY,
    scade BIGINT NOT NULL
);
CREATE INDEX captcha_consumati_scade ON captcha_consumati (scade);
