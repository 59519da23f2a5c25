//! Evaluating answers: reading each value for its field's type, computing relevance and calculated fields in
//! dependency order, checking rules, and the report. After a full evaluation, [`Valutazione::imposta`] re-checks
//! only what depends on the changed field.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::modello::{Gravita, IdCampo, Modulo, Parte, Tipo};
use crate::valore::{Data, Lingua, Testo, Valore};

/// Why an answer was refused for its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErroreValore {
    /// Not a number.
    NonNumero,
    /// A count with decimals.
    NonIntero,
    /// More digits after the separator than the field allows.
    Decimali(u32),
    /// Written with thousands separators.
    Migliaia,
    /// Below the minimum.
    Minimo(Decimal),
    /// Above the maximum.
    Massimo(Decimal),
    /// Not SI or NO.
    SiNo,
    /// Not one of the options (their codes).
    Opzione(Vec<String>),
    /// Longer than allowed.
    Lunghezza(u32),
    /// Not a date that exists.
    Data,
    /// A calculated field was given a value.
    Calcolato,
    /// A list or an object where a value is expected.
    Forma,
    /// The address is not a field of the modulo.
    Sconosciuto,
    /// Relevant, required and blank.
    Obbligatorio,
}

impl ErroreValore {
    /// What to tell the compiler, in `lingua`.
    pub fn messaggio(&self, lingua: Lingua) -> String {
        let it = lingua == Lingua::It;
        match self {
            ErroreValore::NonNumero if it => {
                "Non è un numero: scrivere solo cifre, con la virgola per i decimali.".into()
            }
            ErroreValore::NonNumero => "Not a number: write digits only, with a decimal separator if needed.".into(),
            ErroreValore::NonIntero if it => "Scrivere un numero intero, senza decimali.".into(),
            ErroreValore::NonIntero => "Write a whole number, without decimals.".into(),
            ErroreValore::Decimali(d) if it => format!("Al massimo {d} cifre dopo la virgola."),
            ErroreValore::Decimali(d) => format!("At most {d} digits after the decimal separator."),
            ErroreValore::Migliaia if it => {
                "Scrivere il numero senza separatori delle migliaia (1234,56 e non 1.234,56).".into()
            }
            ErroreValore::Migliaia => "Write the number without thousands separators (1234.56, not 1,234.56).".into(),
            ErroreValore::Minimo(m) if it => format!("Il valore minimo è {}.", Valore::Numero(*m).mostra(lingua, None)),
            ErroreValore::Minimo(m) => format!("The minimum is {}.", Valore::Numero(*m).mostra(lingua, None)),
            ErroreValore::Massimo(m) if it => {
                format!("Il valore massimo è {}.", Valore::Numero(*m).mostra(lingua, None))
            }
            ErroreValore::Massimo(m) => format!("The maximum is {}.", Valore::Numero(*m).mostra(lingua, None)),
            ErroreValore::SiNo if it => "Rispondere SI o NO.".into(),
            ErroreValore::SiNo => "Answer YES or NO (SI or NO).".into(),
            ErroreValore::Opzione(codici) if it => format!("Scegliere una delle opzioni: {}.", codici.join(", ")),
            ErroreValore::Opzione(codici) => format!("Choose one of the options: {}.", codici.join(", ")),
            ErroreValore::Lunghezza(n) if it => format!("Al massimo {n} caratteri."),
            ErroreValore::Lunghezza(n) => format!("At most {n} characters."),
            ErroreValore::Data if it => "Non è una data esistente: scrivere GG/MM/AAAA (es. 31/12/2023).".into(),
            ErroreValore::Data => "Not a date that exists: write YYYY-MM-DD (e.g. 2023-12-31).".into(),
            ErroreValore::Calcolato if it => "Campo calcolato dal sistema: non si compila.".into(),
            ErroreValore::Calcolato => "Calculated by the system: it cannot be filled in.".into(),
            ErroreValore::Forma if it => "Valore non valido per questo campo.".into(),
            ErroreValore::Forma => "Not a valid value for this field.".into(),
            ErroreValore::Sconosciuto if it => "Campo inesistente in questo modulo.".into(),
            ErroreValore::Sconosciuto => "No such field in this modulo.".into(),
            ErroreValore::Obbligatorio if it => "Campo obbligatorio.".into(),
            ErroreValore::Obbligatorio => "Required field.".into(),
        }
    }

