//! The PDFs: of each invio, the questionnaire as sent (with the differences from the previous version as an annex)
//! and its receipt, made by a job after the invio's commit from what the invio froze, stored, and served as those
//! bytes; and the blank model of each modulo, made from its definition, so that the public models can never
//! disagree with the questionnaire people compile.
//!
//! The invio's documents are in Italian, the language of the official return, whatever the sender's page language;
//! the models follow the reader's language.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use documenti::dati::{
    self, Campo, Cella, Coppia, Differenza as RigaDifferenza, Differenze, Etichette, Intestazione, Quadro, Riga,
    Sezione, Squadratura, Tabella,
};
use documenti::{Momento, Motore};
use questionario::{IdCampo, Lingua, Modulo, Risposte, Valore, Valutazione};
use serde::Deserialize;

use crate::app::AppState;
use crate::db::invii::{self, Invio};
use crate::db::{DbError, documenti as archivio, questionari};
use crate::i18n::Lang;
use crate::ora::data_ora;

/// Invii whose PDFs one round of the job makes.
const LOTTO: i64 = 8;
/// How long a claimed invio is left to the node that claimed it.
const LEASE_SECS: i64 = 300;
/// How often the job looks for work when nobody wakes it (a failed attempt, another node's invio).
const OGNI: Duration = Duration::from_secs(30);

/// A blank model: made once per node, by the first request that asks for it (the others wait for it).
type Modello = Arc<tokio::sync::OnceCell<Arc<[u8]>>>;

