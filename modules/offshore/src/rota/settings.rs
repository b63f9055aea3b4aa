//! A site's rota settings as stored: shift hours, the cover it needs and its working-time
//! rules. A site that never saved any has the defaults (version 0).

use chrono::{NaiveTime, Timelike};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use crate::rotation::coverage::Cover;
use crate::rotation::rules::WorkingTimeRules;
use crate::rotation::shift_times::{Hours, ShiftTimes};
use crate::schema::offshore_rota_settings as table;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotaSettings {
    pub site_id: i64,
    pub times: ShiftTimes,
    pub cover: Vec<Cover>,
    pub rules: WorkingTimeRules,
    pub version: i64,
}

impl RotaSettings {
    pub fn defaults(site_id: i64) -> RotaSettings {
        RotaSettings {
            site_id,
            times: ShiftTimes::default(),
            cover: Vec::new(),
            rules: WorkingTimeRules::default(),
            version: 0,
        }
    }
}

/// Minutes after midnight as a time of day.
pub fn time_of(minute: i32) -> NaiveTime {
    let minute = minute.clamp(0, 24 * 60 - 1) as u32;
    NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or(NaiveTime::MIN)
}

fn minute_of(time: NaiveTime) -> i32 {
    (time.hour() * 60 + time.minute()) as i32
}

type Row = (i32, i32, i32, i32, String, i32, i32, i32, i32, i64);

pub async fn load(conn: &mut DbConn<'_>, site_id: i64) -> Result<RotaSettings, DbError> {
    let row: Option<Row> = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .select((
                table::day_start_minute,
                table::day_end_minute,
                table::night_start_minute,
                table::night_end_minute,
                table::cover,
                table::max_period_days,
                table::max_extended_period_days,
                table::max_shift_minutes,
                table::min_rest_days,
                table::version,
            ))
            .first::<Row>(c)
            .await
            .optional()
    })?;
    let Some((ds, de, ns, ne, cover, period, extended, shift, rest, version)) = row else {
        return Ok(RotaSettings::defaults(site_id));
    };
    Ok(RotaSettings {
        site_id,
        times: ShiftTimes {
            day: Hours {
                start: time_of(ds),
                end: time_of(de),
            },
            night: Hours {
                start: time_of(ns),
                end: time_of(ne),
            },
        },
        // Written only by `save` from checked values; a row that does not parse is treated
        // as requiring no cover rather than failing every page of the site.
        cover: serde_json::from_str(&cover).unwrap_or_default(),
        rules: WorkingTimeRules {
            max_period_days: period.max(1) as u32,
            max_extended_period_days: extended.max(1) as u32,
            max_shift_minutes: shift.max(1) as u32,
            min_rest_days: rest.max(0) as u32,
        },
        version,
    })
}

/// Saves `next` if the stored settings are still at `current.version`; `false` otherwise.
pub async fn save(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    current: &RotaSettings,
    next: &RotaSettings,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let cover = serde_json::to_string(&next.cover).unwrap_or_else(|_| "[]".to_owned());
    let values = (
        table::day_start_minute.eq(minute_of(next.times.day.start)),
        table::day_end_minute.eq(minute_of(next.times.day.end)),
        table::night_start_minute.eq(minute_of(next.times.night.start)),
        table::night_end_minute.eq(minute_of(next.times.night.end)),
        table::cover.eq(cover),
        table::max_period_days.eq(next.rules.max_period_days as i32),
        table::max_extended_period_days.eq(next.rules.max_extended_period_days as i32),
        table::max_shift_minutes.eq(next.rules.max_shift_minutes as i32),
        table::min_rest_days.eq(next.rules.min_rest_days as i32),
        table::version.eq(current.version + 1),
        table::updated_at.eq(now),
    );
    let count = if current.version == 0 {
        db_run!(conn, |c| {
            diesel::insert_into(table::table)
                .values((
                    table::site_id.eq(current.site_id),
                    table::tenant_id.eq(tenant_id),
                    values,
                ))
                .on_conflict_do_nothing()
                .execute(c)
                .await
        })?
    } else {
        db_run!(conn, |c| {
            diesel::update(
                table::table
                    .filter(table::site_id.eq(current.site_id))
                    .filter(table::version.eq(current.version)),
            )
            .set(values)
            .execute(c)
            .await
        })?
    };
    Ok(count == 1)
}
