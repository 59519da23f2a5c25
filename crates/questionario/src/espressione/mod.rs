//! The expression language: parsed once when a definition is loaded (references resolved to field numbers, types
//! checked), evaluated many times against a slice of values. The semantics, blanks included, are documented in
//! `docs/questionari.md`; the tests below are that page's examples.

pub mod sintassi;

use std::fmt;
use std::ops::Range;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::valore::Valore;
use sintassi::{Albero, Nodo};
pub use sintassi::{ErroreSintassi, Operatore, Riferimento, analizza};

/// The static type of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipoEspr {
    Numero,
    Testo,
    Booleano,
    Data,
    /// Fields of a range, all of one type.
    Lista(Box<TipoEspr>),
}

impl fmt::Display for TipoEspr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TipoEspr::Numero => f.write_str("un numero"),
            TipoEspr::Testo => f.write_str("un testo"),
            TipoEspr::Booleano => f.write_str("un SI/NO (vero o falso)"),
            TipoEspr::Data => f.write_str("una data"),
            TipoEspr::Lista(t) => write!(f, "un elenco di campi ({t})"),
        }
    }
}

/// A compiled expression: references are field numbers, types were checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Espr {
    Costante(Valore),
    Campo(u32),
    /// `.` inside `count_if`.
    Elemento,
    /// A range of fields: only an argument of the functions that take lists.
    Lista(Vec<u32>),
    Negazione(Box<Espr>),
    Non(Box<Espr>),
    Aritmetica(Operatore, Box<Espr>, Box<Espr>),
    Confronto(Operatore, Box<Espr>, Box<Espr>),
    E(Box<Espr>, Box<Espr>),
    O(Box<Espr>, Box<Espr>),
    Se(Box<Espr>, Box<Espr>, Box<Espr>),
    Somma(Vec<Argomento>),
    Minimo(Vec<Argomento>),
    Massimo(Vec<Argomento>),
    Abs(Box<Espr>),
    Arrotonda(Box<Espr>, u32),
    Coalesce(Vec<Espr>),
    Vuoto(Box<Argomento>),
    ContaSe(Vec<u32>, Box<Espr>),
    Lunghezza(Box<Espr>),
}

/// An argument of a function that accepts lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Argomento {
    Uno(Espr),
    Lista(Vec<u32>),
}

/// What the compiler needs to know about the fields of the modulo.
pub trait Contesto {
    /// The number and type of the field at `indirizzo`.
    fn campo(&self, indirizzo: &str) -> Option<(u32, TipoEspr)>;
    /// The fields of a range, in order, or why the range is wrong.
    fn intervallo(&self, riferimento: &Riferimento) -> Result<Vec<u32>, String>;
    /// The type of field `id`.
    fn tipo(&self, id: u32) -> TipoEspr;
    /// What `.` means outside `count_if`: in a rule, its first field.
    fn punto(&self) -> Option<u32>;
}

/// A compile error: message and the bytes of the expression it concerns.
pub type ErroreEspr = ErroreSintassi;

fn errore<T>(messaggio: impl Into<String>, posizione: &Range<usize>) -> Result<T, ErroreEspr> {
    Err(ErroreSintassi { messaggio: messaggio.into(), posizione: posizione.clone() })
}

/// Parses and compiles `testo`, checking that its type is `atteso` (when given).
pub fn compila(
    testo: &str,
    contesto: &dyn Contesto,
    atteso: Option<&TipoEspr>,
) -> Result<(Espr, TipoEspr), ErroreEspr> {
    let albero = analizza(testo)?;
    let mut compilatore = Compilatore { contesto, elemento: None };
    let (espr, tipo) = compilatore.compila(&albero)?;
    if let Some(atteso) = atteso
        && &tipo != atteso
    {
        return errore(format!("l'espressione dà {tipo}, qui serve {atteso}"), &albero.posizione);
    }
    Ok((espr, tipo))
}

struct Compilatore<'a> {
    contesto: &'a dyn Contesto,
    /// The element type of the innermost `count_if`, if any.
    elemento: Option<TipoEspr>,
}

