//! `cargo xtask fuzz`: the import's fuzz targets (`fuzz/`) under libFuzzer, for a bounded
//! time each. See `docs/fuzzing.md`.
//!
//! Per target: seed the corpus, replay `fuzz/regressions/<target>/` (any failure fails the
//! run), then fuzz. A crash whose output names a fault listed in
//! `fuzz/known/<target>/signatures.txt` is counted and set aside, and fuzzing goes on; any
//! other crash, leak, timeout or out-of-memory fails the run and leaves its input in
//! `fuzz/artifacts/<target>/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{dist, util};

pub const USAGE: &str = "usage: cargo xtask fuzz [--secs N | --long] [TARGET...]
  Fuzzes the import parsers with libFuzzer (cargo-fuzz, installed under the target dir when
  missing), each target for a bounded time, after replaying fuzz/regressions/TARGET/.
  --secs N   seconds per target (default 60)
  --long     600 seconds per target
  TARGET     csv, xlsx, docx or menu_text (default: all four)
  Crashes are written to fuzz/artifacts/TARGET/; see docs/fuzzing.md.";

pub const TARGETS: [&str; 4] = ["csv", "xlsx", "docx", "menu_text"];

/// The bounded run of `cargo xtask test`.
pub const BOUNDED_SECS: u64 = 60;
const LONG_SECS: u64 = 600;

/// cargo-fuzz, pinned so that every machine fuzzes with the same libFuzzer flags.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// libFuzzer's budgets (docs/fuzzing.md explains the numbers). The whole process, ASan's
/// shadow memory and quarantine included, stays under 2 GiB.
const RSS_LIMIT_MB: u32 = 2048;
/// No single allocation may exceed this: inputs are at most [`MAX_LEN`] and the parsers
/// unpack at most 10 MiB, so a bigger one is sized by what a file claims, not by what it holds.
const MALLOC_LIMIT_MB: u32 = 256;
/// Seconds one input may take under ASan (several times slower than a release build).
const TIMEOUT_SECS: u32 = 10;
/// The largest input tried. The seeds are under 40 KiB; the size caps have unit tests.
const MAX_LEN: u32 = 65_536;

/// How often one run may restart after a known crash before it stops early.
const MAX_KNOWN_RESTARTS: u32 = 30;
/// How often a long run prints where it is.
const PROGRESS_EVERY: Duration = Duration::from_secs(15);

/// Parsed `cargo xtask fuzz` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub secs: u64,
    pub targets: Vec<String>,
    pub help: bool,
}

pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        secs: BOUNDED_SECS,
        targets: Vec::new(),
        help: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--long" => options.secs = LONG_SECS,
            "--secs" => {
                let value = rest.next().ok_or("--secs needs a number of seconds")?;
                options.secs = value
                    .parse()
                    .ok()
                    .filter(|secs| *secs > 0)
                    .ok_or_else(|| format!("--secs {value}: not a positive number"))?;
            }
            "-h" | "--help" => options.help = true,
            target if TARGETS.contains(&target) => options.targets.push(target.to_string()),
            other => {
                return Err(format!(
                    "unknown argument `{other}` (targets: {})",
                    TARGETS.join(", ")
                ));
            }
        }
    }
    if options.targets.is_empty() {
        options.targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    Ok(options)
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    if options.help {
        println!("{USAGE}");
        return Ok(());
    }
    fuzz(root, &options.targets, options.secs)
}

/// Builds the targets once, then replays and fuzzes each for `secs` seconds.
pub fn fuzz(root: &Path, targets: &[String], secs: u64) -> Result<(), String> {
    let fuzzer = Fuzzer::new(root)?;
    fuzzer.build()?;
    let mut failures = Vec::new();
    for target in targets {
        println!("    --- {target}: {secs} s");
        match fuzzer.target(target, Duration::from_secs(secs)) {
            Ok(known) if known > 0 => println!(
                "    ok: {target}: no new crash ({known} hit(s) of known faults, see fuzz/known/{target}/)"
            ),
            Ok(_) => println!("    ok: {target}: no crash"),
            Err(e) => {
                eprintln!("    FAILED: {target}: {e}");
                failures.push(target.as_str());
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found a problem in: {} (inputs in fuzz/artifacts/; docs/fuzzing.md says what next)",
            failures.join(", ")
        ))
    }
}

