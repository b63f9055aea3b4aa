//! What the portal's templates show of a department's week: the API's week in the reader's
//! language, with dates in words and the sentences the page needs already made.

use chrono::{DateTime, Datelike, NaiveDate};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::MenuDish;
use galley_core::web::Page;

use crate::api::week::WeekOut;
use crate::api::week::view::{DayOut, MealOut};
use crate::plan::{Alt, Meal, Warning};
use crate::web::allergens::AllergenBadges;

/// `2026-W12`, as the portal's `?week=` writes a week.
pub fn week_param(week: IsoWeek) -> String {
    format!("{}-W{:02}", week.year, week.week)
}

/// Reads `2026-W12` (or `2026-w12`); `None` for anything else or a week that does not exist.
pub fn parse_week(text: &str) -> Option<IsoWeek> {
    let (year, week) = text.trim().split_once(['W', 'w'])?;
    let year: i32 = year.strip_suffix('-')?.parse().ok()?;
    IsoWeek::new(year, week.parse().ok()?).ok()
}

/// The id of a day's card, also the fragment a saved form returns to.
pub fn day_anchor(week: IsoWeek, day: u32) -> String {
    format!("d-{}-{}-{day}", week.year, week.week)
}

/// Replaces `{name}` in a translated text.
pub fn fill(text: &str, name: &str, value: &str) -> String {
    text.replace(&format!("{{{name}}}"), value)
}

fn weekday(page: &Page, date: NaiveDate) -> String {
    let key = format!(
        "municipal.portal.weekday.{}",
        date.weekday().number_from_monday()
    );
    page.t(&key).to_owned()
}

fn month(page: &Page, date: NaiveDate) -> String {
    page.t(&format!("municipal.portal.month.{}", date.month()))
        .to_owned()
}

/// "17 mars" / "17 March".
pub fn day_month(page: &Page, date: NaiveDate) -> String {
    format!("{} {}", date.day(), month(page, date))
}

/// "tisdag 17 mars" / "Tuesday 17 March".
pub fn long_date(page: &Page, date: NaiveDate) -> String {
    format!("{} {}", weekday(page, date), day_month(page, date))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// "v. 12" / "Week 12".
pub fn week_label(page: &Page, week: IsoWeek) -> String {
    fill(
        page.t("municipal.portal.week_label"),
        "week",
        &week.week.to_string(),
    )
}

/// "16–22 mars", or "30 mars–5 april" across a month's end.
fn week_range(page: &Page, week: IsoWeek) -> String {
    let first = week.monday();
    let last = first + chrono::Duration::days(6);
    if first.month() == last.month() {
        format!("{}–{}", first.day(), day_month(page, last))
    } else {
        format!("{}–{}", day_month(page, first), day_month(page, last))
    }
}

/// A dish with its allergens named in the reader's language.
#[derive(Debug, Clone)]
pub struct DishView {
    pub name: String,
    pub allergens: AllergenBadges,
}

impl DishView {
    fn of(page: &Page, dish: &MenuDish) -> DishView {
        DishView {
            name: dish.name.clone(),
            allergens: AllergenBadges::of(page, &dish.allergens, dish.allergens_stated),
        }
    }
}

/// A diet the department has residents on, with its marks for the day.
#[derive(Debug, Clone)]
pub struct DietView {
    pub id: i64,
    pub name: String,
    pub residents: i64,
    pub always: bool,
    pub lunch: bool,
    pub dinner: bool,
    /// Dishes of the day that this diet cannot eat, per meal.
    pub clashes: Vec<ClashView>,
}

/// A dish a diet cannot eat, in the department's words: what happens unless the diet is marked
/// for the meal, and what happens once it is. The page shows one of the two by the checkbox.
#[derive(Debug, Clone)]
pub struct ClashView {
    /// `lunch` or `dinner`.
    pub meal: &'static str,
    pub unmarked: String,
    pub marked: String,
}

#[derive(Debug, Clone)]
pub struct DayView {
    pub day: u32,
    pub anchor: String,
    /// "Tisdag".
    pub weekday: String,
    /// "tisdag", for sentences.
    pub weekday_lower: String,
    /// "17 mars".
    pub date: String,
    pub today: bool,
    pub alt1: Option<DishView>,
    pub alt2: Option<DishView>,
    pub dessert: Option<DishView>,
    pub dinner_dish: Option<DishView>,
    pub alt2_available: bool,
    /// `alt1` or `alt2`: the alternative the department gets.
    pub choice: &'static str,
    /// The stored choice, for the script's conflict check.
    pub stored_choice: &'static str,
    pub lapsed: bool,
    /// The department saved a choice for the day (even the default one).
    pub chosen: bool,
    /// "Vald: Alt 2" or "Inte vald: Alt 1 (standard)": the day's state in words.
    pub state_text: String,
    pub lunch: MealOut,
    pub dinner: MealOut,
    pub diets: Vec<DietView>,
    /// The diets that need a mark (not those that always apply): the form's checkboxes.
    pub editable_diets: usize,
    pub saved: bool,
    /// A problem with this day's last save, in words.
    pub notice: Option<String>,
}

impl DayView {
    pub fn is_alt2(&self) -> bool {
        self.choice == Alt::Alt2.as_str()
    }

    /// Whether the day has anything the form can change.
    pub fn has_form(&self) -> bool {
        self.alt2_available || self.editable_diets > 0
    }

    /// `chosen` or `default`: how the day's badge is drawn (with an icon and words as well).
    pub fn state(&self) -> &'static str {
        if self.chosen { "chosen" } else { "default" }
    }
}

