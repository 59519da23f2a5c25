//! The e-mail outbox (being written).
