//! `cargo xtask new-module NAME`: scaffolds a module crate shaped like `modules/offshore/`
//! and links it into the workspace and the app.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Names a module can't take: top-level URL segments of the platform and workspace crates.
pub const RESERVED: [&str; 10] = [
    "api", "admin", "static", "health", "ready", "metrics", "problems", "core", "app", "xtask",
];

/// Names the generated `lib.rs` imports; the module's struct must not shadow them.
const TEMPLATE_IDENTS: [&str; 7] = [
    "Self",
    "Module",
    "Router",
    "MigrationSet",
    "NavEntry",
    "EmbeddedMigrations",
    "AppState",
];

pub const USAGE: &str = "usage: cargo xtask new-module NAME
  NAME  the module id: ^[a-z][a-z0-9_]{1,39}$, also its URL segment and flag key";

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let [name] = args else {
        return Err(format!("new-module takes exactly one argument\n{USAGE}"));
    };
    let scaffold = scaffold(root, name)?;
    let rel = |p: &PathBuf| p.strip_prefix(root).unwrap_or(p).display().to_string();
    println!("created:");
    for path in &scaffold.created {
        println!("  {}", rel(path));
    }
    println!("updated:");
    for path in &scaffold.edited {
        println!("  {}", rel(path));
    }
    for note in &scaffold.notes {
        println!("note: {note}");
    }
    println!(
        "
Next steps:
  1. cargo xtask run
     builds and serves: the module answers at /{name} and /api/v1/{name}.
     The first build adds galley-{name} to Cargo.lock: commit it with the new files.
  2. cargo test -p galley-{name}
  3. Read docs/adding-a-module.md: API and HTML routes, migrations
     (cargo xtask new-migration {name} create_things), features, navigation, translations."
    );
    Ok(())
}

/// What the scaffold wrote.
#[derive(Debug, Clone, Default)]
pub struct Scaffold {
    /// New files.
    pub created: Vec<PathBuf>,
    /// Existing files it edited.
    pub edited: Vec<PathBuf>,
    /// Things worth telling (e.g. rustfmt was not found).
    pub notes: Vec<String>,
}

/// Scaffolds module `name` in the workspace at `workspace_root`; returns every path it
/// created or edited. Nothing is written unless every check and edit succeeds first.
pub fn scaffold_module(workspace_root: &Path, name: &str) -> Result<Vec<PathBuf>, String> {
    let scaffold = scaffold(workspace_root, name)?;
    Ok(scaffold
        .created
        .into_iter()
        .chain(scaffold.edited)
        .collect())
}

/// A module id is `^[a-z][a-z0-9_]{1,39}$` and not reserved.
pub fn validate_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let shape_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && (2..=40).contains(&name.len());
    if !shape_ok {
        return Err(format!(
            "module name `{name}` is not valid: 2 to 40 characters, lowercase letters, digits and `_`, starting with a letter (^[a-z][a-z0-9_]{{1,39}}$)"
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "module name `{name}` is reserved (reserved: {})",
            RESERVED.join(", ")
        ));
    }
    let camel = camel_name(name);
    if TEMPLATE_IDENTS.contains(&camel.as_str()) {
        return Err(format!(
            "module name `{name}` would make the struct `{camel}`, which clashes with a name the module's lib.rs uses; pick another name"
        ));
    }
    Ok(())
}