struct Fuzzer {
    root: PathBuf,
    fuzz_dir: PathBuf,
    /// The sanitizer build, kept between runs (it is the expensive part).
    build_dir: PathBuf,
    logs: PathBuf,
    /// `PATH` with the folder of our cargo-fuzz first.
    path: std::ffi::OsString,
}

impl Fuzzer {
    fn new(root: &Path) -> Result<Self, String> {
        let target_dir = dist::target_dir(root);
        let tools = target_dir.join("fuzz-tools");
        ensure_cargo_fuzz(&tools)?;
        let logs = target_dir.join("fuzz-logs");
        fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
        let mut dirs = vec![tools.join("bin")];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        let path = std::env::join_paths(dirs).map_err(|e| format!("PATH: {e}"))?;
        Ok(Self {
            root: root.to_path_buf(),
            fuzz_dir: root.join("fuzz"),
            build_dir: target_dir.join("fuzz"),
            logs,
            path,
        })
    }

    /// `cargo fuzz SUBCOMMAND TARGET...` on the release + ASan build with debug assertions
    /// (overflow checks find arithmetic bugs that a release build would wrap silently).
    fn cargo_fuzz(&self, subcommand: &str) -> Command {
        let mut cmd = util::cargo();
        cmd.current_dir(&self.root)
            .env("PATH", &self.path)
            // The sanitizer and coverage flags cargo-fuzz passes are unstable (-Z) flags and
            // only a stable toolchain can be had here: decision 0013.
            .env("RUSTC_BOOTSTRAP", "1")
            .env_remove("CARGO_TARGET_DIR")
            .args(["fuzz", subcommand, "--debug-assertions", "--target-dir"])
            .arg(&self.build_dir);
        cmd
    }

    fn build(&self) -> Result<(), String> {
        println!(
            "    building the fuzz targets (release + AddressSanitizer, cached in {})",
            self.build_dir.display()
        );
        util::run_checked(&mut self.cargo_fuzz("build"), "cargo fuzz build")
    }

