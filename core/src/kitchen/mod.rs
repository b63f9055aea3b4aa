//! Kitchen basics shared by every module: allergens, dishes, diet types and week menus.

pub mod allergen;
pub mod api;
pub mod diet_api;
pub mod diets;
pub mod dishes;
pub mod iso_week;
pub mod menu_api;
pub mod menus;
pub mod preflight;
pub mod recipe_api;
pub mod recipe_card;
pub mod recipe_ops;
pub mod recipe_store;
pub mod recipes;
pub mod time_of_day;