/// `menu_planner` -> `MenuPlanner`.
pub fn camel_name(name: &str) -> String {
    name.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `menu_planner` -> `Menu planner`.
pub fn title(name: &str) -> String {
    let words = name
        .split('_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

const CARGO_TOML: &str = r#"[package]
name = "galley-{{name}}"
description = "Galley's {{name}} module"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[dependencies]
galley-core.workspace = true
axum.workspace = true
serde.workspace = true
serde_json.workspace = true
utoipa.workspace = true
askama.workspace = true
diesel_migrations.workspace = true

[dev-dependencies]
tokio.workspace = true
tower.workspace = true
http-body-util.workspace = true

[lints]
workspace = true
"#;

const LIB_RS: &str = r#"//! {{Title}}: say here what the module does for a kitchen. Scaffolded by
//! `cargo xtask new-module {{name}}`; `docs/adding-a-module.md` shows how it grows.

use axum::Router;
use galley_core::diesel_migrations::{self, EmbeddedMigrations, embed_migrations};
use galley_core::module::{MigrationSet, Module, NavEntry};
use galley_core::state::AppState;
use galley_core::web;

/// The {{name}} module's registration unit.
pub struct {{Camel}};

static POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/{{name}}/postgres");
static SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/{{name}}/sqlite");

impl Module for {{Camel}} {
    fn id(&self) -> &'static str {
        "{{name}}"
    }

    fn title(&self) -> &'static str {
        "{{Title}}"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn html_router(&self) -> Router<AppState> {
        web::module_landing(&{{Camel}})
    }

    fn migrations(&self) -> Option<MigrationSet> {
        Some(MigrationSet {
            postgres: &POSTGRES,
            sqlite: &SQLITE,
        })
    }

    fn navigation(&self) -> &'static [NavEntry] {
        &[NavEntry {
            label_key: "module.{{name}}.title",
            path: "/{{name}}",
            roles: &[],
        }]
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("en", include_str!("../locales/en.toml")),
            ("sv", include_str!("../locales/sv.toml")),
        ]
    }
}

galley_core::register_module!({{Camel}});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_finds_the_module() -> Result<(), galley_core::module::RegistryError> {
        let registry = galley_core::module::Registry::from_modules([&{{Camel}} as &dyn Module])?;
        assert_eq!(registry.ids(), vec!["{{name}}"]);
        Ok(())
    }

    #[test]
    fn english_and_swedish_define_title_and_description() {
        let languages: Vec<&str> = {{Camel}}
            .translations()
            .iter()
            .map(|(lang, _)| *lang)
            .collect();
        assert_eq!(languages, vec!["en", "sv"]);
        for (lang, text) in {{Camel}}.translations() {
            assert!(
                text.contains("[module.{{name}}]"),
                "locales/{lang}.toml lacks [module.{{name}}]"
            );
            assert!(
                text.contains("title ="),
                "locales/{lang}.toml lacks module.{{name}}.title"
            );
            assert!(
                text.contains("description ="),
                "locales/{lang}.toml lacks module.{{name}}.description"
            );
        }
    }
}
"#;

const EN_TOML: &str = r#"[module.{{name}}]
title = "{{Title}}"
description = "{{Title}}: describe what this module does for the kitchen."
"#;

const SV_TOML: &str = r#"[module.{{name}}]
title = "{{Title}}"
description = "{{Title}}: beskriv vad modulen gör för köket."
"#;

fn render(template: &str, name: &str) -> String {
    template
        .replace("{{name}}", name)
        .replace("{{Camel}}", &camel_name(name))
        .replace("{{Title}}", &title(name))
}

/// The generated `src/lib.rs` before rustfmt (exposed for the template test).
pub fn render_lib_rs(name: &str) -> String {
    render(LIB_RS, name)
}

