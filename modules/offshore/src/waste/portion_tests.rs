use super::*;
use crate::waste::Meal;
use num_traits::Signed;
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A point `i` days into March 2026.
fn point(i: u32, served_g: u64, guests: u32) -> HistoryPoint {
    HistoryPoint {
        date: date(2026, 3, 1) + Days::new(u64::from(i)),
        served_g,
        guests,
    }
}

/// Points with these grams per guest, served to one guest each.
fn points(values: &[u64]) -> Vec<HistoryPoint> {
    (0..).zip(values).map(|(i, v)| point(i, *v, 1)).collect()
}

fn trimmed(r: &Recommendation) -> Vec<f64> {
    let t = r.values.iter().filter(|v| v.trimmed);
    t.map(|v| v.grams_per_guest).collect()
}

#[test]
fn no_history_is_the_baseline_with_the_margin() {
    // 400 x 1.05 = 420; 420 x 30 = 12600
    let r = recommend(400, &[], 30);
    assert_eq!((r.grams_per_guest, r.total_g), (420, 12_600));
    assert_eq!((r.n, r.trimmed_each_end, r.mean_g), (0, 0, None));
    assert_eq!((r.history_weight_pct, r.baseline_weight_pct), (0, 100));
    assert!(r.values.is_empty());
}

#[test]
fn three_values_blend_weakly_untrimmed() {
    // 4500/10 = 450, 7000/20 = 350, 9500/25 = 380. H = 1180/3 = 393.33...
    // 0.2 x 1180/3 + 0.8 x 400 = 236/3 + 320 = 1196/3; x 21/20 = 25116/60 = 418.6 -> 419
    // 419 x 25 = 10475
    let history = [
        point(0, 4_500, 10),
        point(1, 7_000, 20),
        point(2, 9_500, 25),
    ];
    let r = recommend(400, &history, 25);
    assert_eq!((r.grams_per_guest, r.total_g), (419, 10_475));
    assert_eq!((r.n, r.trimmed_each_end, r.mean_g), (3, 0, Some(393.3)));
    assert_eq!((r.history_weight_pct, r.baseline_weight_pct), (20, 80));
    let shown: Vec<f64> = r.values.iter().map(|v| v.grams_per_guest).collect();
    assert_eq!(shown, [350.0, 380.0, 450.0]);
    assert_eq!(r.values[0].date, date(2026, 3, 2));
    assert!(trimmed(&r).is_empty());
}

#[test]
fn five_values_trim_one_at_each_end() {
    // Sorted 300 350 400 450 900; 300 and 900 go. H = (350 + 400 + 450) / 3 = 400
    // 0.7 x 400 + 0.3 x 380 = 280 + 114 = 394; x 1.05 = 413.7 -> 414; x 40 = 16560
    let history = [
        point(0, 4_500, 10),
        point(1, 9_000, 10),
        point(2, 400, 1),
        point(3, 7_000, 20),
        point(4, 3_000, 10),
    ];
    let r = recommend(380, &history, 40);
    assert_eq!((r.grams_per_guest, r.total_g), (414, 16_560));
    assert_eq!((r.n, r.trimmed_each_end, r.mean_g), (5, 1, Some(400.0)));
    assert_eq!((r.history_weight_pct, r.baseline_weight_pct), (70, 30));
    assert_eq!(trimmed(&r), [300.0, 900.0]);
}

#[test]
fn twenty_five_values_trim_two_at_each_end() {
    // n = 25: floor(2.5) = 2 each end, so 50, 60, 900 and 1000 go.
    // Kept: 10 x 380 + 11 x 420 = 3800 + 4620 = 8420 over 21; H = 400.952... -> 401.0 shown
    // 0.7 x 8420/21 + 0.3 x 400 = 5894/21 + 2520/21 = 8414/21; x 21/20 = 8414/20 = 420.7
    // -> 421; x 35 = 14735
    let mut values = vec![1_000, 50, 900, 60];
    values.extend([380; 10]);
    values.extend([420; 11]);
    let r = recommend(400, &points(&values), 35);
    assert_eq!((r.grams_per_guest, r.total_g), (421, 14_735));
    assert_eq!((r.n, r.trimmed_each_end, r.mean_g), (25, 2, Some(401.0)));
    assert_eq!(trimmed(&r), [50.0, 60.0, 900.0, 1_000.0]);
}

