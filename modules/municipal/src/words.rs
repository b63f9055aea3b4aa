//! Dates and weeks in the reader's words ("tisdag 17 mars 2026", "v. 12", "16–22 mars 2026"),
//! from the kitchen's locale files. The report downloads use the same words as the pages.

use chrono::{Datelike, NaiveDate};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::web::i18n::I18n;
use galley_core::web::lang::Lang;

/// The translations of one language.
#[derive(Clone, Copy)]
pub struct Words<'a> {
    pub i18n: &'a I18n,
    pub lang: Lang,
}

impl<'a> Words<'a> {
    pub fn new(i18n: &'a I18n, lang: Lang) -> Self {
        Words { i18n, lang }
    }

    /// The kitchen text `municipal.kitchen.{key}`.
    pub fn t(&self, key: &str) -> String {
        let key = format!("municipal.kitchen.{key}");
        self.i18n.text(self.lang, &key).to_owned()
    }

    /// "måndag" ... "söndag" for day 1-7.
    pub fn weekday(&self, day: u32) -> String {
        self.t(&format!("weekday.{day}"))
    }

    /// "mån" ... "sön" for day 1-7.
    pub fn weekday_short(&self, day: u32) -> String {
        self.t(&format!("weekday_short.{day}"))
    }

    pub fn month(&self, month: u32) -> String {
        self.t(&format!("month.{month}"))
    }

    /// "17 mars"
    pub fn day_month(&self, date: NaiveDate) -> String {
        format!("{} {}", date.day(), self.month(date.month()))
    }

    /// "tisdag 17 mars 2026"
    pub fn date_long(&self, date: NaiveDate) -> String {
        format!(
            "{} {} {}",
            self.weekday(date.weekday().number_from_monday()),
            self.day_month(date),
            date.year()
        )
    }

    /// "v. 12" (sv) or "week 12" (en).
    pub fn week(&self, week: IsoWeek) -> String {
        self.t("week_number")
            .replace("{week}", &week.week.to_string())
    }

    /// "16–22 mars 2026", "30 mars – 5 april 2026" or "29 december 2025 – 4 januari 2026".
    pub fn dates_of(&self, week: IsoWeek) -> String {
        let (first, last) = (week.monday(), week.monday() + chrono::Duration::days(6));
        if first.year() != last.year() {
            format!(
                "{} {} – {} {}",
                self.day_month(first),
                first.year(),
                self.day_month(last),
                last.year()
            )
        } else if first.month() != last.month() {
            format!(
                "{} – {} {}",
                self.day_month(first),
                self.day_month(last),
                last.year()
            )
        } else {
            format!(
                "{}–{} {} {}",
                first.day(),
                last.day(),
                self.month(last.month()),
                last.year()
            )
        }
    }

    /// "v. 12, 16–22 mars 2026"
    pub fn period(&self, week: IsoWeek) -> String {
        format!("{}, {}", self.week(week), self.dates_of(week))
    }
}
