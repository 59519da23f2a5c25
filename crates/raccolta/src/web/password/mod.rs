//! `/password`: Modifica Password by e-mail (request, then a single-use link valid 60 minutes).

pub mod nuova;
pub mod richiesta;

/// How long a reset link stays valid.
pub const RESET_VALIDO_MINUTI: i64 = 60;

/// Issues a single-use reset link for `user` inside `tx` and queues its e-mail, in `lang`: the one way both the
/// *Modifica Password* page and an administrator (Gestione → Utenti) send one.
pub(crate) async fn accoda_reset(
    state: &crate::app::AppState,
    tx: &mut crate::db::Tx,
    user: &crate::db::users::User,
    lang: crate::i18n::Lang,
    now: i64,
) -> Result<(), crate::db::DbError> {
    use crate::auth::token::{random_token, token_hash};
    let token = random_token();
    let base = state.config.base_url.as_str().trim_end_matches('/');
    let expires = now + RESET_VALIDO_MINUTI * 60;
    crate::db::tokens::issue(
        &mut *tx,
        user.id,
        crate::db::tokens::Kind::Reset,
        &token_hash(&token),
        now,
        expires,
        None,
    )
    .await?;
    let mail = crate::mail::Email::RichiestaModificaPassword {
        nome: user.nome_visualizzato(),
        link: format!("{base}/password/nuova?token={token}"),
    };
    crate::db::outbox::enqueue(&mut *tx, &mail.message(&user.email, lang, &state.config)).await?;
    Ok(())
}