/// One week of the department as the page shows it.
#[derive(Debug, Clone)]
pub struct WeekView {
    pub year: i32,
    pub week: u32,
    pub param: String,
    pub anchor: String,
    /// "v. 12".
    pub label: String,
    /// "16–22 mars".
    pub range: String,
    pub api_path: String,
    pub etag: String,
    pub menu_version: i64,
    pub published: bool,
    pub menu_changed: bool,
    pub open: bool,
    /// The reader may change the week now (a writer, and before the deadline unless kitchen).
    pub editable: bool,
    /// "Du kan ändra valen till torsdag 12 mars kl. 12:00."
    pub deadline_text: String,
    /// "Ingen meny publicerad för v. 12 ännu".
    pub empty_text: String,
    /// "2 av 5 dagar valda, stänger torsdag 12 mars kl. 12:00" (or "stängde …" after).
    pub progress_text: String,
    /// The progress sentence with `{chosen}` left open, for the script to fill after a save.
    pub progress_template: String,
    /// Why the week's controls are locked, in words; empty when they are not.
    pub locked_reason: String,
    pub days: Vec<DayView>,
}

/// Who is looking, for what the page lets them do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Department staff: may change until the deadline.
    Department,
    /// Cooks and admins: may change at any time.
    Kitchen,
    /// Viewers: read only.
    Viewer,
}

/// What the page says about a day besides its data: "Sparat", or a problem.
#[derive(Debug, Clone, Default)]
pub struct DayStatus {
    pub saved: Option<(IsoWeek, u32)>,
    pub notice: Option<(IsoWeek, u32, String)>,
}

impl WeekView {
    pub fn build(
        page: &Page,
        out: &WeekOut,
        reader: Reader,
        today: NaiveDate,
        status: &DayStatus,
    ) -> WeekView {
        let week = IsoWeek {
            year: out.year,
            week: out.week,
        };
        let deadline = DateTime::parse_from_rfc3339(&out.deadline).ok();
        let when = deadline.map_or_else(String::new, |at| {
            let text = fill(
                page.t("municipal.portal.at_time"),
                "date",
                &long_date(page, at.date_naive()),
            );
            fill(&text, "time", &at.format("%H:%M").to_string())
        });
        let deadline_key = match (out.choices_open, reader) {
            (true, _) => "municipal.portal.deadline_open",
            (false, Reader::Kitchen) => "municipal.portal.deadline_closed_kitchen",
            (false, _) => "municipal.portal.deadline_closed",
        };
        let editable = match reader {
            Reader::Kitchen => true,
            Reader::Department => out.choices_open,
            Reader::Viewer => false,
        };
        let label = week_label(page, week);
        let days: Vec<DayView> = out
            .days
            .iter()
            .map(|day| day_view(page, week, day, today, status))
            .collect();
        let choosable = days.iter().filter(|d| d.alt2_available);
        let total = choosable.clone().count();
        let chosen = choosable.filter(|d| d.chosen).count();
        let progress_key = if out.choices_open {
            "municipal.portal.progress_open"
        } else {
            "municipal.portal.progress_closed"
        };
        // "torsdag kl. 12:00": the head is short; the date is in the deadline line below it.
        let when_short = deadline.map_or_else(String::new, |at| {
            let text = fill(
                page.t("municipal.portal.at_time"),
                "date",
                &weekday(page, at.date_naive()),
            );
            fill(&text, "time", &at.format("%H:%M").to_string())
        });
        let progress_template = fill(
            &fill(page.t(progress_key), "total", &total.to_string()),
            "when",
            &when_short,
        );
        let locked_reason = match (editable, reader) {
            (true, _) => String::new(),
            (false, Reader::Viewer) => page.t("municipal.portal.locked_read_only").to_owned(),
            (false, _) => fill(page.t("municipal.portal.locked_closed"), "when", &when),
        };
        WeekView {
            year: week.year,
            week: week.week,
            param: week_param(week),
            anchor: format!("w-{}-{}", week.year, week.week),
            range: week_range(page, week),
            api_path: format!(
                "/api/v1/municipal/departments/{}/weeks/{}/{}",
                out.department.id, week.year, week.week
            ),
            etag: out.etag.clone(),
            menu_version: out.menu_version.unwrap_or(0),
            published: out.menu_published,
            menu_changed: out.menu_changed,
            open: out.choices_open,
            editable,
            deadline_text: fill(page.t(deadline_key), "when", &when),
            empty_text: fill(page.t("municipal.portal.no_menu"), "week", &label),
            label,
            progress_text: fill(&progress_template, "chosen", &chosen.to_string()),
            progress_template,
            locked_reason,
            days,
        }
    }
}

