//! The planning rules of the domain guide, in one place:
//! residents R (first match: per-day override, week schedule, standing schedule, fixed count);
//! special portions S = the diet defaults summed over the diets marked for the meal (diets that
//! always apply are marked implicitly); normal portions N = max(0, R - S); at lunch N goes to
//! the department's chosen alternative, Alt 1 unless it chose an Alt 2 that is on offer.

use galley_core::kitchen::allergen::{Allergen, from_mask};
use galley_core::kitchen::diets::DietType;
use galley_core::kitchen::menus::MenuItem;
use serde::Serialize;

use super::Meal;
use super::data::WeekData;
use crate::departments::Department;
use crate::week::store::WeekState;

/// A lunch alternative.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Alt {
    #[default]
    Alt1,
    Alt2,
}

impl Alt {
    pub fn as_str(self) -> &'static str {
        match self {
            Alt::Alt1 => "alt1",
            Alt::Alt2 => "alt2",
        }
    }

    pub fn parse(value: &str) -> Option<Alt> {
        match value {
            "alt1" => Some(Alt::Alt1),
            "alt2" => Some(Alt::Alt2),
            _ => None,
        }
    }
}

/// One department's meal on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MealPlan {
    /// Residents eating (R).
    pub residents: i64,
    /// Special portions (S).
    pub special: i64,
    /// Normal portions (N).
    pub normal: i64,
    /// The marked diets with residents on them: (diet type, portions).
    pub diets: Vec<(i64, i64)>,
}

impl MealPlan {
    /// More special portions than residents: a count is wrong somewhere (the diet defaults,
    /// the residents or a mark), so the kitchen, the portal and coverage say so.
    pub fn over_residents(&self) -> bool {
        self.special > self.residents
    }
}

/// One department's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentDay {
    pub department_id: i64,
    pub day: u32,
    pub lunch: MealPlan,
    pub dinner: MealPlan,
    /// The alternative the lunch's normal portions go to.
    pub choice: Alt,
    /// The department chose Alt 2 but the menu no longer offers it that day.
    pub choice_lapsed: bool,
}

impl DepartmentDay {
    pub fn meal(&self, meal: Meal) -> &MealPlan {
        match meal {
            Meal::Lunch => &self.lunch,
            Meal::Dinner => &self.dinner,
        }
    }
}

/// Residents on a diet that cannot eat a dish their department will get. Marked, they get a
/// special portion that the kitchen must cook without it; not marked, they would get the dish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub department_id: i64,
    pub department: String,
    pub day: u32,
    pub meal: Meal,
    pub diet_type_id: i64,
    pub diet: String,
    /// Residents on that diet in that department (portions, once marked).
    pub portions: i64,
    /// The diet is marked for the meal (or always applies), so a special portion is cooked;
    /// `false` is a to-do: the department should mark it, or those residents get the dish.
    pub marked: bool,
    pub slot: String,
    pub dish: String,
    /// The dish's allergens that the diet excludes.
    pub allergens: Vec<Allergen>,
    /// Nobody has stated the dish's allergens yet, so the diet cannot be checked against it.
    pub allergens_unknown: bool,
}

impl WeekData {
    /// Residents of the department for the day (1-7) and meal.
    pub fn residents(&self, department: &Department, day: u32, meal: Meal) -> i64 {
        let id = department.id;
        self.overrides
            .get(&(id, day, meal))
            .or_else(|| self.week_schedule.get(&(id, day, meal)))
            .or_else(|| self.standing.get(&(id, day, meal)))
            .copied()
            .unwrap_or(i64::from(department.residents))
    }

    pub fn is_marked(&self, department_id: i64, day: u32, meal: Meal, diet: &DietType) -> bool {
        diet.always_applies || self.marks.contains(&(department_id, day, meal, diet.id))
    }

    /// Whether the mark is stored (the department set it), as opposed to implied.
    pub fn mark_stored(&self, department_id: i64, day: u32, meal: Meal, diet_type_id: i64) -> bool {
        self.marks
            .contains(&(department_id, day, meal, diet_type_id))
    }

    /// The department's residents on each diet, for live diet types only.
    pub fn diet_defaults(&self, department_id: i64) -> Vec<(&DietType, i64)> {
        let stored = self.defaults.get(&department_id);
        self.diet_types
            .iter()
            .map(|diet| {
                let count = stored
                    .and_then(|rows| rows.iter().find(|(id, _)| *id == diet.id))
                    .map_or(0, |(_, n)| *n);
                (diet, count)
            })
            .collect()
    }