    fn testo(&self) -> Testo {
        Testo { it: self.messaggio(Lingua::It), en: self.messaggio(Lingua::En) }
    }
}

impl Modulo {
    /// Reads an answer typed by a person (web form, spreadsheet cell) for field `id`.
    pub fn interpreta_testo(&self, id: IdCampo, testo: &str) -> Result<Valore, ErroreValore> {
        let campo = self.campo(id).ok_or(ErroreValore::Sconosciuto)?;
        if campo.calcolo.is_some() {
            return Err(ErroreValore::Calcolato);
        }
        let testo = testo.trim();
        if testo.is_empty() {
            return Ok(Valore::Vuoto);
        }
        match &campo.tipo {
            Tipo::Intero | Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale => {
                let n = leggi_numero(testo, campo.tipo.decimali().unwrap_or(0))?;
                let (min, max) = match campo.tipo {
                    Tipo::Percentuale => (campo.min.or(Some(Decimal::ZERO)), campo.max.or(Some(Decimal::ONE_HUNDRED))),
                    _ => (campo.min, campo.max),
                };
                if let Some(m) = min.filter(|m| n < *m) {
                    return Err(ErroreValore::Minimo(m));
                }
                if let Some(m) = max.filter(|m| n > *m) {
                    return Err(ErroreValore::Massimo(m));
                }
                Ok(Valore::Numero(n))
            }
            Tipo::SiNo => match testo.to_ascii_uppercase().as_str() {
                "SI" | "SÌ" | "S" | "YES" | "TRUE" | "1" => Ok(Valore::Booleano(true)),
                "NO" | "N" | "FALSE" | "0" => Ok(Valore::Booleano(false)),
                _ if testo.eq_ignore_ascii_case("sì") => Ok(Valore::Booleano(true)),
                _ => Err(ErroreValore::SiNo),
            },
            Tipo::Scelta(opzioni) => match opzioni.iter().find(|o| o.codice == testo) {
                Some(o) => Ok(Valore::Testo(o.codice.as_str().into())),
                None => Err(ErroreValore::Opzione(opzioni.iter().map(|o| o.codice.clone()).collect())),
            },
            Tipo::Testo(max) => {
                if testo.chars().count() > *max as usize {
                    return Err(ErroreValore::Lunghezza(*max));
                }
                Ok(Valore::Testo(testo.into()))
            }
            Tipo::Data => Data::leggi(testo).map(Valore::Data).ok_or(ErroreValore::Data),
        }
    }

    /// Reads an answer from JSON for field `id`: numbers, strings, booleans, `null` for blank.
    pub fn interpreta_json(&self, id: IdCampo, valore: &serde_json::Value) -> Result<Valore, ErroreValore> {
        let campo = self.campo(id).ok_or(ErroreValore::Sconosciuto)?;
        match valore {
            serde_json::Value::Null => {
                if campo.calcolo.is_some() {
                    Err(ErroreValore::Calcolato)
                } else {
                    Ok(Valore::Vuoto)
                }
            }
            serde_json::Value::Bool(b) => match campo.tipo {
                Tipo::SiNo => self.interpreta_testo(id, if *b { "SI" } else { "NO" }),
                _ => Err(ErroreValore::Forma),
            },
            // Without serde_json's arbitrary precision a JSON number is an f64; its shortest decimal text is what
            // the file said for any amount with up to 15 significant digits. Strings carry any precision.
            serde_json::Value::Number(n) => match campo.tipo {
                Tipo::SiNo => match n.as_u64() {
                    Some(0) => self.interpreta_testo(id, "NO"),
                    Some(1) => self.interpreta_testo(id, "SI"),
                    _ => Err(ErroreValore::SiNo),
                },
                _ => self.interpreta_testo(id, &n.to_string()),
            },
            serde_json::Value::String(s) => self.interpreta_testo(id, s),
            _ => Err(ErroreValore::Forma),
        }
    }
}

