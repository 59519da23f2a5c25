-- A counter per data set that nodes cache in memory (the enti registry for the autocomplete): every transaction
-- that changes the data set increments it, and a node rebuilds its copy when the number it holds is older.
CREATE TABLE versioni (
    nome TEXT PRIMARY KEY,
    valore BIGINT NOT NULL
);
INSERT INTO versioni (nome, valore) VALUES ('enti', 0);
