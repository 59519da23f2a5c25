//! Loading is strict: each mistake an author can make is refused with file:line:column and a plain message.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;

use questionario::valutazione::{ErroreValore, Esito};
use questionario::{ChiaveModulo, Impronta, Lingua, Risposte, Valore, Valutazione, carica};

const MANIFESTO: &str = r#"
codice = "PROVA"
anno_riferimento = 2023
anno_compilazione = 2024
ordine = 1

[[moduli]]
codice = "A"
titolo = { it = "Prova", en = "Test" }
definizione = "modulo.toml"
"#;

/// A small but complete modulo: fields of every type, a table with totals, relevance, a calculation, rules.
const BUONO: &str = r#"modulo = "A"
note = "prova"

[[quadri]]
codice = "A"
titolo = { it = "Quadro A", en = "Section A" }

[[quadri.sezioni]]
titolo = { it = "Dati", en = "Data" }

[[quadri.sezioni.campi]]
id = "A01"
etichetta = { it = "Servizio svolto", en = "Service provided" }
tipo = "si_no"
obbligatorio = true

[[quadri.sezioni.campi]]
id = "A02"
etichetta = { it = "Utenti", en = "Users" }
tipo = "intero"
min = 0
obbligatorio = true
rilevante = "${A01}"

[[quadri.sezioni.campi]]
id = "A03"
etichetta = { it = "Di cui minori", en = "Of whom minors" }
tipo = "intero"
min = 0
rilevante = "${A01}"

[[quadri.sezioni.campi]]
id = "A04"
etichetta = { it = "Spesa", en = "Spending" }
tipo = "euro"
min = 0

[[quadri.sezioni.campi]]
id = "A05"
etichetta = { it = "Spesa per utente", en = "Spending per user" }
tipo = "euro"
calcolo = "round(${A04} / ${A02}, 2)"

[[quadri.sezioni.campi]]
id = "A06"
etichetta = { it = "Spesa BDAP", en = "BDAP spending" }
tipo = "euro"
precompilato = "BDAP"

[[quadri.sezioni.campi]]
id = "A07"
etichetta = { it = "Gestione", en = "Management" }
tipo = "scelta"
opzioni = [
  { codice = "diretta", etichetta = { it = "Diretta", en = "Direct" } },
  { codice = "esterna", etichetta = { it = "Esternalizzata", en = "Outsourced" } },
]

[[quadri.sezioni.campi]]
id = "A08"
etichetta = { it = "Data", en = "Date" }
tipo = "data"

[[quadri.sezioni.campi]]
id = "A09"
etichetta = { it = "Quota", en = "Share" }
tipo = "percentuale"

[[quadri.sezioni.campi]]
id = "A10"
etichetta = { it = "Km", en = "Km" }
tipo = "decimale"
decimali = 1
max = "999.5"

[[quadri.sezioni.tabelle]]
id = "A2"
titolo = { it = "Personale", en = "Staff" }
tipo = "decimale"
min = 0
righe = [
  { rigo = "A21", etichetta = { it = "Dirigenti", en = "Managers" } },
  { rigo = "A22", etichetta = { it = "Impiegati", en = "Clerks" } },
]
colonne = [
  { colonna = "A", etichetta = { it = "Generale", en = "General" } },
  { colonna = "B", etichetta = { it = "Polizia", en = "Police" } },
]
totale_righe = { rigo = "A29", etichetta = { it = "Totale", en = "Total" } }
totale_colonne = { colonna = "P", etichetta = { it = "Totale", en = "Total" } }

[[regole]]
id = "A03_DI_CUI"
gravita = "bloccante"
condizione = "${A03} <= ${A02}"
messaggio = { it = "Minori {A03} oltre gli utenti {A02}.", en = "Minors {A03} above users {A02}." }

[[regole]]
id = "A04_BDAP"
gravita = "squadratura"
condizione = "abs(coalesce(${A04}, 0) - ${A06}) <= max(1000, abs(${A06}) * 0.01)"
campi = ["A04", "A06"]
messaggio = { it = "Spesa {.} lontana da BDAP {A06}.", en = "Spending {.} far from BDAP {A06}." }

[[regole]]
id = "A2_COL_#"
gravita = "avviso"
per_ogni = ["A", "B"]
quando = "${A01}"
condizione = "${A29.#} < 100"
messaggio = { it = "Colonna #: {A29.#} FTE.", en = "Column #: {A29.#} FTE." }
"#;

/// The key of the test modulo: campaign folder `prova`, questionnaire `PROVA`, modulo `A`.
fn prova() -> ChiaveModulo {
    ChiaveModulo::new("prova", "PROVA", "A")
}

fn file(modulo: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("prova/campagna.toml".into(), MANIFESTO.into()), ("prova/modulo.toml".into(), modulo.into())])
}

