//! The captcha of the login, registration and password forms.
//!
//! The session keeps only a salted hash of the answer, plus a masked copy of the code from which the image and
//! the audio are rendered; the mask travels in the media URLs. Neither the session store nor the URL alone
//! reveals the code. A challenge is single use and valid 10 minutes.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::app::AppState;
use crate::auth::token::constant_time_eq;
use crate::captcha;
use crate::db::{self, throttles};
use crate::i18n::Lang;
use crate::ora::data_ora;
use crate::web::client_ip::ClientIp;
use crate::web::layers::KeepBody;
use crate::web::sessione::session_error;
use crate::web::{AppError, Page};

const KEY: &str = "captcha";
const VALID_SECS: i64 = 600;

#[derive(Debug, Serialize, Deserialize)]
struct Sfida {
    sale: String,
    impronta: String,
    mascherato: String,
    scade: i64,
    /// Random seed of the pictures and sounds of this challenge: every request gets the same rendering.
    seme: u64,
}

/// What a form needs to show a challenge, or why it shows none.
#[derive(Debug, Clone, Serialize)]
pub struct CaptchaView {
    /// The mask, part of the media URLs; empty when no challenge was made.
    pub chiave: String,
    /// Set when this address asked for too many challenges: until when (UTC seconds) it gets no new one.
    #[serde(skip)]
    pub rifiutata_fino: Option<i64>,
}

impl CaptchaView {
    /// The sentence shown instead of the image when the address must wait, or "" when a challenge was made.
    pub fn rifiuto(&self, lang: &Lang) -> String {
        self.rifiutata_fino.map_or_else(String::new, |fino| lang.t_args("captcha-troppe", &[("ora", data_ora(fino))]))
    }

    /// URL of the image.
    pub fn immagine(&self) -> String {
        format!("/captcha/immagine?c={}", self.chiave)
    }

    /// URL of the audio in `lang`.
    pub fn audio(&self, lang: &Lang) -> String {
        format!("/captcha/audio?c={}&lingua={}", self.chiave, lang.code())
    }
}

fn xor(data: &[u8], key: &[u8]) -> Vec<u8> {
    data.iter().zip(key.iter().cycle()).map(|(d, k)| d ^ k).collect()
}

/// Creates a new challenge in the session (replacing any previous one). While `ip` waits after
/// [`throttles::CAPTCHA_IP`]'s free challenges it makes none, removes the previous one, and returns a view that says
/// until when.
pub async fn nuova(state: &AppState, session: &Session, ip: &str) -> Result<CaptchaView, AppError> {
    let now = state.clock.now();
    let contatore = format!("captcha:ip:{ip}");
    // While the address waits, refusals are not counted: they would only push the end of the wait further.
    if let Some(fino) = throttles::blocked_until(&state.db, &contatore, now).await? {
        session.remove::<Sfida>(KEY).await.map_err(session_error)?;
        return Ok(CaptchaView { chiave: String::new(), rifiutata_fino: Some(fino) });
    }
    throttles::record(&state.db, &contatore, now, throttles::CAPTCHA_IP).await?;
    let codice = captcha::nuovo_codice();
    let mut key = vec![0u8; codice.len()];
    rand::rngs::OsRng.try_fill_bytes(&mut key).map_err(|e| AppError::Internal(e.into()))?;
    let sale = captcha::nuovo_sale();
    let sfida = Sfida {
        impronta: captcha::impronta(&codice, &sale),
        sale,
        mascherato: URL_SAFE_NO_PAD.encode(xor(codice.as_bytes(), &key)),
        scade: now + VALID_SECS,
        seme: rand::rngs::OsRng.try_next_u64().map_err(|e| AppError::Internal(e.into()))?,
    };
    session.insert(KEY, &sfida).await.map_err(session_error)?;
    Ok(CaptchaView { chiave: URL_SAFE_NO_PAD.encode(key), rifiutata_fino: None })
}

/// Checks `risposta` against the session's challenge and removes it: one attempt per challenge.
///
/// Concurrent requests of one session each load their own copy of it, so removing the challenge from the session
/// is not enough: the database decides which single request consumes it (the test answer too).
pub async fn verifica(state: &AppState, session: &Session, risposta: &str) -> Result<bool, AppError> {
    let sfida: Option<Sfida> = session.remove(KEY).await.map_err(session_error)?;
    let Some(sfida) = sfida else { return Ok(false) };
    if sfida.scade <= state.clock.now() {
        return Ok(false);
    }
    if !db::captcha::consuma(&state.db, &sfida.sale, sfida.scade).await? {
        return Ok(false);
    }
    if let Some(test) = &state.config.captcha_test_answer {
        return Ok(constant_time_eq(risposta.trim(), test));
    }
    Ok(captcha::verifica(risposta, &sfida.sale, &sfida.impronta))
}

