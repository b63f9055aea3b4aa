//! Recipes and scaling them to a guest count.

use serde::{Deserialize, Serialize};

use super::display::{Exact, Shown, shown};
use super::units::{Dimension, Unit};
use crate::kitchen::allergen::{self, Allergen};

/// One line of a recipe, as stored: the amount as the cook wrote it, in thousandths of
/// `unit` ("1,25 kg" is `amount_milli: 1250, unit: Kg`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingredient {
    pub name: String,
    pub amount_milli: i64,
    pub unit: Unit,
    /// The allergens the ingredient contains, as [`allergen::to_mask`] stores them.
    pub allergens_mask: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipe {
    pub name: String,
    /// How many portions the amounts as written make.
    pub yield_portions: u32,
    pub ingredients: Vec<Ingredient>,
    pub steps: Vec<String>,
}

impl Recipe {
    /// The union of the ingredients' allergens: the recipe contains an allergen when any
    /// ingredient does.
    pub fn allergens_mask(&self) -> i64 {
        self.ingredients
            .iter()
            .fold(0, |mask, i| mask | i.allergens_mask)
    }

    pub fn allergens(&self) -> Vec<Allergen> {
        allergen::from_mask(self.allergens_mask())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScaleError {
    #[error("the guest count must be at least 1")]
    NoGuests,
    #[error("the recipe {0:?} has a yield of 0 portions")]
    NoYield(String),
    #[error("the amounts are too large to compute")]
    Overflow,
}

/// An ingredient for a number of guests: exact, and as the cook reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaledIngredient {
    pub name: String,
    pub dimension: Dimension,
    /// In the base unit of `dimension` (milligrams, microlitres, thousandths of a piece...).
    pub exact: Exact,
    pub shown: Shown,
    pub allergens_mask: i64,
}

impl ScaledIngredient {
    pub(super) fn new(
        name: String,
        dimension: Dimension,
        exact: Exact,
        allergens_mask: i64,
    ) -> Self {
        ScaledIngredient {
            name,
            dimension,
            exact,
            shown: shown(exact, dimension),
            allergens_mask,
        }
    }

