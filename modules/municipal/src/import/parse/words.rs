//! The words of menu files: column names, weekdays, meals, alternatives, weeks and years, in
//! Swedish, Norwegian and English. Every lookup ignores case and surrounding space. The
//! `Err`s are the row problems of a wrong cell or label.

use crate::import::model::{ImportField, ImportSlot, RowProblem};
use crate::import::problem::{MAX_DISH_CHARS, MAX_YEAR, MIN_YEAR};

/// The columns of a CSV or XLSX menu are the fields its row errors name.
impl ImportField {
    pub const ALL: [ImportField; 6] = [
        ImportField::Year,
        ImportField::Week,
        ImportField::Weekday,
        ImportField::Meal,
        ImportField::Alternative,
        ImportField::Dish,
    ];

    /// How a missing column is named to people: the Swedish header and the field.
    pub fn label(self) -> &'static str {
        match self {
            ImportField::Year => "År (year)",
            ImportField::Week => "Vecka (week)",
            ImportField::Weekday => "Dag (weekday)",
            ImportField::Meal => "Måltid (meal)",
            ImportField::Alternative => "Alternativ (alternative)",
            ImportField::Dish => "Rätt (dish)",
        }
    }

    /// The column a header cell names, if any.
    pub fn from_header(text: &str) -> Option<ImportField> {
        let name = normalize(text);
        let name = name.trim_end_matches([':', '.']);
        Some(match name {
            "år" | "year" => ImportField::Year,
            "vecka" | "uke" | "week" => ImportField::Week,
            "dag" | "veckodag" | "ukedag" | "weekday" | "day" => ImportField::Weekday,
            "måltid" | "meal" => ImportField::Meal,
            "alternativ" | "alt" | "alternative" | "slot" => ImportField::Alternative,
            "rätt" | "rett" | "dish" | "maträtt" | "matrett" => ImportField::Dish,
            _ => return None,
        })
    }
}

/// Lowercase, trimmed, inner whitespace collapsed to single spaces; a byte order mark that
/// survived decoding counts as space.
pub(super) fn normalize(text: &str) -> String {
    collapse_whitespace(&text.replace('\u{feff}', " ")).to_lowercase()
}

pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a weekday word is written out in full or abbreviated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameForm {
    Full,
    Abbreviated,
}

/// (name, day 1-7, form). Norwegian shares onsdag/torsdag/fredag and "fre" with Swedish.
const WEEKDAY_NAMES: &[(&str, u32, NameForm)] = &[
    ("måndag", 1, NameForm::Full),
    ("mandag", 1, NameForm::Full),
    ("monday", 1, NameForm::Full),
    ("tisdag", 2, NameForm::Full),
    ("tirsdag", 2, NameForm::Full),
    ("tuesday", 2, NameForm::Full),
    ("onsdag", 3, NameForm::Full),
    ("wednesday", 3, NameForm::Full),
    ("torsdag", 4, NameForm::Full),
    ("thursday", 4, NameForm::Full),
    ("fredag", 5, NameForm::Full),
    ("friday", 5, NameForm::Full),
    ("lördag", 6, NameForm::Full),
    ("lørdag", 6, NameForm::Full),
    ("saturday", 6, NameForm::Full),
    ("söndag", 7, NameForm::Full),
    ("søndag", 7, NameForm::Full),
    ("sunday", 7, NameForm::Full),
    ("mån", 1, NameForm::Abbreviated),
    ("man", 1, NameForm::Abbreviated),
    ("mon", 1, NameForm::Abbreviated),
    ("tis", 2, NameForm::Abbreviated),
    ("tir", 2, NameForm::Abbreviated),
    ("tue", 2, NameForm::Abbreviated),
    ("tues", 2, NameForm::Abbreviated),
    ("ons", 3, NameForm::Abbreviated),
    ("wed", 3, NameForm::Abbreviated),
    ("tor", 4, NameForm::Abbreviated),
    ("tors", 4, NameForm::Abbreviated),
    ("thu", 4, NameForm::Abbreviated),
    ("thur", 4, NameForm::Abbreviated),
    ("thurs", 4, NameForm::Abbreviated),
    ("fre", 5, NameForm::Abbreviated),
    ("fri", 5, NameForm::Abbreviated),
    ("lör", 6, NameForm::Abbreviated),
    ("lør", 6, NameForm::Abbreviated),
    ("sat", 6, NameForm::Abbreviated),
    ("sön", 7, NameForm::Abbreviated),
    ("søn", 7, NameForm::Abbreviated),
    ("sun", 7, NameForm::Abbreviated),
];

