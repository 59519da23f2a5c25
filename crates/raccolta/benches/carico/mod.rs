//! Realistic load data for the Gestione benchmarks (`bench/gestione.sh`) and their test: `enti` enti from an
//! IPA-style file (`bench/genera-enti.py`, through the real import), `utenti` users each associated with an ente
//! (four in five in Compilazione), and the questionnaires of FC80U 2022 in every state:
//!
//! - modulo B, for each ente that compiles it, by its position k among them: k % 3 = 0 fully filled (every field
//!   that is not calculated) and sent (late when k % 6 = 3; reopening asked when k % 30 = 0, reopened when
//!   k % 30 = 15); k % 3 = 1 being compiled (the first 50 to 899 fields); k % 6 = 2 opened, nothing saved;
//!   the rest never opened (no row, as most enti before the deadline);
//! - modulo A: even k being compiled (40 fields), the others never opened.
//!
//! The values come from the PDF benchmark's fully filled modulo (`compilazione::pdf::invio_completo`), 16 seeds
//! used in turn. The summaries the monitoring reads are written as the job would leave them. Rows go in with
//! multi-row `INSERT`s of generated values (never user input), in one transaction per table.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context as _, Result, ensure};
use raccolta::app::AppState;
use raccolta::db::{Db, Tx};

/// What to generate.
pub struct Opzioni {
    /// Enti in the registry.
    pub enti: usize,
    /// Users, each associated with one ente.
    pub utenti: usize,
}

/// What was generated.
#[derive(Debug, Default)]
pub struct Rapporto {
    pub enti: usize,
    pub utenti: usize,
    pub questionari: usize,
    pub risposte: usize,
    pub invii: usize,
    pub secondi: f64,
}

/// The campaign generated.
pub const CAMPAGNA: &str = "fc80u-2022";
/// Rows per `INSERT`.
const BLOCCO: usize = 500;
/// The generated users' password.
pub const PASSWORD: &str = "girasole obliquo mangia tre lanterne";

fn testo(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

async fn esegui(tx: &mut Tx, sql: String) -> Result<()> {
    let sql = sqlx::AssertSqlSafe(sql);
    match tx {
        Tx::Sqlite(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ())?,
        Tx::Postgres(t) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ())?,
    }
    Ok(())
}

/// `INSERT INTO {tabella} ({colonne}) VALUES …` of `righe`, [`BLOCCO`] at a time.
async fn inserisci(tx: &mut Tx, tabella: &str, colonne: &str, righe: &[String]) -> Result<()> {
    for blocco in righe.chunks(BLOCCO) {
        esegui(tx, format!("INSERT INTO {tabella} ({colonne}) VALUES {}", blocco.join(","))).await?;
    }
    Ok(())
}

async fn coppie(db: &Db, sql: &str) -> Result<Vec<(i64, String)>> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    Ok(match db {
        Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await?,
        Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await?,
    })
}

