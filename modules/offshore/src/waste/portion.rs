//! Portion recommendation for a category and a guest count (domain guide, offshore).
//!
//! Computed with exact rationals: the 0.7/0.3 blend and the 1.05 margin in f64 turn exact
//! halves into x.4999... and move the rounding by a gram (see the tests).

use chrono::{Days, NaiveDate};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use serde::Serialize;

use super::entry::WasteInput;
use super::{Category, round_half_up, to_tenths};

/// The site's guideline when it has set none, in grams per guest.
pub const DEFAULT_BASELINE_G: u32 = 400;
pub const WINDOW_DAYS: u64 = 120;
/// Fewer values than this blend weakly and are not trimmed.
const TRIM_FROM: usize = 5;

/// One logged meal of the category: what was served and to how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HistoryPoint {
    pub date: NaiveDate,
    pub served_g: u64,
    pub guests: u32,
}

/// The history window, both ends included: the 120 days before `today`, today excluded
/// (today's log may still be incomplete, and the advice should not change while the cook
/// types). At the very start of chrono's calendar the ends saturate at `NaiveDate::MIN`;
/// [`history`] excludes today there too.
pub fn window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today
        .checked_sub_days(Days::new(WINDOW_DAYS))
        .unwrap_or(NaiveDate::MIN);
    let last = today.pred_opt().unwrap_or(NaiveDate::MIN);
    (first, last)
}

/// The history of `category` for advice given on `today`: its entries dated within
/// [`window`], oldest first. Entries with no guests are kept (the page may list them);
/// [`recommend`] does not count them. An entry with negative served grams cannot pass
/// validation and is left out.
pub fn history(entries: &[WasteInput], category: Category, today: NaiveDate) -> Vec<HistoryPoint> {
    let (first, last) = window(today);
    let mut points: Vec<HistoryPoint> = entries
        .iter()
        .filter(|e| e.category == category && first <= e.date && e.date <= last)
        .filter(|e| e.date < today)
        .filter_map(|e| {
            Some(HistoryPoint {
                date: e.date,
                served_g: u64::try_from(e.served_g).ok()?,
                guests: e.guests,
            })
        })
        .collect();
    points.sort_by_key(|p| p.date);
    points
}

/// A history value as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsedValue {
    pub date: NaiveDate,
    pub served_g: u64,
    pub guests: u32,
    /// served / guests rounded half up to 0.1 g, for display.
    pub grams_per_guest: f64,
    /// Cut off as one of the lowest or highest values.
    pub trimmed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Grams per guest: exact blend x 1.05, rounded half up to whole grams.
    pub grams_per_guest: u64,
    pub guests: u32,
    /// grams_per_guest x guests (u128: no product of the inputs can overflow it).
    pub total_g: u128,
    /// History values with guests > 0.
    pub n: usize,
    pub trimmed_each_end: usize,
    /// H, the mean of the values kept, rounded half up to 0.1 g (display only; the
    /// recommendation uses the exact mean). `None` when n = 0.
    pub mean_g: Option<f64>,
    pub baseline_g: u32,
    /// The weights of H and of the baseline in percent: 70/30, 20/80 or 0/100.
    pub history_weight_pct: u8,
    pub baseline_weight_pct: u8,
    /// The values counted, lowest first (equal values by date), the trimmed ones flagged.
    pub values: Vec<UsedValue>,
}

fn ratio(numer: impl Into<BigInt>, denom: impl Into<BigInt>) -> BigRational {
    BigRational::new(numer.into(), denom.into())
}

/// The recommended portion for `guests` guests, from the category's `baseline_g` and the
/// history (see [`history`]); points with no guests are ignored.
pub fn recommend(baseline_g: u32, history: &[HistoryPoint], guests: u32) -> Recommendation {
    let mut values: Vec<(BigRational, &HistoryPoint)> = history
        .iter()
        .filter(|p| p.guests > 0)
        .map(|p| (ratio(p.served_g, p.guests), p))
        .collect();
    values.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.date.cmp(&b.1.date)));
    let n = values.len();
    let trim = if n >= TRIM_FROM { (n / 10).max(1) } else { 0 };
    let kept = &values[trim..n - trim];
    let mean = (!kept.is_empty()).then(|| {
        let sum = kept.iter().fold(BigRational::zero(), |sum, (v, _)| sum + v);
        sum / ratio(kept.len(), 1)
    });
    let (history_pct, baseline_pct): (u8, u8) = match n {
        0 => (0, 100),
        1..TRIM_FROM => (20, 80),
        _ => (70, 30),
    };
    let baseline = ratio(baseline_g, 1);
    let blend = match &mean {
        Some(h) => h * ratio(history_pct, 100) + &baseline * ratio(baseline_pct, 100),
        None => baseline,
    };
    let grams = round_half_up(&(blend * ratio(105, 100)));
    // Cannot fail: the blend is at most max(H, baseline) <= i64::MAX and 1.05 x i64::MAX
    // is below u64::MAX.
    let grams_per_guest = grams.to_u64().unwrap_or(u64::MAX);
    Recommendation {
        grams_per_guest,
        guests,
        total_g: u128::from(grams_per_guest) * u128::from(guests),
        n,
        trimmed_each_end: trim,
        mean_g: mean.as_ref().map(to_tenths),
        baseline_g,
        history_weight_pct: history_pct,
        baseline_weight_pct: baseline_pct,
        values: values
            .iter()
            .enumerate()
            .map(|(i, (v, p))| UsedValue {
                date: p.date,
                served_g: p.served_g,
                guests: p.guests,
                grams_per_guest: to_tenths(v),
                trimmed: i < trim || i >= n - trim,
            })
            .collect(),
    }
}

#[cfg(test)]
#[path = "portion_tests.rs"]
mod tests;
