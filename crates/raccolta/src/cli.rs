//! The command line: `raccolta [serve]`, `raccolta migrate`, `--config FILE`, and the operators' commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::{self, AppState};
use crate::config::Config;
use crate::db::Db;

/// Raccolta: questionari dei fabbisogni standard e schede di monitoraggio degli enti locali.
#[derive(Debug, Parser)]
#[command(name = "raccolta", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (TOML); by default `raccolta.toml` in the working directory, when present.
    /// Environment variables `RACCOLTA_*` override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations, then serve the platform until SIGTERM/SIGINT.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administrators of the platform.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The enti registry.
    #[command(subcommand)]
    Enti(EntiCommand),
    /// Questionnaire definitions (see docs/questionari.md) and prefilled values.
    #[command(subcommand)]
    Questionari(QuestionariCommand),
    /// The audit log: check its hash chain.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Export every answer of a campaign's modulo (CSV or XLSX, with its codebook), with a progress bar; with
    /// `--open-data`, the open data of a closed campaign (CSV or JSON, no personal data).
    Export {
        /// Campaign folder, e.g. fc80u-2022.
        campagna: String,
        /// Modulo, e.g. B.
        modulo: String,
        /// File format.
        #[arg(long, value_enum, default_value = "csv")]
        formato: FormatoExport,
        /// One row per ente (`larga`, a column per field address) or per ente × field (`lunga`).
        #[arg(long, value_enum, default_value = "larga")]
        forma: FormaExport,
        /// The values stored now (drafts included) instead of the last version sent.
        #[arg(long)]
        bozze: bool,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also write the codebook as CSV to this file (an XLSX file always has it as a second sheet).
        #[arg(long, value_name = "FILE")]
        codebook: Option<PathBuf>,
        /// The open data: the last version sent by each ente, without the questionnaire's state (the columns of
        /// the public page), as CSV or JSON; `--forma` and `--bozze` do not apply.
        #[arg(long)]
        open_data: bool,
        /// With `--open-data`: also write the campaign's DCAT-AP_IT description (JSON-LD) to this file.
        #[arg(long, value_name = "FILE", requires = "open_data")]
        dcat: Option<PathBuf>,
    },
    /// Captcha samples for the benchmarks (`bench/captcha.py`); no configuration or database needed.
    #[command(subcommand, hide = true)]
    Captcha(CaptchaCommand),
}

/// `raccolta export --formato`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatoExport {
    /// `;`-separated, UTF-8 with BOM.
    Csv,
    /// Excel workbook.
    Xlsx,
    /// JSON (with `--open-data`).
    Json,
}

/// `raccolta export --forma`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormaExport {
    /// One row per ente.
    Larga,
    /// One row per ente × field.
    Lunga,
}

/// `raccolta audit …`.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Seal the audit log's rows not sealed yet, then check the whole hash chain: exit 0 when intact, 1 naming the
    /// first altered or deleted row.
    Verifica,
}

/// `raccolta captcha …`.
#[derive(Debug, Subcommand)]
pub enum CaptchaCommand {
    /// Write `n` random challenges into `dir`: `NNNN.png`, `NNNN-it.wav`, `NNNN-en.wav`, and `risposte.tsv`
    /// (file name and answer per line), exactly as the server would render them.
    Campioni {
        /// Folder to write into (created when missing).
        dir: PathBuf,
        /// How many challenges.
        n: u32,
        /// Write the images only.
        #[arg(long)]
        senza_audio: bool,
    },
}

