//! Helpers shared by the commands: locating the workspace, running programs, temp folders.

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The workspace root: the parent of the xtask crate.
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` at run time; the compile-time value is the fallback
/// for a binary started directly.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    match manifest_dir.parent() {
        Some(parent) if parent.join("Cargo.toml").is_file() => parent.to_path_buf(),
        _ => manifest_dir,
    }
}

/// The cargo that runs us (`CARGO`), so nested builds use the same toolchain.
pub fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Prints the progress header of a step: `==> [2/5] clippy`.
pub fn progress(index: usize, total: usize, title: &str) {
    println!();
    println!("==> [{index}/{total}] {title}");
}

/// A command line as a person would type it, for progress output and error messages.
pub fn display_command(cmd: &Command) -> String {
    let mut parts = vec![display_arg(cmd.get_program())];
    if let Some(program) = Path::new(cmd.get_program()).file_name() {
        // `/root/.rustup/toolchains/.../bin/cargo` reads better as `cargo`.
        if program == "cargo" {
            parts[0] = "cargo".to_string();
        }
    }
    parts.extend(cmd.get_args().map(display_arg));
    parts.join(" ")
}

fn display_arg(arg: &OsStr) -> String {
    let text = arg.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain {
        text.into_owned()
    } else {
        shell_quote(&text)
    }
}

/// Single-quotes a word for `sh`.
pub fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// How a finished process ended, in words.
pub fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    "abnormal exit".to_string()
}

/// Runs a command with inherited stdio, echoing it first; a non-zero exit is an error
/// naming `what`.
/// The entries of `dir` that `keep` accepts, sorted; none when `dir` does not exist.
pub fn sorted_entries(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let unreadable = |e: std::io::Error| format!("cannot read {}: {e}", dir.display());
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        if keep(&path) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// The subdirectories of `dir`, sorted.
pub fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    sorted_entries(dir, Path::is_dir)
}

/// For a command that takes no arguments: false after printing `usage` for `-h`/`--help`
/// (nothing more to do), an error naming anything else, true to go on.
pub fn no_arguments(args: &[String], usage: &str) -> Result<bool, String> {
    match args.first().map(String::as_str) {
        None => Ok(true),
        Some("-h" | "--help") => {
            println!("{usage}");
            Ok(false)
        }
        Some(arg) => Err(format!("unknown argument `{arg}`\n{usage}")),
    }
}

pub fn run_checked(cmd: &mut Command, what: &str) -> Result<(), String> {
    println!("    $ {}", display_command(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: could not start `{}`: {e}", display_command(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({})", describe_status(status)))
    }
}

/// Runs a command with its output captured; on failure the error carries the output.
pub fn run_captured(cmd: &mut Command, what: &str) -> Result<String, String> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: could not start `{}`: {e}", display_command(cmd)))?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{what} failed ({}): `{}`\n{}",
            describe_status(output.status),
            display_command(cmd),
            indent(text.trim_end(), "    | ")
        ))
    }
}

/// Prefixes every line of `text`.
pub fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The last `n` lines of a text file, for error messages (empty when unreadable).
pub fn tail_of_file(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// An executable called `name` in a folder of `PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// A regular file (following symlinks) with an execute bit.
pub fn is_executable(path: &Path) -> bool {
    let Ok(meta) = fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("could not find a free loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| format!("could not find a free loopback port: {e}"))
}

/// Seconds with one decimal, for timings.
pub fn secs(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// A fresh folder under the system temp dir, removed (with its contents) on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> Result<Self, String> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let path = env::temp_dir().join(format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir(&path)
            .map_err(|e| format!("could not create temp folder {}: {e}", path.display()))?;
        Ok(Self { path })
    }

    /// The folder `path`, emptied first if it exists (e.g. left over by an interrupted run).
    pub fn at(path: PathBuf) -> Result<Self, String> {
        if path.exists() {
            fs::remove_dir_all(&path)
                .map_err(|e| format!("could not remove {}: {e}", path.display()))?;
        }
        fs::create_dir_all(&path)
            .map_err(|e| format!("could not create temp folder {}: {e}", path.display()))?;
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.path) {
            eprintln!(
                "warning: could not remove temp folder {}: {e}",
                self.path.display()
            );
        }
    }
}