/// The single error of loading `modulo`, as `file:line:column: message`.
fn errore(modulo: &str) -> String {
    let errori = carica("q/", &file(modulo)).expect_err("the definition should be refused");
    errori.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

fn con(vecchio: &str, nuovo: &str) -> String {
    assert!(BUONO.contains(vecchio), "{vecchio}");
    BUONO.replacen(vecchio, nuovo, 1)
}

#[test]
fn a_good_definition_loads_with_tables_totals_and_repeated_rules() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    assert_eq!(m.codice, "PROVA");
    assert_eq!(m.anno_riferimento, 2023);
    // 10 fields, 2×2 cells + 2 row totals + 3 cells of the total row, the Annotazioni.
    assert_eq!(m.campi.len(), 10 + 4 + 2 + 3 + 1);
    assert!(m.id("A.ANNOTAZIONI").is_some());
    assert_eq!(m.regole.len(), 4);
    assert_eq!(m.regole_scritte, 3);
    assert_eq!(m.regole[2].id, "A2_COL_A");
    let regola = &m.regole[1];
    assert_eq!(regola.campi, vec![m.id("A04").unwrap(), m.id("A06").unwrap()]);
}

#[test]
fn syntax_and_unknown_keys_are_refused_with_position() {
    assert_eq!(
        errore(&con("tipo = \"intero\"\nmin = 0\nobbligatorio", "tipo = \"intero\"\nminimo = 0\nobbligatorio")),
        "q/prova/modulo.toml:21:1: chiave sconosciuta `minimo`, ammesse: `id`, `etichetta`, `aiuto`, `tipo`, \
         `decimali`, `unita`, `min`, `max`, `obbligatorio`, `opzioni`, `max_lunghezza`, `rilevante`, `calcolo`, \
         `precompilato`"
    );
    assert!(
        errore(&con("tipo = \"si_no\"", "tipo = \"sino\"")).starts_with("q/prova/modulo.toml:14:8: valore sconosciuto")
    );
    assert!(errore(&con("[[quadri]]", "[[quadri]\n")).starts_with("q/prova/modulo.toml:4:"));
    assert!(errore(&con("max = \"999.5\"", "max = 999.5")).contains("tra virgolette"));
    assert!(errore(&con("note = \"prova\"", "nota = \"prova\"")).contains("chiave sconosciuta `nota`"));
    assert!(errore(&con("modulo = \"A\"", "modulo = \"B\"")).contains("la campagna lo usa per il modulo «A»"));
}

#[test]
fn duplicate_ids_and_bad_addresses_are_refused() {
    assert!(
        errore(&con("id = \"A03\"", "id = \"A02\""))
            .starts_with("q/prova/modulo.toml:26:6: l'indirizzo A02 è già usato (riga 18)")
    );
    assert!(errore(&con("id = \"A03\"", "id = \"a03\"")).contains("indirizzo «a03» non valido"));
    assert!(errore(&con("id = \"A03\"", "id = \"B03\"")).contains("il rigo comincia con «A»"));
    assert!(errore(&con("id = \"A2_COL_#\"", "id = \"A2_COL\"")).contains("l'id contiene «#»"));
    let doppia = BUONO.to_owned()
        + "\n[[regole]]\nid = \"A03_DI_CUI\"\ngravita = \"avviso\"\ncondizione = \"true\"\nmessaggio = { it = \"x\", en = \"x\" }\n";
    assert!(errore(&doppia).contains("la regola A03_DI_CUI è definita due volte"));
    assert!(errore(&con("{ rigo = \"A22\"", "{ rigo = \"A21\"")).contains("l'indirizzo A21.A è già usato"));
}

#[test]
fn unknown_references_and_type_errors_point_into_the_expression() {
    // Line 42 is `calcolo = "round(${A04} / ${A02}, 2)"`; the string's text starts at column 12.
    assert_eq!(
        errore(&con("${A04} / ${A02}", "${A04} / ${A99}")),
        "q/prova/modulo.toml:42:27: il campo A99 non esiste in questo modulo"
    );
    assert_eq!(
        errore(&con("round(${A04} / ${A02}, 2)", "${A04} + ${A08}")),
        "q/prova/modulo.toml:42:12: «+» vale tra numeri: qui ci sono un numero e una data"
    );
    assert!(
        errore(&con("round(${A04} / ${A02}, 2)", "${A01}"))
            .contains("l'espressione dà un SI/NO (vero o falso), qui serve un numero")
    );
    assert!(
        errore(&con("condizione = \"${A03} <= ${A02}\"", "condizione = \"${A03} + ${A02}\""))
            .contains("qui serve un SI/NO")
    );
    assert!(errore(&con("rilevante = \"${A01}\"", "rilevante = \"${A02}\"")).contains("qui serve un SI/NO"));
    assert!(errore(&con("{A03} oltre", "{A33} oltre")).contains("il messaggio cita {A33}"));
    // In a repeated rule the position is in the template and the message names the value.
    let e = errore(&con("${A29.#} < 100", "${A29.#} < 'cento'"));
    assert!(e.contains("(con # = A)") && e.contains(":110:15:"), "{e}");
    assert!(errore(&con("\"A04\", \"A06\"", "\"A04\", \"A66\"")).contains("il campo A66 non esiste"));
}

#[test]
fn cycles_among_calculations_are_refused_with_the_path() {
    let e = errore(&con(
        "rilevante = \"${A01}\"\n\n[[quadri.sezioni.campi]]\nid = \"A03\"",
        "rilevante = \"${A05} > 0\"\n\n[[quadri.sezioni.campi]]\nid = \"A03\"",
    ));
    assert!(e.contains("ciclo") && e.contains("A02 → A05 → A02"), "{e}");
    let e = errore(&con("round(${A04} / ${A02}, 2)", "${A05} + 1"));
    assert!(e.contains("A05 → A05"), "{e}");
}

