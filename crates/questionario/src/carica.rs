//! Loading definitions: the campaign manifests and the modulo files they name, read strictly. Every problem is
//! reported as `file:line:column: message` for the author, and all problems of a file are reported at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use crate::espressione::sintassi::{colonna_valida, indirizzo_valido, rigo_valido};
use crate::espressione::{Contesto, ErroreEspr, Espr, Riferimento, TipoEspr, compila};
use crate::modello::{
    Campo, ChiaveModulo, Grafo, Gravita, IdCampo, Impronta, Messaggio, Modulo, Opzione, Parte, Quadro, Regola, Sezione,
    Tabella, Tipo,
};
use crate::valore::Testo;

/// A problem in a definition file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErroreDefinizione {
    /// The file, as given to the loader (`questionari/fc80u-2022/modulo-b.toml`).
    pub file: String,
    /// 1-based line.
    pub riga: usize,
    /// 1-based column (characters).
    pub colonna: usize,
    /// What is wrong and, where it helps, what to write instead.
    pub messaggio: String,
}

impl fmt::Display for ErroreDefinizione {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.riga, self.colonna, self.messaggio)
    }
}

impl std::error::Error for ErroreDefinizione {}

/// Every modulo of every campaign.
#[derive(Debug, Clone, Default)]
pub struct Catalogo {
    /// In campaign folder order, then manifest order.
    pub moduli: Vec<Modulo>,
}

impl Catalogo {
    /// The modulo with exactly this key. Keys are unique in a catalogue (loading refuses a repeated one).
    pub fn modulo(&self, chiave: &ChiaveModulo) -> Option<&Modulo> {
        self.moduli
            .iter()
            .find(|m| m.campagna == chiave.campagna && m.codice == chiave.codice && m.modulo == chiave.modulo)
    }

    /// Every campaign's modulo `modulo` of questionnaire `codice` (codes compared case-insensitively), in catalogue
    /// order: more than one when a questionnaire code recurs across campaigns, so a caller must choose.
    pub fn cerca<'c>(&'c self, codice: &'c str, modulo: &'c str) -> impl Iterator<Item = &'c Modulo> + 'c {
        self.moduli.iter().filter(|m| m.codice.eq_ignore_ascii_case(codice) && m.modulo.eq_ignore_ascii_case(modulo))
    }
}

/// Reads every `*/campagna.toml` under `cartella` and the files they name. The only IO of the crate.
pub fn carica_cartella(cartella: &Path) -> Result<Catalogo, Vec<ErroreDefinizione>> {
    let nome = cartella.display().to_string();
    let prefisso = if nome.ends_with('/') { nome } else { format!("{nome}/") };
    let fallita =
        |messaggio: String| vec![ErroreDefinizione { file: prefisso.clone(), riga: 1, colonna: 1, messaggio }];
    let voci = std::fs::read_dir(cartella).map_err(|e| fallita(format!("cartella illeggibile: {e}")))?;
    let mut file = BTreeMap::new();
    for voce in voci.flatten() {
        let campagna = voce.file_name().to_string_lossy().into_owned();
        let percorso = voce.path();
        if !percorso.is_dir() {
            continue;
        }
        for figlio in std::fs::read_dir(&percorso).into_iter().flatten().flatten() {
            let nome = figlio.file_name().to_string_lossy().into_owned();
            if nome.ends_with(".toml") {
                let testo = std::fs::read_to_string(figlio.path())
                    .map_err(|e| fallita(format!("{campagna}/{nome} illeggibile: {e}")))?;
                file.insert(format!("{campagna}/{nome}"), testo);
            }
        }
    }
    carica(&prefisso, &file)
}

/// Loads from files already in memory, keyed by path relative to the definitions' root (`fc80u-2022/campagna.toml`);
/// `prefisso` is prepended to paths in error messages.
pub fn carica(prefisso: &str, file: &BTreeMap<String, String>) -> Result<Catalogo, Vec<ErroreDefinizione>> {
    let mut errori = Vec::new();
    let mut catalogo = Catalogo::default();
    let mut chiavi = HashSet::new();
    let manifesti: Vec<_> = file.iter().filter(|(p, _)| p.ends_with("/campagna.toml")).collect();
    if manifesti.is_empty() {
        errori.push(ErroreDefinizione {
            file: prefisso.to_owned(),
            riga: 1,
            colonna: 1,
            messaggio: "nessuna campagna (<cartella>/campagna.toml) trovata".into(),
        });
    }
    for (percorso, testo) in manifesti {
        let nome_file = format!("{prefisso}{percorso}");
        let campagna = percorso.trim_end_matches("/campagna.toml");
        let manifesto: Manifesto = match toml::from_str(testo) {
            Ok(m) => m,
            Err(e) => {
                errori.push(errore_toml(&nome_file, testo, &e));
                continue;
            }
        };
        for voce in &manifesto.moduli {
            let chiave = ChiaveModulo::new(campagna, &manifesto.codice, voce.codice.get_ref());
            if !chiavi.insert(chiave) {
                let messaggio = format!("il modulo {} è elencato due volte in questa campagna", voce.codice.get_ref());
                errori.push(errore_a(&nome_file, testo, voce.codice.span().start, messaggio));
                continue;
            }
            let Some(definizione) = &voce.definizione else {
                errori.push(ErroreDefinizione {
                    file: nome_file.clone(),
                    riga: 1,
                    colonna: 1,
                    messaggio: format!(
                        "il modulo {} non dice il file della sua definizione (definizione = \"…\")",
                        voce.codice.get_ref()
                    ),
                });
                continue;
            };
            let Some(relativo) = risolvi(campagna, definizione.get_ref()) else {
                errori.push(errore_a(&nome_file, testo, definizione.span().start, "percorso non valido".into()));
                continue;
            };
            let Some(sorgente) = file.get(&relativo) else {
                errori.push(errore_a(
                    &nome_file,
                    testo,
                    definizione.span().start,
                    format!("il file {relativo} non esiste"),
                ));
                continue;
            };
            let intestazione = Intestazione {
                codice: manifesto.codice.clone(),
                modulo: voce.codice.get_ref().clone(),
                campagna: campagna.to_owned(),
                anno_riferimento: manifesto.anno_riferimento,
                anno_compilazione: manifesto.anno_compilazione,
                titolo: voce.titolo.clone(),
            };
            match carica_modulo(&format!("{prefisso}{relativo}"), sorgente, intestazione) {
                Ok(m) => catalogo.moduli.push(m),
                Err(e) => errori.extend(e),
            }
        }
    }
    if errori.is_empty() { Ok(catalogo) } else { Err(errori) }
}