/// FNV-1a, for short stable names derived from paths.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Copies the workspace at `src` into `dst` (created), leaving out build output (`target/`),
/// version control (`.git`) and SQLite database files. Files keep their modification times,
/// so cargo's fingerprints see unchanged sources as unchanged. Returns the number of files
/// copied.
pub fn copy_workspace(src: &Path, dst: &Path) -> Result<usize, String> {
    fs::create_dir_all(dst).map_err(|e| format!("could not create {}: {e}", dst.display()))?;
    let mut copied = 0;
    copy_dir(src, dst, &mut copied)?;
    Ok(copied)
}

fn copy_dir(src: &Path, dst: &Path, copied: &mut usize) -> Result<(), String> {
    let entries =
        fs::read_dir(src).map_err(|e| format!("could not read {}: {e}", src.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("could not read {}: {e}", src.display()))?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        let from = entry.path();
        let to = dst.join(&name);
        let file_type = entry
            .file_type()
            .map_err(|e| format!("could not stat {}: {e}", from.display()))?;
        if name_text == ".git" || (file_type.is_dir() && name_text == "target") {
            continue;
        }
        if file_type.is_dir() {
            fs::create_dir(&to).map_err(|e| format!("could not create {}: {e}", to.display()))?;
            copy_dir(&from, &to, copied)?;
        } else if file_type.is_symlink() {
            let link = fs::read_link(&from)
                .map_err(|e| format!("could not read {}: {e}", from.display()))?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&link, &to)
                .map_err(|e| format!("could not create symlink {}: {e}", to.display()))?;
            #[cfg(not(unix))]
            let _ = link;
        } else {
            let is_database = [".db", ".db-shm", ".db-wal", ".db-journal"]
                .iter()
                .any(|suffix| name_text.ends_with(suffix));
            if is_database {
                continue;
            }
            fs::copy(&from, &to).map_err(|e| {
                format!("could not copy {} to {}: {e}", from.display(), to.display())
            })?;
            let modified = fs::metadata(&from).and_then(|meta| meta.modified());
            if let Ok(modified) = modified {
                fs::File::options()
                    .write(true)
                    .open(&to)
                    .and_then(|file| file.set_modified(modified))
                    .map_err(|e| format!("could not set the time of {}: {e}", to.display()))?;
            }
            *copied += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_workspace_leaves_out_target_git_and_databases() -> Result<(), String> {
        let temp = TempDir::new("xtask-copy-test")?;
        let src = temp.path().join("src");
        let write = |rel: &str| -> Result<(), String> {
            let path = src.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            fs::write(&path, rel).map_err(|e| e.to_string())
        };
        for rel in [
            "Cargo.toml",
            "core/src/lib.rs",
            "target/debug/galley",
            ".git/HEAD",
            "galley.db",
            "galley.db-wal",
            "migrations/core/sqlite/.gitkeep",
        ] {
            write(rel)?;
        }
        let dst = temp.path().join("dst");
        let copied = copy_workspace(&src, &dst)?;
        assert_eq!(copied, 3);
        assert!(dst.join("Cargo.toml").is_file());
        assert!(dst.join("core/src/lib.rs").is_file());
        assert!(dst.join("migrations/core/sqlite/.gitkeep").is_file());
        assert!(!dst.join("target").exists());
        assert!(!dst.join(".git").exists());
        assert!(!dst.join("galley.db").exists());
        assert!(!dst.join("galley.db-wal").exists());
        let times = |p: &Path| {
            fs::metadata(p)
                .and_then(|m| m.modified())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            times(&dst.join("core/src/lib.rs"))?,
            times(&src.join("core/src/lib.rs"))?
        );
        Ok(())
    }

    #[test]
    fn temp_dir_is_removed_on_drop() -> Result<(), String> {
        let path = {
            let temp = TempDir::new("xtask-tempdir-test")?;
            fs::write(temp.path().join("file"), "x").map_err(|e| e.to_string())?;
            temp.path().to_path_buf()
        };
        assert!(!path.exists());
        Ok(())
    }

    #[test]
    fn shell_quote_survives_single_quotes() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
