use super::*;

fn rules_of(
    sql: &str,
    backend: Backend,
    in_transaction: bool,
) -> Result<Vec<&'static str>, String> {
    Ok(lint_sql(sql, backend, in_transaction)?
        .iter()
        .map(|f| f.rule.name())
        .collect())
}

fn pg(sql: &str) -> Result<Vec<&'static str>, String> {
    rules_of(sql, Backend::Postgres, true)
}

fn lite(sql: &str) -> Result<Vec<&'static str>, String> {
    rules_of(sql, Backend::Sqlite, true)
}

#[test]
fn drops_are_flagged_on_both_backends() -> Result<(), String> {
    assert_eq!(pg("DROP TABLE menus;")?, ["drop-table"]);
    assert_eq!(lite("drop table if exists menus;")?, ["drop-table"]);
    assert_eq!(pg("ALTER TABLE menus DROP COLUMN note;")?, ["drop-column"]);
    assert_eq!(lite("ALTER TABLE menus DROP note;")?, ["drop-column"]);
    // Dropping a default, NOT NULL or a constraint removes no data.
    assert!(pg("ALTER TABLE menus ALTER COLUMN note DROP DEFAULT;")?.is_empty());
    assert!(pg("ALTER TABLE menus ALTER COLUMN note DROP NOT NULL;")?.is_empty());
    assert!(pg("ALTER TABLE menus DROP CONSTRAINT menus_note_check;")?.is_empty());
    Ok(())
}

#[test]
fn drop_index_must_be_concurrent_on_postgres_only() -> Result<(), String> {
    assert_eq!(pg("DROP INDEX menus_site;")?, ["drop-index"]);
    assert!(lite("DROP INDEX menus_site;")?.is_empty());
    assert!(
        rules_of(
            "DROP INDEX CONCURRENTLY menus_site;",
            Backend::Postgres,
            false
        )?
        .is_empty()
    );
    Ok(())
}

#[test]
fn renames_and_type_changes_are_flagged() -> Result<(), String> {
    assert_eq!(pg("ALTER TABLE menus RENAME TO menu;")?, ["rename"]);
    assert_eq!(
        lite("ALTER TABLE menus RENAME COLUMN note TO notes;")?,
        ["rename"]
    );
    assert_eq!(
        pg("ALTER TABLE menus ALTER COLUMN note TYPE varchar(40);")?,
        ["alter-type"]
    );
    assert_eq!(
        pg("ALTER TABLE menus ALTER note SET DATA TYPE text;")?,
        ["alter-type"]
    );
    // A column that happens to be called `type` is not a type change.
    assert!(pg("ALTER TABLE menus ADD COLUMN type text;")?.is_empty());
    Ok(())
}

#[test]
fn not_null_needs_the_documented_steps() -> Result<(), String> {
    assert_eq!(
        pg("ALTER TABLE menus ALTER COLUMN note SET NOT NULL;")?,
        ["set-not-null"]
    );
    assert_eq!(
        pg("ALTER TABLE menus ADD COLUMN n integer NOT NULL;")?,
        ["not-null-without-default"]
    );
    assert_eq!(
        lite("ALTER TABLE menus ADD n integer NOT NULL;")?,
        ["not-null-without-default"]
    );
    assert!(pg("ALTER TABLE menus ADD COLUMN n integer NOT NULL DEFAULT 0;")?.is_empty());
    assert!(pg("ALTER TABLE menus ADD COLUMN n integer;")?.is_empty());
    // Each action on its own: the DEFAULT of one column does not cover the other.
    assert_eq!(
        pg("ALTER TABLE menus ADD COLUMN a int DEFAULT 1, ADD COLUMN b int NOT NULL;")?,
        ["not-null-without-default"]
    );
    Ok(())
}

#[test]
fn indexes_on_big_tables_must_be_concurrent_and_alone_outside_a_transaction() -> Result<(), String>
{
    assert_eq!(
        pg("CREATE INDEX lc_week ON lunch_choices (week_id);")?,
        ["index-big-table"]
    );
    assert_eq!(
        pg("CREATE UNIQUE INDEX x ON ONLY public.audit_log (id);")?,
        ["index-big-table"]
    );
    assert!(lite("CREATE INDEX lc_week ON lunch_choices (week_id);")?.is_empty());
    // Small tables may take the short lock.
    assert!(pg("CREATE INDEX d_name ON dishes (name);")?.is_empty());
    let concurrent = "CREATE INDEX CONCURRENTLY IF NOT EXISTS lc_week ON lunch_choices (week_id);";
    assert!(rules_of(concurrent, Backend::Postgres, false)?.is_empty());
    assert_eq!(pg(concurrent)?, ["concurrently-in-transaction"]);
    let two = format!("{concurrent}\nSELECT 1;");
    assert_eq!(
        rules_of(&two, Backend::Postgres, false)?,
        ["concurrently-not-alone"]
    );
    Ok(())
}

#[test]
fn additive_migrations_pass() -> Result<(), String> {
    let sql = "-- a new table; nothing uses it yet\n\
               CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL);\n\
               CREATE INDEX notes_body ON notes (body);\n\
               ALTER TABLE menus ADD COLUMN note_id BIGINT REFERENCES notes (id);\n\
               INSERT INTO notes VALUES (1, 'DROP TABLE menus; ALTER TABLE x RENAME TO y');\n";
    assert!(pg(sql)?.is_empty());
    assert!(lite(sql)?.is_empty());
    Ok(())
}

