//! Builds the application state and router, and serves it until a shutdown signal. Tests use this verbatim on
//! port 0.

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::PasswordHasher;
use crate::catalogo::Catalogo;
use crate::config::Config;
use crate::db::Db;
use crate::db::audit;
use crate::mail::{Mailer, Wake, WorkerOptions};
use crate::metrics::Metrics;
use crate::ora::Clock;

/// Everything a request handler may need, shared by all requests of a node.
#[derive(Debug)]
pub struct App {
    /// The node's configuration.
    pub config: Config,
    /// The database.
    pub db: Db,
    /// The campaign catalogue.
    pub catalogo: Catalogo,
    /// The questionnaires' definitions (quadri, fields, rules), loaded and checked at start-up.
    pub questionari: &'static questionario::Catalogo,
    /// The evaluations of the questionnaires being compiled on this node.
    pub valutazioni: crate::compilazione::cache::Cache,
    /// Autosaves handled at once on this node (`web::layers::autosave_concorrenti`): the others wait their turn
    /// here, before they read a session or take a connection, so that a flood of saves leaves connections and CPU
    /// to the pages.
    pub salvataggi: tokio::sync::Semaphore,
    /// This node's count of receipt checks per address (`web::questionari::invio`), in front of the database's.
    pub verifiche: std::sync::Mutex<std::collections::HashMap<String, (i64, i64)>>,
    /// Saves' transactions: batched on SQLite (group commit), one each on PostgreSQL.
    pub scrittore: crate::db::scrittore::Scrittore,
    /// What compile pages tell each other (saves, presence), on every node.
    pub eventi: crate::compilazione::eventi::Bus,
    /// The autocomplete's in-memory copy of the enti registry, checked against the database on each search.
    pub indice_enti: crate::enti::indice::IndiceEnti,
    /// The monitoring's in-memory copy of the registry, checked the same way.
    pub anagrafe: crate::monitoraggio::Anagrafe,
    /// Request and pool metrics.
    pub metrics: Metrics,
    /// Argon2id hashing with bounded concurrency.
    pub hasher: PasswordHasher,
    /// Wakes this node's outbox worker after a request committed an e-mail.
    pub mail_wake: Wake,
    /// The PDFs: the typesetting engine, the models made, and the wake of the job that makes the invii's PDFs.
    pub stampa: crate::compilazione::pdf::Stampa,
    /// The wake of the job that prepares exports.
    pub esportazioni: crate::esportazioni::Coda,
    /// The time every expiry, limit and audit event is measured by; tests move it.
    pub clock: Clock,
}

/// Cheap-to-clone handle on [`App`], the state of the axum router.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    /// Connects to the database, applies migrations and loads the catalogue.
    pub async fn build(config: Config) -> anyhow::Result<AppState> {
        let mut catalogo = Catalogo::load().context("catalogo delle campagne non valido")?;
        // The questionnaires' definitions are checked at start-up too: a broken rule must stop a deployment,
        // not surface on the first compiler's page.
        let questionari = crate::catalogo::definizioni_incorporate()
            .map_err(|elenco| anyhow::anyhow!("definizioni dei questionari non valide:\n{elenco}"))?;
        let db = Db::connect(&config)
            .await
            .with_context(|| format!("connessione al database {} non riuscita", config.database_url_redacted()))?;
        db.migrate().await?;
        let hasher = PasswordHasher::new(config.password_hash_concurrency)?;
        let clock = Clock::default();
        if config.demo {
            // The demo's open campaigns are open today, whatever year the manifests were written for.
            catalogo.date_dimostrative(crate::ora::oggi(clock.now()));
            let rapporto = crate::enti::demo::carica(&db).await.context("caricamento degli enti dimostrativi")?;
            tracing::info!(inseriti = rapporto.inserite, invariati = rapporto.invariate, "enti dimostrativi pronti");
            let bdap =
                crate::enti::demo::precompila(&db, &catalogo, questionari, &clock).await.map_err(|e| match e {
                    crate::compilazione::precompila::Rifiuto::Errori(errori) => {
                        let elenco: Vec<String> = errori.iter().map(ToString::to_string).collect();
                        anyhow::anyhow!("valori BDAP dimostrativi non validi:\n{}", elenco.join("\n"))
                    }
                    e => anyhow::Error::new(e).context("caricamento dei valori BDAP dimostrativi"),
                })?;
            tracing::info!(scritti = bdap.scritti, invariati = bdap.invariati, "valori BDAP dimostrativi pronti");
            let admin = crate::admin::crea_demo(&db, &hasher, &clock)
                .await
                .context("creazione dell'amministratore dimostrativo")?;
            tracing::warn!(
                nome_utente = crate::admin::DEMO_EMAIL,
                codice = admin.codice.as_str(),
                password = crate::admin::DEMO_PASSWORD,
                creato = admin.creato,
                "modalità dimostrativa: accedi come amministratore con questo nome utente (o il codice) e questa \
                 password per decidere le richieste di associazione; non usarla in produzione"
            );
            let compilatore = crate::admin::crea_compilatore_demo(&db, &hasher, &clock)
                .await
                .context("creazione del compilatore dimostrativo")?;
            tracing::warn!(
                nome_utente = crate::admin::DEMO_COMPILATORE_EMAIL,
                codice = compilatore.codice.as_str(),
                password = crate::admin::DEMO_COMPILATORE_PASSWORD,
                ente = crate::admin::DEMO_COMUNE,
                creato = compilatore.creato,
                "modalità dimostrativa: accedi come compilatore (Compilazione sul Comune di Milano) con questo nome \
                 utente e questa password per compilare i questionari"
            );
        }
        // What administrators changed of the campaigns (Gestione → Campagne) over the manifests.
        catalogo.applica(&crate::db::campagne::tutte(&db).await.context("lettura dello stato delle campagne")?);
        let scrittore = crate::db::scrittore::Scrittore::avvia(&db);
        let salvataggi = crate::web::layers::autosave_concorrenti(&config);
        let state = AppState(Arc::new(App {
            config,
            db,
            catalogo,
            questionari,
            valutazioni: Default::default(),
            salvataggi: tokio::sync::Semaphore::new(salvataggi),
            verifiche: Default::default(),
            eventi: Default::default(),
            scrittore,
            indice_enti: Default::default(),
            anagrafe: Default::default(),
            metrics: Metrics::new(),
            hasher,
            mail_wake: Wake::new(),
            stampa: Default::default(),
            esportazioni: Default::default(),
            clock,
        }));
        record_system_event(&state, "sistema.avvio", None).await;
        Ok(state)
    }
}

