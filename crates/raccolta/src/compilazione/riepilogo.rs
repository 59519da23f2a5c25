//! Each questionnaire's summary for Gestione → Monitoraggio (completion, open bloccanti, squadrature not
//! justified), kept in its row so the monitoring of 8,000 enti reads numbers instead of evaluating every
//! questionnaire.
//!
//! The summary is derived data: a job on every node ([`lavora`]) recomputes it for the questionnaires whose
//! revision moved past the one it was computed at, from this node's evaluation when it is at that revision, or
//! from the stored answers. A save's transaction stays as short as it was; the monitoring follows within
//! [`INTERVALLO`] (sooner: a save wakes the job). Two nodes computing the same one store the same numbers, and an
//! older computation never overwrites a newer one.

use std::time::Duration;

use super::cache::Stato;
use crate::app::AppState;
use crate::db::DbError;
use crate::db::questionari::{self, Riepilogo};

/// The longest the monitoring lags behind a change.
pub const INTERVALLO: Duration = Duration::from_secs(5);
/// Questionnaires per round.
const BLOCCO: i64 = 200;

/// The summary of an evaluated questionnaire.
pub fn di(s: &Stato) -> Riepilogo {
    let (mut compilati, mut richiesti) = (0usize, 0usize);
    for q in 0..s.modulo.quadri.len() {
        if let Some(c) = s.valutazione.completamento(q) {
            compilati += c.compilati;
            richiesti += c.richiesti;
        }
    }
    let completamento = (compilati * 100).checked_div(richiesti).unwrap_or(100);
    let (bloccanti, squadrature) =
        super::conteggi(s).iter().fold((0, 0), |(b, q), (_, bq, sq)| (b + *bq as i64, q + *sq as i64));
    Riepilogo { completamento: completamento as i64, bloccanti, squadrature }
}

/// One round: the summaries due, at most [`BLOCCO`]; how many were stored.
pub async fn giro(state: &AppState) -> Result<usize, DbError> {
    let dovuti = questionari::da_riepilogare(&state.db, BLOCCO).await?;
    let mut scritti = 0;
    for q in dovuti {
        let Some(modulo) = super::definizione(state, &q) else {
            // A definition no longer compiled in: nothing to compute, and not due again.
            questionari::riepiloga(&state.db, q.id, q.revisione, Riepilogo::default()).await?;
            continue;
        };
        // The node's copy when it is at this revision; otherwise the stored answers, without filling the cache.
        let dalla_copia = match state.valutazioni.se_presente(q.id) {
            Some(voce) => voce.read().await.as_ref().filter(|s| s.revisione == q.revisione).map(di),
            None => None,
        };
        let r = match dalla_copia {
            Some(r) => r,
            None => match Stato::carica(&state.db, modulo, &q).await {
                Ok(s) => di(&s),
                Err(error) => {
                    // One that fails must not hold up the others: the round goes on, and it is tried again.
                    tracing::warn!(%error, questionario = q.id, "riepilogo non calcolato");
                    continue;
                }
            },
        };
        if questionari::riepiloga(&state.db, q.id, q.revisione, r).await? {
            scritti += 1;
        }
    }
    Ok(scritti)
}

/// The node's job: a round every [`INTERVALLO`] or when woken, until `shutdown`.
pub async fn lavora(state: AppState, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let pieno = match giro(&state).await {
            Ok(n) => n as i64 >= BLOCCO,
            Err(error) => {
                tracing::warn!(%error, "riepiloghi del monitoraggio non aggiornati");
                false
            }
        };
        if pieno {
            // More are due: go on at once, but let the shutdown in.
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::task::yield_now() => continue,
            }
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(INTERVALLO) => {}
        }
    }
}