    /// Replays, then fuzzes one target; the number of known-fault crashes it ran into.
    fn target(&self, target: &str, time: Duration) -> Result<u32, String> {
        let corpus = self.seed(target)?;
        self.replay(target)?;
        let known = known_signatures(&self.fuzz_dir.join("known").join(target));
        let deadline = Instant::now() + time;
        let mut known_hits = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now()).as_secs();
            if left == 0 {
                return Ok(known_hits);
            }
            let log = self.logs.join(format!("{target}.log"));
            let mut cmd = self.cargo_fuzz("run");
            cmd.arg(target)
                .arg(&corpus)
                .arg("--")
                .arg(format!("-max_total_time={left}"))
                .args(self.limits(target));
            if self.watch(&mut cmd, &log)? {
                return Ok(known_hits);
            }
            let output = fs::read_to_string(&log).unwrap_or_default();
            let artifact = artifact_of(&output);
            match known
                .iter()
                .find(|signature| output.contains(signature.as_str()))
            {
                Some(signature) if known_hits < MAX_KNOWN_RESTARTS => {
                    known_hits += 1;
                    println!("    known fault ({signature}): set aside, fuzzing on");
                    if let Some(artifact) = artifact {
                        let _ = fs::remove_file(self.root.join(artifact));
                    }
                }
                Some(_) => {
                    println!("    stopping early: {MAX_KNOWN_RESTARTS} known-fault crashes");
                    return Ok(known_hits);
                }
                None => {
                    return Err(format!(
                        "new crash, input {}; log {}:\n{}",
                        artifact.unwrap_or("(not written)"),
                        log.display(),
                        util::indent(&crash_report(&output), "    | ")
                    ));
                }
            }
        }
    }

    /// The corpus folder (`fuzz/corpus/<target>`, kept between runs), with the samples, the
    /// seeds and the regression inputs copied in.
    fn seed(&self, target: &str) -> Result<PathBuf, String> {
        let corpus = self.fuzz_dir.join("corpus").join(target);
        fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let samples = files_in(&self.root.join("docs/samples"))
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == target));
        let mut copied = 0;
        for file in samples
            .chain(files_in(&self.fuzz_dir.join("seeds").join(target)))
            .chain(files_in(&self.fuzz_dir.join("regressions").join(target)))
        {
            let Some(name) = file.file_name() else {
                continue;
            };
            fs::copy(&file, corpus.join(name))
                .map_err(|e| format!("copying {}: {e}", file.display()))?;
            copied += 1;
        }
        println!(
            "    corpus {}: {copied} seed file(s) copied in",
            corpus.display()
        );
        Ok(corpus)
    }

    /// Runs every regression input once; libFuzzer runs files given by name and exits.
    fn replay(&self, target: &str) -> Result<(), String> {
        let inputs = files_in(&self.fuzz_dir.join("regressions").join(target));
        if inputs.is_empty() {
            println!("    no regression inputs for {target}");
            return Ok(());
        }
        println!("    replaying {} regression input(s)", inputs.len());
        let log = self.logs.join(format!("{target}-replay.log"));
        let mut cmd = self.cargo_fuzz("run");
        cmd.arg(target)
            .args(&inputs)
            .arg("--")
            .args(self.limits(target));
        if self.watch(&mut cmd, &log)? {
            Ok(())
        } else {
            let output = fs::read_to_string(&log).unwrap_or_default();
            Err(format!(
                "a regression input fails again; log {}:\n{}",
                log.display(),
                util::indent(&crash_report(&output), "    | ")
            ))
        }
    }

    fn limits(&self, target: &str) -> Vec<String> {
        let mut limits = vec![
            format!("-rss_limit_mb={RSS_LIMIT_MB}"),
            format!("-malloc_limit_mb={MALLOC_LIMIT_MB}"),
            format!("-timeout={TIMEOUT_SECS}"),
            format!("-max_len={MAX_LEN}"),
            "-print_final_stats=1".to_string(),
        ];
        let dict = self.fuzz_dir.join("dict").join(format!("{target}.dict"));
        if dict.is_file() {
            limits.push(format!("-dict={}", dict.display()));
        }
        limits
    }

    /// Runs `cmd` with its output in `log`, printing libFuzzer's latest status line now and
    /// then; whether it exited successfully.
    fn watch(&self, cmd: &mut Command, log: &Path) -> Result<bool, String> {
        println!(
            "    $ {}  (output: {})",
            util::display_command(cmd),
            log.display()
        );
        let file = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let stderr = file
            .try_clone()
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("could not start `{}`: {e}", util::display_command(cmd)))?;
        let mut last_report = Instant::now();
        loop {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| format!("waiting for cargo fuzz: {e}"))?
            {
                if let Some(line) = status_line(&fs::read_to_string(log).unwrap_or_default()) {
                    println!("      {line}");
                }
                return Ok(status.success());
            }
            if last_report.elapsed() >= PROGRESS_EVERY {
                last_report = Instant::now();
                if let Some(line) = status_line(&fs::read_to_string(log).unwrap_or_default()) {
                    println!("      {line}");
                }
            }
            thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Installs cargo-fuzz into `tools` (its `bin/`) unless it is there already.
