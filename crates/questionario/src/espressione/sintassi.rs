//! Reading an expression: tokens, then a precedence-climbing parser into a tree that still holds field addresses.
//!
//! Every node carries the byte range it came from, so a later error (an unknown field, a type mismatch) points at
//! the right column of the definition file.

use std::ops::Range;

use rust_decimal::Decimal;

/// A syntax error, with the byte range of the expression it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErroreSintassi {
    /// What is wrong, in Italian, for a questionnaire author.
    pub messaggio: String,
    /// Bytes of the expression text.
    pub posizione: Range<usize>,
}

fn errore<T>(messaggio: impl Into<String>, posizione: Range<usize>) -> Result<T, ErroreSintassi> {
    Err(ErroreSintassi { messaggio: messaggio.into(), posizione })
}

/// A reference inside `${…}`: one field, or a range of fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Riferimento {
    /// `${D11.B}`
    Campo(String),
    /// `${D11.A..O}`: the fields of rigo `D11` from column `A` to column `O`.
    Colonne { rigo: String, da: String, a: String },
    /// `${D11..D20.B}`: the fields of column `B` from rigo `D11` to rigo `D20`.
    Righi { colonna: String, da: String, a: String },
    /// `${A01..A09}`: the fields without a column from `A01` to `A09`.
    Campi { da: String, a: String },
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operatore {
    Piu,
    Meno,
    Per,
    Diviso,
    Uguale,
    Diverso,
    Minore,
    MinoreUguale,
    Maggiore,
    MaggioreUguale,
    E,
    O,
}

impl Operatore {
    /// As written in the language.
    pub fn simbolo(self) -> &'static str {
        match self {
            Operatore::Piu => "+",
            Operatore::Meno => "-",
            Operatore::Per => "*",
            Operatore::Diviso => "/",
            Operatore::Uguale => "=",
            Operatore::Diverso => "!=",
            Operatore::Minore => "<",
            Operatore::MinoreUguale => "<=",
            Operatore::Maggiore => ">",
            Operatore::MaggioreUguale => ">=",
            Operatore::E => "and",
            Operatore::O => "or",
        }
    }

    fn precedenza(self) -> u8 {
        match self {
            Operatore::O => 1,
            Operatore::E => 2,
            Operatore::Uguale
            | Operatore::Diverso
            | Operatore::Minore
            | Operatore::MinoreUguale
            | Operatore::Maggiore
            | Operatore::MaggioreUguale => 4,
            Operatore::Piu | Operatore::Meno => 5,
            Operatore::Per | Operatore::Diviso => 6,
        }
    }
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Albero {
    /// What the node is.
    pub nodo: Nodo,
    /// Bytes of the source text it came from.
    pub posizione: Range<usize>,
}

/// The kinds of node of a parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Nodo {
    Numero(Decimal),
    Testo(String),
    Booleano(bool),
    Riferimento(Riferimento),
    /// `.`
    Punto,
    Negazione(Box<Albero>),
    Non(Box<Albero>),
    Binario(Operatore, Box<Albero>, Box<Albero>),
    Funzione(String, Vec<Albero>),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Numero(Decimal),
    Testo(String),
    Nome(String),
    Riferimento(Riferimento),
    Punto,
    Virgola,
    Aperta,
    Chiusa,
    Op(Operatore),
    Non,
    Fine,
}

/// Whether `s` is a rigo (`D11`, `Q1_03`): a capital letter, then capitals, digits or `_`.
pub fn rigo_valido(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('A'..='Z')) && c.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `s` is a column (`A`, `P`, `ANNOTAZIONI`, `1`): capitals and digits.
pub fn colonna_valida(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Whether `s` is a field address: `RIGO` or `RIGO.COLONNA`.
pub fn indirizzo_valido(s: &str) -> bool {
    match s.split_once('.') {
        Some((r, c)) => rigo_valido(r) && colonna_valida(c),
        None => rigo_valido(s),
    }
}

fn leggi_riferimento(testo: &str, posizione: Range<usize>) -> Result<Riferimento, ErroreSintassi> {
    let non_valido = |cosa: &str| {
        errore(
            format!(
                "riferimento «${{{testo}}}» non valido: {cosa}; si scrive ${{D11}}, ${{D11.B}}, ${{D11.A..O}} \
                 o ${{D11..D20.B}}"
            ),
            posizione.clone(),
        )
    };
    let Some((da, a)) = testo.split_once("..") else {
        if indirizzo_valido(testo) {
            return Ok(Riferimento::Campo(testo.to_owned()));
        }
        return non_valido("un indirizzo è un rigo in maiuscolo, eventualmente seguito da «.» e dalla colonna");
    };
    match (da.split_once('.'), a.split_once('.')) {
        (Some((rigo, col)), None) if rigo_valido(rigo) && colonna_valida(col) && colonna_valida(a) => {
            Ok(Riferimento::Colonne { rigo: rigo.to_owned(), da: col.to_owned(), a: a.to_owned() })
        }
        (None, Some((rigo, col))) if rigo_valido(da) && rigo_valido(rigo) && colonna_valida(col) => {
            Ok(Riferimento::Righi { colonna: col.to_owned(), da: da.to_owned(), a: rigo.to_owned() })
        }
        (None, None) if rigo_valido(da) && rigo_valido(a) => {
            Ok(Riferimento::Campi { da: da.to_owned(), a: a.to_owned() })
        }
        (Some(_), Some(_)) => non_valido("un intervallo va lungo un rigo o lungo una colonna, non tutti e due"),
        _ => non_valido("gli estremi dell'intervallo non sono indirizzi"),
    }
}

struct Lettore<'a> {
    testo: &'a str,
    pos: usize,
}