/// The day (1 = Monday) a weekday name or abbreviation means; a trailing "." is allowed.
pub(super) fn weekday_name(word: &str) -> Option<(u32, NameForm)> {
    let word = normalize(word);
    let word = word.strip_suffix('.').unwrap_or(&word);
    WEEKDAY_NAMES
        .iter()
        .find(|(name, _, _)| *name == word)
        .map(|&(_, day, form)| (day, form))
}

/// A weekday cell: 1-7 or a name.
pub(super) fn weekday(text: &str) -> Result<u32, RowProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(RowProblem::WeekdayMissing);
    }
    if let Ok(day) = text.parse::<u32>() {
        return if (1..=7).contains(&day) {
            Ok(day)
        } else {
            Err(RowProblem::WeekdayOutOfRange { day })
        };
    }
    weekday_name(text)
        .map(|(day, _)| day)
        .ok_or_else(|| RowProblem::WeekdayUnknown {
            text: text.to_owned(),
        })
}

/// The two meals of the municipal menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meal {
    Lunch,
    Dinner,
}

/// A meal cell. "Middag" is the main hot meal of the day in care homes, served at noon in
/// Sweden and early afternoon in Norway, so it is lunch; the evening meal is "kvällsmat".
pub(super) fn meal(text: &str) -> Result<Meal, RowProblem> {
    match normalize(text).as_str() {
        "" => Err(RowProblem::MealMissing),
        "lunch" | "lunsj" | "middag" => Ok(Meal::Lunch),
        "dinner" | "kvällsmat" | "kväll" | "kveldsmat" | "kvelds" | "kveld" => Ok(Meal::Dinner),
        _ => Err(RowProblem::MealUnknown {
            text: text.trim().to_owned(),
        }),
    }
}

/// The number in "1", "alt 1", "alt1", "alt. 1", "alternativ 1", "alternative 1".
fn alternative_number(normalized: &str) -> Option<u32> {
    let rest = ["alternative", "alternativ", "alt.", "alt"]
        .iter()
        .find_map(|prefix| normalized.strip_prefix(prefix))
        .unwrap_or(normalized);
    let rest = rest.trim();
    if rest.is_empty() || !rest.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

fn is_dessert(normalized: &str) -> bool {
    matches!(normalized, "dessert" | "efterrätt" | "ettersett")
}

fn is_dinner_word(normalized: &str) -> bool {
    matches!(
        normalized,
        "kväll" | "kvällsmat" | "kveld" | "kveldsmat" | "kvelds" | "dinner"
    )
}

/// An alternative cell, which means something only with its meal.
pub(super) fn alternative(meal: Meal, text: &str) -> Result<ImportSlot, RowProblem> {
    let normalized = normalize(text);
    let normalized = normalized.trim_end_matches(':');
    match meal {
        Meal::Lunch => match alternative_number(normalized) {
            Some(1) => Ok(ImportSlot::Alt1),
            Some(2) => Ok(ImportSlot::Alt2),
            _ if is_dessert(normalized) => Ok(ImportSlot::Dessert),
            _ if normalized.is_empty() => Err(RowProblem::AlternativeMissing),
            _ => Err(RowProblem::AlternativeUnknown {
                text: text.trim().to_owned(),
            }),
        },
        // Dinner has one dish: its alternative may be left empty or named as the main one.
        Meal::Dinner => match alternative_number(normalized) {
            Some(1) => Ok(ImportSlot::Dinner),
            _ if normalized.is_empty()
                || is_dinner_word(normalized)
                || matches!(normalized, "main" | "huvudrätt" | "hovedrett") =>
            {
                Ok(ImportSlot::Dinner)
            }
            _ => Err(RowProblem::DinnerAlternative {
                text: text.trim().to_owned(),
            }),
        },
    }
}

/// The slot a DOCX dish label ("Alt 1", "Dessert", "Kväll", ...) names.
pub(super) fn dish_label(label: &str) -> Result<ImportSlot, RowProblem> {
    let normalized = normalize(label);
    match alternative_number(&normalized) {
        Some(1) => return Ok(ImportSlot::Alt1),
        Some(2) => return Ok(ImportSlot::Alt2),
        _ => {}
    }
    if is_dessert(&normalized) {
        Ok(ImportSlot::Dessert)
    } else if is_dinner_word(&normalized) {
        Ok(ImportSlot::Dinner)
    } else if matches!(normalized.as_str(), "lunch" | "lunsj") {
        Ok(ImportSlot::Alt1)
    } else if normalized == "middag" {
        Err(RowProblem::LabelAmbiguous)
    } else {
        Err(RowProblem::LabelUnknown {
            text: label.trim().to_owned(),
        })
    }
}

/// Whether a DOCX line's first word makes it a dish line (so that a malformed one is an
/// error rather than ignored as prose).
pub(super) fn starts_dish_line(first_word: &str) -> bool {
    let word = normalize(first_word);
    matches!(
        word.as_str(),
        "alt" | "alternativ" | "alternative" | "lunch" | "lunsj" | "middag"
    ) || is_dessert(&word)
        || is_dinner_word(&word)
}

/// A year cell or the year of a week heading; callers read an empty one as the default year.
pub(super) fn year(text: &str) -> Result<i32, RowProblem> {
    let text = text.trim();
    match text.parse::<i32>() {
        Ok(year) if (MIN_YEAR..=MAX_YEAR).contains(&year) => Ok(year),
        Ok(year) => Err(RowProblem::YearOutOfRange { year }),
        Err(_) => Err(RowProblem::YearNotANumber {
            text: text.to_owned(),
        }),
    }
}

/// A week number 1-53, on its own or after "v", "v.", "vecka", "uke" or "week".
pub(super) fn week(text: &str) -> Result<u32, RowProblem> {
    let normalized = normalize(text);
    let number = ["vecka", "uke", "week", "v.", "v"]
        .iter()
        .find_map(|prefix| normalized.strip_prefix(prefix))
        .unwrap_or(&normalized)
        .trim();
    week_number(number).ok_or_else(|| {
        if normalized.is_empty() {
            RowProblem::WeekMissing
        } else {
            RowProblem::WeekInvalid {
                text: text.trim().to_owned(),
            }
        }
    })
}

/// Digits only, 1-53.
pub(super) fn week_number(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|week| (1..=53).contains(week))
}