#[test]
fn keys_that_do_not_fit_the_type_are_refused() {
    assert!(
        errore(&con("tipo = \"data\"", "tipo = \"data\"\nmin = 0"))
            .contains("«min/max» vale solo per i campi numerici")
    );
    assert!(errore(&con("tipo = \"scelta\"", "tipo = \"testo\"")).contains("«opzioni» vale solo per i campi scelta"));
    assert!(
        errore(&con("decimali = 1\nmax", "decimali = 1\nmin = 1000\nmax"))
            .contains("max (999.5) è minore di min (1000)")
    );
    assert!(
        errore(&con("tipo = \"euro\"\ncalcolo", "tipo = \"euro\"\nobbligatorio = true\ncalcolo"))
            .contains("un campo calcolato non si compila")
    );
    assert!(
        errore(&con("tipo = \"decimale\"\nmin = 0\nrighe", "tipo = \"testo\"\nrighe"))
            .contains("i totali valgono solo per tabelle di numeri")
    );
    let senza =
        BTreeMap::from([("prova/campagna.toml".to_owned(), MANIFESTO.replace("definizione = \"modulo.toml\"\n", ""))]);
    assert!(carica("q/", &senza).unwrap_err()[0].messaggio.contains("non dice il file"));
    let altrove =
        BTreeMap::from([("prova/campagna.toml".to_owned(), MANIFESTO.replace("modulo.toml", "../../x.toml"))]);
    assert!(carica("q/", &altrove).unwrap_err()[0].messaggio.contains("percorso non valido"));
}

#[test]
fn answers_of_the_wrong_kind_are_reported_per_field() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let leggi = |indirizzo: &str, testo: &str| m.interpreta_testo(m.id(indirizzo).unwrap(), testo);
    assert!(leggi("A04", "1234,50").is_ok());
    assert!(leggi("A04", "-0.5").unwrap_err().messaggio(questionario::Lingua::It).contains("minimo"));
    assert_eq!(
        leggi("A04", "12.345").unwrap_err().messaggio(questionario::Lingua::It),
        "Al massimo 2 cifre dopo la virgola."
    );
    assert!(leggi("A04", "1.234,56").unwrap_err().messaggio(questionario::Lingua::It).contains("migliaia"));
    assert!(leggi("A04", "dieci").unwrap_err().messaggio(questionario::Lingua::It).contains("Non è un numero"));
    assert!(leggi("A04", "1e5").is_err());
    assert!(leggi("A04", "12,").is_err());
    assert!(leggi("A02", "3.5").unwrap_err().messaggio(questionario::Lingua::It).contains("intero"));
    assert!(leggi("A02", "3.0").is_ok());
    assert!(leggi("A10", "999.6").unwrap_err().messaggio(questionario::Lingua::En).contains("maximum is 999.5"));
    assert!(leggi("A09", "100.01").is_err(), "a percentage is at most 100");
    assert!(leggi("A08", "2023-02-30").unwrap_err().messaggio(questionario::Lingua::It).contains("data esistente"));
    assert!(leggi("A08", "29/02/2024").is_ok());
    assert!(leggi("A07", "mista").unwrap_err().messaggio(questionario::Lingua::It).contains("diretta, esterna"));
    assert!(leggi("A01", "forse").is_err());
    assert!(leggi("A01", "sì").is_ok());
    assert!(leggi("A05", "3").is_err(), "calculated fields are not filled in");
    assert!(leggi("A.ANNOTAZIONI", &"x".repeat(4001)).is_err());
    assert!(leggi("A.ANNOTAZIONI", &"è".repeat(4000)).is_ok(), "the limit counts characters, not bytes");

    let json = serde_json::json!({
        "A01": "SI", "A02": 3.5, "A04": "12,345", "A08": "2023-02-30", "A99": 1, "A05": 3, "A07": ["diretta"]
    });
    let r = Risposte::da_json(m, &json).unwrap();
    let mut errati: Vec<&str> = r.errori.iter().map(|(a, _)| a.as_str()).collect();
    errati.sort_unstable();
    assert_eq!(errati, ["A02", "A04", "A05", "A07", "A08", "A99"]);
    let report = Valutazione::nuova(m, &r).report(Lingua::It);
    assert!(!report.invio_consentito);
    assert!(report.errori_campo.iter().any(|e| e.campo == "A99"));
    assert!(Risposte::da_json(m, &serde_json::json!([1])).is_err());
    assert!(Risposte::da_json(m, &serde_json::json!({"valori": {}, "altro": 1})).is_err());
}

