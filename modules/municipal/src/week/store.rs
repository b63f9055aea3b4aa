//! Choices, marks and the department week's version, as stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use galley_core::db::{Cached, DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::iso_week::IsoWeek;

use crate::schema::{department_weeks, diet_marks, lunch_choices};

/// A department week's stored state: its version and when choices and marks were last saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Queryable)]
pub struct WeekState {
    pub department_id: i64,
    pub version: i64,
    pub choices_at: Option<NaiveDateTime>,
    pub marks_at: Option<NaiveDateTime>,
}

impl WeekState {
    /// A week nobody has written yet.
    pub fn unwritten(department_id: i64) -> Self {
        WeekState {
            department_id,
            ..WeekState::default()
        }
    }

    /// The state a write of `what` at `at` leaves after this one: the next version, and the
    /// time of the answers it saved.
    pub fn after(self, what: WeekWrite, at: NaiveDateTime) -> Self {
        let (choices, marks) = match what {
            WeekWrite::Choices => (true, false),
            WeekWrite::Marks => (false, true),
            WeekWrite::ChoicesAndMarks => (true, true),
        };
        WeekState {
            version: self.version + 1,
            choices_at: if choices { Some(at) } else { self.choices_at },
            marks_at: if marks { Some(at) } else { self.marks_at },
            ..self
        }
    }
}

/// What a write to a department week changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekWrite {
    Choices,
    Marks,
    /// The whole-week call: both kinds of answer in one version.
    ChoicesAndMarks,
}

/// The stored answers of departments' week: their states, choices and marks.
pub struct StoredAnswers {
    pub states: Vec<WeekState>,
    /// (department, day, choice); days without a row are Alt 1.
    pub choices: Vec<(i64, i32, String)>,
    /// (department, day, meal, diet type) of every mark set.
    pub marks: Vec<(i64, i32, String, i64)>,
}

/// A department week table's rows of `week` for the departments, boxed for the backend that
/// loads it. One department is filtered with `=`, which both backends keep as a prepared
/// statement: SQLite never caches a statement with an `IN` list, and PostgreSQL plans
/// `= ANY($1)` again for every array it is given. A write reads one department's answers.
macro_rules! answers_query {
    ($table:ident, $departments:expr, $year:expr, $week:expr, ($($column:ident),+ $(,)?)) => {{
        let query = $table::table
            .filter($table::year.eq($year))
            .filter($table::week.eq($week))
            .select(($($table::$column),+))
            .into_boxed();
        match $departments {
            [one] => query.filter($table::department_id.eq(*one)),
            many => query.filter($table::department_id.eq_any(many)),
        }
    }};
}

/// Reads the departments' answers of `week`. On PostgreSQL the three queries go out together
/// (pipelined), one round trip instead of three.
pub async fn answers_of(
    conn: &mut DbConn<'_>,
    departments: &[i64],
    week: IsoWeek,
) -> Result<StoredAnswers, DbError> {
    let (year, number) = (week.year, week.week as i32);
    macro_rules! states {
        () => {
            answers_query!(
                department_weeks,
                departments,
                year,
                number,
                (department_id, version, choices_at, marks_at)
            )
        };
    }
    macro_rules! choices {
        () => {
            answers_query!(
                lunch_choices,
                departments,
                year,
                number,
                (department_id, day, choice)
            )
        };
    }
    macro_rules! marks {
        () => {
            answers_query!(
                diet_marks,
                departments,
                year,
                number,
                (department_id, day, meal, diet_type_id)
            )
        };
    }
    let (states, choices, marks) = match conn {
        DbConn::Postgres(c) => {
            let shared: &AsyncPgConnection = c;
            futures_util::future::try_join3(
                states!().load(&mut &*shared),
                choices!().load(&mut &*shared),
                marks!().load(&mut &*shared),
            )
            .await?
        }
        DbConn::Sqlite(c) => (
            states!().load(*c).await?,
            choices!().load(*c).await?,
            marks!().load(*c).await?,
        ),
    };
    Ok(StoredAnswers {
        states,
        choices,
        marks,
    })
}