    /// "1,25 kg" with the locale's decimal separator: ',' for sv and nb, '.' for en.
    pub fn text(&self, decimal: char) -> String {
        self.shown.text(decimal)
    }
}

/// The exact base amount of `ingredient` for `guests` when `yield_portions` is its yield.
pub(super) fn scaled_amount(
    ingredient: &Ingredient,
    guests: u32,
    yield_portions: u32,
) -> Result<Exact, ScaleError> {
    let base = i128::from(ingredient.amount_milli)
        .checked_mul(i128::from(ingredient.unit.base_per_milli()))
        .and_then(|b| b.checked_mul(i128::from(guests)))
        .ok_or(ScaleError::Overflow)?;
    Exact::new(base, i128::from(yield_portions))
        .and_then(Exact::bounded)
        .ok_or(ScaleError::Overflow)
}

pub(super) fn check_counts(recipe: &Recipe, guests: u32) -> Result<(), ScaleError> {
    if guests == 0 {
        return Err(ScaleError::NoGuests);
    }
    if recipe.yield_portions == 0 {
        return Err(ScaleError::NoYield(recipe.name.clone()));
    }
    Ok(())
}

/// The recipe's ingredients for `guests`, in recipe order: each amount times
/// guests / yield, exactly, then rounded for display.
pub fn scale(recipe: &Recipe, guests: u32) -> Result<Vec<ScaledIngredient>, ScaleError> {
    check_counts(recipe, guests)?;
    recipe
        .ingredients
        .iter()
        .map(|i| {
            let exact = scaled_amount(i, guests, recipe.yield_portions)?;
            Ok(ScaledIngredient::new(
                i.name.clone(),
                i.unit.dimension(),
                exact,
                i.allergens_mask,
            ))
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::kitchen::recipes) fn ingredient(
        name: &str,
        amount: &str,
        unit: Unit,
    ) -> Ingredient {
        Ingredient {
            name: name.into(),
            amount_milli: super::super::units::parse_amount(amount).unwrap(),
            unit,
            allergens_mask: 0,
        }
    }

    pub(in crate::kitchen::recipes) fn recipe(
        yield_portions: u32,
        ingredients: Vec<Ingredient>,
    ) -> Recipe {
        Recipe {
            name: "Köttbullar".into(),
            yield_portions,
            ingredients,
            steps: vec!["Blanda.".into()],
        }
    }

    fn texts(recipe: &Recipe, guests: u32, decimal: char) -> Vec<String> {
        scale(recipe, guests)
            .unwrap()
            .iter()
            .map(|s| s.text(decimal))
            .collect()
    }

    #[test]
    fn a_recipe_for_four_scaled_to_thirty() {
        let r = recipe(
            4,
            vec![
                ingredient("Färs", "500", Unit::G),
                ingredient("Ägg", "3", Unit::Pcs),
                ingredient("Olja", "2", Unit::Tbsp),
                ingredient("Grädde", "0,2", Unit::L),
            ],
        );
        // 500 g * 30 / 4 = 3750 g = 3.75 kg
        // 3 eggs * 30 / 4 = 22.5 -> fraction 0.5 > 0.1 -> 23
        // 2 tbsp * 30 / 4 = 15 tbsp
        // 0.2 l * 30 / 4 = 1.5 l
        assert_eq!(
            texts(&r, 30, ','),
            ["3,75 kg", "23 pcs", "15 tbsp", "1,5 l"]
        );
        let scaled = scale(&r, 30).unwrap();
        // 22.5 eggs are 22 500 thousandths exactly
        assert_eq!(scaled[1].exact.as_base(), Some(22_500));
        assert_eq!(scaled[0].exact.as_base(), Some(3_750_000));
    }

    #[test]
    fn a_recipe_for_four_scaled_to_ten() {
        let r = recipe(
            4,
            vec![
                ingredient("Olja", "2", Unit::Tbsp),
                ingredient("Mjölk", "1", Unit::Dl),
                ingredient("Grädde", "0.2", Unit::L),
                ingredient("Salt", "1", Unit::Tsp),
            ],
        );
        // 2 tbsp * 10 / 4 = 5 tbsp; 1 dl * 10 / 4 = 2.5 dl;
        // 0.2 l * 10 / 4 = 0.5 l = 5 dl; 1 tsp * 10 / 4 = 2.5 tsp
        assert_eq!(texts(&r, 10, '.'), ["5 tbsp", "2.5 dl", "5 dl", "2.5 tsp"]);
    }

    #[test]
    fn scaling_down_and_by_thirds() {
        let r = recipe(
            10,
            vec![
                ingredient("Smör", "250", Unit::G),
                ingredient("Lök", "1", Unit::Pcs),
                ingredient("Peppar", "1", Unit::G),
            ],
        );
        // 250 g * 3 / 10 = 75 g; 1 onion * 3 / 10 = 0.3 -> never below 1;
        // 1 g * 3 / 10 = 0.3 g
        assert_eq!(texts(&r, 3, ','), ["75 g", "1 pcs", "0,3 g"]);
        let r = recipe(3, vec![ingredient("Mjöl", "100", Unit::G)]);
        // 100 g * 10 / 3 = 333.33 g: exact is 1 000 000 / 3 mg, shown to 5 g as 335 g
        let scaled = scale(&r, 10).unwrap();
        assert_eq!(
            (scaled[0].exact.numer(), scaled[0].exact.denom()),
            (1_000_000, 3)
        );
        assert_eq!(scaled[0].text('.'), "335 g");
    }

    #[test]
    fn no_guests_or_no_yield_is_refused() {
        let r = recipe(4, vec![ingredient("Färs", "500", Unit::G)]);
        assert_eq!(scale(&r, 0), Err(ScaleError::NoGuests));
        let r = recipe(0, vec![ingredient("Färs", "500", Unit::G)]);
        assert_eq!(scale(&r, 4), Err(ScaleError::NoYield("Köttbullar".into())));
        // 1 000 000 kg = 10^12 mg, times 2^32 - 1 guests > i64::MAX / 4 (about 2.3 * 10^18)
        let r = recipe(1, vec![ingredient("Mjöl", "1000000", Unit::Kg)]);
        assert_eq!(scale(&r, u32::MAX), Err(ScaleError::Overflow));
        // 10^12 mg * 1000 guests = 10^15 mg still fits: a thousand tonnes
        assert_eq!(scale(&r, 1000).unwrap()[0].text('.'), "1000000000 kg");
    }

    #[test]
    fn the_recipe_contains_every_allergen_of_its_ingredients() {
        let mut r = recipe(4, vec![ingredient("Vatten", "1", Unit::L)]);
        r.ingredients.push(Ingredient {
            allergens_mask: allergen::to_mask(&[Allergen::Gluten, Allergen::Milk]),
            ..ingredient("Ströbröd", "1", Unit::Dl)
        });
        r.ingredients.push(Ingredient {
            allergens_mask: allergen::to_mask(&[Allergen::Eggs, Allergen::Milk]),
            ..ingredient("Ägg", "1", Unit::Pcs)
        });
        // gluten bit 0, eggs bit 2, milk bit 6
        assert_eq!(r.allergens_mask(), 1 | 4 | 64);
        assert_eq!(
            r.allergens(),
            [Allergen::Gluten, Allergen::Eggs, Allergen::Milk]
        );
    }
}
