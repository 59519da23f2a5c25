//! The rules for a new password: NIST SP 800-63B style, length and guessability, no composition rules.
//!
//! A password is refused when it is shorter than 12 or longer than 128 characters, when it contains the user's own
//! data (ignoring case and accents), or when zxcvbn estimates that it can be guessed in fewer than 10^8 attempts.

use zxcvbn::Score;
use zxcvbn::feedback::{Suggestion, Warning};

use crate::domain::{CodiceFiscale, CodiceFiscaleNumerico, CodiceUtente};
use crate::i18n::Lang;

/// Fewest characters in a password.
pub const MIN_CHARS: usize = 12;
/// Most characters in a password; enough for a long passphrase, and it bounds the cost of hashing and zxcvbn.
pub const MAX_CHARS: usize = 128;
/// Shortest piece of user data that a password may not contain; shorter ones would refuse too many passwords.
const MIN_CHARS_DATO: usize = 3;

/// A kind of user data that a password may not contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatoPersonale {
    /// The first name.
    Nome,
    /// The surname.
    Cognome,
    /// The name of the company.
    Denominazione,
    /// The e-mail address (its part before the `@`).
    Email,
    /// The codice fiscale or partita IVA.
    CodiceFiscale,
    /// The codice utente.
    CodiceUtente,
    /// Some personal data whose kind the caller did not say.
    Generico,
}

impl DatoPersonale {
    fn descrizione(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (DatoPersonale::Nome, Lang::It) => "il tuo nome",
            (DatoPersonale::Nome, Lang::En) => "your first name",
            (DatoPersonale::Cognome, Lang::It) => "il tuo cognome",
            (DatoPersonale::Cognome, Lang::En) => "your surname",
            (DatoPersonale::Denominazione, Lang::It) => "la denominazione della tua società",
            (DatoPersonale::Denominazione, Lang::En) => "the name of your company",
            (DatoPersonale::Email, Lang::It) => "il tuo indirizzo e-mail",
            (DatoPersonale::Email, Lang::En) => "your e-mail address",
            (DatoPersonale::CodiceFiscale, Lang::It) => "il tuo codice fiscale o la tua partita IVA",
            (DatoPersonale::CodiceFiscale, Lang::En) => "your codice fiscale or partita IVA",
            (DatoPersonale::CodiceUtente, Lang::It) => "il tuo codice utente",
            (DatoPersonale::CodiceUtente, Lang::En) => "your user code",
            (DatoPersonale::Generico, Lang::It) => {
                "i tuoi dati personali, come nome, cognome, indirizzo e-mail, codice fiscale o codice utente"
            }
            (DatoPersonale::Generico, Lang::En) => {
                "your personal data, such as name, surname, e-mail address, codice fiscale or user code"
            }
        }
    }

    /// Pieces of a value that a password may not contain, lower-case and without accents.
    fn frammenti(self, valore: &str) -> Vec<String> {
        let valore = match self {
            DatoPersonale::Email => valore.rsplit_once('@').map_or(valore, |(locale, _)| locale),
            _ => valore,
        };
        let intero = normalizza(&valore.split_whitespace().collect::<Vec<_>>().join(" "));
        // A surname like "De Luca" or an address like "mario.rossi" hides its parts; a denominazione does not,
        // since its words ("comune", "spa") are too common to refuse.
        let parole: Vec<String> = match self {
            DatoPersonale::Nome | DatoPersonale::Cognome | DatoPersonale::Email => {
                intero.split(|c: char| !c.is_alphanumeric()).map(str::to_owned).collect()
            }
            _ => Vec::new(),
        };
        let mut frammenti = vec![compatta(&intero), intero];
        frammenti.extend(parole);
        frammenti.retain(|f| f.chars().count() >= MIN_CHARS_DATO);
        frammenti
    }

    /// The kind of a value the caller did not label, recognised by its shape when possible.
    fn riconosci(valore: &str) -> DatoPersonale {
        let ha_cifre = valore.chars().any(|c| c.is_ascii_digit());
        if valore.contains('@') {
            DatoPersonale::Email
        } else if CodiceFiscale::parse(valore).is_ok() || CodiceFiscaleNumerico::parse(valore).is_ok() {
            DatoPersonale::CodiceFiscale
        } else if ha_cifre && CodiceUtente::parse(valore).is_ok() {
            // Eight letters can be a surname too; only a code with a digit is surely a code.
            DatoPersonale::CodiceUtente
        } else {
            DatoPersonale::Generico
        }
    }
}