#[test]
fn trimming_grows_by_one_per_ten_values() {
    for (n, each_end) in [(4, 0), (5, 1), (9, 1), (19, 1), (20, 2), (29, 2), (30, 3)] {
        let r = recommend(400, &points(&vec![300; n]), 1);
        assert_eq!(r.trimmed_each_end, each_end, "n = {n}");
        assert_eq!(trimmed(&r).len(), 2 * each_end, "n = {n}");
    }
}

#[test]
fn exact_halves_round_up() {
    // 410 x 1.05 = 430.5 -> 431
    assert_eq!(recommend(410, &[], 2).grams_per_guest, 431);
    // Five times 290, baseline 290: 290 x 1.05 = 304.5 -> 305
    assert_eq!(recommend(290, &points(&[290; 5]), 1).grams_per_guest, 305);
}

#[test]
fn cases_that_floats_round_down() {
    // Five times 368, baseline 308: 0.7 x 368 + 0.3 x 308 = 257.6 + 92.4 = 350;
    // x 1.05 = 367.5 -> 368. In f64 the blend is 349.99999999999994 and the result 367.
    let f = (0.7 * 368.0 + 0.3 * 308.0) * 1.05_f64;
    assert_eq!(f.round(), 367.0);
    assert_eq!(recommend(308, &points(&[368; 5]), 1).grams_per_guest, 368);

    // Sevenths, whose f64 sum is off: 1044/7 1115/7 1186/7 1254/7 1325/7, the ends trimmed.
    // H = (1115 + 1186 + 1254) / 21 = 3555/21 = 1185/7 = 169.28... (169.3 shown)
    // 0.7 x 1185/7 + 0.3 x 305 = 118.5 + 91.5 = 210; x 1.05 = 220.5 -> 221.
    // In f64, H = 169.28571428571425 and the result 220.49999999999997 -> 220.
    let served = [1_044, 1_115, 1_186, 1_254, 1_325];
    let f_mean = served[1..4].iter().map(|s| *s as f64 / 7.0).sum::<f64>() / 3.0;
    assert_eq!(((0.7 * f_mean + 0.3 * 305.0) * 1.05_f64).round(), 220.0);
    let history: Vec<HistoryPoint> = (0..).zip(served).map(|(i, s)| point(i, s, 7)).collect();
    let r = recommend(305, &history, 10);
    assert_eq!((r.grams_per_guest, r.total_g), (221, 2_210));
    assert_eq!(r.mean_g, Some(169.3));
}

#[test]
fn meals_without_guests_are_ignored() {
    // Only 3900/10 = 390 counts, n = 1: 0.2 x 390 + 0.8 x 400 = 78 + 320 = 398;
    // x 1.05 = 417.9 -> 418
    let history = [point(0, 5_000, 0), point(1, 0, 0), point(2, 3_900, 10)];
    let r = recommend(400, &history, 3);
    assert_eq!((r.grams_per_guest, r.total_g, r.n), (418, 1_254, 1));
    assert_eq!(r.values.len(), 1);
    assert_eq!(r.mean_g, Some(390.0));
}

fn logged(on: NaiveDate, category: Category, served_g: i64) -> WasteInput {
    WasteInput {
        date: on,
        meal: Meal::Lunch,
        category,
        dish: None,
        guests: 10,
        produced_g: 10_000,
        served_g,
        leftover_g: 0,
    }
}