impl Lettore<'_> {
    fn prossimo(&mut self) -> Result<(Token, Range<usize>), ErroreSintassi> {
        let bytes = self.testo.as_bytes();
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let inizio = self.pos;
        let Some(&b) = bytes.get(self.pos) else {
            return Ok((Token::Fine, inizio..inizio));
        };
        let due = |s: &Self, secondo: u8| bytes.get(s.pos + 1) == Some(&secondo);
        let (token, lunghezza) = match b {
            b'(' => (Token::Aperta, 1),
            b')' => (Token::Chiusa, 1),
            b',' => (Token::Virgola, 1),
            b'+' => (Token::Op(Operatore::Piu), 1),
            b'-' => (Token::Op(Operatore::Meno), 1),
            b'*' => (Token::Op(Operatore::Per), 1),
            b'/' => (Token::Op(Operatore::Diviso), 1),
            b'=' if due(self, b'=') => (Token::Op(Operatore::Uguale), 2),
            b'=' => (Token::Op(Operatore::Uguale), 1),
            b'!' if due(self, b'=') => (Token::Op(Operatore::Diverso), 2),
            b'<' if due(self, b'=') => (Token::Op(Operatore::MinoreUguale), 2),
            b'<' if due(self, b'>') => (Token::Op(Operatore::Diverso), 2),
            b'<' => (Token::Op(Operatore::Minore), 1),
            b'>' if due(self, b'=') => (Token::Op(Operatore::MaggioreUguale), 2),
            b'>' => (Token::Op(Operatore::Maggiore), 1),
            b'.' if !bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit) => (Token::Punto, 1),
            b'$' => {
                if !due(self, b'{') {
                    return errore("dopo «$» si apre la graffa: ${D11.B}", inizio..inizio + 1);
                }
                let Some(fine) = self.testo[inizio..].find('}') else {
                    return errore("riferimento senza «}» di chiusura", inizio..self.testo.len());
                };
                let dentro = &self.testo[inizio + 2..inizio + fine];
                let riferimento = leggi_riferimento(dentro.trim(), inizio..inizio + fine + 1)?;
                (Token::Riferimento(riferimento), fine + 1)
            }
            b'\'' | b'"' => {
                let Some(fine) = self.testo[inizio + 1..].find(b as char) else {
                    return errore("testo senza virgoletta di chiusura", inizio..self.testo.len());
                };
                (Token::Testo(self.testo[inizio + 1..inizio + 1 + fine].to_owned()), fine + 2)
            }
            b'0'..=b'9' | b'.' => {
                let fine = self.testo[inizio..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .map_or(self.testo.len(), |n| inizio + n);
                let cifre = &self.testo[inizio..fine];
                let Ok(numero) = cifre.parse::<Decimal>() else {
                    return errore(
                        format!("numero «{cifre}» non valido (i decimali vanno dopo il punto: 0.5)"),
                        inizio..fine,
                    );
                };
                (Token::Numero(numero), fine - inizio)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let fine = self.testo[inizio..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(self.testo.len(), |n| inizio + n);
                let nome = &self.testo[inizio..fine];
                let token = match nome {
                    "and" => Token::Op(Operatore::E),
                    "or" => Token::Op(Operatore::O),
                    "not" => Token::Non,
                    _ => Token::Nome(nome.to_owned()),
                };
                (token, fine - inizio)
            }
            _ => {
                let c = self.testo[inizio..].chars().next().unwrap_or('?');
                return errore(format!("carattere «{c}» inatteso"), inizio..inizio + c.len_utf8());
            }
        };
        self.pos += lunghezza;
        Ok((token, inizio..self.pos))
    }
}

struct Parser<'a> {
    lettore: Lettore<'a>,
    token: Token,
    posizione: Range<usize>,
    profondita: usize,
}

