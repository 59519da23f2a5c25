//! Any modulo file is either refused with file:line:column errors or loads and evaluates: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use questionario::carica::{Intestazione, carica_modulo};
use questionario::{Lingua, Risposte, Testo, Valutazione};

fuzz_target!(|sorgente: &str| {
    let intestazione = Intestazione {
        codice: "FUZZ".into(),
        modulo: "A".into(),
        campagna: "fuzz".into(),
        anno_riferimento: 2023,
        anno_compilazione: 2024,
        titolo: Testo { it: "Fuzz".into(), en: "Fuzz".into() },
    };
    match carica_modulo("fuzz.toml", sorgente, intestazione) {
        Ok(modulo) => {
            let v = Valutazione::nuova(&modulo, &Risposte::default());
            let _ = v.report(Lingua::It);
            let _ = v.compatto(Lingua::En);
        }
        Err(errori) => {
            for e in errori {
                assert!(e.riga >= 1 && e.colonna >= 1, "{e}");
            }
        }
    }
});
