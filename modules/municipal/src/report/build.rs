//! The weekly report, summed from the same per-day plans the kitchen cooks from.

use std::collections::BTreeMap;

use super::model::{
    DepartmentRow, DietPortions, LunchCounts, MealCounts, ReportTotals, WeeklyReport,
};
use crate::plan::{Alt, MealPlan, WeekData};

fn counts(plan: &MealPlan) -> MealCounts {
    MealCounts {
        residents: plan.residents,
        special: plan.special,
        normal: plan.normal,
    }
}

/// Sums the week's day plans per department, and the departments into the site totals.
pub fn weekly(data: &WeekData) -> WeeklyReport {
    let mut totals = ReportTotals::default();
    let mut site_diets: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let mut departments = Vec::with_capacity(data.departments.len());
    for department in &data.departments {
        let mut lunch = LunchCounts::default();
        let mut dinner = MealCounts::default();
        let mut diets: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for day in 1..=7 {
            let plan = data.department_day(department, day);
            let mut day_lunch = LunchCounts {
                counts: counts(&plan.lunch),
                ..LunchCounts::default()
            };
            match plan.choice {
                Alt::Alt1 => day_lunch.alt1 = plan.lunch.normal,
                Alt::Alt2 => day_lunch.alt2 = plan.lunch.normal,
            }
            lunch.add(day_lunch);
            dinner.add(counts(&plan.dinner));
            for (diet, portions) in &plan.lunch.diets {
                diets.entry(*diet).or_default().0 += portions;
            }
            for (diet, portions) in &plan.dinner.diets {
                diets.entry(*diet).or_default().1 += portions;
            }
        }
        totals.lunch.add(lunch);
        totals.dinner.add(dinner);
        for (diet, (l, d)) in &diets {
            let entry = site_diets.entry(*diet).or_default();
            entry.0 += l;
            entry.1 += d;
        }
        departments.push(DepartmentRow {
            department_id: department.id,
            name: department.name.clone(),
            lunch,
            dinner,
            diets: diet_rows(data, &diets),
        });
    }
    totals.diets = diet_rows(data, &site_diets);
    WeeklyReport {
        site_id: data.site.id,
        site_name: data.site.name.clone(),
        year: data.week.year,
        week: data.week.week,
        first_day: data.week.monday(),
        last_day: data.week.monday() + chrono::Duration::days(6),
        departments,
        totals,
    }
}

/// Portions per diet, in the site's diet order (by name), leaving out diets without any.
fn diet_rows(data: &WeekData, sums: &BTreeMap<i64, (i64, i64)>) -> Vec<DietPortions> {
    data.diet_types
        .iter()
        .filter_map(|diet| {
            let (lunch, dinner) = sums.get(&diet.id)?;
            Some(DietPortions {
                diet_type_id: diet.id,
                name: diet.name.clone(),
                lunch: *lunch,
                dinner: *dinner,
            })
        })
        .collect()
}