/// The typesetting engine and the models already made.
#[derive(Debug, Default)]
pub struct Stampa {
    motore: Motore,
    /// By campaign, modulo and language code.
    modelli: Mutex<HashMap<(String, String, &'static str), Modello>>,
    sveglia: tokio::sync::Notify,
}

impl Stampa {
    /// Asks the job to look at the queue now: call it after an invio committed.
    pub fn sveglia(&self) {
        self.sveglia.notify_one();
    }
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ErrorePdf {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// typst failed: a defect of a template, logged and retried.
    #[error(transparent)]
    Composizione(#[from] documenti::Errore),
    /// The invio, its questionnaire or its definition is not there.
    #[error("{0}")]
    Mancante(String),
}

/// What an invio froze, as read back (the writer is `invio::Fotografia`).
#[derive(Debug, Deserialize)]
struct Foto {
    protocollo: String,
    codice: String,
    modulo: String,
    ente: EnteFoto,
    versione: i64,
    mittente: String,
    inviato_at: i64,
    in_ritardo: bool,
    #[serde(default)]
    valori: BTreeMap<String, String>,
    #[serde(default)]
    precompilati: BTreeMap<String, String>,
    #[serde(default)]
    giustificazioni: BTreeMap<String, GiustificazioneFoto>,
}

#[derive(Debug, Deserialize)]
struct EnteFoto {
    codice_ipa: String,
    codice_fiscale: String,
    denominazione: String,
}

#[derive(Debug, Deserialize)]
struct GiustificazioneFoto {
    testo: String,
}

/// Makes and stores the PDFs of invio `invio_id`. `Ok(false)`: they were stored already (by another node).
pub async fn genera(state: &AppState, invio_id: i64) -> Result<bool, ErrorePdf> {
    let invio = invii::by_id(&state.db, invio_id).await?.ok_or_else(|| mancante("invio", invio_id))?;
    let q = questionari::by_id(&state.db, invio.questionario_id)
        .await?
        .ok_or_else(|| mancante("questionario", invio.questionario_id))?;
    let m = super::definizione(state, &q).ok_or_else(|| ErrorePdf::Mancante(format!("modulo {}", q.modulo)))?;
    if m.impronta.to_string() != invio.impronta {
        // Printing a sent questionnaire with another definition would misreport it: wait for the right binary.
        return Err(ErrorePdf::Mancante(format!(
            "la definizione del modulo {} {} è cambiata dopo l'invio {}",
            q.codice, q.modulo, invio.protocollo
        )));
    }
    let annesso = match invii::versione(&state.db, q.id, invio.versione - 1).await? {
        Some(prima) => {
            let autori = questionari::autori_tra(&state.db, q.id, prima.revisione, Some(invio.revisione)).await?;
            Some((prima, autori))
        }
        None => None,
    };
    let titolo_campagna = super::campagna(state, &q).map(|c| c.titolo.get(Lang::It).to_owned()).unwrap_or_default();
    let dati_q = dati_questionario(m, &invio, &titolo_campagna, annesso.as_ref())?;
    let dati_r = dati_ricevuta(state.config.base_url.as_str(), m, &invio)?;
    let momento = Some(Momento { unix: invio.inviato_at });
    let st = state.clone();
    let (pdf_q, pdf_r) = tokio::task::spawn_blocking(move || {
        Ok::<_, documenti::Errore>((
            st.stampa.motore.questionario(&dati_q, momento)?.pdf,
            st.stampa.motore.ricevuta(&dati_r, momento)?.pdf,
        ))
    })
    .await
    .map_err(|e| ErrorePdf::Mancante(format!("composizione interrotta: {e}")))??;
    Ok(archivio::salva(&state.db, invio_id, &pdf_q, &pdf_r, state.clock.now()).await?)
}

fn mancante(cosa: &str, id: i64) -> ErrorePdf {
    ErrorePdf::Mancante(format!("{cosa} {id} non trovato"))
}

/// Makes the due PDFs until `shutdown`: now, whenever an invio wakes it, and every 30 seconds. A failure is retried
/// after a wait that doubles with each attempt, up to an hour; nothing is given up. `shutdown` is looked at between
/// rounds (a round is at most [`LOTTO`] PDFs); a claim left unstarted is retried when its lease runs out.
pub async fn lavora(state: AppState, shutdown: impl Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        loop {
            if crate::mail::worker::has_fired(shutdown.as_mut()).await {
                return;
            }
            // A full round may have left more behind it.
            if giro(&state).await != Some(LOTTO as usize) {
                break;
            }
        }
        tokio::select! {
            _ = shutdown.as_mut() => return,
            _ = state.stampa.sveglia.notified() => {}
            _ = tokio::time::sleep(OGNI) => {}
        }
    }
}

/// One round: the PDFs of up to [`LOTTO`] due invii. `None` when the queue could not be read.
pub async fn giro(state: &AppState) -> Option<usize> {
    let now = state.clock.now();
    let ids = match archivio::prendi(&state.db, now, LEASE_SECS, LOTTO).await {
        Ok(ids) => ids,
        Err(error) => {
            tracing::warn!(%error, "coda dei PDF non letta");
            return None;
        }
    };
    let lease = now + LEASE_SECS;
    for &id in &ids {
        match genera(state, id).await {
            Ok(_) => tracing::info!(invio = id, "PDF dell'invio pronti"),
            Err(error) => {
                let tentativi = archivio::tentativi(&state.db, id).await.ok().flatten().map_or(1, |(t, _)| t);
                // 2, 4, 8 … minutes, at most an hour, from the failure (not from the round's start).
                let attesa = 60 * (1_i64 << tentativi.clamp(1, 6)).min(60);
                tracing::warn!(invio = id, tentativi, %error, "PDF dell'invio non generati: nuovo tentativo più tardi");
                let quando = state.clock.now() + attesa;
                if let Err(e) = archivio::fallito(&state.db, id, lease, &error.to_string(), quando).await {
                    tracing::warn!(invio = id, error = %e, "esito del tentativo non registrato");
                }
            }
        }
    }
    Some(ids.len())
}

/// The blank model of a modulo in `lang`, made once per node.
pub async fn modello(state: &AppState, m: &'static Modulo, lang: Lang) -> Result<Arc<[u8]>, ErrorePdf> {
    let cella = {
        let mut modelli = state.stampa.modelli.lock().unwrap_or_else(|e| e.into_inner());
        modelli.entry((m.campagna.clone(), m.modulo.clone(), lang.code())).or_default().clone()
    };
    let st = state.clone();
    let pdf = cella
        .get_or_try_init(|| async move {
            let dati = modello_vuoto(m, lang);
            let doc = tokio::task::spawn_blocking(move || st.stampa.motore.questionario(&dati, None))
                .await
                .map_err(|e| ErrorePdf::Mancante(format!("composizione interrotta: {e}")))??;
            Ok::<_, ErrorePdf>(Arc::from(doc.pdf))
        })
        .await?;
    Ok(pdf.clone())
}

fn etichette(lang: Lang) -> Etichette {
    let t = |k: &str| lang.t(k);
    Etichette {
        quadro: t("pdf-quadro"),
        campo: t("pdf-campo"),
        valore: t("pdf-valore"),
        annotazioni: t("pdf-annotazioni"),
        nessuna_annotazione: t("pdf-nessuna-annotazione"),
        squadrature: t("invio-squadrature"),
        giustificazione: t("pdf-giustificazione"),
        nessuna_squadratura: t("pdf-nessuna-squadratura"),
        legenda_precompilato: t("pdf-legenda-precompilato"),
        legenda_calcolato: t("pdf-legenda-calcolato"),
        pagina: t("pdf-pagina"),
        di: t("pdf-di"),
        impronta: t("ricevuta-impronta"),
        protocollo: t("ricevuta-protocollo"),
        prima: t("differenze-prima"),
        dopo: t("differenze-dopo"),
        autore: t("differenze-autore"),
        istruzioni: t("pdf-istruzioni"),
        nessuna_differenza: t("differenze-nessuna"),
    }
}

fn titolo(m: &Modulo, l: Lingua) -> String {
    format!("{} {} · {}", m.codice, m.modulo, m.titolo.get(l))
}

fn foto(invio: &Invio) -> Result<Foto, ErrorePdf> {
    serde_json::from_str(&invio.snapshot)
        .map_err(|e| ErrorePdf::Mancante(format!("fotografia dell'invio {} illeggibile: {e}", invio.protocollo)))
}

/// What the questionnaire PDF of `invio` prints, in Italian, from what the invio froze; `annesso` is the previous
/// version with who changed each field since, for the annex of differences.
pub fn dati_questionario(
    m: &Modulo,
    invio: &Invio,
    campagna: &str,
    annesso: Option<&(Invio, HashMap<String, String>)>,
) -> Result<dati::Questionario, ErrorePdf> {
    let foto = &foto(invio)?;
    let sha256 = invio.sha256.as_str();
    let (lang, l) = (Lang::It, Lingua::It);
    let valori: HashMap<IdCampo, Valore> = foto
        .valori
        .iter()
        .filter_map(|(indirizzo, testo)| {
            let id = m.id(indirizzo)?;
            Some((id, m.leggi_canonico(id, testo)?))
        })
        .collect();
    let mostra = |id: IdCampo| super::valori::mostra(m, valori.get(&id), id, l);
    let precompilato = |id: IdCampo| foto.precompilati.get(&m.campi[id as usize].indirizzo).cloned();
    let quadri = m.quadri.iter().map(|q| quadro(m, q, l, &|id| (mostra(id), precompilato(id)))).collect();
    // The squadrature's messages read the values the invio froze.
    let risposte = Risposte { valori: valori.clone(), ..Risposte::default() };
    let valutazione = Valutazione::nuova(m, &risposte);
    let squadrature = m
        .regole
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let g = foto.giustificazioni.get(&r.id)?;
            let quadro = super::quadro_della_regola(m, i).map(|q| m.quadri[q].codice.clone()).unwrap_or_default();
            Some(Squadratura {
                quadro,
                messaggio: valutazione.messaggio_regola(i, l).unwrap_or_else(|| r.id.clone()),
                giustificazione: g.testo.clone(),
            })
        })
        .collect();
    let differenze = annesso.map(|(prima, autori)| {
        let vecchi = super::invio::valori_di(&prima.snapshot);
        let righe = super::invio::confronta(m, &vecchi, &foto.valori, autori, l)
            .into_iter()
            .map(|d| RigaDifferenza {
                quadro: d.quadro,
                campo: format!("{} {}", d.indirizzo, d.etichetta),
                prima: d.prima,
                dopo: d.dopo,
                autore: d.autore,
            })
            .collect();
        Differenze { titolo: lang.t_args("pdf-differenze", &[("versione", prima.versione.to_string())]), righe }
    });
    let ritardo = if foto.in_ritardo { format!(" ({})", lang.t("ricevuta-in-ritardo")) } else { String::new() };
    Ok(dati::Questionario {
        lingua: "it".into(),
        titolo: titolo(m, l),
        autore: foto.ente.denominazione.clone(),
        modello: false,
        intestazione: Intestazione {
            ente: foto.ente.denominazione.clone(),
            modulo: format!("{} {}", foto.codice, foto.modulo),
            versione: format!("{} {}", lang.t("invio-versione"), foto.versione),
            protocollo: foto.protocollo.clone(),
            sha256: sha256.to_owned(),
            nota: String::new(),
        },
        etichette: etichette(lang),
        premessa: vec![
            coppia(lang.t("ricevuta-ente"), ente(&foto.ente)),
            coppia(lang.t("pdf-campagna"), campagna.to_owned()),
            coppia(lang.t("ricevuta-protocollo"), foto.protocollo.clone()),
            coppia(lang.t("invio-versione"), foto.versione.to_string()),
            coppia(lang.t("ricevuta-mittente"), foto.mittente.clone()),
            coppia(lang.t("ricevuta-quando"), format!("{}{ritardo}", data_ora(foto.inviato_at))),
        ],
        istruzioni: None,
        quadri,
        squadrature,
        differenze,
    })
}

