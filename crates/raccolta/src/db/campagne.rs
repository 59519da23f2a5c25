//! What administrators changed of the campaigns' manifests (state, opening, deadline).

use time::Date;

use super::{Conn, DbError, Tx};
use crate::catalogo::{Calendario, StatoCampagna};

/// `AAAA-MM-GG`.
const FORMATO: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn data(testo: &str) -> Option<Date> {
    Date::parse(testo, FORMATO).ok()
}

fn testo(d: Date) -> String {
    d.format(FORMATO).unwrap_or_default()
}

/// Every stored change; a row that does not read (never written by this code) is left out.
pub async fn tutte(c: impl Into<Conn<'_>>) -> Result<Vec<(String, Calendario)>, DbError> {
    let righe: Vec<(String, String, String, String)> =
        run!(c, |ex| sqlx::query_as("SELECT campagna, stato, apertura, scadenza FROM campagne ORDER BY campagna")
            .fetch_all(ex)
            .await)?;
    Ok(righe
        .into_iter()
        .filter_map(|(id, stato, apertura, scadenza)| {
            let cal = Calendario {
                stato: StatoCampagna::from_code(&stato)?,
                apertura: data(&apertura)?,
                scadenza: data(&scadenza)?,
            };
            Some((id, cal))
        })
        .collect())
}

/// The state of campaign `id` as stored, read inside `tx` (an invio checks it in its own transaction).
pub async fn stato(c: impl Into<Conn<'_>>, id: &str) -> Result<Option<StatoCampagna>, DbError> {
    let riga: Option<(String,)> = run!(c, |ex| sqlx::query_as("SELECT stato FROM campagne WHERE campagna = $1")
        .bind(id)
        .fetch_optional(ex)
        .await)?;
    Ok(riga.and_then(|(s,)| StatoCampagna::from_code(&s)))
}

/// Stores the state and dates of campaign `id`.
pub async fn imposta(tx: &mut Tx, id: &str, cal: &Calendario, user_id: i64, now: i64) -> Result<(), DbError> {
    run!(&mut *tx, |ex| sqlx::query(
        "INSERT INTO campagne (campagna, stato, apertura, scadenza, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campagna) DO UPDATE SET stato = excluded.stato, \
         apertura = excluded.apertura, scadenza = excluded.scadenza, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by"
    )
    .bind(id)
    .bind(cal.stato.code())
    .bind(testo(cal.apertura))
    .bind(testo(cal.scadenza))
    .bind(now)
    .bind(user_id)
    .execute(ex)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Who last changed campaign `id` and when (name and code, Unix seconds).
pub async fn ultima_modifica(c: impl Into<Conn<'_>>, id: &str) -> Result<Option<(String, i64)>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT COALESCE(COALESCE(u.denominazione, u.nome || ' ' || u.cognome) || ' (' || u.codice || ')', ''), \
         c.updated_at FROM campagne c \
         LEFT JOIN users u ON u.id = c.updated_by WHERE c.campagna = $1"
    )
    .bind(id)
    .fetch_optional(ex)
    .await)?)
}
