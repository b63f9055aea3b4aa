//! The shopping list for a day's menu: every recipe scaled to its guests, the same
//! ingredient summed across recipes.

use std::collections::BTreeMap;

use super::display::Exact;
use super::scale::{Recipe, ScaleError, ScaledIngredient, check_counts, scaled_amount};
use super::units::Dimension;

/// Lines are the same ingredient when their names match once trimmed and lowercased, and
/// they can be added only within a dimension (g with kg, ml with l): "Lök" in grams and
/// "lök" in pieces stay two lines, since nobody knows what an onion weighs.
///
/// Sorted by the lowercased name (code point order: å/ä/ö are not collated as a Swedish
/// reader expects), then dimension. A line keeps the spelling of its first occurrence and
/// the union of the allergens of every line merged into it.
pub fn shopping_list(menu: &[(&Recipe, u32)]) -> Result<Vec<ScaledIngredient>, ScaleError> {
    let mut lines: BTreeMap<(String, Dimension), (String, Exact, i64)> = BTreeMap::new();
    for &(recipe, guests) in menu {
        check_counts(recipe, guests)?;
        for ingredient in &recipe.ingredients {
            let exact = scaled_amount(ingredient, guests, recipe.yield_portions)?;
            let name = ingredient.name.trim();
            let key = (name.to_lowercase(), ingredient.unit.dimension());
            match lines.get_mut(&key) {
                Some((_, sum, mask)) => {
                    *sum = sum
                        .checked_add(exact)
                        .and_then(Exact::bounded)
                        .ok_or(ScaleError::Overflow)?;
                    *mask |= ingredient.allergens_mask;
                }
                None => {
                    lines.insert(key, (name.to_owned(), exact, ingredient.allergens_mask));
                }
            }
        }
    }
    Ok(lines
        .into_iter()
        .map(|((_, dimension), (name, exact, mask))| {
            ScaledIngredient::new(name, dimension, exact, mask)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kitchen::recipes::scale::tests::{ingredient, recipe};
    use crate::kitchen::recipes::units::Unit;

    fn lines(menu: &[(&Recipe, u32)]) -> Vec<(String, String)> {
        shopping_list(menu)
            .unwrap()
            .into_iter()
            .map(|l| (l.name.clone(), l.text(',')))
            .collect()
    }

    #[test]
    fn the_same_ingredient_merges_across_units_and_spellings() {
        let soup = recipe(
            4,
            vec![
                ingredient("Lök", "500", Unit::G),
                ingredient("Morot", "2", Unit::Pcs),
            ],
        );
        let stew = recipe(
            10,
            vec![
                ingredient("lök ", "1,2", Unit::Kg),
                ingredient("Lök", "3", Unit::Pcs),
                ingredient("Buljong", "5", Unit::Dl),
            ],
        );
        let broth = recipe(4, vec![ingredient(" buljong", "0,5", Unit::L)]);
        // Lök, mass: 500 g * 4/4 + 1.2 kg * 10/10 = 1700 g = 1.7 kg
        // Lök, pieces: 3 * 10/10 = 3, a line of its own
        // Morot: 2 * 4/4 = 2
        // Buljong: 5 dl * 10/10 + 0.5 l * 4/4 = 500 ml + 500 ml = 1 l
        assert_eq!(
            lines(&[(&soup, 4), (&stew, 10), (&broth, 4)]),
            [
                ("Buljong".to_owned(), "1 l".to_owned()),
                ("Lök".to_owned(), "1,7 kg".to_owned()),
                ("Lök".to_owned(), "3 pcs".to_owned()),
                ("Morot".to_owned(), "2 pcs".to_owned()),
            ]
        );
    }

    #[test]
    fn rounding_happens_once_after_summing() {
        let a = recipe(3, vec![ingredient("Ägg", "1", Unit::Pcs)]);
        let b = recipe(6, vec![ingredient("ägg", "1", Unit::Pcs)]);
        // 1 * 1/3 + 1 * 1/6 = 1/2 egg -> 1; rounding each first would give 1 + 1 = 2
        let list = shopping_list(&[(&a, 1), (&b, 1)]).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].exact.numer(), list[0].exact.denom()), (500, 1));
        assert_eq!(list[0].text('.'), "1 pcs");
    }

    #[test]
    fn allergens_merge_and_bad_counts_are_refused() {
        let mut a = recipe(4, vec![ingredient("Mjöl", "1", Unit::Dl)]);
        a.ingredients[0].allergens_mask = 1;
        let mut b = recipe(4, vec![ingredient("mjöl", "1", Unit::Dl)]);
        b.ingredients[0].allergens_mask = 1 << 5;
        let list = shopping_list(&[(&a, 4), (&b, 4)]).unwrap();
        assert_eq!(list[0].allergens_mask, 1 | 32);
        assert_eq!(list[0].text(','), "2 dl");
        assert_eq!(
            shopping_list(&[(&a, 4), (&b, 0)]),
            Err(ScaleError::NoGuests)
        );
        assert_eq!(shopping_list(&[]), Ok(vec![]));
    }
}