/// Nesting deeper than this is refused: no real rule needs it, and it keeps the recursion bounded.
const PROFONDITA_MASSIMA: usize = 64;

/// Parses an expression.
pub fn analizza(testo: &str) -> Result<Albero, ErroreSintassi> {
    let mut lettore = Lettore { testo, pos: 0 };
    let (token, posizione) = lettore.prossimo()?;
    let mut parser = Parser { lettore, token, posizione, profondita: 0 };
    if parser.token == Token::Fine {
        return errore("espressione vuota", 0..0);
    }
    let albero = parser.espressione(0)?;
    if parser.token != Token::Fine {
        return errore("testo in più dopo la fine dell'espressione (manca un operatore?)", parser.posizione.clone());
    }
    Ok(albero)
}

impl Parser<'_> {
    fn avanza(&mut self) -> Result<(Token, Range<usize>), ErroreSintassi> {
        let (token, posizione) = self.lettore.prossimo()?;
        let vecchio = std::mem::replace(&mut self.token, token);
        let vecchia = std::mem::replace(&mut self.posizione, posizione);
        Ok((vecchio, vecchia))
    }

    fn espressione(&mut self, minima: u8) -> Result<Albero, ErroreSintassi> {
        self.profondita += 1;
        if self.profondita > PROFONDITA_MASSIMA {
            return errore("espressione troppo annidata", self.posizione.clone());
        }
        let mut sinistra = self.unario()?;
        while let Token::Op(op) = self.token {
            let precedenza = op.precedenza();
            if precedenza < minima {
                break;
            }
            self.avanza()?;
            let destra = self.espressione(precedenza + 1)?;
            // Comparisons do not chain (`a < b < c` is a mistake, not a range test).
            if precedenza == 4 && matches!(self.token, Token::Op(o) if o.precedenza() == 4) {
                return errore("i confronti non si concatenano: scrivere «a < b and b < c»", self.posizione.clone());
            }
            let posizione = sinistra.posizione.start..destra.posizione.end;
            sinistra = Albero { nodo: Nodo::Binario(op, Box::new(sinistra), Box::new(destra)), posizione };
        }
        self.profondita -= 1;
        Ok(sinistra)
    }

    fn unario(&mut self) -> Result<Albero, ErroreSintassi> {
        match self.token {
            Token::Non => {
                let (_, inizio) = self.avanza()?;
                // `not` binds looser than comparisons: `not a = b` is `not (a = b)`.
                let operando = self.espressione(3)?;
                let posizione = inizio.start..operando.posizione.end;
                Ok(Albero { nodo: Nodo::Non(Box::new(operando)), posizione })
            }
            Token::Op(Operatore::Meno) => {
                let (_, inizio) = self.avanza()?;
                self.profondita += 1;
                if self.profondita > PROFONDITA_MASSIMA {
                    return errore("espressione troppo annidata", self.posizione.clone());
                }
                let operando = self.unario()?;
                self.profondita -= 1;
                let posizione = inizio.start..operando.posizione.end;
                Ok(Albero { nodo: Nodo::Negazione(Box::new(operando)), posizione })
            }
            _ => self.primario(),
        }
    }

    fn primario(&mut self) -> Result<Albero, ErroreSintassi> {
        let (token, posizione) = self.avanza()?;
        let nodo = match token {
            Token::Numero(n) => Nodo::Numero(n),
            Token::Testo(t) => Nodo::Testo(t),
            Token::Riferimento(r) => Nodo::Riferimento(r),
            Token::Punto => Nodo::Punto,
            Token::Nome(nome) if nome == "true" => Nodo::Booleano(true),
            Token::Nome(nome) if nome == "false" => Nodo::Booleano(false),
            Token::Nome(nome) => {
                if self.token != Token::Aperta {
                    return errore(
                        format!(
                            "«{nome}» non è una funzione seguita da «(» né un valore (i campi si scrivono ${{D11.B}})"
                        ),
                        posizione,
                    );
                }
                self.avanza()?;
                let mut argomenti = Vec::new();
                if self.token != Token::Chiusa {
                    loop {
                        argomenti.push(self.espressione(0)?);
                        match self.token {
                            Token::Virgola => {
                                self.avanza()?;
                            }
                            Token::Chiusa => break,
                            _ => return errore("attesa «,» o «)» tra gli argomenti", self.posizione.clone()),
                        }
                    }
                }
                let (_, chiusa) = self.avanza()?;
                return Ok(Albero { nodo: Nodo::Funzione(nome, argomenti), posizione: posizione.start..chiusa.end });
            }
            Token::Aperta => {
                let dentro = self.espressione(0)?;
                if self.token != Token::Chiusa {
                    return errore("manca la parentesi «)» di chiusura", self.posizione.clone());
                }
                let (_, chiusa) = self.avanza()?;
                return Ok(Albero { nodo: dentro.nodo, posizione: posizione.start..chiusa.end });
            }
            Token::Fine => return errore("l'espressione finisce dove serve un valore", posizione),
            Token::Op(op) => return errore(format!("«{}» dove serve un valore", op.simbolo()), posizione),
            Token::Chiusa | Token::Virgola => return errore("manca un valore prima di questo segno", posizione),
            Token::Non => return errore("«not» dove serve un valore", posizione),
        };
        Ok(Albero { nodo, posizione })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn testo_di(a: &Albero) -> String {
        match &a.nodo {
            Nodo::Numero(n) => n.to_string(),
            Nodo::Testo(t) => format!("'{t}'"),
            Nodo::Booleano(b) => b.to_string(),
            Nodo::Riferimento(r) => format!("{r:?}"),
            Nodo::Punto => ".".into(),
            Nodo::Negazione(x) => format!("(-{})", testo_di(x)),
            Nodo::Non(x) => format!("(not {})", testo_di(x)),
            Nodo::Binario(op, a, b) => format!("({} {} {})", testo_di(a), op.simbolo(), testo_di(b)),
            Nodo::Funzione(n, args) => format!("{n}({})", args.iter().map(testo_di).collect::<Vec<_>>().join(", ")),
        }
    }

    fn p(s: &str) -> String {
        testo_di(&analizza(s).unwrap())
    }

    #[test]
    fn precedence_follows_arithmetic_then_comparison_then_logic() {
        assert_eq!(p("1 + 2 * 3"), "(1 + (2 * 3))");
        assert_eq!(p("1 - 2 - 3"), "((1 - 2) - 3)");
        assert_eq!(p("8 / 4 / 2"), "((8 / 4) / 2)");
        assert_eq!(p("1 + 2 > 2 and true or false"), "((((1 + 2) > 2) and true) or false)");
        assert_eq!(p("not 1 = 2 and true"), "((not (1 = 2)) and true)");
        assert_eq!(p("-(1 + 2) * 3"), "((-(1 + 2)) * 3)");
        assert_eq!(p("a == 'x'".replace('a', "${A01}").as_str()), "(Campo(\"A01\") = 'x')");
        assert_eq!(p("1 <> 2"), "(1 != 2)");
    }

    #[test]
    fn references_and_ranges_are_read() {
        assert_eq!(p("${D11.B}"), "Campo(\"D11.B\")");
        assert_eq!(p("${ D11.A..O }"), "Colonne { rigo: \"D11\", da: \"A\", a: \"O\" }");
        assert_eq!(p("${D11..D20.B}"), "Righi { colonna: \"B\", da: \"D11\", a: \"D20\" }");
        assert_eq!(p("${A01..A09}"), "Campi { da: \"A01\", a: \"A09\" }");
        assert_eq!(p("sum(${Q2_01.A..H}, 1)"), "sum(Colonne { rigo: \"Q2_01\", da: \"A\", a: \"H\" }, 1)");
        assert_eq!(p("count_if(${B01.A..O}, .)"), "count_if(Colonne { rigo: \"B01\", da: \"A\", a: \"O\" }, .)");
        assert_eq!(p(".5 + 0.25"), "(0.5 + 0.25)");
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = analizza("1 +").unwrap_err();
        assert_eq!(e.posizione, 3..3);
        assert!(e.messaggio.contains("serve un valore"), "{e:?}");
        let e = analizza("${d11}").unwrap_err();
        assert_eq!(e.posizione, 0..6);
        assert!(analizza("1 < 2 < 3").unwrap_err().messaggio.contains("non si concatenano"));
        assert!(analizza("(1 + 2").unwrap_err().messaggio.contains("parentesi"));
        assert!(analizza("'abc").unwrap_err().messaggio.contains("virgoletta"));
        assert!(analizza("1 2").unwrap_err().messaggio.contains("testo in più"));
        assert!(analizza("").unwrap_err().messaggio.contains("vuota"));
        assert!(analizza("${D11.A..O.B}").is_err());
        assert!(analizza("${D11.A..D12.B}").is_err());
        assert!(analizza("1.2.3").is_err());
        assert!(analizza("foo").unwrap_err().messaggio.contains("non è una funzione"));
        assert!(analizza("é").is_err());
        assert!(analizza(&"(".repeat(200)).unwrap_err().messaggio.contains("annidata"));
        assert!(analizza(&"-".repeat(200)).unwrap_err().messaggio.contains("annidata"));
        assert!(analizza(&"not ".repeat(200)).is_err());
    }
}
