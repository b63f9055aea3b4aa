//! The dish form as the pages hold it (what is stored, or what was typed), its checkboxes and
//! categories in the reader's language, the operations' errors in words, and the addresses
//! the pages link to (the list with its search kept, the way back to a week's menu).

use galley_core::http::AppError;
use galley_core::kitchen::allergen::{Allergen, from_mask};
use galley_core::kitchen::dishes::Dish;
use galley_core::web::Page;
use galley_core::web::admin::FormErrors;

/// The categories the form offers, with their label keys. The API takes any text; the menu
/// editor and the import create `main` and `dessert`, so the pages keep to known words.
const CATEGORIES: [(&str, &str); 5] = [
    ("main", "municipal.dishes.category_main"),
    ("soup", "municipal.dishes.category_soup"),
    ("dessert", "municipal.dishes.category_dessert"),
    ("salad", "municipal.dishes.category_salad"),
    ("side", "municipal.dishes.category_side"),
];

/// A category in the reader's language; one the pages do not know is shown as stored.
pub fn category_label(page: &Page, category: &str) -> String {
    CATEGORIES
        .iter()
        .find(|(code, _)| *code == category)
        .map_or_else(|| category.to_owned(), |(_, key)| page.t(key).to_owned())
}

/// The allergen's code in forms and the API (`gluten`).
pub fn code(allergen: Allergen) -> &'static str {
    allergen
        .key()
        .strip_prefix("allergen.")
        .unwrap_or(allergen.key())
}

/// A form's fields as sent: the allergen checkboxes arrive as several `allergens` pairs.
#[derive(Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The `etag` hidden field: the version the form was filled in against (its If-Match).
    pub fn etag(&self) -> Option<&str> {
        Some(self.get("etag")).filter(|tag| !tag.is_empty())
    }
}

/// The dish form: stored values, or what was typed.
#[derive(Debug, Clone)]
pub struct DishForm {
    pub name: String,
    pub category: String,
    /// Allergen codes, as the checkboxes send them.
    pub allergens: Vec<String>,
    /// The allergen radio: `unknown` (not stated yet), `none` (contains none) or `listed` (the
    /// ticked ones); empty when a form without it was posted (the ticked ones, as before).
    pub allergen_state: String,
    /// The dish's allergens were stated already: "not stated" is no longer offered (a
    /// statement is not taken back by a form).
    pub stated_before: bool,
}

/// The allergen radio's values.
pub const NOT_STATED: &str = "unknown";
pub const NO_ALLERGENS: &str = "none";
pub const LISTED: &str = "listed";

impl Default for DishForm {
    fn default() -> Self {
        DishForm {
            name: String::new(),
            category: "main".into(),
            allergens: Vec::new(),
            allergen_state: NOT_STATED.into(),
            stated_before: false,
        }
    }
}

/// One checkbox or one option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

impl DishForm {
    pub fn of(dish: &Dish) -> Self {
        DishForm {
            name: dish.name.clone(),
            category: dish.category.clone(),
            allergens: from_mask(dish.allergens)
                .into_iter()
                .map(|a| code(a).to_owned())
                .collect(),
            allergen_state: if !dish.allergens_stated {
                NOT_STATED
            } else if dish.allergens == 0 {
                NO_ALLERGENS
            } else {
                LISTED
            }
            .into(),
            stated_before: dish.allergens_stated,
        }
    }

    pub fn typed(fields: &Fields) -> Self {
        DishForm {
            name: fields.get("name").to_owned(),
            category: fields.get("category").trim().to_owned(),
            allergens: fields
                .all("allergens")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            allergen_state: fields.get("allergen_state").to_owned(),
            stated_before: fields.get("stated_before") == "1",
        }
    }

    /// Whether the radio shows this value chosen.
    pub fn state_is(&self, value: &str) -> bool {
        self.allergen_state == value
    }

    /// The fourteen allergens with their names in the reader's language, ticked or not.
    pub fn boxes(&self, page: &Page) -> Vec<Choice> {
        Allergen::ALL
            .iter()
            .map(|a| Choice {
                value: code(*a).to_owned(),
                label: page.t(a.key()).to_owned(),
                chosen: self.allergens.iter().any(|c| c == code(*a)),
            })
            .collect()
    }

