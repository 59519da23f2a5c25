//! Enti and associations: the type of an ente, the mode and state of a user's association, and the search key
//! that makes names findable without accents or capitals.

use super::TransitionError;
use crate::i18n::Lang;

/// The kind of an ente, from IPA's `Codice_Categoria`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TipoEnte {
    /// `L6`.
    Comune,
    /// `L5`.
    Provincia,
    /// `L45`.
    CittaMetropolitana,
    /// An `L6` or other row whose name starts with "Unione" (IPA files unions with the comuni).
    UnioneComuni,
    /// `L4`.
    ComunitaMontana,
    /// Every other category.
    Altro,
}

impl TipoEnte {
    /// Every type, in the order the forms list them.
    pub const TUTTI: [TipoEnte; 6] = [
        TipoEnte::Comune,
        TipoEnte::Provincia,
        TipoEnte::CittaMetropolitana,
        TipoEnte::UnioneComuni,
        TipoEnte::ComunitaMontana,
        TipoEnte::Altro,
    ];

    /// The type of an IPA row, from its category code and name.
    pub fn da_categoria_ipa(categoria: &str, denominazione: &str) -> TipoEnte {
        let nome = chiave_ricerca(denominazione);
        if nome.starts_with("unione ") {
            return TipoEnte::UnioneComuni;
        }
        match categoria.trim().to_ascii_uppercase().as_str() {
            "L6" => TipoEnte::Comune,
            "L5" => TipoEnte::Provincia,
            "L45" => TipoEnte::CittaMetropolitana,
            "L4" => TipoEnte::ComunitaMontana,
            _ => TipoEnte::Altro,
        }
    }

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            TipoEnte::Comune => "comune",
            TipoEnte::Provincia => "provincia",
            TipoEnte::CittaMetropolitana => "citta_metropolitana",
            TipoEnte::UnioneComuni => "unione_comuni",
            TipoEnte::ComunitaMontana => "comunita_montana",
            TipoEnte::Altro => "altro",
        }
    }

    /// The type of a stored or submitted code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<TipoEnte> {
        TipoEnte::TUTTI.into_iter().find(|t| t.code() == code)
    }

    /// The label in `lang`.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("tipo-ente-{}", self.code().replace('_', "-")))
    }

    /// The label of a stored code in `lang`; "" for an unknown code.
    pub fn etichetta_di(code: &str, lang: Lang) -> String {
        TipoEnte::from_code(code).map(|t| t.etichetta(lang)).unwrap_or_default()
    }
}

/// What an active association lets a user do on an ente.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Modalita {
    /// View questionnaires, PDFs, receipts and documents.
    Consultazione,
    /// Also edit, send, ask for reopening, upload.
    Compilazione,
}

impl Modalita {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Modalita::Consultazione => "consultazione",
            Modalita::Compilazione => "compilazione",
        }
    }

    /// The mode of a stored or submitted code; `None` for anything else (a forged form value).
    pub fn from_code(code: &str) -> Option<Modalita> {
        match code {
            "consultazione" => Some(Modalita::Consultazione),
            "compilazione" => Some(Modalita::Compilazione),
            _ => None,
        }
    }

    /// The label in `lang`.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("modalita-{}", self.code()))
    }
}

/// Where an association stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatoAssociazione {
    /// Waiting for a responsabile or an administrator.
    InAttesa,
    /// Approved: the user works on the ente.
    Attiva,
    /// Refused, possibly with a reason.
    Rifiutata,
    /// Ended by a responsabile or an administrator.
    Revocata,
}

