//! Loading a site's week: the site and its settings, the published menu, diet types, the
//! departments with their set-up, and their choices and marks. A fixed number of queries,
//! whether the site has one department or two hundred.

use std::collections::{HashMap, HashSet};

use galley_core::db::{DbConn, DbError};
use galley_core::kitchen::diets::DietType;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menus::{self, Menu, MenuItem};
use galley_core::people::sites::{self, Site};

use super::Meal;
use super::compute::Alt;
use super::history::{self, Setup, Wanted};
use crate::departments::{Department, setup};
use crate::settings::Settings;
use crate::week::store::{self, WeekState};

/// One site's week, ready for the planning rules.
#[derive(Debug, Clone)]
pub struct WeekData {
    pub site: Site,
    pub timezone: chrono_tz::Tz,
    pub settings: Settings,
    pub week: IsoWeek,
    /// The week's menu whatever its status; departments see it only once published.
    pub menu: Option<Menu>,
    pub items: Vec<MenuItem>,
    /// The site's diet types of the week, by name (for a week that is over, as it had them).
    pub diet_types: Vec<DietType>,
    /// The departments covered, by name (for a week that is over, as it had them).
    pub departments: Vec<Department>,
    pub(super) defaults: HashMap<i64, Vec<(i64, i64)>>,
    pub(super) standing: HashMap<(i64, u32, Meal), i64>,
    pub(super) week_schedule: HashMap<(i64, u32, Meal), i64>,
    pub(super) overrides: HashMap<(i64, u32, Meal), i64>,
    pub(super) choices: HashMap<(i64, u32), Alt>,
    pub(super) marks: HashSet<(i64, u32, Meal, i64)>,
    pub(super) states: HashMap<i64, WeekState>,
}

/// Which departments of the site to load.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every live department of the site.
    Site,
    /// One department, already found and checked against the caller (it is not read again).
    Department(&'a Department),
}

impl WeekData {
    /// Loads the week of `site_id` (already confined to the caller's tenant).
    pub async fn load(
        conn: &mut DbConn<'_>,
        tenant_id: i64,
        site_id: i64,
        week: IsoWeek,
        scope: Scope<'_>,
    ) -> Result<Option<WeekData>, DbError> {
        let Some(site) = sites::find(conn, tenant_id, site_id).await? else {
            return Ok(None);
        };
        let timezone = site.zone();
        let menu = menus::find(conn, site_id, week).await?;
        let items = match &menu {
            Some(menu) => menus::items(conn, &[menu.id]).await?,
            None => Vec::new(),
        };
        let wanted = match scope {
            Scope::Site => Wanted::Site,
            Scope::Department(department) => {
                if department.site_id != site_id || department.tenant_id != tenant_id {
                    return Ok(None);
                }
                Wanted::Department(department)
            }
        };
        let Setup {
            settings,
            diet_types,
            departments,
            defaults,
            standing,
        } = history::setup_for(conn, &site, week, wanted).await?;
        let ids: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let sunday = week.monday() + chrono::Duration::days(6);

        let week_schedule = setup::week_of(conn, &ids, week)
            .await?
            .into_iter()
            .flat_map(|(d, weekday, lunch, dinner)| {
                let day = weekday as u32;
                [
                    ((d, day, Meal::Lunch), i64::from(lunch)),
                    ((d, day, Meal::Dinner), i64::from(dinner.unwrap_or(lunch))),
                ]
            })
            .collect();
        let overrides = setup::overrides_of(conn, &ids, week.monday(), sunday)
            .await?
            .into_iter()
            .filter_map(|(d, date, meal, n)| {
                let day = (date - week.monday()).num_days() as u32 + 1;
                Some(((d, day, Meal::parse(&meal)?), i64::from(n)))
            })
            .collect();
        let answers = Answers::load(conn, &ids, week).await?;
        Ok(Some(WeekData {
            site,
            timezone,
            settings,
            week,
            menu,
            items,
            diet_types,
            departments,
            defaults,
            standing,
            week_schedule,
            overrides,
            choices: answers.choices,
            marks: answers.marks,
            states: answers.states,
        }))
    }

    /// Reads again what a write of the week's choices and marks changes (the answers and the
    /// versions), keeping the set-up loaded before it: the answer a write returns, in three
    /// queries instead of the whole load.
    pub async fn reload_answers(&mut self, conn: &mut DbConn<'_>) -> Result<(), DbError> {
        let ids: Vec<i64> = self.departments.iter().map(|d| d.id).collect();
        let answers = Answers::load(conn, &ids, self.week).await?;
        self.choices = answers.choices;
        self.marks = answers.marks;
        self.states = answers.states;
        Ok(())
    }
}

/// The departments' answers of a week: lunch choices, diet marks, and the week's versions.
struct Answers {
    choices: HashMap<(i64, u32), Alt>,
    marks: HashSet<(i64, u32, Meal, i64)>,
    states: HashMap<i64, WeekState>,
}

impl Answers {
    async fn load(conn: &mut DbConn<'_>, ids: &[i64], week: IsoWeek) -> Result<Self, DbError> {
        let choices = store::choices_of(conn, ids, week)
            .await?
            .into_iter()
            .filter_map(|(d, day, choice)| Some(((d, day as u32), Alt::parse(&choice)?)))
            .collect();
        let marks = store::marks_of(conn, ids, week)
            .await?
            .into_iter()
            .filter_map(|(d, day, meal, diet)| Some((d, day as u32, Meal::parse(&meal)?, diet)))
            .collect();
        let states = store::states_of(conn, ids, week)
            .await?
            .into_iter()
            .map(|state| (state.department_id, state))
            .collect();
        Ok(Self {
            choices,
            marks,
            states,
        })
    }
}
