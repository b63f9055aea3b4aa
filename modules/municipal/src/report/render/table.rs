//! The column layout every format shares: the department name, then the lunch group
//! (residents, special, normal, Alt 1, Alt 2), then the dinner group (residents, special, normal).

use crate::report::model::{
    DepartmentRow, DietPortions, LunchCounts, MealCounts, ReportLabels, ReportTotals,
};

pub(super) const LUNCH_COLUMNS: usize = 5;
pub(super) const DINNER_COLUMNS: usize = 3;
pub(super) const NUMBER_COLUMNS: usize = LUNCH_COLUMNS + DINNER_COLUMNS;

/// The numbers of one table row, in column order.
pub(super) type Numbers = [i64; NUMBER_COLUMNS];

/// A header spanning several number columns ("Lunch" over five, "Kvällsmat" over three).
pub(super) struct ColumnGroup<'a> {
    pub title: &'a str,
    /// Index of the group's first number column (0 = first column after the name).
    pub first: usize,
    pub len: usize,
}

pub(super) fn column_groups(labels: &ReportLabels) -> [ColumnGroup<'_>; 2] {
    [
        ColumnGroup {
            title: &labels.lunch,
            first: 0,
            len: LUNCH_COLUMNS,
        },
        ColumnGroup {
            title: &labels.dinner,
            first: LUNCH_COLUMNS,
            len: DINNER_COLUMNS,
        },
    ]
}

/// Headers of the number columns, without their group.
pub(super) fn number_headers(labels: &ReportLabels) -> [&str; NUMBER_COLUMNS] {
    [
        &labels.residents,
        &labels.special,
        &labels.normal,
        &labels.alt1,
        &labels.alt2,
        &labels.residents,
        &labels.special,
        &labels.normal,
    ]
}

/// Headers of the number columns prefixed with their group, for formats with a single
/// header row where "Boende" alone would be ambiguous (lunch or dinner?).
pub(super) fn qualified_number_headers(labels: &ReportLabels) -> Vec<String> {
    let headers = number_headers(labels);
    column_groups(labels)
        .iter()
        .flat_map(|group| {
            headers[group.first..group.first + group.len]
                .iter()
                .map(move |header| format!("{}: {header}", group.title))
        })
        .collect()
}

fn numbers(lunch: &LunchCounts, dinner: &MealCounts) -> Numbers {
    [
        lunch.counts.residents,
        lunch.counts.special,
        lunch.counts.normal,
        lunch.alt1,
        lunch.alt2,
        dinner.residents,
        dinner.special,
        dinner.normal,
    ]
}

pub(super) fn department_numbers(department: &DepartmentRow) -> Numbers {
    numbers(&department.lunch, &department.dinner)
}

/// The totals row comes from the report's own totals: the renderers never re-sum,
/// so every format shows exactly what the plan computed.
pub(super) fn totals_numbers(totals: &ReportTotals) -> Numbers {
    numbers(&totals.lunch, &totals.dinner)
}

/// Headers of the diet table: diet type, lunch, dinner.
pub(super) fn diet_headers(labels: &ReportLabels) -> [&str; 3] {
    [&labels.diet_type, &labels.lunch, &labels.dinner]
}

pub(super) fn diet_numbers(diet: &DietPortions) -> [i64; 2] {
    [diet.lunch, diet.dinner]
}