impl Compilatore<'_> {
    fn compila(&mut self, albero: &Albero) -> Result<(Espr, TipoEspr), ErroreEspr> {
        let pos = &albero.posizione;
        Ok(match &albero.nodo {
            Nodo::Numero(n) => (Espr::Costante(Valore::Numero(*n)), TipoEspr::Numero),
            Nodo::Testo(t) => (Espr::Costante(Valore::Testo(t.as_str().into())), TipoEspr::Testo),
            Nodo::Booleano(b) => (Espr::Costante(Valore::Booleano(*b)), TipoEspr::Booleano),
            Nodo::Punto => match (&self.elemento, self.contesto.punto()) {
                (Some(tipo), _) => (Espr::Elemento, tipo.clone()),
                (None, Some(id)) => (Espr::Campo(id), self.contesto.tipo(id)),
                (None, None) => {
                    return errore(
                        "«.» vale solo in una regola (il suo primo campo) o dentro count_if (l'elemento)",
                        pos,
                    );
                }
            },
            Nodo::Riferimento(Riferimento::Campo(indirizzo)) => match self.contesto.campo(indirizzo) {
                Some((id, tipo)) => (Espr::Campo(id), tipo),
                None => return errore(format!("il campo {indirizzo} non esiste in questo modulo"), pos),
            },
            Nodo::Riferimento(r) => {
                let ids = match self.contesto.intervallo(r) {
                    Ok(ids) => ids,
                    Err(messaggio) => return errore(messaggio, pos),
                };
                let Some(primo) = ids.first() else { return errore("intervallo vuoto", pos) };
                let tipo = self.contesto.tipo(*primo);
                if let Some(altro) = ids.iter().find(|id| self.contesto.tipo(**id) != tipo) {
                    return errore(
                        format!("l'intervallo mescola tipi diversi ({tipo} e {})", self.contesto.tipo(*altro)),
                        pos,
                    );
                }
                (Espr::Lista(ids), TipoEspr::Lista(Box::new(tipo)))
            }
            Nodo::Negazione(x) => {
                let x = self.numero(x, "il segno meno")?;
                (Espr::Negazione(Box::new(x)), TipoEspr::Numero)
            }
            Nodo::Non(x) => {
                let x = self.booleano(x, "«not»")?;
                (Espr::Non(Box::new(x)), TipoEspr::Booleano)
            }
            Nodo::Binario(op, a, b) => self.binario(*op, a, b, pos)?,
            Nodo::Funzione(nome, argomenti) => self.funzione(nome, argomenti, pos)?,
        })
    }

    fn scalare(&mut self, albero: &Albero) -> Result<(Espr, TipoEspr), ErroreEspr> {
        let (espr, tipo) = self.compila(albero)?;
        if let (Espr::Lista(_), _) | (_, TipoEspr::Lista(_)) = (&espr, &tipo) {
            return errore(
                "un intervallo di campi va dentro sum, min, max, empty o count_if, non usato come valore singolo",
                &albero.posizione,
            );
        }
        Ok((espr, tipo))
    }

    fn numero(&mut self, albero: &Albero, dove: &str) -> Result<Espr, ErroreEspr> {
        let (espr, tipo) = self.scalare(albero)?;
        if tipo != TipoEspr::Numero {
            return errore(format!("{dove} vuole un numero, qui c'è {tipo}"), &albero.posizione);
        }
        Ok(espr)
    }

    fn booleano(&mut self, albero: &Albero, dove: &str) -> Result<Espr, ErroreEspr> {
        let (espr, tipo) = self.scalare(albero)?;
        if tipo != TipoEspr::Booleano {
            return errore(format!("{dove} vuole un SI/NO (una condizione), qui c'è {tipo}"), &albero.posizione);
        }
        Ok(espr)
    }

    fn binario(
        &mut self,
        op: Operatore,
        a: &Albero,
        b: &Albero,
        pos: &Range<usize>,
    ) -> Result<(Espr, TipoEspr), ErroreEspr> {
        let (ea, ta) = self.scalare(a)?;
        let (eb, tb) = self.scalare(b)?;
        let (x, y) = (Box::new(ea), Box::new(eb));
        match op {
            Operatore::Piu | Operatore::Meno | Operatore::Per | Operatore::Diviso => {
                if ta != TipoEspr::Numero || tb != TipoEspr::Numero {
                    return errore(format!("«{}» vale tra numeri: qui ci sono {ta} e {tb}", op.simbolo()), pos);
                }
                Ok((Espr::Aritmetica(op, x, y), TipoEspr::Numero))
            }
            Operatore::E | Operatore::O => {
                if ta != TipoEspr::Booleano || tb != TipoEspr::Booleano {
                    return errore(
                        format!("«{}» vale tra condizioni (SI/NO): qui ci sono {ta} e {tb}", op.simbolo()),
                        pos,
                    );
                }
                Ok((if op == Operatore::E { Espr::E(x, y) } else { Espr::O(x, y) }, TipoEspr::Booleano))
            }
            _ => {
                if ta != tb {
                    return errore(format!("non si confronta {ta} con {tb}"), pos);
                }
                let ordinato = matches!(op, Operatore::Uguale | Operatore::Diverso)
                    || matches!(ta, TipoEspr::Numero | TipoEspr::Data | TipoEspr::Testo);
                if !ordinato {
                    return errore(format!("«{}» non vale per {ta}: usare = o !=", op.simbolo()), pos);
                }
                Ok((Espr::Confronto(op, x, y), TipoEspr::Booleano))
            }
        }
    }

    fn argomenti_numerici(&mut self, nome: &str, argomenti: &[Albero]) -> Result<Vec<Argomento>, ErroreEspr> {
        let mut out = Vec::with_capacity(argomenti.len());
        for a in argomenti {
            let (espr, tipo) = self.compila(a)?;
            match (espr, tipo) {
                (Espr::Lista(ids), TipoEspr::Lista(t)) if *t == TipoEspr::Numero => out.push(Argomento::Lista(ids)),
                (espr, TipoEspr::Numero) => out.push(Argomento::Uno(espr)),
                (_, tipo) => return errore(format!("{nome} somma numeri, qui c'è {tipo}"), &a.posizione),
            }
        }
        Ok(out)
    }

    fn funzione(
        &mut self,
        nome: &str,
        argomenti: &[Albero],
        pos: &Range<usize>,
    ) -> Result<(Espr, TipoEspr), ErroreEspr> {
        let conta = |n: usize, come: &str| -> Result<(), ErroreEspr> {
            if argomenti.len() == n { Ok(()) } else { errore(format!("{nome} vuole {n} argomenti: {come}"), pos) }
        };
        let almeno_uno = || -> Result<(), ErroreEspr> {
            if argomenti.is_empty() { errore(format!("{nome} vuole almeno un argomento"), pos) } else { Ok(()) }
        };
        Ok(match nome {
            "if" => {
                conta(3, "if(condizione, se vera, se falsa)")?;
                let c = self.booleano(&argomenti[0], "la condizione di if")?;
                let (a, ta) = self.scalare(&argomenti[1])?;
                let (b, tb) = self.scalare(&argomenti[2])?;
                if ta != tb {
                    return errore(format!("i due rami di if danno {ta} e {tb}: devono dare lo stesso tipo"), pos);
                }
                (Espr::Se(Box::new(c), Box::new(a), Box::new(b)), ta)
            }
            "sum" | "min" | "max" => {
                almeno_uno()?;
                let args = self.argomenti_numerici(nome, argomenti)?;
                let espr = match nome {
                    "sum" => Espr::Somma(args),
                    "min" => Espr::Minimo(args),
                    _ => Espr::Massimo(args),
                };
                (espr, TipoEspr::Numero)
            }
            "abs" => {
                conta(1, "abs(numero)")?;
                (Espr::Abs(Box::new(self.numero(&argomenti[0], "abs")?)), TipoEspr::Numero)
            }
            "round" => {
                conta(2, "round(numero, decimali)")?;
                let x = self.numero(&argomenti[0], "round")?;
                let decimali = match &argomenti[1].nodo {
                    Nodo::Numero(n) if n.fract().is_zero() && *n >= Decimal::ZERO && *n <= Decimal::from(10) => {
                        u32::try_from(n.mantissa() / 10i128.pow(n.scale())).unwrap_or(0)
                    }
                    _ => return errore("i decimali di round sono un numero intero da 0 a 10", &argomenti[1].posizione),
                };
                (Espr::Arrotonda(Box::new(x), decimali), TipoEspr::Numero)
            }
            "coalesce" => {
                almeno_uno()?;
                let mut out = Vec::new();
                let mut tipo = None;
                for a in argomenti {
                    let (e, t) = self.scalare(a)?;
                    if let Some(primo) = &tipo
                        && primo != &t
                    {
                        return errore(format!("coalesce mescola {primo} e {t}"), &a.posizione);
                    }
                    tipo = Some(t);
                    out.push(e);
                }
                (Espr::Coalesce(out), tipo.unwrap_or(TipoEspr::Numero))
            }
            "empty" => {
                conta(1, "empty(campo)")?;
                let arg = match self.compila(&argomenti[0])? {
                    (Espr::Lista(ids), _) => Argomento::Lista(ids),
                    (e, _) => Argomento::Uno(e),
                };
                (Espr::Vuoto(Box::new(arg)), TipoEspr::Booleano)
            }
            "count_if" => {
                conta(2, "count_if(intervallo, condizione su «.»)")?;
                let (lista, tipo) = self.compila(&argomenti[0])?;
                let (Espr::Lista(ids), TipoEspr::Lista(elemento)) = (lista, tipo) else {
                    return errore(
                        "il primo argomento di count_if è un intervallo: ${B01.A..O}",
                        &argomenti[0].posizione,
                    );
                };
                let esterno = self.elemento.replace(*elemento);
                let condizione = self.booleano(&argomenti[1], "la condizione di count_if");
                self.elemento = esterno;
                (Espr::ContaSe(ids, Box::new(condizione?)), TipoEspr::Numero)
            }
            "len" => {
                conta(1, "len(testo)")?;
                let (x, t) = self.scalare(&argomenti[0])?;
                if t != TipoEspr::Testo {
                    return errore(format!("len conta i caratteri di un testo, qui c'è {t}"), &argomenti[0].posizione);
                }
                (Espr::Lunghezza(Box::new(x)), TipoEspr::Numero)
            }
            _ => {
                return errore(
                    format!(
                        "funzione «{nome}» sconosciuta; ci sono: if, sum, min, max, abs, round, coalesce, empty, \
                         count_if, len"
                    ),
                    pos,
                );
            }
        })
    }
}

