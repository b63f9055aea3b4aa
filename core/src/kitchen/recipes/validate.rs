//! The checks a recipe passes before it is stored, every failure named by its JSON path
//! (`ingredients[3].amount`, indices from 0) so the API can answer with all of them at once.

use super::scale::Recipe;
use crate::http::problem::FieldError;
use crate::kitchen::allergen::{self, Allergen};

pub const MAX_NAME: usize = 120;
pub const MAX_YIELD: u32 = 1000;
pub const MAX_INGREDIENTS: usize = 100;
pub const MAX_STEPS: usize = 50;
/// A step is a paragraph; the bound only keeps one request from storing a book.
pub const MAX_STEP: usize = 2000;
/// At most 1 000 000 of the ingredient's unit, in thousandths.
pub const MAX_AMOUNT_MILLI: i64 = 1_000_000_000;

/// Checks text of 1 to `max` characters after trimming, with no control characters
/// (a newline inside a name or a step breaks the printed lists).
fn check_text(field: String, text: &str, max: usize, errors: &mut Vec<FieldError>) {
    let length = text.trim().chars().count();
    if length == 0 || length > max {
        errors.push(FieldError {
            field,
            reason: format!("must be 1 to {max} characters"),
        });
    } else if text.chars().any(char::is_control) {
        errors.push(FieldError {
            field,
            reason: "must not contain control characters".into(),
        });
    }
}

/// Every reason `recipe` cannot be stored; empty when it can.
pub fn validate(recipe: &Recipe) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_text("name".into(), &recipe.name, MAX_NAME, &mut errors);
    if !(1..=MAX_YIELD).contains(&recipe.yield_portions) {
        errors.push(FieldError {
            field: "yield_portions".into(),
            reason: format!("must be 1 to {MAX_YIELD}"),
        });
    }
    if recipe.ingredients.len() > MAX_INGREDIENTS {
        errors.push(FieldError {
            field: "ingredients".into(),
            reason: format!("at most {MAX_INGREDIENTS} ingredients"),
        });
    }
    if recipe.steps.len() > MAX_STEPS {
        errors.push(FieldError {
            field: "steps".into(),
            reason: format!("at most {MAX_STEPS} steps"),
        });
    }
    let known = allergen::to_mask(&Allergen::ALL);
    for (index, ingredient) in recipe.ingredients.iter().enumerate() {
        let field = |name: &str| format!("ingredients[{index}].{name}");
        check_text(field("name"), &ingredient.name, MAX_NAME, &mut errors);
        if !(1..=MAX_AMOUNT_MILLI).contains(&ingredient.amount_milli) {
            errors.push(FieldError {
                field: field("amount"),
                reason: format!(
                    "must be more than 0 and at most 1000000 {}",
                    ingredient.unit.code()
                ),
            });
        }
        if ingredient.allergens_mask & !known != 0 {
            errors.push(FieldError {
                field: field("allergens"),
                reason: "names an allergen that does not exist".into(),
            });
        }
    }
    for (index, step) in recipe.steps.iter().enumerate() {
        check_text(format!("steps[{index}]"), step, MAX_STEP, &mut errors);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kitchen::recipes::scale::tests::{ingredient, recipe};
    use crate::kitchen::recipes::units::Unit;

    fn fields(recipe: &Recipe) -> Vec<String> {
        validate(recipe).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_plain_recipe_passes() {
        let r = recipe(4, vec![ingredient("Färs", "500", Unit::G)]);
        assert_eq!(validate(&r), vec![]);
    }

    #[test]
    fn every_failure_is_reported_with_its_field() {
        let mut r = recipe(
            0,
            vec![
                ingredient("Färs", "500", Unit::G),
                ingredient(" ", "1", Unit::Pcs),
                ingredient("Salt\n", "1", Unit::Tsp),
                ingredient("Vatten", "1000000,001", Unit::L),
            ],
        );
        r.name = "x".repeat(121);
        r.ingredients[0].amount_milli = 0;
        r.ingredients[0].allergens_mask = 1 << 14;
        r.steps = vec!["Blanda.".into(), "\tStek.".into(), String::new()];
        assert_eq!(
            fields(&r),
            [
                "name",
                "yield_portions",
                "ingredients[0].amount",
                "ingredients[0].allergens",
                "ingredients[1].name",
                "ingredients[2].name",
                "ingredients[3].amount",
                "steps[1]",
                "steps[2]",
            ]
        );
    }

    #[test]
    fn the_bounds_themselves_pass() {
        let mut r = recipe(MAX_YIELD, vec![ingredient("Vatten", "1000000", Unit::L)]);
        r.name = "å".repeat(MAX_NAME);
        r.ingredients[0].allergens_mask = allergen::to_mask(&Allergen::ALL);
        r.ingredients.extend(
            (1..MAX_INGREDIENTS).map(|i| ingredient(&format!("Krydda {i}"), "0,001", Unit::G)),
        );
        r.steps = vec!["Rör.".into(); MAX_STEPS];
        assert_eq!(validate(&r), vec![]);
        r.ingredients.push(ingredient("En till", "1", Unit::G));
        r.steps.push("Rör.".into());
        r.yield_portions = MAX_YIELD + 1;
        assert_eq!(fields(&r), ["yield_portions", "ingredients", "steps"]);
    }
}