/// Serves `state` on `listener` until `shutdown` completes; then stops accepting, lets in-flight requests finish
/// for at most the configured grace period, and returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let grace = state.config.shutdown_grace();
    let router = crate::web::router(state.clone());
    let (fired_tx, fired_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = fired_tx.send(());
    };
    let node = addr.to_string();
    let mailer = Mailer::from_config(&state.config)?;
    if state.config.captcha_test_answer.is_some() {
        tracing::warn!("RACCOLTA_CAPTCHA_TEST_ANSWER è impostata: ogni captcha accetta la risposta di prova");
    }
    // Background work of this node stops with the server.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let worker = tokio::spawn(crate::mail::worker::run(
        state.db.clone(),
        mailer,
        state.mail_wake.clone(),
        WorkerOptions::default(),
        stopped(stop_rx.clone()),
    ));
    let cleaner = tokio::spawn(crate::jobs::pulizia(
        state.db.clone(),
        state.clock.clone(),
        state.config.audit_conservazione_giorni,
        stopped(stop_rx.clone()),
    ));
    let pdf = tokio::spawn(crate::compilazione::pdf::lavora(state.clone(), stopped(stop_rx.clone())));
    let sigilli = tokio::spawn(crate::jobs::sigilla_audit(state.db.clone(), stopped(stop_rx.clone())));
    let campagne = tokio::spawn(crate::campagne::segui(state.clone(), stopped(stop_rx.clone())));
    let riepiloghi = tokio::spawn(crate::compilazione::riepilogo::lavora(state.clone(), stopped(stop_rx.clone())));
    let esportazioni = tokio::spawn(crate::esportazioni::lavora(state.clone(), stopped(stop_rx.clone())));
    let ascolto = {
        let state = state.clone();
        tokio::spawn(async move { state.eventi.ascolta(state.db.clone(), stopped(stop_rx)).await })
    };
    tracing::info!(%addr, backend = state.db.backend(), "Raccolta in ascolto");
    let mut server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(signal)
            .await
    });
    tokio::select! {
        finished = &mut server => { finished??; }
        _ = fired_rx => {
            tracing::info!(grace_secs = grace.as_secs(), "arresto: nessuna nuova connessione, completo le richieste in corso");
            match tokio::time::timeout(grace, &mut server).await {
                Ok(finished) => finished??,
                Err(_) => {
                    tracing::warn!("arresto forzato: richieste ancora in corso allo scadere del tempo concesso");
                    server.abort();
                }
            }
        }
    }
    let _ = stop_tx.send(true);
    let _ = tokio::join!(worker, cleaner, pdf, sigilli, campagne, riepiloghi, esportazioni, ascolto);
    record_system_event(&state, "sistema.arresto", Some(&node)).await;
    state.db.close().await;
    tracing::info!("Raccolta arrestata");
    Ok(())
}

async fn record_system_event(state: &AppState, action: &str, node: Option<&str>) {
    let event = crate::context::Context::system(&state.clock, node)
        .audit(action)
        .details(serde_json::json!({ "version": env!("CARGO_PKG_VERSION"), "pid": std::process::id() }));
    if let Err(error) = audit::record(&state.db, &event).await {
        tracing::warn!(%error, action, "evento di audit non registrato");
    }
}

/// A future that completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed now, before the server
/// says it is listening: a signal that arrives early still stops it gracefully instead of killing it.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("ricevuto SIGINT"),
                _ = terminate.recv() => tracing::info!("ricevuto SIGTERM"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("ricevuto Ctrl-C");
        })
    }
}
