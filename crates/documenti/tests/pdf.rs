//! The documents as a reader gets them: `pdfinfo` and `pdftotext` (poppler-utils, installed by scripts/test.sh)
//! read what typst wrote.

use std::process::Command;

use documenti::dati::{
    Campo, Cella, Coppia, Differenza, Differenze, Etichette, Intestazione, Quadro, Riga, Sezione, Tabella,
};
use documenti::{Momento, Motore, Questionario, Ricevuta};

fn etichette() -> Etichette {
    Etichette {
        quadro: "Quadro".into(),
        campo: "Campo".into(),
        valore: "Valore".into(),
        annotazioni: "Annotazioni".into(),
        nessuna_annotazione: "Nessuna annotazione".into(),
        squadrature: "Squadrature giustificate".into(),
        giustificazione: "Giustificazione".into(),
        nessuna_squadratura: "Nessuna squadratura".into(),
        legenda_precompilato: "valore precompilato".into(),
        legenda_calcolato: "in grassetto i totali calcolati".into(),
        pagina: "Pagina".into(),
        di: "di".into(),
        impronta: "Impronta SHA-256".into(),
        protocollo: "Protocollo".into(),
        prima: "Prima".into(),
        dopo: "Dopo".into(),
        autore: "Modificato da".into(),
        istruzioni: "Istruzioni".into(),
        nessuna_differenza: "Nessuna differenza".into(),
    }
}

fn questionario(righe: usize) -> Questionario {
    let colonne: Vec<String> = ('A'..='P').map(|c| c.to_string()).collect();
    Questionario {
        lingua: "it".into(),
        titolo: "FC80U modulo B: Dati contabili".into(),
        autore: "Comune di Prova".into(),
        modello: false,
        intestazione: Intestazione {
            ente: "Comune di Prova".into(),
            modulo: "FC80U modulo B".into(),
            versione: "Versione 2".into(),
            protocollo: "FC80U-2022-000123".into(),
            sha256: "ab".repeat(32),
            nota: String::new(),
        },
        etichette: etichette(),
        premessa: vec![Coppia { etichetta: "Ente".into(), valore: "Comune di Prova".into() }],
        istruzioni: Some("Compilare prima il Quadro Z. Un valore come #set o [markup] resta testo.".into()),
        quadri: vec![Quadro {
            codice: "D".into(),
            titolo: "Personale".into(),
            istruzioni: None,
            sezioni: vec![Sezione {
                titolo: "Personale per funzione".into(),
                istruzioni: None,
                campi: vec![Campo {
                    codice: "D23".into(),
                    etichetta: "Personale presso altri enti".into(),
                    aiuto: None,
                    valore: "1.234,56 €".into(),
                    precompilato: Some("BDAP".into()),
                    calcolato: false,
                }],
                tabelle: vec![Tabella {
                    titolo: "Unità di personale".into(),
                    colonne: colonne.clone(),
                    righe: (0..righe)
                        .map(|r| Riga {
                            etichetta: format!("D{:02} Categoria {r}", r + 1),
                            celle: colonne
                                .iter()
                                .map(|c| Cella {
                                    valore: format!("{r},{}", c.len()),
                                    precompilato: false,
                                    calcolato: c == "P",
                                })
                                .collect(),
                        })
                        .collect(),
                }],
            }],
            annotazioni: "Dati rettificati rispetto alla BDAP.".into(),
        }],
        squadrature: vec![],
        differenze: Some(Differenze {
            titolo: "Differenze dalla versione 1".into(),
            righe: vec![Differenza {
                quadro: "D".into(),
                campo: "D23 Personale presso altri enti".into(),
                prima: "1.000,00 €".into(),
                dopo: "1.234,56 €".into(),
                autore: "Mario Rossi".into(),
            }],
        }),
    }
}

fn testo_e_info(pdf: &[u8]) -> (String, String) {
    let dir = tempfile_dir();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).expect("pdf scritto");
    let esegui = |programma: &str, args: &[&str]| {
        let out = Command::new(programma)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{programma} non trovato ({e}): installa poppler-utils (scripts/test.sh)"));
        assert!(out.status.success(), "{programma}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let percorso = file.to_str().expect("percorso");
    let testo = esegui("pdftotext", &["-layout", percorso, "-"]);
    let info = esegui("pdfinfo", &[percorso]);
    std::fs::remove_dir_all(&dir).ok();
    (testo, info)
}

fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "documenti-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("cartella temporanea");
    dir
}

