//! The demo set: twenty real enti written by hand (comuni of every size and region, a provincia, two città
//! metropolitane, an unione di comuni), in the IPA format and loaded through the same import, so a newcomer can
//! try every feature. Names, codici fiscali and ISTAT codes are the public ones; comuni's IPA codes follow the
//! `c_` + codice catastale rule. A real deployment imports the current IPA file instead.
//!
//! The demo enti that compile FC80U 2022 modulo B also get its BDAP values (the spesa corrente per function, Quadro
//! Z row Z02): invented but plausible, scaled by each ente's residents and split across the function columns with
//! the shares of an Italian comune's accounts, the same at every start.

use super::import::{self, ImportError, Opzioni, Rapporto};
use crate::compilazione::precompila::{self, Rifiuto, Voce};
use crate::db::Db;
use crate::domain::TipoEnte;
use crate::ora::Clock;

/// The demo file.
pub const CSV: &[u8] = include_bytes!("../../dati/enti-demo.csv");

/// The campaign of the demo's BDAP values.
pub const CAMPAGNA_BDAP: &str = "fc80u-2022";

/// The modulo of the demo's BDAP values.
pub const MODULO_BDAP: &str = "B";

/// Loads (or refreshes) the demo enti; a second run changes nothing.
pub async fn carica(db: &Db) -> Result<Rapporto, ImportError> {
    import::importa(db, CSV, Opzioni::default(), &mut |_, _, _| {}).await
}

/// Stores the demo's BDAP values ([`valori_bdap`]) through the same checks as an imported file; a second run
/// changes nothing.
pub async fn precompila(
    db: &Db,
    catalogo: &crate::catalogo::Catalogo,
    questionari: &questionario::Catalogo,
    clock: &Clock,
) -> Result<precompila::Rapporto, Rifiuto> {
    let ctx = crate::context::Context::system(clock, None);
    precompila::applica(db, catalogo, questionari, &ctx, "dati dimostrativi", &valori_bdap(catalogo, questionari)).await
}

/// Residents of the demo enti that compile FC80U (ISTAT, 1 January 2022, rounded to the thousand): the size every
/// demo amount scales with.
const ABITANTI: [(&str, u64); 17] = [
    ("c_h501", 2_749_000),
    ("c_f205", 1_349_000),
    ("c_f839", 913_000),
    ("c_l219", 842_000),
    ("c_g273", 630_000),
    ("c_d969", 559_000),
    ("c_a944", 391_000),
    ("c_d612", 362_000),
    ("c_a662", 316_000),
    ("c_l736", 252_000),
    ("c_g478", 162_000),
    ("c_b354", 148_000),
    ("c_l378", 118_000),
    ("c_a952", 107_000),
    ("c_a271", 99_000),
    ("c_a326", 34_000),
    ("ubr_ra", 100_000),
];

