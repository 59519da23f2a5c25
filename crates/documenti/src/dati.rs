//! What the templates print, as plain data: the caller fills these in (values already formatted the Italian or
//! English way, labels already translated), and they reach typst as JSON, never as markup.

use serde::Serialize;

/// A questionnaire as sent (or, with [`Questionario::modello`], the blank model of a modulo).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Questionario {
    /// Document language (`it`, `en`): the PDF's `/Lang`, hyphenation and quotes.
    pub lingua: String,
    /// Document title: the PDF's `/Title` and the first heading.
    pub titolo: String,
    /// Who the document is about (the ente), for the PDF's `/Author`.
    pub autore: String,
    /// The blank model of the modulo: empty answer cells, no protocol.
    pub modello: bool,
    /// What every page repeats at its top and bottom.
    pub intestazione: Intestazione,
    /// The fixed words of the document, in its language.
    pub etichette: Etichette,
    /// Lines under the title (ente, modulo, sent by, on).
    pub premessa: Vec<Coppia>,
    /// The modulo's instructions.
    pub istruzioni: Option<String>,
    /// The quadri, in definition order.
    pub quadri: Vec<Quadro>,
    /// The squadrature left open at invio, each with its justification.
    pub squadrature: Vec<Squadratura>,
    /// Annex: what this version changed from the previous one.
    pub differenze: Option<Differenze>,
}

/// The running header and footer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Intestazione {
    /// The ente's name (empty for a model).
    pub ente: String,
    /// `FC80U modulo A`.
    pub modulo: String,
    /// `Versione 2` (empty for a model).
    pub versione: String,
    /// `FC80U-2022-000123` (empty for a model).
    pub protocollo: String,
    /// The SHA-256 of the sent snapshot (empty for a model).
    pub sha256: String,
    /// A line that replaces protocol and hash on a model ("Modello: non vale come invio").
    pub nota: String,
}

/// The document's fixed words.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Etichette {
    /// "Quadro".
    pub quadro: String,
    /// "Campo".
    pub campo: String,
    /// "Valore".
    pub valore: String,
    /// "Annotazioni".
    pub annotazioni: String,
    /// "Nessuna annotazione".
    pub nessuna_annotazione: String,
    /// "Squadrature giustificate".
    pub squadrature: String,
    /// "Giustificazione".
    pub giustificazione: String,
    /// "Nessuna squadratura".
    pub nessuna_squadratura: String,
    /// The legend of the prefilled mark: "P: valore precompilato (fonte)".
    pub legenda_precompilato: String,
    /// The legend of calculated cells: "in grassetto: totali calcolati".
    pub legenda_calcolato: String,
    /// "Pagina".
    pub pagina: String,
    /// "di".
    pub di: String,
    /// "Impronta SHA-256".
    pub impronta: String,
    /// "Protocollo".
    pub protocollo: String,
    /// "Prima".
    pub prima: String,
    /// "Dopo".
    pub dopo: String,
    /// "Modificato da".
    pub autore: String,
    /// "Istruzioni".
    pub istruzioni: String,
    /// "Nessuna differenza".
    pub nessuna_differenza: String,
}

/// A label and its value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coppia {
    /// The label.
    pub etichetta: String,
    /// The value.
    pub valore: String,
}

/// One quadro.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Quadro {
    /// `D`.
    pub codice: String,
    /// Its title.
    pub titolo: String,
    /// Its instructions.
    pub istruzioni: Option<String>,
    /// Its sections.
    pub sezioni: Vec<Sezione>,
    /// The text of its Annotazioni box ("" when empty).
    pub annotazioni: String,
}

/// One section of a quadro: single fields, then tables.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sezione {
    /// Its title.
    pub titolo: String,
    /// Its instructions.
    pub istruzioni: Option<String>,
    /// Its single fields.
    pub campi: Vec<Campo>,
    /// Its tables.
    pub tabelle: Vec<Tabella>,
}

/// One single field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Campo {
    /// `D23`: the address, printed before the label.
    pub codice: String,
    /// Its label.
    pub etichetta: String,
    /// Its help, on a model.
    pub aiuto: Option<String>,
    /// The value as a reader sees it (`1.234,56`), with its unit; "" when blank.
    pub valore: String,
    /// The prefilled source when the value is the prefilled one (`BDAP`).
    pub precompilato: Option<String>,
    /// Whether the value is calculated from other fields.
    pub calcolato: bool,
}

/// One table: rows × columns of cells.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tabella {
    /// Its title.
    pub titolo: String,
    /// Column headers.
    pub colonne: Vec<String>,
    /// Rows: a header and one cell per column.
    pub righe: Vec<Riga>,
}

/// One row of a table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Riga {
    /// The row header (`D01 Segretario comunale`).
    pub etichetta: String,
    /// One cell per column.
    pub celle: Vec<Cella>,
}

/// One cell.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cella {
    /// The value as a reader sees it; "" when blank.
    pub valore: String,
    /// Whether the value is the prefilled one.
    pub precompilato: bool,
    /// Whether the value is calculated (a total).
    pub calcolato: bool,
}

/// A squadratura and its justification.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Squadratura {
    /// The quadro it belongs to.
    pub quadro: String,
    /// The rule's message, with the values it was checked on.
    pub messaggio: String,
    /// The justification written for it.
    pub giustificazione: String,
}

/// The annex of differences from the previous version.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Differenze {
    /// "Differenze dalla versione 1".
    pub titolo: String,
    /// Field by field.
    pub righe: Vec<Differenza>,
}

/// One changed field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Differenza {
    /// Quadro code.
    pub quadro: String,
    /// `D23 Label`.
    pub campo: String,
    /// Before ("" blank).
    pub prima: String,
    /// After.
    pub dopo: String,
    /// Who changed it ("" for a total).
    pub autore: String,
}

/// The one-page receipt of an invio.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ricevuta {
    /// Document language.
    pub lingua: String,
    /// Title: "Ricevuta di invio".
    pub titolo: String,
    /// The ente, for `/Author`.
    pub autore: String,
    /// One line under the title ("Il questionario è stato inviato e registrato.").
    pub sottotitolo: String,
    /// Ente, modulo, version, sender, time, protocol, late.
    pub righe: Vec<Coppia>,
    /// "Impronta SHA-256 dei dati inviati".
    pub etichetta_impronta: String,
    /// The hash.
    pub sha256: String,
    /// How to verify it ("Verifica la ricevuta su …").
    pub verifica: String,
    /// The verification address with protocol and hash filled in: the QR code and the link.
    pub url_verifica: String,
    /// The verification page as printed (`https://…/verifica`).
    pub indirizzo_verifica: String,
    /// The QR code's alternative text.
    pub alt_qr: String,
}