/// `raccolta questionari …`: `check` and `validate` need no configuration or database, `precompila` needs both.
#[derive(Debug, Subcommand)]
pub enum QuestionariCommand {
    /// Load every definition and print a summary per modulo, or every error as file:line:column (exit code 1).
    Check {
        /// Folder of the definitions (e.g. `questionari/`); by default those compiled into the binary.
        dir: Option<PathBuf>,
    },
    /// Validate a JSON file of answers keyed by field address and print the report. Exit code 0 when invio is
    /// allowed, 1 when it is not, 2 when the input cannot be read.
    Validate {
        /// Questionnaire code, e.g. FC80U.
        codice: String,
        /// Modulo, e.g. B.
        modulo: String,
        /// JSON answers: `{"D01.A": "1.5", …}` or `{"valori": …, "precompilati": …, "giustificazioni": …}`.
        risposte: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Folder of the definitions; by default those compiled into the binary.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Import prefilled values (BDAP) from a CSV file with the columns ente, campagna, modulo, campo, valore and
    /// optionally fonte (`;` or `,`, UTF-8 with or without BOM). The whole file is checked first: on any error
    /// every one is printed with its line and nothing is written (exit code 1); otherwise everything is written
    /// in one transaction, and importing the same file again changes nothing.
    Precompila {
        /// The CSV file.
        file: PathBuf,
    },
}

/// `raccolta enti …`.
#[derive(Debug, Subcommand)]
pub enum EntiCommand {
    /// Import the IPA open-data CSV (`,` or `;`, UTF-8 with or without BOM): upsert by IPA code, in one
    /// transaction; a malformed file is refused whole.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Deactivate the enti that are missing from the file (they are never deleted).
        #[arg(long)]
        disattiva_mancanti: bool,
    },
}

/// `raccolta admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator and print a one-time link (valid 24 hours) to choose the password.
    Create {
        /// E-mail address of the administrator.
        #[arg(long)]
        email: String,
        /// Name and surname, e.g. "Maria Rossi".
        #[arg(long)]
        name: String,
    },
}

