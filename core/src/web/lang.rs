//! The reader's language: `?lang=` (remembered in a cookie), then the signed-in person's own
//! choice, then their site's default, then the cookie, then `Accept-Language`, then Swedish.
//! A person's choice follows them to every device (the galley tablet is shared); the cookie
//! serves whoever is not signed in.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

pub const COOKIE_NAME: &str = "galley_lang";

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Sv,
    Nb,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Sv, Lang::Nb, Lang::En];
    pub const DEFAULT: Lang = Lang::Sv;

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }

    /// The language's own name, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Sv => "Svenska",
            Lang::Nb => "Norsk bokmål",
            Lang::En => "English",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "sv" => Some(Lang::Sv),
            // Nynorsk and plain "no" readers get bokmål: the nearest catalogue we have.
            "nb" | "no" | "nn" => Some(Lang::Nb),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a stored code names exactly (`sv`, `nb`, `en`); anything else is none.
    pub fn stored(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// Picks the language for a request from its query string and headers.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        Lang::negotiate_for(query, headers, None)
    }

    /// As [`Lang::negotiate`], with the signed-in person's preference (their own, else their
    /// site's) ahead of the cookie.
    pub fn negotiate_for(
        query: Option<&str>,
        headers: &HeaderMap,
        preferred: Option<Lang>,
    ) -> Lang {
        query_choice(query)
            .or(preferred)
            .or_else(|| cookie_choice(headers))
            .or_else(|| accept_language(headers))
            .unwrap_or(Lang::DEFAULT)
    }
}

/// `?lang=en` in a query string.
pub fn query_choice(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "lang")
        .and_then(|(_, value)| Lang::from_code(value))
}

fn cookie_choice(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .and_then(|(_, value)| Lang::from_code(value))
}

/// The supported language with the highest q-value; ties keep the header's order.
fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let header = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let Some(lang) = pieces.next().and_then(Lang::from_code) else {
            continue;
        };
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// The `Set-Cookie` value that remembers `lang` in this browser for a year.
pub fn cookie(lang: Lang) -> String {
    format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )
}

/// Remembers a `?lang=` choice in a cookie so the next page keeps the language.
pub async fn remember_choice(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let chosen = query_choice(request.uri().query());
    let mut response = next.run(request).await;
    if let Some(lang) = chosen
        && let Ok(value) = axum::http::HeaderValue::from_str(&cookie(lang))
    {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(axum::http::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), value.parse().unwrap());
        }
        map
    }

    #[test]
    fn query_beats_cookie_beats_header() {
        let h = headers(&[(COOKIE, "a=b; galley_lang=en"), (ACCEPT_LANGUAGE, "sv")]);
        assert_eq!(Lang::negotiate(None, &h), Lang::En);
        assert_eq!(Lang::negotiate(Some("x=1&lang=sv"), &h), Lang::Sv);
    }

    #[test]
    fn accept_language_uses_quality_values() {
        let h = headers(&[(ACCEPT_LANGUAGE, "de-DE, sv;q=0.5, en-GB;q=0.8")]);
        assert_eq!(Lang::negotiate(None, &h), Lang::En);
        let h = headers(&[(ACCEPT_LANGUAGE, "sv-SE,en;q=0.9")]);
        assert_eq!(Lang::negotiate(None, &h), Lang::Sv);
        let h = headers(&[(ACCEPT_LANGUAGE, "de, fr")]);
        assert_eq!(Lang::negotiate(None, &h), Lang::Sv);
    }

    #[test]
    fn norwegian_codes_give_bokmal() {
        let h = headers(&[(ACCEPT_LANGUAGE, "nb-NO,nb;q=0.9,en;q=0.5")]);
        assert_eq!(Lang::negotiate(None, &h), Lang::Nb);
        let h = headers(&[(ACCEPT_LANGUAGE, "no")]);
        assert_eq!(Lang::negotiate(None, &h), Lang::Nb);
        let h = headers(&[(ACCEPT_LANGUAGE, "nn-NO, en;q=0.8")]);
        assert_eq!(Lang::negotiate(None, &h), Lang::Nb);
        assert_eq!(
            Lang::negotiate(Some("lang=nb"), &HeaderMap::new()),
            Lang::Nb
        );
        assert_eq!(Lang::Nb.code(), "nb");
        assert_eq!(Lang::Nb.native_name(), "Norsk bokmål");
    }

    #[test]
    fn a_persons_choice_beats_the_cookie_but_not_the_query() {
        let h = headers(&[(COOKIE, "galley_lang=sv"), (ACCEPT_LANGUAGE, "en")]);
        assert_eq!(Lang::negotiate_for(None, &h, Some(Lang::Nb)), Lang::Nb);
        assert_eq!(
            Lang::negotiate_for(Some("lang=en"), &h, Some(Lang::Nb)),
            Lang::En
        );
        assert_eq!(Lang::negotiate_for(None, &h, None), Lang::Sv);
        assert_eq!(Lang::stored("nb"), Some(Lang::Nb));
        assert_eq!(Lang::stored("nb-NO"), None);
    }
}