    /// The categories to pick from; a stored one the pages do not know stays pickable.
    pub fn categories(&self, page: &Page) -> Vec<Choice> {
        let mut choices: Vec<Choice> = CATEGORIES
            .iter()
            .map(|(value, key)| Choice {
                value: (*value).to_owned(),
                label: page.t(key).to_owned(),
                chosen: self.category == *value,
            })
            .collect();
        if !choices.iter().any(|c| c.chosen) {
            choices.push(Choice {
                value: self.category.clone(),
                label: if self.category.is_empty() {
                    page.t("municipal.dishes.category_pick").to_owned()
                } else {
                    self.category.clone()
                },
                chosen: true,
            });
        }
        choices
    }

    /// What to store: `None` keeps the allergens "not stated" (a new dish) or as they are, an
    /// empty list states "contains none", else the ticked ones. Refused: a box that names none
    /// of the fourteen (only a forged form can), "none" with boxes ticked, "listed" with none
    /// ticked, and "not stated" with boxes ticked: a form never drops what was ticked.
    pub fn parsed(&self, page: &Page) -> Result<Option<Vec<Allergen>>, FormErrors> {
        let chosen: Vec<Allergen> = Allergen::ALL
            .iter()
            .filter(|a| self.allergens.iter().any(|c| c == code(**a)))
            .copied()
            .collect();
        let known = self
            .allergens
            .iter()
            .all(|c| Allergen::ALL.iter().any(|a| code(*a) == c));
        let refuse = |key: &str| Err(field_error(page, "allergens", key));
        if !known {
            return refuse("municipal.dishes.error_allergen");
        }
        match self.allergen_state.as_str() {
            NOT_STATED if self.stated_before => refuse("municipal.dishes.error_unstate"),
            NOT_STATED if chosen.is_empty() => Ok(None),
            NOT_STATED => refuse("municipal.dishes.error_ticked_not_stated"),
            NO_ALLERGENS if chosen.is_empty() => Ok(Some(Vec::new())),
            NO_ALLERGENS => refuse("municipal.dishes.error_ticked_none"),
            LISTED if chosen.is_empty() => refuse("municipal.dishes.error_listed_empty"),
            LISTED | "" => Ok(Some(chosen)),
            _ => refuse("municipal.dishes.error_allergen"),
        }
    }

    /// The allergen codes ticked, for comparing two versions.
    pub fn mask_names(&self, page: &Page) -> String {
        let names: Vec<String> = self
            .boxes(page)
            .into_iter()
            .filter(|b| b.chosen)
            .map(|b| b.label)
            .collect();
        if names.is_empty() {
            page.t("municipal.dishes.none_contained").to_owned()
        } else {
            names.join(", ")
        }
    }
}

/// One error next to one field, in the reader's language.
pub fn field_error(page: &Page, field: &str, key: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors
        .fields
        .insert(field.to_owned(), page.t(key).to_owned());
    errors
}

/// Why an operation did not do what the form asked.
pub enum Refused {
    /// Errors to show next to the fields.
    Invalid(FormErrors),
    /// The name is another dish's: said next to the name, with a link to that dish.
    NameTaken(FormErrors),
    /// Someone saved the dish since the form was read.
    Stale,
    /// Core refused for another reason it explains (in English); the page says it generally.
    Conflict(String),
    /// 404, 403, 500: answered as an error page.
    Failed(AppError),
}

impl Refused {
    /// An operation's error, with field errors in the reader's language. A conflict from
    /// create or update means the name is taken (the only conflict they report).
    pub fn of(page: &Page, error: AppError, name_taken_is_conflict: bool) -> Refused {
        match error {
            AppError::Validation(problems) => {
                let mut errors = FormErrors::default();
                for problem in problems {
                    let key = match problem.field.as_str() {
                        "name" => "municipal.dishes.error_name",
                        "category" => "municipal.dishes.error_category",
                        _ => "municipal.dishes.error_allergen",
                    };
                    errors.fields.insert(problem.field, page.t(key).to_owned());
                }
                Refused::Invalid(errors)
            }
            AppError::Conflict(_) if name_taken_is_conflict => Refused::NameTaken(field_error(
                page,
                "name",
                "municipal.dishes.error_name_taken",
            )),
            AppError::Conflict(detail) => Refused::Conflict(detail),
            AppError::PreconditionFailed { .. } | AppError::PreconditionRequired => Refused::Stale,
            other => Refused::Failed(other),
        }
    }
}

/// Percent-encodes a query value (everything but the unreserved characters).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The list as the reader left it: search, filter and page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub q: String,
    pub not_stated: bool,
    pub page: u32,
}