/// `campagna/` + `relativo`, with `..` resolved; `None` when it leaves the root.
fn risolvi(campagna: &str, relativo: &str) -> Option<String> {
    let mut parti: Vec<&str> = campagna.split('/').collect();
    for p in relativo.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parti.pop()?;
            }
            p => parti.push(p),
        }
    }
    (!parti.is_empty()).then(|| parti.join("/"))
}

/// Data the manifest gives a modulo.
#[derive(Debug, Clone)]
pub struct Intestazione {
    /// Questionnaire code.
    pub codice: String,
    /// Modulo code.
    pub modulo: String,
    /// Campaign folder.
    pub campagna: String,
    /// Reference year.
    pub anno_riferimento: i32,
    /// Compilation year.
    pub anno_compilazione: i32,
    /// Title.
    pub titolo: Testo,
}

// The manifest is the public catalogue's file too: only the keys the engine needs are read here, the catalogue's
// own loader refuses unknown ones.
#[derive(Deserialize)]
struct Manifesto {
    codice: String,
    anno_riferimento: i32,
    anno_compilazione: i32,
    #[serde(default)]
    moduli: Vec<ModuloManifesto>,
}

#[derive(Deserialize)]
struct ModuloManifesto {
    codice: Spanned<String>,
    titolo: Testo,
    definizione: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModulo {
    modulo: Spanned<String>,
    istruzioni: Option<Testo>,
    note: Option<String>,
    #[serde(default)]
    quadri: Vec<QuadroDef>,
    #[serde(default)]
    regole: Vec<RegolaDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuadroDef {
    codice: Spanned<String>,
    titolo: Testo,
    istruzioni: Option<Testo>,
    rilevante: Option<Spanned<String>>,
    #[serde(default)]
    sezioni: Vec<SezioneDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SezioneDef {
    titolo: Testo,
    istruzioni: Option<Testo>,
    rilevante: Option<Spanned<String>>,
    #[serde(default)]
    campi: Vec<CampoDef>,
    #[serde(default)]
    tabelle: Vec<TabellaDef>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum TipoDef {
    Intero,
    Decimale,
    Euro,
    Percentuale,
    SiNo,
    Scelta,
    Testo,
    Data,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CampoDef {
    id: Spanned<String>,
    etichetta: Testo,
    aiuto: Option<Testo>,
    tipo: Spanned<TipoDef>,
    decimali: Option<Spanned<u32>>,
    unita: Option<String>,
    min: Option<Spanned<Numero>>,
    max: Option<Spanned<Numero>>,
    #[serde(default)]
    obbligatorio: bool,
    opzioni: Option<Spanned<Vec<OpzioneDef>>>,
    max_lunghezza: Option<Spanned<u32>>,
    rilevante: Option<Spanned<String>>,
    calcolo: Option<Spanned<String>>,
    precompilato: Option<String>,
}

/// The keys that shape a value, shared by fields and tables (serde's `flatten` would lose both the spans and
/// the refusal of unknown keys, so each struct lists them and lends them here).
struct ValoreDef<'a> {
    tipo: &'a Spanned<TipoDef>,
    decimali: &'a Option<Spanned<u32>>,
    unita: &'a Option<String>,
    min: &'a Option<Spanned<Numero>>,
    max: &'a Option<Spanned<Numero>>,
    obbligatorio: bool,
    opzioni: &'a Option<Spanned<Vec<OpzioneDef>>>,
    max_lunghezza: &'a Option<Spanned<u32>>,
}

macro_rules! valore_di {
    ($d:expr) => {
        ValoreDef {
            tipo: &$d.tipo,
            decimali: &$d.decimali,
            unita: &$d.unita,
            min: &$d.min,
            max: &$d.max,
            obbligatorio: $d.obbligatorio,
            opzioni: &$d.opzioni,
            max_lunghezza: &$d.max_lunghezza,
        }
    };
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpzioneDef {
    codice: String,
    etichetta: Testo,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TabellaDef {
    id: Spanned<String>,
    titolo: Testo,
    tipo: Spanned<TipoDef>,
    decimali: Option<Spanned<u32>>,
    unita: Option<String>,
    min: Option<Spanned<Numero>>,
    max: Option<Spanned<Numero>>,
    #[serde(default)]
    obbligatorio: bool,
    opzioni: Option<Spanned<Vec<OpzioneDef>>>,
    max_lunghezza: Option<Spanned<u32>>,
    rilevante: Option<Spanned<String>>,
    righe: Vec<RigaDef>,
    colonne: Vec<ColonnaDef>,
    totale_righe: Option<RigaDef>,
    totale_colonne: Option<ColonnaDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RigaDef {
    rigo: Spanned<String>,
    etichetta: Testo,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColonnaDef {
    colonna: Spanned<String>,
    etichetta: Testo,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegolaDef {
    id: Spanned<String>,
    gravita: GravitaDef,
    condizione: Spanned<String>,
    quando: Option<Spanned<String>>,
    campi: Option<Vec<Spanned<String>>>,
    messaggio: Spanned<Testo>,
    per_ogni: Option<Vec<String>>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum GravitaDef {
    Bloccante,
    Squadratura,
    Avviso,
}

/// A bound: a TOML integer, or a decimal written as a string (TOML floats are binary: refused).
struct Numero(Decimal);

impl<'de> Deserialize<'de> for Numero {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Numero;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("un numero intero, o un decimale tra virgolette (\"0.5\")")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Numero, E> {
                Ok(Numero(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Numero, E> {
                Ok(Numero(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Numero, E> {
                Err(E::custom(
                    "i decimali si scrivono tra virgolette (\"0.5\"): un numero con la virgola in TOML è binario",
                ))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Numero, E> {
                v.trim().parse().map(Numero).map_err(|_| E::custom(format!("«{v}» non è un numero")))
            }
        }
        d.deserialize_any(V)
    }
}

fn posizione(sorgente: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(sorgente.len());
    let prima = sorgente.get(..byte).unwrap_or(sorgente);
    let riga = prima.matches('\n').count() + 1;
    let colonna = prima.rsplit('\n').next().map_or(0, |r| r.chars().count()) + 1;
    (riga, colonna)
}

fn errore_a(file: &str, sorgente: &str, byte: usize, messaggio: String) -> ErroreDefinizione {
    let (riga, colonna) = posizione(sorgente, byte);
    ErroreDefinizione { file: file.to_owned(), riga, colonna, messaggio }
}

fn errore_toml(file: &str, sorgente: &str, e: &toml::de::Error) -> ErroreDefinizione {
    let messaggio = e
        .message()
        .replace("unknown field", "chiave sconosciuta")
        .replace("expected one of", "ammesse:")
        .replace("missing field", "manca la chiave")
        .replace("unknown variant", "valore sconosciuto")
        .replace("invalid type:", "tipo sbagliato:")
        .replace(", expected", "; atteso")
        .replace("duplicate key", "chiave ripetuta");
    errore_a(file, sorgente, e.span().map_or(0, |s| s.start), messaggio.trim().to_owned())
}

/// Loads one modulo file.
pub fn carica_modulo(file: &str, sorgente: &str, intestazione: Intestazione) -> Result<Modulo, Vec<ErroreDefinizione>> {
    let def: FileModulo = toml::from_str(sorgente).map_err(|e| vec![errore_toml(file, sorgente, &e)])?;
    let mut c = Costruttore { file, sorgente, ..Costruttore::default() };
    if def.modulo.get_ref() != &intestazione.modulo {
        c.errore(
            def.modulo.span().start,
            format!(
                "il file è del modulo «{}», la campagna lo usa per il modulo «{}»",
                def.modulo.get_ref(),
                intestazione.modulo
            ),
        );
    }
    let mut quadri = Vec::new();
    for (iq, q) in def.quadri.iter().enumerate() {
        quadri.push(c.quadro(iq, q));
    }
    // Expressions are compiled once every field exists, so they may refer to fields defined further down.
    let mut rilevanti: HashMap<IdCampo, Vec<Espr>> = HashMap::new();
    for (testo, campi) in std::mem::take(&mut c.rilevanze) {
        if let Some(espr) = c.espressione(&testo, None, Some(&TipoEspr::Booleano), None) {
            for id in campi {
                rilevanti.entry(id).or_default().push(espr.clone());
            }
        }
    }
    for (id, espressioni) in rilevanti {
        let unita = espressioni.into_iter().reduce(|a, b| Espr::E(Box::new(a), Box::new(b)));
        c.campi[id as usize].rilevante = unita;
    }
    for (id, testo) in std::mem::take(&mut c.calcoli) {
        let atteso = c.campi[id as usize].tipo.in_espressione();
        c.campi[id as usize].calcolo = c.espressione(&testo, None, Some(&atteso), None);
    }
    let mut regole = Vec::new();
    let mut id_regole: HashMap<String, Range<usize>> = HashMap::new();
    for r in &def.regole {
        let valori: Vec<Option<&str>> = match &r.per_ogni {
            Some(v) if v.is_empty() => {
                c.errore(r.id.span().start, "per_ogni è vuoto".into());
                continue;
            }
            Some(v) => {
                if !r.id.get_ref().contains('#') {
                    c.errore(r.id.span().start, "con per_ogni l'id contiene «#», sostituito da ogni valore".into());
                    continue;
                }
                v.iter().map(|s| Some(s.as_str())).collect()
            }
            None => vec![None],
        };
        for valore in valori {
            if let Some(regola) = c.regola(r, valore) {
                if id_regole.insert(regola.id.clone(), r.id.span()).is_some() {
                    c.errore(r.id.span().start, format!("la regola {} è definita due volte", regola.id));
                    continue;
                }
                regole.push(regola);
            }
        }
    }
    let grafo = c.grafo(&regole);
    let mut regole_campo = vec![Vec::new(); c.campi.len()];
    for (ir, regola) in regole.iter().enumerate() {
        for &id in &regola.campi {
            let lista: &mut Vec<usize> = &mut regole_campo[id as usize];
            if !lista.contains(&ir) {
                lista.push(ir);
            }
        }
    }
    if !c.errori.is_empty() {
        return Err(c.errori);
    }
    Ok(Modulo {
        codice: intestazione.codice,
        modulo: intestazione.modulo,
        campagna: intestazione.campagna,
        anno_riferimento: intestazione.anno_riferimento,
        anno_compilazione: intestazione.anno_compilazione,
        titolo: intestazione.titolo,
        istruzioni: def.istruzioni,
        note: def.note,
        impronta: Impronta::di(sorgente.as_bytes()),
        quadri,
        campi: c.campi,
        regole,
        regole_scritte: def.regole.len(),
        indirizzi: c.indirizzi,
        regole_campo,
        grafo,
    })
}

#[derive(Default)]
struct Costruttore<'a> {
    file: &'a str,
    sorgente: &'a str,
    campi: Vec<Campo>,
    /// Where each field was defined (bytes), for errors about it.
    definito: Vec<usize>,
    indirizzi: HashMap<String, IdCampo>,
    per_rigo: HashMap<String, Vec<IdCampo>>,
    per_colonna: HashMap<String, Vec<IdCampo>>,
    senza_colonna: Vec<IdCampo>,
    calcoli: Vec<(IdCampo, Spanned<String>)>,
    /// Relevance conditions and the fields each applies to (a quadro's applies to all of its fields).
    rilevanze: Vec<(Spanned<String>, Vec<IdCampo>)>,
    errori: Vec<ErroreDefinizione>,
}

/// Keys that shape a value, checked against its type.
struct Forma {
    tipo: Tipo,
    unita: Option<String>,
    min: Option<Decimal>,
    max: Option<Decimal>,
    obbligatorio: bool,
}

impl Costruttore<'_> {
    fn errore(&mut self, byte: usize, messaggio: String) {
        self.errori.push(errore_a(self.file, self.sorgente, byte, messaggio));
    }

    fn quadro(&mut self, iq: usize, q: &QuadroDef) -> Quadro {
        let codice = q.codice.get_ref().clone();
        if !rigo_valido(&codice) {
            self.errore(
                q.codice.span().start,
                format!("codice di quadro «{codice}» non valido: maiuscole e cifre, es. «D» o «Q1»"),
            );
        }
        let primo = self.campi.len() as IdCampo;
        let mut sezioni = Vec::new();
        for s in &q.sezioni {
            let inizio = self.campi.len() as IdCampo;
            let mut campi = Vec::new();
            for f in &s.campi {
                if let Some(id) = self.campo(iq, &codice, f) {
                    campi.push(id);
                }
            }
            let mut tabelle = Vec::new();
            for t in &s.tabelle {
                let prima = self.campi.len() as IdCampo;
                if let Some(tabella) = self.tabella(iq, &codice, t) {
                    tabelle.push(tabella);
                }
                if let Some(r) = &t.rilevante {
                    self.rilevanze.push((r.clone(), (prima..self.campi.len() as IdCampo).collect()));
                }
            }
            if let Some(r) = &s.rilevante {
                self.rilevanze.push((r.clone(), (inizio..self.campi.len() as IdCampo).collect()));
            }
            sezioni.push(Sezione { titolo: s.titolo.clone(), istruzioni: s.istruzioni.clone(), campi, tabelle });
        }
        let annotazioni = self.registra(
            Campo {
                indirizzo: format!("{codice}.ANNOTAZIONI"),
                etichetta: Testo {
                    it: format!("Annotazioni al quadro {codice}"),
                    en: format!("Notes on section {codice}"),
                },
                aiuto: None,
                tipo: Tipo::Testo(4000),
                unita: None,
                min: None,
                max: None,
                obbligatorio: false,
                rilevante: None,
                calcolo: None,
                precompilato: None,
                quadro: iq,
            },
            q.codice.span().start,
        );
        if let Some(r) = &q.rilevante {
            // The Annotazioni stay available: a compiler may explain why a quadro does not apply.
            self.rilevanze.push((r.clone(), (primo..self.campi.len() as IdCampo - 1).collect()));
        }
        Quadro {
            codice,
            titolo: q.titolo.clone(),
            istruzioni: q.istruzioni.clone(),
            sezioni,
            annotazioni: annotazioni.unwrap_or(primo),
        }
    }

    fn forma(&mut self, v: &ValoreDef<'_>) -> Forma {
        let tipo_def = *v.tipo.get_ref();
        let numerico = matches!(tipo_def, TipoDef::Intero | TipoDef::Decimale | TipoDef::Euro | TipoDef::Percentuale);
        let tipo = match tipo_def {
            TipoDef::Intero => Tipo::Intero,
            TipoDef::Decimale => {
                let d = v.decimali.as_ref().map_or(2, |d| *d.get_ref());
                if d > 10 {
                    self.errore(v.decimali.as_ref().map_or(0, |d| d.span().start), "al massimo 10 decimali".into());
                }
                Tipo::Decimale(d.min(10))
            }
            TipoDef::Euro => Tipo::Euro,
            TipoDef::Percentuale => Tipo::Percentuale,
            TipoDef::SiNo => Tipo::SiNo,
            TipoDef::Scelta => {
                let mut opzioni = Vec::new();
                match v.opzioni {
                    None => self.errore(v.tipo.span().start, "un campo «scelta» elenca le sue opzioni".into()),
                    Some(o) if o.get_ref().is_empty() => self.errore(o.span().start, "opzioni vuote".into()),
                    Some(o) => {
                        for def in o.get_ref() {
                            if opzioni.iter().any(|x: &Opzione| x.codice == def.codice) {
                                self.errore(o.span().start, format!("l'opzione «{}» è ripetuta", def.codice));
                            }
                            opzioni.push(Opzione { codice: def.codice.clone(), etichetta: def.etichetta.clone() });
                        }
                    }
                }
                Tipo::Scelta(opzioni)
            }
            TipoDef::Testo => Tipo::Testo(v.max_lunghezza.as_ref().map_or(500, |m| *m.get_ref())),
            TipoDef::Data => Tipo::Data,
        };
        let fuori_posto = |chiave: &str, quale: &str| format!("«{chiave}» vale solo per i campi {quale}");
        if let (Some(d), false) = (v.decimali, tipo_def == TipoDef::Decimale) {
            self.errore(d.span().start, fuori_posto("decimali", "decimale"));
        }
        if let (Some(o), false) = (v.opzioni, tipo_def == TipoDef::Scelta) {
            self.errore(o.span().start, fuori_posto("opzioni", "scelta"));
        }
        if let (Some(m), false) = (v.max_lunghezza, tipo_def == TipoDef::Testo) {
            self.errore(m.span().start, fuori_posto("max_lunghezza", "testo"));
        }
        for limite in [v.min, v.max].into_iter().flatten() {
            if !numerico {
                self.errore(limite.span().start, fuori_posto("min/max", "numerici"));
            }
        }
        let min = v.min.as_ref().map(|m| m.get_ref().0);
        let max = v.max.as_ref().map(|m| m.get_ref().0);
        if let (Some(a), Some(b), Some(m)) = (min, max, v.max)
            && a > b
        {
            self.errore(m.span().start, format!("max ({b}) è minore di min ({a})"));
        }
        Forma { tipo, unita: v.unita.clone(), min, max, obbligatorio: v.obbligatorio }
    }

    fn registra(&mut self, campo: Campo, byte: usize) -> Option<IdCampo> {
        if let Some(&gia) = self.indirizzi.get(&campo.indirizzo) {
            let (riga, _) = posizione(self.sorgente, self.definito[gia as usize]);
            self.errore(byte, format!("l'indirizzo {} è già usato (riga {riga})", campo.indirizzo));
            return None;
        }
        let id = self.campi.len() as IdCampo;
        match campo.indirizzo.split_once('.') {
            Some((rigo, colonna)) => {
                self.per_rigo.entry(rigo.to_owned()).or_default().push(id);
                self.per_colonna.entry(colonna.to_owned()).or_default().push(id);
            }
            None => self.senza_colonna.push(id),
        }
        self.indirizzi.insert(campo.indirizzo.clone(), id);
        self.campi.push(campo);
        self.definito.push(byte);
        Some(id)
    }

    fn campo(&mut self, iq: usize, quadro: &str, f: &CampoDef) -> Option<IdCampo> {
        let indirizzo = f.id.get_ref();
        let byte = f.id.span().start;
        if !indirizzo_valido(indirizzo) {
            self.errore(
                byte,
                format!("indirizzo «{indirizzo}» non valido: RIGO o RIGO.COLONNA in maiuscolo, es. D11 o D11.B"),
            );
            return None;
        }
        if !indirizzo.starts_with(quadro) {
            self.errore(byte, format!("il campo {indirizzo} è nel quadro {quadro}: il rigo comincia con «{quadro}»"));
        }
        let forma = self.forma(&valore_di!(f));
        if f.calcolo.is_some() && (forma.obbligatorio || f.precompilato.is_some()) {
            self.errore(byte, "un campo calcolato non si compila: niente «obbligatorio» né «precompilato»".into());
        }
        let id = self.registra(
            Campo {
                indirizzo: indirizzo.clone(),
                etichetta: f.etichetta.clone(),
                aiuto: f.aiuto.clone(),
                tipo: forma.tipo,
                unita: forma.unita,
                min: forma.min,
                max: forma.max,
                obbligatorio: forma.obbligatorio,
                rilevante: None,
                calcolo: None,
                precompilato: f.precompilato.clone(),
                quadro: iq,
            },
            byte,
        )?;
        if let Some(calcolo) = &f.calcolo {
            self.calcoli.push((id, calcolo.clone()));
        }
        if let Some(r) = &f.rilevante {
            self.rilevanze.push((r.clone(), vec![id]));
        }
        Some(id)
    }
}

impl Costruttore<'_> {
    fn tabella(&mut self, iq: usize, quadro: &str, t: &TabellaDef) -> Option<Tabella> {
        let forma = self.forma(&valore_di!(t));
        let numerica = forma.tipo.in_espressione() == TipoEspr::Numero;
        let mut ok = true;
        for r in t.righe.iter().chain(&t.totale_righe) {
            if !rigo_valido(r.rigo.get_ref()) || !r.rigo.get_ref().starts_with(quadro) {
                self.errore(
                    r.rigo.span().start,
                    format!("rigo «{}» non valido: maiuscole e cifre, comincia con «{quadro}»", r.rigo.get_ref()),
                );
                ok = false;
            }
        }
        for c in t.colonne.iter().chain(&t.totale_colonne) {
            if !colonna_valida(c.colonna.get_ref()) {
                self.errore(
                    c.colonna.span().start,
                    format!("colonna «{}» non valida: maiuscole e cifre", c.colonna.get_ref()),
                );
                ok = false;
            }
        }
        if t.righe.is_empty() || t.colonne.is_empty() {
            self.errore(t.id.span().start, "una tabella ha almeno un rigo e una colonna".into());
            ok = false;
        }
        if (t.totale_righe.is_some() || t.totale_colonne.is_some()) && !numerica {
            self.errore(t.id.span().start, "i totali valgono solo per tabelle di numeri".into());
            ok = false;
        }
        if !ok {
            return None;
        }
        let cella = |riga: &RigaDef, colonna: &ColonnaDef, totale: bool| Campo {
            indirizzo: format!("{}.{}", riga.rigo.get_ref(), colonna.colonna.get_ref()),
            etichetta: Testo {
                it: format!("{} — {}", riga.etichetta.it, colonna.etichetta.it),
                en: format!("{} — {}", riga.etichetta.en, colonna.etichetta.en),
            },
            aiuto: None,
            tipo: forma.tipo.clone(),
            unita: forma.unita.clone(),
            min: if totale { None } else { forma.min },
            max: if totale { None } else { forma.max },
            obbligatorio: forma.obbligatorio && !totale,
            rilevante: None,
            calcolo: None,
            precompilato: None,
            quadro: iq,
        };
        let mut celle = Vec::new();
        for riga in &t.righe {
            let mut fila = Vec::new();
            for colonna in &t.colonne {
                fila.push(self.registra(cella(riga, colonna, false), riga.rigo.span().start)?);
            }
            if let Some(totale) = &t.totale_colonne {
                let id = self.registra(cella(riga, totale, true), totale.colonna.span().start)?;
                self.campi[id as usize].calcolo = Some(somma(fila.clone()));
                fila.push(id);
            }
            celle.push(fila);
        }
        if let Some(totale) = &t.totale_righe {
            let mut fila = Vec::new();
            for (j, colonna) in t.colonne.iter().chain(&t.totale_colonne).enumerate() {
                let id = self.registra(cella(totale, colonna, true), totale.rigo.span().start)?;
                self.campi[id as usize].calcolo = Some(somma(celle.iter().map(|f| f[j]).collect()));
                fila.push(id);
            }
            celle.push(fila);
        }
        let righe = t.righe.iter().chain(&t.totale_righe).map(|r| (r.rigo.get_ref().clone(), r.etichetta.clone()));
        let colonne =
            t.colonne.iter().chain(&t.totale_colonne).map(|c| (c.colonna.get_ref().clone(), c.etichetta.clone()));
        Some(Tabella {
            id: t.id.get_ref().clone(),
            titolo: t.titolo.clone(),
            righe: righe.collect(),
            colonne: colonne.collect(),
            celle,
        })
    }

    /// Byte where the text of a TOML string starts (after the quotes, and the newline a `"""` may open with).
    fn inizio_stringa(&self, span: &Range<usize>) -> usize {
        let grezzo = self.sorgente.get(span.start..).unwrap_or("");
        let salto = if grezzo.starts_with("\"\"\"") || grezzo.starts_with("'''") {
            3 + if grezzo[3..].starts_with("\r\n") { 2 } else { usize::from(grezzo[3..].starts_with('\n')) }
        } else {
            1
        };
        span.start + salto
    }

    /// Compiles an expression written in the file; `sostituto` replaces `#` (rules with `per_ogni`).
    fn espressione(
        &mut self,
        testo: &Spanned<String>,
        punto: Option<IdCampo>,
        atteso: Option<&TipoEspr>,
        sostituto: Option<&str>,
    ) -> Option<Espr> {
        let modello = testo.get_ref();
        let sostituito = sostituto.map(|v| modello.replace('#', v));
        let risultato = compila(sostituito.as_deref().unwrap_or(modello), &ContestoCampi { c: self, punto }, atteso);
        match risultato {
            Ok((espr, _)) => Some(espr),
            Err(ErroreEspr { messaggio, posizione }) => {
                let nel_modello = match sostituto {
                    Some(v) => indietro(modello, v, posizione.start),
                    None => posizione.start,
                };
                let messaggio = match sostituto {
                    Some(v) => format!("{messaggio} (con # = {v})"),
                    None => messaggio,
                };
                let byte = self.inizio_stringa(&testo.span()) + nel_modello;
                self.errore(byte, messaggio);
                None
            }
        }
    }

    fn regola(&mut self, r: &RegolaDef, valore: Option<&str>) -> Option<Regola> {
        let sost = |s: &str| match valore {
            Some(v) => s.replace('#', v),
            None => s.to_owned(),
        };
        let id = sost(r.id.get_ref());
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            self.errore(r.id.span().start, format!("id di regola «{id}» non valido: lettere, cifre e «_»"));
            return None;
        }
        let mut campi = Vec::new();
        for a in r.campi.iter().flatten() {
            let indirizzo = sost(a.get_ref());
            match self.indirizzi.get(&indirizzo) {
                Some(id) => campi.push(*id),
                None => {
                    self.errore(a.span().start, format!("il campo {indirizzo} non esiste in questo modulo"));
                    return None;
                }
            }
        }
        let punto = campi.first().copied();
        let condizione = self.espressione(&r.condizione, punto, Some(&TipoEspr::Booleano), valore);
        let quando = match &r.quando {
            Some(q) => Some(self.espressione(q, punto, Some(&TipoEspr::Booleano), valore)?),
            None => None,
        };
        let condizione = condizione?;
        if campi.is_empty() {
            let mut letti = Vec::new();
            condizione.dipendenze(&mut letti);
            if let Some(q) = &quando {
                q.dipendenze(&mut letti);
            }
            for id in letti {
                if !campi.contains(&id) {
                    campi.push(id);
                }
            }
        }
        let byte = r.messaggio.span().start;
        let testi = r.messaggio.get_ref();
        let messaggio = Messaggio {
            it: self.messaggio(&sost(&testi.it), punto, byte)?,
            en: self.messaggio(&sost(&testi.en), punto, byte)?,
        };
        let gravita = match r.gravita {
            GravitaDef::Bloccante => Gravita::Bloccante,
            GravitaDef::Squadratura => Gravita::Squadratura,
            GravitaDef::Avviso => Gravita::Avviso,
        };
        Some(Regola { id, gravita, condizione, quando, campi, messaggio })
    }

    /// Splits a message into text and `{ADDRESS}` / `{.}` placeholders.
    fn messaggio(&mut self, testo: &str, punto: Option<IdCampo>, byte: usize) -> Option<Vec<Parte>> {
        let mut parti = Vec::new();
        let mut resto = testo;
        let mut letterale = String::new();
        while let Some(inizio) = resto.find('{') {
            letterale.push_str(&resto[..inizio]);
            let dopo = &resto[inizio + 1..];
            let Some(fine) = dopo.find('}') else {
                letterale.push('{');
                resto = dopo;
                continue;
            };
            let dentro = dopo[..fine].trim();
            let campo = if dentro == "." {
                match punto {
                    Some(id) => Some(id),
                    None => {
                        self.errore(byte, "il messaggio cita {.} ma la regola non elenca i suoi campi".into());
                        return None;
                    }
                }
            } else if indirizzo_valido(dentro) {
                match self.indirizzi.get(dentro) {
                    Some(id) => Some(*id),
                    None => {
                        self.errore(byte, format!("il messaggio cita {{{dentro}}}, un campo che non esiste"));
                        return None;
                    }
                }
            } else {
                None
            };
            match campo {
                Some(id) => {
                    if !letterale.is_empty() {
                        parti.push(Parte::Testo(std::mem::take(&mut letterale)));
                    }
                    parti.push(Parte::Campo(id));
                }
                None => {
                    letterale.push('{');
                    letterale.push_str(&dopo[..=fine]);
                }
            }
            resto = &dopo[fine + 1..];
        }
        letterale.push_str(resto);
        if !letterale.is_empty() {
            parti.push(Parte::Testo(letterale));
        }
        Some(parti)
    }

    /// Orders the fields so that each is computed after what it reads; refuses cycles.
    fn grafo(&mut self, regole: &[Regola]) -> Grafo {
        let n = self.campi.len();
        let mut dipendenti = vec![Vec::new(); n];
        let mut letti_da: Vec<Vec<IdCampo>> = vec![Vec::new(); n];
        for (id, campo) in self.campi.iter().enumerate() {
            let mut letti = Vec::new();
            for e in campo.rilevante.iter().chain(&campo.calcolo) {
                e.dipendenze(&mut letti);
            }
            letti.sort_unstable();
            letti.dedup();
            for &g in &letti {
                dipendenti[g as usize].push(id as IdCampo);
            }
            letti_da[id] = letti;
        }
        let mut entranti: Vec<usize> = letti_da.iter().map(Vec::len).collect();
        let mut ordine: Vec<IdCampo> = (0..n).filter(|&i| entranti[i] == 0).map(|i| i as IdCampo).collect();
        let mut i = 0;
        while i < ordine.len() {
            for &d in &dipendenti[ordine[i] as usize] {
                entranti[d as usize] -= 1;
                if entranti[d as usize] == 0 {
                    ordine.push(d);
                }
            }
            i += 1;
        }
        if ordine.len() < n {
            // Walk back through unresolved fields until one repeats: that is a cycle.
            let mut percorso: Vec<usize> = vec![(0..n).find(|&i| entranti[i] > 0).unwrap_or(0)];
            loop {
                let ultimo = *percorso.last().unwrap_or(&0);
                let Some(&prossimo) = letti_da[ultimo].iter().find(|&&g| entranti[g as usize] > 0) else { break };
                if let Some(inizio) = percorso.iter().position(|&p| p == prossimo as usize) {
                    let ciclo: Vec<&str> = percorso[inizio..]
                        .iter()
                        .chain([&(prossimo as usize)])
                        .map(|&p| self.campi[p].indirizzo.as_str())
                        .collect();
                    let byte = self.definito[percorso[inizio]];
                    let messaggio = format!(
                        "ciclo tra calcoli o condizioni di pertinenza: {} (ognuno dipende dal successivo)",
                        ciclo.join(" → ")
                    );
                    self.errore(byte, messaggio);
                    break;
                }
                percorso.push(prossimo as usize);
            }
        }
        let mut rango = vec![0u32; n];
        for (r, &id) in ordine.iter().enumerate() {
            rango[id as usize] = r as u32;
        }
        let mut regole_di = vec![Vec::new(); n];
        for (ir, regola) in regole.iter().enumerate() {
            let mut letti = Vec::new();
            regola.condizione.dipendenze(&mut letti);
            if let Some(q) = &regola.quando {
                q.dipendenze(&mut letti);
            }
            letti.sort_unstable();
            letti.dedup();
            for g in letti {
                regole_di[g as usize].push(ir as u32);
            }
        }
        let mut messaggi_di: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (ir, regola) in regole.iter().enumerate() {
            for parte in regola.messaggio.it.iter().chain(&regola.messaggio.en) {
                if let Parte::Campo(id) = parte {
                    let lista = &mut messaggi_di[*id as usize];
                    if lista.last() != Some(&(ir as u32)) {
                        lista.push(ir as u32);
                    }
                }
            }
        }
        Grafo { ordine, rango, dipendenti, regole_di, messaggi_di }
    }
}

/// The sum of `ids`, as a total row or column computes it.
fn somma(ids: Vec<IdCampo>) -> Espr {
    Espr::Somma(vec![crate::espressione::Argomento::Lista(ids)])
}

/// Maps a byte offset in `modello` with every `#` replaced by `valore` back to an offset in `modello`.
fn indietro(modello: &str, valore: &str, offset: usize) -> usize {
    let mut fuori = 0;
    for (i, c) in modello.char_indices() {
        let lunghezza = if c == '#' { valore.len() } else { c.len_utf8() };
        if fuori + lunghezza > offset {
            return i;
        }
        fuori += lunghezza;
    }
    modello.len()
}

struct ContestoCampi<'a, 'b> {
    c: &'a Costruttore<'b>,
    punto: Option<IdCampo>,
}

impl Contesto for ContestoCampi<'_, '_> {
    fn campo(&self, indirizzo: &str) -> Option<(u32, TipoEspr)> {
        let id = *self.c.indirizzi.get(indirizzo)?;
        Some((id, self.tipo(id)))
    }

    fn intervallo(&self, r: &Riferimento) -> Result<Vec<u32>, String> {
        let (elenco, da, a, lungo) = match r {
            Riferimento::Colonne { rigo, da, a } => {
                (self.c.per_rigo.get(rigo), format!("{rigo}.{da}"), format!("{rigo}.{a}"), format!("il rigo {rigo}"))
            }
            Riferimento::Righi { colonna, da, a } => (
                self.c.per_colonna.get(colonna),
                format!("{da}.{colonna}"),
                format!("{a}.{colonna}"),
                format!("la colonna {colonna}"),
            ),
            Riferimento::Campi { da, a } => {
                (Some(&self.c.senza_colonna), da.clone(), a.clone(), "i campi senza colonna".to_owned())
            }
            Riferimento::Campo(_) => return Err("non è un intervallo".into()),
        };
        let elenco = elenco.map(Vec::as_slice).unwrap_or_default();
        let trova = |indirizzo: &str| {
            let id =
                self.c.indirizzi.get(indirizzo).ok_or(format!("il campo {indirizzo} non esiste in questo modulo"))?;
            elenco.iter().position(|x| x == id).ok_or(format!("{indirizzo} non è lungo {lungo}"))
        };
        let (i, j) = (trova(&da)?, trova(&a)?);
        if i > j {
            return Err(format!("{da} viene dopo {a}: l'intervallo va nell'ordine in cui i campi sono definiti"));
        }
        Ok(elenco[i..=j].to_vec())
    }

    fn tipo(&self, id: u32) -> TipoEspr {
        self.c.campi[id as usize].tipo.in_espressione()
    }

    fn punto(&self) -> Option<u32> {
        self.punto
    }
}
