//! Units of recipe quantities and the integer base units they are computed in.
//!
//! An amount as the cook wrote it is stored as `amount_milli` (thousandths of its unit, so
//! "1,25 kg" is 1250 kg-thousandths) beside its [`Unit`]: two integer columns, no floats.
//! Arithmetic happens in the base unit of the unit's [`Dimension`]:
//!
//! | dimension | units | base unit | 1 unit-thousandth in base |
//! | --- | --- | --- | --- |
//! | Mass | g, kg | milligram | g: 1, kg: 1000 |
//! | Volume | ml, dl, l | microlitre | ml: 1, dl: 100, l: 1000 |
//! | Count | pcs | thousandth of a piece | 1 |
//! | Spoon | tsp, tbsp | thousandth of a teaspoon | tsp: 1, tbsp: 3 (1 tbsp = 3 tsp) |
//! | Pinch | pinch | thousandth of a pinch | 1 |
//!
//! Every factor is an integer, so g <-> kg and ml <-> dl <-> l are exact.
//! Spoons stay apart from volume on purpose: cooks measure salt in spoons, and the
//! Nordic 5/15 ml spoons are not the US ones. A pinch is not a measure at all, so it is a
//! dimension of its own and never turns into spoons.

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
pub enum Unit {
    G,
    Kg,
    Ml,
    Dl,
    L,
    Pcs,
    Tsp,
    Tbsp,
    Pinch,
}

/// What can be added to what: two amounts merge only when their dimensions are equal.
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
pub enum Dimension {
    Mass,
    Volume,
    Count,
    Spoon,
    Pinch,
}

impl Unit {
    pub const ALL: [Unit; 9] = [
        Unit::G,
        Unit::Kg,
        Unit::Ml,
        Unit::Dl,
        Unit::L,
        Unit::Pcs,
        Unit::Tsp,
        Unit::Tbsp,
        Unit::Pinch,
    ];

    /// Reads a unit as typed in English, Swedish or Norwegian, case and surrounding blanks
    /// ignored. The accepted words, and nothing else:
    ///
    /// - `g`; `kg`; `ml`; `dl`; `l`
    /// - `pcs`, `st` (sv/nb styck/stykk), `stk` (nb): pieces
    /// - `tsp`, `tsk` (sv tesked), `ts` (nb teskje): teaspoon
    /// - `tbsp`, `msk` (sv matsked), `ss` (nb spiseskje): tablespoon
    /// - `pinch`
    ///
    /// `krm` (sv kryddmått) is refused: it is exactly 1 ml, not a pinch, and silently turning
    /// it into either would change what the cook wrote.
    pub fn parse(text: &str) -> Option<Unit> {
        let unit = match text.trim().to_lowercase().as_str() {
            "g" => Unit::G,
            "kg" => Unit::Kg,
            "ml" => Unit::Ml,
            "dl" => Unit::Dl,
            "l" => Unit::L,
            "pcs" | "st" | "stk" => Unit::Pcs,
            "tsp" | "tsk" | "ts" => Unit::Tsp,
            "tbsp" | "msk" | "ss" => Unit::Tbsp,
            "pinch" => Unit::Pinch,
            _ => return None,
        };
        Some(unit)
    }

    /// The stored and serialised name (`kg`, `pcs`).
    pub fn code(self) -> &'static str {
        match self {
            Unit::G => "g",
            Unit::Kg => "kg",
            Unit::Ml => "ml",
            Unit::Dl => "dl",
            Unit::L => "l",
            Unit::Pcs => "pcs",
            Unit::Tsp => "tsp",
            Unit::Tbsp => "tbsp",
            Unit::Pinch => "pinch",
        }
    }

    /// The translation key of the unit's abbreviation (`unit.pcs`): pages show "st" in
    /// Swedish, the codes are English.
    pub fn key(self) -> &'static str {
        match self {
            Unit::G => "unit.g",
            Unit::Kg => "unit.kg",
            Unit::Ml => "unit.ml",
            Unit::Dl => "unit.dl",
            Unit::L => "unit.l",
            Unit::Pcs => "unit.pcs",
            Unit::Tsp => "unit.tsp",
            Unit::Tbsp => "unit.tbsp",
            Unit::Pinch => "unit.pinch",
        }
    }

    pub fn dimension(self) -> Dimension {
        match self {
            Unit::G | Unit::Kg => Dimension::Mass,
            Unit::Ml | Unit::Dl | Unit::L => Dimension::Volume,
            Unit::Pcs => Dimension::Count,
            Unit::Tsp | Unit::Tbsp => Dimension::Spoon,
            Unit::Pinch => Dimension::Pinch,
        }
    }

    /// How many base units (see the module docs) one whole unit is.
    pub fn base_per_unit(self) -> i64 {
        1000 * self.base_per_milli()
    }

    /// How many base units one thousandth of the unit is.
    pub fn base_per_milli(self) -> i64 {
        match self {
            Unit::G | Unit::Ml | Unit::Pcs | Unit::Tsp | Unit::Pinch => 1,
            Unit::Dl => 100,
            Unit::Kg | Unit::L => 1000,
            Unit::Tbsp => 3,
        }
    }
}