impl Espr {
    /// The fields this expression reads, appended to `out` (with repeats).
    pub fn dipendenze(&self, out: &mut Vec<u32>) {
        match self {
            Espr::Costante(_) | Espr::Elemento => {}
            Espr::Campo(id) => out.push(*id),
            Espr::Lista(ids) => out.extend(ids),
            Espr::Negazione(x) | Espr::Non(x) | Espr::Abs(x) | Espr::Arrotonda(x, _) | Espr::Lunghezza(x) => {
                x.dipendenze(out)
            }
            Espr::Aritmetica(_, a, b) | Espr::Confronto(_, a, b) | Espr::E(a, b) | Espr::O(a, b) => {
                a.dipendenze(out);
                b.dipendenze(out);
            }
            Espr::Se(c, a, b) => {
                c.dipendenze(out);
                a.dipendenze(out);
                b.dipendenze(out);
            }
            Espr::Somma(args) | Espr::Minimo(args) | Espr::Massimo(args) => {
                for a in args {
                    a.dipendenze(out);
                }
            }
            Espr::Coalesce(xs) => xs.iter().for_each(|x| x.dipendenze(out)),
            Espr::Vuoto(a) => a.dipendenze(out),
            Espr::ContaSe(ids, c) => {
                out.extend(ids);
                c.dipendenze(out);
            }
        }
    }

