//! The view of one quadro: what the compile page (and its read-only twin) shows of each section, field, table
//! cell and rule, built from the definition and the evaluated answers.

use std::collections::{BTreeMap, HashMap};

use questionario::{Esito, Gravita, IdCampo, Lingua, Modulo, Tipo, Valore};

use crate::compilazione::cache::Stato;
use crate::compilazione::{self, valori};

/// The HTML id of a field's input: `c-D11-A` for `D11.A`.
pub fn html_id(indirizzo: &str) -> String {
    let mut out = String::with_capacity(indirizzo.len() + 2);
    out.push_str("c-");
    out.extend(indirizzo.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }));
    out
}

/// A field as the page shows it.
#[derive(Debug, Clone)]
pub struct VistaCampo {
    /// Address.
    pub indirizzo: String,
    /// Input id.
    pub id: String,
    /// Label.
    pub etichetta: String,
    /// Help.
    pub aiuto: String,
    /// Unit.
    pub unita: String,
    /// Bounds, as a sentence ("da 0 a 100").
    pub limiti: String,
    /// `numero`, `sino`, `scelta`, `testo`, `testo-lungo`, `data`, `calcolato`.
    pub widget: &'static str,
    /// Options of a choice: code, label, selected.
    pub opzioni: Vec<(String, String, bool)>,
    /// The value in the input.
    pub testo: String,
    /// The value for a reader.
    pub mostra: String,
    /// The field's version.
    pub versione: i64,
    /// The error shown beside it.
    pub errore: String,
    /// Whether it applies.
    pub pertinente: bool,
    /// Required.
    pub obbligatorio: bool,
    /// The prefilled value (for a reader) and its source.
    pub precompilato: Option<(String, String)>,
    /// The current value is the prefilled one (never answered, or restored).
    pub da_fonte: bool,
    /// Maximum characters of a text.
    pub lunghezza: u32,
    /// Numbers: right-aligned, `inputmode=decimal`.
    pub numerico: bool,
    /// A table cell: the ids of its row and column headers, which label it; "" for a single field.
    pub intestazioni: String,
}

/// A table.
#[derive(Debug, Clone)]
pub struct VistaTabella {
    /// Id.
    pub id: String,
    /// Title.
    pub titolo: String,
    /// Column codes and labels.
    pub colonne: Vec<(String, String)>,
    /// Rows: code, label, cells.
    pub righe: Vec<(String, String, Vec<VistaCampo>)>,
}

/// A section.
#[derive(Debug, Clone)]
pub struct VistaSezione {
    /// Title.
    pub titolo: String,
    /// Instructions.
    pub istruzioni: String,
    /// Single fields.
    pub campi: Vec<VistaCampo>,
    /// Tables.
    pub tabelle: Vec<VistaTabella>,
}

/// A rule of the quadro, shown in its panel (hidden while not violated).
#[derive(Debug, Clone)]
pub struct VistaRegola {
    /// Rule id.
    pub id: String,
    /// `bloccante`, `squadratura`, `avviso`.
    pub gravita: &'static str,
    /// Violated now.
    pub violata: bool,
    /// The message with values quoted (when violated).
    pub messaggio: String,
    /// The fields: input id and label.
    pub campi: Vec<(String, String)>,
    /// The justification's text.
    pub giustificazione: String,
    /// Who wrote it, and when.
    pub giustificata_da: String,
    /// Its rule's fields changed since.
    pub superata: bool,
}

/// One entry of the quadri navigation.
#[derive(Debug, Clone)]
pub struct VoceQuadro {
    /// Code.
    pub codice: String,
    /// Title.
    pub titolo: String,
    /// Completion percentage.
    pub percentuale: u8,
    /// Open bloccanti.
    pub bloccanti: usize,
    /// Squadrature not justified.
    pub squadrature: usize,
    /// The current quadro.
    pub corrente: bool,
}

/// Values typed in the form that were not stored, to show back: address → (text, message).
pub type Digitati = BTreeMap<String, (String, String)>;