/// Moves the department week from `from` to `to` (`from.after(..)`); `false` when another
/// write came first. Version 0 is a week nobody has written yet.
pub async fn bump(
    conn: &mut DbConn<'_>,
    week: IsoWeek,
    from: WeekState,
    to: WeekState,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let (year, number) = (week.year, week.week as i32);
    let department_id = from.department_id;
    let count = if from.version == 0 {
        db_run!(conn, |c| {
            Cached(
                diesel::insert_into(department_weeks::table)
                    .values((
                        department_weeks::department_id.eq(department_id),
                        department_weeks::year.eq(year),
                        department_weeks::week.eq(number),
                        department_weeks::version.eq(to.version),
                        department_weeks::choices_at.eq(to.choices_at),
                        department_weeks::marks_at.eq(to.marks_at),
                        department_weeks::updated_at.eq(now),
                    ))
                    .on_conflict_do_nothing(),
            )
            .execute(c)
            .await
        })?
    } else {
        let target = department_weeks::table
            .filter(department_weeks::department_id.eq(department_id))
            .filter(department_weeks::year.eq(year))
            .filter(department_weeks::week.eq(number))
            .filter(department_weeks::version.eq(from.version));
        db_run!(conn, |c| {
            Cached(diesel::update(target).set((
                department_weeks::version.eq(to.version),
                department_weeks::choices_at.eq(to.choices_at),
                department_weeks::marks_at.eq(to.marks_at),
                department_weeks::updated_at.eq(now),
            )))
            .execute(c)
            .await
        })?
    };
    Ok(count == 1)
}

pub async fn set_choice(
    conn: &mut DbConn<'_>,
    department_id: i64,
    week: IsoWeek,
    day: i32,
    choice: &str,
    user_id: Option<i64>,
) -> Result<(), DbError> {
    let now = galley_core::db::now();
    let (year, number) = (week.year, week.week as i32);
    db_run!(conn, |c| {
        Cached(
            diesel::insert_into(lunch_choices::table)
                .values((
                    lunch_choices::department_id.eq(department_id),
                    lunch_choices::year.eq(year),
                    lunch_choices::week.eq(number),
                    lunch_choices::day.eq(day),
                    lunch_choices::choice.eq(choice),
                    lunch_choices::updated_by.eq(user_id),
                    lunch_choices::updated_at.eq(now),
                ))
                .on_conflict((
                    lunch_choices::department_id,
                    lunch_choices::year,
                    lunch_choices::week,
                    lunch_choices::day,
                ))
                .do_update()
                .set((
                    lunch_choices::choice.eq(choice),
                    lunch_choices::updated_by.eq(user_id),
                    lunch_choices::updated_at.eq(now),
                )),
        )
        .execute(c)
        .await
    })?;
    Ok(())
}

pub async fn set_mark(
    conn: &mut DbConn<'_>,
    department_id: i64,
    week: IsoWeek,
    day: i32,
    meal: &str,
    diet_type_id: i64,
    marked: bool,
) -> Result<(), DbError> {
    let (year, number) = (week.year, week.week as i32);
    db_run!(conn, |c| {
        if marked {
            diesel::insert_into(diet_marks::table)
                .values((
                    diet_marks::department_id.eq(department_id),
                    diet_marks::year.eq(year),
                    diet_marks::week.eq(number),
                    diet_marks::day.eq(day),
                    diet_marks::meal.eq(meal),
                    diet_marks::diet_type_id.eq(diet_type_id),
                ))
                .on_conflict_do_nothing()
                .execute(c)
                .await
        } else {
            diesel::delete(
                diet_marks::table
                    .filter(diet_marks::department_id.eq(department_id))
                    .filter(diet_marks::year.eq(year))
                    .filter(diet_marks::week.eq(number))
                    .filter(diet_marks::day.eq(day))
                    .filter(diet_marks::meal.eq(meal))
                    .filter(diet_marks::diet_type_id.eq(diet_type_id)),
            )
            .execute(c)
            .await
        }
    })?;
    Ok(())
}
