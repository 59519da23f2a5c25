//! An e-mail address, trimmed and lower-cased.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::i18n::Lang;

/// Longest address that fits in the SMTP forward-path (RFC 5321 with errata 1690).
const MAX_CHARS: usize = 254;
/// Longest local part allowed by RFC 5321.
const MAX_LOCAL_CHARS: usize = 64;
/// Longest domain name allowed by RFC 1035.
const MAX_DOMAIN_CHARS: usize = 253;
/// Longest label of a domain name allowed by RFC 1035.
const MAX_LABEL_CHARS: usize = 63;

/// A syntactically valid e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why a text is not an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was written.
    #[error("the e-mail address is empty")]
    Vuota,
    /// More than 254 characters.
    #[error("the e-mail address is longer than {MAX_CHARS} characters")]
    TroppoLunga,
    /// Contains spaces or control characters.
    #[error("the e-mail address contains spaces or control characters")]
    CaratteriNonValidi,
    /// There is no `@`.
    #[error("the e-mail address has no @")]
    SenzaChiocciola,
    /// There is more than one `@`.
    #[error("the e-mail address has more than one @")]
    PiuChiocciole,
    /// Nothing before the `@`.
    #[error("the local part of the e-mail address is empty")]
    ParteLocaleVuota,
    /// More than 64 characters before the `@`.
    #[error("the local part of the e-mail address is longer than {MAX_LOCAL_CHARS} characters")]
    ParteLocaleTroppoLunga,
    /// The part before the `@` has characters that need quoting, or misplaced dots.
    #[error("the local part of the e-mail address is not valid")]
    ParteLocaleNonValida,
    /// The part after the `@` is not a domain name with at least one dot.
    #[error("the domain of the e-mail address is not valid")]
    DominioNonValido,
}

impl EmailError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        let (it, en) = match self {
            EmailError::Vuota => ("Scrivi il tuo indirizzo e-mail", "Enter your e-mail address"),
            EmailError::TroppoLunga => (
                "L'indirizzo e-mail è troppo lungo: può avere al massimo 254 caratteri",
                "The e-mail address is too long: it can have at most 254 characters",
            ),
            EmailError::CaratteriNonValidi => {
                ("L'indirizzo e-mail non può contenere spazi", "The e-mail address cannot contain spaces")
            }
            EmailError::SenzaChiocciola => (
                "Manca la @: scrivi l'indirizzo completo, per esempio nome@esempio.it",
                "The @ is missing: enter the full address, for example name@example.com",
            ),
            EmailError::PiuChiocciole => {
                ("L'indirizzo e-mail deve contenere una sola @", "The e-mail address must contain only one @")
            }
            EmailError::ParteLocaleVuota => (
                "Manca la parte prima della @, per esempio nome@esempio.it",
                "The part before the @ is missing, for example name@example.com",
            ),
            EmailError::ParteLocaleTroppoLunga => (
                "La parte prima della @ è troppo lunga: può avere al massimo 64 caratteri",
                "The part before the @ is too long: it can have at most 64 characters",
            ),
            EmailError::ParteLocaleNonValida => (
                "La parte prima della @ non è valida: controlla punti e caratteri speciali",
                "The part before the @ is not valid: check dots and special characters",
            ),
            EmailError::DominioNonValido => (
                "La parte dopo la @ non è valida: deve essere un dominio come esempio.it",
                "The part after the @ is not valid: it must be a domain such as example.com",
            ),
        };
        match lang {
            Lang::It => it,
            Lang::En => en,
        }
        .to_owned()
    }
}

impl Email {
    /// Parses an address as typed by a user: trims, lower-cases, checks its shape.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Vuota);
        }
        if email.chars().count() > MAX_CHARS {
            return Err(EmailError::TroppoLunga);
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::CaratteriNonValidi);
        }
        let mut parts = email.split('@');
        let (Some(local), Some(domain)) = (parts.next(), parts.next()) else {
            return Err(EmailError::SenzaChiocciola);
        };
        if parts.next().is_some() {
            return Err(EmailError::PiuChiocciole);
        }
        check_local_part(local)?;
        check_domain(domain)?;
        Ok(Email(email))
    }

    /// The address, lower-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn parte_locale(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }

    /// The part after the `@`.
    pub fn dominio(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or_default()
    }
}

