//! `GET /gestione/monitoraggio` (and `.csv`, `.xlsx`): a campaign's enti × moduli with their state, filtered,
//! counted, sorted, paged, charted (server-side SVG with a title, a description and the same data as a table), and
//! exported as the filter shows them. Administrators only.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::solo_amministratori;
use crate::app::AppState;
use crate::catalogo::Campagna;
use crate::domain::{TipoEnte, provincia};
use crate::i18n::Lang;
use crate::monitoraggio::{self, Filtro, Ordine, Riga, Situazione};
use crate::web::pubblico::{format_date, render};
use crate::web::questionari::elenco::allegato;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page, no_store};

const PER_PAGINA: usize = 50;

/// The query string: every filter, the sort and the page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    campagna: String,
    #[serde(default)]
    modulo: String,
    #[serde(default)]
    regione: String,
    #[serde(default)]
    provincia: String,
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    stato: String,
    #[serde(default)]
    ritardo: String,
    #[serde(default)]
    bloccanti: String,
    #[serde(default)]
    squadrature: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    ordina: String,
    #[serde(default)]
    verso: String,
    #[serde(default)]
    pagina: String,
}

impl Domanda {
    fn filtro(&self) -> Filtro {
        let corto = |s: &str| s.trim().chars().take(100).collect::<String>();
        Filtro {
            modulo: corto(&self.modulo),
            regione: corto(&self.regione),
            provincia: corto(&self.provincia),
            tipo: TipoEnte::from_code(self.tipo.trim()).map(|t| t.code().to_owned()).unwrap_or_default(),
            situazione: Situazione::from_code(self.stato.trim()),
            ritardo: !self.ritardo.is_empty(),
            bloccanti: !self.bloccanti.is_empty(),
            squadrature: !self.squadrature.is_empty(),
            testo: corto(&self.q),
        }
    }

    /// The non-empty criteria, sort and page, with `cambia` applied (`""` removes a key).
    fn coppie(&self, cambia: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let mut coppie: Vec<(&'static str, String)> = [
            ("campagna", &self.campagna),
            ("modulo", &self.modulo),
            ("regione", &self.regione),
            ("provincia", &self.provincia),
            ("tipo", &self.tipo),
            ("stato", &self.stato),
            ("ritardo", &self.ritardo),
            ("bloccanti", &self.bloccanti),
            ("squadrature", &self.squadrature),
            ("q", &self.q),
            ("ordina", &self.ordina),
            ("verso", &self.verso),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.clone()))
        .collect();
        for (k, v) in cambia {
            if let Some(i) = coppie.iter().position(|(c, _)| c == k) {
                coppie[i].1 = (*v).to_owned();
            } else if *k == "pagina" {
                coppie.push(("pagina", (*v).to_owned()));
            }
        }
        coppie.retain(|(_, v)| !v.is_empty());
        coppie
    }

    /// The query string with `cambia` applied, without the page unless given.
    fn query(&self, cambia: &[(&str, &str)]) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.coppie(cambia) {
            s.append_pair(k, &v);
        }
        s.finish()
    }
}

/// A listed row, as text.
struct RigaVista {
    ente_id: i64,
    ente: String,
    ipa: String,
    tipo: String,
    regione: String,
    provincia: String,
    modulo: String,
    stato: String,
    completamento: i64,
    bloccanti: i64,
    squadrature: i64,
    invio: String,
    in_ritardo: bool,
}

/// A sortable column header.
struct Colonna {
    etichetta: String,
    href: String,
    /// `ascending`, `descending` or `none` (aria-sort).
    aria: &'static str,
}

/// One bar of a chart, in SVG units.
struct Barra {
    x: String,
    y: String,
    w: String,
    h: String,
}

/// Invii per day against the deadline.
struct Giornaliero {
    barre: Vec<Barra>,
    /// The deadline's x, when in range.
    scadenza_x: Option<String>,
    massimo: i64,
    inizio: String,
    fine: String,
    scadenza: String,
    /// The days with invii, for the table.
    tabella: Vec<(String, i64, i64)>,
    totale: i64,
    descrizione: String,
}

/// Share sent per region.
struct PerRegione {
    righe: Vec<(String, i64, i64, i64, String, String)>,
    altezza: i64,
    descrizione: String,
}