/// Exit code for a refused configuration.
const EXIT_CONFIG: u8 = 2;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Authors check definitions without a configuration or a database.
    match &cli.command {
        Some(Command::Questionari(QuestionariCommand::Check { dir })) => {
            return ExitCode::from(crate::definizioni::check(dir.as_deref()));
        }
        Some(Command::Questionari(QuestionariCommand::Validate { codice, modulo, risposte, json, dir })) => {
            return ExitCode::from(crate::definizioni::validate(dir.as_deref(), codice, modulo, risposte, *json));
        }
        Some(Command::Captcha(CaptchaCommand::Campioni { dir, n, senza_audio })) => {
            return match campioni_captcha(dir, *n, !*senza_audio) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("raccolta: {error:#}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("raccolta: configurazione non valida / invalid configuration:\n{error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    crate::telemetry::init(&config);
    tracing::info!(?config, "configurazione effettiva");
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(error) => {
            tracing::error!(%error, "impossibile avviare il runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config).await,
            Command::Admin(AdminCommand::Create { email, name }) => admin_create(config, &email, &name).await,
            Command::Enti(EntiCommand::Import { file, disattiva_mancanti }) => {
                enti_import(config, &file, disattiva_mancanti).await
            }
            Command::Questionari(QuestionariCommand::Precompila { file }) => {
                questionari_precompila(config, &file).await
            }
            Command::Audit(AuditCommand::Verifica) => audit_verifica(config).await,
            Command::Export { campagna, modulo, formato, forma, bozze, out, codebook, open_data, dcat } => {
                let opzioni = OpzioniExport { formato, forma, bozze, open_data, dcat };
                export(config, &campagna, &modulo, &opzioni, &out, codebook.as_deref()).await
            }
            Command::Questionari(_) | Command::Captcha(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "raccolta terminata con errore");
            eprintln!("raccolta: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The options of `raccolta export`.
struct OpzioniExport {
    formato: FormatoExport,
    forma: FormaExport,
    bozze: bool,
    open_data: bool,
    dcat: Option<PathBuf>,
}

/// `raccolta export`: the whole export, a block at a time, with a progress bar on the terminal.
async fn export(
    config: Config,
    campagna: &str,
    modulo: &str,
    o: &OpzioniExport,
    out: &std::path::Path,
    codebook: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;

    use crate::esporta::{self, Fonte, Forma};
    let db = Db::connect(&config).await?;
    db.migrate().await?;
    let catalogo = crate::catalogo::Catalogo::load()?;
    catalogo.applica(&crate::db::campagne::tutte(&db).await?);
    let c = catalogo.campagna(campagna).with_context(|| {
        let ids: Vec<&str> = catalogo.tutte().iter().map(|c| c.id.as_str()).collect();
        format!("campagna «{campagna}» sconosciuta: {}", ids.join(", "))
    })?;
    let definizioni = crate::catalogo::definizioni_incorporate().map_err(|e| anyhow::anyhow!(e))?;
    let m = definizioni
        .modulo(&questionario::ChiaveModulo::new(&c.id, &c.codice, modulo.to_uppercase()))
        .with_context(|| {
            let moduli: Vec<&str> = c.moduli.iter().map(|m| m.codice.as_str()).collect();
            format!("modulo «{modulo}» sconosciuto per {campagna}: {}", moduli.join(", "))
        })?;
    if o.open_data && o.bozze {
        anyhow::bail!("gli open data sono le versioni inviate: --bozze non si applica");
    }
    if o.open_data && matches!(o.formato, FormatoExport::Xlsx) {
        anyhow::bail!("gli open data sono in CSV o JSON: --formato csv oppure --formato json");
    }
    if !o.open_data && matches!(o.formato, FormatoExport::Json) {
        anyhow::bail!("il formato JSON è quello degli open data: aggiungi --open-data");
    }
    if o.open_data && !crate::open_data::pubblicata(c) {
        anyhow::bail!(
            "la campagna {} non è chiusa: i suoi open data si pubblicano quando la si chiude (Gestione → Campagne), \
             prima le risposte possono ancora cambiare",
            c.id
        );
    }
    let fonte = if o.bozze { Fonte::Bozze } else { Fonte::Inviati };
    let forma = match o.forma {
        _ if o.open_data => Forma::Aperta,
        FormaExport::Larga => Forma::Larga,
        FormaExport::Lunga => Forma::Lunga,
    };
    let base = config.base_url.as_str().trim_end_matches('/').to_owned();
    let e = esporta::Esportazione::nuova(&db, c, m, fonte).await?;
    let barra = indicatif::ProgressBar::new(e.totale() as u64);
    barra.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} questionari · {elapsed} · {eta} alla fine")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let inizio = std::time::Instant::now();
    let avanza = |letti: usize, _totale: usize| barra.set_position(letti as u64);
    let r = match o.formato {
        FormatoExport::Csv => {
            let file = tokio::fs::File::create(out).await.with_context(|| format!("{}", out.display()))?;
            let mut w = tokio::io::BufWriter::new(file);
            esporta::csv(e, forma, &mut w, avanza).await?
        }
        FormatoExport::Json => {
            let file = tokio::fs::File::create(out).await.with_context(|| format!("{}", out.display()))?;
            let mut w = tokio::io::BufWriter::new(file);
            esporta::json(e, crate::open_data::dataset(c, m, &base), &mut w, avanza).await?
        }
        FormatoExport::Xlsx => esporta::xlsx(e, forma, out, avanza).await?,
    };
    if let Some(percorso) = &o.dcat {
        let moduli: Vec<&questionario::Modulo> = c
            .moduli
            .iter()
            .filter_map(|x| definizioni.modulo(&questionario::ChiaveModulo::new(&c.id, &c.codice, &x.codice)))
            .collect();
        let date = crate::open_data::date(&db, c).await?;
        let editore = crate::open_data::Editore {
            nome: &config.open_data_editore,
            ipa: &config.open_data_editore_ipa,
            email: &config.support_email,
        };
        let jsonld = crate::open_data::dcat(c, &moduli, &base, &editore, &date);
        std::fs::write(percorso, serde_json::to_vec_pretty(&jsonld)?)
            .with_context(|| format!("{}", percorso.display()))?;
    }
    barra.finish_and_clear();
    if let Some(cb) = codebook {
        let byte = esporta::csv_codebook(m, forma);
        std::fs::write(cb, byte).with_context(|| format!("{}", cb.display()))?;
    }
    let secondi = inizio.elapsed().as_secs_f64();
    println!(
        "{}: {} questionari, {} righe, {} valori in {secondi:.1} s ({:.0} valori al secondo)",
        out.display(),
        r.questionari,
        r.righe,
        r.celle,
        r.celle as f64 / secondi.max(1e-9),
    );
    Ok(())
}

/// `raccolta audit verifica`: seals what the servers have not sealed yet, then checks the whole chain; a break is
/// an error naming the first row.
async fn audit_verifica(config: Config) -> anyhow::Result<()> {
    use crate::db::audit::{self, EsitoCatena};

    let db = Db::connect(&config).await?;
    db.migrate().await?;
    while audit::sigilla(&db, 1000).await? == 1000 {}
    match audit::verifica(&db, 1000).await? {
        EsitoCatena::Integra { sigillati, da_sigillare, testa } => {
            println!(
                "Catena del registro di audit integra: {sigillati} eventi sigillati, {da_sigillare} da sigillare."
            );
            println!("Ultima impronta (conservala altrove per accorgerti di una catena riscritta): {testa}");
            Ok(())
        }
        EsitoCatena::Interrotta { seq, id, motivo } => {
            let riga = id.map_or_else(|| format!("posizione {seq}"), |id| format!("evento {id}, posizione {seq}"));
            anyhow::bail!("catena del registro di audit interrotta ({riga}): {motivo}")
        }
    }
}

/// `raccolta captcha campioni`: challenges rendered as the server renders them, with their answers.
fn campioni_captcha(dir: &std::path::Path, n: u32, audio: bool) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use rand::TryRngCore as _;
    std::fs::create_dir_all(dir).with_context(|| format!("impossibile creare {}", dir.display()))?;
    let mut risposte = String::new();
    for i in 0..n {
        let codice = crate::captcha::nuovo_codice();
        let seme = rand::rngs::OsRng.try_next_u64()?;
        let nome = format!("{i:04}");
        let scrivi = |file: String, byte: Vec<u8>| {
            std::fs::write(dir.join(&file), byte).with_context(|| format!("impossibile scrivere {file}"))
        };
        scrivi(format!("{nome}.png"), crate::captcha::immagine_png_con_seme(&codice, seme)?)?;
        if audio {
            for lingua in crate::i18n::Lang::ALL {
                let wav = crate::captcha::audio_wav_con_seme(&codice, lingua, seme)?;
                scrivi(format!("{nome}-{}.wav", lingua.code()), wav)?;
            }
        }
        risposte.push_str(&format!("{nome}\t{codice}\n"));
    }
    std::fs::write(dir.join("risposte.tsv"), risposte).context("impossibile scrivere risposte.tsv")?;
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let shutdown = app::shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("impossibile mettersi in ascolto su {}: {e}", config.listen))?;
    let state = AppState::build(config).await?;
    app::serve(listener, state, shutdown).await
}

async fn admin_create(config: Config, email: &str, name: &str) -> anyhow::Result<()> {
    let db = Db::connect(&config).await?;
    db.migrate().await?;
    let result = crate::admin::crea(&db, &config, email, name).await;
    db.close().await;
    let nuovo = result?;
    println!("Amministratore creato. Codice identificativo utente: {}", nuovo.codice);
    println!("Per scegliere la password (link valido 24 ore, una sola volta):");
    println!("{}", nuovo.link);
    Ok(())
}

async fn enti_import(config: Config, file: &std::path::Path, disattiva_mancanti: bool) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Write};

    use crate::enti::import::{self, Opzioni};

    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("impossibile leggere {}: {e}", file.display()))?;
    let db = Db::connect(&config).await?;
    db.migrate().await?;
    let terminale = std::io::stderr().is_terminal();
    let mut barra = move |fase: &'static str, fatti: usize, totale: usize| {
        if !terminale {
            return;
        }
        let quota = if totale == 0 { 1.0 } else { fatti as f64 / totale as f64 };
        let pieni = (quota * 30.0).round() as usize;
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r{fase:<10} [{}{}] {:>3}%",
            "#".repeat(pieni),
            ".".repeat(30 - pieni.min(30)),
            (quota * 100.0) as u32
        );
        if fase == "fine" {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    };
    let result = import::importa(&db, &bytes, Opzioni { disattiva_mancanti }, &mut barra).await;
    db.close().await;
    let r = result.map_err(|e| anyhow::anyhow!("{}: {e}; nessuna modifica salvata", file.display()))?;
    println!("Importazione di {} completata ({} righe).", file.display(), r.righe);
    println!("  inseriti:   {}", r.inserite);
    println!("  aggiornati: {}", r.aggiornate);
    println!("  invariati:  {}", r.invariate);
    println!("  scartati:   {}", r.scartate.len());
    for s in r.scartate.iter().take(50) {
        println!("    riga {}: {} ({})", s.riga, s.motivo, if s.codice_ipa.is_empty() { "-" } else { &s.codice_ipa });
    }
    if r.scartate.len() > 50 {
        println!("    … e altre {} righe scartate", r.scartate.len() - 50);
    }
    println!("  avvisi:     {} (importati senza il valore non valido)", r.avvisi.len());
    for a in r.avvisi.iter().take(50) {
        println!("    riga {}: {} ({})", a.riga, a.motivo, a.codice_ipa);
    }
    if r.avvisi.len() > 50 {
        println!("    … e altri {} avvisi", r.avvisi.len() - 50);
    }
    if !r.mancanti.is_empty() {
        let come = if disattiva_mancanti { "disattivati" } else { "ancora attivi; --disattiva-mancanti li disattiva" };
        println!("  assenti dal file: {} ({come})", r.mancanti.len());
        for (codice, nome) in r.mancanti.iter().take(50) {
            println!("    {codice}: {nome}");
        }
    }
    Ok(())
}

