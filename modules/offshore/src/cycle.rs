//! The menu cycle: a rig repeats an N-week menu, each cycle week a template of dishes; the
//! weekly menu of a site is generated from the template of the cycle week it falls in. This
//! file is the pure part; `store` keeps cycles and templates.

pub mod store;

use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::module::MenuSlot;

/// Longest cycle, in weeks (the table's check says the same).
pub const MAX_LENGTH: u32 = 12;

const fn slot(meal: &'static str, slot: &'static str) -> MenuSlot {
    MenuSlot { meal, slot }
}

/// The meals and slots of an offshore menu: lunch and dinner by dish category, and the night
/// shift's meal. Cycle templates and the site's menus accept these.
pub static MENU_SLOTS: &[MenuSlot] = &[
    slot("lunch", "soup"),
    slot("lunch", "fish"),
    slot("lunch", "meat"),
    slot("lunch", "vegetarian"),
    slot("lunch", "dessert"),
    slot("lunch", "extra"),
    slot("dinner", "soup"),
    slot("dinner", "fish"),
    slot("dinner", "meat"),
    slot("dinner", "vegetarian"),
    slot("dinner", "dessert"),
    slot("dinner", "extra"),
    slot("night", "night_meal"),
];

/// Whether (meal, slot) is one of [`MENU_SLOTS`].
pub fn is_slot(meal: &str, slot: &str) -> bool {
    MENU_SLOTS.iter().any(|s| s.meal == meal && s.slot == slot)
}

/// The cycle week (1..=`length`) that `week` is, for a cycle that had cycle week
/// `start_index` in ISO week `start`.
///
/// The guide writes this as `((ISO week - start week + start index - 1) mod N) + 1`. That is
/// exact while both weeks are in one ISO year, but the ISO week number restarts at 1 after
/// week 52 or 53, so across a year boundary the guide's formula would jump (2027-W1 would
/// follow 2026-W53 as if 52 weeks had passed backwards). A galley's cycle simply runs on, so
/// this counts the real weeks between the two Mondays instead. `rem_euclid` makes weeks
/// before the start count backwards through the cycle too.
///
/// `length` 0 is no cycle; the answer is then 1 rather than a division by zero (the API
/// never stores such a cycle).
pub fn cycle_week(week: IsoWeek, start: IsoWeek, start_index: u32, length: u32) -> u32 {
    if length == 0 {
        return 1;
    }
    let weeks = (week.monday() - start.monday()).num_days().div_euclid(7);
    let position = weeks + i64::from(start_index) - 1;
    // In 0..length, so it fits a u32.
    position.rem_euclid(i64::from(length)) as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(year: i32, week: u32) -> IsoWeek {
        IsoWeek::new(year, week).unwrap()
    }

    /// The guide's formula, for weeks of one ISO year.
    fn guide(week: u32, start_week: u32, start_index: u32, length: u32) -> u32 {
        ((week as i64 - start_week as i64 + start_index as i64 - 1).rem_euclid(length as i64) + 1)
            as u32
    }

    #[test]
    fn four_week_cycle_from_week_10_index_1() {
        let start = w(2026, 10);
        assert_eq!(cycle_week(w(2026, 10), start, 1, 4), 1);
        assert_eq!(cycle_week(w(2026, 11), start, 1, 4), 2);
        assert_eq!(cycle_week(w(2026, 13), start, 1, 4), 4);
        assert_eq!(cycle_week(w(2026, 14), start, 1, 4), 1);
        // Before the start: week 9 is the week before cycle week 1.
        assert_eq!(cycle_week(w(2026, 9), start, 1, 4), 4);
        assert_eq!(cycle_week(w(2026, 6), start, 1, 4), 1);
    }

    #[test]
    fn starting_in_the_middle_of_the_cycle() {
        let start = w(2026, 10);
        assert_eq!(cycle_week(w(2026, 10), start, 3, 4), 3);
        assert_eq!(cycle_week(w(2026, 11), start, 3, 4), 4);
        assert_eq!(cycle_week(w(2026, 12), start, 3, 4), 1);
    }

    #[test]
    fn within_one_year_it_is_the_guides_formula() {
        for start_week in [1, 10, 30] {
            for index in 1..=4 {
                for week in 1..=53 {
                    assert_eq!(
                        cycle_week(w(2026, week), w(2026, start_week), index, 4),
                        guide(week, start_week, index, 4),
                        "week {week}, start {start_week}, index {index}"
                    );
                }
            }
        }
    }

    #[test]
    fn across_the_year_boundary_the_cycle_runs_on() {
        // 2026 has 53 weeks. From 2026-W50 at index 1 with N = 4: W50 1, W51 2, W52 3,
        // W53 4, then 2027-W1 is cycle week 1 again and W2 is 2.
        let start = w(2026, 50);
        assert_eq!(cycle_week(w(2026, 53), start, 1, 4), 4);
        assert_eq!(cycle_week(w(2027, 1), start, 1, 4), 1);
        assert_eq!(cycle_week(w(2027, 2), start, 1, 4), 2);
        // The guide's formula with 2027's week number would say (1 - 50 + 0) mod 4 + 1 = 4:
        // the same cycle week twice in a row.
        assert_eq!(guide(1, 50, 1, 4), 4);
        // Counting back over the boundary: from 2027-W2 at index 1, 2026-W53 is cycle week 3.
        assert_eq!(cycle_week(w(2026, 53), w(2027, 2), 1, 4), 3);
    }

    #[test]
    fn lunch_and_dinner_have_six_slots_and_night_one() {
        assert_eq!(MENU_SLOTS.len(), 13);
        assert!(is_slot("dinner", "vegetarian"));
        assert!(is_slot("night", "night_meal"));
        assert!(!is_slot("night", "soup"));
        assert!(!is_slot("lunch", "alt1"));
    }

    #[test]
    fn a_one_week_cycle_is_always_week_1() {
        assert_eq!(cycle_week(w(2030, 7), w(2026, 10), 1, 1), 1);
    }
}
