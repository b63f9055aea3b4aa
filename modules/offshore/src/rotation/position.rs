//! The galley positions crew hold; cover is required per position.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Cook,
    NightCook,
    Steward,
    ChiefSteward,
}

impl Position {
    pub const ALL: [Position; 4] = [
        Position::Cook,
        Position::NightCook,
        Position::Steward,
        Position::ChiefSteward,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Position::Cook => "cook",
            Position::NightCook => "night_cook",
            Position::Steward => "steward",
            Position::ChiefSteward => "chief_steward",
        }
    }

    pub fn parse(text: &str) -> Option<Position> {
        Position::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The translation key of the position's name.
    pub fn key(self) -> String {
        format!("offshore.position.{}", self.as_str())
    }
}
