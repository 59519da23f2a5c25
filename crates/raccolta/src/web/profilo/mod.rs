//! `/profilo`: one's data, password, e-mail, active sessions, and a copy of one's personal data (GDPR art. 15).

pub mod dati;
pub mod email;
pub mod pagina;
pub mod password;
pub mod sessioni;

/// What the profile page says after an action.
pub fn esito_key(esito: &str) -> Option<&'static str> {
    match esito {
        "dati" => Some("profilo-esito-dati"),
        "password" => Some("profilo-esito-password"),
        "email-inviata" => Some("profilo-esito-email-inviata"),
        "email" => Some("profilo-esito-email"),
        "sessioni" => Some("profilo-esito-sessioni"),
        _ => None,
    }
}