#[derive(Template)]
#[template(path = "gestione/monitoraggio.html")]
struct Pagina<'a> {
    page: &'a Page,
    d: Domanda,
    campagne: Vec<(String, String, bool)>,
    campagna_titolo: String,
    scadenza: String,
    moduli: Vec<(String, String, bool)>,
    regioni: Vec<(String, bool)>,
    province: Vec<(String, String, bool)>,
    tipi: Vec<(&'static str, String, bool)>,
    conteggi: Vec<(String, String, i64, String, bool)>,
    complessivo: i64,
    colonne: Vec<Colonna>,
    righe: Vec<RigaVista>,
    totale: i64,
    pagina: i64,
    pagine: i64,
    da: usize,
    a: usize,
    giornaliero: Giornaliero,
    regionale: PerRegione,
}

impl Pagina<'_> {
    fn link_pagina(&self, n: i64) -> String {
        format!("/gestione/monitoraggio?{}", self.d.query(&[("pagina", &n.to_string())]))
    }

    fn link_promemoria(&self) -> String {
        format!("/gestione/monitoraggio/promemoria?{}", self.d.query(&[]))
    }

    fn link_esporta(&self, formato: &str) -> String {
        format!("/gestione/monitoraggio.{formato}?{}", self.d.query(&[]))
    }
}

/// The campaign asked for, else the first open one, else the first.
fn campagna_scelta<'s>(state: &'s AppState, d: &Domanda) -> Result<&'s Campagna, AppError> {
    let tutte = state.catalogo.tutte();
    if !d.campagna.is_empty() {
        return state.catalogo.campagna(d.campagna.trim()).ok_or(AppError::NotFound);
    }
    tutte.iter().find(|c| c.aperta()).or(tutte.first()).ok_or(AppError::NotFound)
}

fn testo_data_ora(unix: Option<i64>) -> String {
    unix.map(crate::ora::data_ora).unwrap_or_default()
}

fn vista(r: &Riga, lang: Lang) -> RigaVista {
    RigaVista {
        ente_id: r.ente.id,
        ente: r.ente.denominazione.clone(),
        ipa: r.ente.codice_ipa.clone(),
        tipo: TipoEnte::etichetta_di(&r.ente.tipo, lang),
        regione: r.ente.regione.clone().unwrap_or_default(),
        provincia: r.ente.provincia.as_deref().map(provincia::nome).unwrap_or_default(),
        modulo: r.modulo.to_string(),
        stato: r.situazione.etichetta(lang),
        completamento: r.completamento,
        bloccanti: r.bloccanti,
        squadrature: r.squadrature,
        invio: testo_data_ora(r.ultimo_invio),
        in_ritardo: r.in_ritardo,
    }
}

fn uno(v: f64) -> String {
    format!("{v:.1}")
}

/// The SVG of invii per period: 720 × 220 units, the plot from x = 48 to 710 and y = 12 to 190.
fn giornaliero(righe: &[&Riga], c: &Campagna, lang: Lang) -> Giornaliero {
    let periodi = monitoraggio::invii_per_periodo(righe.iter().copied(), c);
    let massimo = periodi.iter().map(|(_, _, n)| *n).max().unwrap_or(0).max(1);
    let (x0, x1, y0, y1) = (48.0, 710.0, 12.0, 190.0);
    let passo = (x1 - x0) / periodi.len().max(1) as f64;
    let barre = periodi
        .iter()
        .enumerate()
        .filter(|(_, (_, _, n))| *n > 0)
        .map(|(i, (_, _, n))| {
            let h = (y1 - y0) * *n as f64 / massimo as f64;
            Barra { x: uno(x0 + passo * i as f64), y: uno(y1 - h), w: uno((passo - 1.0).max(1.0)), h: uno(h) }
        })
        .collect();
    let scadenza = c.scadenza();
    let scadenza_x = periodi
        .iter()
        .position(|(da, a, _)| (*da..=*a).contains(&scadenza))
        .map(|i| uno(x0 + passo * i as f64 + passo / 2.0));
    let periodo = |da: time::Date, a: time::Date| {
        if da == a { format_date(da, lang) } else { format!("{} – {}", format_date(da, lang), format_date(a, lang)) }
    };
    let mut cumulato = 0;
    let tabella = periodi
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(da, a, n)| {
            cumulato += n;
            (periodo(*da, *a), *n, cumulato)
        })
        .collect();
    let totale: i64 = periodi.iter().map(|(_, _, n)| n).sum();
    let dopo: i64 = periodi.iter().filter(|(da, _, _)| *da > scadenza).map(|(_, _, n)| n).sum();
    let inizio = periodi.first().map(|(d, _, _)| format_date(*d, lang)).unwrap_or_default();
    let fine = periodi.last().map(|(_, d, _)| format_date(*d, lang)).unwrap_or_default();
    let giorni_per_barra = periodi.first().map_or(1, |(da, a, _)| (*a - *da).whole_days() + 1);
    let descrizione = lang.t_n_args(
        "monitoraggio-grafico-giorni-desc",
        totale,
        &[
            ("inizio", inizio.clone()),
            ("fine", fine.clone()),
            ("scadenza", format_date(scadenza, lang)),
            ("dopo", dopo.to_string()),
            ("massimo", massimo.to_string()),
            ("barre", lang.t_n("monitoraggio-barre", giorni_per_barra)),
        ],
    );
    Giornaliero {
        barre,
        scadenza_x,
        massimo,
        inizio,
        fine,
        scadenza: format_date(scadenza, lang),
        tabella,
        totale,
        descrizione,
    }
}