/// Builds the view of field `id`; `digitati` overrides the stored value with what was typed and refused.
pub fn campo(s: &Stato, id: IdCampo, l: Lingua, lang: crate::i18n::Lang, digitati: &Digitati) -> VistaCampo {
    Costruttore::new(s, l, lang, digitati).campo(id)
}

/// The sections of quadro `q`.
pub fn sezioni(s: &Stato, q: usize, l: Lingua, lang: crate::i18n::Lang, digitati: &Digitati) -> Vec<VistaSezione> {
    Costruttore::new(s, l, lang, digitati).sezioni(q)
}

/// Builds the views of one page's fields. The bounds' sentence is the same for most fields of a table, and
/// Fluent formats it in microseconds: it is made once per pair of bounds and page.
struct Costruttore<'a> {
    s: &'a Stato,
    l: Lingua,
    lang: crate::i18n::Lang,
    digitati: &'a Digitati,
    limiti: HashMap<(Option<questionario::Decimal>, Option<questionario::Decimal>), String>,
}

impl<'a> Costruttore<'a> {
    fn new(s: &'a Stato, l: Lingua, lang: crate::i18n::Lang, digitati: &'a Digitati) -> Self {
        Costruttore { s, l, lang, digitati, limiti: HashMap::new() }
    }

    fn limiti(&mut self, min: Option<questionario::Decimal>, max: Option<questionario::Decimal>) -> String {
        let (l, lang) = (self.l, self.lang);
        let n = |d: questionario::Decimal| Valore::Numero(d).mostra(l, None);
        self.limiti
            .entry((min, max))
            .or_insert_with(|| match (min, max) {
                (Some(a), Some(b)) => lang.t_args("compila-limiti-da-a", &[("min", n(a)), ("max", n(b))]),
                (Some(a), None) => lang.t_args("compila-limiti-min", &[("min", n(a))]),
                (None, Some(b)) => lang.t_args("compila-limiti-max", &[("max", n(b))]),
                (None, None) => String::new(),
            })
            .clone()
    }

    fn campo(&mut self, id: IdCampo) -> VistaCampo {
        let (s, l) = (self.s, self.l);
        let m = s.modulo;
        let c = &m.campi[id as usize];
        let valore = s.valutazione.valore(id);
        let widget = if c.calcolo.is_some() {
            "calcolato"
        } else {
            match &c.tipo {
                Tipo::Intero | Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale => "numero",
                Tipo::SiNo => "sino",
                Tipo::Scelta(_) => "scelta",
                Tipo::Testo(n) if *n > 200 => "testo-lungo",
                Tipo::Testo(_) => "testo",
                Tipo::Data => "data",
            }
        };
        let (testo, errore) = match self.digitati.get(&c.indirizzo) {
            Some((t, e)) => (t.clone(), e.clone()),
            None => (valori::testo_input(m, valore, id, l), String::new()),
        };
        let opzioni = match &c.tipo {
            Tipo::Scelta(o) => {
                o.iter().map(|o| (o.codice.clone(), o.etichetta.get(l).to_owned(), o.codice == testo)).collect()
            }
            _ => Vec::new(),
        };
        let risposta = s.risposte.get(&id);
        let risposto = risposta.is_some_and(|r| r.risposto);
        let precompilato = s.precompilati.get(&id).map(|(v, fonte)| (valori::mostra(m, Some(v), id, l), fonte.clone()));
        VistaCampo {
            indirizzo: c.indirizzo.clone(),
            id: html_id(&c.indirizzo),
            etichetta: c.etichetta.get(l).to_owned(),
            aiuto: c.aiuto.as_ref().map(|a| a.get(l).to_owned()).unwrap_or_default(),
            unita: c.unita.clone().unwrap_or_default(),
            limiti: self.limiti(c.min, c.max),
            widget,
            opzioni,
            mostra: valori::mostra(m, valore, id, l),
            testo,
            versione: risposta.map_or(0, |r| r.revisione),
            errore,
            pertinente: s.valutazione.pertinente(id).unwrap_or(true),
            obbligatorio: c.obbligatorio && c.calcolo.is_none(),
            da_fonte: precompilato.is_some() && !risposto,
            precompilato,
            lunghezza: match c.tipo {
                Tipo::Testo(n) => n,
                _ => 0,
            },
            numerico: c.tipo.decimali().is_some(),
            intestazioni: String::new(),
        }
    }

