//! A site's municipal settings: when choices close, and whether weekends offer Alt 2.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::iso_week::IsoWeek;

use crate::schema::municipal_settings;

/// The settings in force; a site that never saved any has the defaults (version 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub site_id: i64,
    /// 1 = Monday ... 7 = Sunday of the week `deadline_weeks_before` weeks before the menu week.
    pub deadline_weekday: i32,
    /// Minutes after midnight, in the site's time zone.
    pub deadline_minute: i32,
    /// 0 = the menu week itself, 1 = the week before (the usual), up to 4.
    pub deadline_weeks_before: i32,
    pub weekend_alt2: bool,
    pub version: i64,
}

impl Settings {
    pub fn defaults(site_id: i64) -> Settings {
        Settings {
            site_id,
            deadline_weekday: 4,
            deadline_minute: 12 * 60,
            deadline_weeks_before: 1,
            weekend_alt2: true,
            version: 0,
        }
    }

    /// The instant choices for `week` close, in the site's time zone. A local time that a
    /// daylight-saving change skips resolves to the next valid instant.
    pub fn deadline(&self, week: IsoWeek, timezone: chrono_tz::Tz) -> DateTime<Utc> {
        let date = week.monday()
            + Duration::days(
                i64::from(self.deadline_weekday - 1) - 7 * i64::from(self.deadline_weeks_before),
            );
        let minute = self.deadline_minute.clamp(0, 24 * 60 - 1) as u32;
        let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or_default();
        let local = date.and_time(time);
        match timezone.from_local_datetime(&local) {
            chrono::LocalResult::Single(at) => at.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
            chrono::LocalResult::None => {
                let later = local + Duration::hours(1);
                timezone
                    .from_local_datetime(&later)
                    .earliest()
                    .map_or_else(|| later.and_utc(), |at| at.with_timezone(&Utc))
            }
        }
    }

    /// "HH:MM" of the deadline.
    pub fn deadline_time(&self) -> String {
        format!(
            "{:02}:{:02}",
            self.deadline_minute / 60,
            self.deadline_minute % 60
        )
    }

    /// Whether Alt 2 may be offered on `day` (1-7) at all.
    pub fn alt2_allowed_on(&self, day: u32) -> bool {
        self.weekend_alt2 || day <= 5
    }
}

pub async fn load(conn: &mut DbConn<'_>, site_id: i64) -> Result<Settings, DbError> {
    let row = db_run!(conn, |c| {
        municipal_settings::table
            .filter(municipal_settings::site_id.eq(site_id))
            .select((
                municipal_settings::deadline_weekday,
                municipal_settings::deadline_minute,
                municipal_settings::deadline_weeks_before,
                municipal_settings::weekend_alt2,
                municipal_settings::version,
            ))
            .first::<(i32, i32, i32, bool, i64)>(c)
            .await
            .optional()
    })?;
    Ok(match row {
        Some((weekday, minute, weeks_before, weekend_alt2, version)) => Settings {
            site_id,
            deadline_weekday: weekday,
            deadline_minute: minute,
            deadline_weeks_before: weeks_before,
            weekend_alt2,
            version,
        },
        None => Settings::defaults(site_id),
    })
}

/// Saves `next` if the stored settings are still at `current.version`; `false` otherwise.
pub async fn save(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    current: &Settings,
    next: &Settings,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let values = (
        municipal_settings::deadline_weekday.eq(next.deadline_weekday),
        municipal_settings::deadline_minute.eq(next.deadline_minute),
        municipal_settings::deadline_weeks_before.eq(next.deadline_weeks_before),
        municipal_settings::weekend_alt2.eq(next.weekend_alt2),
        municipal_settings::version.eq(current.version + 1),
        municipal_settings::updated_at.eq(now),
    );
    let count = if current.version == 0 {
        db_run!(conn, |c| {
            diesel::insert_into(municipal_settings::table)
                .values((
                    municipal_settings::site_id.eq(current.site_id),
                    municipal_settings::tenant_id.eq(tenant_id),
                    values,
                ))
                .on_conflict_do_nothing()
                .execute(c)
                .await
        })?
    } else {
        db_run!(conn, |c| {
            diesel::update(
                municipal_settings::table
                    .filter(municipal_settings::site_id.eq(current.site_id))
                    .filter(municipal_settings::version.eq(current.version)),
            )
            .set(values)
            .execute(c)
            .await
        })?
    };
    Ok(count == 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn default_deadline_is_thursday_noon_the_week_before_in_local_time() {
        let settings = Settings::defaults(1);
        let week = IsoWeek::new(2026, 12).unwrap();
        // Monday of week 12 is 2026-03-16; Thursday before is 03-12, 12:00 CET = 11:00 UTC.
        let at = settings.deadline(week, chrono_tz::Europe::Stockholm);
        assert_eq!(at.to_rfc3339(), "2026-03-12T11:00:00+00:00");
        // In summer time the same local time is 10:00 UTC.
        let summer = settings.deadline(
            IsoWeek::new(2026, 30).unwrap(),
            chrono_tz::Europe::Stockholm,
        );
        assert_eq!(summer.to_rfc3339(), "2026-07-16T10:00:00+00:00");
    }

    #[test]
    fn a_skipped_local_time_moves_forward() {
        let settings = Settings {
            deadline_weekday: 7,
            deadline_minute: 2 * 60 + 30,
            deadline_weeks_before: 0,
            ..Settings::defaults(1)
        };
        // Sunday 2026-03-29 02:30 does not exist in Stockholm (clocks jump 02:00 -> 03:00).
        let at = settings.deadline(
            IsoWeek::new(2026, 13).unwrap(),
            chrono_tz::Europe::Stockholm,
        );
        assert_eq!(at.to_rfc3339(), "2026-03-29T01:30:00+00:00");
    }
}
