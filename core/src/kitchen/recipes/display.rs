//! Exact scaled amounts, and the rounded amount a cook reads.
//!
//! Scaling multiplies by guests / yield, which rarely divides evenly, so the exact amount
//! is a fraction of base units ([`Exact`]); only the displayed amount is rounded, once,
//! at the end, so merging lines of a shopping list never adds up rounding errors.
//!
//! Display rules (all rounding is half up):
//!
//! - Mass: from 1 kg in kg to 10 g (at most 2 decimals: 1,25 kg); from 100 g to 5 g; from
//!   20 g to whole grams; below 20 g to 0,1 g. (Whole grams from 10 g would be off by up to
//!   5 % at 10,5 g; from 20 g the error stays within 2,5 %.)
//! - Volume: from 1 l in l to 10 ml (2 decimals); from 1 dl in dl to 0,1 dl; below in whole ml.
//! - Pieces: whole pieces; a fraction above 0,1 rounds up (22,5 eggs -> 23, 2,11 -> 3), one of
//!   0,1 or less rounds down (2,1 -> 2: nobody cracks an extra egg for a tenth), and a
//!   positive amount never shows as 0 (0,05 -> 1).
//! - Spoons: to half spoons; from 1 tbsp (3 tsp) in tbsp, below in tsp. Pinches to halves.
//! - A positive amount never displays as 0: it shows the smallest step instead.
//!
//! When rounding lifts an amount over a threshold (998 g -> 1000 g) it shows in the larger
//! unit (1 kg).

use serde::Serialize;

use super::units::{Dimension, Unit};

/// A non-negative fraction of base units, always reduced, `denom > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Exact {
    numer: i128,
    denom: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

impl Exact {
    pub fn from_base(amount: i64) -> Exact {
        Exact {
            numer: i128::from(amount),
            denom: 1,
        }
    }

    /// `numer / denom`; `None` when `denom` is 0.
    pub fn new(numer: i128, denom: i128) -> Option<Exact> {
        if denom == 0 {
            return None;
        }
        let sign = denom.signum();
        let divisor = gcd(numer, denom).max(1);
        Some(Exact {
            numer: sign * numer / divisor,
            denom: sign * denom / divisor,
        })
    }

    pub fn numer(self) -> i128 {
        self.numer
    }

    pub fn denom(self) -> i128 {
        self.denom
    }

    pub fn checked_add(self, other: Exact) -> Option<Exact> {
        let denom = self
            .denom
            .checked_mul(other.denom / gcd(self.denom, other.denom))?;
        let numer = self
            .numer
            .checked_mul(denom / self.denom)?
            .checked_add(other.numer.checked_mul(denom / other.denom)?)?;
        Exact::new(numer, denom)
    }

    /// The whole base units, when the amount is one.
    pub fn as_base(self) -> Option<i64> {
        if self.denom == 1 {
            i64::try_from(self.numer).ok()
        } else {
            None
        }
    }

    /// The amount, when it and its display rounding fit the `i64` the displayed amount is
    /// kept in (a quarter of the range leaves room for rounding up and unit changes).
    pub fn bounded(self) -> Option<Exact> {
        (self.numer <= i128::from(i64::MAX / 4) * self.denom).then_some(self)
    }

    fn at_least(self, base: i64) -> bool {
        self.numer >= i128::from(base) * self.denom
    }

    /// The nearest multiple of `step` base units, halves up, but at least `step` when the
    /// amount is positive.
    fn round_to(self, step: i64) -> i64 {
        let step = i128::from(step);
        let twice = 2 * self.numer + step * self.denom;
        let rounded = twice.div_euclid(2 * step * self.denom) * step;
        let rounded = if rounded == 0 && self.numer > 0 {
            step
        } else {
            rounded
        };
        i64::try_from(rounded).unwrap_or(i64::MAX)
    }

