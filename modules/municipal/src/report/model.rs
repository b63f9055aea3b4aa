//! The weekly report as data: what the JSON answer serialises and every download renders.
//! One model, filled by the planning computation, so the report's totals are the plan's.

use serde::Serialize;

/// Portions of one meal over the week (or a day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MealCounts {
    /// Residents eating the meal (R summed over the days).
    pub residents: i64,
    /// Special-diet portions (S), the billable ones.
    pub special: i64,
    /// Normal portions (N = max(0, R - S) per day and department).
    pub normal: i64,
}

impl MealCounts {
    pub fn add(&mut self, other: MealCounts) {
        self.residents += other.residents;
        self.special += other.special;
        self.normal += other.normal;
    }
}

/// Lunch splits its normal portions between the two alternatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LunchCounts {
    #[serde(flatten)]
    pub counts: MealCounts,
    /// Normal portions of Alt 1.
    pub alt1: i64,
    /// Normal portions of Alt 2.
    pub alt2: i64,
}

impl LunchCounts {
    pub fn add(&mut self, other: LunchCounts) {
        self.counts.add(other.counts);
        self.alt1 += other.alt1;
        self.alt2 += other.alt2;
    }
}

/// Special portions of one diet type over the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DietPortions {
    pub diet_type_id: i64,
    pub name: String,
    pub lunch: i64,
    pub dinner: i64,
}

/// One department's week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DepartmentRow {
    pub department_id: i64,
    pub name: String,
    pub lunch: LunchCounts,
    pub dinner: MealCounts,
    /// Special portions per diet type (only diets with portions), in the report's diet order.
    pub diets: Vec<DietPortions>,
}

/// A site's week, per department and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WeeklyReport {
    pub site_id: i64,
    pub site_name: String,
    pub year: i32,
    pub week: u32,
    /// Monday of the week.
    pub first_day: chrono::NaiveDate,
    /// Sunday of the week.
    pub last_day: chrono::NaiveDate,
    /// Departments by name.
    pub departments: Vec<DepartmentRow>,
    /// Site totals: the sums of the department rows.
    pub totals: ReportTotals,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportTotals {
    pub lunch: LunchCounts,
    pub dinner: MealCounts,
    /// Special portions per diet type over the whole site, diets by name.
    pub diets: Vec<DietPortions>,
}

/// The words a rendered report uses, in the reader's language (filled from the locale files).
#[derive(Debug, Clone)]
pub struct ReportLabels {
    /// e.g. "Veckorapport"
    pub title: String,
    /// e.g. "v. 12, 16–22 mars 2026": the caller formats it.
    pub period: String,
    pub department: String,
    pub lunch: String,
    pub dinner: String,
    pub residents: String,
    pub special: String,
    pub normal: String,
    pub alt1: String,
    pub alt2: String,
    pub total: String,
    /// Heading of the per-diet section, e.g. "Specialkost per kosttyp".
    pub diets: String,
    /// e.g. "Kosttyp"
    pub diet_type: String,
}