#[test]
fn the_questionnaire_pdf_is_tagged_titled_and_prints_every_value_and_the_header() {
    let motore = Motore::new();
    let doc = motore.questionario(&questionario(40), Some(Momento { unix: 1_700_000_000 })).expect("pdf");
    let pdf = doc.pdf;
    let (testo, info) = testo_e_info(&pdf);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("Title:           FC80U modulo B: Dati contabili"), "{info}");
    assert!(info.contains("Author:          Comune di Prova"), "{info}");
    for atteso in [
        "FC80U-2022-000123",
        "Comune di Prova",
        "1.234,56 €",
        "D40 Categoria 39",
        "Dati rettificati rispetto alla BDAP.",
        "Differenze dalla versione 1",
        "Mario Rossi",
        "#set o [markup] resta testo",
        &"ab".repeat(32),
    ] {
        assert!(testo.contains(atteso), "manca «{atteso}» in:\n{testo}");
    }
    // Sixteen columns print as three groups, each with the row headers: the first row's header appears thrice.
    assert_eq!(testo.matches("D01 Categoria 0").count(), 3, "{testo}");
    let pagine: usize =
        info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).expect("pagine");
    assert!(pagine >= 2, "{info}");
    assert_eq!(doc.pagine, pagine);
    assert!(testo.contains(&format!("Pagina {pagine} di {pagine}")), "{testo}");
}

#[test]
fn the_same_data_and_moment_give_the_same_bytes() {
    let motore = Motore::new();
    let m = Some(Momento { unix: 1_700_000_000 });
    let a = motore.questionario(&questionario(3), m).expect("pdf");
    let b = motore.questionario(&questionario(3), m).expect("pdf");
    assert_eq!(a, b);
}

#[test]
fn the_blank_model_has_no_protocol_and_empty_cells() {
    let mut q = questionario(2);
    q.modello = true;
    q.intestazione = Intestazione {
        modulo: "FC80U modulo B".into(),
        nota: "Modello: non vale come invio".into(),
        ..Intestazione::default()
    };
    q.differenze = None;
    let pdf = Motore::new().questionario(&q, None).expect("pdf").pdf;
    let (testo, _) = testo_e_info(&pdf);
    assert!(testo.contains("Modello: non vale come invio"), "{testo}");
    assert!(!testo.contains("1.234,56"), "{testo}");
    assert!(!testo.contains("Squadrature giustificate"), "{testo}");
}

#[test]
fn the_receipt_is_one_tagged_page_with_the_hash_and_the_verification_address() {
    let r = Ricevuta {
        lingua: "it".into(),
        titolo: "Ricevuta di invio".into(),
        autore: "Comune di Prova".into(),
        sottotitolo: "Il questionario è stato inviato e registrato.".into(),
        righe: vec![
            Coppia { etichetta: "Protocollo".into(), valore: "FC80U-2022-000123".into() },
            Coppia { etichetta: "Inviato il".into(), valore: "1 dicembre 2026, 18:30".into() },
        ],
        etichetta_impronta: "Impronta SHA-256 dei dati inviati".into(),
        sha256: "cd".repeat(32),
        verifica: "Verifica la ricevuta:".into(),
        url_verifica: format!(
            "https://raccolta.example/verifica?protocollo=FC80U-2022-000123&sha256={}",
            "cd".repeat(32)
        ),
        indirizzo_verifica: "https://raccolta.example/verifica".into(),
        alt_qr: "Codice QR dell'indirizzo di verifica".into(),
    };
    let pdf = Motore::new().ricevuta(&r, Some(Momento { unix: 1_700_000_000 })).expect("pdf").pdf;
    let (testo, info) = testo_e_info(&pdf);
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(testo.contains("FC80U-2022-000123"), "{testo}");
    assert!(testo.contains(&"cd".repeat(32)), "{testo}");
    assert!(testo.contains("https://raccolta.example/verifica"), "{testo}");
    // The whole page fits: nothing runs past the right margin.
    assert!(testo.lines().all(|l| l.chars().count() < 120), "{testo}");
}
