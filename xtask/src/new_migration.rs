//! `cargo xtask new-migration OWNER NAME`: a twin pair of diesel migration folders.
//!
//! Creates `migrations/OWNER/{postgres,sqlite}/VERSION_NAME/{up.sql,down.sql}`. VERSION is
//! diesel's `YYYY-MM-DD-HHMMSS` in UTC, unique across every owner and backend, because all
//! owners share one migrations table.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::util;

/// The two backends; each owner keeps one folder per backend, in lockstep.
pub const BACKENDS: [&str; 2] = ["postgres", "sqlite"];

pub const USAGE: &str = "usage: cargo xtask new-migration OWNER NAME
  OWNER  `core` or a module with a folder under migrations/
  NAME   snake_case: lowercase letters, digits and `_` (e.g. add_menu_notes)";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let [owner, name] = args else {
        return Err(format!(
            "new-migration takes exactly two arguments\n{USAGE}"
        ));
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| format!("the system clock is before 1970: {e}"))?
        .as_secs();
    let created = create_migration(root, owner, name, now)?;
    println!("created:");
    for path in &created {
        println!("  {}", path.strip_prefix(root).unwrap_or(path).display());
    }
    println!();
    println!(
        "Write the PostgreSQL and SQLite twins together; `cargo xtask test` runs both backends."
    );
    Ok(())
}

