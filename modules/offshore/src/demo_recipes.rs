//! Recipes for the demo rig's dishes, so the recipe pages, the card and the shopping list
//! have something to show. The dishes are found by name in the demo tenant, or made when
//! another seeder has not made them; a dish that already has a recipe keeps it.

use galley_core::db::{DbConn, DbError};
use galley_core::kitchen::allergen::{Allergen, to_mask};
use galley_core::kitchen::dishes::{self, DishFields};
use galley_core::kitchen::recipe_store::{self, RecipeFields};
use galley_core::kitchen::recipes::{Ingredient, Recipe, Unit};

/// (name, amount in thousandths of the unit, unit, allergens).
type Line = (&'static str, i64, Unit, &'static [Allergen]);

struct DemoRecipe {
    dish: &'static str,
    category: &'static str,
    yield_portions: u32,
    lines: &'static [Line],
    steps: &'static [&'static str],
}

use Allergen::{Celery, Crustaceans, Eggs, Fish, Gluten, Milk};
use Unit::{Dl, G, Kg, L, Pcs, Tbsp, Tsp};

const RECIPES: &[DemoRecipe] = &[
    DemoRecipe {
        dish: "Fiskesuppe",
        category: "soup",
        yield_portions: 10,
        lines: &[
            ("Fiskekraft", 2000, L, &[Fish]),
            ("Torskefilet", 800_000, G, &[Fish]),
            ("Laksefilet", 400_000, G, &[Fish]),
            ("Reker", 200_000, G, &[Crustaceans]),
            ("Gulrot", 3000, Pcs, &[]),
            ("Purre", 1000, Pcs, &[]),
            ("Matfløte", 5000, Dl, &[Milk]),
            ("Smør", 50_000, G, &[Milk]),
            ("Hvetemel", 3000, Tbsp, &[Gluten]),
            ("Salt", 1000, Tsp, &[]),
        ],
        steps: &[
            "Smelt smøret, rør inn melet og spe med kraften under omrøring.",
            "Kok gulrot og purre i suppen i ti minutter.",
            "Tilsett fløten og fisken i terninger; la trekke i fem minutter uten å koke.",
            "Vend inn rekene rett før servering og smak til med salt.",
        ],
    },
    DemoRecipe {
        dish: "Ovnsbakt laks",
        category: "fish",
        yield_portions: 10,
        lines: &[
            ("Laksefilet", 1800, Kg, &[Fish]),
            ("Sitron", 2000, Pcs, &[]),
            ("Olivenolje", 3000, Tbsp, &[]),
            ("Frisk dill", 1000, Dl, &[]),
            ("Salt", 2000, Tsp, &[]),
            ("Pepper", 1000, Tsp, &[]),
        ],
        steps: &[
            "Legg laksen i en smurt langpanne, pensle med olje og krydre.",
            "Stek midt i ovnen på 200 °C i 15 til 18 minutter.",
            "Strø over dill og server med sitronbåter.",
        ],
    },
    DemoRecipe {
        dish: "Kjøttkaker med brun saus",
        category: "meat",
        yield_portions: 10,
        lines: &[
            ("Kjøttdeig", 1500, Kg, &[]),
            ("Egg", 2000, Pcs, &[Eggs]),
            ("Griljermel", 1000, Dl, &[Gluten]),
            ("Melk", 2000, Dl, &[Milk]),
            ("Løk", 2000, Pcs, &[]),
            ("Smør", 100_000, G, &[Milk]),
            ("Hvetemel", 1000, Dl, &[Gluten]),
            ("Kjøttkraft", 1000, L, &[Celery]),
            ("Salt", 2000, Tsp, &[]),
            ("Pepper", 1000, Tsp, &[]),
        ],
        steps: &[
            "Bland kjøttdeig, egg, griljermel, melk, revet løk, salt og pepper.",
            "Form kjøttkaker og brun dem i smør; legg dem i en gryte.",
            "Brun melet i smøret, spe med kraften og kok en jevn saus.",
            "Hell sausen over kjøttkakene og la dem småkoke i 15 minutter.",
        ],
    },
    DemoRecipe {
        dish: "Grønnsakslasagne",
        category: "vegetarian",
        yield_portions: 10,
        lines: &[
            ("Lasagneplater", 500_000, G, &[Gluten, Eggs]),
            ("Squash", 2000, Pcs, &[]),
            ("Aubergine", 1000, Pcs, &[]),
            ("Hakkede tomater", 1200, Kg, &[]),
            ("Løk", 2000, Pcs, &[]),
            ("Stangselleri", 2000, Pcs, &[Celery]),
            ("Revet ost", 400_000, G, &[Milk]),
            ("Melk", 1000, L, &[Milk]),
            ("Smør", 75_000, G, &[Milk]),
            ("Hvetemel", 1000, Dl, &[Gluten]),
        ],
        steps: &[
            "Fres løk, selleri, squash og aubergine; tilsett tomatene og kok i 20 minutter.",
            "Lag en hvit saus av smør, mel og melk.",
            "Legg plater, grønnsaker og saus lagvis i en langpanne; topp med ost.",
            "Stek på 200 °C i 40 minutter og la den hvile før servering.",
        ],
    },
    DemoRecipe {
        dish: "Karamellpudding",
        category: "dessert",
        yield_portions: 10,
        lines: &[
            ("Sukker", 3000, Dl, &[]),
            ("Egg", 8000, Pcs, &[Eggs]),
            ("Melk", 1000, L, &[Milk]),
            ("Vaniljesukker", 2000, Tsp, &[]),
        ],
        steps: &[
            "Smelt 2 dl sukker til gyllen karamell og hell den i formen.",
            "Visp egg, resten av sukkeret og vaniljesukker; rør inn varm melk.",
            "Sil massen over karamellen og stek i vannbad på 150 °C i 60 minutter.",
            "Avkjøl over natten og hvelv puddingen.",
        ],
    },
];

