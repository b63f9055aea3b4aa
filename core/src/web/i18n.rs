//! Translations: TOML catalogues per language from core and every module, flattened to
//! dotted keys. Pages never hard-code text; they look it up here.

use std::collections::{BTreeMap, BTreeSet};

use super::lang::Lang;
use crate::module::Registry;

const CORE: [(&str, &str); 12] = [
    ("en", include_str!("../../locales/en.toml")),
    ("sv", include_str!("../../locales/sv.toml")),
    ("nb", include_str!("../../locales/nb.toml")),
    ("en", include_str!("../../locales/nav.en.toml")),
    ("sv", include_str!("../../locales/nav.sv.toml")),
    ("nb", include_str!("../../locales/nav.nb.toml")),
    ("en", include_str!("../../locales/errors.en.toml")),
    ("sv", include_str!("../../locales/errors.sv.toml")),
    ("nb", include_str!("../../locales/errors.nb.toml")),
    ("en", include_str!("../../locales/work.en.toml")),
    ("sv", include_str!("../../locales/work.sv.toml")),
    ("nb", include_str!("../../locales/work.nb.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("translations of {owner} ({lang}) are not valid TOML: {reason}")]
    Parse {
        owner: String,
        lang: String,
        reason: String,
    },
    #[error("translations of {owner} name unknown language `{lang}`")]
    UnknownLanguage { owner: String, lang: String },
}

/// Every catalogue, by language.
#[derive(Debug, Default)]
pub struct I18n {
    catalogs: BTreeMap<Lang, BTreeMap<String, String>>,
}

impl I18n {
    pub fn load(registry: &Registry) -> Result<Self, I18nError> {
        let mut i18n = I18n::default();
        i18n.add("core", &CORE)?;
        for module in registry.modules() {
            i18n.add(module.id(), module.translations())?;
        }
        Ok(i18n)
    }

    fn add(&mut self, owner: &str, sources: &[(&str, &str)]) -> Result<(), I18nError> {
        for (code, text) in sources {
            let lang = Lang::from_code(code).ok_or_else(|| I18nError::UnknownLanguage {
                owner: owner.to_owned(),
                lang: (*code).to_owned(),
            })?;
            let table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| I18nError::Parse {
                        owner: owner.to_owned(),
                        lang: (*code).to_owned(),
                        reason: e.message().to_owned(),
                    })?;
            flatten(
                "",
                &toml::Value::Table(table),
                self.catalogs.entry(lang).or_default(),
            );
        }
        Ok(())
    }

    /// The text for `key` in `lang`, else in English, else the key itself (so a gap shows
    /// on the page instead of an empty string).
    pub fn text<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.catalogs
            .get(&lang)
            .and_then(|c| c.get(key))
            .or_else(|| self.catalogs.get(&Lang::En).and_then(|c| c.get(key)))
            .map_or(key, String::as_str)
    }

    /// Keys that some language has and another lacks, as `lang: key`.
    pub fn gaps(&self) -> Vec<String> {
        let all: BTreeSet<&String> = self.catalogs.values().flat_map(BTreeMap::keys).collect();
        Lang::ALL
            .iter()
            .flat_map(|lang| {
                let catalog = self.catalogs.get(lang);
                all.iter()
                    .filter(move |key| catalog.is_none_or(|c| !c.contains_key(key.as_str())))
                    .map(move |key| format!("{}: {key}", lang.code()))
            })
            .collect()
    }
}

fn flatten(prefix: &str, value: &toml::Value, into: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, value, into);
            }
        }
        toml::Value::String(text) => {
            into.insert(prefix.to_owned(), text.clone());
        }
        other => {
            into.insert(prefix.to_owned(), other.to_string());
        }
    }
}
