//! The attachments of Assistenza: PDF, images (PNG, JPEG, GIF, WebP), XLSX and CSV, at most
//! [`DIMENSIONE_MAX`] bytes each and [`ALLEGATI_MAX`] per message. The type is read from the content (its first
//! bytes, and for XLSX the names inside the ZIP), and the file's extension must name the same type: a page
//! called `ricevuta.pdf` that is really HTML, or a PNG called `.pdf`, is refused with a message that says so.
//! They are always served as downloads with the type found here, never inline.

use crate::i18n::Lang;

/// Largest attachment, in bytes: 10 MB.
pub const DIMENSIONE_MAX: usize = 10 * 1024 * 1024;
/// Most attachments on one message.
pub const ALLEGATI_MAX: usize = 5;
/// Longest file name kept, in characters.
const NOME_MAX: usize = 150;

/// A type of file that may be attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipoFile {
    /// PDF.
    Pdf,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// Excel workbook (Office Open XML).
    Xlsx,
    /// Comma- or semicolon-separated text.
    Csv,
}

impl TipoFile {
    /// The MIME type it is served with.
    pub fn mime(self) -> &'static str {
        match self {
            TipoFile::Pdf => "application/pdf",
            TipoFile::Png => "image/png",
            TipoFile::Jpeg => "image/jpeg",
            TipoFile::Gif => "image/gif",
            TipoFile::Webp => "image/webp",
            TipoFile::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            // UTF-8 or a Windows code page: the header does not claim which.
            TipoFile::Csv => "text/csv",
        }
    }

    /// The type of a stored MIME type.
    pub fn from_mime(mime: &str) -> Option<TipoFile> {
        [TipoFile::Pdf, TipoFile::Png, TipoFile::Jpeg, TipoFile::Gif, TipoFile::Webp, TipoFile::Xlsx, TipoFile::Csv]
            .into_iter()
            .find(|t| t.mime() == mime)
    }

    /// How people call it.
    pub fn nome(self) -> &'static str {
        match self {
            TipoFile::Pdf => "PDF",
            TipoFile::Png => "PNG",
            TipoFile::Jpeg => "JPEG",
            TipoFile::Gif => "GIF",
            TipoFile::Webp => "WebP",
            TipoFile::Xlsx => "XLSX",
            TipoFile::Csv => "CSV",
        }
    }

    /// The type a file name's extension claims; `None` for one not accepted.
    pub fn dall_estensione(nome: &str) -> Option<TipoFile> {
        let (_, estensione) = nome.rsplit_once('.')?;
        match estensione.to_ascii_lowercase().as_str() {
            "pdf" => Some(TipoFile::Pdf),
            "png" => Some(TipoFile::Png),
            "jpg" | "jpeg" => Some(TipoFile::Jpeg),
            "gif" => Some(TipoFile::Gif),
            "webp" => Some(TipoFile::Webp),
            "xlsx" => Some(TipoFile::Xlsx),
            "csv" => Some(TipoFile::Csv),
            _ => None,
        }
    }

    /// The type of `dati`, read from the content alone; `None` for anything else (HTML, scripts, executables,
    /// other archives, binary data).
    pub fn dal_contenuto(dati: &[u8]) -> Option<TipoFile> {
        if dati.starts_with(b"%PDF-") {
            Some(TipoFile::Pdf)
        } else if dati.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(TipoFile::Png)
        } else if dati.starts_with(b"\xff\xd8\xff") {
            Some(TipoFile::Jpeg)
        } else if dati.starts_with(b"GIF87a") || dati.starts_with(b"GIF89a") {
            Some(TipoFile::Gif)
        } else if dati.len() >= 12 && &dati[..4] == b"RIFF" && &dati[8..12] == b"WEBP" {
            Some(TipoFile::Webp)
        } else if dati.starts_with(b"PK\x03\x04") {
            // An Office Open XML workbook: a ZIP holding the package's content types and the workbook part.
            (contiene(dati, b"[Content_Types].xml") && contiene(dati, b"xl/workbook.xml")).then_some(TipoFile::Xlsx)
        } else {
            testo_tabellare(dati).then_some(TipoFile::Csv)
        }
    }
}

fn contiene(dati: &[u8], ago: &[u8]) -> bool {
    dati.windows(ago.len()).any(|w| w == ago)
}