/// The SVG of the share sent per region: one 24-unit row per region, the bar from x = 190 to 650.
fn regionale(righe: &[&Riga], lang: Lang) -> PerRegione {
    let per = monitoraggio::inviati_per_regione(righe.iter().copied());
    let righe: Vec<(String, i64, i64, i64, String, String)> = per
        .into_iter()
        .enumerate()
        .map(|(i, (regione, inviati, totale))| {
            let quota = (inviati * 100).checked_div(totale).unwrap_or(0);
            let nome = if regione.is_empty() { lang.t("monitoraggio-regione-ignota") } else { regione };
            let w = 460.0 * inviati as f64 / totale.max(1) as f64;
            (nome, inviati, totale, quota, uno(w), uno(24.0 * i as f64 + 6.0))
        })
        .collect();
    let altezza = 24 * righe.len() as i64 + 12;
    let (inviati, totale) = righe.iter().fold((0, 0), |(a, b), r| (a + r.1, b + r.2));
    let descrizione = lang.t_args(
        "monitoraggio-grafico-regioni-desc",
        &[("regioni", righe.len().to_string()), ("inviati", inviati.to_string()), ("totale", totale.to_string())],
    );
    PerRegione { righe, altezza, descrizione }
}

/// `GET /gestione/monitoraggio`.
pub async fn get_monitoraggio(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let lang = page.lang;
    let c = campagna_scelta(&state, &d)?;
    let f = d.filtro();
    let parole = f.parole();
    let tutte = monitoraggio::righe(&state, c).await?;
    let senza_stato: Vec<&Riga> = tutte.iter().filter(|r| f.ammette(r, &parole, true)).collect();
    let mut scelte: Vec<&Riga> = senza_stato.iter().copied().filter(|r| f.ammette(r, &parole, false)).collect();
    let ordine = Ordine::from_code(&d.ordina);
    let discendente = d.verso == "desc";
    monitoraggio::ordina(&mut scelte, ordine, discendente);

    let totale = scelte.len();
    let pagine = totale.div_ceil(PER_PAGINA).max(1);
    let pagina = d.pagina.parse::<usize>().unwrap_or(1).clamp(1, pagine);
    let inizio = (pagina - 1) * PER_PAGINA;
    let righe = scelte.iter().skip(inizio).take(PER_PAGINA).map(|r| vista(r, lang)).collect::<Vec<_>>();

    let conteggi = monitoraggio::conteggi(senza_stato.iter().copied())
        .into_iter()
        .map(|(s, n)| {
            let attivo = f.situazione == Some(s);
            let href = format!("/gestione/monitoraggio?{}", d.query(&[("stato", if attivo { "" } else { s.code() })]));
            (s.code().to_owned(), s.etichetta(lang), n, href, attivo)
        })
        .collect();
    let colonne = [
        ("ente", "monitoraggio-ente"),
        ("regione", "monitoraggio-regione"),
        ("provincia", "monitoraggio-provincia"),
        ("stato", "monitoraggio-stato"),
        ("completamento", "monitoraggio-completamento"),
        ("invio", "monitoraggio-invio"),
    ]
    .into_iter()
    .map(|(code, chiave)| {
        let attuale = ordine.code() == code;
        let verso = if attuale && !discendente { "desc" } else { "" };
        Colonna {
            etichetta: lang.t(chiave),
            href: format!("/gestione/monitoraggio?{}", d.query(&[("ordina", code), ("verso", verso)])),
            aria: match (attuale, discendente) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    })
    .collect();

    // The choices of the filters: what the registry holds.
    let anagrafe = state.anagrafe.attuale(&state.db).await?;
    let html = render(&Pagina {
        page: &page,
        campagne: state
            .catalogo
            .tutte()
            .iter()
            .map(|x| (x.id.clone(), format!("{} · {}", page.tr(&x.titolo), x.stato().etichetta(lang)), x.id == c.id))
            .collect(),
        campagna_titolo: page.tr(&c.titolo).to_owned(),
        scadenza: format_date(c.scadenza(), lang),
        moduli: c
            .moduli
            .iter()
            .map(|m| (m.codice.clone(), format!("{} · {}", m.codice, page.tr(&m.titolo)), m.codice == f.modulo))
            .collect(),
        regioni: anagrafe.regioni.iter().map(|r| (r.clone(), *r == f.regione)).collect(),
        province: anagrafe.province.iter().map(|(nome, p)| (p.clone(), nome.clone(), *p == f.provincia)).collect(),
        tipi: TipoEnte::TUTTI.into_iter().map(|t| (t.code(), t.etichetta(lang), t.code() == f.tipo)).collect(),
        conteggi,
        complessivo: senza_stato.len() as i64,
        colonne,
        righe,
        totale: totale as i64,
        pagina: pagina as i64,
        pagine: pagine as i64,
        da: if totale == 0 { 0 } else { inizio + 1 },
        a: (inizio + PER_PAGINA).min(totale),
        giornaliero: giornaliero(&scelte, c, lang),
        regionale: regionale(&scelte, lang),
        d,
    })?;
    Ok(no_store(html))
}

/// The export's columns.
fn intestazioni(lang: Lang) -> Vec<String> {
    [
        "monitoraggio-ipa",
        "monitoraggio-ente",
        "monitoraggio-tipo",
        "monitoraggio-regione",
        "monitoraggio-provincia",
        "monitoraggio-modulo",
        "monitoraggio-stato",
        "monitoraggio-completamento",
        "monitoraggio-bloccanti",
        "monitoraggio-squadrature",
        "monitoraggio-primo-invio",
        "monitoraggio-invio",
        "monitoraggio-in-ritardo",
    ]
    .into_iter()
    .map(|k| lang.t(k))
    .collect()
}

/// Every row the filter admits, in the page's order, and the campaign.
async fn filtrate<'s>(state: &'s AppState, d: &Domanda) -> Result<(&'s Campagna, Vec<Riga>), AppError> {
    let c = campagna_scelta(state, d)?;
    let f = d.filtro();
    let parole = f.parole();
    let mut tutte = monitoraggio::righe(state, c).await?;
    tutte.retain(|r| f.ammette(r, &parole, false));
    let mut scelte: Vec<&Riga> = tutte.iter().collect();
    monitoraggio::ordina(&mut scelte, Ordine::from_code(&d.ordina), d.verso == "desc");
    let scelte = scelte.into_iter().cloned().collect();
    Ok((c, scelte))
}

