//! Kitchen basics shared by every module: allergens and dishes (diet types and menus follow).

pub mod allergen;
pub mod api;
pub mod dishes;
