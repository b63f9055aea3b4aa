//! Weeks, dates and deadlines in words, in the reader's language ("v. 12, 16–22 mars 2026").

use chrono::{DateTime, Datelike, NaiveDate};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::web::Page;

/// "v. 12" (sv) or "week 12" (en).
pub fn week_label(page: &Page, week: IsoWeek) -> String {
    page.t("municipal.admin.week_label")
        .replace("{week}", &week.week.to_string())
}

/// The day's name, 1 = Monday ... 7 = Sunday, as written inside a sentence.
pub fn weekday_name(page: &Page, day: u32) -> String {
    let key = format!("municipal.admin.weekday.{day}");
    page.t(&key).to_owned()
}

/// The day's name as a label ("Måndag").
pub fn weekday_label(page: &Page, day: u32) -> String {
    let name = weekday_name(page, day);
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name,
    }
}

fn month_name(page: &Page, month: u32) -> String {
    let key = format!("municipal.admin.month.{month}");
    page.t(&key).to_owned()
}

/// "26 november".
pub fn day_and_month(page: &Page, date: NaiveDate) -> String {
    format!("{} {}", date.day(), month_name(page, date.month()))
}

/// "16–22 mars 2026", "30 mars – 5 april 2026", "29 december 2025 – 4 januari 2026".
pub fn date_range(page: &Page, week: IsoWeek) -> String {
    let (first, last) = (week.monday(), week.monday() + chrono::Duration::days(6));
    if first.month() == last.month() {
        format!(
            "{}–{} {} {}",
            first.day(),
            last.day(),
            month_name(page, last.month()),
            last.year()
        )
    } else if first.year() == last.year() {
        format!(
            "{} – {} {}",
            day_and_month(page, first),
            day_and_month(page, last),
            last.year()
        )
    } else {
        format!(
            "{} {} – {} {}",
            day_and_month(page, first),
            first.year(),
            day_and_month(page, last),
            last.year()
        )
    }
}

/// "Valen för v. 49 stänger torsdag 26 november kl. 12:00." before the deadline, "stängde"
/// after it: the tense follows `now`.
pub fn deadline_sentence(
    page: &Page,
    week: IsoWeek,
    at: DateTime<chrono_tz::Tz>,
    now: DateTime<chrono::Utc>,
) -> String {
    let date = at.date_naive();
    let key = if at <= now {
        "municipal.deadline.closed_sentence"
    } else {
        "municipal.admin.deadline_sentence"
    };
    page.t(key)
        .replace("{week}", &week_label(page, week))
        .replace(
            "{weekday}",
            &weekday_name(page, date.weekday().number_from_monday()),
        )
        .replace("{date}", &day_and_month(page, date))
        .replace("{time}", &at.format("%H:%M").to_string())
}
