//! Kitchen planning: everything a site's week needs, loaded in a few batch queries, and the one
//! set of rules that turns it into portions. The department week, the day plan, the weekly
//! report and coverage all read from here, so they cannot disagree.

pub mod compute;
pub mod data;
pub mod history;

pub use compute::{Alt, DepartmentDay, MealPlan, Warning};
pub use data::WeekData;

/// The meals a municipal menu serves.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Meal {
    Lunch,
    Dinner,
}

impl Meal {
    pub const ALL: [Meal; 2] = [Meal::Lunch, Meal::Dinner];

    pub fn as_str(self) -> &'static str {
        match self {
            Meal::Lunch => "lunch",
            Meal::Dinner => "dinner",
        }
    }

    pub fn parse(value: &str) -> Option<Meal> {
        match value {
            "lunch" => Some(Meal::Lunch),
            "dinner" => Some(Meal::Dinner),
            _ => None,
        }
    }
}