#[test]
fn numbers_typed_in_an_italian_page_are_read_the_italian_way_and_never_guessed() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let leggi = |indirizzo: &str, testo: &str| m.interpreta_digitato(m.id(indirizzo).unwrap(), testo, Lingua::It);
    let numero = |testo: &str| Ok(Valore::Numero(testo.parse().unwrap()));
    let messaggio = |indirizzo: &str, testo: &str| leggi(indirizzo, testo).unwrap_err().messaggio(Lingua::It);
    // A06 is euro without bounds, A10 decimale with one decimal and max 999.5, A02 intero with min 0.
    assert_eq!(leggi("A06", "1234"), numero("1234"));
    assert_eq!(leggi("A06", "1234,56"), numero("1234.56"));
    assert_eq!(leggi("A06", "1.234,56"), numero("1234.56"));
    assert_eq!(leggi("A06", "1.234.567"), numero("1234567"));
    assert_eq!(leggi("A06", "1.234.567,5"), numero("1234567.5"));
    assert_eq!(leggi("A06", "  -1.234,56  "), numero("-1234.56"));
    assert_eq!(leggi("A06", "\u{2212}1.234,56"), numero("-1234.56"), "the Unicode minus");
    assert_eq!(leggi("A06", ",5"), numero("0.5"));
    assert_eq!(leggi("A06", ".500"), numero("0.5"), "no digit before the point: it separates no thousands");
    // A point that cannot be a thousands separator has one reading, the decimal point.
    assert_eq!(leggi("A06", "12.5"), numero("12.5"));
    assert_eq!(leggi("A06", "0.25"), numero("0.25"));
    assert_eq!(leggi("A10", "3.1"), numero("3.1"));
    assert_eq!(messaggio("A10", "3.1415"), "Al massimo 1 cifre dopo la virgola.");
    // A single point with three digits after it and no comma is a thousands separator or a decimal point.
    let ambiguo = leggi("A06", "1.234").unwrap_err();
    assert_eq!(
        ambiguo,
        ErroreValore::Ambiguo {
            scritto: "1.234".into(),
            migliaia: "1234".parse().unwrap(),
            decimale: "1.234".parse().unwrap()
        }
    );
    assert_eq!(
        ambiguo.messaggio(Lingua::It),
        "Il valore «1.234» è ambiguo: può essere 1234 oppure 1,234; scrivere quello inteso."
    );
    let meno = messaggio("A10", "-12.500");
    assert!(meno.contains("«-12.500»") && meno.contains("-12500") && meno.contains("-12,500"), "{meno}");
    assert!(matches!(leggi("A02", "1.234"), Err(ErroreValore::Ambiguo { .. })), "whatever the field's type");
    for ambiguo in ["0.250", "1234.567", "12.345 €"] {
        assert!(matches!(leggi("A06", ambiguo), Err(ErroreValore::Ambiguo { .. })), "{ambiguo}");
    }
    assert_eq!(leggi("A06", "1234.5678"), Err(ErroreValore::Decimali(2)), "read as 1234,5678");
    assert!(matches!(leggi("A06", "€ 1.234"), Err(ErroreValore::Ambiguo { .. })));
    // Thousands only in groups of three, one comma.
    for sbagliato in ["12.34.5", "1.23,4", "1234.567,8", ".234,5", "1,2,3", "1.234,5,6", "12.345.6"] {
        assert_eq!(leggi("A06", sbagliato), Err(ErroreValore::Gruppi), "{sbagliato}");
    }
    assert_eq!(
        messaggio("A06", "12.34.5"),
        "Separatori fuori posto: il punto divide le migliaia in gruppi di tre cifre (1.234.567) e la virgola separa \
         i decimali (1.234,56)."
    );
    // The English way is refused, saying how Italian writes it.
    assert_eq!(leggi("A06", "1,234.56"), Err(ErroreValore::SeparatoriInvertiti("1234.56".parse().unwrap())));
    assert_eq!(
        messaggio("A06", "1,234.56"),
        "Separatori scambiati: si scrive 1.234,56 (il punto per le migliaia, la virgola per i decimali)."
    );
    assert!(messaggio("A06", "-1,234,567.50").contains("si scrive -1.234.567,50 ("));
    assert!(messaggio("A02", "1,234,567").contains("si scrive 1.234.567 ("));
    // € around an amount, % after a percentage, each only for its type.
    assert_eq!(leggi("A06", "1.234,56 €"), numero("1234.56"));
    assert_eq!(leggi("A06", "€1.234,56"), numero("1234.56"));
    assert_eq!(leggi("A06", "€ -5"), numero("-5"));
    assert_eq!(leggi("A06", "-€ 5"), numero("-5"));
    assert_eq!(leggi("A06", "-5€"), numero("-5"));
    assert_eq!(leggi("A09", "33,5 %"), numero("33.5"));
    assert_eq!(leggi("A09", "12.5%"), numero("12.5"));
    for non_numero in ["€ 5 €", "--5", "- 5", "+5", "5 %", "1 234", "12,", "12.", "1e5", "dieci", "€", "-"] {
        assert_eq!(leggi("A06", non_numero), Err(ErroreValore::NonNumero), "{non_numero}");
    }
    assert_eq!(leggi("A02", "5 €"), Err(ErroreValore::NonNumero));
    assert_eq!(leggi("A09", "% 5"), Err(ErroreValore::NonNumero));
    // Then the field's own checks.
    assert_eq!(leggi("A02", "1,5"), Err(ErroreValore::NonIntero));
    assert_eq!(leggi("A02", "3,0"), numero("3"));
    assert_eq!(leggi("A02", "1.234.567"), numero("1234567"));
    assert_eq!(leggi("A02", "-1"), Err(ErroreValore::Minimo(0.into())));
    assert_eq!(leggi("A06", "1,234"), Err(ErroreValore::Decimali(2)), "the comma is the decimal separator");
    assert_eq!(leggi("A04", "-0,5 €"), Err(ErroreValore::Minimo(0.into())));
    assert_eq!(leggi("A10", "999,6"), Err(ErroreValore::Massimo("999.5".parse().unwrap())));
    assert_eq!(leggi("A09", "100,01 %"), Err(ErroreValore::Massimo(100.into())));
    assert_eq!(leggi("A09", "-1%"), Err(ErroreValore::Minimo(0.into())));
    assert_eq!(leggi("A05", "3"), Err(ErroreValore::Calcolato));
    assert_eq!(leggi("A05", ""), Err(ErroreValore::Calcolato));
    assert_eq!(leggi("A06", "   "), Ok(Valore::Vuoto));
    // Other types are read as answers files are.
    assert_eq!(leggi("A08", "31/12/2023"), m.interpreta_testo(m.id("A08").unwrap(), "2023-12-31"));
    assert_eq!(leggi("A01", "sì"), Ok(Valore::Booleano(true)));
    assert_eq!(leggi("A07", "mista"), m.interpreta_testo(m.id("A07").unwrap(), "mista"));
    assert_eq!(m.interpreta_digitato(u32::MAX, "1", Lingua::It), Err(ErroreValore::Sconosciuto));
    // Answers files keep their canonical reading.
    assert_eq!(m.interpreta_testo(m.id("A06").unwrap(), "1.234,56"), Err(ErroreValore::Migliaia));
    assert_eq!(m.interpreta_testo(m.id("A06").unwrap(), "1.234"), Err(ErroreValore::Decimali(2)));
}