async fn questionari_precompila(config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    use crate::compilazione::precompila::{self, Rifiuto};

    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("impossibile leggere {}: {e}", file.display()))?;
    let questionari = crate::catalogo::definizioni_incorporate()
        .map_err(|elenco| anyhow::anyhow!("definizioni dei questionari non valide:\n{elenco}"))?;
    let db = Db::connect(&config).await?;
    db.migrate().await?;
    let nome = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let ctx = crate::context::Context::system(&crate::ora::Clock::default(), Some("cli"));
    let campagne = crate::catalogo::Catalogo::load()?;
    let result = precompila::importa(&db, &campagne, questionari, &ctx, &nome, &bytes).await;
    db.close().await;
    let r = match result {
        Ok(r) => r,
        Err(Rifiuto::Errori(errori)) => {
            for e in &errori {
                eprintln!("{e}");
            }
            anyhow::bail!("{}: {}, nessuna modifica salvata", file.display(), precompila::quanti_errori(errori.len()));
        }
        Err(e @ Rifiuto::Db(_)) => anyhow::bail!("{}: {e}", file.display()),
    };
    println!("Precompilazione da {}: {} righe lette, {} valori.", file.display(), r.righe, r.valori);
    println!("  scritti:   {} (nuovi o modificati)", r.scritti);
    println!("  invariati: {}", r.invariati);
    if r.scritti == 0 {
        println!("Nessuna modifica: tutti i valori del file erano già salvati.");
    } else if r.questionari > 0 {
        println!(
            "  questionari già aperti aggiornati: {} (mostrano i nuovi valori al prossimo caricamento)",
            r.questionari
        );
    }
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    let db = Db::connect(&config).await?;
    db.migrate().await?;
    tracing::info!(backend = db.backend(), "migrazioni applicate");
    db.close().await;
    Ok(())
}
