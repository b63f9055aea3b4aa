//! One OpenAPI schema name per type.
//!
//! utoipa names a component after the Rust type (or its `#[schema(as = ...)]`), and when two
//! types in different modules share a name the later one silently replaces the other in
//! `components.schemas`: the published document then describes one operation's answer with the
//! other type's fields. Schemathesis finds this only when it happens to reach the operation, so
//! the sources are checked here, in every test run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Every schema name derived in the crates under `roots`, with the files that derive it.
pub fn schema_names(roots: &[PathBuf]) -> std::io::Result<BTreeMap<String, Vec<PathBuf>>> {
    let mut names: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for root in roots {
        for file in rust_files(root)? {
            let text = fs::read_to_string(&file)?;
            for name in derived_schema_names(&text) {
                names.entry(name).or_default().push(file.clone());
            }
        }
    }
    Ok(names)
}

/// The names that share more than one type, with their files.
pub fn clashes(names: &BTreeMap<String, Vec<PathBuf>>) -> Vec<(String, Vec<PathBuf>)> {
    names
        .iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(name, files)| (name.clone(), files.clone()))
        .collect()
}

/// Names of the types in one file that derive `ToSchema`, honouring `#[schema(as = ...)]`.
fn derived_schema_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending_derive = false;
    let mut renamed: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with("#[derive(") && line.contains("ToSchema") {
            pending_derive = true;
            renamed = None;
            continue;
        }
        if !pending_derive {
            continue;
        }
        if let Some(rest) = line.strip_prefix("#[schema(as = ") {
            renamed = rest
                .split([')', ','])
                .next()
                .map(|name| last_segment(name.trim()));
            continue;
        }
        if let Some(type_name) = declared_type(line) {
            names.push(renamed.take().unwrap_or(type_name));
            pending_derive = false;
        }
    }
    names
}

fn declared_type(line: &str) -> Option<String> {
    let line = line.strip_prefix("pub ").unwrap_or(line);
    let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
    let rest = line
        .strip_prefix("struct ")
        .or_else(|| line.strip_prefix("enum "))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn last_segment(path: &str) -> String {
    path.rsplit("::").next().unwrap_or(path).to_string()
}

fn rust_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "target") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_renamed_schemas() {
        let text = "#[derive(Debug, utoipa::ToSchema)]\n#[schema(as = WeekMeal)]\npub struct MealOut {}\n\
                    #[derive(Serialize, ToSchema)]\n#[serde(rename_all = \"snake_case\")]\npub enum Kind { A }\n\
                    #[derive(Debug)]\npub struct NotASchema;\n";
        assert_eq!(derived_schema_names(text), vec!["WeekMeal", "Kind"]);
    }

    #[test]
    fn every_schema_name_in_the_workspace_is_unique() {
        let root = crate::workspace_root();
        let roots = ["core", "modules", "app"].map(|dir| root.join(dir));
        let names = schema_names(&roots).expect("the sources are readable");
        assert!(
            names.len() > 50,
            "the scan found only {} schemas",
            names.len()
        );
        let clashes = clashes(&names);
        assert!(
            clashes.is_empty(),
            "these OpenAPI schema names are derived by more than one type; give one a \
             #[schema(as = ...)]: {clashes:#?}"
        );
    }
}
