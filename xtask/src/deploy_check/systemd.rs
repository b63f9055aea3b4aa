//! `systemd-analyze verify` of the units in deploy/systemd.
//!
//! Proves: every section and directive is known to the installed systemd and its value
//! parses, the timers name units that exist, and each command line points at a program that
//! is shipped (`galley` or a script in deploy/backup). Does not prove: that the sandbox lets
//! Galley run (that needs the real binary under systemd as PID 1), that the users, the
//! EnvironmentFile or the network targets exist on a host, or that the timers fire.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util;

pub const UNITS: &str = "deploy/systemd";

/// Where the units expect the programs, as installed by the steps in their headers.
const GALLEY: &str = "/usr/local/bin/galley";
const SCRIPTS: &str = "/usr/local/lib/galley/";

const COMMAND_KEYS: [&str; 5] = [
    "ExecStart=",
    "ExecStartPre=",
    "ExecStartPost=",
    "ExecStop=",
    "ExecReload=",
];

/// The unit with every command's program replaced by `stub` (systemd-analyze wants programs
/// that exist and are executable). A program other than galley or a shipped script is an
/// error: the unit would point at something the install steps do not put there.
pub fn stub_commands(unit: &str, stub: &str, scripts: &[String]) -> Result<String, String> {
    let mut out = Vec::new();
    for (index, line) in unit.lines().enumerate() {
        let Some(key) = COMMAND_KEYS.iter().find(|k| line.starts_with(**k)) else {
            out.push(line.to_string());
            continue;
        };
        let value = &line[key.len()..];
        // Prefixes such as `-` (ignore failure) or `+` (full privileges) come before the path.
        let flags: String = value.chars().take_while(|c| "-@:+!".contains(*c)).collect();
        let rest = &value[flags.len()..];
        let (program, args) = rest.split_once(' ').unwrap_or((rest, ""));
        let shipped = program == GALLEY
            || program
                .strip_prefix(SCRIPTS)
                .is_some_and(|name| scripts.iter().any(|s| s == name));
        if !shipped {
            return Err(format!(
                "line {}: `{program}` is neither {GALLEY} nor {SCRIPTS}<a script in deploy/backup>",
                index + 1
            ));
        }
        out.push(format!("{key}{flags}{stub} {args}").trim_end().to_string());
    }
    Ok(out.join("\n") + "\n")
}

pub fn check(root: &Path) -> Result<(), String> {
    let temp = util::TempDir::new("xtask-systemd")?;
    let stub = temp.path().join("stub");
    fs::write(&stub, "#!/bin/sh\nexit 0\n").map_err(|e| format!("cannot write stub: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&stub, fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("cannot make the stub executable: {e}"))?;
    }
    let scripts = file_names(&root.join("deploy/backup"))?;
    let mut units = Vec::new();
    for name in file_names(&root.join(UNITS))? {
        if !(name.ends_with(".service") || name.ends_with(".timer")) {
            continue;
        }
        let path = root.join(UNITS).join(&name);
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let stubbed = stub_commands(&text, &stub.display().to_string(), &scripts)
            .map_err(|e| format!("{UNITS}/{name}: {e}"))?;
        let copy = temp.path().join(&name);
        fs::write(&copy, stubbed).map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
        units.push(copy);
    }
    if units.is_empty() {
        return Err(format!("no units in {UNITS}"));
    }
    let mut verify = Command::new("systemd-analyze");
    verify.args(["verify", "--man=no"]).args(&units);
    let out = util::run_captured(&mut verify, "systemd-analyze verify")?;
    // systemd only warns about unknown directives and bad values and exits 0, but a typo'd
    // hardening line silently weakens the sandbox: any word about our files is a failure.
    let dir = temp.path().display().to_string();
    let about_ours: Vec<&str> = out.lines().filter(|l| l.contains(&dir)).collect();
    if !about_ours.is_empty() {
        return Err(format!(
            "systemd-analyze verify complained about {UNITS} (copies in {dir}, same line \
             numbers):\n{}",
            util::indent(&about_ours.join("\n"), "    | ")
        ));
    }
    if !out.trim().is_empty() {
        println!("{}", util::indent(out.trim_end(), "    | "));
    }
    println!("    systemd-analyze verify accepts {} units", units.len());
    Ok(())
}

fn file_names(dir: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_point_at_the_stub_keeping_arguments_and_prefixes() -> Result<(), String> {
        let scripts = vec!["galley-backup.sh".to_string()];
        let unit = "[Service]\nExecStartPre=/usr/local/bin/galley migrate\n\
                    ExecStart=-/usr/local/lib/galley/galley-backup.sh\nUser=galley\n";
        let stubbed = stub_commands(unit, "/t/stub", &scripts)?;
        assert_eq!(
            stubbed,
            "[Service]\nExecStartPre=/t/stub migrate\nExecStart=-/t/stub\nUser=galley\n"
        );
        let unknown = "ExecStart=/usr/local/lib/galley/galley-bakup.sh\n";
        assert!(stub_commands(unknown, "/t/stub", &scripts).is_err());
        assert!(stub_commands("ExecStart=/usr/bin/galley serve\n", "/t/stub", &scripts).is_err());
        Ok(())
    }
}
