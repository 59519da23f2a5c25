//! `GET /gestione/audit` and `GET /gestione/audit.csv`: the audit log for administrators, filtered by who, what,
//! on what and when, newest first, in pages; the CSV is the whole filtered log, streamed page by page, and its
//! export is itself audited.

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use super::solo_amministratori;
use crate::app::AppState;
use crate::context::Context;
use crate::db::audit::{self, Evento, Filtro};
use crate::ora::{data_ora, offset_rome};
use crate::web::pubblico::render;
use crate::web::sessione::Utente;
use crate::web::{AppError, Page, no_store};

const PER_PAGINA: i64 = 50;
/// Rows the CSV reads at a time.
const BLOCCO_CSV: i64 = 1000;

/// `?chi=&cosa=&oggetto=&dal=&al=&pagina=`.
#[derive(Debug, Default, Deserialize)]
pub struct Domanda {
    #[serde(default)]
    chi: String,
    #[serde(default)]
    cosa: String,
    #[serde(default)]
    oggetto: String,
    #[serde(default)]
    dal: String,
    #[serde(default)]
    al: String,
    #[serde(default)]
    pagina: String,
}

/// Rome's midnight at the start of `d`, in Unix seconds.
fn mezzanotte(d: Date) -> i64 {
    let locale = PrimitiveDateTime::new(d, Time::MIDNIGHT);
    let offset = offset_rome(locale.assume_utc());
    locale.assume_offset(offset).unix_timestamp()
}

impl Domanda {
    /// The filter, and the message for each date that could not be read (that bound is left out).
    fn filtro(&self, page: &Page) -> (Filtro, Vec<String>) {
        let mut errori = Vec::new();
        let mut data = |testo: &str, etichetta: &str, fine: bool| {
            if testo.trim().is_empty() {
                return None;
            }
            match crate::ora::leggi_giorno(testo) {
                Some(d) => Some(mezzanotte(if fine { d.next_day().unwrap_or(d) } else { d })),
                None => {
                    errori.push(page.lang.t_args("audit-data-non-valida", &[("campo", etichetta.to_owned())]));
                    None
                }
            }
        };
        let dal = data(&self.dal, &page.t("audit-dal"), false);
        let al = data(&self.al, &page.t("audit-al"), true);
        let corto = |s: &str| s.chars().take(100).collect::<String>();
        (Filtro { chi: corto(&self.chi), cosa: corto(&self.cosa), oggetto: corto(&self.oggetto), dal, al }, errori)
    }

    fn query(&self, pagina: Option<i64>) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in
            [("chi", &self.chi), ("cosa", &self.cosa), ("oggetto", &self.oggetto), ("dal", &self.dal), ("al", &self.al)]
        {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if let Some(p) = pagina {
            q.append_pair("pagina", &p.to_string());
        }
        q.finish()
    }
}

/// A listed event.
struct Riga {
    e: Evento,
    quando: String,
}

#[derive(Template)]
#[template(path = "gestione/audit.html")]
struct Pagina<'a> {
    page: &'a Page,
    d: Domanda,
    errori: Vec<String>,
    righe: Vec<Riga>,
    totale: i64,
    pagina: i64,
    pagine: i64,
}

impl Pagina<'_> {
    fn link_pagina(&self, n: i64) -> String {
        format!("/gestione/audit?{}", self.d.query(Some(n)))
    }

    fn link_csv(&self) -> String {
        format!("/gestione/audit.csv?{}", self.d.query(None))
    }
}

/// `GET /gestione/audit`.
pub async fn get_audit(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let (f, errori) = d.filtro(&page);
    let totale = audit::conta(&state.db, &f).await?;
    let pagine = ((totale + PER_PAGINA - 1) / PER_PAGINA).max(1);
    let pagina = d.pagina.parse::<i64>().unwrap_or(1).clamp(1, pagine);
    let righe = audit::cerca(&state.db, &f, None, (pagina - 1) * PER_PAGINA, PER_PAGINA)
        .await?
        .into_iter()
        .map(|e| Riga { quando: data_ora(e.occurred_at), e })
        .collect();
    Ok(no_store(render(&Pagina { page: &page, d, errori, righe, totale, pagina, pagine })?))
}

