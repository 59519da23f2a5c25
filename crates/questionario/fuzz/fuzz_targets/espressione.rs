//! Any text is either refused by the expression parser and type checker, or compiles and evaluates: no panic,
//! no unbounded recursion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use questionario::Valore;
use questionario::espressione::{Contesto, Riferimento, TipoEspr, compila};

/// Three numbers X01..X03 (also a range), a text T01, a SI/NO S01.
struct Campi;

impl Contesto for Campi {
    fn campo(&self, indirizzo: &str) -> Option<(u32, TipoEspr)> {
        match indirizzo {
            "X01" => Some((0, TipoEspr::Numero)),
            "X02" => Some((1, TipoEspr::Numero)),
            "X03" => Some((2, TipoEspr::Numero)),
            "T01" => Some((3, TipoEspr::Testo)),
            "S01" => Some((4, TipoEspr::Booleano)),
            _ => None,
        }
    }
    fn intervallo(&self, _: &Riferimento) -> Result<Vec<u32>, String> {
        Ok(vec![0, 1, 2])
    }
    fn tipo(&self, id: u32) -> TipoEspr {
        match id {
            3 => TipoEspr::Testo,
            4 => TipoEspr::Booleano,
            _ => TipoEspr::Numero,
        }
    }
    fn punto(&self) -> Option<u32> {
        Some(0)
    }
}

fuzz_target!(|testo: &str| {
    if let Ok((espr, _)) = compila(testo, &Campi, None) {
        let valori = [
            Valore::Numero(7.into()),
            Valore::Vuoto,
            Valore::Numero(0.into()),
            Valore::Testo("abc".into()),
            Valore::Booleano(true),
        ];
        let _ = espr.valuta(&valori);
    }
});