#[test]
fn numbers_typed_in_an_english_page_mirror_the_italian_rules() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let leggi = |indirizzo: &str, testo: &str| m.interpreta_digitato(m.id(indirizzo).unwrap(), testo, Lingua::En);
    let numero = |testo: &str| Ok(Valore::Numero(testo.parse().unwrap()));
    let messaggio = |indirizzo: &str, testo: &str| leggi(indirizzo, testo).unwrap_err().messaggio(Lingua::En);
    assert_eq!(leggi("A06", "1234"), numero("1234"));
    assert_eq!(leggi("A06", "1234.56"), numero("1234.56"));
    assert_eq!(leggi("A06", "1,234.56"), numero("1234.56"));
    assert_eq!(leggi("A06", "1,234,567"), numero("1234567"));
    assert_eq!(leggi("A06", "-1,234,567.5 €"), numero("-1234567.5"));
    assert_eq!(leggi("A06", "12,5"), numero("12.5"));
    assert_eq!(leggi("A06", "0,25"), numero("0.25"));
    assert_eq!(leggi("A09", "12,5 %"), numero("12.5"));
    assert_eq!(
        messaggio("A06", "1,234"),
        "The value \"1,234\" is ambiguous: it may be 1234 or 1.234; write the one you mean."
    );
    assert!(matches!(leggi("A06", "\u{2212}12,500"), Err(ErroreValore::Ambiguo { .. })));
    for sbagliato in ["12,34,5", "1,23.4", "1.2.3"] {
        assert_eq!(leggi("A06", sbagliato), Err(ErroreValore::Gruppi), "{sbagliato}");
    }
    assert!(messaggio("A06", "12,34,5").starts_with("Separators out of place: commas split thousands"));
    assert_eq!(
        messaggio("A06", "1.234,56"),
        "Separators swapped: write 1,234.56 (commas for thousands, a point for decimals)."
    );
    assert!(messaggio("A02", "1.234.567").contains("write 1,234,567 ("));
    assert_eq!(leggi("A02", "1.5"), Err(ErroreValore::NonIntero));
    assert_eq!(leggi("A02", "1,5"), Err(ErroreValore::NonIntero));
    assert_eq!(leggi("A10", "999.6"), Err(ErroreValore::Massimo("999.5".parse().unwrap())));
    assert_eq!(leggi("A08", "2023-12-31"), m.interpreta_testo(m.id("A08").unwrap(), "31/12/2023"));
}

#[test]
fn the_accepted_forms_of_a_typed_number_are_one_sentence_per_language() {
    let it = questionario::formato_numeri(Lingua::It);
    let en = questionario::formato_numeri(Lingua::En);
    for (frase, esempi) in
        [(it, ["1234,56", "1.234,56", "12.5", "«1.234»"]), (en, ["1234.56", "1,234.56", "12,5", "\"1,234\""])]
    {
        assert!(frase.ends_with('.') && !frase.contains(". "), "one sentence: {frase}");
        for esempio in esempi {
            assert!(frase.contains(esempio), "{frase}: {esempio}");
        }
    }
}

