//! A dish's allergens as every page shows them. "Not stated yet" and "stated as none" look
//! different on purpose: a dish made from a name in the menu editor or an import has an empty
//! list that means "nobody knows", and a resident with an allergy must never read that as safe.

use galley_core::kitchen::allergen::{Allergen, from_mask};
use galley_core::web::Page;

/// The allergens of one dish, named in the reader's language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllergenBadges {
    /// Someone has stated the dish's allergens; until then `names` is empty and means nothing.
    pub stated: bool,
    /// The allergens it contains, in the standard order.
    pub names: Vec<String>,
}

impl AllergenBadges {
    pub fn of(page: &Page, allergens: &[Allergen], stated: bool) -> Self {
        AllergenBadges {
            stated,
            names: allergens
                .iter()
                .map(|allergen| page.t(allergen.key()).to_owned())
                .collect(),
        }
    }

    /// From a stored allergen mask.
    pub fn of_mask(page: &Page, mask: i64, stated: bool) -> Self {
        Self::of(page, &from_mask(mask), stated)
    }
}
