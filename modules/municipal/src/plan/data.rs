//! Loading a site's week: the site and its settings, the published menu, diet types, the
//! departments with their set-up, and their choices and marks. A fixed number of queries,
//! whether the site has one department or two hundred.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// A week's set-up: everything of it but the departments' answers. A site's is remembered
/// between requests (see [`WeekData::load_remembered`]).
#[derive(Debug, Clone)]
pub struct WeekSetup {
    site: Site,
    timezone: chrono_tz::Tz,
    settings: Settings,
    week: IsoWeek,
    menu: Option<Menu>,
    items: Vec<MenuItem>,
    diet_types: Vec<DietType>,
    departments: Vec<Department>,
    defaults: HashMap<i64, Vec<(i64, i64)>>,
    standing: HashMap<(i64, u32, Meal), i64>,
    week_schedule: HashMap<(i64, u32, Meal), i64>,
    overrides: HashMap<(i64, u32, Meal), i64>,
}

/// The site set-ups remembered, by site, year and week.
pub type SetupMemo = galley_core::answers::Memo<(i64, i32, u32), Arc<WeekSetup>>;

/// How many site weeks' set-ups are remembered: the open weeks of a dozen kitchens or more.
/// One is about two hundred kilobytes for two hundred departments.
pub const REMEMBERED_SITE_WEEKS: usize = 64;

/// How long a remembered set-up is trusted without a write: short, since a week that ends
/// changes which set-up applies to it (decision 0020) without any write.
const SETUP_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether a week's set-up is remembered: the weeks people choose and the kitchen plans for
/// (from last week on, which also covers every time zone's current week). Older weeks are read
/// now and then, each of many; remembering a whole site's set-up for each would hold memory
/// and make a one-department read load two hundred.
fn worth_remembering(week: IsoWeek) -> bool {
    week >= IsoWeek::containing(chrono::Utc::now().date_naive()).previous()
}

/// This state's remembered site set-ups.
pub fn setups(state: &galley_core::state::AppState) -> SetupMemo {
    state.module_memos.memo(REMEMBERED_SITE_WEEKS)
}

impl WeekSetup {
    /// Loads the set-up of `site_id`'s week (already confined to the caller's tenant).
    async fn load(
        conn: &mut DbConn<'_>,
        tenant_id: i64,
        site_id: i64,
        week: IsoWeek,
        scope: Scope<'_>,
    ) -> Result<Option<WeekSetup>, DbError> {
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
        Ok(Some(WeekSetup {
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
        }))
    }

    /// The set-up of one department, cut from its site's. The site's set-up of a week holds
    /// exactly what loading the department alone would (the same rows, the same week's
    /// departments and diet types); `None` when the department is not among them.
    fn narrowed_to(&self, department: &Department) -> Option<WeekSetup> {
        let only = self.departments.iter().find(|d| d.id == department.id)?;
        let id = department.id;
        let keyed = |map: &HashMap<(i64, u32, Meal), i64>| {
            map.iter()
                .filter(|((d, _, _), _)| *d == id)
                .map(|(key, value)| (*key, *value))
                .collect()
        };
        Some(WeekSetup {
            site: self.site.clone(),
            timezone: self.timezone,
            settings: self.settings.clone(),
            week: self.week,
            menu: self.menu.clone(),
            items: self.items.clone(),
            diet_types: self.diet_types.clone(),
            departments: vec![only.clone()],
            defaults: self
                .defaults
                .get(&id)
                .map(|diets| HashMap::from([(id, diets.clone())]))
                .unwrap_or_default(),
            standing: keyed(&self.standing),
            week_schedule: keyed(&self.week_schedule),
            overrides: keyed(&self.overrides),
        })
    }
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
        match WeekSetup::load(conn, tenant_id, site_id, week, scope).await? {
            Some(setup) => Ok(Some(Self::answered(conn, setup).await?)),
            None => Ok(None),
        }
    }

    /// As [`WeekData::load`], with the set-up taken from `memo` while no write of the tenant
    /// came since it was read (the ready answers' rule, decision 0022): a write of a
    /// department's week then reads only the answers.
    pub async fn load_remembered(
        conn: &mut DbConn<'_>,
        memo: &SetupMemo,
        tenant_id: i64,
        site_id: i64,
        week: IsoWeek,
        scope: Scope<'_>,
    ) -> Result<Option<WeekData>, DbError> {
        if let Scope::Department(department) = scope
            && (department.site_id != site_id || department.tenant_id != tenant_id)
        {
            return Ok(None);
        }
        if !worth_remembering(week) {
            return Self::load(conn, tenant_id, site_id, week, scope).await;
        }
        let key = (site_id, week.year, week.week);
        let site_setup = match memo.get(&key) {
            Some(remembered) if remembered.site.tenant_id == tenant_id => remembered,
            _ => {
                let ticket = memo.ticket();
                let Some(loaded) =
                    WeekSetup::load(conn, tenant_id, site_id, week, Scope::Site).await?
                else {
                    return Ok(None);
                };
                let loaded = Arc::new(loaded);
                let scopes = [galley_core::answers::Scope::Tenant(tenant_id)];
                memo.put(key, ticket, &scopes, SETUP_FRESH, loaded.clone());
                loaded
            }
        };
        let setup = match scope {
            Scope::Site => WeekSetup::clone(&site_setup),
            Scope::Department(department) => match site_setup.narrowed_to(department) {
                Some(setup) => setup,
                None => return Self::load(conn, tenant_id, site_id, week, scope).await,
            },
        };
        Ok(Some(Self::answered(conn, setup).await?))
    }

    /// The week of `setup` with its departments' answers read.
    async fn answered(conn: &mut DbConn<'_>, setup: WeekSetup) -> Result<WeekData, DbError> {
        let ids: Vec<i64> = setup.departments.iter().map(|d| d.id).collect();
        let answers = Answers::load(conn, &ids, setup.week).await?;
        let WeekSetup {
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
        } = setup;
        Ok(WeekData {
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
        })
    }

    /// Takes in what a committed write stored (the department week's new state, and the
    /// choices and marks it wrote), so the write's answer is built without reading the week
    /// again and carries exactly the version it wrote.
    pub fn record_write(
        &mut self,
        state: WeekState,
        choices: impl IntoIterator<Item = (u32, Alt)>,
        marks: impl IntoIterator<Item = (u32, Meal, i64, bool)>,
    ) {
        let department = state.department_id;
        self.states.insert(department, state);
        for (day, alt) in choices {
            self.choices.insert((department, day), alt);
        }
        for (day, meal, diet_type, marked) in marks {
            let key = (department, day, meal, diet_type);
            if marked {
                self.marks.insert(key);
            } else {
                self.marks.remove(&key);
            }
        }
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
        let stored = store::answers_of(conn, ids, week).await?;
        let choices = stored
            .choices
            .into_iter()
            .filter_map(|(d, day, choice)| Some(((d, day as u32), Alt::parse(&choice)?)))
            .collect();
        let marks = stored
            .marks
            .into_iter()
            .filter_map(|(d, day, meal, diet)| Some((d, day as u32, Meal::parse(&meal)?, diet)))
            .collect();
        let states = stored
            .states
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