fn ente(e: &EnteFoto) -> String {
    format!("{} (IPA {}, C.F. {})", e.denominazione, e.codice_ipa, e.codice_fiscale)
}

fn coppia(etichetta: String, valore: String) -> Coppia {
    Coppia { etichetta, valore }
}

/// One quadro; `valore` gives a field's value as printed and its prefilled source.
fn quadro(
    m: &Modulo,
    q: &questionario::Quadro,
    l: Lingua,
    valore: &dyn Fn(IdCampo) -> (String, Option<String>),
) -> Quadro {
    let calcolato = |id: IdCampo| m.campi[id as usize].calcolo.is_some();
    let sezioni = q
        .sezioni
        .iter()
        .map(|s| Sezione {
            titolo: s.titolo.get(l).to_owned(),
            istruzioni: s.istruzioni.as_ref().map(|t| t.get(l).to_owned()),
            campi: s
                .campi
                .iter()
                .map(|&id| {
                    let c = &m.campi[id as usize];
                    let (testo, precompilato) = valore(id);
                    let unita = c.unita.as_deref().filter(|_| !testo.is_empty());
                    Campo {
                        codice: c.indirizzo.clone(),
                        etichetta: c.etichetta.get(l).to_owned(),
                        aiuto: c.aiuto.as_ref().map(|t| t.get(l).to_owned()),
                        valore: unita.map_or_else(|| testo.clone(), |u| format!("{testo} {u}")),
                        precompilato,
                        calcolato: calcolato(id),
                    }
                })
                .collect(),
            tabelle: s
                .tabelle
                .iter()
                .map(|t| Tabella {
                    titolo: t.titolo.get(l).to_owned(),
                    colonne: t.colonne.iter().map(|(c, e)| format!("{c} {}", e.get(l))).collect(),
                    righe: t
                        .righe
                        .iter()
                        .zip(&t.celle)
                        .map(|((codice, etichetta), celle)| Riga {
                            etichetta: format!("{codice} {}", etichetta.get(l)),
                            celle: celle
                                .iter()
                                .map(|&id| {
                                    let (testo, precompilato) = valore(id);
                                    Cella {
                                        valore: testo,
                                        precompilato: precompilato.is_some(),
                                        calcolato: calcolato(id),
                                    }
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Quadro {
        codice: q.codice.clone(),
        titolo: q.titolo.get(l).to_owned(),
        istruzioni: q.istruzioni.as_ref().map(|t| t.get(l).to_owned()),
        sezioni,
        annotazioni: valore(q.annotazioni).0,
    }
}

/// The blank model of a modulo: every quadro, section, field (with its help) and table, no values.
fn modello_vuoto(m: &Modulo, lang: Lang) -> dati::Questionario {
    let l = super::lingua(lang);
    dati::Questionario {
        lingua: lang.code().into(),
        titolo: titolo(m, l),
        autore: "Raccolta".into(),
        modello: true,
        intestazione: Intestazione {
            modulo: format!("{} {}", m.codice, m.modulo),
            nota: lang.t("pdf-modello-nota"),
            ..Intestazione::default()
        },
        etichette: etichette(lang),
        premessa: vec![
            coppia(lang.t("pdf-anno-riferimento"), m.anno_riferimento.to_string()),
            coppia(lang.t("pdf-anno-compilazione"), m.anno_compilazione.to_string()),
        ],
        istruzioni: m.istruzioni.as_ref().map(|t| t.get(l).to_owned()),
        quadri: m.quadri.iter().map(|q| quadro(m, q, l, &|_| (String::new(), None))).collect(),
        squadrature: Vec::new(),
        differenze: None,
    }
}

/// What the receipt PDF of `invio` prints, in Italian; `base_url` is the platform's public address.
pub fn dati_ricevuta(base_url: &str, m: &Modulo, invio: &Invio) -> Result<dati::Ricevuta, ErrorePdf> {
    let foto = &foto(invio)?;
    let lang = Lang::It;
    let base = base_url.trim_end_matches('/');
    let ritardo = if invio.in_ritardo { format!(" ({})", lang.t("ricevuta-in-ritardo")) } else { String::new() };
    Ok(dati::Ricevuta {
        lingua: "it".into(),
        titolo: lang.t("ricevuta-titolo"),
        autore: foto.ente.denominazione.clone(),
        sottotitolo: lang.t("pdf-ricevuta-intro"),
        righe: vec![
            coppia(lang.t("ricevuta-protocollo"), invio.protocollo.clone()),
            coppia(lang.t("ricevuta-ente"), ente(&foto.ente)),
            coppia(lang.t("ricevuta-modulo"), titolo(m, Lingua::It)),
            coppia(lang.t("invio-versione"), invio.versione.to_string()),
            coppia(lang.t("ricevuta-mittente"), invio.mittente.clone()),
            coppia(lang.t("ricevuta-quando"), format!("{}{ritardo}", data_ora(invio.inviato_at))),
        ],
        etichetta_impronta: lang.t("ricevuta-impronta"),
        sha256: invio.sha256.clone(),
        verifica: lang.t("pdf-ricevuta-verifica"),
        url_verifica: format!("{base}/verifica?protocollo={}&sha256={}", invio.protocollo, invio.sha256),
        indirizzo_verifica: format!("{base}/verifica"),
        alt_qr: lang.t("pdf-ricevuta-qr"),
    })
}

/// Version 1 of `m` sent by `ente` with every field filled in (each type its own plausible value, totals
/// calculated), as an invio freezes it: what the PDF benchmark prints, and the tests' fully filled modulo. Each
/// `seme` gives other values and another protocol number.
pub fn invio_completo(m: &Modulo, ente: &str, seme: usize) -> Invio {
    let snapshot = fotografia_completa(m, ente, seme);
    Invio {
        id: 1,
        questionario_id: 1,
        versione: 1,
        revisione: 1,
        campagna: m.campagna.clone(),
        numero: seme as i64 + 1,
        protocollo: protocollo_di_prova(m, seme),
        user_id: None,
        mittente: "Maria Rossi (U0000001)".into(),
        inviato_at: 1_700_000_000,
        in_ritardo: false,
        impronta: m.impronta.to_string(),
        sha256: super::invio::sha256_hex(&snapshot),
        snapshot,
    }
}

fn protocollo_di_prova(m: &Modulo, seme: usize) -> String {
    super::invio::protocollo(&m.codice, m.anno_riferimento, seme as i64 + 1)
}

fn fotografia_completa(m: &Modulo, ente: &str, seme: usize) -> String {
    let mut risposte = Risposte::default();
    for (i, c) in m.campi.iter().enumerate() {
        if c.calcolo.is_some() {
            continue;
        }
        let n = (i + seme) % 97;
        let testo = match &c.tipo {
            questionario::Tipo::Intero => format!("{}", 10 + n),
            questionario::Tipo::Decimale(_) | questionario::Tipo::Percentuale => format!("{}.5", n % 90),
            questionario::Tipo::Euro => format!("{}.56", 1234 + 1000 * n),
            questionario::Tipo::SiNo => "SI".to_owned(),
            questionario::Tipo::Scelta(o) => o.first().map(|o| o.codice.clone()).unwrap_or_default(),
            questionario::Tipo::Testo(max) => {
                "Dati rettificati rispetto al rendiconto.".chars().take(*max as usize).collect()
            }
            questionario::Tipo::Data => "2022-12-31".to_owned(),
        };
        if let Ok(v) = m.interpreta_testo(i as IdCampo, &testo) {
            risposte.valori.insert(i as IdCampo, v);
        }
    }
    let v = Valutazione::nuova(m, &risposte);
    let valori: BTreeMap<&str, String> = m
        .campi
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.indirizzo.as_str(), v.valore(i as IdCampo).and_then(Valore::canonico)?)))
        .collect();
    serde_json::json!({
        "formato": 1,
        "protocollo": protocollo_di_prova(m, seme),
        "campagna": m.campagna,
        "codice": m.codice,
        "modulo": m.modulo,
        "impronta": m.impronta.to_string(),
        "ente": { "codice_ipa": "c_f205", "codice_fiscale": "01199250158", "denominazione": ente },
        "versione": 1,
        "mittente": "Maria Rossi (U0000001)",
        "inviato_at": 1_700_000_000,
        "in_ritardo": false,
        "valori": valori,
        "precompilati": {},
        "giustificazioni": {},
    })
    .to_string()
}
