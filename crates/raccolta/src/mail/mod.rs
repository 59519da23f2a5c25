//! E-mail: messages, transports, the outbox worker (being written).