fn check_local_part(local: &str) -> Result<(), EmailError> {
    if local.is_empty() {
        return Err(EmailError::ParteLocaleVuota);
    }
    if local.chars().count() > MAX_LOCAL_CHARS {
        return Err(EmailError::ParteLocaleTroppoLunga);
    }
    // These characters are only legal inside a quoted local part, which no real mailbox of ours will have.
    let needs_quoting = |c: char| matches!(c, '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | ']' | '\\');
    if local.chars().any(needs_quoting) || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::ParteLocaleNonValida);
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), EmailError> {
    if domain.chars().count() > MAX_DOMAIN_CHARS {
        return Err(EmailError::DominioNonValido);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let valid_label = |label: &&str| {
        let len = label.chars().count();
        (1..=MAX_LABEL_CHARS).contains(&len)
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphabetic() || c.is_ascii_digit() || c == '-')
    };
    let top_level_is_numeric = labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(valid_label) || top_level_is_numeric {
        return Err(EmailError::DominioNonValido);
    }
    Ok(())
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed unwrap is a clear test failure")]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_lower_cased() {
        let email = Email::parse("  Mario.Rossi@Comune.Roma.IT \n").unwrap();
        assert_eq!(email.as_str(), "mario.rossi@comune.roma.it");
        assert_eq!(email.to_string(), "mario.rossi@comune.roma.it");
        assert_eq!(email.parte_locale(), "mario.rossi");
        assert_eq!(email.dominio(), "comune.roma.it");
    }

    #[test]
    fn common_real_world_shapes_are_accepted() {
        for ok in [
            "protocollo@pec.comune.milano.it",
            "ufficio.tributi+fabbisogni@comune.bergamo.it",
            "a_b-c@regione-lombardia.it",
            "sindaco@comune.forlì-cesena.it",
            "info@xn--comune-forl-cesena-0sb.it",
            "x@a.io",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn an_empty_address_is_refused() {
        assert_eq!(Email::parse("   "), Err(EmailError::Vuota));
    }

    #[test]
    fn an_address_without_at_is_refused() {
        assert_eq!(Email::parse("mario.rossi.comune.it"), Err(EmailError::SenzaChiocciola));
    }

    #[test]
    fn an_address_with_two_ats_is_refused() {
        assert_eq!(Email::parse("mario@rossi@comune.it"), Err(EmailError::PiuChiocciole));
    }

    #[test]
    fn spaces_and_control_characters_are_refused() {
        assert_eq!(Email::parse("mario rossi@comune.it"), Err(EmailError::CaratteriNonValidi));
        assert_eq!(Email::parse("mario\u{0}@comune.it"), Err(EmailError::CaratteriNonValidi));
        assert_eq!(Email::parse("mario@comune\u{a0}.it"), Err(EmailError::CaratteriNonValidi));
    }

    #[test]
    fn the_local_part_is_checked() {
        assert_eq!(Email::parse("@comune.it"), Err(EmailError::ParteLocaleVuota));
        assert_eq!(Email::parse(&format!("{}@comune.it", "a".repeat(65))), Err(EmailError::ParteLocaleTroppoLunga));
        assert!(Email::parse(&format!("{}@comune.it", "a".repeat(64))).is_ok());
        for bad in [".mario@comune.it", "mario.@comune.it", "mario..rossi@comune.it", "mario<x>@comune.it"] {
            assert_eq!(Email::parse(bad), Err(EmailError::ParteLocaleNonValida), "{bad}");
        }
    }

    #[test]
    fn the_domain_needs_a_dot_and_clean_labels() {
        for bad in [
            "mario@localhost",
            "mario@",
            "mario@comune..it",
            "mario@comune.it.",
            "mario@-comune.it",
            "mario@comune-.it",
            "mario@comune_roma.it",
            "mario@192.168.0.1",
            "mario@[192.168.0.1]",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::DominioNonValido), "{bad}");
        }
    }

    #[test]
    fn an_address_longer_than_254_characters_is_refused() {
        let domain = format!("{}.{}.{}.{}.it", "a".repeat(60), "b".repeat(60), "c".repeat(60), "d".repeat(60));
        let at_limit = format!("{}@{domain}", "m".repeat(254 - 1 - domain.len()));
        assert_eq!(at_limit.len(), 254);
        assert!(Email::parse(&at_limit).is_ok());
        assert_eq!(Email::parse(&format!("m{at_limit}")), Err(EmailError::TroppoLunga));
    }

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let err = Email::parse("mario.rossi.comune.it").unwrap_err();
        assert!(err.messaggio(Lang::It).starts_with("Manca la @"));
        assert!(err.messaggio(Lang::En).starts_with("The @ is missing"));
    }
}