/// The user's own data, each labelled, to refuse passwords that contain it; fields left `None` are not checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct DatiUtente<'a> {
    /// The first name.
    pub nome: Option<&'a str>,
    /// The surname.
    pub cognome: Option<&'a str>,
    /// The name of the company.
    pub denominazione: Option<&'a str>,
    /// The e-mail address, whole: only the part before the `@` is checked.
    pub email: Option<&'a str>,
    /// The codice fiscale or partita IVA.
    pub codice_fiscale: Option<&'a str>,
    /// The codice utente.
    pub codice_utente: Option<&'a str>,
}

impl<'a> DatiUtente<'a> {
    fn etichettati(&self) -> Vec<(DatoPersonale, &'a str)> {
        [
            (DatoPersonale::Nome, self.nome),
            (DatoPersonale::Cognome, self.cognome),
            (DatoPersonale::Denominazione, self.denominazione),
            (DatoPersonale::Email, self.email),
            (DatoPersonale::CodiceFiscale, self.codice_fiscale),
            (DatoPersonale::CodiceUtente, self.codice_utente),
        ]
        .into_iter()
        .filter_map(|(dato, valore)| valore.map(|v| (dato, v)))
        .collect()
    }
}

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 12 characters.
    #[error("the password has {trovati} characters, fewer than {MIN_CHARS}")]
    TroppoCorta {
        /// How many characters were written.
        trovati: usize,
    },
    /// More than 128 characters.
    #[error("the password has {trovati} characters, more than {MAX_CHARS}")]
    TroppoLunga {
        /// How many characters were written.
        trovati: usize,
    },
    /// Contains the user's own data.
    #[error("the password contains the user's own data ({dato:?})")]
    DatiPersonali {
        /// Which kind of data it contains.
        dato: DatoPersonale,
    },
    /// zxcvbn scores it below 3: fewer than 10^8 guesses.
    #[error("the password is too easy to guess (zxcvbn feedback: {avviso:?} {suggerimenti:?})")]
    Debole {
        /// What zxcvbn found wrong, if anything in particular.
        avviso: Option<Warning>,
        /// What zxcvbn suggests.
        suggerimenti: Vec<Suggestion>,
    },
}

impl PasswordError {
    /// The sentence shown to the user beside the field.
    pub fn messaggio(&self, lang: Lang) -> String {
        match (self, lang) {
            (PasswordError::TroppoCorta { trovati }, Lang::It) => format!(
                "La password deve avere almeno {MIN_CHARS} caratteri, ne hai scritti {trovati}: \
                 prova con una frase di più parole"
            ),
            (PasswordError::TroppoCorta { trovati }, Lang::En) => format!(
                "The password must have at least {MIN_CHARS} characters, you entered {trovati}: \
                 try a phrase of several words"
            ),
            (PasswordError::TroppoLunga { trovati }, Lang::It) => {
                format!("La password può avere al massimo {MAX_CHARS} caratteri, ne hai scritti {trovati}")
            }
            (PasswordError::TroppoLunga { trovati }, Lang::En) => {
                format!("The password can have at most {MAX_CHARS} characters, you entered {trovati}")
            }
            (PasswordError::DatiPersonali { dato }, Lang::It) => {
                format!("La password non deve contenere {}", dato.descrizione(lang))
            }
            (PasswordError::DatiPersonali { dato }, Lang::En) => {
                format!("The password must not contain {}", dato.descrizione(lang))
            }
            (PasswordError::Debole { avviso, suggerimenti }, _) => messaggio_debole(*avviso, suggerimenti, lang),
        }
    }
}

/// Checks a new password against the user's data, given as plain values whose kind is recognised by shape
/// (e-mail, codice fiscale, codice utente) or else reported as generic personal data.
pub fn controlla_password(password: &str, dati_utente: &[&str]) -> Result<(), PasswordError> {
    let etichettati: Vec<(DatoPersonale, &str)> =
        dati_utente.iter().map(|&valore| (DatoPersonale::riconosci(valore), valore)).collect();
    controlla(password, &etichettati)
}

