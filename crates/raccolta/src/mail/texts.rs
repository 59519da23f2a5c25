//! The texts of the automatic e-mails, in Italian and English.
//!
//! Each e-mail is described once as a short list of blocks (paragraphs, a link, a list of fields) and written out
//! twice: as plain text, complete on its own, and as simple accessible HTML (a `lang` attribute, one `h1`, links
//! with words that say where they lead, no images, no external resources). Every e-mail ends with the notice that
//! it was sent automatically, the support address and the signature, as the seed's e-mails do.

use crate::config::Config;
use crate::db::outbox::NewMessage;
use crate::i18n::Lang;

/// Signature at the end of every e-mail.
const SIGNATURE: &str = "Raccolta dati — fabbisogni standard e schede di monitoraggio";

/// Width at which plain-text paragraphs are wrapped.
const TEXT_WIDTH: usize = 72;

/// An automatic e-mail of the platform, with the values it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Email {
    /// After registration: confirm the address with the *Conferma* link (valid 24 hours).
    RegistrazioneQuasiCompletata {
        /// Name (or company name) of the new user.
        nome: String,
        /// The confirmation URL.
        link: String,
    },
    /// After confirmation: the user's data and the *Codice identificativo utente*, which is the username.
    RegistrazioneCompletata {
        /// "Nome Cognome" of a person, or the company name.
        nome_o_denominazione: String,
        /// The generated user code.
        codice_utente: String,
        /// The user's e-mail.
        email: String,
    },
    /// Someone tried to register with an address that already has an account.
    RegistrazioneTentata {
        /// The login page.
        link_accesso: String,
        /// The password-reset page.
        link_password: String,
    },
    /// A password reset was asked for: the *Modifica* link (valid 60 minutes).
    RichiestaModificaPassword {
        /// The user's name.
        nome: String,
        /// The reset URL.
        link: String,
    },
    /// The password was changed and every session ended.
    PasswordModificata {
        /// The user's name.
        nome: String,
    },
    /// Sent to a new address to confirm it (valid 24 hours).
    ConfermaNuovaEmail {
        /// The user's name.
        nome: String,
        /// The confirmation URL.
        link: String,
    },
    /// A notification of the reserved area (association requests and decisions), also shown under the bell.
    Notifica {
        /// The recipient's name.
        nome: String,
        /// The subject line.
        oggetto: String,
        /// What happened, one sentence.
        testo: String,
        /// Where to act or read more.
        link: String,
    },
    /// The receipt of an invio, to who sent it.
    RicevutaInvio {
        /// The sender's name.
        nome: String,
        /// The ente.
        ente: String,
        /// "FC80U B — Dati contabili".
        modulo: String,
        /// The version sent (1, 2…).
        versione: String,
        /// Protocol code.
        protocollo: String,
        /// SHA-256 of the snapshot.
        sha256: String,
        /// When (Rome time).
        quando: String,
        /// After the deadline.
        in_ritardo: bool,
        /// The receipt's page.
        link: String,
        /// The public verification page.
        verifica: String,
    },
    /// Sent to the old address once the change is confirmed.
    EmailModificata {
        /// The user's name.
        nome: String,
        /// The address now in use.
        nuova_email: String,
    },
}

/// A rendered e-mail: subject, plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text part, complete on its own.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// One piece of an e-mail's body.
enum Block<'a> {
    /// A paragraph of plain words.
    Para(String),
    /// A link on a line of its own, with words that say where it leads.
    Link { label: String, url: &'a str },
    /// Labelled values.
    Fields(Vec<(&'static str, &'a str)>),
    /// A paragraph ending with an e-mail address.
    Contact { text: String, email: &'a str },
}

/// Picks the Italian or the English text. After the greeting the Italian text starts in lower case ("Gentile
/// Maria Rossi, la registrazione…"), the English one in upper case, as each language writes letters.
fn tr(lang: Lang, it: &str, en: &str) -> String {
    match lang {
        Lang::It => it.to_owned(),
        Lang::En => en.to_owned(),
    }
}

/// Text someone typed (a name, a reason) as it goes into an e-mail that may reach someone else: mail clients turn
/// anything that looks like an address into a link, so a zero-width space follows each `.`, `@`, `:` and `/`. The
/// text reads the same; no client finds a link in it.
pub fn inerte(testo: &str) -> String {
    let mut out = String::with_capacity(testo.len() + 8);
    for c in testo.chars() {
        out.push(c);
        if matches!(c, '.' | '@' | ':' | '/') {
            out.push('\u{200B}');
        }
    }
    out
}

fn greeting(lang: Lang, nome: &str) -> Block<'static> {
    let nome = inerte(nome);
    Block::Para(match lang {
        Lang::It => format!("Gentile {nome},"),
        Lang::En => format!("Dear {nome},"),
    })
}