impl Listing {
    /// The list's address with this search and filter, at `page`.
    pub fn href(&self, page: u32) -> String {
        let mut pairs = Vec::new();
        if !self.q.is_empty() {
            pairs.push(format!("q={}", encode(&self.q)));
        }
        if self.not_stated {
            pairs.push("not_stated=1".to_owned());
        }
        if page > 1 {
            pairs.push(format!("page={page}"));
        }
        if pairs.is_empty() {
            "/municipal/dishes".to_owned()
        } else {
            format!("/municipal/dishes?{}", pairs.join("&"))
        }
    }

    /// A dish's page, with the way back to this list.
    pub fn dish_href(&self, id: i64) -> String {
        Back {
            href: self.href(self.page),
            label_key: "municipal.dishes.back_list",
        }
        .dish_href(id)
    }
}

/// Where a dish page returns to: the list as it was, or the week menu it was opened from.
#[derive(Debug, Clone)]
pub struct Back {
    pub href: String,
    /// "Maträtter" or "Tillbaka till veckomenyn".
    pub label_key: &'static str,
}

impl Back {
    /// Only the module's own list and menu pages, so the field cannot send anyone elsewhere.
    pub fn from_param(raw: &str) -> Back {
        let safe_chars = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/?&=%._-~".contains(&b));
        let to_list = raw == "/municipal/dishes" || raw.starts_with("/municipal/dishes?");
        let to_menu = raw.starts_with("/municipal/menus/");
        if safe_chars && !raw.contains("//") && (to_list || to_menu) {
            Back {
                href: raw.to_owned(),
                label_key: if to_menu {
                    "municipal.dishes.back_menu"
                } else {
                    "municipal.dishes.back_list"
                },
            }
        } else {
            Back::list()
        }
    }

    pub fn list() -> Back {
        Back {
            href: "/municipal/dishes".to_owned(),
            label_key: "municipal.dishes.back_list",
        }
    }

    pub fn is_list(&self) -> bool {
        self.href.starts_with("/municipal/dishes")
    }

    /// The value for a `?back=` parameter or the hidden field (empty for the plain list).
    pub fn param(&self) -> String {
        if self.href == "/municipal/dishes" {
            String::new()
        } else {
            self.href.clone()
        }
    }

    /// A dish's page, with this way back.
    pub fn dish_href(&self, id: i64) -> String {
        let back = self.param();
        if back.is_empty() {
            format!("/municipal/dishes/{id}")
        } else {
            format!("/municipal/dishes/{id}?back={}", encode(&back))
        }
    }

    /// After a save or a delete: the list says what happened (`notice=value`); a week menu
    /// shows the dish's new allergens by itself.
    pub fn after(&self, notice: &str, value: &str) -> String {
        if !self.is_list() {
            return self.href.clone();
        }
        let joiner = if self.href.contains('?') { '&' } else { '?' };
        format!("{}{joiner}{notice}={}", self.href, encode(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_stays_on_the_module_pages() {
        assert_eq!(
            Back::from_param("/municipal/menus/2026/12").href,
            "/municipal/menus/2026/12"
        );
        assert_eq!(
            Back::from_param("/municipal/dishes?q=k%C3%B6tt&page=2").href,
            "/municipal/dishes?q=k%C3%B6tt&page=2"
        );
        for hostile in [
            "https://evil.example/",
            "//evil.example/municipal/dishes",
            "/municipal/dishes\"><script>",
            "/admin/users",
            "/municipal/dishesX",
        ] {
            assert_eq!(Back::from_param(hostile).href, "/municipal/dishes");
        }
        assert_eq!(
            Back::from_param("/municipal/dishes?not_stated=1").after("saved", "7"),
            "/municipal/dishes?not_stated=1&saved=7"
        );
        assert_eq!(
            Back::list().after("deleted", "1"),
            "/municipal/dishes?deleted=1"
        );
        assert_eq!(
            Back::from_param("/municipal/menus/2026/12").after("saved", "7"),
            "/municipal/menus/2026/12"
        );
    }

    #[test]
    fn list_addresses_keep_the_search() {
        let listing = Listing {
            q: "köttbullar & mos".into(),
            not_stated: true,
            page: 2,
        };
        assert_eq!(
            listing.href(3),
            "/municipal/dishes?q=k%C3%B6ttbullar%20%26%20mos&not_stated=1&page=3"
        );
        assert_eq!(
            listing.dish_href(5),
            "/municipal/dishes/5?back=%2Fmunicipal%2Fdishes%3Fq%3Dk%25C3%25B6ttbullar%2520%2526%2520mos%26not_stated%3D1%26page%3D2"
        );
        assert_eq!(Listing::default().dish_href(5), "/municipal/dishes/5");
    }
}
