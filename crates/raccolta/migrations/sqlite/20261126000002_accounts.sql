-- Accounts: users, single-use tokens, sessions, anti-automation counters, the e-mail outbox.
-- Times are UTC seconds computed in Rust. E-mail addresses are stored lower-cased.
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    codice              TEXT    NOT NULL UNIQUE,
    tipo                TEXT    NOT NULL CHECK (tipo IN ('persona_fisica', 'societa')),
    nome                TEXT    NOT NULL,
    cognome             TEXT    NOT NULL,
    denominazione       TEXT,
    codice_fiscale      TEXT    NOT NULL,
    email               TEXT    NOT NULL UNIQUE,
    password_hash       TEXT    NOT NULL,
    lang                TEXT    NOT NULL DEFAULT 'it' CHECK (lang IN ('it', 'en')),
    stato               TEXT    NOT NULL CHECK (stato IN ('da_confermare', 'attivo', 'disattivato')),
    created_at          BIGINT  NOT NULL,
    confirmed_at        BIGINT,
    last_login_at       BIGINT,
    password_changed_at BIGINT  NOT NULL
);

-- Confirmation, password-reset and e-mail-change links: only the SHA-256 of the token is kept.
CREATE TABLE user_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('conferma', 'reset', 'email')),
    token_hash  TEXT    NOT NULL UNIQUE,
    new_email   TEXT,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, kind);

-- Server-side sessions (tower-sessions store): the id column holds the SHA-256 of the cookie's session id.
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,
    user_id     BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    data        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    ip          TEXT,
    user_agent  TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failure counters shared by every node: key = 'login:account:<id>', 'login:ip:<ip>', 'registrazione:ip:<ip>', ...
CREATE TABLE throttles (
    key           TEXT    PRIMARY KEY,
    failures      BIGINT  NOT NULL,
    window_start  BIGINT  NOT NULL,
    blocked_until BIGINT  NOT NULL
);

-- E-mails to send, written in the transaction of the change that causes them; a worker delivers them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT    NOT NULL UNIQUE,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    claimed_until   BIGINT,
    sent_at         BIGINT,
    failed_at       BIGINT,
    last_error      TEXT
);
-- Only messages still to deliver: the index stays small however long the history.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

ALTER TABLE audit_events ADD COLUMN user_agent TEXT;
ALTER TABLE audit_events ADD COLUMN user_id BIGINT;
