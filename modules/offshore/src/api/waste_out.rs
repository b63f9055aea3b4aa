//! The waste domain's summaries and advice as the API documents them. The domain types stay
//! free of HTTP; these mirror them field for field (gram sums as `i64`: no site can log
//! anywhere near 9e10 entries of at most 1e8 g).

use chrono::NaiveDate;
use serde::Serialize;

use crate::waste::Meal;
use crate::waste::portion::{HistoryPoint, Recommendation, UsedValue};
use crate::waste::summary::{DaySummary, Totals, WeekSummary};

fn grams(sum: i128) -> i64 {
    i64::try_from(sum).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotalsOut {
    pub entries: usize,
    pub guests: u64,
    pub produced_g: i64,
    pub served_g: i64,
    pub leftover_g: i64,
    /// leftover / produced x 100, exact and rounded half up to one decimal; null when
    /// nothing was produced.
    #[schema(minimum = 0, maximum = 100)]
    pub leftover_pct: Option<f64>,
    /// served / produced x 100, rounded like `leftover_pct`.
    #[schema(minimum = 0, maximum = 100)]
    pub served_pct: Option<f64>,
}

impl From<&Totals> for TotalsOut {
    fn from(t: &Totals) -> Self {
        TotalsOut {
            entries: t.entries,
            guests: t.guests,
            produced_g: grams(t.produced_g),
            served_g: grams(t.served_g),
            leftover_g: grams(t.leftover_g),
            leftover_pct: t.leftover_pct,
            served_pct: t.served_pct,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MealTotalsOut {
    pub meal: Meal,
    pub totals: TotalsOut,
}

/// A day: a row per meal with entries (lunch, dinner, night) and the day's totals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DaySummaryOut {
    pub site_id: i64,
    pub date: NaiveDate,
    pub meals: Vec<MealTotalsOut>,
    pub total: TotalsOut,
}

impl DaySummaryOut {
    pub fn new(site_id: i64, summary: &DaySummary) -> Self {
        DaySummaryOut {
            site_id,
            date: summary.date,
            meals: summary
                .meals
                .iter()
                .map(|row| MealTotalsOut {
                    meal: row.meal,
                    totals: (&row.totals).into(),
                })
                .collect(),
            total: (&summary.total).into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayTotalsOut {
    pub date: NaiveDate,
    pub totals: TotalsOut,
}

/// An ISO week: a row for each of its seven days (days with nothing logged too) and the week.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeekSummaryOut {
    pub site_id: i64,
    pub year: i32,
    pub week: u32,
    pub first_day: NaiveDate,
    pub days: Vec<DayTotalsOut>,
    pub total: TotalsOut,
}

impl WeekSummaryOut {
    pub fn new(site_id: i64, (year, week): (i32, u32), summary: &WeekSummary) -> Self {
        WeekSummaryOut {
            site_id,
            year,
            week,
            first_day: summary.first_day,
            days: summary
                .days
                .iter()
                .map(|row| DayTotalsOut {
                    date: row.date,
                    totals: (&row.totals).into(),
                })
                .collect(),
            total: (&summary.total).into(),
        }
    }
}

/// One logged meal of the category in the history window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryPointOut {
    pub date: NaiveDate,
    pub served_g: u64,
    pub guests: u32,
}

impl From<&HistoryPoint> for HistoryPointOut {
    fn from(p: &HistoryPoint) -> Self {
        HistoryPointOut {
            date: p.date,
            served_g: p.served_g,
            guests: p.guests,
        }
    }
}

/// A history value counted by the advice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsedValueOut {
    pub date: NaiveDate,
    pub served_g: u64,
    pub guests: u32,
    /// served / guests, rounded half up to 0.1 g (display only).
    pub grams_per_guest: f64,
    /// Cut off as one of the lowest or highest values.
    pub trimmed: bool,
}

impl From<&UsedValue> for UsedValueOut {
    fn from(v: &UsedValue) -> Self {
        UsedValueOut {
            date: v.date,
            served_g: v.served_g,
            guests: v.guests,
            grams_per_guest: v.grams_per_guest,
            trimmed: v.trimmed,
        }
    }
}

/// The recommended portion (domain guide, offshore: "Portion recommendation").
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecommendationOut {
    /// Exact blend x 1.05, rounded half up to whole grams.
    pub grams_per_guest: u64,
    #[schema(minimum = 1, maximum = 2000)]
    pub guests: u32,
    /// grams_per_guest x guests.
    pub total_g: u64,
    /// History values with guests > 0.
    pub n: usize,
    pub trimmed_each_end: usize,
    /// H, the mean of the values kept, rounded half up to 0.1 g (display only); null when
    /// n = 0.
    pub mean_g: Option<f64>,
    pub baseline_g: u32,
    /// 70, 20 or 0.
    pub history_weight_pct: u8,
    /// 30, 80 or 100.
    pub baseline_weight_pct: u8,
    /// The values counted, lowest first, the trimmed ones flagged.
    pub values: Vec<UsedValueOut>,
}

impl From<&Recommendation> for RecommendationOut {
    fn from(r: &Recommendation) -> Self {
        RecommendationOut {
            grams_per_guest: r.grams_per_guest,
            guests: r.guests,
            total_g: u64::try_from(r.total_g).unwrap_or(u64::MAX),
            n: r.n,
            trimmed_each_end: r.trimmed_each_end,
            mean_g: r.mean_g,
            baseline_g: r.baseline_g,
            history_weight_pct: r.history_weight_pct,
            baseline_weight_pct: r.baseline_weight_pct,
            values: r.values.iter().map(UsedValueOut::from).collect(),
        }
    }
}