/// The demo's BDAP values: for every demo ente whose type compiles the modulo, one value per field of FC80U 2022
/// modulo B whose definition says BDAP (or another source) supplies it. Empty when the catalogue has no such
/// modulo.
pub fn valori_bdap(catalogo: &crate::catalogo::Catalogo, questionari: &questionario::Catalogo) -> Vec<Voce> {
    let Some(m) = questionari.moduli.iter().find(|m| m.campagna == CAMPAGNA_BDAP && m.modulo == MODULO_BDAP) else {
        return Vec::new();
    };
    let Some(modulo) = catalogo.campagna(CAMPAGNA_BDAP).and_then(|c| c.moduli.iter().find(|m| m.codice == MODULO_BDAP))
    else {
        return Vec::new();
    };
    let campi: Vec<&questionario::Campo> =
        m.campi.iter().filter(|c| c.precompilato.is_some() && c.tipo == questionario::Tipo::Euro).collect();
    let mut voci = Vec::new();
    let mut reader = csv::Reader::from_reader(CSV);
    for record in reader.records().flatten() {
        let (codice, nome, categoria) = (&record[0], &record[1], &record[4]);
        let tipo = TipoEnte::da_categoria_ipa(categoria, nome);
        if !modulo.per_tipo(tipo.code()) {
            continue;
        }
        let unione = tipo == TipoEnte::UnioneComuni;
        let abitanti = ABITANTI
            .iter()
            .find(|(c, _)| *c == codice)
            .map_or_else(|| 500 + hash(codice, "abitanti") % 15_000, |(_, n)| *n);
        let totale = abitanti * spesa_per_abitante(abitanti, unione) * variazione(codice, "totale", 60_000) / 10_000;
        let pesi: Vec<u64> = campi
            .iter()
            .map(|c| {
                let colonna = c.indirizzo.rsplit_once('.').map_or("", |(_, col)| col);
                quota(colonna, unione, abitanti) * variazione(codice, &c.indirizzo, 150_000)
            })
            .collect();
        let somma: u64 = pesi.iter().sum();
        // Whole cents; what the shares' rounding leaves goes to the first column, so the total is exact.
        let mut centesimi: Vec<u64> =
            pesi.iter().map(|p| (u128::from(totale) * u128::from(*p) / u128::from(somma.max(1))) as u64).collect();
        let resto = totale.saturating_sub(centesimi.iter().sum());
        if let Some(primo) = centesimi.first_mut() {
            *primo += resto;
        }
        for (c, cent) in campi.iter().zip(centesimi) {
            voci.push(Voce {
                riga: voci.len() as u64 + 1,
                ente: codice.to_owned(),
                campagna: CAMPAGNA_BDAP.to_owned(),
                modulo: MODULO_BDAP.to_owned(),
                campo: c.indirizzo.clone(),
                valore: format!("{}.{:02}", cent / 100, cent % 100),
                fonte: c.precompilato.clone(),
            });
        }
    }
    voci
}

/// Current expenditure per resident, in euro: larger cities spend more per head (transport, social services,
/// their role for the commuters), an unione only for the functions its comuni gave it.
fn spesa_per_abitante(abitanti: u64, unione: bool) -> u64 {
    match abitanti {
        _ if unione => 260,
        1_000_000.. => 1_650,
        250_000.. => 1_300,
        60_000.. => 1_050,
        10_000.. => 900,
        _ => 800,
    }
}

/// A function column's share of the current expenditure, in basis points before the per-ente variation: general
/// services about 30 % (A–E), local police 8 % (F), education 10 % (G, H), roads 8 % (I), land and environment with
/// waste 20 % (J, K), social services with nurseries 20 % (L, M), local public transport growing with the city
/// (N), the rest (O). An unione spends mostly on the police and social services its comuni gave it.
fn quota(colonna: &str, unione: bool, abitanti: u64) -> u64 {
    let trasporto = match abitanti {
        _ if unione => 40,
        500_000.. => 900,
        100_000.. => 400,
        _ => 100,
    };
    let (comune, di_unione) = match colonna {
        "A" => (1_150, 900),
        "B" => (380, 300),
        "C" => (420, 300),
        "D" => (300, 200),
        "E" => (750, 500),
        "F" => (800, 2_200),
        "G" => (450, 300),
        "H" => (550, 600),
        "I" => (800, 400),
        "J" => (350, 500),
        "K" => (1_650, 200),
        "L" => (1_600, 3_000),
        "M" => (400, 400),
        "N" => (trasporto, trasporto),
        "O" => (300, 200),
        _ => (100, 100),
    };
    if unione { di_unione } else { comune }
}

/// A factor in millionths within ±`ampiezza` of one million, the same for the same ente and `cosa` at every start.
fn variazione(codice: &str, cosa: &str, ampiezza: u64) -> u64 {
    1_000_000 - ampiezza + hash(codice, cosa) % (2 * ampiezza + 1)
}