    /// Evaluates against the values of the modulo's fields (`valori[id]`).
    pub fn valuta(&self, valori: &[Valore]) -> Valore {
        self.valuta_con(valori, &Valore::Vuoto)
    }

    fn valuta_con(&self, v: &[Valore], elemento: &Valore) -> Valore {
        match self {
            Espr::Costante(c) => c.clone(),
            Espr::Campo(id) => v.get(*id as usize).cloned().unwrap_or_default(),
            Espr::Elemento => elemento.clone(),
            Espr::Lista(_) => Valore::Vuoto,
            Espr::Negazione(x) => match x.valuta_con(v, elemento) {
                Valore::Numero(n) => Valore::Numero(-n),
                _ => Valore::Vuoto,
            },
            Espr::Non(x) => match x.valuta_con(v, elemento) {
                Valore::Booleano(b) => Valore::Booleano(!b),
                _ => Valore::Vuoto,
            },
            Espr::Aritmetica(op, a, b) => {
                let (Valore::Numero(a), Valore::Numero(b)) = (a.valuta_con(v, elemento), b.valuta_con(v, elemento))
                else {
                    return Valore::Vuoto;
                };
                let r = match op {
                    Operatore::Piu => a.checked_add(b),
                    Operatore::Meno => a.checked_sub(b),
                    Operatore::Per => a.checked_mul(b),
                    _ => a.checked_div(b),
                };
                r.map_or(Valore::Vuoto, Valore::Numero)
            }
            Espr::Confronto(op, a, b) => confronta(*op, &a.valuta_con(v, elemento), &b.valuta_con(v, elemento)),
            Espr::E(a, b) => match a.valuta_con(v, elemento) {
                Valore::Booleano(false) => Valore::Booleano(false),
                x => match (x, b.valuta_con(v, elemento)) {
                    (_, Valore::Booleano(false)) => Valore::Booleano(false),
                    (Valore::Booleano(true), Valore::Booleano(true)) => Valore::Booleano(true),
                    _ => Valore::Vuoto,
                },
            },
            Espr::O(a, b) => match a.valuta_con(v, elemento) {
                Valore::Booleano(true) => Valore::Booleano(true),
                x => match (x, b.valuta_con(v, elemento)) {
                    (_, Valore::Booleano(true)) => Valore::Booleano(true),
                    (Valore::Booleano(false), Valore::Booleano(false)) => Valore::Booleano(false),
                    _ => Valore::Vuoto,
                },
            },
            Espr::Se(c, a, b) => match c.valuta_con(v, elemento) {
                Valore::Booleano(true) => a.valuta_con(v, elemento),
                Valore::Booleano(false) => b.valuta_con(v, elemento),
                _ => Valore::Vuoto,
            },
            Espr::Somma(args) => {
                let mut somma: Option<Decimal> = None;
                let mut traboccato = false;
                per_ogni_numero(args, v, elemento, |n| match somma.unwrap_or(Decimal::ZERO).checked_add(n) {
                    Some(s) => somma = Some(s),
                    None => traboccato = true,
                });
                if traboccato { Valore::Vuoto } else { somma.map_or(Valore::Vuoto, Valore::Numero) }
            }
            Espr::Minimo(args) | Espr::Massimo(args) => {
                let minimo = matches!(self, Espr::Minimo(_));
                let mut scelto: Option<Decimal> = None;
                per_ogni_numero(args, v, elemento, |n| {
                    scelto = Some(match scelto {
                        None => n,
                        Some(s) if minimo => s.min(n),
                        Some(s) => s.max(n),
                    })
                });
                scelto.map_or(Valore::Vuoto, Valore::Numero)
            }
            Espr::Abs(x) => match x.valuta_con(v, elemento) {
                Valore::Numero(n) => Valore::Numero(n.abs()),
                _ => Valore::Vuoto,
            },
            Espr::Arrotonda(x, d) => match x.valuta_con(v, elemento) {
                Valore::Numero(n) => {
                    Valore::Numero(n.round_dp_with_strategy(*d, RoundingStrategy::MidpointAwayFromZero))
                }
                _ => Valore::Vuoto,
            },
            Espr::Coalesce(xs) => xs.iter().map(|x| x.valuta_con(v, elemento)).find(|x| !x.vuoto()).unwrap_or_default(),
            Espr::Vuoto(arg) => match arg.as_ref() {
                Argomento::Uno(x) => Valore::Booleano(vuoto(&x.valuta_con(v, elemento))),
                Argomento::Lista(ids) => Valore::Booleano(ids.iter().all(|id| v.get(*id as usize).is_none_or(vuoto))),
            },
            Espr::ContaSe(ids, c) => {
                let n = ids
                    .iter()
                    .filter(|id| {
                        let x = v.get(**id as usize).cloned().unwrap_or_default();
                        !x.vuoto() && c.valuta_con(v, &x) == Valore::Booleano(true)
                    })
                    .count();
                Valore::Numero(Decimal::from(n))
            }
            Espr::Lunghezza(x) => match x.valuta_con(v, elemento) {
                Valore::Testo(t) => Valore::Numero(Decimal::from(t.chars().count())),
                _ => Valore::Vuoto,
            },
        }
    }
}

