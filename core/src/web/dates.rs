//! Dates in the reader's words ("tirsdag 3. mars", "March 2026"), from core's catalogue, for
//! every module's pages.

use chrono::{Datelike, NaiveDate};

use super::page::Page;

/// "mandag" ... "søndag".
pub fn weekday(page: &Page, date: NaiveDate) -> String {
    page.t(&format!(
        "date.weekday.{}",
        date.weekday().number_from_monday()
    ))
    .to_owned()
}

/// "man" ... "søn".
pub fn weekday_short(page: &Page, date: NaiveDate) -> String {
    page.t(&format!(
        "date.weekday_short.{}",
        date.weekday().number_from_monday()
    ))
    .to_owned()
}

/// "mars 2026" (capitalised in English: "March 2026").
pub fn month_year(page: &Page, date: NaiveDate) -> String {
    format!(
        "{} {}",
        page.t(&format!("date.month.{}", date.month())),
        date.year()
    )
}

/// "3. mars" in Norwegian, "3 mars" in Swedish, "3 March" in English.
pub fn day_month(page: &Page, date: NaiveDate) -> String {
    let key = format!("date.month.{}", date.month());
    let month = page.t(&key);
    match page.lang {
        super::lang::Lang::Nb => format!("{}. {month}", date.day()),
        _ => format!("{} {month}", date.day()),
    }
}