/// Checks a new password against the user's labelled data, so that a refusal can say which data it contains.
pub fn controlla_password_utente(password: &str, dati_utente: &DatiUtente<'_>) -> Result<(), PasswordError> {
    controlla(password, &dati_utente.etichettati())
}

fn controlla(password: &str, dati: &[(DatoPersonale, &str)]) -> Result<(), PasswordError> {
    let trovati = password.chars().count();
    if trovati < MIN_CHARS {
        return Err(PasswordError::TroppoCorta { trovati });
    }
    if trovati > MAX_CHARS {
        return Err(PasswordError::TroppoLunga { trovati });
    }
    let normalizzata = normalizza(password);
    let compattata = compatta(&normalizzata);
    let mut user_inputs: Vec<String> = Vec::new();
    for &(dato, valore) in dati {
        let frammenti = dato.frammenti(valore);
        if frammenti.iter().any(|f| normalizzata.contains(f.as_str()) || compattata.contains(&compatta(f))) {
            return Err(PasswordError::DatiPersonali { dato });
        }
        user_inputs.push(valore.to_owned());
        user_inputs.extend(frammenti);
    }
    let user_inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
    let stima = zxcvbn::zxcvbn(password, &user_inputs);
    if stima.score() < Score::Three {
        let feedback = stima.feedback();
        return Err(PasswordError::Debole {
            avviso: feedback.and_then(|f| f.warning()),
            suggerimenti: feedback.map(|f| f.suggestions().to_vec()).unwrap_or_default(),
        });
    }
    Ok(())
}

/// Lower-case, without accents, so that "Nicolò" and "NICOLO" match.
fn normalizza(testo: &str) -> String {
    testo.to_lowercase().chars().filter(|c| !('\u{300}'..='\u{36F}').contains(c)).map(senza_accento).collect()
}

/// Letters and digits only, so that "De Luca" matches "de-luca" and "deluca".
fn compatta(testo: &str) -> String {
    testo.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The base letter of a lower-case accented Latin letter.
fn senza_accento(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => c,
    }
}

fn messaggio_debole(avviso: Option<Warning>, suggerimenti: &[Suggestion], lang: Lang) -> String {
    let generico = match lang {
        Lang::It => {
            "La password è troppo facile da indovinare: usa una frase di più parole che non abbia senso per altri"
        }
        Lang::En => "The password is too easy to guess: use a phrase of several words that means nothing to others",
    };
    if avviso.is_none() && suggerimenti.is_empty() {
        return generico.to_owned();
    }
    let mut messaggio = match (avviso, lang) {
        (Some(a), Lang::It) => format!("La password è troppo facile da indovinare: {}.", testo_avviso(a, lang)),
        (Some(a), Lang::En) => format!("The password is too easy to guess: {}.", testo_avviso(a, lang)),
        (None, Lang::It) => "La password è troppo facile da indovinare.".to_owned(),
        (None, Lang::En) => "The password is too easy to guess.".to_owned(),
    };
    for s in suggerimenti {
        messaggio.push(' ');
        messaggio.push_str(testo_suggerimento(*s, lang));
    }
    messaggio
}