fn day_view(
    page: &Page,
    week: IsoWeek,
    day: &DayOut,
    today: NaiveDate,
    status: &DayStatus,
) -> DayView {
    let menu = day.menu.as_ref();
    let dish = |pick: fn(&crate::api::week::view::DayMenu) -> Option<&MenuDish>| {
        menu.and_then(pick).map(|d| DishView::of(page, d))
    };
    let diets: Vec<DietView> = day
        .diets
        .iter()
        .filter(|d| d.residents > 0)
        .map(|d| DietView {
            id: d.diet_type_id,
            name: d.name.clone(),
            residents: d.residents,
            always: d.always_applies,
            lunch: d.lunch.stored,
            dinner: d.dinner.stored,
            clashes: day
                .warnings
                .iter()
                .filter(|w| w.diet_type_id == d.diet_type_id)
                .map(|w| clash_view(page, w))
                .collect(),
        })
        .collect();
    let weekday_lower = weekday(page, day.date);
    let state_text = state_text(page, day.chosen, day.choice);
    let here = |at: &(IsoWeek, u32)| at.0 == week && at.1 == day.day;
    DayView {
        day: day.day,
        anchor: day_anchor(week, day.day),
        weekday: capitalised(&weekday_lower),
        weekday_lower,
        date: day_month(page, day.date),
        today: day.date == today,
        alt1: dish(|m| m.alt1.as_ref()),
        alt2: dish(|m| m.alt2.as_ref()),
        dessert: dish(|m| m.dessert.as_ref()),
        dinner_dish: dish(|m| m.dinner.as_ref()),
        alt2_available: day.alt2_available,
        choice: day.choice.as_str(),
        stored_choice: day.stored_choice.as_str(),
        lapsed: day.choice_lapsed,
        chosen: day.chosen,
        state_text,
        lunch: day.lunch,
        dinner: day.dinner,
        editable_diets: diets.iter().filter(|d| !d.always).count(),
        diets,
        saved: status.saved.as_ref().is_some_and(here),
        notice: status
            .notice
            .as_ref()
            .filter(|(w, d, _)| *w == week && *d == day.day)
            .map(|(_, _, text)| text.clone()),
    }
}

/// The day's state in words: what the department chose, or the default it falls to.
fn state_text(page: &Page, chosen: bool, choice: Alt) -> String {
    let alt = match choice {
        Alt::Alt1 => page.t("municipal.portal.alt1"),
        Alt::Alt2 => page.t("municipal.portal.alt2"),
    };
    let key = if chosen {
        "municipal.portal.state_chosen"
    } else {
        "municipal.portal.state_default"
    };
    fill(page.t(key), "alt", alt)
}

/// "Köttbullar innehåller gluten: markera Glutenfri till lunch …", and its marked twin.
fn clash_view(page: &Page, warning: &Warning) -> ClashView {
    let meal = match warning.meal {
        Meal::Lunch => page.t("municipal.portal.at_lunch"),
        Meal::Dinner => page.t("municipal.portal.at_dinner"),
    };
    let allergens = warning
        .allergens
        .iter()
        .map(|a| page.t(a.key()).to_lowercase())
        .collect::<Vec<_>>()
        .join(", ");
    let fill = |key: &str| {
        page.t(key)
            .replace("{dish}", &warning.dish)
            .replace("{diet}", &warning.diet)
            .replace("{meal}", meal)
            .replace("{allergens}", &allergens)
            .replace("{portions}", &warning.portions.to_string())
    };
    let (unmarked, marked) = if warning.allergens_unknown {
        (
            "municipal.portal.clash_unknown_unmarked",
            "municipal.portal.clash_unknown_marked",
        )
    } else {
        (
            "municipal.portal.clash_unmarked",
            "municipal.portal.clash_marked",
        )
    };
    ClashView {
        meal: warning.meal.as_str(),
        unmarked: fill(unmarked),
        marked: fill(marked),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn weeks_read_back_as_written() {
        let week = IsoWeek::new(2026, 3).unwrap();
        assert_eq!(week_param(week), "2026-W03");
        assert_eq!(parse_week("2026-W03"), Some(week));
        assert_eq!(parse_week("2026-w3"), Some(week));
        assert_eq!(parse_week("2027-W53"), None, "2027 has 52 weeks");
        assert_eq!(parse_week("2026W03"), None);
        assert_eq!(parse_week("v12"), None);
        assert_eq!(parse_week(""), None);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("v. {week}", "week", "12"), "v. 12");
        assert_eq!(capitalised("tisdag"), "Tisdag");
        assert_eq!(capitalised(""), "");
    }
}