/// Blank, or a text with nothing in it.
fn vuoto(x: &Valore) -> bool {
    match x {
        Valore::Vuoto => true,
        Valore::Testo(t) => t.trim().is_empty(),
        _ => false,
    }
}

fn per_ogni_numero(args: &[Argomento], v: &[Valore], elemento: &Valore, mut f: impl FnMut(Decimal)) {
    for a in args {
        match a {
            Argomento::Uno(x) => {
                if let Valore::Numero(n) = x.valuta_con(v, elemento) {
                    f(n)
                }
            }
            Argomento::Lista(ids) => {
                for id in ids {
                    if let Some(Valore::Numero(n)) = v.get(*id as usize) {
                        f(*n)
                    }
                }
            }
        }
    }
}

fn confronta(op: Operatore, a: &Valore, b: &Valore) -> Valore {
    use std::cmp::Ordering;
    let ordine: Option<Ordering> = match (a, b) {
        (Valore::Numero(a), Valore::Numero(b)) => Some(a.cmp(b)),
        (Valore::Testo(a), Valore::Testo(b)) => Some(a.cmp(b)),
        (Valore::Data(a), Valore::Data(b)) => Some(a.cmp(b)),
        (Valore::Booleano(a), Valore::Booleano(b)) => Some(a.cmp(b)),
        _ => None,
    };
    let Some(o) = ordine else { return Valore::Vuoto };
    Valore::Booleano(match op {
        Operatore::Uguale => o == Ordering::Equal,
        Operatore::Diverso => o != Ordering::Equal,
        Operatore::Minore => o == Ordering::Less,
        Operatore::MinoreUguale => o != Ordering::Greater,
        Operatore::Maggiore => o == Ordering::Greater,
        _ => o != Ordering::Less,
    })
}

