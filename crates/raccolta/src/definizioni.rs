//! `raccolta questionari check` and `raccolta questionari validate`: the questionnaire engine from the command line,
//! for authors of definitions and for checking a file of answers.

use std::fmt::Write as _;
use std::path::Path;

use questionario::modello::Gravita;
use questionario::valutazione::Esito;
use questionario::{Catalogo, ErroreDefinizione, Lingua, Risposte, Valutazione};

/// Loads the definitions under `cartella`, or those compiled into the binary.
pub fn carica(cartella: Option<&Path>) -> Result<Catalogo, Vec<ErroreDefinizione>> {
    match cartella {
        Some(c) => questionario::carica_cartella(c),
        None => crate::catalogo::definizioni(),
    }
}

/// The summary `check` prints: one paragraph per modulo, then the totals.
pub fn riepilogo(catalogo: &Catalogo) -> String {
    let mut out = String::new();
    let (mut campi_tot, mut regole_tot, mut scritte_tot) = (0, 0, 0);
    for m in &catalogo.moduli {
        let calcolati = m.campi.iter().filter(|c| c.calcolo.is_some()).count();
        let precompilati = m.campi.iter().filter(|c| c.precompilato.is_some()).count();
        let conta = |g: Gravita| m.regole.iter().filter(|r| r.gravita == g).count();
        let _ =
            writeln!(out, "{} {} ({}) modulo {}: {}", m.codice, m.anno_riferimento, m.campagna, m.modulo, m.titolo.it);
        let quadri: Vec<&str> = m.quadri.iter().map(|q| q.codice.as_str()).collect();
        let _ = writeln!(out, "  quadri   {} ({})", m.quadri.len(), quadri.join(", "));
        let _ = writeln!(
            out,
            "  campi    {} ({} da compilare, {} calcolati, {} precompilati, {} annotazioni)",
            m.campi.len(),
            m.campi.len() - calcolati - m.quadri.len(),
            calcolati,
            precompilati,
            m.quadri.len()
        );
        let _ = writeln!(out, "  tabelle  {}", m.tabelle());
        let _ = writeln!(
            out,
            "  regole   {} scritte, {} dopo per_ogni: {} bloccanti, {} squadrature, {} avvisi",
            m.regole_scritte,
            m.regole.len(),
            conta(Gravita::Bloccante),
            conta(Gravita::Squadratura),
            conta(Gravita::Avviso)
        );
        campi_tot += m.campi.len();
        regole_tot += m.regole.len();
        scritte_tot += m.regole_scritte;
    }
    let _ = writeln!(
        out,
        "Totale: {} moduli, {campi_tot} campi, {scritte_tot} regole scritte ({regole_tot} dopo per_ogni). Nessun errore.",
        catalogo.moduli.len()
    );
    out
}

/// `raccolta questionari check [DIR]`: 0 when every definition loads, 1 otherwise.
pub fn check(cartella: Option<&Path>) -> u8 {
    match carica(cartella) {
        Ok(catalogo) => {
            print!("{}", riepilogo(&catalogo));
            0
        }
        Err(errori) => {
            for e in &errori {
                eprintln!("{e}");
            }
            eprintln!("{} errori nelle definizioni.", errori.len());
            1
        }
    }
}

/// `raccolta questionari validate CODE MODULO ANSWERS.json [--json]`: 0 when invio is allowed, 1 when it is not,
/// 2 when the definitions or the answers cannot be read.
pub fn validate(cartella: Option<&Path>, codice: &str, modulo: &str, risposte: &Path, json: bool) -> u8 {
    let catalogo = match carica(cartella) {
        Ok(c) => c,
        Err(errori) => {
            for e in &errori {
                eprintln!("{e}");
            }
            return 2;
        }
    };
    // A questionnaire code may recur across campaigns: the command line names code and modulo, so it refuses to
    // guess when they are not unique.
    let trovati: Vec<_> = catalogo.cerca(codice, modulo).collect();
    let m = match trovati.as_slice() {
        [m] => *m,
        [] => {
            let elenco: Vec<String> = catalogo.moduli.iter().map(|m| format!("{} {}", m.codice, m.modulo)).collect();
            eprintln!("raccolta: nessun questionario {codice} modulo {modulo}; ci sono: {}", elenco.join(", "));
            return 2;
        }
        piu => {
            let campagne: Vec<&str> = piu.iter().map(|m| m.campagna.as_str()).collect();
            eprintln!("raccolta: {codice} modulo {modulo} è in più campagne: {}", campagne.join(", "));
            return 2;
        }
    };
    let testo = match std::fs::read_to_string(risposte) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("raccolta: impossibile leggere {}: {e}", risposte.display());
            return 2;
        }
    };
    let valore: serde_json::Value = match serde_json::from_str(&testo) {
        Ok(v) => v,
        Err(e) => {
            eprintln!(
                "raccolta: {} non è JSON valido (riga {}, colonna {}): {e}",
                risposte.display(),
                e.line(),
                e.column()
            );
            return 2;
        }
    };
    let risposte = match Risposte::da_json(m, &valore) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("raccolta: {e}");
            return 2;
        }
    };
    let report = Valutazione::nuova(m, &risposte).report(Lingua::It);
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("raccolta: {e}");
                return 2;
            }
        }
    } else {
        print!("{}", testo_report(&report));
    }
    if report.invio_consentito { 0 } else { 1 }
}

/// The report for a person reading a terminal.
pub fn testo_report(r: &questionario::Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} modulo {}: invio {}",
        r.codice,
        r.modulo,
        if r.invio_consentito { "CONSENTITO" } else { "NON CONSENTITO" }
    );
    let _ = writeln!(
        out,
        "  errori nei campi {} · bloccanti violate {} · squadrature da giustificare {} (giustificate {}) · avvisi {}",
        r.errori_campo.len(),
        r.bloccanti_violate,
        r.squadrature_da_giustificare,
        r.squadrature_giustificate,
        r.avvisi
    );
    let quadri: Vec<String> =
        r.quadri.iter().map(|q| format!("{} {}% ({}/{})", q.quadro, q.percentuale, q.compilati, q.richiesti)).collect();
    let _ = writeln!(out, "Completamento: {}", quadri.join(" · "));
    if !r.errori_campo.is_empty() {
        let _ = writeln!(out, "Errori nei campi:");
        for e in &r.errori_campo {
            let _ = writeln!(out, "  {}: {}", e.campo, e.messaggio);
        }
    }
    let violate: Vec<_> = r.regole.iter().filter(|e| e.esito == Esito::Violata).collect();
    if !violate.is_empty() {
        let _ = writeln!(out, "Regole violate:");
        for e in violate {
            let gravita = match (e.gravita, &e.giustificazione) {
                (Gravita::Bloccante, _) => "bloccante",
                (Gravita::Squadratura, Some(_)) => "squadratura giustificata",
                (Gravita::Squadratura, None) => "squadratura da giustificare",
                (Gravita::Avviso, _) => "avviso",
            };
            let messaggio = e.messaggio.as_deref().unwrap_or("");
            let _ = writeln!(out, "  [{gravita}] {} ({}): {messaggio}", e.id, e.campi.join(", "));
        }
    }
    if !r.non_pertinenti_con_valore.is_empty() {
        let _ = writeln!(out, "Valori in campi non pertinenti: {}", r.non_pertinenti_con_valore.join(", "));
    }
    out
}
