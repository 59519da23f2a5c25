//! Open data: once a campaign is closed, the sent answers of every ente, for each of its moduli, are public, under
//! CC BY 4.0: one row per ente (its IPA code and name, the version and protocol of its last invio, one column per
//! field address), as CSV and JSON, with the codebook; and the campaign's catalogue described in DCAT-AP_IT
//! (JSON-LD), with each CSV's columns in CSVW. Nothing in them names a person: no compiler, no author of a
//! justification, no justification at all, and no free-text answer (descriptions, comments, annotazioni), where a
//! compiler may name people; the values are those of the frozen snapshot of each last invio.
//!
//! The same files come from `raccolta export … --open-data` and from the public pages `/open-data/…`.

use questionario::{Lingua, Modulo, Tipo};

use crate::catalogo::{Campagna, StatoCampagna};

/// The licence of every dataset.
pub const LICENZA: &str = "https://creativecommons.org/licenses/by/4.0/";

/// True when a field's values may be published: everything but free text (descriptions, comments and every
/// quadro's *Annotazioni*), where a compiler may name people.
pub fn pubblicabile(c: &questionario::Campo) -> bool {
    !matches!(c.tipo, Tipo::Testo(_))
}

/// True when `c`'s sent answers are public: the campaign is closed and has moduli.
pub fn pubblicata(c: &Campagna) -> bool {
    c.stato() == StatoCampagna::Chiusa && !c.moduli.is_empty()
}

/// When a campaign's data were published (the campaign closed) and last changed (its last invio), `AAAA-MM-GG`.
#[derive(Debug, Clone)]
pub struct Date {
    /// Published.
    pub pubblicati: String,
    /// Last changed.
    pub modificati: String,
}

/// The [`Date`] of a closed campaign: published when it was closed (else its deadline), changed at its last invio
/// (else when published).
pub async fn date(db: &crate::db::Db, c: &Campagna) -> Result<Date, crate::db::DbError> {
    let pubblicati = match crate::db::campagne::ultima_modifica(db, &c.id).await? {
        Some((_, quando)) => crate::ora::oggi(quando).to_string(),
        None => c.scadenza().to_string(),
    };
    let modificati = match crate::db::esporta::ultimo_invio(db, &c.id).await? {
        Some(quando) => crate::ora::oggi(quando).to_string().max(pubblicati.clone()),
        None => pubblicati.clone(),
    };
    Ok(Date { pubblicati, modificati })
}

/// Who publishes the data.
#[derive(Debug, Clone)]
pub struct Editore<'a> {
    /// Name of the administration.
    pub nome: &'a str,
    /// Its IPA code, when set.
    pub ipa: &'a str,
    /// Contact e-mail.
    pub email: &'a str,
}

/// The file names of a modulo's distributions: CSV, JSON, codebook.
pub fn file(modulo: &str) -> (String, String, String) {
    let m = modulo.to_lowercase();
    (format!("{m}.csv"), format!("{m}.json"), format!("{m}-codebook.csv"))
}

fn testo(it: &str, en: &str) -> serde_json::Value {
    serde_json::json!([{ "@value": it, "@language": "it" }, { "@value": en, "@language": "en" }])
}

/// The XSD datatype of a field's values in the CSV.
fn datatype(t: &Tipo) -> &'static str {
    match t {
        Tipo::Intero => "integer",
        Tipo::Decimale(_) | Tipo::Euro | Tipo::Percentuale => "decimal",
        Tipo::Data => "date",
        _ => "string",
    }
}

/// The description of one dataset (a campaign's modulo) as the JSON's `dataset` member and the page show it.
pub fn dataset(c: &Campagna, m: &Modulo, base: &str) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{base}/open-data/{}#{}", c.id, m.modulo.to_lowercase()),
        "campagna": c.id,
        "modulo": m.modulo,
        "titolo": format!("{} {} {} · {}", c.codice, m.modulo, c.anno_riferimento, m.titolo.get(Lingua::It)),
        "anno_riferimento": c.anno_riferimento,
    })
}