/// What a public form shows around its own fields: the session's CSRF token and a new captcha challenge.
pub async fn modulo(state: &AppState, session: &Session, ip: &str) -> Result<(String, CaptchaView), AppError> {
    let captcha = nuova(state, session, ip).await?;
    let csrf = crate::web::sessione::csrf_token(session).await?;
    Ok((csrf, captcha))
}

/// The checks of a public form that sends e-mail (registration, password reset) before it acts: the captcha, as
/// [`verifica_modulo`], and the wait of the client's address on `ip_key`, whose message goes first, on `campo`.
/// Returns the captcha's message for the field itself.
pub async fn verifica_modulo_e_attesa(
    state: &AppState,
    session: &Session,
    page: &Page,
    risposta: &str,
    (ip_key, campo): (&str, &str),
    errori: &mut Vec<(String, String)>,
) -> Result<String, AppError> {
    let errore_captcha = verifica_modulo(state, session, page, risposta, errori).await?;
    if let Some(until) = throttles::blocked_until(&state.db, ip_key, state.clock.now()).await? {
        let msg = page.lang.t_args("registrazione-attendi", &[("ora", crate::ora::data_ora(until))]);
        errori.insert(0, (campo.to_owned(), msg));
    }
    Ok(errore_captcha)
}

/// Checks the answer of a form (see [`verifica`]); when wrong or missing, adds the message to `errori` and
/// returns it, for the field itself.
pub async fn verifica_modulo(
    state: &AppState,
    session: &Session,
    page: &Page,
    risposta: &str,
    errori: &mut Vec<(String, String)>,
) -> Result<String, AppError> {
    let ok = verifica(state, session, risposta).await?;
    let errore = match (risposta.trim().is_empty(), ok) {
        (true, _) => page.t("captcha-vuoto"),
        (false, false) => page.t("captcha-errato"),
        _ => return Ok(String::new()),
    };
    errori.push(("captcha".to_owned(), errore.clone()));
    Ok(errore)
}

async fn codice(session: &Session, chiave: &str, now: i64) -> Result<(String, u64), AppError> {
    let sfida: Sfida = session.get(KEY).await.map_err(session_error)?.ok_or(AppError::NotFound)?;
    let key = URL_SAFE_NO_PAD.decode(chiave).map_err(|_| AppError::NotFound)?;
    let masked = URL_SAFE_NO_PAD.decode(&sfida.mascherato).map_err(|_| AppError::NotFound)?;
    if key.len() != masked.len() || sfida.scade <= now {
        return Err(AppError::NotFound);
    }
    let code = String::from_utf8(xor(&masked, &key)).map_err(|_| AppError::NotFound)?;
    if !code.chars().all(|c| captcha::ALFABETO.contains(c)) {
        return Err(AppError::NotFound);
    }
    Ok((code, sfida.seme))
}

/// Query of the media routes.
#[derive(Debug, Deserialize)]
pub struct Media {
    c: String,
    lingua: Option<String>,
    scarica: Option<u8>,
}

/// `GET /captcha/immagine?c=…`: the PNG of the current challenge.
pub async fn get_immagine(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<Media>,
) -> Result<Response, AppError> {
    let (code, seme) = codice(&session, &q.c, state.clock.now()).await?;
    let png = captcha::immagine_png_con_seme(&code, seme).map_err(|e| AppError::Internal(e.into()))?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], png).into_response())
}

/// `GET /captcha/audio?c=…&lingua=it`: the WAV reading the current challenge.
pub async fn get_audio(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<Media>,
    page: Page,
) -> Result<Response, AppError> {
    let (code, seme) = codice(&session, &q.c, state.clock.now()).await?;
    let lang = q.lingua.as_deref().and_then(Lang::from_code).unwrap_or(page.lang);
    let wav = captcha::audio_wav_con_seme(&code, lang, seme).map_err(|e| AppError::Internal(e.into()))?;
    let disposition = if q.scarica == Some(1) { "attachment; filename=\"captcha.wav\"" } else { "inline" };
    Ok((
        [
            (header::CONTENT_TYPE, "audio/wav"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        wav,
    )
        .into_response())
}

/// The answer of `POST /captcha/nuovo` when the address must wait.
#[derive(Debug, Serialize)]
struct Rifiuto {
    messaggio: String,
}

/// `POST /captcha/nuovo` (from the page's script, with the CSRF token in a header): a new challenge, same page;
/// 429 with the sentence to show when the address asked for too many.
pub async fn post_nuovo(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    session: Session,
    page: Page,
) -> Result<Response, AppError> {
    let vista = nuova(&state, &session, &ip).await?;
    if vista.rifiutata_fino.is_some() {
        let rifiuto = Rifiuto { messaggio: vista.rifiuto(&page.lang) };
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            Extension(KeepBody),
            [(header::CACHE_CONTROL, "no-store")],
            Json(rifiuto),
        )
            .into_response());
    }
    Ok(Json(vista).into_response())
}