/// A number written with at most one separator (`,` or `.`) and at most `decimali` digits after it.
fn leggi_numero(testo: &str, decimali: u32) -> Result<Decimal, ErroreValore> {
    let corpo = testo.strip_prefix('-').unwrap_or(testo);
    if corpo.is_empty() || !corpo.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return Err(ErroreValore::NonNumero);
    }
    match corpo.split([',', '.']).collect::<Vec<_>>().as_slice() {
        [_] => {}
        [_, decimali] if !decimali.is_empty() => {}
        [_, _] => return Err(ErroreValore::NonNumero),
        _ => return Err(ErroreValore::Migliaia),
    }
    let n: Decimal = testo.replace(',', ".").parse().map_err(|_| ErroreValore::NonNumero)?;
    if n.normalize().scale() > decimali {
        return Err(if decimali == 0 { ErroreValore::NonIntero } else { ErroreValore::Decimali(decimali) });
    }
    Ok(n)
}

/// A set of answers for one modulo, already read for each field's type.
#[derive(Debug, Clone, Default)]
pub struct Risposte {
    /// What the compiler wrote.
    pub valori: HashMap<IdCampo, Valore>,
    /// What an external source supplied (BDAP); used where the compiler wrote nothing.
    pub precompilati: HashMap<IdCampo, Valore>,
    /// Justifications of squadrature, by rule id.
    pub giustificazioni: HashMap<String, String>,
    /// Answers refused, by address, in the order found.
    pub errori: Vec<(String, ErroreValore)>,
}

impl Risposte {
    /// Reads a JSON object keyed by address, or `{"valori": …, "precompilati": …, "giustificazioni": …}`.
    pub fn da_json(modulo: &Modulo, json: &serde_json::Value) -> Result<Risposte, String> {
        let serde_json::Value::Object(radice) = json else {
            return Err("le risposte sono un oggetto JSON: { \"D11.A\": \"1.5\", … }".into());
        };
        let strutturato = radice.keys().any(|k| matches!(k.as_str(), "valori" | "precompilati" | "giustificazioni"));
        let mut r = Risposte::default();
        let sezione = |nome: &str| -> Result<Option<&serde_json::Map<String, serde_json::Value>>, String> {
            match radice.get(nome) {
                None => Ok(None),
                Some(serde_json::Value::Object(m)) => Ok(Some(m)),
                Some(_) => Err(format!("«{nome}» è un oggetto JSON")),
            }
        };
        let (valori, precompilati) = if strutturato {
            if let Some(k) =
                radice.keys().find(|k| !matches!(k.as_str(), "valori" | "precompilati" | "giustificazioni"))
            {
                return Err(format!("chiave «{k}» inattesa: ammesse valori, precompilati, giustificazioni"));
            }
            (sezione("valori")?, sezione("precompilati")?)
        } else {
            (Some(radice), None)
        };
        for (destinazione, mappa) in [(&mut r.valori, valori), (&mut r.precompilati, precompilati)] {
            for (indirizzo, valore) in mappa.into_iter().flatten() {
                let Some(id) = modulo.id(indirizzo) else {
                    r.errori.push((indirizzo.clone(), ErroreValore::Sconosciuto));
                    continue;
                };
                match modulo.interpreta_json(id, valore) {
                    Ok(v) => {
                        destinazione.insert(id, v);
                    }
                    Err(e) => r.errori.push((indirizzo.clone(), e)),
                }
            }
        }
        for (regola, testo) in sezione("giustificazioni")?.into_iter().flatten() {
            match testo {
                serde_json::Value::String(t) => {
                    r.giustificazioni.insert(regola.clone(), t.clone());
                }
                _ => return Err(format!("la giustificazione di {regola} è un testo")),
            }
        }
        Ok(r)
    }
}

/// A rule's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Esito {
    /// The condition holds.
    Rispettata,
    /// The condition is false.
    Violata,
    /// The condition (or `quando`) is blank: values are missing.
    NonValutabile,
    /// `quando` is false.
    NonApplicabile,
}