proptest! {
    /// A number a page shows with two decimals reads back as the same number, in either language; shown without
    /// fixed decimals, a whole number reads back unless it has exactly one thousands separator, which is refused
    /// as ambiguous.
    #[test]
    fn a_number_shown_by_the_page_reads_back_as_the_same_number(
        mantissa in any::<i64>(),
        scala in 0u32..=2,
        intero in -10_000_000i64..10_000_000,
    ) {
        let catalogo = carica("q/", &file(BUONO)).unwrap();
        let m = catalogo.modulo(&prova()).unwrap();
        let a06 = m.id("A06").unwrap();
        let n = rust_decimal::Decimal::new(mantissa, scala);
        for lingua in [Lingua::It, Lingua::En] {
            let mostrato = Valore::Numero(n).mostra(lingua, Some(2));
            prop_assert_eq!(m.interpreta_digitato(a06, &mostrato, lingua), Ok(Valore::Numero(n)), "{}", mostrato);
            let mostrato = Valore::Numero(intero.into()).mostra(lingua, None);
            let letto = m.interpreta_digitato(a06, &mostrato, lingua);
            if (1000..1_000_000).contains(&intero.abs()) {
                prop_assert!(matches!(letto, Err(ErroreValore::Ambiguo { .. })), "{}", mostrato);
            } else {
                prop_assert_eq!(letto, Ok(Valore::Numero(intero.into())), "{}", mostrato);
            }
        }
    }
}

#[test]
fn the_report_gives_outcomes_completion_calculations_and_whether_invio_is_allowed() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let json = serde_json::json!({
        "valori": { "A01": false, "A02": 10, "A03": 12, "A04": "5000.00", "A21.A": "1.5", "A22.A": "2.25", "A22.B": "1" },
        "precompilati": { "A06": "10000.00" },
    });
    let r = Risposte::da_json(m, &json).unwrap();
    let report = Valutazione::nuova(m, &r).report(Lingua::It);
    // A01 = NO: A02 and A03 do not apply, so they count as blank and are listed as values to remove.
    assert_eq!(report.non_pertinenti_con_valore, ["A02", "A03"]);
    let esito = |id: &str| report.regole.iter().find(|e| e.id == id).unwrap();
    assert_eq!(esito("A03_DI_CUI").esito, Esito::NonValutabile);
    assert_eq!(esito("A04_BDAP").esito, Esito::Violata);
    assert_eq!(esito("A04_BDAP").messaggio.as_deref(), Some("Spesa 5.000,00 lontana da BDAP 10.000,00."));
    let inglese = Valutazione::nuova(m, &r).report(Lingua::En);
    let messaggio = inglese.regole.iter().find(|e| e.id == "A04_BDAP").unwrap().messaggio.as_deref();
    assert_eq!(messaggio, Some("Spending 5,000.00 far from BDAP 10,000.00."));
    assert_eq!(esito("A2_COL_A").esito, Esito::NonApplicabile);
    let calcolato = |a: &str| report.calcolati.iter().find(|c| c.campo == a).unwrap().valore.clone();
    assert_eq!(calcolato("A29.A").as_deref(), Some("3.75"));
    assert_eq!(calcolato("A21.P").as_deref(), Some("1.5"));
    assert_eq!(calcolato("A29.P").as_deref(), Some("4.75"));
    assert_eq!(calcolato("A05"), None, "A02 does not apply, so the division has a blank");
    assert_eq!(report.quadri[0].richiesti, 1, "A02 is required only when relevant");
    assert_eq!(report.quadri[0].percentuale, 100);
    assert!(!report.invio_consentito, "an unjustified squadratura blocks invio");
    assert_eq!(report.squadrature_da_giustificare, 1);

    let mut v = Valutazione::nuova(m, &r);
    v.giustifica("A04_BDAP", "Spese elettorali");
    let report = v.report(Lingua::It);
    assert!(report.invio_consentito, "{:?}", report.errori_campo);
    assert_eq!(report.squadrature_giustificate, 1);

    v.imposta(m.id("A01").unwrap(), Ok(questionario::Valore::Booleano(true))).unwrap();
    let report = v.report(Lingua::It);
    assert_eq!(report.bloccanti_violate, 1, "12 minors of 10 users now applies");
    assert!(!report.invio_consentito);
    assert_eq!(report.regole.iter().find(|e| e.id == "A2_COL_A").unwrap().esito, Esito::Rispettata);
    assert_eq!(
        report.calcolati.iter().find(|c| c.campo == "A05").unwrap().valore.as_deref(),
        Some("500"),
        "canonical numbers carry no trailing zeros"
    );
}

#[test]
fn a_field_number_the_modulo_does_not_have_gives_none_or_an_error_never_a_panic() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let fuori = m.campi.len() as u32;
    assert_eq!(m.campo(m.id("A01").unwrap()).unwrap().indirizzo, "A01");
    assert!(m.campo(fuori).is_none());
    assert!(m.campo(u32::MAX).is_none());
    assert_eq!(m.interpreta_testo(fuori, "1"), Err(ErroreValore::Sconosciuto));
    assert_eq!(m.interpreta_json(fuori, &serde_json::json!(null)), Err(ErroreValore::Sconosciuto));
    let v = Valutazione::nuova(m, &Risposte::default());
    assert!(v.valore(fuori).is_none());
    assert!(v.pertinente(fuori).is_none());
    assert!(v.esito_regola(m.regole.len()).is_none());
    assert_eq!(v.esito_regola(0), Some(Esito::NonValutabile));
}