    /// Whole thousandths-units (pieces) by the pieces rule in the module docs.
    fn round_pieces(self) -> i64 {
        let whole = self.numer.div_euclid(1000 * self.denom);
        let rest = self.numer - whole * 1000 * self.denom;
        let pieces = if rest > 100 * self.denom {
            whole + 1
        } else {
            whole
        };
        let pieces = if pieces == 0 && self.numer > 0 {
            1
        } else {
            pieces
        };
        i64::try_from(pieces * 1000).unwrap_or(i64::MAX)
    }
}

/// A rounded amount in the unit it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Shown {
    /// Thousandths of `unit`.
    pub amount_milli: i64,
    pub unit: Unit,
}

impl Shown {
    /// Expresses `base` base units (already a multiple of what `unit` shows) in `unit`.
    fn of(base: i64, unit: Unit) -> Shown {
        Shown {
            amount_milli: base / unit.base_per_milli(),
            unit,
        }
    }

    /// The amount in base units, to compare with the exact one.
    pub fn as_base(self) -> i64 {
        self.amount_milli.saturating_mul(self.unit.base_per_milli())
    }

    /// "1,25" with `decimal` as the separator, without trailing zeros.
    pub fn amount_text(self, decimal: char) -> String {
        let whole = self.amount_milli / 1000;
        let fraction = (self.amount_milli % 1000).abs();
        if fraction == 0 {
            return whole.to_string();
        }
        let digits = format!("{fraction:03}");
        format!("{whole}{decimal}{}", digits.trim_end_matches('0'))
    }

    /// "1,25 kg" with the unit's code; pages translate the unit with [`Unit::key`] instead.
    pub fn text(self, decimal: char) -> String {
        format!("{} {}", self.amount_text(decimal), self.unit.code())
    }
}

