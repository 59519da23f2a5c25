//! The real questionnaires of `questionari/`: they load, they are as large as the seed's, every rule can both pass
//! and trip, and incremental re-checking always equals a full evaluation.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use questionario::modello::{Campo, Gravita, Modulo, Tipo};
use questionario::valutazione::Esito;
use questionario::{
    Catalogo, ChiaveModulo, Compatto, Completamento, Data, ErroreValore, Lingua, Risposte, Valore, Valutazione,
};

fn cartella() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionari")
}

fn catalogo() -> Catalogo {
    questionario::carica_cartella(&cartella())
        .unwrap_or_else(|errori| panic!("{}", errori.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")))
}

/// The key of a modulo of FC80U 2022.
fn fc80u(modulo: &str) -> ChiaveModulo {
    ChiaveModulo::new("fc80u-2022", "FC80U", modulo)
}

#[test]
fn every_definition_loads_and_the_catalogue_is_as_large_as_the_seed() {
    let c = catalogo();
    let moduli: BTreeSet<String> = c.moduli.iter().map(|m| format!("{} {}", m.codice, m.modulo)).collect();
    for atteso in [
        "FC80U A",
        "FC80U B",
        "FC60U A",
        "FC60U B",
        "MONITORAGGIO SOCIALE",
        "MONITORAGGIO ASILI",
        "MONITORAGGIO TRASPORTO",
    ] {
        assert!(moduli.contains(atteso), "{atteso} in {moduli:?}");
    }
    let fc80u: Vec<&Modulo> = c.moduli.iter().filter(|m| m.codice == "FC80U").collect();
    let campi: usize = fc80u.iter().map(|m| m.campi.len()).sum();
    let regole: usize = fc80u.iter().map(|m| m.regole_scritte).sum();
    assert!(campi >= 800, "FC80U has {campi} fields");
    assert!(regole >= 60, "FC80U has {regole} rules");
    for m in &c.moduli {
        for q in &m.quadri {
            assert!(m.id(&format!("{}.ANNOTAZIONI", q.codice)).is_some());
        }
        for g in [Gravita::Bloccante, Gravita::Squadratura, Gravita::Avviso] {
            assert!(m.regole.iter().any(|r| r.gravita == g), "{} {} has no {g:?}", m.codice, m.modulo);
        }
    }
    let schede: Vec<&Modulo> = c.moduli.iter().filter(|m| m.codice == "MONITORAGGIO").collect();
    assert!(schede.iter().all(|m| m.quadri.len() == 4));
    // Average hours, coverage and the like are computed by the system.
    assert!(schede.iter().all(|m| m.campi.iter().any(|c| c.calcolo.is_some())));
}

#[test]
fn fc60u_2019_reuses_the_files_of_fc80u_2022_as_distinct_moduli_a_key_cannot_confuse() {
    let c = catalogo();
    let chiavi: BTreeSet<ChiaveModulo> = c.moduli.iter().map(Modulo::chiave).collect();
    assert_eq!(chiavi.len(), c.moduli.len(), "every modulo has its own key");
    for modulo in ["A", "B"] {
        let archivio = c.modulo(&ChiaveModulo::new("fc60u-2019", "FC60U", modulo)).unwrap();
        let corrente = c.modulo(&fc80u(modulo)).unwrap();
        assert_ne!(archivio.chiave(), corrente.chiave());
        assert_eq!((archivio.anno_riferimento, corrente.anno_riferimento), (2019, 2022));
        assert!(archivio.titolo.it.contains("FC60U") && corrente.titolo.it.contains("FC80U"));
        assert_eq!(archivio.campi.len(), corrente.campi.len(), "the same definition");
        assert_eq!(archivio.impronta, corrente.impronta, "the same file, so the same fingerprint");
        let sorgente = std::fs::read(cartella().join(format!("fc80u-2022/modulo-{}.toml", modulo.to_lowercase())));
        assert_eq!(corrente.impronta, questionario::Impronta::di(&sorgente.unwrap()));
        // A key that mixes one campaign with the other's questionnaire finds nothing.
        assert!(c.modulo(&ChiaveModulo::new("fc60u-2019", "FC80U", modulo)).is_none());
        assert!(c.modulo(&ChiaveModulo::new("fc80u-2022", "FC60U", modulo)).is_none());
        assert_eq!(c.cerca("fc60u", modulo).map(Modulo::chiave).collect::<Vec<_>>(), [archivio.chiave()]);
    }
}

/// A small deterministic generator: the search below must give the same answer on every run.
struct Casuale(u64);

impl Casuale {
    fn prossimo(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Values worth trying for a field: blank, and values of its type within its bounds.
fn candidati(campo: &Campo) -> Vec<Valore> {
    let mut out = vec![Valore::Vuoto];
    match &campo.tipo {
        Tipo::SiNo => out.extend([Valore::Booleano(true), Valore::Booleano(false)]),
        Tipo::Scelta(opzioni) => out.extend(opzioni.iter().map(|o| Valore::Testo(o.codice.as_str().into()))),
        Tipo::Testo(_) => out.push(Valore::Testo("Testo di prova".into())),
        Tipo::Data => out.extend(
            [Data::new(2023, 1, 1), Data::new(2023, 12, 31), Data::new(2024, 6, 30)]
                .into_iter()
                .flatten()
                .map(Valore::Data),
        ),
        tipo => {
            let decimali = tipo.decimali().unwrap_or(0);
            let (min, max) = match tipo {
                Tipo::Percentuale => (Some(0.into()), Some(100.into())),
                _ => (campo.min, campo.max),
            };
            for s in [
                "0", "1", "2", "3", "5", "10", "12", "33", "50", "100", "250", "1000", "5000", "30000", "100000",
                "1000000", "0.5", "0.25", "1.5",
            ] {
                let n: rust_decimal::Decimal = s.parse().unwrap();
                if n.scale() <= decimali && min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m) {
                    out.push(Valore::Numero(n));
                }
            }
        }
    }
    out
}

/// The fields a person fills in that a rule depends on, through calculations and relevance.
fn ingressi(m: &Modulo, i: usize) -> Vec<u32> {
    let regola = &m.regole[i];
    let mut da_vedere = Vec::new();
    regola.condizione.dipendenze(&mut da_vedere);
    if let Some(q) = &regola.quando {
        q.dipendenze(&mut da_vedere);
    }
    let mut visti = BTreeSet::new();
    let mut ingressi = BTreeSet::new();
    while let Some(id) = da_vedere.pop() {
        if !visti.insert(id) {
            continue;
        }
        let campo = m.campo(id).unwrap();
        for e in campo.rilevante.iter().chain(&campo.calcolo) {
            e.dipendenze(&mut da_vedere);
        }
        if campo.calcolo.is_none() {
            ingressi.insert(id);
        }
    }
    ingressi.into_iter().collect()
}

#[test]
fn every_rule_of_the_real_questionnaires_can_pass_and_can_trip() {
    let c = catalogo();
    let mut mancano = Vec::new();
    let mut provate = 0;
    for m in c.moduli.iter().filter(|m| m.codice != "FC60U") {
        let mut v = Valutazione::nuova(m, &Risposte::default());
        let pool: Vec<Vec<Valore>> = m.campi.iter().map(candidati).collect();
        for i in 0..m.regole.len() {
            let ingressi = ingressi(m, i);
            let mut rnd = Casuale(0x9E37_79B9_7F4A_7C15 ^ i as u64);
            let (mut rispettata, mut violata) = (false, false);
            for tentativo in 0..2000 {
                // Sparse answers find most outcomes: every input at a base value (blank; 0 and NO; 0 and SI),
                // except one to three drawn at random. Every fourth try draws every input.
                let modo = tentativo % 4;
                let sparsi: Vec<u32> =
                    (0..1 + rnd.prossimo(3)).map(|_| ingressi[rnd.prossimo(ingressi.len())]).collect();
                for &id in &ingressi {
                    let scelte = &pool[id as usize];
                    let si_no = matches!(m.campo(id).unwrap().tipo, Tipo::SiNo);
                    let k = if modo == 3 || sparsi.contains(&id) {
                        rnd.prossimo(scelte.len())
                    } else {
                        match modo {
                            0 => 0,
                            1 if si_no => 2,
                            _ => 1,
                        }
                    };
                    v.imposta(id, Ok(scelte[k.min(scelte.len() - 1)].clone())).unwrap();
                }
                match v.esito_regola(i).unwrap() {
                    Esito::Rispettata => rispettata = true,
                    Esito::Violata => violata = true,
                    _ => {}
                }
                if rispettata && violata {
                    break;
                }
            }
            for &id in &ingressi {
                v.imposta(id, Ok(Valore::Vuoto)).unwrap();
            }
            provate += 1;
            if !(rispettata && violata) {
                mancano.push(format!(
                    "{} {} {}: {}",
                    m.codice,
                    m.modulo,
                    m.regole[i].id,
                    if rispettata {
                        "never trips"
                    } else if violata {
                        "never passes"
                    } else {
                        "never evaluated"
                    }
                ));
            }
        }
    }
    assert!(provate > 500);
    assert!(mancano.is_empty(), "{} rules:\n{}", mancano.len(), mancano.join("\n"));
}

/// What a page does with the compact form of a change: each entry replaces the one it had, defaults remove it.
fn applica(pagina: &mut Compatto, delta: &Compatto) {
    pagina.invio = delta.invio;
    for (a, valore) in &delta.valori {
        match valore {
            Some(_) => pagina.valori.insert(a.clone(), valore.clone()),
            None => pagina.valori.remove(a),
        };
    }
    for (a, pertinente) in &delta.pertinenti {
        match pertinente {
            false => pagina.pertinenti.insert(a.clone(), false),
            true => pagina.pertinenti.remove(a),
        };
    }
    for (a, errore) in &delta.errori {
        match errore {
            Some(_) => pagina.errori.insert(a.clone(), errore.clone()),
            None => pagina.errori.remove(a),
        };
    }
    let cambiate: Vec<&String> = delta
        .rispettate
        .iter()
        .chain(delta.violate.keys())
        .chain(&delta.non_valutabili)
        .chain(&delta.non_applicabili)
        .collect();
    pagina.rispettate.retain(|r| !cambiate.contains(&r));
    pagina.violate.retain(|r, _| !cambiate.contains(&r));
    pagina.non_applicabili.retain(|r| !cambiate.contains(&r));
    pagina.rispettate.extend(delta.rispettate.iter().cloned());
    pagina.violate.extend(delta.violate.clone());
    pagina.non_applicabili.extend(delta.non_applicabili.iter().cloned());
    pagina.quadri.extend(delta.quadri.clone());
}

/// The outcome lists as sets: a page does not care in which order rules were listed.
fn come_insiemi(mut c: Compatto) -> Compatto {
    c.rispettate.sort_unstable();
    c.non_applicabili.sort_unstable();
    c
}

/// The whole state of an evaluation, to compare incremental and full results.
#[expect(clippy::type_complexity)]
fn stato(
    m: &Modulo,
    v: &Valutazione,
) -> (Vec<Valore>, Vec<bool>, Vec<Esito>, Vec<Option<ErroreValore>>, Vec<Completamento>) {
    let n = m.campi.len() as u32;
    (
        (0..n).map(|id| v.valore(id).unwrap().clone()).collect(),
        (0..n).map(|id| v.pertinente(id).unwrap()).collect(),
        (0..m.regole.len()).map(|i| v.esito_regola(i).unwrap()).collect(),
        (0..n).map(|id| v.errore(id).cloned()).collect(),
        (0..m.quadri.len()).map(|q| v.completamento(q).unwrap()).collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// After any sequence of edits, the incremental state equals a full evaluation of the same answers.
    #[test]
    fn incremental_rechecking_equals_full_evaluation(
        quale in 0usize..4,
        seme in any::<u64>(),
        modifiche in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..40),
    ) {
        let c = catalogo();
        let scelti = [
            ("fc80u-2022", "FC80U", "A"),
            ("fc80u-2022", "FC80U", "B"),
            ("monitoraggio-2023", "MONITORAGGIO", "SOCIALE"),
            ("monitoraggio-2023", "MONITORAGGIO", "TRASPORTO"),
        ];
        let (campagna, codice, modulo) = scelti[quale];
        let m = c.modulo(&ChiaveModulo::new(campagna, codice, modulo)).unwrap();
        let ingressi: Vec<u32> = (0..m.campi.len() as u32).filter(|id| m.campo(*id).unwrap().calcolo.is_none()).collect();
        let pool: Vec<Vec<Valore>> = m.campi.iter().map(candidati).collect();
        let mut rnd = Casuale(seme | 1);
        let mut risposte = Risposte::default();
        for &id in &ingressi {
            let scelte = &pool[id as usize];
            risposte.valori.insert(id, scelte[rnd.prossimo(scelte.len())].clone());
        }
        let mut v = Valutazione::nuova(m, &risposte);
        let mut finali: HashMap<u32, Valore> = risposte.valori.clone();
        for (campo, valore) in modifiche {
            let id = ingressi[campo.index(ingressi.len())];
            let nuovo = valore.get(&pool[id as usize]).clone();
            v.imposta(id, Ok(nuovo.clone())).unwrap();
            finali.insert(id, nuovo);
        }
        let completa = Valutazione::nuova(m, &Risposte { valori: finali, ..Risposte::default() });
        prop_assert!(stato(m, &v) == stato(m, &completa));
    }

    /// With prefilled values, explicit blanks, refused answers and ripristina in any order, the incremental state
    /// equals a full evaluation, and the compact changes applied one by one over the first compact form give the
    /// last one: a page that applies only what changed shows what a reload would.
    #[test]
    fn compact_changes_applied_in_turn_give_the_compact_form_of_a_full_evaluation(
        quale in 0usize..4,
        seme in any::<u64>(),
        modifiche in prop::collection::vec((any::<prop::sample::Index>(), 0usize..8, any::<prop::sample::Index>()), 1..40),
    ) {
        let c = catalogo();
        let scelti = [fc80u("A"), fc80u("B"), ChiaveModulo::new("monitoraggio-2023", "MONITORAGGIO", "SOCIALE"),
            ChiaveModulo::new("monitoraggio-2023", "MONITORAGGIO", "ASILI")];
        let m = c.modulo(&scelti[quale]).unwrap();
        let ingressi: Vec<u32> = (0..m.campi.len() as u32).filter(|id| m.campo(*id).unwrap().calcolo.is_none()).collect();
        let pool: Vec<Vec<Valore>> = m.campi.iter().map(candidati).collect();
        let mut rnd = Casuale(seme | 1);
        let mut iniziali = Risposte::default();
        for (id, campo) in m.campi.iter().enumerate() {
            let scelte = &pool[id];
            if campo.precompilato.is_some() {
                iniziali.precompilati.insert(id as u32, scelte[1 + rnd.prossimo(scelte.len() - 1)].clone());
            }
            if campo.calcolo.is_none() && rnd.prossimo(3) == 0 {
                iniziali.valori.insert(id as u32, scelte[rnd.prossimo(scelte.len())].clone());
            }
        }
        let mut v = Valutazione::nuova(m, &iniziali);
        let mut pagina = v.compatto(Lingua::It);
        let mut risposte: HashMap<u32, Result<Valore, ErroreValore>> =
            iniziali.valori.iter().map(|(id, valore)| (*id, Ok(valore.clone()))).collect();
        for (campo, azione, valore) in modifiche {
            let id = ingressi[campo.index(ingressi.len())];
            let delta = match azione {
                0 => {
                    risposte.remove(&id);
                    v.ripristina(id).unwrap()
                }
                1 => {
                    let rifiutata = m.interpreta_testo(id, "1,2.3?");
                    risposte.insert(id, rifiutata.clone());
                    v.imposta(id, rifiutata).unwrap()
                }
                2 => {
                    risposte.insert(id, Ok(Valore::Vuoto));
                    v.imposta(id, Ok(Valore::Vuoto)).unwrap()
                }
                _ => {
                    let nuovo = valore.get(&pool[id as usize]).clone();
                    risposte.insert(id, Ok(nuovo.clone()));
                    v.imposta(id, Ok(nuovo)).unwrap()
                }
            };
            applica(&mut pagina, &v.compatto_delta(&delta, Lingua::It));
        }
        let mut finali = Risposte { precompilati: iniziali.precompilati.clone(), ..Risposte::default() };
        for (id, risposta) in risposte {
            match risposta {
                Ok(valore) => {
                    finali.valori.insert(id, valore);
                }
                Err(e) => {
                    finali.valori.insert(id, Valore::Vuoto);
                    finali.errori.push((m.campo(id).unwrap().indirizzo.clone(), e));
                }
            }
        }
        let completa = Valutazione::nuova(m, &finali);
        prop_assert!(stato(m, &v) == stato(m, &completa));
        let attesa = completa.compatto(Lingua::It);
        prop_assert_eq!(&v.compatto(Lingua::It), &attesa);
        prop_assert_eq!(come_insiemi(pagina), come_insiemi(attesa));
    }

    /// Any text typed into any field is either read or refused with a message: never a panic.
    #[test]
    fn reading_any_answer_never_panics(
        testo in ".{0,30}",
        numero in "-?[0-9]{0,30}([.,][0-9]{0,30})?",
        digitato in "[-−€ ]{0,2}[0-9.,]{0,30}[ €%]{0,2}",
        quale in any::<prop::sample::Index>(),
    ) {
        let c = catalogo();
        let m = c.modulo(&fc80u("A")).unwrap();
        let id = quale.index(m.campi.len()) as u32;
        let _ = m.interpreta_testo(id, &testo);
        let _ = m.interpreta_testo(id, &numero);
        for lingua in [Lingua::It, Lingua::En] {
            for scritto in [&testo, &numero, &digitato] {
                if let Err(e) = m.interpreta_digitato(id, scritto, lingua) {
                    prop_assert!(!e.messaggio(lingua).is_empty());
                }
            }
        }
    }

    /// Any expression text either compiles or is refused; evaluating what compiles never panics.
    #[test]
    fn any_expression_compiles_or_is_refused_and_evaluation_never_panics(
        testo in "[ -~]{0,60}",
        pezzi in prop::collection::vec(prop::sample::select(vec![
            "${A20}", "${A29}", "${B10.A..O}", "sum(", "count_if(", ", . > 1)", "if(", "coalesce(", ")", "+", "-", "*",
            "/", "0", "1.5", "'comune'", "${A00}", "=", "<", "and", "or", "not", "(", ",", "round(", "2", "empty(",
            "abs(", "min(", "max(", "true",
        ]), 0..24),
    ) {
        let c = catalogo();
        let m = c.modulo(&fc80u("A")).unwrap();
        let v = Valutazione::nuova(m, &Risposte::default());
        let valori: Vec<Valore> = (0..m.campi.len() as u32).map(|id| v.valore(id).unwrap().clone()).collect();
        struct Ctx<'a>(&'a Modulo);
        impl questionario::espressione::Contesto for Ctx<'_> {
            fn campo(&self, a: &str) -> Option<(u32, questionario::espressione::TipoEspr)> {
                self.0.id(a).map(|id| (id, self.0.campo(id).unwrap().tipo.in_espressione()))
            }
            fn intervallo(&self, _: &questionario::espressione::Riferimento) -> Result<Vec<u32>, String> {
                let a = self.0.id("B10.A").ok_or("x")?;
                Ok((a..a + 15).collect())
            }
            fn tipo(&self, id: u32) -> questionario::espressione::TipoEspr {
                self.0.campo(id).unwrap().tipo.in_espressione()
            }
            fn punto(&self) -> Option<u32> {
                None
            }
        }
        for t in [testo, pezzi.concat()] {
            if let Ok((e, _)) = questionario::espressione::compila(&t, &Ctx(m), None) {
                let _ = e.valuta(&valori);
            }
        }
    }
}

#[test]
fn the_compact_form_of_an_empty_modulo_b_is_under_10_kb_in_one_language_without_definition_data() {
    let c = catalogo();
    let m = c.modulo(&fc80u("B")).unwrap();
    let v = Valutazione::nuova(m, &Risposte::default());
    let report = serde_json::to_string_pretty(&v.report(Lingua::It)).unwrap();
    let compatto = serde_json::to_string(&v.compatto(Lingua::It)).unwrap();
    eprintln!("FC80U B vuoto: report {} B (pretty), compatto {} B", report.len(), compatto.len());
    for m in &c.moduli {
        let v = Valutazione::nuova(m, &Risposte::default());
        let r = serde_json::to_string_pretty(&v.report(Lingua::It)).unwrap().len();
        let k = serde_json::to_string(&v.compatto(Lingua::It)).unwrap().len();
        eprintln!("{}: report {r} B, compatto {k} B", m.chiave());
    }
    assert!(compatto.len() < 10 * 1024, "{} bytes: {compatto}", compatto.len());
    assert!(compatto.contains("Campo obbligatorio.") && !compatto.contains("Required field."), "one language");
    let inglese = serde_json::to_string(&v.compatto(Lingua::En)).unwrap();
    assert!(inglese.contains("Required field.") && !inglese.contains("Campo obbligatorio."));
    for campo in m.campi.iter().filter(|c| c.obbligatorio).take(20) {
        assert!(compatto.contains(&format!("\"{}\":", campo.indirizzo)), "the address of {}", campo.indirizzo);
        assert!(!compatto.contains(&campo.etichetta.it), "no labels: {}", campo.etichetta.it);
    }
    assert!(m.quadri.iter().all(|q| !compatto.contains(&q.titolo.it)), "no titles");
}

#[test]
fn every_value_reads_back_from_its_canonical_form_calculated_totals_included() {
    let c = catalogo();
    let m = c.modulo(&fc80u("B")).unwrap();
    let mut risposte = Risposte::default();
    for (i, campo) in m.campi.iter().enumerate() {
        if campo.calcolo.is_none()
            && let Some(v) = candidati(campo).into_iter().find(|v| !v.vuoto())
        {
            risposte.valori.insert(i as u32, v);
        }
    }
    let v = Valutazione::nuova(m, &risposte);
    let mut totali = 0;
    for (i, campo) in m.campi.iter().enumerate() {
        let Some(valore) = v.valore(i as u32).filter(|x| !x.vuoto()) else { continue };
        let testo = valore.canonico().unwrap();
        assert_eq!(m.leggi_canonico(i as u32, &testo).as_ref(), Some(valore), "{} = {testo}", campo.indirizzo);
        totali += usize::from(campo.calcolo.is_some());
    }
    assert!(totali > 100, "the totals of modulo B read back too: {totali}");
    let numero = m.campi.iter().position(|c| c.tipo == Tipo::Euro).unwrap() as u32;
    assert_eq!(m.leggi_canonico(numero, "non un numero"), None);
    assert_eq!(m.leggi_canonico(numero, ""), Some(Valore::Vuoto));
}
