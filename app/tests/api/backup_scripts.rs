//! The backup kit in `deploy/backup` run for real (issue 13, item 6): a dump of a live
//! database, the newest `KEEP` kept, an encrypted off-site copy that decrypts to the dump, and
//! the weekly restore test restoring into a scratch database and failing loudly on a broken
//! dump. PostgreSQL with `pg_dump`, `pg_restore` and `gpg` (`cargo xtask test` installs them);
//! on SQLite the same scripts use `sqlite3`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use galley_core::auth::Role;

use crate::auth::seed_user;
use crate::harness::TestApp;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/backup")
        .join(name)
}

fn run(name: &str, env: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .arg(script(name))
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with("galley-") && name.ends_with(suffix)
        })
        .collect();
    found.sort();
    found
}

/// A throwaway GnuPG home with one key pair; the exported public key's path.
fn key_pair(home: &Path) -> PathBuf {
    let gpg = |args: &[&str]| {
        let output = Command::new("gpg")
            .arg("--homedir")
            .arg(home)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "gpg {args:?}: {}", text(&output));
        output
    };
    gpg(&[
        "--quick-gen-key",
        "Galley backup test <backup@test.invalid>",
        "default",
        "default",
        "never",
    ]);
    let public = home.join("backup.pub");
    gpg(&[
        "--output",
        public.to_str().unwrap(),
        "--export",
        "backup@test.invalid",
    ]);
    public
}

#[tokio::test(flavor = "multi_thread")]
async fn backups_rotate_encrypt_and_restore_and_a_broken_dump_fails_the_restore_test() {
    let app = TestApp::new().await;
    seed_user(&app, Role::Admin).await;
    let url = app.database_url();
    let postgres = crate::harness::on_postgres();
    let suffix = if postgres { ".dump" } else { ".sqlite3" };

    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let gnupg = dir.path().join("gnupg");
    std::fs::create_dir(&gnupg).unwrap();
    let public = key_pair(&gnupg);
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("BACKUP_DIR", backups.to_str().unwrap()),
        ("KEEP", "2"),
        ("BACKUP_GPG_RECIPIENT", public.to_str().unwrap()),
        ("GNUPGHOME", gnupg.to_str().unwrap()),
    ];
    for _ in 0..3 {
        let backup = run("galley-backup.sh", &env);
        assert!(backup.status.success(), "{}", text(&backup));
        // The file names carry the second.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let kept = files(&backups, suffix);
    assert_eq!(kept.len(), 2, "KEEP=2: {kept:?}");
    let offsite = files(&backups.join("offsite"), &format!("{suffix}.gpg"));
    assert_eq!(offsite.len(), 2, "{offsite:?}");

    // The off-site copy is the dump, encrypted to the key.
    let newest = kept.last().unwrap();
    let decrypted = dir.path().join("decrypted");
    let output = Command::new("gpg")
        .arg("--homedir")
        .arg(&gnupg)
        .args([
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--output",
        ])
        .arg(&decrypted)
        .arg("--decrypt")
        .arg(offsite.last().unwrap())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(
        std::fs::read(&decrypted).unwrap(),
        std::fs::read(newest).unwrap()
    );
    assert_ne!(
        std::fs::read(offsite.last().unwrap()).unwrap(),
        std::fs::read(newest).unwrap()
    );

    let restore_env = [
        ("DATABASE_URL", url.as_str()),
        ("BACKUP_DIR", backups.to_str().unwrap()),
    ];
    let restored = run("galley-restore-test.sh", &restore_env);
    assert!(restored.status.success(), "{}", text(&restored));

    // A broken newest dump fails the restore test, loudly.
    let broken = backups.join(format!("galley-29991231T235959Z{suffix}"));
    std::fs::write(&broken, b"not a backup").unwrap();
    let failed = run(
        "galley-restore-test.sh",
        &[restore_env[0], restore_env[1], ("MAX_AGE_HOURS", "0")],
    );
    assert!(
        !failed.status.success(),
        "a broken dump restored: {}",
        text(&failed)
    );
    assert!(!text(&failed).trim().is_empty());
}
