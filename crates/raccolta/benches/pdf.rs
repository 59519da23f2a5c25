//! `bench/pdf.sh` (see `bench/README.md`) builds and runs this with `cargo bench -p raccolta --bench pdf`: the time
//! to typeset the PDFs an invio makes, on the real definitions, printed as figures.
//!
//! 1. the engine: parsing the fonts and building typst's library (once per process);
//! 2. the questionnaire PDF of a fully filled FC80U modulo B (`compilazione::pdf::invio_completo`: every
//!    field of the definition filled, totals calculated), from the snapshot to the bytes, as the job does it:
//!    the first (cold) one, then `RACCOLTA_BENCH_PDF_RUNS` more (default 20), each on other values and another
//!    protocol number, as each new invio is: median, p95, max (goal ≤ 300 ms);
//! 3. the same for modulo A;
//! 4. the receipt (goal ≤ 50 ms), `RACCOLTA_BENCH_PDF_RUNS` × 5 times.
//!
//! Each line prints pages and bytes too; every run must give the same bytes as the first.

use std::time::{Duration, Instant};

use documenti::{Documento, Momento, Motore};
use questionario::ChiaveModulo;
use raccolta::compilazione::pdf;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, p95 and max of `tempi`, in milliseconds.
fn riassunto(tempi: &mut [Duration]) -> (f64, f64, f64) {
    tempi.sort();
    let q = |p: f64| ms(tempi[((tempi.len() as f64 - 1.0) * p).round() as usize]);
    (q(0.5), q(0.95), q(1.0))
}

/// Times `f` on `volte` different data sets (seeds 1, 2, …: other values, another protocol number, as for each
/// new invio), after a first, cold run on seed 0; checks that seed 0 again gives the same bytes.
fn misura(nome: &str, volte: usize, obiettivo_ms: f64, mut f: impl FnMut(usize) -> Documento) {
    let inizio = Instant::now();
    let primo = f(0);
    let freddo = inizio.elapsed();
    assert!(primo.pdf.starts_with(b"%PDF-"), "{nome}: not a PDF");
    let mut tempi: Vec<Duration> = (1..=volte.max(1))
        .map(|seme| {
            let t = Instant::now();
            let d = f(seme);
            let tempo = t.elapsed();
            assert!(d.pdf.starts_with(b"%PDF-"), "{nome}: not a PDF");
            tempo
        })
        .collect();
    assert_eq!(f(0), primo, "{nome}: the same data give the same bytes");
    let (mediana, p95, max) = riassunto(&mut tempi);
    let esito = if p95 <= obiettivo_ms { "PASS" } else { "MISS" };
    println!(
        "{nome:<34} first {:>7.1} ms · median {mediana:>7.1} ms · p95 {p95:>7.1} ms · max {max:>7.1} ms · \
         {:>3} pages · {:>7} bytes · goal p95 ≤ {obiettivo_ms} ms: {esito}",
        ms(freddo),
        primo.pagine,
        primo.pdf.len(),
    );
}

fn main() {
    let volte: usize = std::env::var("RACCOLTA_BENCH_PDF_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let definizioni = raccolta::catalogo::definizioni_incorporate().expect("definizioni");
    let modulo = |m: &str| definizioni.modulo(&ChiaveModulo::new("fc80u-2022", "FC80U", m)).expect("modulo");
    let t = Instant::now();
    let motore = Motore::new();
    println!("{:<34} {:>7.1} ms", "engine (fonts, library)", ms(t.elapsed()));
    let momento = Some(Momento { unix: 1_700_000_000 });
    for (m, nome) in [(modulo("B"), "questionnaire FC80U B"), (modulo("A"), "questionnaire FC80U A")] {
        let campi = m.campi.len();
        misura(&format!("{nome} ({campi} fields)"), volte, 300.0, |seme| {
            let i = pdf::invio_completo(m, "Comune di Milano", seme);
            let dati = pdf::dati_questionario(m, &i, "FC80U 2022", None).expect("dati");
            motore.questionario(&dati, momento).expect("pdf")
        });
    }
    let m = modulo("B");
    misura("receipt", volte * 5, 50.0, |seme| {
        let i = pdf::invio_completo(m, "Comune di Milano", seme);
        let dati = pdf::dati_ricevuta("https://raccolta.example", m, &i).expect("dati");
        motore.ricevuta(&dati, momento).expect("pdf")
    });
}
