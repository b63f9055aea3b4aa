//! The rules: which statements lock a busy table or break the release that is still running
//! during a rolling deploy, and what to do instead (docs/operations.md, section 9).

use super::lex::Statement;

/// Tables that grow with every kitchen and every week: a plain `CREATE INDEX` holds off their
/// writes for as long as the build takes, so on PostgreSQL they only get `CONCURRENTLY`.
pub const BIG_TABLES: [&str; 9] = [
    "lunch_choices",
    "diet_marks",
    "department_weeks",
    "week_residents",
    "resident_overrides",
    "audit_log",
    "menu_items",
    "sessions",
    "offshore_waste_entries",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backend {
    Postgres,
    Sqlite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    DropTable,
    DropColumn,
    DropIndex,
    Rename,
    SetNotNull,
    NotNullWithoutDefault,
    AlterType,
    IndexBigTable,
    ConcurrentlyInTransaction,
    ConcurrentlyNotAlone,
}

pub const RULES: [Rule; 10] = [
    Rule::DropTable,
    Rule::DropColumn,
    Rule::DropIndex,
    Rule::Rename,
    Rule::SetNotNull,
    Rule::NotNullWithoutDefault,
    Rule::AlterType,
    Rule::IndexBigTable,
    Rule::ConcurrentlyInTransaction,
    Rule::ConcurrentlyNotAlone,
];

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::DropTable => "drop-table",
            Rule::DropColumn => "drop-column",
            Rule::DropIndex => "drop-index",
            Rule::Rename => "rename",
            Rule::SetNotNull => "set-not-null",
            Rule::NotNullWithoutDefault => "not-null-without-default",
            Rule::AlterType => "alter-type",
            Rule::IndexBigTable => "index-big-table",
            Rule::ConcurrentlyInTransaction => "concurrently-in-transaction",
            Rule::ConcurrentlyNotAlone => "concurrently-not-alone",
        }
    }

    pub fn from_name(name: &str) -> Option<Rule> {
        RULES.into_iter().find(|rule| rule.name() == name)
    }

    /// The two `CONCURRENTLY` rules describe migrations that fail when they run, so no comment
    /// can wave them through.
    pub fn allowable(self) -> bool {
        !matches!(
            self,
            Rule::ConcurrentlyInTransaction | Rule::ConcurrentlyNotAlone
        )
    }

    /// The safe way, as documented in docs/operations.md section 9.
    pub fn safe_steps(self) -> &'static str {
        match self {
            Rule::DropTable | Rule::DropColumn => {
                "the release still running during the rollout uses it. Contract in two releases: \
                 release N stops reading and writing it, release N+1 or later drops it"
            }
            Rule::DropIndex => {
                "a plain DROP INDEX locks the whole table. Use DROP INDEX CONCURRENTLY, alone in \
                 a migration whose metadata.toml says `run_in_transaction = false`"
            }
            Rule::Rename => {
                "running code still uses the old name. Expand/contract: add the new column or \
                 table, write both, backfill in chunks, switch reads, drop the old one in a \
                 later release"
            }
            Rule::SetNotNull => {
                "only as the contract step, after the backfill and once no running release \
                 writes NULL: ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE \
                 CONSTRAINT, then SET NOT NULL (no table scan), as in section 9's worked example"
            }
            Rule::NotNullWithoutDefault => {
                "the running release inserts rows without the column. Add it nullable (or with \
                 a constant DEFAULT), backfill in chunks of 500-1000, set NOT NULL in a later \
                 release"
            }
            Rule::AlterType => {
                "rewrites the table under an exclusive lock and breaks running code. Add a \
                 column of the new type, write both, backfill, switch reads, drop the old \
                 column in a later release"
            }
            Rule::IndexBigTable => {
                "a plain CREATE INDEX blocks writes to a big table while it builds. Use CREATE \
                 INDEX CONCURRENTLY, alone in its own migration with a metadata.toml holding \
                 `run_in_transaction = false` (diesel_migrations runs each migration in a \
                 transaction otherwise); see \
                 migrations/core/postgres/2026-11-26-161554_index_audit_log_by_tenant_and_id"
            }
            Rule::ConcurrentlyInTransaction => {
                "diesel_migrations runs a migration in a transaction, where CONCURRENTLY fails. \
                 Add a metadata.toml with `run_in_transaction = false` next to up.sql"
            }
            Rule::ConcurrentlyNotAlone => {
                "PostgreSQL runs a file of several statements as one implicit transaction, where \
                 CONCURRENTLY fails. Move the statement into a migration of its own"
            }
        }
    }
}

