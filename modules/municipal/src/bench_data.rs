//! A realistic, large data set for the load benchmark (`cargo xtask bench`): many departments,
//! fifteen diet types per kitchen, two years of published weekly menus, and choices and marks
//! for every department and week. Bulk rows go in as multi-row INSERTs of numbers only, so the
//! seed takes seconds rather than minutes on either backend. The scale benchmark (`cargo xtask
//! bench --scale`) seeds the set-up here without the answers and loads those with `COPY`.

use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::allergen::{Allergen, to_mask};
use galley_core::kitchen::diets::{self, DietFields};
use galley_core::kitchen::dishes::{self, DishFields};
use galley_core::kitchen::iso_week::IsoWeek;

use crate::departments::{self, DepartmentFields};

/// How big the data set is.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Departments of the first kitchen (the one the benchmark measures).
    pub departments_first: usize,
    /// Departments of every other kitchen.
    pub departments_other: usize,
    pub diet_types: usize,
    /// Weeks of menus, choices and marks, ending with `last_week`.
    pub weeks: usize,
    pub last_week: IsoWeek,
    /// Whether to write department weeks, choices and marks (`false` leaves them to the
    /// scale benchmark, which loads them with `COPY`).
    pub answers: bool,
}

/// What was made, for the benchmark to aim at.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// Departments per kitchen, in the order of the kitchens given.
    pub departments: Vec<Vec<i64>>,
    /// Diet types per kitchen, in the order made: the marks use the first two.
    pub diets: Vec<Vec<i64>>,
    pub weeks: Vec<IsoWeek>,
}

const DIETS: [(&str, &[Allergen]); 15] = [
    ("Glutenfri", &[Allergen::Gluten]),
    ("Laktosfri", &[Allergen::Milk]),
    ("Mjölkproteinfri", &[Allergen::Milk]),
    ("Äggfri", &[Allergen::Eggs]),
    ("Fiskfri", &[Allergen::Fish]),
    ("Nötfri", &[Allergen::Nuts, Allergen::Peanuts]),
    ("Timbal", &[]),
    ("Konsistensanpassad", &[]),
    ("Diabeteskost", &[]),
    ("Halal", &[]),
    (
        "Vegetarisk",
        &[Allergen::Fish, Allergen::Molluscs, Allergen::Crustaceans],
    ),
    ("Vegansk", &[Allergen::Milk, Allergen::Eggs, Allergen::Fish]),
    ("Energirik", &[]),
    ("Lågsalt", &[]),
    ("Sojafri", &[Allergen::Soy]),
];

const ROWS_PER_INSERT: usize = 500;

