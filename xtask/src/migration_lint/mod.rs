//! `cargo xtask migration-lint`: flags statements in new migrations that lock a busy table or
//! break the release still running during a rolling deploy (docs/operations.md, section 9).
//!
//! Reads `migrations/OWNER/{postgres,sqlite}/VERSION_NAME/up.sql`. A statement the author means
//! is let through by a comment on the line right before it:
//! `-- migration-lint: allow RULE because REASON`.

mod lex;
mod rules;

use std::fs;
use std::path::{Path, PathBuf};

use crate::util;

pub use rules::{BIG_TABLES, Backend, Rule};

pub const USAGE: &str = "usage: cargo xtask migration-lint
  Flags destructive or locking statements (DROP, RENAME, ALTER COLUMN ... TYPE, NOT NULL
  without the documented steps, non-concurrent indexes on big tables) in the up.sql of every
  migration newer than the grandfathered ones. Allow one on purpose with a comment on the line
  before it: -- migration-lint: allow RULE because REASON";

/// The migrations that existed when the lint was introduced. They have run on every database
/// already, so changing them is not an option, and the tables they create or alter were empty
/// or new at the time: whatever they do cannot hurt a live deploy any more.
const GRANDFATHERED: [&str; 20] = [
    "2026-11-26-150000_create_module_flags",
    "2026-11-26-160000_create_tenants_sites_users",
    "2026-11-26-160100_create_sessions_and_tokens",
    "2026-11-26-160200_create_audit_log",
    "2026-11-26-161554_index_audit_log_by_tenant_and_id",
    "2026-11-26-164214_create_dishes",
    "2026-11-26-164900_create_diet_types",
    "2026-11-26-170000_create_menus",
    "2026-11-26-171000_create_departments_and_weeks",
    "2026-11-26-193000_dish_allergens_stated",
    "2026-12-05-170000_create_crew_and_shifts",
    "2026-12-05-180000_create_waste_log",
    "2026-12-05-181000_create_calendar_feeds",
    "2026-12-05-183000_create_prep_and_freezer",
    "2026-12-05-184000_create_menu_cycles",
    "2026-12-05-190000_language_preferences",
    "2026-12-06-020000_create_recipes",
    "2026-12-06-110000_create_messages",
    "2026-12-06-120000_setup_history",
    "2026-12-06-121000_schedule_dinner_counts",
];

const ALLOW_MARK: &str = "migration-lint:";

/// One statement that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub rule: Rule,
    pub statement: String,
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if !util::no_arguments(args, USAGE)? {
        return Ok(());
    }
    lint_tree(root)
}

/// Lints every migration under `root/migrations`; the error lists every finding.
pub fn lint_tree(root: &Path) -> Result<(), String> {
    let files = migration_files(&root.join("migrations"))?;
    let mut report = Vec::new();
    let mut linted = 0;
    for (backend, dir) in &files {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| GRANDFATHERED.contains(&n.as_str())) {
            continue;
        }
        linted += 1;
        let up = dir.join("up.sql");
        let sql =
            fs::read_to_string(&up).map_err(|e| format!("cannot read {}: {e}", up.display()))?;
        let shown = up.strip_prefix(root).unwrap_or(&up).display().to_string();
        let findings = lint_sql(&sql, *backend, runs_in_transaction(dir)?)
            .map_err(|e| format!("{shown}: {e}"))?;
        for finding in findings {
            report.push(describe(&shown, &finding));
        }
    }
    println!(
        "    migration lint: {} migration folders, {} grandfathered, {linted} linted, {} findings",
        files.len(),
        files.len() - linted,
        report.len()
    );
    if report.is_empty() {
        return Ok(());
    }
    Err(format!(
        "migration lint found {} unsafe statement(s):\n{}",
        report.len(),
        report.join("\n")
    ))
}

fn describe(file: &str, finding: &Finding) -> String {
    let mut statement = finding.statement.clone();
    if statement.chars().count() > 120 {
        statement = statement.chars().take(117).collect::<String>() + "...";
    }
    let mut text = format!(
        "  {file}:{}: [{}] {statement}\n      safe steps: {}",
        finding.line,
        finding.rule.name(),
        finding.rule.safe_steps()
    );
    if finding.rule.allowable() {
        text.push_str(&format!(
            "\n      if it is safe here: put `-- {ALLOW_MARK} allow {} because <reason>` on the line before",
            finding.rule.name()
        ));
    }
    text
}

/// `(backend, migration folder)` for every folder under `migrations/OWNER/BACKEND/`, sorted.
fn migration_files(dir: &Path) -> Result<Vec<(Backend, PathBuf)>, String> {
    let mut found = Vec::new();
    for owner in util::sorted_dirs(dir)? {
        for (backend, name) in [(Backend::Postgres, "postgres"), (Backend::Sqlite, "sqlite")] {
            let backend_dir = owner.join(name);
            if !backend_dir.is_dir() {
                continue;
            }
            for migration in util::sorted_dirs(&backend_dir)? {
                found.push((backend, migration));
            }
        }
    }
    Ok(found)
}

/// diesel_migrations runs a migration in a transaction unless its `metadata.toml` says
/// `run_in_transaction = false`.
fn runs_in_transaction(dir: &Path) -> Result<bool, String> {
    let path = dir.join("metadata.toml");
    if !path.exists() {
        return Ok(true);
    }
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let off = text.lines().any(|line| {
        let compact: String = line
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        compact == "run_in_transaction=false"
    });
    Ok(!off)
}

/// The findings of one up.sql, after its allow comments.
pub fn lint_sql(sql: &str, backend: Backend, in_transaction: bool) -> Result<Vec<Finding>, String> {
    let statements = lex::statements(sql)?;
    let lines: Vec<&str> = sql.lines().collect();
    let mut findings = Vec::new();
    for (index, rule) in rules::check(&statements, backend, in_transaction) {
        let statement = &statements[index];
        let before = statement
            .line
            .checked_sub(2)
            .and_then(|i| lines.get(i))
            .copied()
            .unwrap_or("");
        let allowed =
            parse_allow(before).map_err(|e| format!("line {}: {e}", statement.line - 1))?;
        if rule.allowable() && allowed.contains(&rule) {
            continue;
        }
        findings.push(Finding {
            line: statement.line,
            rule,
            statement: statement.text.clone(),
        });
    }
    Ok(findings)
}

/// The rules a `-- migration-lint: allow RULE[, RULE] because REASON` line allows. A line that
/// mentions the lint but does not parse is an error, so a typo cannot silently let a
/// statement through nor silently fail to.
fn parse_allow(line: &str) -> Result<Vec<Rule>, String> {
    let Some(comment) = line.trim_start().strip_prefix("--") else {
        return Ok(Vec::new());
    };
    let Some(rest) = comment.trim_start().strip_prefix(ALLOW_MARK) else {
        return Ok(Vec::new());
    };
    let expected = "expected `-- migration-lint: allow RULE because REASON`";
    let rest = rest
        .trim_start()
        .strip_prefix("allow ")
        .ok_or_else(|| expected.to_string())?;
    let (names, reason) = rest
        .split_once(" because ")
        .ok_or_else(|| expected.to_string())?;
    if reason.trim().is_empty() {
        return Err("the allow comment needs a reason after `because`".to_string());
    }
    names
        .split(',')
        .map(|name| {
            let name = name.trim();
            Rule::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = rules::RULES.iter().map(|r| r.name()).collect();
                format!("unknown rule `{name}` (rules: {})", known.join(", "))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
