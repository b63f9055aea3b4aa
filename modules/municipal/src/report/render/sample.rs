//! Test fixtures: a Swedish site with awkward names (å/ä/ö, delimiters, quotes), whose
//! totals deliberately differ from the department sums so tests can tell that the
//! renderers print `report.totals` instead of re-summing.

use chrono::NaiveDate;

use crate::report::model::{
    DepartmentRow, DietPortions, LunchCounts, MealCounts, ReportLabels, ReportTotals, WeeklyReport,
};

pub(super) fn labels() -> ReportLabels {
    ReportLabels {
        title: "Veckorapport".into(),
        period: "v. 12, 16–22 mars 2026".into(),
        department: "Avdelning".into(),
        lunch: "Lunch".into(),
        dinner: "Kvällsmat".into(),
        residents: "Boende".into(),
        special: "Specialkost".into(),
        normal: "Normalkost".into(),
        alt1: "Alt 1".into(),
        alt2: "Alt 2".into(),
        total: "Totalt".into(),
        diets: "Specialkost per kosttyp".into(),
        diet_type: "Kosttyp".into(),
    }
}

pub(super) fn diet(id: i64, name: &str, lunch: i64, dinner: i64) -> DietPortions {
    DietPortions {
        diet_type_id: id,
        name: name.into(),
        lunch,
        dinner,
    }
}

/// A department whose numbers are derived from `seed`, so rows are distinguishable.
pub(super) fn department(id: i64, name: &str, seed: i64) -> DepartmentRow {
    let residents = 50 + seed;
    let special = 3 + seed % 5;
    let normal = residents - special;
    DepartmentRow {
        department_id: id,
        name: name.into(),
        lunch: LunchCounts {
            counts: MealCounts {
                residents,
                special,
                normal,
            },
            alt1: normal - 10,
            alt2: 10,
        },
        dinner: MealCounts {
            residents: residents - 2,
            special,
            normal: normal - 2,
        },
        diets: vec![diet(1, "Glutenfri", special, special)],
    }
}

pub(super) fn report_with(departments: Vec<DepartmentRow>) -> WeeklyReport {
    WeeklyReport {
        site_id: 7,
        site_name: "Björkö".into(),
        year: 2026,
        week: 12,
        first_day: NaiveDate::from_ymd_opt(2026, 3, 16).unwrap_or_default(),
        last_day: NaiveDate::from_ymd_opt(2026, 3, 22).unwrap_or_default(),
        departments,
        // Not the sum of the rows on purpose: renderers must print these as they are.
        totals: ReportTotals {
            lunch: LunchCounts {
                counts: MealCounts {
                    residents: 9001,
                    special: 9002,
                    normal: 9003,
                },
                alt1: 9004,
                alt2: 9005,
            },
            dinner: MealCounts {
                residents: 9006,
                special: 9007,
                normal: 9008,
            },
            diets: vec![
                diet(1, "Glutenfri", 41, 37),
                diet(2, "Laktosfri", 23, 19),
                diet(3, "Timbal/Paté", 7, 5),
            ],
        },
    }
}

/// Three departments, one of whose names contains both CSV delimiters and a quote.
pub(super) fn report() -> WeeklyReport {
    report_with(vec![
        department(1, "Ängsgården avd 1", 1),
        department(2, "Öster; \"Solrosen\", plan 2", 2),
        department(3, "Åkerbär", 3),
    ])
}

/// `count` departments, enough to force the PDF table across pages.
pub(super) fn large_report(count: i64) -> WeeklyReport {
    report_with(
        (1..=count)
            .map(|i| department(i, &format!("Ängsgården avd {i}"), i))
            .collect(),
    )
}
