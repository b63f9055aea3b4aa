//! Fresh databases and the seeded data set, as `galley seed-bench` reports it.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{postgres, util};

/// What the benchmark aims at, read from `galley seed-bench`'s JSON line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchData {
    pub token: String,
    pub site: i64,
    pub departments: Vec<i64>,
    pub weeks: Vec<(i64, i64)>,
    pub mondays: Vec<String>,
    /// The measured kitchen's diet types in the order made (the seeded marks use the first
    /// two); empty when not printed.
    pub diets: Vec<i64>,
}

/// An empty SQLite file under `out`.
pub fn fresh_sqlite(out: &Path) -> Result<String, String> {
    let path = out.join("bench.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let file = out.join(format!("bench.sqlite{suffix}"));
        if file.exists() {
            fs::remove_file(&file).map_err(|e| format!("cannot remove {}: {e}", file.display()))?;
        }
    }
    Ok(path.display().to_string())
}

/// An empty `galley_bench` database on the server of `base`.
pub fn fresh_postgres(base: &str) -> Result<String, String> {
    fresh_postgres_named(base, "galley_bench")
}

/// An empty database `name` on the server of `base`; `name` is one of ours, not user input.
pub fn fresh_postgres_named(base: &str, name: &str) -> Result<String, String> {
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        let mut psql = Command::new("psql");
        psql.args([base, "-q", "-v", "ON_ERROR_STOP=1", "-c", &sql]);
        util::run_captured(&mut psql, "psql")?;
    }
    database_url(base, name)
}

/// The URL of database `name` on the server of `base` (same user, host and options).
fn database_url(base: &str, name: &str) -> Result<String, String> {
    let (before_query, query) = base
        .split_once('?')
        .map_or((base, None), |(p, q)| (p, Some(q)));
    let (server, _) = before_query
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
        .ok_or_else(|| {
            format!(
                "cannot tell the database name in {}",
                postgres::redact(base)
            )
        })?;
    Ok(match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    })
}

/// A new SECRET_KEY from the binary itself.
pub fn secret_key(binary: &Path) -> Result<String, String> {
    let mut cmd = Command::new(binary);
    cmd.arg("gen-secret");
    Ok(util::run_captured(&mut cmd, "galley gen-secret")?
        .trim()
        .to_owned())
}

pub fn seed(binary: &Path, database_url: &str, secret: &str) -> Result<BenchData, String> {
    let mut cmd = Command::new(binary);
    cmd.arg("seed-bench")
        .env("DATABASE_URL", database_url)
        .env("SECRET_KEY", secret)
        .env("GALLEY_ENV", "production");
    let output = cmd
        .output()
        .map_err(|e| format!("could not run galley seed-bench: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in stderr.lines() {
        println!("    {line}");
    }
    if !output.status.success() {
        return Err(format!(
            "galley seed-bench failed ({})",
            util::describe_status(output.status)
        ));
    }
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// Reads the one JSON object `seed-bench` prints. Std only, for exactly this shape.
pub fn parse(text: &str) -> Result<BenchData, String> {
    let field = |name: &str| -> Result<&str, String> {
        let key = format!("\"{name}\":");
        let start = text
            .find(&key)
            .map(|at| at + key.len())
            .ok_or_else(|| format!("seed-bench printed no `{name}`: {text}"))?;
        Ok(&text[start..])
    };
    let token = field("token")?
        .trim_start_matches('"')
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned();
    let number_list = |raw: &str| -> Vec<i64> {
        raw.split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .filter_map(|part| part.parse().ok())
            .collect()
    };
    let site = number_list(field("site")?).first().copied().unwrap_or(0);
    let list = |name: &str| -> Result<&str, String> {
        let raw = field(name)?;
        let end = if raw.starts_with("[[") {
            raw.find("]]").map(|at| at + 2)
        } else {
            raw.find(']').map(|at| at + 1)
        };
        end.map(|end| &raw[..end])
            .ok_or_else(|| format!("seed-bench printed a broken `{name}` list"))
    };
    let departments = number_list(list("departments")?);
    let diets = list("diets").map(number_list).unwrap_or_default();
    let week_numbers = number_list(list("weeks")?);
    let weeks = week_numbers
        .chunks(2)
        .filter(|pair| pair.len() == 2)
        .map(|pair| (pair[0], pair[1]))
        .collect();
    let mondays = list("mondays")?
        .split('"')
        .filter(|part| part.len() == 10 && part.as_bytes()[4] == b'-')
        .map(str::to_owned)
        .collect();
    let data = BenchData {
        token,
        site,
        departments,
        weeks,
        mondays,
        diets,
    };
    if data.token.is_empty() || data.departments.is_empty() || data.weeks.is_empty() {
        return Err(format!("seed-bench printed an incomplete data set: {text}"));
    }
    Ok(data)
}

/// Reads every JSON line `seed-bench --tenants N` prints, one per tenant added, in order.
pub fn parse_lines(text: &str) -> Result<Vec<BenchData>, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| line.starts_with('{'))
        .map(parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_seed_bench_prints() {
        let text = r#"{"departments":[1,2,3],"mondays":["2026-03-16","2026-03-23"],"site":7,"token":"abc_DEF-1","weeks":[[2026,12],[2026,13]]}"#;
        let data = parse(text).unwrap();
        assert_eq!(
            data,
            BenchData {
                token: "abc_DEF-1".into(),
                site: 7,
                departments: vec![1, 2, 3],
                weeks: vec![(2026, 12), (2026, 13)],
                mondays: vec!["2026-03-16".into(), "2026-03-23".into()],
                diets: vec![],
            }
        );
        assert!(parse(r#"{"token":"x"}"#).is_err());
    }

    #[test]
    fn reads_one_line_per_tenant_added() {
        let text = "{\"departments\":[11,12],\"diets\":[5,6,7],\"mondays\":[\"2026-03-16\"],\"site\":4,\"tenant\":2,\"token\":\"t2\",\"weeks\":[[2026,12]]}\n\
                    {\"departments\":[21,22],\"diets\":[8,9,10],\"mondays\":[\"2026-03-16\"],\"site\":5,\"tenant\":3,\"token\":\"t3\",\"weeks\":[[2026,12]]}\n";
        let tenants = parse_lines(text).unwrap();
        assert_eq!(tenants.len(), 2);
        assert_eq!(tenants[0].token, "t2");
        assert_eq!(tenants[0].departments, vec![11, 12]);
        assert_eq!(tenants[0].diets, vec![5, 6, 7]);
        assert_eq!(tenants[1].site, 5);
        assert_eq!(tenants[1].diets, vec![8, 9, 10]);
        assert_eq!(tenants[1].weeks, vec![(2026, 12)]);
        assert!(parse_lines("{\"token\":\"x\"}\n").is_err());
        assert_eq!(parse_lines("").unwrap(), vec![]);
    }

    #[test]
    fn the_bench_database_sits_beside_the_given_one() {
        assert_eq!(
            database_url(
                "postgresql://postgres@127.0.0.1:5432/postgres",
                "galley_bench"
            )
            .unwrap(),
            "postgresql://postgres@127.0.0.1:5432/galley_bench"
        );
        assert_eq!(
            database_url("postgres://u:p@db:6543/app?sslmode=disable", "galley_bench").unwrap(),
            "postgres://u:p@db:6543/galley_bench?sslmode=disable"
        );
        assert!(database_url("postgresql://postgres@127.0.0.1:5432", "galley_bench").is_err());
    }
}