/// The state of one modulo's answers: values, relevance and rule outcomes, kept consistent as answers change.
#[derive(Debug, Clone)]
pub struct Valutazione<'m> {
    modulo: &'m Modulo,
    risposte: Vec<Valore>,
    precompilati: Vec<Valore>,
    rifiutati: Vec<Option<ErroreValore>>,
    valori: Vec<Valore>,
    pertinenti: Vec<bool>,
    esiti: Vec<Esito>,
    giustificazioni: HashMap<String, String>,
    sconosciuti: Vec<String>,
    in_coda: Vec<bool>,
}

impl<'m> Valutazione<'m> {
    /// Evaluates every field and rule.
    pub fn nuova(modulo: &'m Modulo, risposte: &Risposte) -> Valutazione<'m> {
        let n = modulo.campi.len();
        let mut v = Valutazione {
            modulo,
            risposte: vec![Valore::Vuoto; n],
            precompilati: vec![Valore::Vuoto; n],
            rifiutati: vec![None; n],
            valori: vec![Valore::Vuoto; n],
            pertinenti: vec![true; n],
            esiti: vec![Esito::NonValutabile; modulo.regole.len()],
            giustificazioni: risposte.giustificazioni.clone(),
            sconosciuti: Vec::new(),
            in_coda: vec![false; n],
        };
        for (id, valore) in &risposte.valori {
            v.risposte[*id as usize] = valore.clone();
        }
        for (id, valore) in &risposte.precompilati {
            v.precompilati[*id as usize] = valore.clone();
        }
        for (indirizzo, errore) in &risposte.errori {
            match modulo.id(indirizzo) {
                Some(id) => v.rifiutati[id as usize] = Some(errore.clone()),
                None => v.sconosciuti.push(indirizzo.clone()),
            }
        }
        for &id in &modulo.grafo.ordine {
            let (valore, pertinente) = v.calcola(id);
            v.valori[id as usize] = valore;
            v.pertinenti[id as usize] = pertinente;
        }
        for i in 0..modulo.regole.len() {
            v.esiti[i] = v.esito(i);
        }
        v
    }

    fn calcola(&self, id: IdCampo) -> (Valore, bool) {
        let campo = &self.modulo.campi[id as usize];
        let pertinente = campo.rilevante.as_ref().is_none_or(|r| r.valuta(&self.valori) == Valore::Booleano(true));
        let valore = if !pertinente {
            Valore::Vuoto
        } else if let Some(calcolo) = &campo.calcolo {
            calcolo.valuta(&self.valori)
        } else if self.risposte[id as usize].vuoto() {
            self.precompilati[id as usize].clone()
        } else {
            self.risposte[id as usize].clone()
        };
        (valore, pertinente)
    }

    fn esito(&self, i: usize) -> Esito {
        let regola = &self.modulo.regole[i];
        if let Some(quando) = &regola.quando {
            match quando.valuta(&self.valori) {
                Valore::Booleano(true) => {}
                Valore::Booleano(false) => return Esito::NonApplicabile,
                _ => return Esito::NonValutabile,
            }
        }
        match regola.condizione.valuta(&self.valori) {
            Valore::Booleano(true) => Esito::Rispettata,
            Valore::Booleano(false) => Esito::Violata,
            _ => Esito::NonValutabile,
        }
    }

    /// Changes one answer (an `Err` records a refused answer, which counts as blank) and re-checks only the
    /// calculations, relevance and rules that depend on it. Returns the fields whose value or relevance changed.
    pub fn imposta(&mut self, id: IdCampo, risposta: Result<Valore, ErroreValore>) -> Vec<IdCampo> {
        let i = id as usize;
        match risposta {
            Ok(v) => {
                self.risposte[i] = v;
                self.rifiutati[i] = None;
            }
            Err(e) => {
                self.risposte[i] = Valore::Vuoto;
                self.rifiutati[i] = Some(e);
            }
        }
        let grafo = &self.modulo.grafo;
        let mut coda = BinaryHeap::new();
        let mut cambiati = Vec::new();
        let mut regole = Vec::new();
        coda.push(Reverse((grafo.rango[i], id)));
        self.in_coda[i] = true;
        while let Some(Reverse((_, f))) = coda.pop() {
            self.in_coda[f as usize] = false;
            let (valore, pertinente) = self.calcola(f);
            let f_ = f as usize;
            if valore == self.valori[f_] && pertinente == self.pertinenti[f_] {
                continue;
            }
            self.valori[f_] = valore;
            self.pertinenti[f_] = pertinente;
            cambiati.push(f);
            for &d in &grafo.dipendenti[f_] {
                if !self.in_coda[d as usize] {
                    self.in_coda[d as usize] = true;
                    coda.push(Reverse((grafo.rango[d as usize], d)));
                }
            }
            regole.extend_from_slice(&grafo.regole_di[f_]);
        }
        regole.sort_unstable();
        regole.dedup();
        for r in regole {
            self.esiti[r as usize] = self.esito(r as usize);
        }
        cambiati
    }

    /// Records (or, with an empty text, removes) the justification of a squadratura.
    pub fn giustifica(&mut self, regola: &str, testo: &str) {
        if testo.trim().is_empty() {
            self.giustificazioni.remove(regola);
        } else {
            self.giustificazioni.insert(regola.to_owned(), testo.trim().to_owned());
        }
    }

    /// The value of a field as expressions see it (blank when not relevant); `None` when there is no such field.
    pub fn valore(&self, id: IdCampo) -> Option<&Valore> {
        self.valori.get(id as usize)
    }

    /// Whether a field applies; `None` when there is no such field.
    pub fn pertinente(&self, id: IdCampo) -> Option<bool> {
        self.pertinenti.get(id as usize).copied()
    }

    /// The outcome of rule number `i` (index into [`Modulo::regole`]); `None` when there is no such rule.
    pub fn esito_regola(&self, i: usize) -> Option<Esito> {
        self.esiti.get(i).copied()
    }

    fn testo_messaggio(&self, parti: &[Parte], lingua: Lingua) -> String {
        let mut out = String::new();
        for p in parti {
            match p {
                Parte::Testo(t) => out.push_str(t),
                Parte::Campo(id) => {
                    let campo = &self.modulo.campi[*id as usize];
                    let decimali = if campo.tipo == Tipo::Euro { Some(2) } else { None };
                    out.push_str(&self.valori[*id as usize].mostra(lingua, decimali));
                }
            }
        }
        out
    }

    /// The report of the current state.
    pub fn report(&self) -> Report {
        let m = self.modulo;
        let mut errori_campo = Vec::new();
        let mut non_pertinenti = Vec::new();
        let mut quadri: Vec<Completamento> = m
            .quadri
            .iter()
            .map(|q| Completamento { quadro: q.codice.clone(), compilati: 0, richiesti: 0, percentuale: 100 })
            .collect();
        let mut calcolati = Vec::new();
        for indirizzo in &self.sconosciuti {
            errori_campo.push(ErroreCampo { campo: indirizzo.clone(), messaggio: ErroreValore::Sconosciuto.testo() });
        }
        for (i, campo) in m.campi.iter().enumerate() {
            let valore = &self.valori[i];
            if let Some(e) = &self.rifiutati[i] {
                errori_campo.push(ErroreCampo { campo: campo.indirizzo.clone(), messaggio: e.testo() });
            }
            if campo.calcolo.is_some() {
                calcolati.push(ValoreCalcolato { campo: campo.indirizzo.clone(), valore: valore.canonico() });
                continue;
            }
            if !self.pertinenti[i] {
                if !self.risposte[i].vuoto() {
                    non_pertinenti.push(campo.indirizzo.clone());
                }
                continue;
            }
            if campo.obbligatorio {
                let q = &mut quadri[campo.quadro];
                q.richiesti += 1;
                if valore.vuoto() {
                    if self.rifiutati[i].is_none() {
                        errori_campo.push(ErroreCampo {
                            campo: campo.indirizzo.clone(),
                            messaggio: ErroreValore::Obbligatorio.testo(),
                        });
                    }
                } else {
                    q.compilati += 1;
                }
            }
        }
        for q in &mut quadri {
            if let Some(p) = (q.compilati * 100).checked_div(q.richiesti) {
                q.percentuale = p as u8;
            }
        }
        let (mut bloccanti, mut da_giustificare, mut giustificate, mut avvisi) = (0, 0, 0, 0);
        let mut regole = Vec::with_capacity(m.regole.len());
        for (i, regola) in m.regole.iter().enumerate() {
            let esito = self.esiti[i];
            let giustificazione = self.giustificazioni.get(&regola.id).cloned();
            if esito == Esito::Violata {
                match regola.gravita {
                    Gravita::Bloccante => bloccanti += 1,
                    Gravita::Squadratura if giustificazione.is_some() => giustificate += 1,
                    Gravita::Squadratura => da_giustificare += 1,
                    Gravita::Avviso => avvisi += 1,
                }
            }
            let messaggio = (esito == Esito::Violata).then(|| Testo {
                it: self.testo_messaggio(&regola.messaggio.it, Lingua::It),
                en: self.testo_messaggio(&regola.messaggio.en, Lingua::En),
            });
            regole.push(EsitoRegola {
                id: regola.id.clone(),
                gravita: regola.gravita,
                esito,
                campi: regola.campi.iter().map(|id| m.campi[*id as usize].indirizzo.clone()).collect(),
                messaggio,
                giustificazione: giustificazione.filter(|_| regola.gravita == Gravita::Squadratura),
            });
        }
        Report {
            codice: m.codice.clone(),
            modulo: m.modulo.clone(),
            invio_consentito: errori_campo.is_empty() && bloccanti == 0 && da_giustificare == 0,
            bloccanti_violate: bloccanti,
            squadrature_da_giustificare: da_giustificare,
            squadrature_giustificate: giustificate,
            avvisi,
            errori_campo,
            non_pertinenti_con_valore: non_pertinenti,
            quadri,
            calcolati,
            regole,
        }
    }
}

/// The outcome of validating a modulo's answers.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Questionnaire code.
    pub codice: String,
    /// Modulo.
    pub modulo: String,
    /// No field errors, no missing required value, no violated bloccante, every violated squadratura justified.
    pub invio_consentito: bool,
    /// Violated bloccanti.
    pub bloccanti_violate: usize,
    /// Violated squadrature without a justification.
    pub squadrature_da_giustificare: usize,
    /// Violated squadrature with a justification.
    pub squadrature_giustificate: usize,
    /// Violated avvisi.
    pub avvisi: usize,
    /// Refused answers and missing required values.
    pub errori_campo: Vec<ErroreCampo>,
    /// Fields that hold a value but do not apply.
    pub non_pertinenti_con_valore: Vec<String>,
    /// Completion per quadro.
    pub quadri: Vec<Completamento>,
    /// Calculated values, in definition order (`null` when blank).
    pub calcolati: Vec<ValoreCalcolato>,
    /// Every rule's outcome, in definition order.
    pub regole: Vec<EsitoRegola>,
}