/// An amount in the base unit of its dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Quantity {
    /// Milligrams, microlitres, or thousandths of a piece, teaspoon or pinch.
    pub amount_milli: i64,
    pub dimension: Dimension,
}

impl Quantity {
    /// `amount_milli` thousandths of `unit` in base units; `None` on overflow.
    pub fn of(amount_milli: i64, unit: Unit) -> Option<Quantity> {
        Some(Quantity {
            amount_milli: amount_milli.checked_mul(unit.base_per_milli())?,
            dimension: unit.dimension(),
        })
    }
}

/// Reads a decimal amount as typed ("1,25", "0.5", "3") into thousandths of its unit.
/// Either decimal separator is accepted; more than three decimals, signs, exponents and
/// grouping are refused rather than guessed.
pub fn parse_amount(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = match text.find([',', '.']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 3
        || (text.len() > whole.len() && fraction.is_empty())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut milli: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    for _ in fraction.len()..3 {
        milli *= 10;
    }
    whole.checked_mul(1000)?.checked_add(milli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nordic_and_english_words_parse_and_krm_does_not() {
        assert_eq!(Unit::parse(" KG "), Some(Unit::Kg));
        assert_eq!(Unit::parse("st"), Some(Unit::Pcs));
        assert_eq!(Unit::parse("stk"), Some(Unit::Pcs));
        assert_eq!(Unit::parse("tsk"), Some(Unit::Tsp));
        assert_eq!(Unit::parse("ts"), Some(Unit::Tsp));
        assert_eq!(Unit::parse("msk"), Some(Unit::Tbsp));
        assert_eq!(Unit::parse("ss"), Some(Unit::Tbsp));
        assert_eq!(Unit::parse("krm"), None);
        assert_eq!(Unit::parse(""), None);
        for unit in Unit::ALL {
            assert_eq!(Unit::parse(unit.code()), Some(unit));
            let json = serde_json::to_string(&unit).unwrap();
            assert_eq!(json, format!("\"{}\"", unit.code()));
        }
    }

    #[test]
    fn conversions_within_a_dimension_are_exact() {
        // 1.25 kg = 1 250 000 mg = 1250 g
        assert_eq!(
            Quantity::of(1250, Unit::Kg),
            Quantity::of(1_250_000, Unit::G)
        );
        // 2.5 dl = 250 ml = 0.25 l
        assert_eq!(
            Quantity::of(2500, Unit::Dl),
            Quantity::of(250_000, Unit::Ml)
        );
        assert_eq!(Quantity::of(250, Unit::L), Quantity::of(250_000, Unit::Ml));
        // 1 tbsp = 3 tsp
        assert_eq!(
            Quantity::of(1000, Unit::Tbsp),
            Quantity::of(3000, Unit::Tsp)
        );
        assert_eq!(Unit::L.base_per_unit(), 1_000_000);
        assert_eq!(Quantity::of(i64::MAX, Unit::Kg), None);
    }

    #[test]
    fn amounts_parse_with_either_separator() {
        assert_eq!(parse_amount("1,25"), Some(1250));
        assert_eq!(parse_amount("1.25"), Some(1250));
        assert_eq!(parse_amount(" 3 "), Some(3000));
        assert_eq!(parse_amount(",5"), Some(500));
        assert_eq!(parse_amount("0.005"), Some(5));
        assert_eq!(parse_amount("0.0005"), None);
        assert_eq!(parse_amount("3."), None);
        assert_eq!(parse_amount("-1"), None);
        assert_eq!(parse_amount("1 000"), None);
        assert_eq!(parse_amount("1,2,3"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("."), None);
    }
}