    fn sezioni(&mut self, q: usize) -> Vec<VistaSezione> {
        let l = self.l;
        let m = self.s.modulo;
        m.quadri[q]
            .sezioni
            .iter()
            .map(|sez| VistaSezione {
                titolo: sez.titolo.get(l).to_owned(),
                istruzioni: sez.istruzioni.as_ref().map(|t| t.get(l).to_owned()).unwrap_or_default(),
                campi: sez.campi.iter().map(|&id| self.campo(id)).collect(),
                tabelle: sez
                    .tabelle
                    .iter()
                    .map(|t| VistaTabella {
                        id: t.id.clone(),
                        titolo: t.titolo.get(l).to_owned(),
                        colonne: t.colonne.iter().map(|(c, e)| (c.clone(), e.get(l).to_owned())).collect(),
                        righe: t
                            .righe
                            .iter()
                            .zip(&t.celle)
                            .map(|((codice, etichetta), celle)| {
                                let celle = celle
                                    .iter()
                                    .zip(&t.colonne)
                                    .map(|(&id, (colonna, _))| VistaCampo {
                                        intestazioni: format!("r-{}-{codice} h-{}-{colonna}", t.id, t.id),
                                        ..self.campo(id)
                                    })
                                    .collect();
                                (codice.clone(), etichetta.get(l).to_owned(), celle)
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The rules shown in quadro `q`'s panel: every rule whose first field is in it.
pub fn regole(s: &Stato, q: Option<usize>, l: Lingua) -> Vec<VistaRegola> {
    let m: &Modulo = s.modulo;
    m.regole
        .iter()
        .enumerate()
        .filter(|(i, _)| q.is_none() || compilazione::quadro_della_regola(m, *i) == q)
        .map(|(i, r)| {
            let g = s.giustificazioni.get(&r.id);
            VistaRegola {
                id: r.id.clone(),
                gravita: match r.gravita {
                    Gravita::Bloccante => "bloccante",
                    Gravita::Squadratura => "squadratura",
                    Gravita::Avviso => "avviso",
                },
                violata: s.valutazione.esito_regola(i) == Some(Esito::Violata),
                messaggio: s.valutazione.messaggio_regola(i, l).unwrap_or_default(),
                campi: r
                    .campi
                    .iter()
                    .map(|&id| {
                        let c = &m.campi[id as usize];
                        (html_id(&c.indirizzo), c.etichetta.get(l).to_owned())
                    })
                    .collect(),
                giustificazione: g.map(|g| g.testo.clone()).unwrap_or_default(),
                giustificata_da: g
                    .map(|g| {
                        format!("{} · {}", g.autore.clone().unwrap_or_default(), crate::ora::data_ora(g.updated_at))
                    })
                    .unwrap_or_default(),
                superata: s.superate.contains(&r.id),
            }
        })
        .collect()
}

/// The quadri navigation, `corrente` marked.
pub fn navigazione(s: &Stato, corrente: usize, l: Lingua) -> Vec<VoceQuadro> {
    let conteggi = compilazione::conteggi(s);
    s.modulo
        .quadri
        .iter()
        .enumerate()
        .map(|(i, q)| VoceQuadro {
            codice: q.codice.clone(),
            titolo: q.titolo.get(l).to_owned(),
            percentuale: s.valutazione.completamento(i).map_or(100, |c| c.percentuale),
            bloccanti: conteggi[i].1,
            squadrature: conteggi[i].2,
            corrente: i == corrente,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_every_modulo_has_an_html_id_of_its_own() {
        let catalogo = crate::catalogo::definizioni_incorporate().expect("valid definitions");
        for m in &catalogo.moduli {
            let mut visti = std::collections::HashSet::new();
            for c in &m.campi {
                assert!(visti.insert(html_id(&c.indirizzo)), "{}: {} repeats an id", m.chiave(), c.indirizzo);
            }
        }
    }
}