fn testo_avviso(avviso: Warning, lang: Lang) -> &'static str {
    let (it, en) = match avviso {
        Warning::StraightRowsOfKeysAreEasyToGuess => (
            "le file di tasti vicini, come qwerty, sono facili da indovinare",
            "rows of neighbouring keys, like qwerty, are easy to guess",
        ),
        Warning::ShortKeyboardPatternsAreEasyToGuess => {
            ("i brevi percorsi sulla tastiera sono facili da indovinare", "short keyboard patterns are easy to guess")
        }
        Warning::RepeatsLikeAaaAreEasyToGuess => {
            ("le ripetizioni come «aaa» sono facili da indovinare", "repeats like \"aaa\" are easy to guess")
        }
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => (
            "le ripetizioni come «abcabcabc» sono facili da indovinare quasi quanto «abc»",
            "repeats like \"abcabcabc\" are barely harder to guess than \"abc\"",
        ),
        Warning::ThisIsATop10Password => {
            ("è una delle 10 password più usate al mondo", "it is one of the 10 most common passwords")
        }
        Warning::ThisIsATop100Password => {
            ("è una delle 100 password più usate al mondo", "it is one of the 100 most common passwords")
        }
        Warning::ThisIsACommonPassword => ("è una password molto usata", "it is a very common password"),
        Warning::ThisIsSimilarToACommonlyUsedPassword => {
            ("somiglia a una password molto usata", "it is similar to a commonly used password")
        }
        Warning::SequencesLikeAbcAreEasyToGuess => {
            ("le sequenze come abc o 6543 sono facili da indovinare", "sequences like abc or 6543 are easy to guess")
        }
        Warning::RecentYearsAreEasyToGuess => {
            ("gli anni recenti sono facili da indovinare", "recent years are easy to guess")
        }
        Warning::AWordByItselfIsEasyToGuess => {
            ("una parola da sola è facile da indovinare", "a single word is easy to guess")
        }
        Warning::DatesAreOftenEasyToGuess => ("le date sono facili da indovinare", "dates are easy to guess"),
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess => {
            ("nomi e cognomi da soli sono facili da indovinare", "names and surnames on their own are easy to guess")
        }
        Warning::CommonNamesAndSurnamesAreEasyToGuess => {
            ("i nomi e i cognomi comuni sono facili da indovinare", "common names and surnames are easy to guess")
        }
    };
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

fn testo_suggerimento(suggerimento: Suggestion, lang: Lang) -> &'static str {
    let (it, en) = match suggerimento {
        Suggestion::UseAFewWordsAvoidCommonPhrases => {
            ("Usa alcune parole, evitando le frasi fatte.", "Use a few words, avoiding common phrases.")
        }
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => {
            ("Non servono simboli, cifre o maiuscole.", "There is no need for symbols, digits or capital letters.")
        }
        Suggestion::AddAnotherWordOrTwo => {
            ("Aggiungi una o due parole, meglio se poco comuni.", "Add a word or two, preferably uncommon ones.")
        }
        Suggestion::CapitalizationDoesntHelpVeryMuch => {
            ("Le maiuscole aiutano poco.", "Capital letters do not help much.")
        }
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => (
            "Tutto in maiuscolo è facile da indovinare quasi quanto tutto in minuscolo.",
            "All capitals is almost as easy to guess as all lower case.",
        ),
        Suggestion::ReversedWordsArentMuchHarderToGuess => (
            "Le parole scritte al contrario non sono molto più difficili da indovinare.",
            "Words written backwards are not much harder to guess.",
        ),
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => (
            "Le sostituzioni prevedibili, come @ al posto di a, aiutano poco.",
            "Predictable substitutions, like @ instead of a, do not help much.",
        ),
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
            ("Evita i percorsi sulla tastiera.", "Avoid patterns on the keyboard.")
        }
        Suggestion::AvoidRepeatedWordsAndCharacters => {
            ("Evita parole e caratteri ripetuti.", "Avoid repeated words and characters.")
        }
        Suggestion::AvoidSequences => ("Evita le sequenze.", "Avoid sequences."),
        Suggestion::AvoidRecentYears => ("Evita gli anni recenti.", "Avoid recent years."),
        Suggestion::AvoidYearsThatAreAssociatedWithYou => {
            ("Evita gli anni legati a te.", "Avoid years that are associated with you.")
        }
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => {
            ("Evita date e anni legati a te.", "Avoid dates and years that are associated with you.")
        }
    };
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed unwrap is a clear test failure")]
mod tests {
    use super::*;