    pub fn is_published(&self) -> bool {
        self.menu.as_ref().is_some_and(|m| m.is_published())
    }

    /// The dish in (day, meal, slot) of the week's menu, published or not.
    pub fn dish(&self, day: u32, meal: Meal, slot: &str) -> Option<&MenuItem> {
        self.items
            .iter()
            .find(|i| i.day as u32 == day && i.meal == meal.as_str() && i.slot == slot)
    }

    /// Alt 2 can be chosen on the day: the published menu has one and the site offers it.
    pub fn alt2_available(&self, day: u32) -> bool {
        self.is_published()
            && self.settings.alt2_allowed_on(day)
            && self.dish(day, Meal::Lunch, "alt2").is_some()
    }

    /// The stored choice of the day (Alt 1 when none is stored).
    pub fn stored_choice(&self, department_id: i64, day: u32) -> Alt {
        self.choices
            .get(&(department_id, day))
            .copied()
            .unwrap_or_default()
    }

    /// Whether the department saved a choice for the day (even one equal to the default).
    pub fn choice_stored(&self, department_id: i64, day: u32) -> bool {
        self.choices.contains_key(&(department_id, day))
    }

    pub fn state(&self, department_id: i64) -> WeekState {
        self.states
            .get(&department_id)
            .copied()
            .unwrap_or(WeekState::unwritten(department_id))
    }

    fn meal_plan(&self, department: &Department, day: u32, meal: Meal) -> MealPlan {
        let residents = self.residents(department, day, meal);
        // Nobody eats, nothing is cooked: no special portions either.
        let diets: Vec<(i64, i64)> = self
            .diet_defaults(department.id)
            .into_iter()
            .filter(|_| residents > 0)
            .filter(|(diet, count)| *count > 0 && self.is_marked(department.id, day, meal, diet))
            .map(|(diet, count)| (diet.id, count))
            .collect();
        let special = diets.iter().map(|(_, n)| n).sum::<i64>();
        MealPlan {
            residents,
            special,
            normal: (residents - special).max(0),
            diets,
        }
    }

    pub fn department_day(&self, department: &Department, day: u32) -> DepartmentDay {
        let stored = self.stored_choice(department.id, day);
        let choice_lapsed = stored == Alt::Alt2 && !self.alt2_available(day);
        DepartmentDay {
            department_id: department.id,
            day,
            lunch: self.meal_plan(department, day, Meal::Lunch),
            dinner: self.meal_plan(department, day, Meal::Dinner),
            choice: if choice_lapsed { Alt::Alt1 } else { stored },
            choice_lapsed,
        }
    }

    /// The dishes a department gets at a meal: its alternative and dessert, or dinner's main.
    pub fn dishes_served(&self, day: u32, meal: Meal, choice: Alt) -> Vec<&MenuItem> {
        let slots: &[&str] = match meal {
            Meal::Lunch => &[choice.as_str(), "dessert"],
            Meal::Dinner => &["main"],
        };
        slots
            .iter()
            .filter_map(|slot| self.dish(day, meal, slot))
            .collect()
    }

    /// Every diet with residents in the department, marked or not, that excludes an allergen
    /// of a dish the department will get, or that excludes allergens at all while the dish's
    /// allergens are not stated yet. A meal nobody eats has none.
    pub fn warnings(&self, department: &Department, plan: &DepartmentDay) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let diets = self.diet_defaults(department.id);
        for meal in Meal::ALL {
            if plan.meal(meal).residents == 0 {
                continue;
            }
            let dishes = self.dishes_served(plan.day, meal, plan.choice);
            for (diet, portions) in diets.iter().filter(|(_, count)| *count > 0) {
                let marked = self.is_marked(department.id, plan.day, meal, diet);
                for item in &dishes {
                    let clash = diet.excludes & item.allergens;
                    let unknown = diet.excludes != 0 && !item.allergens_stated;
                    if clash != 0 || unknown {
                        warnings.push(Warning {
                            department_id: department.id,
                            department: department.name.clone(),
                            day: plan.day,
                            meal,
                            diet_type_id: diet.id,
                            diet: diet.name.clone(),
                            portions: *portions,
                            marked,
                            slot: item.slot.clone(),
                            dish: item.dish_name.clone(),
                            allergens: from_mask(clash),
                            allergens_unknown: unknown,
                        });
                    }
                }
            }
        }
        warnings
    }
}
