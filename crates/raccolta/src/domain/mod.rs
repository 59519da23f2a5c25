//! Pure domain types (being written).
