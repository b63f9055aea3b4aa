//! The 14 allergens EU Regulation 1169/2011 (Annex II) requires kitchens to declare.
//!
//! A set of allergens is stored as a bit mask (one bit per allergen, in the order of
//! [`Allergen::ALL`], which therefore never changes): a diet that excludes some allergens
//! conflicts with a dish when the two masks share a bit, which both databases can test.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Allergen {
    Gluten,
    Crustaceans,
    Eggs,
    Fish,
    Peanuts,
    Soy,
    Milk,
    Nuts,
    Celery,
    Mustard,
    Sesame,
    Sulphites,
    Lupin,
    Molluscs,
}

impl Allergen {
    /// Stored order: the bit of each allergen is its index here. Append only.
    pub const ALL: [Allergen; 14] = [
        Allergen::Gluten,
        Allergen::Crustaceans,
        Allergen::Eggs,
        Allergen::Fish,
        Allergen::Peanuts,
        Allergen::Soy,
        Allergen::Milk,
        Allergen::Nuts,
        Allergen::Celery,
        Allergen::Mustard,
        Allergen::Sesame,
        Allergen::Sulphites,
        Allergen::Lupin,
        Allergen::Molluscs,
    ];

    fn bit(self) -> i64 {
        let index = Allergen::ALL.iter().position(|a| *a == self).unwrap_or(0);
        1_i64 << index
    }

    /// The translation key of the allergen's name (`allergen.gluten`).
    pub fn key(self) -> &'static str {
        match self {
            Allergen::Gluten => "allergen.gluten",
            Allergen::Crustaceans => "allergen.crustaceans",
            Allergen::Eggs => "allergen.eggs",
            Allergen::Fish => "allergen.fish",
            Allergen::Peanuts => "allergen.peanuts",
            Allergen::Soy => "allergen.soy",
            Allergen::Milk => "allergen.milk",
            Allergen::Nuts => "allergen.nuts",
            Allergen::Celery => "allergen.celery",
            Allergen::Mustard => "allergen.mustard",
            Allergen::Sesame => "allergen.sesame",
            Allergen::Sulphites => "allergen.sulphites",
            Allergen::Lupin => "allergen.lupin",
            Allergen::Molluscs => "allergen.molluscs",
        }
    }
}

/// A set of allergens as stored.
pub fn to_mask(allergens: &[Allergen]) -> i64 {
    allergens.iter().fold(0, |mask, a| mask | a.bit())
}

/// The allergens of a stored mask, in the standard order.
pub fn from_mask(mask: i64) -> Vec<Allergen> {
    Allergen::ALL
        .iter()
        .copied()
        .filter(|a| mask & a.bit() != 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_round_trip_and_the_order_is_fixed() {
        let set = [Allergen::Milk, Allergen::Gluten, Allergen::Molluscs];
        let mask = to_mask(&set);
        assert_eq!(
            mask,
            1 | (1 << 6) | (1 << 13),
            "stored bits must never move"
        );
        assert_eq!(
            from_mask(mask),
            vec![Allergen::Gluten, Allergen::Milk, Allergen::Molluscs]
        );
        assert_eq!(from_mask(0), vec![]);
        assert_eq!(
            serde_json::to_string(&Allergen::Sulphites).unwrap(),
            "\"sulphites\""
        );
    }
}