impl Argomento {
    fn dipendenze(&self, out: &mut Vec<u32>) {
        match self {
            Argomento::Uno(x) => x.dipendenze(out),
            Argomento::Lista(ids) => out.extend(ids),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::valore::Data;

    /// Fields: X01..X03 numbers (also the range X01..X03 and R01.A..C), T01 text, S01 boolean, G01 date.
    struct Campi;

    const NOMI: [(&str, TipoEspr); 9] = [
        ("X01", TipoEspr::Numero),
        ("X02", TipoEspr::Numero),
        ("X03", TipoEspr::Numero),
        ("T01", TipoEspr::Testo),
        ("S01", TipoEspr::Booleano),
        ("G01", TipoEspr::Data),
        ("R01.A", TipoEspr::Numero),
        ("R01.B", TipoEspr::Numero),
        ("R01.C", TipoEspr::Numero),
    ];

    impl Contesto for Campi {
        fn campo(&self, indirizzo: &str) -> Option<(u32, TipoEspr)> {
            NOMI.iter().position(|(n, _)| *n == indirizzo).map(|i| (i as u32, NOMI[i].1.clone()))
        }
        fn intervallo(&self, r: &Riferimento) -> Result<Vec<u32>, String> {
            match r {
                Riferimento::Campi { da, a } if da == "X01" && a == "X03" => Ok(vec![0, 1, 2]),
                Riferimento::Colonne { rigo, da, a } if rigo == "R01" && da == "A" && a == "C" => Ok(vec![6, 7, 8]),
                _ => Err("intervallo sconosciuto".into()),
            }
        }
        fn tipo(&self, id: u32) -> TipoEspr {
            NOMI[id as usize].1.clone()
        }
        fn punto(&self) -> Option<u32> {
            Some(0)
        }
    }

    fn n(s: &str) -> Valore {
        Valore::Numero(s.parse().unwrap())
    }

    /// Evaluates `testo` with X01..X03 = `x`, T01 = 'abc', S01 = true, G01 = 2023-12-31, R01.A..C = `r`.
    fn con(testo: &str, x: [Option<&str>; 3], r: [Option<&str>; 3]) -> Valore {
        let (espr, _) = compila(testo, &Campi, None).unwrap_or_else(|e| panic!("{testo}: {e:?}"));
        let num = |v: Option<&str>| v.map_or(Valore::Vuoto, n);
        let valori = vec![
            num(x[0]),
            num(x[1]),
            num(x[2]),
            Valore::Testo("abc".into()),
            Valore::Booleano(true),
            Valore::Data(Data::new(2023, 12, 31).unwrap()),
            num(r[0]),
            num(r[1]),
            num(r[2]),
        ];
        espr.valuta(&valori)
    }

    fn v(testo: &str) -> Valore {
        con(testo, [Some("2"), None, Some("0")], [Some("1.5"), None, Some("2.25")])
    }

    fn errore_di(testo: &str) -> String {
        compila(testo, &Campi, None).unwrap_err().messaggio
    }

    #[test]
    fn decimal_arithmetic_is_exact() {
        assert_eq!(v("0.1 + 0.2"), n("0.3"));
        assert_eq!(v("0.1 + 0.2 = 0.3"), Valore::Booleano(true));
        assert_eq!(v("1 / 3 * 3 = 1"), Valore::Booleano(false), "1/3 is a 28-digit decimal, not a float");
        assert_eq!(v("round(1 / 3 * 3, 2)"), n("1"));
        assert_eq!(v("1234567.89 * 100"), n("123456789"));
        assert_eq!(v("7 - 10"), n("-3"));
        assert_eq!(v("-${X01} * 3"), n("-6"));
        assert_eq!(v("10 / 4"), n("2.5"));
    }

    #[test]
    fn each_operator_and_comparison() {
        assert_eq!(v("${X01} + 1"), n("3"));
        assert_eq!(v("${X01} - 1"), n("1"));
        assert_eq!(v("${X01} * 1.5"), n("3"));
        assert_eq!(v("${X01} / 8"), n("0.25"));
        for (testo, atteso) in [
            ("2 = 2.00", true),
            ("2 == 3", false),
            ("2 != 3", true),
            ("2 <> 2", false),
            ("2 < 3", true),
            ("3 <= 3", true),
            ("4 > 3", true),
            ("3 >= 4", false),
            ("'abc' = ${T01}", true),
            ("'abd' > ${T01}", true),
            ("${S01} = true", true),
            ("${S01} != true", false),
            ("true and false", false),
            ("true or false", true),
            ("not false", true),
            ("not 1 = 2 and true", true),
        ] {
            assert_eq!(v(testo), Valore::Booleano(atteso), "{testo}");
        }
    }

    #[test]
    fn functions() {
        assert_eq!(v("if(${X01} > 1, 10, 20)"), n("10"));
        assert_eq!(v("if(${X01} > 5, 10, 20)"), n("20"));
        assert_eq!(v("sum(${X01..X03})"), n("2"));
        assert_eq!(v("sum(${R01.A..C}, 1)"), n("4.75"));
        assert_eq!(v("min(${R01.A..C}, 3)"), n("1.5"));
        assert_eq!(v("max(${R01.A..C}, 1)"), n("2.25"));
        assert_eq!(v("abs(-4.5)"), n("4.5"));
        assert_eq!(v("round(0.125, 2)"), n("0.13"));
        assert_eq!(v("round(-0.125, 2)"), n("-0.13"));
        assert_eq!(v("round(2.5, 0)"), n("3"));
        assert_eq!(v("round(0.124, 2)"), n("0.12"));
        assert_eq!(v("coalesce(${X02}, ${X03}, 7)"), n("0"));
        assert_eq!(v("coalesce(${X02}, 7)"), n("7"));
        assert_eq!(v("empty(${X02})"), Valore::Booleano(true));
        assert_eq!(v("empty(${X03})"), Valore::Booleano(false), "zero is not blank");
        assert_eq!(v("empty(${R01.A..C})"), Valore::Booleano(false));
        assert_eq!(v("count_if(${R01.A..C}, . > 2)"), n("1"));
        assert_eq!(v("count_if(${R01.A..C}, . > 0)"), n("2"), "blanks are not counted");
        assert_eq!(v("count_if(${X01..X03}, . >= ${X03})"), n("2"));
        assert_eq!(v("len(${T01})"), n("3"));
        assert_eq!(v("${G01} > ${G01}"), Valore::Booleano(false));
        assert_eq!(v(". * 2"), n("4"), "in a rule, . is its first field");
    }

    #[test]
    fn blanks_follow_the_documented_rules() {
        let vuoto = Valore::Vuoto;
        assert_eq!(v("${X02} + 5"), vuoto);
        assert_eq!(v("${X02} * 0"), vuoto);
        assert_eq!(v("5 - ${X02}"), vuoto);
        assert_eq!(v("5 / 0"), vuoto, "division by zero is blank");
        assert_eq!(v("5 / ${X03}"), vuoto);
        assert_eq!(v("5 / ${X02}"), vuoto);
        assert_eq!(v("${X02} > 3"), vuoto);
        assert_eq!(v("${X02} = ${X02}"), vuoto);
        assert_eq!(v("false and ${X02} > 1"), Valore::Booleano(false));
        assert_eq!(v("${X02} > 1 and false"), Valore::Booleano(false));
        assert_eq!(v("true and ${X02} > 1"), vuoto);
        assert_eq!(v("true or ${X02} > 1"), Valore::Booleano(true));
        assert_eq!(v("${X02} > 1 or true"), Valore::Booleano(true));
        assert_eq!(v("false or ${X02} > 1"), vuoto);
        assert_eq!(v("not (${X02} > 1)"), vuoto);
        assert_eq!(v("if(${X02} > 1, 1, 2)"), vuoto);
        assert_eq!(v("sum(3, ${X02}, 4)"), n("7"));
        assert_eq!(v("sum(${X02}, ${X02})"), vuoto);
        assert_eq!(con("sum(${X01..X03})", [None, None, None], [None, None, None]), vuoto);
        assert_eq!(con("min(${X01..X03})", [None, None, None], [None, None, None]), vuoto);
        assert_eq!(con("count_if(${X01..X03}, . > 0)", [None, None, None], [None, None, None]), n("0"));
        assert_eq!(con("empty(${X01..X03})", [None, None, None], [None, None, None]), Valore::Booleano(true));
        assert_eq!(v("coalesce(${X02}, 0) + 5"), n("5"));
        assert_eq!(v("abs(${X02})"), vuoto);
        assert_eq!(v("round(${X02}, 2)"), vuoto);
        assert_eq!(v("-${X02}"), vuoto);
        let enorme = "99999999999999999999999999 * 99999999999999999999999999";
        assert_eq!(v(enorme), vuoto, "overflow is blank, not a wrong number");
    }

    #[test]
    fn type_errors_are_refused_with_their_position() {
        assert!(errore_di("${X01} + 'SI'").contains("tra numeri"));
        assert!(errore_di("${G01} + ${X01}").contains("una data"));
        assert!(errore_di("if(${X01}, 1, 2)").contains("condizione"));
        assert!(errore_di("if(${S01}, 1, 'a')").contains("stesso tipo"));
        assert!(errore_di("sum(${T01})").contains("numeri"));
        assert!(errore_di("${X01} and true").contains("condizioni"));
        assert!(errore_di("${X01} = 'a'").contains("non si confronta"));
        assert!(errore_di("${S01} < true").contains("non vale per"));
        assert!(errore_di("${R01.A..C} + 1").contains("intervallo"));
        assert!(errore_di("${ZZ9}").contains("non esiste"));
        assert!(errore_di("${X01..X09}").contains("sconosciuto"));
        assert!(errore_di("round(1, ${X01})").contains("decimali"));
        assert!(errore_di("sum()").contains("almeno"));
        assert!(errore_di("abs(1, 2)").contains("1 argomenti"));
        assert!(errore_di("count_if(${X01}, . > 1)").contains("intervallo"));
        assert!(errore_di("len(${X01})").contains("testo"));
        assert!(errore_di("media(1)").contains("sconosciuta"));
        assert!(errore_di("coalesce(1, 'a')").contains("mescola"));
        let e = compila("1 + ${X01} * 'a'", &Campi, None).unwrap_err();
        assert_eq!(e.posizione, 4..16, "the position is the offending sub-expression");
        let e = compila("${X01} + 1", &Campi, Some(&TipoEspr::Booleano)).unwrap_err();
        assert!(e.messaggio.contains("qui serve un SI/NO"), "{e:?}");
    }
}
