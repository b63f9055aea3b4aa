//! One line of the waste log and its rules.

use chrono::NaiveDate;
use num_rational::BigRational;
use serde::{Deserialize, Serialize};

use super::{Category, MAX_GRAMS, Meal};

pub const MAX_GUESTS: u32 = 2000;
pub const MAX_DISH_CHARS: usize = 120;

/// A logged meal of one category (and optionally one dish), quantities in whole grams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WasteInput {
    pub date: NaiveDate,
    pub meal: Meal,
    pub category: Category,
    pub dish: Option<String>,
    pub guests: u32,
    pub produced_g: i64,
    pub served_g: i64,
    pub leftover_g: i64,
}

/// A broken rule, named by the API field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

fn error(field: &'static str, reason: &str) -> FieldError {
    FieldError {
        field,
        reason: reason.to_owned(),
    }
}

/// Checks every rule and reports every one that is broken, so a form can mark all its fields
/// at once.
pub fn validate(input: &WasteInput) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if input.guests > MAX_GUESTS {
        errors.push(error("guests", "must be at most 2000"));
    }
    for (field, grams) in [
        ("produced_kg", input.produced_g),
        ("served_kg", input.served_g),
        ("leftover_kg", input.leftover_g),
    ] {
        if grams < 0 {
            errors.push(error(field, "must not be negative"));
        } else if grams > MAX_GRAMS {
            errors.push(error(field, "must be at most 100000 kg"));
        }
    }
    if input.served_g > input.produced_g {
        errors.push(error("served_kg", "must not exceed the produced quantity"));
    }
    if input.leftover_g > input.produced_g {
        errors.push(error(
            "leftover_kg",
            "must not exceed the produced quantity",
        ));
    }
    if let Some(dish) = &input.dish {
        let dish = dish.trim();
        if dish.chars().count() > MAX_DISH_CHARS {
            errors.push(error("dish", "must be at most 120 characters"));
        }
        // A dish name is one line: tab and line breaks are refused here too.
        if dish.chars().any(char::is_control) {
            errors.push(error("dish", "must not contain control characters"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl WasteInput {
    /// The dish as stored: trimmed, and no dish when nothing but blanks was sent.
    pub fn dish_trimmed(&self) -> Option<&str> {
        self.dish
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
    }

    /// Served grams per guest, exactly; `None` when nobody ate (such an entry never counts in
    /// the portion history).
    pub fn grams_per_guest(&self) -> Option<BigRational> {
        (self.guests > 0)
            .then(|| BigRational::new(self.served_g.into(), i64::from(self.guests).into()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn entry(
        guests: u32,
        produced_g: i64,
        served_g: i64,
        leftover_g: i64,
    ) -> WasteInput {
        WasteInput {
            date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
            meal: Meal::Dinner,
            category: Category::Fish,
            dish: None,
            guests,
            produced_g,
            served_g,
            leftover_g,
        }
    }

    fn fields(input: &WasteInput) -> Vec<&'static str> {
        match validate(input) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn a_plain_entry_passes() {
        assert_eq!(validate(&entry(40, 18_000, 15_500, 2_500)), Ok(()));
        // Served and leftover are each at most produced; their sum may exceed it (plates
        // scraped back count as leftover too).
        assert_eq!(validate(&entry(40, 10_000, 9_000, 9_000)), Ok(()));
        assert_eq!(
            validate(&entry(MAX_GUESTS, MAX_GRAMS, MAX_GRAMS, 0)),
            Ok(())
        );
    }

    #[test]
    fn every_broken_rule_is_reported() {
        assert_eq!(
            fields(&entry(2001, 1_000, 1_500, 2_000)),
            ["guests", "served_kg", "leftover_kg"]
        );
        assert_eq!(
            fields(&entry(1, -1, -2, MAX_GRAMS + 1)),
            ["produced_kg", "served_kg", "leftover_kg", "leftover_kg"]
        );
        let errors = validate(&entry(1, 10, 11, 0)).err().unwrap_or_default();
        assert_eq!(
            errors,
            [FieldError {
                field: "served_kg",
                reason: "must not exceed the produced quantity".to_owned()
            }]
        );
    }

    #[test]
    fn dish_rules_apply_to_the_trimmed_text() {
        let with = |dish: &str| WasteInput {
            dish: Some(dish.to_owned()),
            ..entry(10, 5_000, 4_000, 1_000)
        };
        let long = "é".repeat(MAX_DISH_CHARS);
        assert_eq!(fields(&with(&format!("  {long}\n"))), Vec::<&str>::new());
        assert_eq!(fields(&with(&format!("{long}x"))), ["dish"]);
        assert_eq!(fields(&with("Fiskesuppe\u{0}")), ["dish"]);
        assert_eq!(fields(&with("Fiske\tsuppe")), ["dish"]);
        assert_eq!(fields(&with("Fiske\u{85}suppe")), ["dish"]);
        assert_eq!(with("  Lapskaus ").dish_trimmed(), Some("Lapskaus"));
        assert_eq!(with("   ").dish_trimmed(), None);
    }

    #[test]
    fn grams_per_guest_is_exact() {
        let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        // 1000 g over 3 guests is 333 1/3 g, not 333.33...
        assert_eq!(
            entry(3, 1_200, 1_000, 200).grams_per_guest(),
            Some(r(1000, 3))
        );
        assert_eq!(
            entry(40, 18_000, 15_500, 0).grams_per_guest(),
            Some(r(775, 2))
        );
        assert_eq!(entry(0, 1_000, 0, 1_000).grams_per_guest(), None);
    }
}