fn nome_file(campagna: &str, estensione: &str) -> String {
    let sicuro: String = campagna.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("monitoraggio-{sicuro}.{estensione}")
}

fn celle(r: &Riga, lang: Lang) -> [String; 13] {
    let v = vista(r, lang);
    [
        v.ipa,
        v.ente,
        v.tipo,
        v.regione,
        v.provincia,
        v.modulo,
        v.stato,
        v.completamento.to_string(),
        v.bloccanti.to_string(),
        v.squadrature.to_string(),
        testo_data_ora(r.primo_invio),
        v.invio,
        lang.t(if r.in_ritardo { "monitoraggio-si" } else { "monitoraggio-no" }),
    ]
}

/// `GET /gestione/monitoraggio.csv`: `;`-separated, UTF-8 with BOM, for Excel in Italian.
pub async fn get_csv(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let lang = page.lang;
    let (c, righe) = filtrate(&state, &d).await?;
    let campagna = c.id.clone();
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::from(*b"\xEF\xBB\xBF"));
    let csv_err = |e: csv::Error| AppError::Internal(e.into());
    w.write_record(intestazioni(lang)).map_err(csv_err)?;
    for r in &righe {
        w.write_record(celle(r, lang).iter().map(|c| crate::esporta::inerte(c).into_owned())).map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok(allegato(bytes, "text/csv; charset=utf-8", &nome_file(&campagna, "csv")))
}