/// Does the scaffold and returns what it created and edited.
pub fn scaffold(root: &Path, name: &str) -> Result<Scaffold, String> {
    validate_name(name)?;
    let module_dir = root.join("modules").join(name);
    let migrations_dir = root.join("migrations").join(name);
    if module_dir.exists() {
        return Err(format!(
            "module `{name}` already exists: {}",
            module_dir.display()
        ));
    }
    if migrations_dir.exists() {
        return Err(format!(
            "{} already exists; remove it or pick another module name",
            migrations_dir.display()
        ));
    }

    // Compute every edit first, so a refusal leaves the workspace untouched.
    let root_toml_path = root.join("Cargo.toml");
    let app_toml_path = root.join("app").join("Cargo.toml");
    let linked_path = root.join("app").join("src").join("linked_modules.rs");
    let root_toml = read(&root_toml_path)?;
    let app_toml = read(&app_toml_path)?;
    let linked = read(&linked_path)?;
    let new_root_toml = edit_root_manifest(&root_toml, name)?;
    let new_app_toml = edit_app_manifest(&app_toml, name)?;
    let new_linked = edit_linked_modules(&linked, name)?;

    let mut scaffold = Scaffold::default();
    let files = [
        (module_dir.join("Cargo.toml"), render(CARGO_TOML, name)),
        (module_dir.join("src").join("lib.rs"), render(LIB_RS, name)),
        (
            module_dir.join("locales").join("en.toml"),
            render(EN_TOML, name),
        ),
        (
            module_dir.join("locales").join("sv.toml"),
            render(SV_TOML, name),
        ),
        (
            migrations_dir.join("postgres").join(".gitkeep"),
            String::new(),
        ),
        (
            migrations_dir.join("sqlite").join(".gitkeep"),
            String::new(),
        ),
    ];
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("could not create {}: {e}", parent.display()))?;
        }
        fs::write(path, text).map_err(|e| format!("could not write {}: {e}", path.display()))?;
        scaffold.created.push(path.clone());
    }
    for (path, text) in [
        (&root_toml_path, new_root_toml),
        (&app_toml_path, new_app_toml),
        (&linked_path, new_linked),
    ] {
        fs::write(path, text).map_err(|e| format!("could not write {}: {e}", path.display()))?;
        scaffold.edited.push(path.clone());
    }

    // The template is formatted for usual name lengths; rustfmt wraps the long ones.
    let lib_rs = module_dir.join("src").join("lib.rs");
    let rustfmt = Command::new("rustfmt")
        .current_dir(root)
        .args(["--edition", "2024"])
        .arg(&lib_rs)
        .stdin(Stdio::null())
        .output();
    match rustfmt {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            return Err(format!(
                "rustfmt rejected the generated {}: {}",
                lib_rs.display(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Err(e) => scaffold.notes.push(format!(
            "rustfmt could not run ({e}); run `cargo fmt --all` before committing"
        )),
    }
    Ok(scaffold)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("could not read {}: {e}", path.display()))
}

/// Adds the module to `members`, `default-members` and `[workspace.dependencies]`.
pub fn edit_root_manifest(text: &str, name: &str) -> Result<String, String> {
    let member = format!("\"modules/{name}\"");
    let mut text = insert_array_item(text, "members", &member, "\"modules/")?;
    text = insert_array_item(&text, "default-members", &member, "\"modules/")?;
    insert_in_section(
        &text,
        "[workspace.dependencies]",
        "galley-",
        &format!("galley-{name}"),
        &format!("galley-{name} = {{ path = \"modules/{name}\" }}"),
    )
}

/// Adds `galley-NAME.workspace = true` to the app's `[dependencies]`.
pub fn edit_app_manifest(text: &str, name: &str) -> Result<String, String> {
    insert_in_section(
        text,
        "[dependencies]",
        "galley-",
        &format!("galley-{name}"),
        &format!("galley-{name}.workspace = true"),
    )
}

/// Adds `use galley_NAME as _;` after the other such lines.
pub fn edit_linked_modules(text: &str, name: &str) -> Result<String, String> {
    let new_line = format!("use galley_{name} as _;");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.iter().any(|l| l.trim() == new_line) {
        return Err(format!(
            "app/src/linked_modules.rs already has `{new_line}`"
        ));
    }
    let position = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with("use galley_"))
        .map_or(lines.len(), |i| i + 1);
    lines.insert(position, new_line);
    Ok(join_lines(&lines))
}

/// `    "app" # x` -> `    "app", # x`: a comma right after the quoted item, unless present.
fn with_trailing_comma(line: &str) -> String {
    let Some(open) = line.find('"') else {
        return line.to_string();
    };
    let Some(close) = line[open + 1..].find('"').map(|i| open + 1 + i) else {
        return line.to_string();
    };
    if line[close + 1..].trim_start().starts_with(',') {
        line.to_string()
    } else {
        format!("{},{}", &line[..=close], &line[close + 1..])
    }
}

