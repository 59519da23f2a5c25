//! What Gestione → Monitoraggio reads of a campaign: the enti, their stored questionnaires with the summary the
//! job keeps (`compilazione::riepilogo`), and the invii. Three plain scans; the page joins them in memory.

use super::{Conn, DbError};

/// An ente as the monitoring lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ente {
    /// Id.
    pub id: i64,
    /// IPA code.
    pub codice_ipa: String,
    /// Name.
    pub denominazione: String,
    /// Type code.
    pub tipo: String,
    /// Region.
    pub regione: Option<String>,
    /// ISTAT code (its first three digits are the province's).
    pub codice_istat: Option<String>,
    /// Search key (lower case, no accents).
    pub search_key: String,
    /// Still in the registry.
    pub attivo: bool,
    /// Province code, from the ISTAT code (filled after the read).
    #[sqlx(skip)]
    pub provincia: Option<String>,
}

/// Every ente of the registry, by name.
pub async fn enti(c: impl Into<Conn<'_>>) -> Result<Vec<Ente>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT id, codice_ipa, denominazione, tipo, regione, codice_istat, search_key, attivo FROM enti \
         ORDER BY search_key, id"
    )
    .fetch_all(ex)
    .await)?)
}

/// A stored questionnaire with its summary.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Questionario {
    /// Id.
    pub id: i64,
    /// Its ente.
    pub ente_id: i64,
    /// Modulo.
    pub modulo: String,
    /// State code.
    pub stato: String,
    /// Completion in percent.
    pub completamento: i64,
    /// Open bloccanti.
    pub bloccanti: i64,
    /// Squadrature not justified.
    pub squadrature: i64,
}

/// The stored questionnaires of a campaign.
pub async fn questionari(c: impl Into<Conn<'_>>, campagna: &str) -> Result<Vec<Questionario>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT id, ente_id, modulo, stato, completamento, bloccanti, squadrature FROM questionari \
         WHERE campagna = $1"
    )
    .bind(campagna)
    .fetch_all(ex)
    .await)?)
}

/// An invio: questionnaire, version, when, late.
pub type Invio = (i64, i64, i64, bool);

/// Every invio of a campaign.
pub async fn invii(c: impl Into<Conn<'_>>, campagna: &str) -> Result<Vec<Invio>, DbError> {
    Ok(run!(c, |ex| sqlx::query_as(
        "SELECT questionario_id, versione, inviato_at, in_ritardo FROM invii WHERE campagna = $1"
    )
    .bind(campagna)
    .fetch_all(ex)
    .await)?)
}