#[test]
fn the_window_is_the_120_days_before_today() {
    // Jan 31 + Feb 28 + Mar 31 + Apr 30 = 120 days before 1 May 2026.
    let today = date(2026, 5, 1);
    assert_eq!(window(today), (date(2026, 1, 1), date(2026, 4, 30)));
    let entries = [
        logged(date(2026, 5, 1), Category::Soup, 1),
        logged(date(2026, 4, 30), Category::Soup, 2),
        logged(date(2026, 4, 30), Category::Fish, 3),
        logged(date(2026, 1, 1), Category::Soup, 4),
        logged(date(2025, 12, 31), Category::Soup, 5),
        logged(date(2026, 2, 1), Category::Soup, -6),
    ];
    let served: Vec<u64> = history(&entries, Category::Soup, today)
        .iter()
        .map(|p| p.served_g)
        .collect();
    assert_eq!(served, [4, 2]);
    assert_eq!(window(NaiveDate::MIN), (NaiveDate::MIN, NaiveDate::MIN));
    assert!(history(&entries, Category::Soup, NaiveDate::MIN).is_empty());
}

/// The rule written out plainly, for comparison: sort, slice, average, blend, round.
fn model(baseline: u32, history: &[HistoryPoint], guests: u32) -> (u64, u128, usize) {
    let mut vals: Vec<BigRational> = history
        .iter()
        .filter(|p| p.guests != 0)
        .map(|p| BigRational::new(p.served_g.into(), p.guests.into()))
        .collect();
    vals.sort();
    let n = vals.len();
    let b = BigRational::from_integer(baseline.into());
    let r = |a: i32, d: i32| BigRational::new(a.into(), d.into());
    let blend = if n == 0 {
        b
    } else {
        let k = if n >= 5 { std::cmp::max(1, n / 10) } else { 0 };
        let rest = &vals[k..n - k];
        let mut sum = r(0, 1);
        for v in rest {
            sum += v;
        }
        let h = sum / BigRational::from_integer(rest.len().into());
        if n >= 5 {
            h * r(7, 10) + b * r(3, 10)
        } else {
            h * r(2, 10) + b * r(8, 10)
        }
    };
    let x = blend * r(105, 100);
    assert!(!x.is_negative());
    // Ratio::round rounds halves away from zero: up, for x >= 0.
    let g = x.round().to_integer().to_u64().unwrap();
    (g, u128::from(g) * u128::from(guests), n)
}

fn any_point() -> impl Strategy<Value = HistoryPoint> {
    let served = prop_oneof![0u64..2_000, 0u64..200_000, 0u64..=100_000_000];
    (
        0u32..120,
        served,
        prop_oneof![Just(0u32), 1u32..=60, 1u32..=2000],
    )
        .prop_map(|(i, s, g)| point(i, s, g))
}

proptest! {
    #[test]
    fn agrees_with_the_plain_model(
        baseline in 0u32..=5_000,
        history in prop::collection::vec(any_point(), 0..40),
        guests in 0u32..=2000,
    ) {
        let r = recommend(baseline, &history, guests);
        prop_assert_eq!((r.grams_per_guest, r.total_g, r.n), model(baseline, &history, guests));
        prop_assert_eq!(r.values.len(), r.n);
        prop_assert!(r.values.windows(2).all(|w| w[0].grams_per_guest <= w[1].grams_per_guest));
    }

    #[test]
    fn equal_values_give_the_closed_form(
        v in 0u64..=10_000,
        baseline in 0u32..=5_000,
        shares in prop::collection::vec(1u32..=100, 5..40),
    ) {
        let history: Vec<HistoryPoint> =
            (0..).zip(&shares).map(|(i, g)| point(i, v * u64::from(*g), *g)).collect();
        // 1.05 (0.7 v + 0.3 b) = 21 (7 v + 3 b) / 200, rounded half up by integer division.
        let expected = (21 * (7 * v + 3 * u64::from(baseline)) + 100) / 200;
        prop_assert_eq!(recommend(baseline, &history, 1).grams_per_guest, expected);
    }
}