impl Email {
    /// Subject, text and HTML of this e-mail in `lang`; `support_email` is shown at the end.
    pub fn render(&self, lang: Lang, support_email: &str) -> Rendered {
        let (subject, blocks) = self.blocks(lang, support_email);
        Rendered {
            text: render_text(lang, &blocks, support_email),
            html: render_html(lang, &subject, &blocks, support_email),
            subject,
        }
    }

    /// This e-mail rendered in `lang` and addressed to `recipient`, ready for [`crate::db::outbox::enqueue`].
    pub fn message(&self, recipient: &str, lang: Lang, config: &Config) -> NewMessage {
        let rendered = self.render(lang, &config.support_email);
        NewMessage {
            recipient: recipient.to_owned(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
            message_id_domain: super::message_id_domain(&config.base_url),
        }
    }

    fn blocks<'a>(&'a self, lang: Lang, support: &'a str) -> (String, Vec<Block<'a>>) {
        match self {
            Email::RegistrazioneQuasiCompletata { nome, link } => (
                tr(
                    lang,
                    "La registrazione sul portale Raccolta dati è quasi completata",
                    "Your registration on the Raccolta dati portal is almost complete",
                ),
                vec![
                    greeting(lang, nome),
                    Block::Para(tr(
                        lang,
                        "grazie per esserti registrato sul portale Raccolta dati. Per completare la registrazione \
                         conferma il tuo indirizzo e-mail con il collegamento Conferma qui sotto. Il collegamento è \
                         valido 24 ore e si può usare una sola volta.",
                        "Thank you for registering on the Raccolta dati portal. To complete your registration, \
                         confirm your e-mail address with the Confirm link below. The link is valid for 24 hours and \
                         can be used only once.",
                    )),
                    Block::Link {
                        label: tr(lang, "Conferma la registrazione", "Confirm your registration"),
                        url: link,
                    },
                    Block::Para(tr(
                        lang,
                        "Se non hai chiesto tu la registrazione, ignora questo messaggio: senza conferma la \
                         registrazione non viene completata.",
                        "If you did not register, please ignore this message: without confirmation the \
                         registration is not completed.",
                    )),
                ],
            ),
            Email::RegistrazioneCompletata { nome_o_denominazione, codice_utente, email } => (
                tr(
                    lang,
                    "La registrazione sul portale Raccolta dati è completata",
                    "Your registration on the Raccolta dati portal is complete",
                ),
                vec![
                    greeting(lang, nome_o_denominazione),
                    Block::Para(tr(
                        lang,
                        "la registrazione sul portale Raccolta dati è completata. Questi sono i dati della tua \
                         utenza:",
                        "Your registration on the Raccolta dati portal is complete. These are the details of your \
                         account:",
                    )),
                    Block::Fields(match lang {
                        Lang::It => vec![
                            ("Nome e Cognome/Denominazione utente", nome_o_denominazione),
                            ("Codice identificativo utente", codice_utente),
                            ("E-mail utente", email),
                        ],
                        Lang::En => vec![
                            ("Name and surname/Company name", nome_o_denominazione),
                            ("User identification code", codice_utente),
                            ("User e-mail", email),
                        ],
                    }),
                    Block::Para(tr(
                        lang,
                        "Il Codice identificativo utente è il tuo nome utente per accedere all'area riservata: \
                         conservalo. Dopo l'accesso, per lavorare sui questionari chiedi l'associazione a un ente.",
                        "The user identification code is your username to log in to the reserved area: keep it. \
                         Once logged in, ask to be associated with an authority to work on its questionnaires.",
                    )),
                ],
            ),
            Email::RegistrazioneTentata { link_accesso, link_password } => (
                tr(
                    lang,
                    "Tentativo di registrazione sul portale Raccolta dati con il tuo indirizzo e-mail",
                    "Attempt to register on the Raccolta dati portal with your e-mail address",
                ),
                vec![
                    Block::Para(tr(lang, "Gentile utente,", "Dear user,")),
                    Block::Para(tr(
                        lang,
                        "è stata chiesta una registrazione sul portale Raccolta dati con questo indirizzo e-mail, \
                         che è già associato a un'utenza. Non è stata creata una nuova utenza.",
                        "Someone asked to register on the Raccolta dati portal with this e-mail address, which \
                         already belongs to an account. No new account was created.",
                    )),
                    Block::Para(tr(
                        lang,
                        "Se la richiesta è tua, non serve registrarti di nuovo: accedi con il tuo Codice \
                         identificativo utente (o con questo indirizzo e-mail) e la tua password.",
                        "If it was you, there is no need to register again: log in with your user identification \
                         code (or this e-mail address) and your password.",
                    )),
                    Block::Link {
                        label: tr(lang, "Accedi all'area riservata", "Log in to the reserved area"),
                        url: link_accesso,
                    },
                    Block::Para(tr(
                        lang,
                        "Se non ricordi la password, puoi sceglierne una nuova.",
                        "If you do not remember your password, you can choose a new one.",
                    )),
                    Block::Link { label: tr(lang, "Modifica la password", "Change your password"), url: link_password },
                    Block::Para(tr(
                        lang,
                        "Se la richiesta non è tua, ignora questo messaggio: la tua utenza non è stata modificata.",
                        "If it was not you, please ignore this message: your account has not been changed.",
                    )),
                ],
            ),
            Email::RichiestaModificaPassword { nome, link } => (
                tr(
                    lang,
                    "È stata effettuata una richiesta di modifica della password",
                    "A request to change your password has been made",
                ),
                vec![
                    greeting(lang, nome),
                    Block::Para(tr(
                        lang,
                        "è stata effettuata una richiesta di modifica della password della tua utenza sul portale \
                         Raccolta dati. Per scegliere una nuova password usa il collegamento Modifica qui sotto. Il \
                         collegamento è valido 60 minuti e si può usare una sola volta.",
                        "A request has been made to change the password of your account on the Raccolta dati \
                         portal. To choose a new password, use the Change link below. The link is valid for 60 \
                         minutes and can be used only once.",
                    )),
                    Block::Link { label: tr(lang, "Modifica la password", "Change your password"), url: link },
                    Block::Para(tr(
                        lang,
                        "Se non hai chiesto tu la modifica, ignora questo messaggio: la password attuale resta \
                         valida.",
                        "If you did not ask for this, please ignore this message: your current password stays \
                         valid.",
                    )),
                ],
            ),
            Email::PasswordModificata { nome } => (
                tr(
                    lang,
                    "La password della tua utenza sul portale Raccolta dati è stata modificata",
                    "The password of your Raccolta dati account has been changed",
                ),
                vec![
                    greeting(lang, nome),
                    Block::Para(tr(
                        lang,
                        "la password della tua utenza sul portale Raccolta dati è stata modificata. Per sicurezza \
                         tutte le sessioni aperte sono state chiuse: per continuare accedi di nuovo con la nuova \
                         password.",
                        "The password of your account on the Raccolta dati portal has been changed. For your \
                         security every open session has been ended: log in again with the new password to \
                         continue.",
                    )),
                    Block::Contact {
                        text: tr(
                            lang,
                            "Se non hai modificato tu la password, scrivi subito all'assistenza:",
                            "If you did not change your password, write to support at once:",
                        ),
                        email: support,
                    },
                ],
            ),
            Email::ConfermaNuovaEmail { nome, link } => (
                tr(
                    lang,
                    "Conferma il nuovo indirizzo e-mail per il portale Raccolta dati",
                    "Confirm your new e-mail address for the Raccolta dati portal",
                ),
                vec![
                    greeting(lang, nome),
                    Block::Para(tr(
                        lang,
                        "è stato chiesto di usare questo indirizzo e-mail per la tua utenza sul portale Raccolta \
                         dati. Per confermarlo usa il collegamento Conferma qui sotto. Il collegamento è valido 24 \
                         ore e si può usare una sola volta; fino alla conferma resta in uso l'indirizzo precedente.",
                        "A request has been made to use this e-mail address for your account on the Raccolta dati \
                         portal. To confirm it, use the Confirm link below. The link is valid for 24 hours and can \
                         be used only once; until then your previous address stays in use.",
                    )),
                    Block::Link {
                        label: tr(lang, "Conferma il nuovo indirizzo e-mail", "Confirm your new e-mail address"),
                        url: link,
                    },
                    Block::Para(tr(
                        lang,
                        "Se non hai chiesto tu la modifica, ignora questo messaggio.",
                        "If you did not ask for this change, please ignore this message.",
                    )),
                ],
            ),
            Email::Notifica { nome, oggetto, testo, link } => (
                oggetto.clone(),
                vec![
                    greeting(lang, nome),
                    // Names and reasons typed by other users.
                    Block::Para(inerte(testo)),
                    Block::Link { label: tr(lang, "Apri l'area riservata", "Open the reserved area"), url: link },
                ],
            ),
            Email::RicevutaInvio {
                nome,
                ente,
                modulo,
                versione,
                protocollo,
                sha256,
                quando,
                in_ritardo,
                link,
                verifica,
            } => (
                match lang {
                    Lang::It => format!("Ricevuta di invio {protocollo} · {modulo}"),
                    Lang::En => format!("Receipt of submission {protocollo} · {modulo}"),
                },
                vec![
                    greeting(lang, nome),
                    Block::Para(match lang {
                        Lang::It => format!(
                            "il questionario {modulo} dell'ente {} è stato inviato. Questa è la ricevuta: \
                             conservala. Il questionario ora è in sola lettura; per correggerlo si chiede la \
                             riapertura dall'area riservata.",
                            inerte(ente)
                        ),
                        Lang::En => format!(
                            "The questionnaire {modulo} of {} has been submitted. This is the receipt: keep it. \
                             The questionnaire is now read only; to correct it, ask for it to be reopened in the \
                             reserved area.",
                            inerte(ente)
                        ),
                    }),
                    Block::Fields(match lang {
                        Lang::It => vec![
                            ("Numero di protocollo", protocollo.as_str()),
                            ("Versione", versione.as_str()),
                            ("Inviato il (ora italiana)", quando.as_str()),
                            ("In ritardo sulla scadenza", if *in_ritardo { "sì" } else { "no" }),
                            ("Impronta SHA-256", sha256.as_str()),
                        ],
                        Lang::En => vec![
                            ("Protocol number", protocollo.as_str()),
                            ("Version", versione.as_str()),
                            ("Submitted on (Italian time)", quando.as_str()),
                            ("After the deadline", if *in_ritardo { "yes" } else { "no" }),
                            ("SHA-256 fingerprint", sha256.as_str()),
                        ],
                    }),
                    Block::Link { label: tr(lang, "Apri la ricevuta", "Open the receipt"), url: link },
                    Block::Link {
                        label: tr(lang, "Verifica la ricevuta (pagina pubblica)", "Verify the receipt (public page)"),
                        url: verifica,
                    },
                ],
            ),
            Email::EmailModificata { nome, nuova_email } => (
                tr(
                    lang,
                    "L'indirizzo e-mail della tua utenza sul portale Raccolta dati è stato modificato",
                    "The e-mail address of your Raccolta dati account has been changed",
                ),
                vec![
                    greeting(lang, nome),
                    Block::Contact {
                        text: tr(
                            lang,
                            "l'indirizzo e-mail della tua utenza sul portale Raccolta dati è stato modificato. \
                             D'ora in poi le comunicazioni del portale arriveranno al nuovo indirizzo:",
                            "The e-mail address of your account on the Raccolta dati portal has been changed. From \
                             now on the portal will write to the new address:",
                        ),
                        email: nuova_email,
                    },
                    Block::Contact {
                        text: tr(
                            lang,
                            "Se non hai chiesto tu la modifica, scrivi subito all'assistenza:",
                            "If you did not ask for this change, write to support at once:",
                        ),
                        email: support,
                    },
                ],
            ),
        }
    }
}