/// Gives each demo dish its recipe (and the dish the recipe's allergens).
pub async fn seed(conn: &mut DbConn<'_>, tenant: i64) -> Result<(), DbError> {
    for demo in RECIPES {
        let dish_id = match dishes::find_by_name(conn, tenant, demo.dish, None).await? {
            Some(dish) => dish.id,
            None => {
                let fields = DishFields {
                    name: demo.dish,
                    category: demo.category,
                    allergens: 0,
                    allergens_stated: false,
                };
                dishes::insert(conn, tenant, &fields).await?
            }
        };
        if recipe_store::find_by_dish(conn, tenant, dish_id, None)
            .await?
            .is_some()
        {
            continue;
        }
        let recipe = Recipe {
            name: demo.dish.to_owned(),
            yield_portions: demo.yield_portions,
            ingredients: demo
                .lines
                .iter()
                .map(|&(name, amount_milli, unit, allergens)| Ingredient {
                    name: name.to_owned(),
                    amount_milli,
                    unit,
                    allergens_mask: to_mask(allergens),
                })
                .collect(),
            steps: demo.steps.iter().map(|s| (*s).to_owned()).collect(),
        };
        let fields = RecipeFields {
            dish_id: Some(dish_id),
            recipe: &recipe,
        };
        recipe_store::insert(conn, tenant, &fields).await?;
        recipe_store::set_dish_allergens(conn, tenant, dish_id, recipe.allergens_mask()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_recipe_passes_the_checks() {
        for demo in RECIPES {
            let recipe = Recipe {
                name: demo.dish.to_owned(),
                yield_portions: demo.yield_portions,
                ingredients: demo
                    .lines
                    .iter()
                    .map(|&(name, amount_milli, unit, allergens)| Ingredient {
                        name: name.to_owned(),
                        amount_milli,
                        unit,
                        allergens_mask: to_mask(allergens),
                    })
                    .collect(),
                steps: demo.steps.iter().map(|s| (*s).to_owned()).collect(),
            };
            assert_eq!(
                galley_core::kitchen::recipes::validate(&recipe),
                vec![],
                "{}",
                demo.dish
            );
        }
    }
}
