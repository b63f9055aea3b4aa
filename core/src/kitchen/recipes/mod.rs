//! Recipes: ingredients with amounts and a yield, scaled to a guest count, and the day's
//! shopping list. Pure logic, no storage: amounts are integers (thousandths of the unit as
//! written) so they store as two columns; see [`units`] for the base units and
//! [`display`] for how scaled amounts are rounded for the cook.

pub mod display;
pub mod scale;
pub mod shopping;
pub mod units;
pub mod validate;

pub use display::{Exact, Shown};
pub use scale::{Ingredient, Recipe, ScaleError, ScaledIngredient, scale};
pub use shopping::shopping_list;
pub use units::{Dimension, Quantity, Unit, parse_amount};
pub use validate::validate;

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn any_unit() -> impl Strategy<Value = Unit> {
        proptest::sample::select(Unit::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn scaling_to_the_own_yield_gives_the_amounts_back(
            amounts in proptest::collection::vec((1..=validate::MAX_AMOUNT_MILLI, any_unit()), 1..10),
            yield_portions in 1..=validate::MAX_YIELD,
        ) {
            let recipe = Recipe {
                name: "R".into(),
                yield_portions,
                ingredients: amounts
                    .iter()
                    .map(|&(amount_milli, unit)| Ingredient {
                        name: "I".into(),
                        amount_milli,
                        unit,
                        allergens_mask: 0,
                    })
                    .collect(),
                steps: vec![],
            };
            let scaled = scale(&recipe, yield_portions).unwrap();
            for (line, &(amount_milli, unit)) in scaled.iter().zip(&amounts) {
                prop_assert_eq!(line.exact.as_base(), Some(amount_milli * unit.base_per_milli()));
                prop_assert_eq!(line.dimension, unit.dimension());
            }
        }

        #[test]
        fn shown_mass_is_within_2_5_percent_from_10_g(
            // each display band gets its share of cases, the small ones included
            milligrams in prop_oneof![
                10_000_i64..20_000,
                20_000_i64..100_000,
                100_000_i64..1_000_000,
                1_000_000_i64..=1_000_000_000_000,
            ],
            guests in 1_u32..=100,
            yield_portions in 1_u32..=100,
        ) {
            let exact = Exact::new(i128::from(milligrams) * i128::from(guests), i128::from(yield_portions)).unwrap();
            prop_assume!(exact.numer() >= 10_000 * exact.denom());
            let shown = display::shown(exact, Dimension::Mass);
            // |shown - exact| <= 2.5 % of exact, in integers: 40 * |shown * d - n| <= n
            let error = (i128::from(shown.as_base()) * exact.denom() - exact.numer()).abs();
            prop_assert!(40 * error <= exact.numer(), "{:?} shown as {:?}", exact, shown);
        }
    }
}