#[test]
fn findings_name_the_line_and_statement() -> Result<(), String> {
    let sql =
        "CREATE TABLE t (a int);\n\n-- the old column\nALTER TABLE menus\n    DROP COLUMN note;\n";
    let findings = lint_sql(sql, Backend::Postgres, true)?;
    assert_eq!(
        findings,
        [Finding {
            line: 4,
            rule: Rule::DropColumn,
            statement: "ALTER TABLE menus DROP COLUMN note".to_string(),
        }]
    );
    let text = describe("migrations/x/up.sql", &findings[0]);
    assert!(
        text.contains("migrations/x/up.sql:4: [drop-column]"),
        "{text}"
    );
    assert!(text.contains("release N+1"), "{text}");
    Ok(())
}

#[test]
fn an_allow_comment_on_the_line_before_lets_one_statement_through() -> Result<(), String> {
    let allowed = "-- migration-lint: allow drop-column because release 41 stopped reading it\n\
                   ALTER TABLE menus DROP COLUMN note;\n\
                   ALTER TABLE menus DROP COLUMN other;\n";
    let findings = lint_sql(allowed, Backend::Postgres, true)?;
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].line, 3);
    // Only the named rule, and only on the very next line.
    let wrong_rule = "-- migration-lint: allow rename because no\nDROP TABLE menus;\n";
    assert_eq!(pg(wrong_rule)?, ["drop-table"]);
    let gap = "-- migration-lint: allow drop-table because gone\n\nDROP TABLE menus;\n";
    assert_eq!(pg(gap)?, ["drop-table"]);
    let two = "-- migration-lint: allow rename, alter-type because the table is new in this release\n\
               ALTER TABLE t RENAME COLUMN a TO b, ALTER COLUMN b TYPE text;\n";
    assert!(pg(two)?.is_empty());
    Ok(())
}

#[test]
fn allow_comments_must_parse_and_cannot_excuse_a_failing_migration() -> Result<(), String> {
    for bad in [
        "-- migration-lint: allow drop-colum because typo\nDROP TABLE t;",
        "-- migration-lint: allow drop-table\nDROP TABLE t;",
        "-- migration-lint: allow drop-table because  \nDROP TABLE t;",
        "-- migration-lint: drop-table because x\nDROP TABLE t;",
    ] {
        assert!(lint_sql(bad, Backend::Postgres, true).is_err(), "{bad}");
    }
    let sql = "-- migration-lint: allow concurrently-in-transaction because I say so\n\
               CREATE INDEX CONCURRENTLY i ON dishes (name);";
    assert_eq!(pg(sql)?, ["concurrently-in-transaction"]);
    Ok(())
}

#[test]
fn metadata_toml_decides_the_transaction() -> Result<(), String> {
    let temp = crate::util::TempDir::new("xtask-lint-meta")?;
    assert!(runs_in_transaction(temp.path())?);
    let meta = temp.path().join("metadata.toml");
    fs::write(&meta, "run_in_transaction = false\n").map_err(|e| e.to_string())?;
    assert!(!runs_in_transaction(temp.path())?);
    fs::write(&meta, "# run_in_transaction = false\n").map_err(|e| e.to_string())?;
    assert!(runs_in_transaction(temp.path())?);
    Ok(())
}

#[test]
fn a_new_migration_in_the_tree_is_linted_and_the_old_ones_are_not() -> Result<(), String> {
    let temp = crate::util::TempDir::new("xtask-lint-tree")?;
    let old = temp
        .path()
        .join("migrations/core/postgres")
        .join(GRANDFATHERED[0]);
    fs::create_dir_all(&old).map_err(|e| e.to_string())?;
    fs::write(old.join("up.sql"), "DROP TABLE old_stuff;").map_err(|e| e.to_string())?;
    lint_tree(temp.path())?;
    let new = temp
        .path()
        .join("migrations/municipal/sqlite/2099-01-01-000000_drop_note");
    fs::create_dir_all(&new).map_err(|e| e.to_string())?;
    fs::write(
        new.join("up.sql"),
        "SELECT 1;\nALTER TABLE menus DROP COLUMN note;\n",
    )
    .map_err(|e| e.to_string())?;
    let Err(report) = lint_tree(temp.path()) else {
        return Err("the new DROP COLUMN was not flagged".to_string());
    };
    assert!(
        report.contains(
            "migrations/municipal/sqlite/2099-01-01-000000_drop_note/up.sql:2: [drop-column]"
        ),
        "{report}"
    );
    Ok(())
}

#[test]
fn every_grandfathered_migration_exists_in_this_checkout() -> Result<(), String> {
    let root = crate::workspace_root();
    let folders = migration_files(&root.join("migrations"))?;
    for name in GRANDFATHERED {
        let count = folders
            .iter()
            .filter(|(_, dir)| dir.file_name().is_some_and(|n| n == name))
            .count();
        assert_eq!(count, 2, "{name}: expected its PostgreSQL and SQLite twins");
    }
    Ok(())
}