/// Text a spreadsheet wrote: UTF-8 (with or without BOM) or a single-byte code page (Excel's "CSV" on Windows),
/// no NUL and no control characters but tabs and line ends, and nothing that a browser would take for markup.
fn testo_tabellare(dati: &[u8]) -> bool {
    let dati = dati.strip_prefix(b"\xef\xbb\xbf").unwrap_or(dati);
    if dati.is_empty() || dati.iter().any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) {
        return false;
    }
    let inizio: Vec<u8> =
        dati.iter().copied().skip_while(u8::is_ascii_whitespace).take(64).map(|b| b.to_ascii_lowercase()).collect();
    if inizio.first() == Some(&b'<') {
        return false;
    }
    // Markup anywhere near the top (a page saved "as CSV") is not a table.
    let testa = &dati[..dati.len().min(4096)];
    let testa: Vec<u8> = testa.iter().map(u8::to_ascii_lowercase).collect();
    !["<html", "<script", "<!doctype", "<svg", "<?xml", "<body", "<iframe"]
        .iter()
        .any(|t| contiene(&testa, t.as_bytes()))
}

/// Why an attachment was refused; each has a message for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErroreAllegato {
    /// The file is empty.
    Vuoto {
        /// Its name.
        nome: String,
    },
    /// Larger than [`DIMENSIONE_MAX`].
    TroppoGrande {
        /// Its name.
        nome: String,
    },
    /// Its extension names no accepted type.
    TipoNonAmmesso {
        /// Its name.
        nome: String,
    },
    /// The content is not what the extension says.
    ContenutoDiverso {
        /// Its name.
        nome: String,
        /// What the extension claims.
        dichiarato: TipoFile,
        /// What the content is, when it is an accepted type.
        trovato: Option<TipoFile>,
    },
    /// More than [`ALLEGATI_MAX`] files.
    Troppi,
}

impl ErroreAllegato {
    /// The message shown beside the form.
    pub fn messaggio(&self, lang: Lang) -> String {
        match self {
            ErroreAllegato::Vuoto { nome } => lang.t_args("allegato-vuoto", &[("nome", nome.clone())]),
            ErroreAllegato::TroppoGrande { nome } => lang.t_args(
                "allegato-troppo-grande",
                &[("nome", nome.clone()), ("max", (DIMENSIONE_MAX / (1024 * 1024)).to_string())],
            ),
            ErroreAllegato::TipoNonAmmesso { nome } => lang.t_args("allegato-tipo", &[("nome", nome.clone())]),
            ErroreAllegato::ContenutoDiverso { nome, dichiarato, trovato } => {
                let mut args = vec![("nome", nome.clone()), ("tipo", dichiarato.nome().to_owned())];
                match trovato {
                    Some(t) => {
                        args.push(("trovato", t.nome().to_owned()));
                        lang.t_args("allegato-contenuto-altro", &args)
                    }
                    None => lang.t_args("allegato-contenuto", &args),
                }
            }
            ErroreAllegato::Troppi => lang.t_args("allegato-troppi", &[("max", ALLEGATI_MAX.to_string())]),
        }
    }
}

/// An attachment that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allegato {
    /// The file name, as the user's computer called it (without its folders), made safe to show and to send.
    pub nome: String,
    /// Its type, from the content.
    pub tipo: TipoFile,
    /// The bytes.
    pub dati: Vec<u8>,
}

/// The file name a browser sent, without folders (some send `C:\…\file.pdf`), control characters or quotes,
/// at most [`NOME_MAX`] characters (the extension kept).
pub fn nome_sicuro(nome: &str) -> String {
    let base = nome.rsplit(['/', '\\']).next().unwrap_or_default();
    let pulito: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '*' | '?' | '|' | ':')).collect();
    let pulito = pulito.trim().trim_start_matches('.').to_owned();
    if pulito.chars().count() <= NOME_MAX {
        return pulito;
    }
    let (radice, estensione) = pulito.rsplit_once('.').unwrap_or((&pulito, ""));
    let estensione: String = estensione.chars().take(10).collect();
    let radice: String = radice.chars().take(NOME_MAX - estensione.chars().count() - 1).collect();
    format!("{radice}.{estensione}")
}