/// An error about one field.
#[derive(Debug, Clone, Serialize)]
pub struct ErroreCampo {
    /// Address.
    pub campo: String,
    /// What is wrong.
    pub messaggio: Testo,
}

/// Completion of a quadro.
#[derive(Debug, Clone, Serialize)]
pub struct Completamento {
    /// Quadro code.
    pub quadro: String,
    /// Required relevant fields filled in.
    pub compilati: usize,
    /// Required relevant fields.
    pub richiesti: usize,
    /// `compilati` over `richiesti`, rounded down (100 when nothing is required).
    pub percentuale: u8,
}

/// A calculated value.
#[derive(Debug, Clone, Serialize)]
pub struct ValoreCalcolato {
    /// Address.
    pub campo: String,
    /// Value, or `None` when blank.
    pub valore: Option<String>,
}

/// A rule's outcome in the report.
#[derive(Debug, Clone, Serialize)]
pub struct EsitoRegola {
    /// Rule id.
    pub id: String,
    /// Severity.
    pub gravita: Gravita,
    /// Outcome.
    pub esito: Esito,
    /// Fields concerned.
    pub campi: Vec<String>,
    /// The message with values quoted, when violated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messaggio: Option<Testo>,
    /// The compiler's justification (squadrature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub giustificazione: Option<String>,
}