/// The amount a cook reads for an exact amount of `dimension` (rules in the module docs).
pub fn shown(exact: Exact, dimension: Dimension) -> Shown {
    const KG: i64 = 1_000_000;
    const L: i64 = 1_000_000;
    const DL: i64 = 100_000;
    const TBSP: i64 = 3000;
    match dimension {
        Dimension::Mass => {
            let rounded = if exact.at_least(KG) {
                exact.round_to(10_000)
            } else if exact.at_least(100_000) {
                exact.round_to(5000)
            } else if exact.at_least(20_000) {
                exact.round_to(1000)
            } else {
                exact.round_to(100)
            };
            Shown::of(rounded, if rounded >= KG { Unit::Kg } else { Unit::G })
        }
        Dimension::Volume => {
            let rounded = if exact.at_least(DL) {
                exact.round_to(10_000)
            } else {
                exact.round_to(1000)
            };
            let unit = if rounded >= L {
                Unit::L
            } else if rounded >= DL {
                Unit::Dl
            } else {
                Unit::Ml
            };
            Shown::of(rounded, unit)
        }
        Dimension::Count => Shown::of(exact.round_pieces(), Unit::Pcs),
        Dimension::Spoon => {
            let rounded = if exact.at_least(TBSP) {
                exact.round_to(1500)
            } else {
                exact.round_to(500)
            };
            Shown::of(
                rounded,
                if rounded >= TBSP {
                    Unit::Tbsp
                } else {
                    Unit::Tsp
                },
            )
        }
        Dimension::Pinch => Shown::of(exact.round_to(500), Unit::Pinch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(numer: i128, denom: i128) -> String {
        shown(Exact::new(numer, denom).unwrap(), Dimension::Mass).text('.')
    }

    #[test]
    fn fractions_reduce_and_add_exactly() {
        let third = Exact::new(1000, 3000).unwrap();
        assert_eq!((third.numer(), third.denom()), (1, 3));
        // 1/3 + 1/6 = 2/6 + 1/6 = 1/2
        let sum = third.checked_add(Exact::new(1, 6).unwrap()).unwrap();
        assert_eq!((sum.numer(), sum.denom()), (1, 2));
        assert_eq!(Exact::new(6, 3).unwrap().as_base(), Some(2));
        assert_eq!(sum.as_base(), None);
        assert_eq!(Exact::new(1, 0), None);
    }

    #[test]
    fn mass_rounds_by_size() {
        // 1 254 999 mg = 1.254999 kg -> nearest 10 g = 1.25 kg
        assert_eq!(grams(1_254_999, 1), "1.25 kg");
        // 1 255 000 mg: exactly half a 10 g step, rounds up
        assert_eq!(grams(1_255_000, 1), "1.26 kg");
        assert_eq!(grams(2_000_000, 1), "2 kg");
        // 997.5 g -> nearest 5 g = 1000 g, shown as 1 kg
        assert_eq!(grams(997_500, 1), "1 kg");
        // 102.4 g -> 100 g; 102.5 g -> 105 g
        assert_eq!(grams(102_400, 1), "100 g");
        assert_eq!(grams(102_500, 1), "105 g");
        // 75 g stays; 20.5 g -> 21 g
        assert_eq!(grams(75_000, 1), "75 g");
        assert_eq!(grams(20_500, 1), "21 g");
        // 12.34 g -> 12.3 g; 10/3 g = 3.333 g -> 3.3 g
        assert_eq!(grams(12_340, 1), "12.3 g");
        assert_eq!(grams(10_000, 3), "3.3 g");
        // 0.01 g is positive, so it shows the smallest step
        assert_eq!(grams(10, 1), "0.1 g");
    }

    #[test]
    fn volume_uses_l_dl_then_ml() {
        let text = |ul: i64| shown(Exact::from_base(ul), Dimension::Volume).text(',');
        // 1 504 999 µl = 1.505 l -> nearest 10 ml = 1.5 l
        assert_eq!(text(1_504_999), "1,5 l");
        // 250 000 µl = 2.5 dl
        assert_eq!(text(250_000), "2,5 dl");
        // 99.6 ml -> 100 ml = 1 dl
        assert_eq!(text(99_600), "1 dl");
        assert_eq!(text(45_400), "45 ml");
        // 995 ml -> nearest 10 ml = 1000 ml = 1 l
        assert_eq!(text(995_000), "1 l");
    }

    #[test]
    fn pieces_round_up_past_a_tenth() {
        let text = |numer: i128, denom: i128| {
            shown(Exact::new(numer, denom).unwrap(), Dimension::Count).text('.')
        };
        assert_eq!(text(22_500, 1), "23 pcs");
        // exactly 2.1: a tenth does not round up
        assert_eq!(text(2_100, 1), "2 pcs");
        assert_eq!(text(2_101, 1), "3 pcs");
        // 1/3 of an egg still needs one egg; 0.05 too
        assert_eq!(text(1000, 3), "1 pcs");
        assert_eq!(text(50, 1), "1 pcs");
        assert_eq!(text(4_000, 1), "4 pcs");
    }

    #[test]
    fn spoons_round_to_halves_and_pinches_stay_pinches() {
        let spoon = |milli_tsp: i64| shown(Exact::from_base(milli_tsp), Dimension::Spoon).text(',');
        // 2.5 tsp stays teaspoons; 2.8 tsp -> 3 tsp = 1 tbsp
        assert_eq!(spoon(2_500), "2,5 tsp");
        assert_eq!(spoon(2_800), "1 tbsp");
        // 15 tsp = 5 tbsp; 4 tsp = 1.33 tbsp -> 1.5 tbsp
        assert_eq!(spoon(15_000), "5 tbsp");
        assert_eq!(spoon(4_000), "1,5 tbsp");
        assert_eq!(spoon(100), "0,5 tsp");
        let pinch = shown(Exact::from_base(1_200), Dimension::Pinch).text(',');
        assert_eq!(pinch, "1 pinch");
    }
}
