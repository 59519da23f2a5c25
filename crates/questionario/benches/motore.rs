//! `cargo bench -p questionario`: the figures issue 5 asks for.
//! - loading and checking every definition under `questionari/` (goal < 50 ms);
//! - full validation of FC80U modulo B with every field filled (goal ≤ 1 ms);
//! - incremental re-check after one field changes (goal ≤ 50 µs), and with the compact JSON of its delta: what an
//!   autosave asks of the engine.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use questionario::modello::{Modulo, Tipo};
use questionario::{Catalogo, ChiaveModulo, Lingua, Risposte, Valore, Valutazione};

fn main() {
    let c = catalogo();
    let m = c.modulo(&fc80u_b()).unwrap();
    let vuota = Valutazione::nuova(m, &Risposte::default());
    let piena = Valutazione::nuova(m, &tutto_compilato(m));
    let byte = |v: &Valutazione| {
        let report = serde_json::to_string_pretty(&v.report(Lingua::It)).unwrap().len();
        let compatto = serde_json::to_string(&v.compatto(Lingua::It)).unwrap().len();
        format!("report {report} B (pretty), compact form {compatto} B")
    };
    println!("JSON of FC80U modulo B, empty: {}; every field filled: {}", byte(&vuota), byte(&piena));
    divan::main();
}

fn fc80u_b() -> ChiaveModulo {
    ChiaveModulo::new("fc80u-2022", "FC80U", "B")
}

fn cartella() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../questionari")
}

/// Every definition file, read once: the benchmark measures parsing and checking, not the disk.
fn file() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for campagna in std::fs::read_dir(cartella()).unwrap().flatten() {
        for f in std::fs::read_dir(campagna.path()).unwrap().flatten() {
            let nome = f.file_name().to_string_lossy().into_owned();
            if nome.ends_with(".toml") {
                let chiave = format!("{}/{nome}", campagna.file_name().to_string_lossy());
                out.insert(chiave, std::fs::read_to_string(f.path()).unwrap());
            }
        }
    }
    out
}

fn catalogo() -> Catalogo {
    questionario::carica_cartella(&cartella()).unwrap()
}

/// A plausible value in every field a person fills in.
fn tutto_compilato(m: &Modulo) -> Risposte {
    let mut r = Risposte::default();
    for (id, campo) in m.campi.iter().enumerate() {
        if campo.calcolo.is_some() {
            continue;
        }
        let valore = match &campo.tipo {
            Tipo::Intero => Valore::Numero(3.into()),
            Tipo::Decimale(_) => Valore::Numero("1.25".parse().unwrap()),
            Tipo::Euro => Valore::Numero("12345.67".parse().unwrap()),
            Tipo::Percentuale => Valore::Numero(40.into()),
            Tipo::SiNo => Valore::Booleano(true),
            Tipo::Scelta(o) => Valore::Testo(o[0].codice.as_str().into()),
            Tipo::Testo(_) => Valore::Testo("Nessuna annotazione".into()),
            Tipo::Data => Valore::Data(questionario::Data::new(2023, 12, 31).unwrap()),
        };
        r.valori.insert(id as u32, valore);
    }
    r
}

#[divan::bench(sample_count = 50)]
fn carica_tutte_le_definizioni(bencher: divan::Bencher) {
    let file = file();
    bencher.bench(|| questionario::carica("questionari/", divan::black_box(&file)).unwrap());
}

#[divan::bench(sample_count = 50)]
fn carica_tutte_le_definizioni_dal_disco() -> Catalogo {
    catalogo()
}

#[divan::bench(sample_count = 200)]
fn validazione_completa_fc80u_b(bencher: divan::Bencher) {
    let c = catalogo();
    let m = c.modulo(&fc80u_b()).unwrap();
    let r = tutto_compilato(m);
    bencher.bench(|| Valutazione::nuova(m, divan::black_box(&r)).report(Lingua::It));
}

#[divan::bench(sample_count = 200)]
fn validazione_completa_fc80u_b_senza_report(bencher: divan::Bencher) {
    let c = catalogo();
    let m = c.modulo(&fc80u_b()).unwrap();
    let r = tutto_compilato(m);
    bencher.bench(|| Valutazione::nuova(m, divan::black_box(&r)));
}

/// One cell of the personnel table changes: its row and column totals, the D ⇔ T and FTE rules of its column and
/// row, the summary quadro Z that reads the totals.
#[divan::bench(sample_count = 500)]
fn ricontrollo_dopo_un_campo_fc80u_b(bencher: divan::Bencher) {
    let c = catalogo();
    let m = c.modulo(&fc80u_b()).unwrap();
    let mut v = Valutazione::nuova(m, &tutto_compilato(m));
    let id = m.id("D05.F").unwrap();
    let (a, b) = (Valore::Numero("2.5".parse().unwrap()), Valore::Numero("0.75".parse().unwrap()));
    let mut pari = false;
    bencher.bench_local(|| {
        pari = !pari;
        v.imposta(id, Ok(if pari { a.clone() } else { b.clone() }))
    });
}

/// The same for the field that the most rules and calculations read (SI/NO of a function in quadro Z).
#[divan::bench(sample_count = 500)]
fn ricontrollo_dopo_il_campo_piu_letto_fc80u_b(bencher: divan::Bencher) {
    let c = catalogo();
    let m = c.modulo(&fc80u_b()).unwrap();
    let mut v = Valutazione::nuova(m, &tutto_compilato(m));
    let id = m.id("Z01.A").unwrap();
    let mut pari = false;
    bencher.bench_local(|| {
        pari = !pari;
        v.imposta(id, Ok(Valore::Booleano(pari)))
    });
}

/// One autosave's work in the engine: the personnel cell changes, and the compact JSON of what changed is written.
#[divan::bench(sample_count = 500)]
fn ricontrollo_e_json_del_delta_fc80u_b(bencher: divan::Bencher) {
    let c = catalogo();
    let m = c.modulo(&fc80u_b()).unwrap();
    let mut v = Valutazione::nuova(m, &tutto_compilato(m));
    let id = m.id("D05.F").unwrap();
    let (a, b) = (Valore::Numero("2.5".parse().unwrap()), Valore::Numero("0.75".parse().unwrap()));
    let mut pari = false;
    bencher.bench_local(|| {
        pari = !pari;
        let delta = v.imposta(id, Ok(if pari { a.clone() } else { b.clone() })).unwrap();
        serde_json::to_string(&v.compatto_delta(&delta, Lingua::It)).unwrap()
    });
}

/// The compact JSON of the whole modulo, as a page asks for it when it opens.
#[divan::bench(sample_count = 200)]
fn json_compatto_intero_fc80u_b(bencher: divan::Bencher) {
    let c = catalogo();
    let m = c.modulo(&fc80u_b()).unwrap();
    let v = Valutazione::nuova(m, &tutto_compilato(m));
    bencher.bench(|| serde_json::to_string(&v.compatto(Lingua::It)).unwrap());
}