fn join_lines(lines: &[String]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The key of a `key = value` line (`galley-core.workspace = true` -> `galley-core`).
fn line_key(line: &str) -> &str {
    let trimmed = line.trim_start();
    let end = trimmed
        .find(|c: char| c == '=' || c == '.' || c.is_whitespace())
        .unwrap_or(trimmed.len());
    &trimmed[..end]
}

/// Inserts `new_line` into the TOML section headed `header`, after its last line whose key
/// starts with `after_prefix` (or right after the header); refuses if `key` is already there.
fn insert_in_section(
    text: &str,
    header: &str,
    after_prefix: &str,
    key: &str,
    new_line: &str,
) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == header)
        .ok_or_else(|| format!("no `{header}` section found"))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i);
    let section = &lines[start + 1..end];
    if section.iter().any(|l| line_key(l) == key) {
        return Err(format!("`{key}` is already in `{header}`"));
    }
    let position = section
        .iter()
        .rposition(|l| line_key(l).starts_with(after_prefix))
        .map_or(start + 1, |i| start + 1 + i + 1);
    lines.insert(position, new_line.to_string());
    Ok(join_lines(&lines))
}

/// Inserts the quoted `item` into the top-level array `key = [...]` (one line or one item per
/// line), after its last item starting with `after_prefix`, else before `"app"`, else last.
fn insert_array_item(
    text: &str,
    key: &str,
    item: &str,
    after_prefix: &str,
) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let start = lines
        .iter()
        .position(|l| line_key(l) == key && l.contains('['))
        .ok_or_else(|| format!("no `{key} = [...]` found"))?;
    let first = &lines[start];
    let open = first.find('[').unwrap_or_default();
    if let Some(close) = first.rfind(']') {
        // One line: `members = ["core", "app"]`.
        let mut items: Vec<String> = first[open + 1..close]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if items.iter().any(|i| i == item) {
            return Err(format!("{item} is already in `{key}`"));
        }
        let position = items
            .iter()
            .rposition(|i| i.starts_with(after_prefix))
            .map(|i| i + 1)
            .or_else(|| items.iter().position(|i| i == "\"app\""))
            .unwrap_or(items.len());
        items.insert(position, item.to_string());
        let rebuilt = format!("{}{}{}", &first[..=open], items.join(", "), &first[close..]);
        lines[start] = rebuilt;
        return Ok(join_lines(&lines));
    }
    // One item per line, closed by a line starting with `]`.
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with(']'))
        .map(|i| start + 1 + i)
        .ok_or_else(|| format!("`{key} = [` is never closed"))?;
    let item_lines: Vec<usize> = (start + 1..end)
        .filter(|&i| lines[i].trim_start().starts_with('"'))
        .collect();
    if item_lines
        .iter()
        .any(|&i| lines[i].trim().trim_end_matches(',').trim() == item)
    {
        return Err(format!("{item} is already in `{key}`"));
    }
    let indent = item_lines
        .first()
        .map(|&i| {
            let line = &lines[i];
            line[..line.len() - line.trim_start().len()].to_string()
        })
        .unwrap_or_else(|| "    ".to_string());
    let last_with_prefix = item_lines
        .iter()
        .rev()
        .find(|&&i| lines[i].trim_start().starts_with(after_prefix))
        .copied();
    let app = item_lines
        .iter()
        .find(|&&i| lines[i].trim_start().starts_with("\"app\""))
        .copied();
    let position = match (last_with_prefix, app, item_lines.last()) {
        (Some(i), _, _) => {
            lines[i] = with_trailing_comma(&lines[i]);
            i + 1
        }
        (None, Some(i), _) => i,
        (None, None, Some(&i)) => {
            lines[i] = with_trailing_comma(&lines[i]);
            i + 1
        }
        (None, None, None) => start + 1,
    };
    lines.insert(position, format!("{indent}{item},"));
    Ok(join_lines(&lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    const ROOT_TOML: &str = r#"[workspace]
resolver = "3"
members = ["core", "modules/municipal", "modules/offshore", "app", "xtask"]
default-members = ["core", "modules/municipal", "modules/offshore", "app"]

[workspace.package]
version = "0.1.0"

[workspace.dependencies]
galley-core = { path = "core" }
galley-municipal = { path = "modules/municipal" }
galley-offshore = { path = "modules/offshore" }

axum = { version = "0.8", default-features = false }
serde = { version = "1", features = ["derive"] }

[workspace.lints.rust]
unsafe_code = "forbid"
"#;

    const APP_TOML: &str = r#"[package]
name = "galley"

[dependencies]
galley-core.workspace = true
galley-municipal.workspace = true
galley-offshore.workspace = true
tokio.workspace = true

[dev-dependencies]
tower.workspace = true

[lints]
workspace = true
"#;

    const LINKED: &str = "//! Links every module crate, so `inventory` finds its registration.

use galley_municipal as _;
use galley_offshore as _;
";

    fn write(root: &Path, rel: &str, text: &str) -> Result<(), String> {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        fs::write(path, text).map_err(|e| e.to_string())
    }

    fn fake_workspace() -> Result<TempDir, String> {
        let temp = TempDir::new("xtask-new-module-test")?;
        let root = temp.path();
        write(root, "Cargo.toml", ROOT_TOML)?;
        write(root, "app/Cargo.toml", APP_TOML)?;
        write(root, "app/src/linked_modules.rs", LINKED)?;
        write(root, "modules/offshore/Cargo.toml", "")?;
        write(root, "migrations/offshore/postgres/.gitkeep", "")?;
        Ok(temp)
    }

    fn read_rel(root: &Path, rel: &str) -> Result<String, String> {
        fs::read_to_string(root.join(rel)).map_err(|e| format!("{rel}: {e}"))
    }

    #[test]
    fn names_are_validated() {
        for good in ["ab", "menu_planner", "m2", "a_", &"x".repeat(40)] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "Menu",
            "2fa",
            "_x",
            "menu-planner",
            "menu planner",
            "café",
            &"x".repeat(41),
        ] {
            let err = validate_name(bad).err().unwrap_or_default();
            assert!(err.contains("is not valid"), "{bad}: {err}");
        }
        for reserved in RESERVED {
            let err = validate_name(reserved).err().unwrap_or_default();
            assert!(err.contains("is reserved"), "{reserved}: {err}");
        }
        let err = validate_name("nav_entry").err().unwrap_or_default();
        assert!(err.contains("`NavEntry`"), "{err}");
        assert!(validate_name("self").is_err());
    }

    #[test]
    fn names_become_struct_names_and_titles() {
        assert_eq!(camel_name("offshore"), "Offshore");
        assert_eq!(camel_name("menu_planner_2"), "MenuPlanner2");
        assert_eq!(camel_name("a__b_"), "AB");
        assert_eq!(title("menu_planner"), "Menu planner");
        assert_eq!(title("scaffoldcheck"), "Scaffoldcheck");
    }

    #[test]
    fn scaffold_creates_the_crate_and_links_it() -> Result<(), String> {
        let temp = fake_workspace()?;
        let root = temp.path();
        let paths = scaffold_module(root, "menu_planner")?;
        let rel: Vec<String> = paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
            .collect();
        assert_eq!(
            rel,
            vec![
                "modules/menu_planner/Cargo.toml",
                "modules/menu_planner/src/lib.rs",
                "modules/menu_planner/locales/en.toml",
                "modules/menu_planner/locales/sv.toml",
                "migrations/menu_planner/postgres/.gitkeep",
                "migrations/menu_planner/sqlite/.gitkeep",
                "Cargo.toml",
                "app/Cargo.toml",
                "app/src/linked_modules.rs",
            ]
        );

        let root_toml = read_rel(root, "Cargo.toml")?;
        assert_eq!(
            root_toml,
            ROOT_TOML
                .replace(
                    r#"members = ["core", "modules/municipal", "modules/offshore", "app", "xtask"]"#,
                    r#"members = ["core", "modules/municipal", "modules/offshore", "modules/menu_planner", "app", "xtask"]"#,
                )
                .replace(
                    r#"default-members = ["core", "modules/municipal", "modules/offshore", "app"]"#,
                    r#"default-members = ["core", "modules/municipal", "modules/offshore", "modules/menu_planner", "app"]"#,
                )
                .replace(
                    "galley-offshore = { path = \"modules/offshore\" }\n",
                    "galley-offshore = { path = \"modules/offshore\" }\ngalley-menu_planner = { path = \"modules/menu_planner\" }\n",
                )
        );
        assert_eq!(
            read_rel(root, "app/Cargo.toml")?,
            APP_TOML.replace(
                "galley-offshore.workspace = true\n",
                "galley-offshore.workspace = true\ngalley-menu_planner.workspace = true\n",
            )
        );
        assert_eq!(
            read_rel(root, "app/src/linked_modules.rs")?,
            LINKED.replace(
                "use galley_offshore as _;\n",
                "use galley_offshore as _;\nuse galley_menu_planner as _;\n"
            )
        );

        let cargo_toml = read_rel(root, "modules/menu_planner/Cargo.toml")?;
        assert!(cargo_toml.starts_with("[package]\nname = \"galley-menu_planner\"\n"));
        assert!(cargo_toml.contains("galley-core.workspace = true\n"));
        assert!(cargo_toml.contains("[lints]\nworkspace = true\n"));

        let lib_rs = read_rel(root, "modules/menu_planner/src/lib.rs")?;
        for expected in [
            "pub struct MenuPlanner;",
            "impl Module for MenuPlanner {",
            "\"menu_planner\"",
            "\"Menu planner\"",
            "env!(\"CARGO_PKG_VERSION\")",
            "web::module_landing(&MenuPlanner)",
            "static POSTGRES: EmbeddedMigrations = embed_migrations!(\"../../migrations/menu_planner/postgres\");",
            "postgres: &POSTGRES,",
            "embed_migrations!(\"../../migrations/menu_planner/sqlite\")",
            "label_key: \"module.menu_planner.title\",",
            "path: \"/menu_planner\",",
            "(\"sv\", include_str!(\"../locales/sv.toml\")),",
            "galley_core::register_module!(MenuPlanner);",
            "#[cfg(test)]",
            "Registry::from_modules([&MenuPlanner as &dyn Module])?",
            "assert_eq!(registry.ids(), vec![\"menu_planner\"]);",
        ] {
            assert!(
                lib_rs.contains(expected),
                "lib.rs lacks {expected:?}:\n{lib_rs}"
            );
        }
        assert!(!lib_rs.contains("{{"), "unfilled placeholder:\n{lib_rs}");
        assert!(!lib_rs.contains("fn features"));

        for lang in ["en", "sv"] {
            let locale = read_rel(root, &format!("modules/menu_planner/locales/{lang}.toml"))?;
            assert!(locale.starts_with("[module.menu_planner]\ntitle = \"Menu planner\"\n"));
            assert!(locale.contains("\ndescription = \""));
        }
        Ok(())
    }

    #[test]
    fn scaffold_refuses_twice_and_touches_nothing() -> Result<(), String> {
        let temp = fake_workspace()?;
        let root = temp.path();
        scaffold_module(root, "bakery")?;
        let before = read_rel(root, "Cargo.toml")?;
        let err = scaffold_module(root, "bakery").err().unwrap_or_default();
        assert!(err.contains("already exists"), "{err}");

        // An existing module folder is refused before any edit.
        let err = scaffold_module(root, "offshore").err().unwrap_or_default();
        assert!(err.contains("module `offshore` already exists"), "{err}");

        // A stale line in one manifest is refused, and nothing is written.
        let app = read_rel(root, "app/Cargo.toml")?;
        write(
            root,
            "app/Cargo.toml",
            &app.replace(
                "[dev-dependencies]",
                "galley-pantry.workspace = true\n\n[dev-dependencies]",
            ),
        )?;
        let err = scaffold_module(root, "pantry").err().unwrap_or_default();
        assert!(
            err.contains("`galley-pantry` is already in `[dependencies]`"),
            "{err}"
        );
        assert!(!root.join("modules/pantry").exists());
        assert!(!root.join("migrations/pantry").exists());
        assert_eq!(read_rel(root, "Cargo.toml")?, before);

        let err = scaffold_module(root, "static").err().unwrap_or_default();
        assert!(err.contains("reserved"), "{err}");
        Ok(())
    }

    #[test]
    fn scaffold_needs_linked_modules_rs() -> Result<(), String> {
        let temp = fake_workspace()?;
        let root = temp.path();
        fs::remove_file(root.join("app/src/linked_modules.rs")).map_err(|e| e.to_string())?;
        let err = scaffold_module(root, "bakery").err().unwrap_or_default();
        assert!(err.contains("linked_modules.rs"), "{err}");
        assert!(!root.join("modules/bakery").exists());
        Ok(())
    }

    #[test]
    fn multi_line_arrays_get_one_item_per_line() -> Result<(), String> {
        let text = "[workspace]\nmembers = [\n    \"core\",\n    \"modules/offshore\",\n    \"app\"\n]\ndefault-members = [\n  \"core\",\n  \"app\",\n]\n\n[workspace.dependencies]\n";
        let edited = edit_root_manifest(text, "bakery")?;
        assert_eq!(
            edited,
            "[workspace]\nmembers = [\n    \"core\",\n    \"modules/offshore\",\n    \"modules/bakery\",\n    \"app\"\n]\ndefault-members = [\n  \"core\",\n  \"modules/bakery\",\n  \"app\",\n]\n\n[workspace.dependencies]\ngalley-bakery = { path = \"modules/bakery\" }\n"
        );
        let err = edit_root_manifest(&edited, "bakery")
            .err()
            .unwrap_or_default();
        assert!(err.contains("already in `members`"), "{err}");
        Ok(())
    }

    #[test]
    fn linked_modules_without_uses_gets_one_appended() -> Result<(), String> {
        let edited = edit_linked_modules("//! Links the modules.\n", "bakery")?;
        assert_eq!(edited, "//! Links the modules.\nuse galley_bakery as _;\n");
        let err = edit_linked_modules(&edited, "bakery")
            .err()
            .unwrap_or_default();
        assert!(err.contains("already has"), "{err}");
        Ok(())
    }

    /// The template's manifest stays offshore's, less the dependencies offshore adds.
    #[test]
    fn the_template_has_offshores_shape() -> Result<(), String> {
        let offshore = crate::util::workspace_root().join("modules/offshore");
        if !offshore.is_dir() {
            eprintln!("no modules/offshore to compare with");
            return Ok(());
        }
        let manifest = read(&offshore.join("Cargo.toml"))?;
        let manifest_lines: Vec<&str> = manifest.lines().collect();
        for line in render(CARGO_TOML, "offshore").lines() {
            assert!(
                manifest_lines.contains(&line),
                "template manifest line {line:?} is not in modules/offshore/Cargo.toml any more"
            );
        }
        // Offshore's lib.rs has outgrown the skeleton (its own pages, demo data, menu slots);
        // the scaffold step of `cargo xtask test` builds and tests a generated module instead.
        Ok(())
    }

    fn rustfmt_check(path: &Path) -> Option<std::process::Output> {
        Command::new("rustfmt")
            .args(["--edition", "2024", "--check"])
            .arg(path)
            .output()
            .ok()
    }

    #[test]
    fn the_template_is_rustfmt_clean() -> Result<(), String> {
        let temp = TempDir::new("xtask-template-fmt-test")?;
        // As written (no rustfmt pass) for a usual name, and after the pass for the longest.
        let usual = temp.path().join("usual.rs");
        fs::write(&usual, render_lib_rs("bakery")).map_err(|e| e.to_string())?;
        let Some(output) = rustfmt_check(&usual) else {
            eprintln!("rustfmt is not installed; skipping");
            return Ok(());
        };
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );

        let workspace = fake_workspace()?;
        let longest = "a".repeat(40);
        scaffold_module(workspace.path(), &longest)?;
        let lib_rs = workspace
            .path()
            .join(format!("modules/{longest}/src/lib.rs"));
        let output = rustfmt_check(&lib_rs).ok_or("rustfmt vanished")?;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        Ok(())
    }
}