fn footer_notice(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "ATTENZIONE: QUESTO È UN MESSAGGIO INVIATO AUTOMATICAMENTE",
        Lang::En => "PLEASE NOTE: THIS IS AN AUTOMATICALLY GENERATED MESSAGE",
    }
}

fn footer_support(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "Non rispondere a questo messaggio. Per assistenza scrivi a:",
        Lang::En => "Please do not reply to this message. For assistance write to:",
    }
}

fn render_text(lang: Lang, blocks: &[Block<'_>], support: &str) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Para(text) => wrap(&mut out, text),
            Block::Link { label, url } => {
                out.push_str(label);
                out.push_str(":\n");
                out.push_str(url);
                out.push('\n');
            }
            Block::Fields(fields) => {
                for (label, value) in fields {
                    out.push_str(&format!("- {label}: {value}\n"));
                }
            }
            Block::Contact { text, email } => wrap(&mut out, &format!("{text} {email}")),
        }
        out.push('\n');
    }
    out.push_str(footer_notice(lang));
    out.push('\n');
    wrap(&mut out, &format!("{} {support}", footer_support(lang)));
    out.push('\n');
    out.push_str(SIGNATURE);
    out.push('\n');
    out
}

/// Appends `text` wrapped at [`TEXT_WIDTH`]; a word longer than the line (a URL) stays whole.
fn wrap(out: &mut String, text: &str) {
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > TEXT_WIDTH {
            out.push('\n');
            line_len = 0;
        }
        if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out.push('\n');
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn mailto(email: &str) -> String {
    format!("<a href=\"mailto:{0}\" style=\"color:#0059b3\">{0}</a>", escape(email))
}

fn render_html(lang: Lang, subject: &str, blocks: &[Block<'_>], support: &str) -> String {
    let copy_hint = tr(
        lang,
        "Se il collegamento non si apre, copia questo indirizzo nella barra del browser:",
        "If the link does not open, copy this address into your browser's address bar:",
    );
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Para(text) => body.push_str(&format!("<p>{}</p>\n", escape(text))),
            Block::Link { label, url } => body.push_str(&format!(
                "<p><a href=\"{url}\" style=\"color:#0059b3;font-weight:bold\">{label}</a></p>\n\
                 <p style=\"font-size:14px;color:#404040\">{hint}<br>\n<span style=\"word-break:break-all\">{url}\
                 </span></p>\n",
                url = escape(url),
                label = escape(label),
                hint = escape(&copy_hint),
            )),
            Block::Fields(fields) => {
                body.push_str("<ul>\n");
                for (label, value) in fields {
                    body.push_str(&format!("<li>{}: <strong>{}</strong></li>\n", escape(label), escape(value)));
                }
                body.push_str("</ul>\n");
            }
            Block::Contact { text, email } => body.push_str(&format!("<p>{} {}</p>\n", escape(text), mailto(email))),
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{subject}</title>\n</head>\n\
         <body style=\"margin:0;padding:16px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;\
         font-size:16px;line-height:1.5\">\n<div style=\"max-width:600px\">\n\
         <h1 style=\"font-size:22px;line-height:1.3\">{subject}</h1>\n{body}<hr>\n\
         <p><strong>{notice}</strong><br>\n{support_text} {support}</p>\n<p>{signature}</p>\n</div>\n\
         </body>\n</html>\n",
        lang = lang.code(),
        subject = escape(subject),
        notice = escape(footer_notice(lang)),
        support_text = escape(footer_support(lang)),
        support = mailto(support),
        signature = escape(SIGNATURE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Email> {
        let link = "https://raccolta.example/registrazione/conferma?t=abc&x=1".to_owned();
        vec![
            Email::RegistrazioneQuasiCompletata { nome: "Maria Rossi".into(), link: link.clone() },
            Email::RegistrazioneCompletata {
                nome_o_denominazione: "Maria Rossi".into(),
                codice_utente: "AB12CD34".into(),
                email: "maria@example.it".into(),
            },
            Email::RegistrazioneTentata { link_accesso: link.clone(), link_password: link.clone() },
            Email::RichiestaModificaPassword { nome: "Maria Rossi".into(), link: link.clone() },
            Email::PasswordModificata { nome: "Maria Rossi".into() },
            Email::ConfermaNuovaEmail { nome: "Maria Rossi".into(), link },
            Email::EmailModificata { nome: "Maria Rossi".into(), nuova_email: "nuova@example.it".into() },
        ]
    }

    #[test]
    fn every_email_ends_with_the_notice_the_support_address_and_the_signature() {
        for email in all() {
            for (lang, notice) in [
                (Lang::It, "ATTENZIONE: QUESTO È UN MESSAGGIO INVIATO AUTOMATICAMENTE"),
                (Lang::En, "PLEASE NOTE: THIS IS AN AUTOMATICALLY GENERATED MESSAGE"),
            ] {
                let r = email.render(lang, "aiuto@comune.example");
                let tail = r.text.rsplit_once(notice).map(|(_, t)| t).unwrap_or_else(|| panic!("{}", r.text));
                assert!(tail.contains("aiuto@comune.example"), "{}", r.text);
                assert!(r.text.trim_end().ends_with(SIGNATURE), "{}", r.text);
                assert!(r.html.contains(notice), "{}", r.html);
                assert!(r.html.contains("mailto:aiuto@comune.example"), "{}", r.html);
                assert!(r.html.contains(&format!("<html lang=\"{}\">", lang.code())), "{}", r.html);
                assert_eq!(r.html.matches("<h1").count(), 1, "{}", r.html);
                assert!(!r.html.contains("<img") && !r.html.contains("src="), "{}", r.html);
            }
        }
    }

    #[test]
    fn links_are_whole_in_the_text_and_escaped_in_the_html() {
        let r = all()[0].render(Lang::It, "aiuto@comune.example");
        assert_eq!(r.subject, "La registrazione sul portale Raccolta dati è quasi completata");
        assert!(r.text.contains("\nhttps://raccolta.example/registrazione/conferma?t=abc&x=1\n"), "{}", r.text);
        assert!(r.text.contains("24 ore"), "{}", r.text);
        assert!(
            r.html.contains("<a href=\"https://raccolta.example/registrazione/conferma?t=abc&amp;x=1\""),
            "{}",
            r.html
        );
        assert!(r.html.contains(">Conferma la registrazione</a>"), "{}", r.html);
    }

    #[test]
    fn addresses_typed_by_users_never_become_links_in_an_email() {
        let email = Email::Notifica {
            nome: "www.truffa.example".into(),
            oggetto: "Nuova richiesta".into(),
            testo: "Mario (vai su http://truffa.example/paga o scrivi a capo@truffa.example)".into(),
            link: "https://raccolta.example/enti/3/associazioni".into(),
        };
        let r = email.render(Lang::It, "aiuto@comune.example");
        for part in [&r.text, &r.html] {
            for address in ["www.truffa.example", "http://truffa", "truffa.example/paga", "capo@truffa"] {
                assert!(!part.contains(address), "{address} in {part}");
            }
        }
        let visible = |s: &str| s.replace('\u{200B}', "");
        assert!(visible(&r.text).contains("Gentile www.truffa.example,"), "the text reads the same");
        assert!(visible(&r.text).contains("vai su http://truffa.example/paga"), "{}", r.text);
        assert_eq!(r.html.matches("<a ").count(), 2, "only the platform's link and the support address: {}", r.html);
    }

    #[test]
    fn values_are_escaped_in_the_html() {
        let email = Email::RegistrazioneCompletata {
            nome_o_denominazione: "<script>alert('x')</script> & Figli S.r.l.".into(),
            codice_utente: "AB12CD34".into(),
            email: "a\"b@example.it".into(),
        };
        let r = email.render(Lang::It, "aiuto@comune.example");
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Figli S.r.l."), "{}", r.html);
        assert!(r.html.contains("a&quot;b@example.it"));
        for label in ["Nome e Cognome/Denominazione utente", "Codice identificativo utente", "E-mail utente"] {
            assert!(r.text.contains(label) && r.html.contains(label), "{label}");
        }
        assert!(r.text.contains("- Codice identificativo utente: AB12CD34"), "{}", r.text);
    }

    #[test]
    fn plain_text_lines_are_short_except_for_links() {
        for email in all() {
            for lang in Lang::ALL {
                let r = email.render(lang, "aiuto@comune.example");
                for line in r.text.lines() {
                    let short = line.chars().count() <= TEXT_WIDTH;
                    assert!(short || line.starts_with("http") || line.starts_with("- "), "{line}");
                }
            }
        }
    }
}
