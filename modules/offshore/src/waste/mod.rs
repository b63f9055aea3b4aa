//! Waste log and portion advice (domain guide, offshore: "Waste log", "Portion
//! recommendation"). Pure logic: no database, no HTTP.
//!
//! Quantities are whole grams (`i64`): the API speaks kg with at most three decimals, and
//! grams keep sums and comparisons exact. Every figure a person sees (percentages, grams per
//! guest, the recommendation) is computed with exact rationals and rounded once, at the end.

pub mod entry;
pub mod import;
pub mod portion;
pub mod store;
pub mod summary;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use serde::{Deserialize, Serialize};

/// The most a single quantity may weigh, in kg (and in grams below).
pub const MAX_KG: f64 = 100_000.0;
pub const MAX_GRAMS: i64 = 100_000_000;

/// Refusals of [`grams_from_kg`].
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum WasteError {
    #[error("must be a finite number")]
    NotFinite,
    #[error("must not be negative")]
    Negative,
    #[error("must have at most three decimals (whole grams)")]
    TooPrecise,
    #[error("must be at most 100000 kg")]
    TooLarge,
}

/// Whole grams from kg sent by the API.
///
/// Accepted when `kg * 1000` is within 1e-9 of a whole number, or when `kg` is exactly the
/// double a JSON parser makes of a decimal with three places. The second test is needed
/// because above about 16 000 kg the product is one ulp (more than 1e-9) away from the whole
/// number for many such decimals: `16384.011 * 1000` is `16384010.999999998`.
pub fn grams_from_kg(kg: f64) -> Result<i64, WasteError> {
    if !kg.is_finite() {
        return Err(WasteError::NotFinite);
    }
    if kg < 0.0 {
        return Err(WasteError::Negative);
    }
    if kg > MAX_KG {
        return Err(WasteError::TooLarge);
    }
    let grams = kg * 1000.0;
    let whole = grams.round();
    if (grams - whole).abs() > 1e-9 && whole / 1000.0 != kg {
        return Err(WasteError::TooPrecise);
    }
    // In range by the checks above (0 ..= 1e8), so the cast is exact.
    Ok(whole as i64)
}

/// Meals an offshore galley logs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Meal {
    Lunch,
    Dinner,
    Night,
}

impl Meal {
    pub const ALL: [Meal; 3] = [Meal::Lunch, Meal::Dinner, Meal::Night];
}

/// Offshore menu categories: the unit of the portion advice.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Soup,
    Fish,
    Meat,
    Vegetarian,
    Dessert,
    Extra,
    NightMeal,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Soup,
        Category::Fish,
        Category::Meat,
        Category::Vegetarian,
        Category::Dessert,
        Category::Extra,
        Category::NightMeal,
    ];

    /// The catalogue key of the category's name.
    pub fn translation_key(self) -> &'static str {
        match self {
            Category::Soup => "offshore.category.soup",
            Category::Fish => "offshore.category.fish",
            Category::Meat => "offshore.category.meat",
            Category::Vegetarian => "offshore.category.vegetarian",
            Category::Dessert => "offshore.category.dessert",
            Category::Extra => "offshore.category.extra",
            Category::NightMeal => "offshore.category.night_meal",
        }
    }
}

/// `x` rounded to a whole number, halves up (towards +infinity): floor(x + 1/2).
pub(crate) fn round_half_up(x: &BigRational) -> BigInt {
    (x + BigRational::new(1.into(), 2.into()))
        .floor()
        .to_integer()
}

/// `x` rounded half up to one decimal, as the nearest double to that one-decimal number
/// (what a page prints). Only for display: never computed with again.
pub(crate) fn to_tenths(x: &BigRational) -> f64 {
    let tenths = round_half_up(&(x * BigRational::from_integer(10.into())));
    tenths.to_f64().unwrap_or(f64::NAN) / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kg_with_three_decimals_become_grams() {
        assert_eq!(grams_from_kg(0.0), Ok(0));
        assert_eq!(grams_from_kg(1.5), Ok(1500));
        assert_eq!(grams_from_kg(0.001), Ok(1));
        assert_eq!(grams_from_kg(12.345), Ok(12_345));
        assert_eq!(grams_from_kg(100_000.0), Ok(100_000_000));
        // 16384.011 * 1000 = 16384010.999999998 in f64: off by more than 1e-9.
        assert_eq!(grams_from_kg(16_384.011), Ok(16_384_011));
        assert_eq!(grams_from_kg(99_999.999), Ok(99_999_999));
    }

    #[test]
    fn every_three_decimal_kg_value_is_accepted_exactly() {
        // A sample across the whole range, parsed like JSON would parse the decimal.
        for grams in (0..=MAX_GRAMS).step_by(9_973) {
            let text = format!("{}.{:03}", grams / 1000, grams % 1000);
            let kg: f64 = text.parse().unwrap_or(f64::NAN);
            assert_eq!(grams_from_kg(kg), Ok(grams), "{text}");
        }
    }

    #[test]
    fn kg_refusals() {
        assert_eq!(grams_from_kg(-0.001), Err(WasteError::Negative));
        assert_eq!(grams_from_kg(f64::NAN), Err(WasteError::NotFinite));
        assert_eq!(grams_from_kg(f64::INFINITY), Err(WasteError::NotFinite));
        assert_eq!(grams_from_kg(0.0005), Err(WasteError::TooPrecise));
        assert_eq!(grams_from_kg(1.2345), Err(WasteError::TooPrecise));
        assert_eq!(grams_from_kg(100_000.001), Err(WasteError::TooLarge));
        // Within the 1e-9 g tolerance: float noise, not a fourth decimal.
        assert_eq!(grams_from_kg(0.1 + 0.2), Ok(300));
    }

    #[test]
    fn names_on_the_wire_and_in_the_catalogue() {
        let json = serde_json::to_string(&[Category::NightMeal, Category::Soup]).ok();
        assert_eq!(json.as_deref(), Some(r#"["night_meal","soup"]"#));
        let meal: Result<Meal, _> = serde_json::from_str(r#""night""#);
        assert_eq!(meal.ok(), Some(Meal::Night));
        assert_eq!(
            Category::NightMeal.translation_key(),
            "offshore.category.night_meal"
        );
    }

    #[test]
    fn rounding_halves_go_up() {
        let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert_eq!(round_half_up(&r(861, 2)), BigInt::from(431));
        assert_eq!(round_half_up(&r(8609, 20)), BigInt::from(430));
        assert_eq!(to_tenths(&r(1, 3)), 0.3);
        assert_eq!(to_tenths(&r(1, 20)), 0.1);
    }
}