/// `GET /gestione/monitoraggio.xlsx`: numbers as numbers, in constant memory.
pub async fn get_xlsx(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let lang = page.lang;
    let (c, righe) = filtrate(&state, &d).await?;
    let campagna = c.id.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut libro = rust_xlsxwriter::Workbook::new();
        let foglio = libro.add_worksheet_with_constant_memory();
        foglio.set_name(lang.t("monitoraggio-foglio"))?;
        let grassetto = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in intestazioni(lang).iter().enumerate() {
            foglio.write_string_with_format(0, c as u16, h, &grassetto)?;
        }
        for (i, r) in righe.iter().enumerate() {
            let riga = i as u32 + 1;
            for (c, testo) in celle(r, lang).iter().enumerate() {
                match c {
                    7..=9 => foglio.write_number(riga, c as u16, testo.parse::<f64>().unwrap_or(0.0))?,
                    _ => foglio.write_string(riga, c as u16, testo)?,
                };
            }
        }
        libro.save_to_buffer()
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(allegato(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &nome_file(&campagna, "xlsx"),
    ))
}

#[derive(Template)]
#[template(path = "gestione/promemoria.html")]
struct Promemoria<'a> {
    page: &'a Page,
    campagna: String,
    aperta: bool,
    scadenza: String,
    indietro: String,
    campi: Vec<(&'static str, String)>,
    enti: i64,
    intestazione: &'static str,
    righe: Vec<String>,
    ritmo: String,
    esempio: Option<(String, String)>,
    esito: String,
}

async fn promemoria_pagina(
    state: &AppState,
    page: &Page,
    d: &Domanda,
    fatto: Option<crate::promemoria::Conteggio>,
    bersagli_e_campagna: (&Campagna, Vec<crate::promemoria::Bersaglio>),
) -> Result<Response, AppError> {
    let (c, bersagli) = bersagli_e_campagna;
    let lang = page.lang;
    let titolo = page.tr(&c.titolo).to_owned();
    let scadenza = format_date(c.scadenza(), lang);
    let al_minuto = state.config.promemoria_al_minuto;
    let conteggio = match &fatto {
        Some(f) => f.clone(),
        None => crate::promemoria::conta(state, c, &bersagli).await?,
    };
    let esempio = bersagli.first().map(|b| {
        let moduli = b.moduli.iter().map(|m| format!("{} {m}", c.codice)).collect::<Vec<_>>().join(", ");
        (
            crate::promemoria::oggetto(lang, &titolo, &scadenza),
            crate::promemoria::testo(lang, &titolo, &b.ente, &moduli, &scadenza),
        )
    });
    let html = render(&Promemoria {
        page,
        campagna: titolo,
        aperta: c.aperta(),
        scadenza,
        indietro: format!("/gestione/monitoraggio?{}", d.query(&[])),
        // The campaign shown, even when the address named none: the send reaches the campaign previewed.
        campi: d.coppie(&[("campagna", c.id.as_str())]),
        enti: conteggio.enti as i64,
        intestazione: if fatto.is_some() { "promemoria-intestazione-fatto" } else { "promemoria-intestazione" },
        righe: vec![
            lang.t_n(if fatto.is_some() { "promemoria-enti-fatto" } else { "promemoria-enti" }, conteggio.enti as i64),
            lang.t_n(
                if fatto.is_some() { "promemoria-destinatari-fatto" } else { "promemoria-destinatari" },
                conteggio.destinatari as i64,
            ),
            lang.t_n("promemoria-gia-avvisati", conteggio.gia_avvisati as i64),
            lang.t_n("promemoria-senza-compilatori", conteggio.senza_compilatori as i64),
        ],
        ritmo: lang.t_args("promemoria-ritmo", &[("ritmo", al_minuto.to_string())]),
        esempio,
        esito: match &fatto {
            Some(f) => lang.t_n_args("promemoria-fatto", f.enti as i64, &[("destinatari", f.destinatari.to_string())]),
            None => String::new(),
        },
    })?;
    Ok(no_store(html))
}

/// `GET /gestione/monitoraggio/promemoria`: who a reminder to the filter's enti that have not sent would reach.
pub async fn get_promemoria(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let (c, righe) = filtrate(&state, &d).await?;
    let bersagli = crate::promemoria::bersagli(righe.iter());
    promemoria_pagina(&state, &page, &d, None, (c, bersagli)).await
}

/// `POST /gestione/monitoraggio/promemoria`: sends them (the form carries the filter).
pub async fn post_promemoria(
    State(state): State<AppState>,
    utente: Utente,
    ctx: crate::context::Context,
    page: Page,
    axum::Form(d): axum::Form<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let (c, righe) = filtrate(&state, &d).await?;
    let bersagli = crate::promemoria::bersagli(righe.iter());
    let fatto = crate::promemoria::invia(&state, &ctx, &utente.user, c, &bersagli, &d.query(&[])).await?;
    promemoria_pagina(&state, &page, &d, Some(fatto), (c, bersagli)).await
}
