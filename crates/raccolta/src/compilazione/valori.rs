//! Values as a compile page shows and reads them: in an input (`1234,56`, no thousands separators, so that
//! sending the page back unchanged never reads as something else), to a reader (`1.234,56`), and typed by a
//! person (the engine's [`questionario::Modulo::interpreta_digitato`], which never guesses).

use questionario::{ErroreValore, IdCampo, Lingua, Modulo, Tipo, Valore};

/// What a person typed in field `id`, read in the page's language.
pub fn leggi(m: &Modulo, id: IdCampo, testo: &str, l: Lingua) -> Result<Valore, ErroreValore> {
    m.interpreta_digitato(id, testo, l)
}

/// The value as an input holds it: numbers without thousands separators and with the language's decimal
/// separator (euro with two decimals), dates as `31/12/2023` in Italian and `2023-12-31` in English.
pub fn testo_input(m: &Modulo, valore: Option<&Valore>, id: IdCampo, l: Lingua) -> String {
    let Some(campo) = m.campo(id) else { return String::new() };
    match valore {
        None | Some(Valore::Vuoto) => String::new(),
        Some(Valore::Numero(n)) => {
            let mut n = *n;
            if campo.tipo == Tipo::Euro {
                n = n.round_dp(2);
                n.rescale(2);
            } else {
                n = n.normalize();
            }
            let t = n.to_string();
            if l == Lingua::It { t.replace('.', ",") } else { t }
        }
        Some(v @ Valore::Data(_)) => v.mostra(l, None),
        Some(v) => v.canonico().unwrap_or_default(),
    }
}

/// The value as a reader sees it (read-only pages, totals): `1.234,56`; blank is "".
pub fn mostra(m: &Modulo, valore: Option<&Valore>, id: IdCampo, l: Lingua) -> String {
    let Some(campo) = m.campo(id) else { return String::new() };
    match valore {
        None | Some(Valore::Vuoto) => String::new(),
        Some(Valore::Testo(t)) => match &campo.tipo {
            Tipo::Scelta(opzioni) => opzioni
                .iter()
                .find(|o| *o.codice == **t)
                .map_or_else(|| t.to_string(), |o| o.etichetta.get(l).to_owned()),
            _ => t.to_string(),
        },
        Some(v) => {
            let decimali = match campo.tipo {
                Tipo::Euro => Some(2),
                _ => None,
            };
            v.mostra(l, decimali)
        }
    }
}