/// Seeds `sites` (kitchens of `tenant_id`, the first one large); `progress` hears each step.
pub async fn seed(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    sites: &[i64],
    shape: Shape,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Seeded, DbError> {
    let mut weeks = vec![shape.last_week];
    while weeks.len() < shape.weeks {
        let earlier = weeks[weeks.len() - 1].previous();
        weeks.push(earlier);
    }
    weeks.reverse();

    let mut dishes = Vec::new();
    for n in 0..40 {
        let allergens = [
            Allergen::Gluten,
            Allergen::Milk,
            Allergen::Eggs,
            Allergen::Fish,
        ];
        let fields = DishFields {
            name: &format!("Maträtt {n:02}"),
            category: if n % 5 == 4 { "dessert" } else { "main" },
            allergens: to_mask(&allergens[..n % 4]),
            allergens_stated: true,
        };
        dishes.push(dishes::insert(conn, tenant_id, &fields).await?);
    }

    let mut all_departments = Vec::new();
    let mut all_diets = Vec::new();
    for (index, site) in sites.iter().enumerate() {
        let count = if index == 0 {
            shape.departments_first
        } else {
            shape.departments_other
        };
        progress(&format!(
            "kitchen {site}: {count} departments, {} diet types",
            shape.diet_types
        ));
        let mut diet_ids = Vec::new();
        for (name, excludes) in DIETS.iter().cycle().take(shape.diet_types) {
            let fields = DietFields {
                name,
                excludes: to_mask(excludes),
                texture_level: None,
                always_applies: *name == "Timbal",
            };
            diet_ids.push(diets::insert(conn, tenant_id, *site, &fields).await?);
        }
        let mut department_ids = Vec::with_capacity(count);
        for n in 0..count {
            let fields = DepartmentFields {
                name: &format!("Avdelning {:03}", n + 1),
                residents: 8 + (n % 9) as i32,
                notes: "",
            };
            department_ids.push(departments::insert(conn, tenant_id, *site, &fields).await?);
        }
        // Three diets per department (one of them always applies), one or two residents each.
        let mut default_diets: Vec<i64> = [0, 1, 6]
            .iter()
            .map(|k| diet_ids[k % diet_ids.len()])
            .collect();
        default_diets.sort_unstable();
        default_diets.dedup();
        let defaults: Vec<String> = department_ids
            .iter()
            .enumerate()
            .flat_map(|(n, department)| {
                default_diets
                    .iter()
                    .enumerate()
                    .map(move |(k, diet)| format!("({department}, {diet}, {})", 1 + (n + k) % 2))
            })
            .collect();
        insert_rows(
            conn,
            "diet_defaults (department_id, diet_type_id, residents)",
            &defaults,
        )
        .await?;

        seed_menus(conn, tenant_id, *site, &weeks, &dishes).await?;
        progress(&format!("kitchen {site}: menus for {} weeks", weeks.len()));
        if shape.answers {
            seed_weeks(conn, &department_ids, &weeks, &diet_ids, progress).await?;
        }
        all_departments.push(department_ids);
        all_diets.push(diet_ids);
    }
    Ok(Seeded {
        departments: all_departments,
        diets: all_diets,
        weeks,
    })
}

async fn seed_menus(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site: i64,
    weeks: &[IsoWeek],
    dishes: &[i64],
) -> Result<(), DbError> {
    let now = "2026-01-01 00:00:00";
    let rows: Vec<String> = weeks
        .iter()
        .map(|w| {
            format!(
                "({tenant_id}, {site}, {}, {}, 'published', 2, '{now}', FALSE, '{now}', '{now}')",
                w.year, w.week
            )
        })
        .collect();
    insert_rows(
        conn,
        "menus (tenant_id, site_id, year, week, status, version, published_at, \
         changed_after_publish, created_at, updated_at)",
        &rows,
    )
    .await?;
    let ids = galley_core::kitchen::menus::list_ids(conn, site).await?;
    let mut items = Vec::new();
    for (n, menu) in ids.iter().enumerate() {
        for day in 1..=7_usize {
            let pick = |k: usize| dishes[(n * 7 + day * 3 + k) % dishes.len()];
            items.push(format!("({menu}, {day}, 'lunch', 'alt1', {})", pick(0)));
            if day <= 5 {
                items.push(format!("({menu}, {day}, 'lunch', 'alt2', {})", pick(1)));
            }
            items.push(format!("({menu}, {day}, 'lunch', 'dessert', {})", pick(2)));
            items.push(format!("({menu}, {day}, 'dinner', 'main', {})", pick(3)));
        }
    }
    insert_rows(
        conn,
        "menu_items (menu_id, day, meal, slot, dish_id)",
        &items,
    )
    .await
}

/// Choices (Alt 2 on Tuesdays and Thursdays for every other department) and marks (the first
/// diet at weekday lunches, the second at weekday dinners) for every department and week.
async fn seed_weeks(
    conn: &mut DbConn<'_>,
    departments: &[i64],
    weeks: &[IsoWeek],
    diets: &[i64],
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(), DbError> {
    let now = "2026-01-01 00:00:00";
    for (n, week) in weeks.iter().enumerate() {
        let (year, number) = (week.year, week.week);
        let mut states = Vec::new();
        let mut choices = Vec::new();
        let mut marks = Vec::new();
        for (k, department) in departments.iter().enumerate() {
            states.push(format!(
                "({department}, {year}, {number}, 1, '{now}', '{now}', '{now}')"
            ));
            for day in 1..=5 {
                let alt = if k % 2 == 1 && (day == 2 || day == 4) {
                    "alt2"
                } else {
                    "alt1"
                };
                choices.push(format!(
                    "({department}, {year}, {number}, {day}, '{alt}', '{now}')"
                ));
                marks.push(format!(
                    "({department}, {year}, {number}, {day}, 'lunch', {})",
                    diets[0]
                ));
                marks.push(format!(
                    "({department}, {year}, {number}, {day}, 'dinner', {})",
                    diets[1 % diets.len()]
                ));
            }
        }
        insert_rows(
            conn,
            "department_weeks (department_id, year, week, version, choices_at, marks_at, updated_at)",
            &states,
        )
        .await?;
        insert_rows(
            conn,
            "lunch_choices (department_id, year, week, day, choice, updated_at)",
            &choices,
        )
        .await?;
        insert_rows(
            conn,
            "diet_marks (department_id, year, week, day, meal, diet_type_id)",
            &marks,
        )
        .await?;
        if (n + 1) % 26 == 0 || n + 1 == weeks.len() {
            progress(&format!(
                "  choices and marks: {} of {} weeks",
                n + 1,
                weeks.len()
            ));
        }
    }
    Ok(())
}

/// `INSERT INTO target VALUES ...` in chunks. The rows are built from numbers and fixed words
/// only, never from user input.
async fn insert_rows(conn: &mut DbConn<'_>, target: &str, rows: &[String]) -> Result<(), DbError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!("INSERT INTO {target} VALUES {}", chunk.join(", "));
        db_run!(conn, |c| diesel::sql_query(sql).execute(c).await)?;
    }
    Ok(())
}