#[test]
fn a_questionnaire_code_in_two_campaigns_gives_two_moduli_each_found_by_its_own_key() {
    let mut file = file(BUONO);
    file.insert("prova-2024/campagna.toml".into(), MANIFESTO.replace("modulo.toml", "../prova/modulo.toml"));
    let catalogo = carica("q/", &file).unwrap();
    assert_eq!(catalogo.moduli.len(), 2);
    let primo = catalogo.modulo(&prova()).unwrap();
    let secondo = catalogo.modulo(&ChiaveModulo::new("prova-2024", "PROVA", "A")).unwrap();
    assert_eq!(primo.campagna, "prova");
    assert_eq!(secondo.campagna, "prova-2024");
    assert_ne!(primo.chiave(), secondo.chiave());
    assert_eq!(secondo.chiave().to_string(), "prova-2024/PROVA/A");
    let mut trovati: Vec<String> = catalogo.cerca("prova", "a").map(|m| m.campagna.clone()).collect();
    trovati.sort_unstable();
    assert_eq!(trovati, ["prova", "prova-2024"], "a code alone is ambiguous: the caller sees both");
    assert!(catalogo.modulo(&ChiaveModulo::new("prova", "PROVA", "B")).is_none());
    assert!(catalogo.modulo(&ChiaveModulo::new("altra", "PROVA", "A")).is_none());
}

#[test]
fn a_modulo_listed_twice_in_one_campaign_is_refused() {
    let doppio = MANIFESTO.to_owned()
        + "\n[[moduli]]\ncodice = \"A\"\ntitolo = { it = \"Di nuovo\", en = \"Again\" }\ndefinizione = \"modulo.toml\"\n";
    let file =
        BTreeMap::from([("prova/campagna.toml".to_owned(), doppio), ("prova/modulo.toml".to_owned(), BUONO.into())]);
    let errori = carica("q/", &file).unwrap_err();
    assert_eq!(errori.len(), 1, "{errori:?}");
    assert_eq!(
        errori[0].to_string(),
        "q/prova/campagna.toml:13:10: il modulo A è elencato due volte in questa campagna"
    );
}

#[test]
fn every_modulo_carries_the_sha256_of_its_definition_file_in_hexadecimal() {
    assert_eq!(
        Impronta::di(b"abc").to_string(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "the FIPS 180-2 test vector"
    );
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    assert_eq!(m.impronta, Impronta::di(BUONO.as_bytes()));
    assert_eq!(serde_json::to_value(m.impronta).unwrap(), serde_json::json!(m.impronta.to_string()));
    let commentato = carica("q/", &file(&format!("{BUONO}# una nota\n"))).unwrap();
    assert_ne!(commentato.modulo(&prova()).unwrap().impronta, m.impronta, "any byte of the file counts");
}

#[test]
fn an_explicit_blank_overrides_a_prefilled_value_and_ripristina_lets_it_apply_again() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let a06 = m.id("A06").unwrap();
    let bdap = Valore::Numero("10000.00".parse().unwrap());
    let leggi = |json: serde_json::Value| Risposte::da_json(m, &json).unwrap();
    let mai = leggi(serde_json::json!({ "valori": { "A04": "5000" }, "precompilati": { "A06": "10000.00" } }));
    assert_eq!(Valutazione::nuova(m, &mai).valore(a06), Some(&bdap), "never answered: the prefilled value");
    for vuoto in [serde_json::json!(null), serde_json::json!(""), serde_json::json!("  ")] {
        let cancellata = leggi(
            serde_json::json!({ "valori": { "A04": "5000", "A06": vuoto }, "precompilati": { "A06": "10000.00" } }),
        );
        assert_eq!(
            Valutazione::nuova(m, &cancellata).valore(a06),
            Some(&Valore::Vuoto),
            "{vuoto} is an explicit blank"
        );
    }
    let rifiutata = leggi(serde_json::json!({ "valori": { "A06": "dieci" }, "precompilati": { "A06": "10000.00" } }));
    let v = Valutazione::nuova(m, &rifiutata);
    assert_eq!(v.valore(a06), Some(&Valore::Vuoto), "a refused answer counts as blank, not as the prefilled value");
    assert_eq!(v.errore(a06), Some(&ErroreValore::NonNumero));

    let mut v = Valutazione::nuova(m, &mai);
    let bdap_a04 = m.regole.iter().position(|r| r.id == "A04_BDAP").unwrap();
    assert_eq!(v.esito_regola(bdap_a04), Some(Esito::Violata));
    let delta = v.imposta(a06, Ok(Valore::Vuoto)).unwrap();
    assert_eq!(v.valore(a06), Some(&Valore::Vuoto));
    assert_eq!(delta.valori, [a06]);
    assert_eq!(delta.regole, [bdap_a04], "the squadratura against BDAP waits for a value again");
    let cancellata =
        leggi(serde_json::json!({ "valori": { "A04": "5000", "A06": null }, "precompilati": { "A06": "10000.00" } }));
    assert_eq!(v.compatto(Lingua::It), Valutazione::nuova(m, &cancellata).compatto(Lingua::It));
    let delta = v.ripristina(a06).unwrap();
    assert_eq!(v.valore(a06), Some(&bdap));
    assert_eq!((delta.valori.as_slice(), delta.regole.as_slice()), ([a06].as_slice(), [bdap_a04].as_slice()));
    assert_eq!(v.compatto(Lingua::It), Valutazione::nuova(m, &mai).compatto(Lingua::It));
}