/// Checks one file the browser sent as `nome` with `dati`.
pub fn controlla(nome: &str, dati: Vec<u8>) -> Result<Allegato, ErroreAllegato> {
    let nome = nome_sicuro(nome);
    if dati.is_empty() {
        return Err(ErroreAllegato::Vuoto { nome });
    }
    if dati.len() > DIMENSIONE_MAX {
        return Err(ErroreAllegato::TroppoGrande { nome });
    }
    let Some(dichiarato) = TipoFile::dall_estensione(&nome) else {
        return Err(ErroreAllegato::TipoNonAmmesso { nome });
    };
    match TipoFile::dal_contenuto(&dati) {
        Some(t) if t == dichiarato => Ok(Allegato { nome, tipo: t, dati }),
        trovato => Err(ErroreAllegato::ContenutoDiverso { nome, dichiarato, trovato }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content_and_the_extension_must_agree() {
        let pdf = b"%PDF-1.7\n1 0 obj\n".to_vec();
        assert_eq!(controlla("ricevuta.PDF", pdf.clone()).map(|a| a.tipo), Ok(TipoFile::Pdf));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        assert_eq!(controlla("schermata.png", png.clone()).map(|a| a.tipo), Ok(TipoFile::Png));
        assert_eq!(
            controlla("finto.pdf", png),
            Err(ErroreAllegato::ContenutoDiverso {
                nome: "finto.pdf".into(),
                dichiarato: TipoFile::Pdf,
                trovato: Some(TipoFile::Png)
            })
        );
        let html = b"  <!DOCTYPE html><script>alert(1)</script>".to_vec();
        assert!(matches!(
            controlla("ricevuta.pdf", html.clone()),
            Err(ErroreAllegato::ContenutoDiverso { trovato: None, .. })
        ));
        assert!(matches!(controlla("dati.csv", html), Err(ErroreAllegato::ContenutoDiverso { .. })));
        assert!(matches!(controlla("pagina.html", pdf.clone()), Err(ErroreAllegato::TipoNonAmmesso { .. })));
        assert!(matches!(controlla("senza-estensione", pdf), Err(ErroreAllegato::TipoNonAmmesso { .. })));
        assert!(matches!(controlla("vuoto.pdf", Vec::new()), Err(ErroreAllegato::Vuoto { .. })));
        let grande = [b"%PDF-".as_slice(), &vec![b' '; DIMENSIONE_MAX]].concat();
        assert!(matches!(controlla("grande.pdf", grande), Err(ErroreAllegato::TroppoGrande { .. })));
    }

    #[test]
    fn spreadsheets_are_recognised_in_both_forms() {
        let mut libro = rust_xlsxwriter::Workbook::new();
        libro.add_worksheet().write_string(0, 0, "Spesa").expect("a cell");
        let xlsx = libro.save_to_buffer().expect("a workbook");
        assert_eq!(TipoFile::dal_contenuto(&xlsx), Some(TipoFile::Xlsx));
        // Another ZIP (a Word document, say) is not a workbook.
        assert_eq!(TipoFile::dal_contenuto(b"PK\x03\x04\x14\0\0\0word/document.xml"), None);
        // UTF-8 with BOM, and Windows-1252 as Excel writes it in Italy.
        assert_eq!(TipoFile::dal_contenuto("\u{feff}Voce;Importo\nSpesa;1.234,56\n".as_bytes()), Some(TipoFile::Csv));
        assert_eq!(TipoFile::dal_contenuto(b"Citt\xe0;Importo\r\nMilano;3\r\n"), Some(TipoFile::Csv));
        assert_eq!(TipoFile::dal_contenuto(b"a;b\n\0\0binario"), None);
        assert_eq!(TipoFile::dal_contenuto(b"a;b\n<html><body>"), None);
    }

    #[test]
    fn file_names_lose_their_folders_and_what_could_break_a_header() {
        assert_eq!(nome_sicuro(r"C:\Users\Maria\Desktop\bilancio 2023.xlsx"), "bilancio 2023.xlsx");
        assert_eq!(nome_sicuro("../../etc/passwd"), "passwd");
        assert_eq!(nome_sicuro("a\"b\r\nc.pdf"), "abc.pdf");
        assert_eq!(nome_sicuro(".nascosto.pdf"), "nascosto.pdf");
        let lungo = format!("{}.pdf", "x".repeat(300));
        let n = nome_sicuro(&lungo);
        assert_eq!(n.chars().count(), NOME_MAX);
        assert!(n.ends_with(".pdf"));
    }
}
