//! Languages of the interface: Italian first, English too.
//!
//! The language of a request comes from the `lang` cookie (set by the ITA/ENG switch), else from the best match in
//! `Accept-Language`, else Italian. Strings live in `locales/<lang>/*.ftl` and are compiled into the binary.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;

static_loader! {
    // Immutable data compiled into the binary, not configuration: a static is what fluent-templates offers.
    static LOCALES = {
        locales: "./locales",
        fallback_language: "it",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Name of the cookie that remembers the language chosen with the ITA/ENG switch.
pub const LANG_COOKIE: &str = "lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// Every supported language, in the order of the switch.
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];

    /// The ISO 639-1 code, as used in `lang` attributes, cookies and file names.
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 code (`it`, `en`, case-insensitive, region ignored).
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("it") {
            Some(Lang::It)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a request: cookie, then `Accept-Language`, then Italian.
    pub fn negotiate(headers: &HeaderMap) -> Lang {
        cookie_lang(headers).or_else(|| accept_language(headers)).unwrap_or_default()
    }

    /// The translation of `key`; a missing key shows the key itself (and a test keeps both languages complete).
    pub fn t(self, key: &str) -> String {
        LOCALES.try_lookup(&self.langid(), key).unwrap_or_else(|| {
            tracing::warn!(key, lang = self.code(), "stringa di traduzione mancante");
            key.to_owned()
        })
    }

    /// The translation of `key` with Fluent arguments, e.g. `{ $anno }`.
    pub fn t_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: std::collections::HashMap<
            std::borrow::Cow<'static, str>,
            fluent_templates::fluent_bundle::FluentValue<'_>,
        > = args.iter().map(|(k, v)| (std::borrow::Cow::Borrowed(*k), v.clone().into())).collect();
        LOCALES.try_lookup_with_args(&self.langid(), key, &args).unwrap_or_else(|| key.to_owned())
    }

    /// The translation of `key` for a count `$n`: passed as a number, so Fluent's plural rules pick the variant
    /// (`[one]`, `*[other]`); a string would always fall to the default.
    pub fn t_n(self, key: &str, n: i64) -> String {
        let args: std::collections::HashMap<
            std::borrow::Cow<'static, str>,
            fluent_templates::fluent_bundle::FluentValue<'_>,
        > = [(std::borrow::Cow::Borrowed("n"), n.into())].into_iter().collect();
        LOCALES.try_lookup_with_args(&self.langid(), key, &args).unwrap_or_else(|| key.to_owned())
    }

    /// Like [`Lang::t_n`], with more arguments (strings).
    pub fn t_n_args(self, key: &str, n: i64, args: &[(&'static str, String)]) -> String {
        let mut map: std::collections::HashMap<
            std::borrow::Cow<'static, str>,
            fluent_templates::fluent_bundle::FluentValue<'_>,
        > = args.iter().map(|(k, v)| (std::borrow::Cow::Borrowed(*k), v.clone().into())).collect();
        map.insert(std::borrow::Cow::Borrowed("n"), n.into());
        LOCALES.try_lookup_with_args(&self.langid(), key, &map).unwrap_or_else(|| key.to_owned())
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Lang::It => unic_langid::langid!("it"),
            Lang::En => unic_langid::langid!("en"),
        }
    }
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Lang::from_code(value))
}

/// The supported language with the highest quality in `Accept-Language` (RFC 9110 §12.5.4).
fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(Lang, f32)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default();
        let q =
            parts.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        if let Some(lang) = Lang::from_code(tag)
            && q > 0.0
            && best.is_none_or(|(_, bq)| q > bq)
        {
            best = Some((lang, q));
        }
    }
    best.map(|(lang, _)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn counts_pick_the_singular_or_the_plural() {
        assert_eq!(Lang::It.t_n("notifiche-totale", 1), "1 notifica in tutto");
        assert_eq!(Lang::It.t_n("notifiche-totale", 2), "2 notifiche in tutto");
        assert_eq!(Lang::En.t_n("notifiche-totale", 1), "1 notification in all");
        assert_eq!(Lang::It.t_n("area-richieste-in-attesa", 1), "1 richiesta in attesa");
        assert_eq!(Lang::It.t_n("notifiche-non-lette", 1), "non letta");
        assert_eq!(Lang::It.t_n("notifiche-non-lette", 0), "non lette");
    }

    #[test]
    fn italian_is_the_default() {
        assert_eq!(Lang::negotiate(&HeaderMap::new()), Lang::It);
        assert_eq!(Lang::negotiate(&headers(&[("accept-language", "de-DE, fr")])), Lang::It);
    }

    #[test]
    fn accept_language_is_the_first_guess_by_quality() {
        assert_eq!(Lang::negotiate(&headers(&[("accept-language", "en-GB,en;q=0.9")])), Lang::En);
        assert_eq!(Lang::negotiate(&headers(&[("accept-language", "de, en;q=0.5, it;q=0.8")])), Lang::It);
        assert_eq!(Lang::negotiate(&headers(&[("accept-language", "it;q=0, en")])), Lang::En);
    }

    #[test]
    fn the_cookie_wins_over_accept_language() {
        let h = headers(&[("accept-language", "it"), ("cookie", "a=b; lang=en")]);
        assert_eq!(Lang::negotiate(&h), Lang::En);
    }

    #[test]
    fn both_languages_define_the_same_keys() {
        fn keys(lang: &str) -> std::collections::BTreeSet<String> {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
            let mut out = std::collections::BTreeSet::new();
            for entry in std::fs::read_dir(dir).expect("locale dir") {
                let text = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl");
                for line in text.lines() {
                    if let Some((k, _)) = line.split_once(" =")
                        && !k.starts_with([' ', '#', '.', '-'])
                    {
                        out.insert(k.to_owned());
                    }
                }
            }
            out
        }
        let it = keys("it");
        let en = keys("en");
        assert!(!it.is_empty());
        assert_eq!(it.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in English");
        assert_eq!(en.difference(&it).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in Italian");
    }

    #[test]
    fn a_key_translates_in_both_languages() {
        assert_eq!(Lang::It.t("lang-name"), "Italiano");
        assert_eq!(Lang::En.t("lang-name"), "English");
    }
}