#[test]
fn imposta_returns_the_values_relevance_errors_rules_and_quadri_that_changed() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let id = |a: &str| m.id(a).unwrap();
    let (a01, a02, a03, a04, a05) = (id("A01"), id("A02"), id("A03"), id("A04"), id("A05"));
    let di_cui = m.regole.iter().position(|r| r.id == "A03_DI_CUI").unwrap();
    let numero = |s: &str| Ok(Valore::Numero(s.parse().unwrap()));
    let mut v = Valutazione::nuova(m, &Risposte::default());
    assert_eq!(v.completamento(0).unwrap().percentuale, 0);

    // A01 = SI: A02 and A03 now apply; A01 is no longer missing and A02, required, is.
    let d = v.imposta(a01, Ok(Valore::Booleano(true))).unwrap();
    assert_eq!(d.valori, [a01]);
    assert_eq!(d.pertinenza, [a02, a03]);
    assert_eq!(d.errori, [a01, a02]);
    assert!(d.regole.is_empty(), "{:?}", d.regole);
    assert_eq!(d.quadri, [0]);
    let completamento = v.completamento(0).unwrap();
    assert_eq!((completamento.compilati, completamento.richiesti, completamento.percentuale), (1, 2, 50));

    v.imposta(a02, numero("10")).unwrap();
    let d = v.imposta(a03, numero("12")).unwrap();
    assert_eq!(d.regole, [di_cui]);
    assert_eq!(v.messaggio_regola(di_cui, Lingua::It).as_deref(), Some("Minori 12 oltre gli utenti 10."));
    // Still violated, but the message quotes A02: the page must redraw it.
    let d = v.imposta(a02, numero("11")).unwrap();
    assert_eq!((d.valori.as_slice(), d.regole.as_slice()), ([a02].as_slice(), [di_cui].as_slice()));
    assert_eq!(v.messaggio_regola(di_cui, Lingua::En).as_deref(), Some("Minors 12 above users 11."));

    let d = v.imposta(a04, m.interpreta_testo(a04, "5000")).unwrap();
    assert_eq!(d.valori, [a04, a05], "the calculated spending per user changes with it");
    assert_eq!(v.valore(a05), Some(&Valore::Numero("454.55".parse().unwrap())));
    assert!(v.imposta(a04, m.interpreta_testo(a04, "5000,00")).unwrap().vuoto(), "the same value changes nothing");

    let d = v.imposta(a02, m.interpreta_testo(a02, "dieci")).unwrap();
    assert_eq!(d.valori, [a02, a05]);
    assert_eq!(d.errori, [a02]);
    assert_eq!(d.regole, [di_cui], "12 minors of a blank number of users cannot be checked");
    assert_eq!(d.quadri, [0]);
    assert_eq!(v.errore(a02), Some(&ErroreValore::NonNumero));

    let fuori = m.campi.len() as u32;
    assert_eq!(v.imposta(fuori, Ok(Valore::Vuoto)), Err(questionario::CampoSconosciuto(fuori)));
    assert_eq!(v.ripristina(fuori), Err(questionario::CampoSconosciuto(fuori)));
}

#[test]
fn each_field_has_its_own_error_and_the_rules_that_concern_it() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let v = Valutazione::nuova(m, &Risposte::default());
    let fuori = m.campi.len() as u32;
    assert_eq!(v.errore(m.id("A01").unwrap()), Some(&ErroreValore::Obbligatorio));
    assert_eq!(v.errore(m.id("A02").unwrap()), None, "A02 does not apply, so it is not required");
    assert_eq!(v.errore(fuori), Some(&ErroreValore::Sconosciuto));
    let regole = |a: &str| -> Vec<&str> {
        m.regole_del_campo(m.id(a).unwrap()).iter().map(|&i| m.regole[i].id.as_str()).collect()
    };
    assert_eq!(regole("A02"), ["A03_DI_CUI"]);
    assert_eq!(regole("A06"), ["A04_BDAP"]);
    assert_eq!(regole("A29.B"), ["A2_COL_B"]);
    assert_eq!(regole("A01"), ["A2_COL_A", "A2_COL_B"], "without `campi`, every field the rule reads");
    assert!(regole("A10").is_empty());
    assert!(m.regole_del_campo(fuori).is_empty());
}

#[test]
fn a_report_speaks_one_language_and_names_the_definition_it_checked_against() {
    let catalogo = carica("q/", &file(BUONO)).unwrap();
    let m = catalogo.modulo(&prova()).unwrap();
    let v = Valutazione::nuova(m, &Risposte::default());
    let inglese = serde_json::to_value(v.report(Lingua::En)).unwrap();
    let testo = inglese.to_string();
    assert!(testo.contains("Required field.") && !testo.contains("Campo obbligatorio."), "{testo}");
    assert_eq!(inglese["lingua"], "en");
    assert_eq!(inglese["campagna"], "prova");
    assert_eq!(inglese["impronta"], m.impronta.to_string());
    let italiano = serde_json::to_string(&v.report(Lingua::It)).unwrap();
    assert!(italiano.contains("Campo obbligatorio.") && !italiano.contains("Required field."));
}