    const MARIO: DatiUtente<'static> = DatiUtente {
        nome: Some("Mario"),
        cognome: Some("Brambilla"),
        denominazione: None,
        email: Some("m.brambilla@comune.bergamo.it"),
        codice_fiscale: Some("BRMMRA85T10A794A"),
        codice_utente: Some("K7MQ2XZP"),
    };

    fn dati_mario() -> Vec<&'static str> {
        [MARIO.nome, MARIO.cognome, MARIO.email, MARIO.codice_fiscale, MARIO.codice_utente]
            .into_iter()
            .flatten()
            .collect()
    }

    #[test]
    fn passphrases_of_unrelated_words_are_accepted() {
        for ok in [
            "correct horse battery staple",
            "cavallo batteria graffetta giusta",
            "la lavatrice canta sotto la luna",
            "Trapezio-Mirtillo-Ombrello-42",
        ] {
            assert_eq!(controlla_password(ok, &dati_mario()), Ok(()), "{ok}");
            assert_eq!(controlla_password_utente(ok, &MARIO), Ok(()), "{ok}");
        }
    }

    #[test]
    fn common_passwords_are_refused_as_weak() {
        for weak in ["Password1234", "qwertyuiop12", "123456789012", "aaaaaaaaaaaa", "ciaociaociao"] {
            assert!(matches!(controlla_password(weak, &[]), Err(PasswordError::Debole { .. })), "{weak}");
        }
    }

    #[test]
    fn zxcvbn_feedback_is_translated_into_plain_language() {
        let err = controlla_password("qwertyuiop12", &[]).unwrap_err();
        assert_eq!(
            err.messaggio(Lang::It),
            "La password è troppo facile da indovinare: somiglia a una password molto usata. \
             Aggiungi una o due parole, meglio se poco comuni."
        );
        assert_eq!(
            err.messaggio(Lang::En),
            "The password is too easy to guess: it is similar to a commonly used password. \
             Add a word or two, preferably uncommon ones."
        );
        let tastiera = PasswordError::Debole {
            avviso: Some(Warning::StraightRowsOfKeysAreEasyToGuess),
            suggerimenti: vec![Suggestion::UseALongerKeyboardPatternWithMoreTurns],
        };
        assert_eq!(
            tastiera.messaggio(Lang::It),
            "La password è troppo facile da indovinare: le file di tasti vicini, come qwerty, sono facili da \
             indovinare. Evita i percorsi sulla tastiera."
        );
    }

    #[test]
    fn a_common_password_says_so() {
        let err = controlla_password("Password1234", &[]).unwrap_err();
        assert!(err.messaggio(Lang::It).contains("password molto usata"), "{}", err.messaggio(Lang::It));
    }

    #[test]
    fn weak_without_feedback_falls_back_to_the_generic_advice() {
        let err = PasswordError::Debole { avviso: None, suggerimenti: Vec::new() };
        assert_eq!(
            err.messaggio(Lang::It),
            "La password è troppo facile da indovinare: usa una frase di più parole che non abbia senso per altri"
        );
    }

    #[test]
    fn a_password_containing_the_surname_is_refused_naming_the_surname() {
        let err = controlla_password_utente("il gatto di BRAMBILLA vola", &MARIO).unwrap_err();
        assert_eq!(err, PasswordError::DatiPersonali { dato: DatoPersonale::Cognome });
        assert_eq!(err.messaggio(Lang::It), "La password non deve contenere il tuo cognome");
        assert_eq!(err.messaggio(Lang::En), "The password must not contain your surname");
    }

    #[test]
    fn personal_data_is_matched_ignoring_case_and_accents() {
        let dati = DatiUtente { nome: Some("Nicolò"), cognome: Some("D'Amèlio"), ..DatiUtente::default() };
        let err = controlla_password_utente("NICOLO salta sul trampolino", &dati).unwrap_err();
        assert_eq!(err, PasswordError::DatiPersonali { dato: DatoPersonale::Nome });
        let err = controlla_password_utente("trampolino blu damelio xyz", &dati).unwrap_err();
        assert_eq!(err, PasswordError::DatiPersonali { dato: DatoPersonale::Cognome });
        // Decomposed accents, as some keyboards send them.
        let err = controlla_password_utente("trampolino blu Nicolo\u{300} xyz", &dati).unwrap_err();
        assert_eq!(err, PasswordError::DatiPersonali { dato: DatoPersonale::Nome });
    }

    #[test]
    fn every_kind_of_personal_data_is_named() {
        let societa = DatiUtente {
            denominazione: Some("Acme Servizi Ambientali S.r.l."),
            codice_fiscale: Some("01114601006"),
            ..DatiUtente::default()
        };
        let casi = [
            ("mario va in bicicletta al mare", &MARIO, DatoPersonale::Nome),
            ("bicicletta m.brambilla al mare", &MARIO, DatoPersonale::Cognome),
            ("bicicletta brmmra85t10a794a mare", &MARIO, DatoPersonale::CodiceFiscale),
            ("bicicletta k7mq2xzp al mare", &MARIO, DatoPersonale::CodiceUtente),
            ("la acme servizi ambientali srl vince", &societa, DatoPersonale::Denominazione),
            ("tamburo 01114601006 violino", &societa, DatoPersonale::CodiceFiscale),
        ];
        for (password, dati, atteso) in casi {
            assert_eq!(controlla_password_utente(password, dati), Err(PasswordError::DatiPersonali { dato: atteso }));
        }
        let email = DatiUtente { email: Some("fabbisogni.ufficio@comune.bergamo.it"), ..DatiUtente::default() };
        let err = controlla_password_utente("il mio ufficio ha le finestre blu", &email).unwrap_err();
        assert_eq!(err.messaggio(Lang::It), "La password non deve contenere il tuo indirizzo e-mail");
    }

    #[test]
    fn unlabelled_data_is_recognised_by_shape() {
        let dati = dati_mario();
        let casi = [
            ("sole brmmra85t10a794a luna", DatoPersonale::CodiceFiscale),
            ("sole k7mq2xzp luna stella", DatoPersonale::CodiceUtente),
            ("sole luna m.brambilla stella", DatoPersonale::Generico),
            ("sole luna mario stella blu", DatoPersonale::Generico),
        ];
        for (password, atteso) in casi {
            assert_eq!(controlla_password(password, &dati), Err(PasswordError::DatiPersonali { dato: atteso }));
        }
        let solo_email = ["fabbisogni.ufficio@comune.bergamo.it"];
        assert_eq!(
            controlla_password("il mio ufficio ha le finestre blu", &solo_email),
            Err(PasswordError::DatiPersonali { dato: DatoPersonale::Email })
        );
        let err = controlla_password("sole luna mario stella blu", &dati).unwrap_err();
        assert!(err.messaggio(Lang::It).starts_with("La password non deve contenere i tuoi dati personali"));
    }

    #[test]
    fn data_shorter_than_three_characters_is_ignored() {
        let dati = DatiUtente { nome: Some("Li"), cognome: Some("Bo"), ..DatiUtente::default() };
        assert_eq!(controlla_password_utente("libellule bofonchiano sul lago", &dati), Ok(()));
    }

    #[test]
    fn the_domain_of_the_email_is_not_personal_data() {
        let dati = DatiUtente { email: Some("xq7@comune.bergamo.it"), ..DatiUtente::default() };
        assert_eq!(controlla_password_utente("una gita a bergamo col comune", &dati), Ok(()));
    }

    #[test]
    fn eleven_characters_are_refused_counting_characters_not_bytes() {
        assert_eq!(controlla_password("àèìòùàèìòùà", &[]), Err(PasswordError::TroppoCorta { trovati: 11 }));
        assert_eq!(controlla_password("abcdefghijk", &[]), Err(PasswordError::TroppoCorta { trovati: 11 }));
        assert!(PasswordError::TroppoCorta { trovati: 11 }.messaggio(Lang::It).contains("almeno 12 caratteri"));
    }

    #[test]
    fn one_hundred_twenty_nine_characters_are_refused() {
        let parole = "zebra fagiolo ombrello trapezio mirtillo lanterna cavatappi giraffa tamburello pergamena ";
        let lunga: String = parole.chars().cycle().take(129).collect();
        assert_eq!(controlla_password(&lunga, &[]), Err(PasswordError::TroppoLunga { trovati: 129 }));
        let al_limite: String = lunga.chars().take(128).collect();
        assert_eq!(controlla_password(&al_limite, &[]), Ok(()));
    }

    #[test]
    fn twelve_strong_non_ascii_characters_are_accepted() {
        let password = "ĉiuĵaŭdeŝanĝ";
        assert_eq!(password.chars().count(), 12);
        assert_eq!(controlla_password(password, &[]), Ok(()));
        assert_eq!(controlla_password("Ωραίο φεγγάρ", &[]), Ok(()));
    }
}