/// A dish text, whitespace collapsed, 1-120 characters.
pub(super) fn dish(text: &str) -> Result<String, RowProblem> {
    // Line breaks and tabs are white space, collapsed below; any other control character
    // is refused, as the API refuses it in typed text.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(RowProblem::ControlCharacter);
    }
    let dish = collapse_whitespace(text);
    let length = dish.chars().count();
    if length == 0 {
        Err(RowProblem::DishMissing)
    } else if length > MAX_DISH_CHARS {
        Err(RowProblem::DishTooLong { length })
    } else {
        Ok(dish)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_dish_with_a_control_character_is_refused() {
        assert_eq!(dish("Fisk\u{0}gratäng"), Err(RowProblem::ControlCharacter));
        assert_eq!(dish("Fisk\u{1b}[2J"), Err(RowProblem::ControlCharacter));
        assert_eq!(dish("Fisk\tgratäng\r\n").as_deref(), Ok("Fisk gratäng"));
    }

    #[test]
    fn header_aliases_in_three_languages() {
        let cases = [
            (" ÅR ", ImportField::Year),
            ("Year", ImportField::Year),
            ("Vecka", ImportField::Week),
            ("uke", ImportField::Week),
            ("WEEK", ImportField::Week),
            ("Dag", ImportField::Weekday),
            ("Veckodag", ImportField::Weekday),
            ("Day", ImportField::Weekday),
            ("Måltid", ImportField::Meal),
            ("MÅLTID", ImportField::Meal),
            ("Alt", ImportField::Alternative),
            ("Slot", ImportField::Alternative),
            ("Rätt", ImportField::Dish),
            ("Rett", ImportField::Dish),
            ("Maträtt", ImportField::Dish),
            ("Dish:", ImportField::Dish),
        ];
        for (header, column) in cases {
            assert_eq!(ImportField::from_header(header), Some(column), "{header}");
        }
        assert_eq!(ImportField::from_header("Kommentar"), None);
        assert_eq!(ImportField::from_header("Vecka 12"), None);
    }

    #[test]
    fn weekdays_as_numbers_names_and_abbreviations() {
        let cases = [
            ("1", 1),
            ("7", 7),
            ("Måndag", 1),
            ("mån", 1),
            ("Mån.", 1),
            ("mandag", 1),
            ("man", 1),
            ("Monday", 1),
            ("tirsdag", 2),
            ("Tis", 2),
            ("ONSDAG", 3),
            ("tors", 4),
            ("tor", 4),
            ("Thu", 4),
            ("fre", 5),
            ("lördag", 6),
            ("LØRDAG", 6),
            ("lør", 6),
            ("sön", 7),
            ("søndag", 7),
            ("Sunday", 7),
        ];
        for (text, day) in cases {
            assert_eq!(weekday(text), Ok(day), "{text}");
        }
        assert_eq!(weekday("8"), Err(RowProblem::WeekdayOutOfRange { day: 8 }));
        assert_eq!(
            weekday("Frdag"),
            Err(RowProblem::WeekdayUnknown {
                text: "Frdag".into()
            })
        );
        assert_eq!(weekday(" "), Err(RowProblem::WeekdayMissing));
        assert_eq!(weekday_name("Fredag"), Some((5, NameForm::Full)));
        assert_eq!(weekday_name("fre"), Some((5, NameForm::Abbreviated)));
    }

    #[test]
    fn meals() {
        for text in ["Lunch", "lunsj", "Middag"] {
            assert_eq!(meal(text), Ok(Meal::Lunch), "{text}");
        }
        for text in ["Kvällsmat", "kväll", "Kveldsmat", "kvelds", "Dinner"] {
            assert_eq!(meal(text), Ok(Meal::Dinner), "{text}");
        }
        assert!(meal("Frukost").is_err());
        assert!(meal("").is_err());
    }

    #[test]
    fn lunch_alternatives() {
        for text in [
            "1",
            "alt 1",
            "Alt1",
            "Alt. 1",
            "Alternativ 1",
            "alternative 1",
        ] {
            assert_eq!(
                alternative(Meal::Lunch, text),
                Ok(ImportSlot::Alt1),
                "{text}"
            );
        }
        for text in ["2", "ALT 2", "alternativ 2"] {
            assert_eq!(
                alternative(Meal::Lunch, text),
                Ok(ImportSlot::Alt2),
                "{text}"
            );
        }
        assert_eq!(alternative(Meal::Lunch, "Dessert"), Ok(ImportSlot::Dessert));
        assert!(alternative(Meal::Lunch, "3").is_err());
        assert!(alternative(Meal::Lunch, "").is_err());
        assert!(alternative(Meal::Lunch, "Kväll").is_err());
    }

    #[test]
    fn dinner_alternatives() {
        for text in ["", "main", "Huvudrätt", "Kväll", "kvällsmat", "1", "Alt 1"] {
            assert_eq!(
                alternative(Meal::Dinner, text),
                Ok(ImportSlot::Dinner),
                "{text}"
            );
        }
        assert!(alternative(Meal::Dinner, "2").is_err());
        assert!(alternative(Meal::Dinner, "Dessert").is_err());
    }

    #[test]
    fn dish_labels() {
        assert_eq!(dish_label("Alt 1"), Ok(ImportSlot::Alt1));
        assert_eq!(dish_label("alt2"), Ok(ImportSlot::Alt2));
        assert_eq!(dish_label("Dessert"), Ok(ImportSlot::Dessert));
        assert_eq!(dish_label("Kvällsmat"), Ok(ImportSlot::Dinner));
        assert_eq!(dish_label("Kveld"), Ok(ImportSlot::Dinner));
        assert_eq!(
            dish_label(" Alt 3 "),
            Err(RowProblem::LabelUnknown {
                text: "Alt 3".into()
            })
        );
        assert_eq!(dish_label("Middag"), Err(RowProblem::LabelAmbiguous));
        assert!(starts_dish_line("Alt"));
        assert!(starts_dish_line("KVÄLL"));
        assert!(!starts_dish_line("Alternativt"));
        assert!(!starts_dish_line("Obs"));
    }

    #[test]
    fn years_and_weeks() {
        assert_eq!(year("2026"), Ok(2026));
        assert_eq!(year("1999"), Err(RowProblem::YearOutOfRange { year: 1999 }));
        assert!(year("2101").is_err());
        assert_eq!(
            year("tjugo"),
            Err(RowProblem::YearNotANumber {
                text: "tjugo".into()
            })
        );
        for text in [
            "12", "v12", "v. 12", "V 12", "Vecka 12", "uke 12", "week 12",
        ] {
            assert_eq!(week(text), Ok(12), "{text}");
        }
        assert_eq!(week("53"), Ok(53));
        for text in ["0", "54", "12a", "-1", "012x", "999"] {
            assert_eq!(
                week(text),
                Err(RowProblem::WeekInvalid { text: text.into() }),
                "{text}"
            );
        }
        assert_eq!(week(" "), Err(RowProblem::WeekMissing));
    }

    #[test]
    fn dishes_are_collapsed_and_bounded() {
        assert_eq!(
            dish("  Köttbullar   med\tpotatismos\n och lingon "),
            Ok("Köttbullar med potatismos och lingon".to_owned())
        );
        assert_eq!(dish(" \t "), Err(RowProblem::DishMissing));
        assert_eq!(dish(&"å".repeat(120)).map(|d| d.chars().count()), Ok(120));
        assert_eq!(
            dish(&"å".repeat(121)),
            Err(RowProblem::DishTooLong { length: 121 })
        );
    }
}
