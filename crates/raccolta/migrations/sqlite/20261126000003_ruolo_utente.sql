-- Administrators are users with a role; they are created from the command line (`raccolta admin create`).
ALTER TABLE users ADD COLUMN ruolo TEXT NOT NULL DEFAULT 'utente' CHECK (ruolo IN ('utente', 'amministratore'));