/// `core` and every folder under `migrations/`, sorted.
pub fn valid_owners(root: &Path) -> Result<Vec<String>, String> {
    let mut owners = BTreeSet::from(["core".to_string()]);
    let dir = root.join("migrations");
    if dir.is_dir() {
        let entries =
            fs::read_dir(&dir).map_err(|e| format!("could not read {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("could not read {}: {e}", dir.display()))?;
            if entry.path().is_dir() {
                owners.insert(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    Ok(owners.into_iter().collect())
}

/// A migration name is snake_case: `[a-z0-9_]+`.
pub fn validate_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "migration name `{name}` is not snake_case: use lowercase letters, digits and `_` (e.g. add_menu_notes)"
        ))
    }
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, [0, 146096]
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1, [0, 365]
    let mp = (5 * doy + 2) / 153; // month from March, [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is in [1, 31] and month in [1, 12]: the casts cannot truncate.
    (year, month as u32, day as u32)
}

/// Diesel's version format, `YYYY-MM-DD-HHMMSS`, for seconds since the epoch (UTC).
pub fn format_version(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}-{:02}{:02}{:02}",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// The versions already used by any owner and backend: the part before the first `_` of every
/// folder `migrations/*/*/*`.
pub fn existing_versions(root: &Path) -> Result<BTreeSet<String>, String> {
    let mut versions = BTreeSet::new();
    let migrations = root.join("migrations");
    for owner in util::sorted_dirs(&migrations)? {
        for backend in util::sorted_dirs(&owner)? {
            for migration in util::sorted_dirs(&backend)? {
                if let Some(name) = migration.file_name() {
                    let name = name.to_string_lossy();
                    let version = name.split('_').next().unwrap_or_default();
                    versions.insert(version.to_string());
                }
            }
        }
    }
    Ok(versions)
}

/// The first version at or after `unix_secs` that is not taken, one second at a time.
pub fn next_free_version(mut unix_secs: u64, taken: &BTreeSet<String>) -> String {
    loop {
        let version = format_version(unix_secs);
        if !taken.contains(&version) {
            return version;
        }
        unix_secs += 1;
    }
}

/// Creates the four files and returns their paths (postgres up/down, then sqlite up/down).
pub fn create_migration(
    root: &Path,
    owner: &str,
    name: &str,
    now_unix_secs: u64,
) -> Result<Vec<PathBuf>, String> {
    let owners = valid_owners(root)?;
    if !owners.iter().any(|o| o == owner) {
        return Err(format!(
            "unknown migration owner `{owner}`; valid owners: {}",
            owners.join(", ")
        ));
    }
    validate_name(name)?;
    let version = next_free_version(now_unix_secs, &existing_versions(root)?);
    let folder = format!("{version}_{name}");
    let mut created = Vec::new();
    for backend in BACKENDS {
        let dir = root
            .join("migrations")
            .join(owner)
            .join(backend)
            .join(&folder);
        fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        for (file, direction) in [("up.sql", Direction::Up), ("down.sql", Direction::Down)] {
            let path = dir.join(file);
            let text = header(owner, backend, &folder, direction);
            fs::write(&path, text)
                .map_err(|e| format!("could not write {}: {e}", path.display()))?;
            created.push(path);
        }
    }
    Ok(created)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

fn header(owner: &str, backend: &str, folder: &str, direction: Direction) -> String {
    let (twin, backend_title) = if backend == "postgres" {
        ("sqlite", "PostgreSQL")
    } else {
        ("postgres", "SQLite")
    };
    let purpose = match direction {
        Direction::Up => "Applies the change.",
        Direction::Down => "Reverts exactly what up.sql does, in reverse order.",
    };
    format!(
        "-- {owner}: {folder} ({backend_title}). {purpose}
-- Twin: migrations/{owner}/{twin}/{folder}/ must make the same change.
--
-- Zero-downtime rules (the old release keeps running against the new schema):
--   * Additive only: add tables and columns; never drop, rename or retype something in the
--     same release as the code that stops using it.
--   * New columns are nullable (or have a default).
--   * Backfill in chunks of 500-1000 rows, never one statement over a whole table.
--   * Constrain later: NOT NULL, unique and foreign keys come in a later migration, once
--     every row satisfies them.
--   * Keep the postgres and sqlite twins in lockstep: same tables, columns and order.
--   * Portable types only: BIGINT, INTEGER, TEXT, BOOLEAN, DATE, TIMESTAMP (naive UTC);
--     TEXT for JSON and UUIDs.

"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
        // The inverse, written independently for the round-trip test.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    #[test]
    fn civil_from_days_knows_the_calendar() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
    }

    #[test]
    fn version_has_diesels_format() {
        assert_eq!(format_version(0), "1970-01-01-000000");
        // 2024-02-29 13:45:07 UTC
        assert_eq!(format_version(1_709_214_307), "2024-02-29-134507");
        assert_eq!(format_version(1_709_251_199), "2024-02-29-235959");
        let version = format_version(4_102_444_800);
        assert_eq!(version, "2100-01-01-000000");
        assert_eq!(version.len(), 17);
    }

    #[test]
    fn names_must_be_snake_case() {
        for good in ["add_menu_notes", "x", "v2_index", "_"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in ["", "AddNotes", "add-notes", "add notes", "ä", "../x", "a.b"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    fn mkdir(root: &Path, rel: &str) -> Result<(), String> {
        fs::create_dir_all(root.join(rel)).map_err(|e| e.to_string())
    }

    #[test]
    fn owners_are_core_and_migration_folders() -> Result<(), String> {
        let temp = TempDir::new("xtask-owners-test")?;
        let root = temp.path();
        assert_eq!(valid_owners(root)?, vec!["core"]);
        mkdir(root, "migrations/offshore/postgres")?;
        mkdir(root, "migrations/municipal/sqlite")?;
        fs::write(root.join("migrations/README.md"), "not an owner").map_err(|e| e.to_string())?;
        assert_eq!(valid_owners(root)?, vec!["core", "municipal", "offshore"]);
        let err = create_migration(root, "kitchen", "add_x", 0)
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("unknown migration owner `kitchen`")
                && err.contains("core, municipal, offshore"),
            "{err}"
        );
        let err = create_migration(root, "core", "Add-X", 0)
            .err()
            .unwrap_or_default();
        assert!(err.contains("not snake_case"), "{err}");
        Ok(())
    }

    #[test]
    fn creates_four_files_with_a_version_unique_across_owners() -> Result<(), String> {
        let temp = TempDir::new("xtask-new-migration-test")?;
        let root = temp.path();
        let now = 1_709_214_307; // 2024-02-29-134507
        // Taken: `now` by offshore's sqlite twin, `now + 1` by municipal's postgres twin.
        mkdir(
            root,
            "migrations/offshore/sqlite/2024-02-29-134507_add_rigs",
        )?;
        mkdir(
            root,
            "migrations/municipal/postgres/2024-02-29-134508_add_units",
        )?;
        mkdir(
            root,
            "migrations/core/postgres/00000000000000_diesel_initial_setup",
        )?;

        let created = create_migration(root, "core", "add_menu_notes", now)?;
        let rel: Vec<String> = created
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
            .collect();
        assert_eq!(
            rel,
            vec![
                "migrations/core/postgres/2024-02-29-134509_add_menu_notes/up.sql",
                "migrations/core/postgres/2024-02-29-134509_add_menu_notes/down.sql",
                "migrations/core/sqlite/2024-02-29-134509_add_menu_notes/up.sql",
                "migrations/core/sqlite/2024-02-29-134509_add_menu_notes/down.sql",
            ]
        );
        for path in &created {
            let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
            for rule in [
                "Additive only",
                "nullable",
                "500-1000 rows",
                "Constrain later",
                "lockstep",
                "BIGINT, INTEGER, TEXT, BOOLEAN, DATE, TIMESTAMP",
            ] {
                assert!(text.contains(rule), "{} lacks {rule:?}", path.display());
            }
            assert!(text.lines().all(|l| l.is_empty() || l.starts_with("--")));
        }

        // A second migration in the same second gets the next free version.
        let again = create_migration(root, "offshore", "add_more", now)?;
        assert!(
            again[0].ends_with("migrations/offshore/postgres/2024-02-29-134510_add_more/up.sql"),
            "{}",
            again[0].display()
        );
        let versions = existing_versions(root)?;
        assert!(versions.contains("2024-02-29-134509"));
        assert!(versions.contains("2024-02-29-134510"));
        assert!(versions.contains("00000000000000"));
        Ok(())
    }
}