impl StatoAssociazione {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            StatoAssociazione::InAttesa => "in_attesa",
            StatoAssociazione::Attiva => "attiva",
            StatoAssociazione::Rifiutata => "rifiutata",
            StatoAssociazione::Revocata => "revocata",
        }
    }

    /// The state of a stored code.
    pub fn from_code(code: &str) -> Option<StatoAssociazione> {
        [
            StatoAssociazione::InAttesa,
            StatoAssociazione::Attiva,
            StatoAssociazione::Rifiutata,
            StatoAssociazione::Revocata,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// The label in `lang`.
    pub fn etichetta(self, lang: Lang) -> String {
        lang.t(&format!("stato-associazione-{}", self.code().replace('_', "-")))
    }

    fn verso(self, azione: &'static str, da: StatoAssociazione, a: StatoAssociazione) -> Result<Self, TransitionError> {
        if self == da { Ok(a) } else { Err(TransitionError { da: self.code(), azione }) }
    }

    /// A responsabile or an administrator approves the request.
    pub fn approva(self) -> Result<StatoAssociazione, TransitionError> {
        self.verso("approva", StatoAssociazione::InAttesa, StatoAssociazione::Attiva)
    }

    /// … or refuses it.
    pub fn rifiuta(self) -> Result<StatoAssociazione, TransitionError> {
        self.verso("rifiuta", StatoAssociazione::InAttesa, StatoAssociazione::Rifiutata)
    }

    /// An active association is ended.
    pub fn revoca(self) -> Result<StatoAssociazione, TransitionError> {
        self.verso("revoca", StatoAssociazione::Attiva, StatoAssociazione::Revocata)
    }

    /// The mode of an active association changes; it stays active.
    pub fn cambia_modalita(self) -> Result<StatoAssociazione, TransitionError> {
        self.verso("modalita", StatoAssociazione::Attiva, StatoAssociazione::Attiva)
    }
}

/// The search key of a name: lower case, accents and apostrophes dropped, one space between words.
/// "Città metropolitana di Roma Capitale" → "citta metropolitana di roma capitale";
/// "Sant'Agata de' Goti" → "sant agata de goti".
pub fn chiave_ricerca(testo: &str) -> String {
    let mut out = String::with_capacity(testo.len());
    let mut spazio = false;
    for c in testo.chars().flat_map(char::to_lowercase) {
        let base = senza_accento(c);
        if base.is_alphanumeric() {
            if spazio && !out.is_empty() {
                out.push(' ');
            }
            spazio = false;
            out.push(base);
        } else {
            spazio = true;
        }
    }
    out
}

/// The letter without its diacritic, for the letters of Italian, German, French, Slovene and Ladin names.
fn senza_accento(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ç' | 'č' | 'ć' => 'c',
        'ñ' => 'n',
        'š' => 's',
        'ž' => 'z',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_drops_accents_case_and_punctuation() {
        assert_eq!(chiave_ricerca("Città metropolitana di Roma Capitale"), "citta metropolitana di roma capitale");
        assert_eq!(chiave_ricerca("  Sant'Agata de' Goti "), "sant agata de goti");
        assert_eq!(chiave_ricerca("BRUNICO/BRUNECK"), "brunico bruneck");
        assert_eq!(chiave_ricerca("Forlì-Cesena"), "forli cesena");
        assert_eq!(chiave_ricerca(""), "");
    }

    #[test]
    fn ipa_categories_map_to_types() {
        assert_eq!(TipoEnte::da_categoria_ipa("L6", "Comune di Milano"), TipoEnte::Comune);
        assert_eq!(TipoEnte::da_categoria_ipa("l5", "Provincia di Cuneo"), TipoEnte::Provincia);
        assert_eq!(TipoEnte::da_categoria_ipa("L45", "Citta' Metropolitana di Torino"), TipoEnte::CittaMetropolitana);
        assert_eq!(TipoEnte::da_categoria_ipa("L6", "Unione dei Comuni Valli del Reno"), TipoEnte::UnioneComuni);
        assert_eq!(TipoEnte::da_categoria_ipa("L4", "Comunita' Montana Alta Valtellina"), TipoEnte::ComunitaMontana);
        assert_eq!(TipoEnte::da_categoria_ipa("L33", "Istituto Comprensivo"), TipoEnte::Altro);
    }

    #[test]
    fn codes_round_trip_and_forged_values_are_refused() {
        for t in TipoEnte::TUTTI {
            assert_eq!(TipoEnte::from_code(t.code()), Some(t));
        }
        assert_eq!(Modalita::from_code("compilazione"), Some(Modalita::Compilazione));
        assert_eq!(Modalita::from_code("amministratore"), None);
        assert_eq!(StatoAssociazione::from_code("attiva"), Some(StatoAssociazione::Attiva));
        assert!(Modalita::Compilazione > Modalita::Consultazione);
    }

    #[test]
    fn a_request_is_decided_once_and_only_an_active_association_is_revoked_or_changed() {
        use StatoAssociazione::*;
        assert_eq!(InAttesa.approva(), Ok(Attiva));
        assert_eq!(InAttesa.rifiuta(), Ok(Rifiutata));
        assert!(Attiva.approva().is_err() && Rifiutata.rifiuta().is_err() && Revocata.approva().is_err());
        assert_eq!(Attiva.revoca(), Ok(Revocata));
        assert!(InAttesa.revoca().is_err());
        assert_eq!(Attiva.cambia_modalita(), Ok(Attiva));
        assert_eq!(Revocata.cambia_modalita(), Err(TransitionError { da: "revocata", azione: "modalita" }));
    }
}
