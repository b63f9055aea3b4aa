//! Kitchen basics shared by every module: allergens, dishes and diet types (menus follow).

pub mod allergen;
pub mod api;
pub mod diet_api;
pub mod diets;
pub mod dishes;
pub mod iso_week;