/// `GET /gestione/audit.csv`: the whole filtered log, `;`-separated with a BOM for Excel, streamed a thousand rows
/// at a time; the export is recorded in the log first.
pub async fn get_csv(
    State(state): State<AppState>,
    utente: Utente,
    page: Page,
    ctx: Context,
    Query(d): Query<Domanda>,
) -> Result<Response, AppError> {
    solo_amministratori(&state, &utente).await?;
    let (f, errori) = d.filtro(&page);
    if !errori.is_empty() {
        return Err(AppError::BadRequest(errori.join(" ")));
    }
    let evento = ctx.audit("audit.esportazione").details(serde_json::json!({
        "chi": f.chi, "cosa": f.cosa, "oggetto": f.oggetto, "dal": f.dal, "al": f.al,
    }));
    audit::record(&state.db, &evento).await?;
    let intestazione = [
        page.t("audit-id"),
        page.t("audit-quando"),
        page.t("audit-chi"),
        page.t("audit-cosa"),
        page.t("audit-oggetto"),
        page.t("audit-origine"),
        page.t("audit-richiesta"),
        page.t("audit-dettagli"),
        page.t("audit-catena"),
    ];
    let primo = intestazione_csv(&intestazione);
    // State of the stream: the filter, the last id sent, and whether the end was reached.
    let inizio = (state, f, None::<i64>, false, Some(primo));
    let flusso = futures_util::stream::unfold(inizio, |(state, f, ultimo, finito, primo)| async move {
        if let Some(p) = primo {
            return Some((Ok::<_, std::io::Error>(p), (state, f, ultimo, finito, None)));
        }
        if finito {
            return None;
        }
        let blocco = match audit::cerca(&state.db, &f, ultimo, 0, BLOCCO_CSV).await {
            Ok(b) => b,
            Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (state, f, ultimo, true, None))),
        };
        let finito = (blocco.len() as i64) < BLOCCO_CSV;
        let ultimo = blocco.last().map(|e| e.id).or(ultimo);
        // One writer per block of a thousand rows, not per row.
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
        for e in &blocco {
            let seq = e.catena_seq.map(|s| s.to_string()).unwrap_or_default();
            // Writing into memory cannot fail.
            let _ = w.write_record([
                e.id.to_string().as_str(),
                &data_ora(e.occurred_at),
                &e.actor,
                &e.action,
                e.target.as_deref().unwrap_or(""),
                e.origin.as_deref().unwrap_or(""),
                e.request_id.as_deref().unwrap_or(""),
                &e.details,
                &seq,
            ]);
        }
        let byte = w.into_inner().unwrap_or_default();
        Some((Ok(byte), (state, f, ultimo, finito, None)))
    });
    let oggi = OffsetDateTime::from_unix_timestamp(ctx.now).map(|t| t.date()).unwrap_or(Date::MIN);
    let nome = format!("audit-{oggi}.csv");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{nome}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(flusso),
    )
        .into_response())
}

/// The UTF-8 BOM (for Excel) and the header line, `;`-separated.
fn intestazione_csv(campi: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(b"\xEF\xBB\xBF".to_vec());
    // Writing into memory cannot fail.
    let _ = w.write_record(campi);
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_rome_s_in_winter_and_in_summer() {
        let inverno = Date::from_calendar_date(2026, time::Month::December, 1).expect("a date");
        assert_eq!(mezzanotte(inverno), 1_796_079_600); // 2026-11-30T23:00:00Z
        let estate = Date::from_calendar_date(2026, time::Month::July, 1).expect("a date");
        assert_eq!(mezzanotte(estate), 1_782_856_800); // 2026-06-30T22:00:00Z
    }
}