/// What one migration file breaks, before allow comments are applied.
pub fn check(
    statements: &[Statement],
    backend: Backend,
    in_transaction: bool,
) -> Vec<(usize, Rule)> {
    let mut found = Vec::new();
    for (index, statement) in statements.iter().enumerate() {
        for rule in statement_rules(statement, backend) {
            found.push((index, rule));
        }
        if backend == Backend::Postgres && statement.has_keyword("CONCURRENTLY") {
            if in_transaction {
                found.push((index, Rule::ConcurrentlyInTransaction));
            }
            if statements.len() > 1 {
                found.push((index, Rule::ConcurrentlyNotAlone));
            }
        }
    }
    found
}

fn statement_rules(statement: &Statement, backend: Backend) -> Vec<Rule> {
    let first = (statement.keyword(0), statement.keyword(1));
    match first {
        ("DROP", "TABLE") => vec![Rule::DropTable],
        ("DROP", "INDEX") => {
            let concurrent = statement.keyword(2) == "CONCURRENTLY";
            // On SQLite (one instance, no concurrent writers to hold off) it is harmless.
            if backend == Backend::Postgres && !concurrent {
                vec![Rule::DropIndex]
            } else {
                Vec::new()
            }
        }
        ("ALTER", "TABLE") => alter_table_rules(statement),
        ("CREATE", "INDEX") | ("CREATE", "UNIQUE") if backend == Backend::Postgres => {
            let concurrent = statement.has_keyword("CONCURRENTLY");
            let big = indexed_table(statement).is_some_and(|t| BIG_TABLES.contains(&t.as_str()));
            if big && !concurrent {
                vec![Rule::IndexBigTable]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// The table after `ON` (schema dropped), in `CREATE [UNIQUE] INDEX ... ON [ONLY] table`.
fn indexed_table(statement: &Statement) -> Option<String> {
    let tokens = &statement.tokens;
    let on = tokens.iter().position(|t| t.keyword == "ON")?;
    let mut at = on + 1;
    if statement.keyword(at) == "ONLY" {
        at += 1;
    }
    // `public.lunch_choices` lexes as `public`, `.`, `lunch_choices`.
    if statement.keyword(at + 1) == "." {
        at += 2;
    }
    Some(tokens.get(at)?.name.clone())
}

/// `ALTER TABLE t action, action, ...`: each action on its own, so that the `DEFAULT` of one
/// added column does not excuse the `NOT NULL` of another.
fn alter_table_rules(statement: &Statement) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut push = |rule: Rule| {
        if !rules.contains(&rule) {
            rules.push(rule);
        }
    };
    let mut actions: Vec<Vec<&str>> = vec![Vec::new()];
    let mut depth = 0usize;
    let mut first = 2;
    while matches!(statement.keyword(first), "IF" | "EXISTS" | "ONLY") {
        first += 1;
    }
    // The table name, schema-qualified or not.
    first += if statement.keyword(first + 1) == "." {
        3
    } else {
        1
    };
    for token in statement.tokens.iter().skip(first) {
        match token.keyword.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                actions.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(action) = actions.last_mut() {
            action.push(token.keyword.as_str());
        }
    }
    for words in &actions {
        let at = |i: usize| words.get(i).copied().unwrap_or("");
        let has = |w: &str| words.contains(&w);
        let has_pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
        if has("RENAME") {
            push(Rule::Rename);
        }
        if has_pair("SET", "NOT") {
            push(Rule::SetNotNull);
        }
        for (i, word) in words.iter().enumerate() {
            if *word == "TYPE"
                && i >= 2
                && (at(i - 1) == "DATA" || matches!(at(i - 2), "ALTER" | "COLUMN"))
            {
                push(Rule::AlterType);
            }
            // `DROP col` and `DROP COLUMN col` drop a column; `ALTER col DROP DEFAULT` and
            // `DROP CONSTRAINT` do not.
            if *word == "DROP"
                && !matches!(
                    at(i + 1),
                    "CONSTRAINT" | "DEFAULT" | "NOT" | "IDENTITY" | "EXPRESSION"
                )
            {
                push(Rule::DropColumn);
            }
        }
        let adds_column = at(0) == "ADD"
            && !matches!(
                at(1),
                "CONSTRAINT" | "PRIMARY" | "UNIQUE" | "FOREIGN" | "CHECK" | "EXCLUDE"
            );
        if adds_column && has_pair("NOT", "NULL") && !has("DEFAULT") {
            push(Rule::NotNullWithoutDefault);
        }
    }
    rules
}