fn ensure_cargo_fuzz(tools: &Path) -> Result<(), String> {
    let installed = tools.join("bin").join("cargo-fuzz");
    if util::is_executable(&installed) {
        return Ok(());
    }
    println!(
        "    cargo-fuzz missing: installing {CARGO_FUZZ_VERSION} into {}",
        tools.display()
    );
    let mut cmd = util::cargo();
    cmd.args([
        "install",
        "cargo-fuzz",
        "--locked",
        "--version",
        CARGO_FUZZ_VERSION,
        "--root",
    ])
    .arg(tools)
    // Its own build folder, so the install does not share (and lock) the workspace's.
    .env("CARGO_TARGET_DIR", tools.join("build"));
    util::run_checked(&mut cmd, "cargo install cargo-fuzz")
}

/// The non-comment lines of `signatures.txt`: text that a known fault's crash output holds.
fn known_signatures(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("signatures.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Where libFuzzer wrote the crashing input: "Test unit written to PATH".
fn artifact_of(output: &str) -> Option<&str> {
    output
        .lines()
        .rev()
        .find_map(|line| line.split_once("Test unit written to "))
        .map(|(_, path)| path.trim())
}

/// libFuzzer's latest status line ("#12345 pulse cov: ... exec/s: ...").
fn status_line(output: &str) -> Option<&str> {
    output
        .lines()
        .rev()
        .find(|line| line.starts_with('#') && line.contains("exec/s"))
}

/// The part of a crash's output worth showing: from the first error line, at most 40 lines.
fn crash_report(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .position(|line| {
            line.contains("panicked at") || line.contains("==ERROR") || line.contains("ALARM")
        })
        .unwrap_or(lines.len().saturating_sub(40));
    lines[start..]
        .iter()
        .take(40)
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

/// The files of `dir` (not README.md), sorted; none when it does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.file_name().is_some_and(|name| name != "README.md"))
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn default_is_the_bounded_run_of_every_target() -> Result<(), String> {
        let options = parse_args(&[])?;
        assert_eq!(options.secs, 60);
        assert_eq!(options.targets, args(&TARGETS));
        Ok(())
    }

    #[test]
    fn time_and_targets_are_chosen() -> Result<(), String> {
        let options = parse_args(&args(&["--long", "xlsx"]))?;
        assert_eq!((options.secs, options.targets), (600, args(&["xlsx"])));
        let options = parse_args(&args(&["--secs", "5", "csv", "docx"]))?;
        assert_eq!((options.secs, options.targets), (5, args(&["csv", "docx"])));
        assert!(parse_args(&args(&["--secs", "0"])).is_err());
        assert!(parse_args(&args(&["--secs"])).is_err());
        assert!(parse_args(&args(&["pdf"])).is_err());
        Ok(())
    }

    #[test]
    fn crash_output_gives_the_artifact_and_the_error() {
        let output = "#1024 pulse cov: 10 exec/s: 50\n\
                      thread '<unnamed>' panicked at src/xlsx/mod.rs:3096:38:\n\
                      attempt to multiply with overflow\n\
                      ==1== ERROR: libFuzzer: deadly signal\n\
                      artifact_prefix='fuzz/artifacts/xlsx/'; Test unit written to fuzz/artifacts/xlsx/crash-ab12\n";
        assert_eq!(artifact_of(output), Some("fuzz/artifacts/xlsx/crash-ab12"));
        assert_eq!(status_line(output), Some("#1024 pulse cov: 10 exec/s: 50"));
        assert!(crash_report(output).starts_with("thread '<unnamed>' panicked at"));
    }

    #[test]
    fn signatures_skip_comments_and_blank_lines() -> Result<(), String> {
        let dir = util::TempDir::new("fuzz-known")?;
        fs::write(
            dir.path().join("signatures.txt"),
            "# calamine: column letters overflow\n\nget_row_and_optional_column\n",
        )
        .map_err(|e| e.to_string())?;
        assert_eq!(
            known_signatures(dir.path()),
            args(&["get_row_and_optional_column"])
        );
        Ok(())
    }
}