/// Generates everything into `state`'s database (enti already there stay, and compile too).
pub async fn genera(state: &AppState, o: &Opzioni) -> Result<Rapporto> {
    let inizio = Instant::now();
    let db = &state.db;
    let now = state.clock.now();
    let mut r = Rapporto::default();

    // Enti: the IPA-style file, through the import.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/genera-enti.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(o.enti.to_string())
        .output()
        .context("python3 bench/genera-enti.py")?;
    ensure!(out.status.success(), "genera-enti.py: {}", String::from_utf8_lossy(&out.stderr));
    let rapporto = raccolta::enti::import::importa(db, &out.stdout, Default::default(), &mut |_, _, _| {}).await?;
    r.enti = rapporto.inserite;
    let enti: Vec<(i64, String)> = coppie(db, "SELECT id, tipo FROM enti ORDER BY id").await?;

    // Users, one hash for all, each with an active association.
    let hash = state.hasher.hash(PASSWORD).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = db.begin().await?;
    let righe: Vec<String> = (0..o.utenti)
        .map(|i| {
            format!(
                "({}, 'persona_fisica', {}, {}, {}, {}, {}, 'attivo', {now}, {now}, {now})",
                testo(&format!("C{:07}", i + 1)),
                testo(&format!("Nome{i}")),
                testo(&format!("Cognome{i}")),
                testo(&format!("CRCNM{:011}", i)),
                testo(&format!("utente{i}@carico.example")),
                testo(&hash),
            )
        })
        .collect();
    inserisci(
        &mut tx,
        "users",
        "codice, tipo, nome, cognome, codice_fiscale, email, password_hash, stato, created_at, confirmed_at, \
         password_changed_at",
        &righe,
    )
    .await?;
    tx.commit().await?;
    let utenti: Vec<(i64, String)> =
        coppie(db, "SELECT id, codice FROM users WHERE email LIKE '%@carico.example' ORDER BY id").await?;
    r.utenti = utenti.len();
    let mut tx = db.begin().await?;
    let righe: Vec<String> = utenti
        .iter()
        .enumerate()
        .map(|(i, (uid, _))| {
            let modalita = if i % 5 == 0 { "consultazione" } else { "compilazione" };
            format!("({uid}, {}, '{modalita}', 'attiva', {now}, {now})", enti[i % enti.len()].0)
        })
        .collect();
    inserisci(&mut tx, "associazioni", "user_id, ente_id, modalita, stato, created_at, decided_at", &righe).await?;
    tx.commit().await?;

    // Questionnaires.
    let campagna = state.catalogo.campagna(CAMPAGNA).context("campagna fc80u-2022")?;
    let chiave = |m: &str| questionario::ChiaveModulo::new(CAMPAGNA, &campagna.codice, m);
    let b = state.questionari.modulo(&chiave("B")).context("modulo B")?;
    let a = state.questionari.modulo(&chiave("A")).context("modulo A")?;
    // Per modulo, 16 fully filled sets of values (address, canonical value), the calculated fields left out.
    let valori = |m: &'static questionario::Modulo| -> Vec<(Vec<(String, String)>, String)> {
        (0..16)
            .map(|seme| {
                let invio = raccolta::compilazione::pdf::invio_completo(m, "Ente generato", seme);
                let snapshot: serde_json::Value = serde_json::from_str(&invio.snapshot).unwrap_or_default();
                let mut v: Vec<(String, String)> = snapshot["valori"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .filter(|(k, _)| m.id(k).is_some_and(|id| m.campi[id as usize].calcolo.is_none()))
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                            .collect()
                    })
                    .unwrap_or_default();
                v.sort_by_key(|(k, _)| m.id(k));
                (v, invio.snapshot)
            })
            .collect()
    };
    let (valori_b, valori_a) = (valori(b), valori(a));
    ensure!(valori_b[0].0.len() > 900, "modulo B filled: {} fields", valori_b[0].0.len());

    struct Piano {
        ente: i64,
        modulo: &'static str,
        stato: &'static str,
        campi: usize,
        seme: usize,
        invio: Option<bool>,
        riepilogo: (i64, i64, i64),
    }
    let mut piani: Vec<Piano> = Vec::new();
    let compila = |m: &questionario::Modulo, tipo: &str| {
        campagna.moduli.iter().find(|x| x.codice == m.modulo).is_some_and(|x| x.per_tipo(tipo))
    };
    let (mut kb, mut ka) = (0usize, 0usize);
    for (ente, tipo) in &enti {
        if compila(b, tipo) {
            let k = kb;
            kb += 1;
            let seme = k % 16;
            let piano = match k % 3 {
                0 => Some(Piano {
                    ente: *ente,
                    modulo: "B",
                    stato: match k % 30 {
                        0 => "riapertura_richiesta",
                        15 => "riaperto",
                        _ => "inviato",
                    },
                    campi: usize::MAX,
                    seme,
                    invio: Some(k % 6 == 3),
                    riepilogo: (100, 0, 0),
                }),
                1 => Some(Piano {
                    ente: *ente,
                    modulo: "B",
                    stato: "in_compilazione",
                    campi: 50 + (k * 37) % 850,
                    seme,
                    invio: None,
                    riepilogo: (((k * 7) % 95) as i64, (k % 4) as i64, (k % 3) as i64),
                }),
                _ if k % 6 == 2 => Some(Piano {
                    ente: *ente,
                    modulo: "B",
                    stato: "aperto",
                    campi: 0,
                    seme,
                    invio: None,
                    riepilogo: (0, 0, 0),
                }),
                _ => None,
            };
            piani.extend(piano);
        }
        if compila(a, tipo) {
            let k = ka;
            ka += 1;
            if k % 2 == 0 {
                piani.push(Piano {
                    ente: *ente,
                    modulo: "A",
                    stato: "in_compilazione",
                    campi: 40,
                    seme: k % 16,
                    invio: None,
                    riepilogo: (((k * 3) % 60) as i64, 0, 0),
                });
            }
        }
    }
    let mut tx = db.begin().await?;
    let righe: Vec<String> = piani
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let tutti = if p.modulo == "B" { &valori_b } else { &valori_a };
            let n = p.campi.min(tutti[p.seme].0.len()) as i64;
            let revisione = n + i64::from(p.invio.is_some());
            let (c, bl, sq) = p.riepilogo;
            format!(
                "('{:032x}', {}, '{CAMPAGNA}', {}, '{}', '{}', {revisione}, {now}, {now}, {c}, {bl}, {sq}, {revisione})",
                0xcafe_0000_0000_0000_0000_0000_0000_0000u128 + i as u128,
                p.ente,
                testo(&campagna.codice),
                p.modulo,
                p.stato,
            )
        })
        .collect();
    inserisci(
        &mut tx,
        "questionari",
        "pubblico, ente_id, campagna, codice, modulo, stato, revisione, created_at, updated_at, completamento, \
         bloccanti, squadrature, riepilogo_revisione",
        &righe,
    )
    .await?;
    tx.commit().await?;
    r.questionari = piani.len();
    let ids: HashMap<String, i64> =
        coppie(db, &format!("SELECT id, pubblico FROM questionari WHERE campagna = '{CAMPAGNA}'"))
            .await?
            .into_iter()
            .map(|(id, p)| (p, id))
            .collect();

    // Answers and invii.
    let compilatore = utenti.first().map_or(0, |u| u.0);
    let prefisso = raccolta::compilazione::invio::prefisso_protocollo(&campagna.codice, campagna.anno_riferimento);
    let mut numero = 0i64;
    let giorni = (campagna.scadenza() - campagna.apertura()).whole_days().max(1) + 10;
    let apertura = campagna.apertura().midnight().assume_utc().unix_timestamp();
    let mut tx = db.begin().await?;
    let mut risposte: Vec<String> = Vec::with_capacity(BLOCCO);
    let mut invii: Vec<String> = Vec::new();
    for (i, p) in piani.iter().enumerate() {
        let id = ids[&format!("{:032x}", 0xcafe_0000_0000_0000_0000_0000_0000_0000u128 + i as u128)];
        let (valori, snapshot) = if p.modulo == "B" { &valori_b[p.seme] } else { &valori_a[p.seme] };
        for (campo, valore) in valori.iter().take(p.campi) {
            risposte.push(format!("({id}, {}, {}, TRUE, 1, {compilatore}, {now})", testo(campo), testo(valore)));
            r.risposte += 1;
            if risposte.len() == BLOCCO {
                inserisci(
                    &mut tx,
                    "risposte",
                    "questionario_id, campo, valore, risposto, revisione, user_id, updated_at",
                    &risposte,
                )
                .await?;
                risposte.clear();
            }
        }
        if let Some(in_ritardo) = p.invio {
            numero += 1;
            let quando = apertura + ((i as i64 * 7919) % giorni) * 86_400 + (i as i64 % 36_000);
            let protocollo =
                raccolta::compilazione::invio::protocollo(&campagna.codice, campagna.anno_riferimento, numero);
            let sha = raccolta::compilazione::invio::sha256_hex(snapshot);
            invii.push(format!(
                "({id}, 1, {}, '{CAMPAGNA}', {numero}, {}, {compilatore}, 'Nome0 Cognome0 (C0000001)', {quando}, {}, {}, {}, '{sha}')",
                valori.len() + 1,
                testo(&protocollo),
                if in_ritardo { "TRUE" } else { "FALSE" },
                testo(&if p.modulo == "B" { b.impronta.to_string() } else { a.impronta.to_string() }),
                testo(snapshot),
            ));
        }
    }
    inserisci(
        &mut tx,
        "risposte",
        "questionario_id, campo, valore, risposto, revisione, user_id, updated_at",
        &risposte,
    )
    .await?;
    for blocco in invii.chunks(50) {
        inserisci(
            &mut tx,
            "invii",
            "questionario_id, versione, revisione, campagna, numero, protocollo, user_id, mittente, inviato_at, \
             in_ritardo, impronta, snapshot, sha256",
            blocco,
        )
        .await?;
    }
    esegui(&mut tx, format!(
        "INSERT INTO protocolli (prefisso, ultimo) VALUES ({}, {numero}) ON CONFLICT (prefisso) DO UPDATE SET ultimo = {numero}",
        testo(&prefisso)
    ))
    .await?;
    tx.commit().await?;
    // The planner's statistics, as a server has them a minute after a bulk load (PostgreSQL's autovacuum analyses
    // a table once a tenth of it changed): without them a fresh load is planned as if its tables were empty.
    match db {
        Db::Sqlite(p) => sqlx::raw_sql("ANALYZE").execute(p).await.map(|_| ())?,
        Db::Postgres(p) => sqlx::raw_sql("ANALYZE").execute(p).await.map(|_| ())?,
    }
    r.invii = invii.len();
    r.secondi = inizio.elapsed().as_secs_f64();
    Ok(r)
}
