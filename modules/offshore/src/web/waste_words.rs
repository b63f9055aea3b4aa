//! What the waste, portion and import pages share: quantities and shares written the way the
//! reader writes numbers (a decimal comma in Swedish and Norwegian), the names of meals and
//! categories, and the site picker.

use galley_core::web::Page;
use galley_core::web::site_choice::ChosenSite;

use super::t;
use crate::prep::freezer::decimal_from_milli;
use crate::waste::store::{category_name, meal_name};
use crate::waste::{Category, Meal};

/// The reader's decimal sign in `text` (written with a point).
pub fn decimal(page: &Page, text: String) -> String {
    decimal_in(page.lang_code(), text)
}

fn decimal_in(lang: &str, text: String) -> String {
    match lang {
        "sv" | "nb" => text.replace('.', ","),
        _ => text,
    }
}

/// Tenths of a unit from a quantity in thousandths, halves up: "18.3".
fn tenths_of_milli(milli: i128) -> String {
    let tenths = (milli.max(0) + 50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Whole grams as kg, exactly (up to three decimals): "12,5".
pub fn kg(page: &Page, grams: i64) -> String {
    decimal(page, decimal_from_milli(grams))
}

/// Grams as kg to one decimal, halves up: "18,3".
pub fn kg_tenths(page: &Page, grams: i128) -> String {
    decimal(page, tenths_of_milli(grams))
}

/// A share with one decimal and a percent sign, or a dash when nothing was produced.
pub fn percent(page: &Page, share: Option<f64>) -> String {
    match share {
        Some(share) => decimal(page, format!("{share:.1}")) + " %",
        None => "–".to_owned(),
    }
}

/// A number of grams with one decimal: "450,3".
pub fn tenths(page: &Page, value: f64) -> String {
    decimal(page, format!("{value:.1}"))
}

pub fn meal_label(page: &Page, meal: Meal) -> String {
    t(page, &format!("board.meal.{}", meal_name(meal)))
}

pub fn category_label(page: &Page, category: Category) -> String {
    page.t(category.translation_key()).to_owned()
}

/// An option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn meal_choices(page: &Page, chosen: &str) -> Vec<Choice> {
    Meal::ALL
        .iter()
        .map(|meal| Choice {
            value: meal_name(*meal).to_owned(),
            label: meal_label(page, *meal),
            selected: meal_name(*meal) == chosen,
        })
        .collect()
}

pub fn category_choices(page: &Page, chosen: &str) -> Vec<Choice> {
    Category::ALL
        .iter()
        .map(|category| Choice {
            value: category_name(*category).to_owned(),
            label: category_label(page, *category),
            selected: category_name(*category) == chosen,
        })
        .collect()
}

pub fn meal_named(name: &str) -> Option<Meal> {
    Meal::ALL.into_iter().find(|m| meal_name(*m) == name)
}

pub fn category_named(name: &str) -> Option<Category> {
    Category::ALL
        .into_iter()
        .find(|c| category_name(*c) == name)
}

/// The sites the reader may switch between (empty: no picker).
pub fn site_choices(site: &ChosenSite) -> Vec<Choice> {
    site.choices
        .iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            label: s.name.clone(),
            selected: s.id == site.site.id,
        })
        .collect()
}

/// `&site=ID` for links when the reader has a picker.
pub fn site_param(site: &ChosenSite) -> String {
    if site.choices.is_empty() {
        String::new()
    } else {
        format!("&site={}", site.site.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_the_readers_decimal_sign() {
        assert_eq!(decimal_in("nb", decimal_from_milli(12_500)), "12,5");
        assert_eq!(decimal_in("en", decimal_from_milli(12_345)), "12.345");
        assert_eq!(decimal_in("sv", tenths_of_milli(18_250)), "18,3");
        assert_eq!(tenths_of_milli(18_249), "18.2");
        assert_eq!(tenths_of_milli(49), "0.0");
    }
}