/// The DCAT-AP_IT catalogue of a closed campaign (JSON-LD): one dataset per modulo with its three distributions,
/// its licence, its publisher and its columns (CSVW's `tableSchema` on the CSV). `moduli` are the definitions of
/// the campaign's moduli, in order; `date` when the data were published and last changed.
pub fn dcat(c: &Campagna, moduli: &[&Modulo], base: &str, editore: &Editore<'_>, date: &Date) -> serde_json::Value {
    let (data, modificati) = (date.pubblicati.as_str(), date.modificati.as_str());
    let pagina = format!("{base}/open-data/{}", c.id);
    let agente = serde_json::json!({
        "@type": ["foaf:Agent", "dcatapit:Agent"],
        "foaf:name": editore.nome,
        "dct:identifier": if editore.ipa.is_empty() { base.to_owned() } else { editore.ipa.to_owned() },
    });
    let licenza = serde_json::json!({
        "@id": LICENZA,
        "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
        "dct:type": { "@id": "http://purl.org/adms/licencetype/Attribution" },
        "foaf:name": "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)",
    });
    let lingua = serde_json::json!({ "@id": "http://publications.europa.eu/resource/authority/language/ITA" });
    let datasets: Vec<serde_json::Value> = moduli
        .iter()
        .map(|m| {
            let (csv, json, codebook) = file(&m.modulo);
            let titolo_it =
                format!("{} {} {} · {}", c.codice, m.modulo, c.anno_riferimento, m.titolo.get(Lingua::It));
            let titolo_en =
                format!("{} {} {} · {}", c.codice, m.modulo, c.anno_riferimento, m.titolo.get(Lingua::En));
            let mut colonne: Vec<serde_json::Value> = [
                ("codice_ipa", "Codice IPA dell'ente", "IPA code of the authority"),
                ("ente", "Denominazione dell'ente", "Name of the authority"),
                ("versione", "Versione inviata (l'ultima)", "Version sent (the last one)"),
                ("protocollo", "Protocollo dell'invio", "Protocol of the submission"),
            ]
            .iter()
            .map(|(n, it, en)| {
                let tipo = if *n == "versione" { "integer" } else { "string" };
                serde_json::json!({ "csvw:name": n, "csvw:titles": testo(it, en), "csvw:datatype": tipo })
            })
            .collect();
            colonne.extend(m.campi.iter().filter(|f| pubblicabile(f)).map(|f| {
                let mut col = serde_json::json!({
                    "csvw:name": f.indirizzo,
                    "csvw:titles": testo(f.etichetta.get(Lingua::It), f.etichetta.get(Lingua::En)),
                    "csvw:datatype": datatype(&f.tipo),
                });
                if let Some(u) = &f.unita {
                    col["dct:description"] = serde_json::json!(u);
                }
                col
            }));
            let distribuzione = |nome: &str, formato: &str, media: &str, titolo: (&str, &str)| {
                serde_json::json!({
                    "@type": ["dcat:Distribution", "dcatapit:Distribution"],
                    "dct:title": testo(titolo.0, titolo.1),
                    "dcat:accessURL": { "@id": pagina },
                    "dcat:downloadURL": { "@id": format!("{pagina}/{nome}") },
                    "dct:format": { "@id": format!("http://publications.europa.eu/resource/authority/file-type/{formato}") },
                    "dcat:mediaType": { "@id": format!("http://www.iana.org/assignments/media-types/{media}") },
                    "dct:license": licenza,
                })
            };
            let mut d_csv = distribuzione(&csv, "CSV", "text/csv", ("Risposte inviate (CSV)", "Answers sent (CSV)"));
            d_csv["csvw:tableSchema"] = serde_json::json!({ "csvw:column": colonne });
            serde_json::json!({
                "@id": format!("{pagina}#{}", m.modulo.to_lowercase()),
                "@type": ["dcat:Dataset", "dcatapit:Dataset"],
                "dct:identifier": format!("{}:{}:{}", editore_id(editore, base), c.id, m.modulo),
                "dct:title": testo(&titolo_it, &titolo_en),
                "dct:description": testo(
                    &format!("Le risposte inviate da ogni ente a {titolo_it} ({}), nell'ultima versione inviata.", c.titolo.it),
                    &format!("The answers sent by every authority to {titolo_en} ({}), in the last version sent.", c.titolo.en),
                ),
                "dcat:theme": { "@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE" },
                // Published once, when the campaign closes; it changes only if the campaign is reopened.
                "dct:accrualPeriodicity": { "@id": "http://publications.europa.eu/resource/authority/frequency/IRREG" },
                "dct:language": lingua,
                "dct:issued": { "@value": data, "@type": "xsd:date" },
                "dct:modified": { "@value": modificati, "@type": "xsd:date" },
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": { "@value": format!("{}-01-01", c.anno_riferimento), "@type": "xsd:date" },
                    "dcat:endDate": { "@value": format!("{}-12-31", c.anno_riferimento), "@type": "xsd:date" },
                },
                "dct:spatial": { "@id": "http://publications.europa.eu/resource/authority/country/ITA" },
                "dcat:keyword": ["fabbisogni standard", "enti locali", c.codice.as_str(), m.modulo.as_str()],
                "dct:publisher": agente,
                "dct:rightsHolder": agente,
                "dcat:contactPoint": {
                    "@type": ["vcard:Organization", "dcatapit:Organization"],
                    "vcard:fn": editore.nome,
                    "vcard:hasEmail": { "@id": format!("mailto:{}", editore.email) },
                },
                "dcat:landingPage": { "@id": pagina },
                "dcat:distribution": [
                    d_csv,
                    distribuzione(&json, "JSON", "application/json", ("Risposte inviate (JSON)", "Answers sent (JSON)")),
                    distribuzione(&codebook, "CSV", "text/csv", ("Codebook dei campi (CSV)", "Codebook of the fields (CSV)")),
                ],
            })
        })
        .collect();
    serde_json::json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "dcatapit": "http://dati.gov.it/onto/dcatapit#",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "csvw": "http://www.w3.org/ns/csvw#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": pagina,
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": testo(&c.titolo.it, &c.titolo.en),
        "dct:description": testo(&c.descrizione.it, &c.descrizione.en),
        "dct:publisher": agente,
        "dct:issued": { "@value": data, "@type": "xsd:date" },
        "dct:modified": { "@value": modificati, "@type": "xsd:date" },
        "dct:language": lingua,
        "foaf:homepage": { "@id": pagina },
        "dct:license": licenza,
        "dcat:dataset": datasets,
    })
}

fn editore_id(editore: &Editore<'_>, base: &str) -> String {
    if editore.ipa.is_empty() {
        base.trim_start_matches("https://").trim_start_matches("http://").to_owned()
    } else {
        editore.ipa.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_the_modulo_in_lower_case() {
        assert_eq!(super::file("B"), ("b.csv".to_owned(), "b.json".to_owned(), "b-codebook.csv".to_owned()));
    }
}