/// FNV-1a of `codice` and `cosa`: stable across builds and platforms, unlike the standard library's hasher.
fn hash(codice: &str, cosa: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in codice.bytes().chain([0xff]).chain(cosa.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn valori() -> Vec<Voce> {
        let catalogo = crate::catalogo::Catalogo::load().unwrap();
        valori_bdap(&catalogo, crate::catalogo::definizioni_incorporate().unwrap())
    }

    #[test]
    fn every_demo_ente_that_compiles_modulo_b_has_every_prefilled_field_with_a_value_its_field_accepts() {
        let questionari = crate::catalogo::definizioni_incorporate().unwrap();
        let m = questionari.moduli.iter().find(|m| m.campagna == CAMPAGNA_BDAP && m.modulo == MODULO_BDAP).unwrap();
        let prefilled: Vec<&str> =
            m.campi.iter().filter(|c| c.precompilato.is_some()).map(|c| c.indirizzo.as_str()).collect();
        assert_eq!(prefilled.len(), 15, "Z02.A..O: {prefilled:?}");
        let voci = valori();
        let catalogo = crate::catalogo::Catalogo::load().unwrap();
        let modulo = catalogo.campagna(CAMPAGNA_BDAP).unwrap().moduli.iter().find(|m| m.codice == "B").unwrap();
        let mut reader = csv::Reader::from_reader(CSV);
        let mut enti = 0;
        for record in reader.records().map(Result::unwrap) {
            let tipo = TipoEnte::da_categoria_ipa(&record[4], &record[1]);
            let suoi: Vec<&Voce> = voci.iter().filter(|v| v.ente == record[0]).collect();
            if !modulo.per_tipo(tipo.code()) {
                assert!(suoi.is_empty(), "{} does not compile modulo B", &record[0]);
                continue;
            }
            enti += 1;
            let campi: Vec<&str> = suoi.iter().map(|v| v.campo.as_str()).collect();
            assert_eq!(campi, prefilled, "{}", &record[0]);
            for v in suoi {
                let id = m.id(&v.campo).unwrap();
                let valore = m.interpreta_testo(id, &v.valore).unwrap_or_else(|e| panic!("{v:?}: {e:?}"));
                assert!(matches!(valore, questionario::Valore::Numero(_)), "{v:?}");
                assert!(!v.valore.starts_with('-') && v.valore != "0.00", "a positive amount: {v:?}");
                assert_eq!(v.valore.split_once('.').unwrap().1.len(), 2, "whole cents: {v:?}");
                assert_eq!(v.fonte.as_deref(), Some("BDAP"));
            }
        }
        assert_eq!(enti, 17, "sixteen comuni and the unione");
    }

    #[test]
    fn the_demo_values_are_the_same_at_every_start_and_scale_with_the_comune() {
        assert_eq!(valori(), valori());
        let mut totali: HashMap<String, u64> = HashMap::new();
        for v in valori() {
            let (euro, cent) = v.valore.split_once('.').unwrap();
            *totali.entry(v.ente).or_default() += euro.parse::<u64>().unwrap() * 100 + cent.parse::<u64>().unwrap();
        }
        let euro = |codice: &str| totali[codice] / 100;
        assert!((3_000_000_000..6_000_000_000).contains(&euro("c_h501")), "Roma: {}", euro("c_h501"));
        assert!((20_000_000..60_000_000).contains(&euro("c_a326")), "Aosta: {}", euro("c_a326"));
        assert!(euro("c_h501") > euro("c_f205") && euro("c_f205") > euro("c_a944") && euro("c_a944") > euro("c_a326"));
        // Shares: general services about 30 %, social services with nurseries about 20 % of a comune's total.
        let campo = |codice: &str, c: &str| {
            valori().into_iter().find(|v| v.ente == codice && v.campo == c).unwrap().valore.parse::<f64>().unwrap()
        };
        let milano = euro("c_f205") as f64;
        let generali: f64 = ["Z02.A", "Z02.B", "Z02.C", "Z02.D", "Z02.E"].iter().map(|c| campo("c_f205", c)).sum();
        assert!((0.24..0.34).contains(&(generali / milano)), "{}", generali / milano);
        let sociale = campo("c_f205", "Z02.L") + campo("c_f205", "Z02.M");
        assert!((0.15..0.25).contains(&(sociale / milano)), "{}", sociale / milano);
    }

    #[test]
    fn the_hash_is_stable() {
        // FNV-1a computed by hand: a change of algorithm would change every demo value.
        assert_eq!(hash("", ""), 0xaf64_724c_8602_eb6e);
        assert_eq!(hash("c_f205", "totale"), 0x5bfe_dd58_5983_3e0c);
        assert_eq!(variazione("c_f205", "totale", 60_000), 989_063);
    }
}
