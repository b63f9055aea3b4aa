//! `nginx -t` of deploy/nginx/galley.conf.
//!
//! Proves: the installed nginx accepts the site's syntax and every directive and value in it,
//! with a real (self-signed) certificate and key loaded. Does not prove: that requests reach
//! Galley, that TLS is negotiated, or the compose-only parts (the `galley` service name and
//! Docker's DNS at 127.0.0.11), which are rewritten below because they exist only inside
//! compose. On an nginx older than 1.27.3 (Debian 12 has 1.22) the file's own header says
//! which lines to change, and the check makes exactly those changes.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util;

pub const SITE: &str = "deploy/nginx/galley.conf";

/// `(text in the site, replacement)`: each must be found, so that the check notices when the
/// site changes under it. Deleted lines become comments, so nginx's line numbers still match
/// deploy/nginx/galley.conf.
fn rewrites(dir: &str, modern: bool) -> Vec<(String, String)> {
    let mut list = vec![
        (
            "/etc/nginx/tls/fullchain.pem".to_string(),
            format!("{dir}/fullchain.pem"),
        ),
        (
            "/etc/nginx/tls/privkey.pem".to_string(),
            format!("{dir}/privkey.pem"),
        ),
        (
            "/var/log/nginx/access.log".to_string(),
            format!("{dir}/access.log"),
        ),
    ];
    if !modern {
        list.extend([
            (
                "server galley:8000 resolve ".to_string(),
                "server 127.0.0.1:8000 ".to_string(),
            ),
            (
                "resolver 127.0.0.11 valid=10s ipv6=off;".to_string(),
                "# resolver: deleted for nginx < 1.27.3".to_string(),
            ),
        ]);
    }
    list
}

/// nginx < 1.25.1 has no `http2` directive: `listen 443 ssl http2;` instead, as the site says.
fn old_http2(site: &str) -> Result<String, String> {
    let line = "    http2 on;";
    if !site.contains(line) {
        return Err(format!("{SITE}: `http2 on;` not found"));
    }
    Ok(site
        .replacen(line, "    # http2 on;", 1)
        .replace("listen 443 ssl;", "listen 443 ssl http2;")
        .replace("listen [::]:443 ssl;", "listen [::]:443 ssl http2;"))
}

pub fn rewrite_site(site: &str, dir: &str, version: (u32, u32, u32)) -> Result<String, String> {
    let mut text = site.to_string();
    for (from, to) in rewrites(dir, version >= (1, 27, 3)) {
        if !text.contains(&from) {
            return Err(format!(
                "{SITE}: `{from}` not found; update xtask/src/deploy_check/nginx.rs with the site"
            ));
        }
        text = text.replace(&from, &to);
    }
    if version < (1, 25, 1) {
        text = old_http2(&text)?;
    }
    Ok(text)
}

/// `nginx version: nginx/1.22.1` (nginx prints it on stderr).
pub fn parse_version(output: &str) -> Option<(u32, u32, u32)> {
    let number = output.split("nginx/").nth(1)?.split_whitespace().next()?;
    let mut parts = number.split('.').map(|p| p.parse::<u32>().ok());
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

pub fn check(root: &Path) -> Result<(), String> {
    let mut version_cmd = Command::new("nginx");
    version_cmd.arg("-v");
    let version_text = util::run_captured(&mut version_cmd, "nginx -v")?;
    let version = parse_version(&version_text)
        .ok_or_else(|| format!("cannot read nginx's version from `{}`", version_text.trim()))?;
    let temp = util::TempDir::new("xtask-nginx")?;
    let dir = temp.path().display().to_string();

    let mut openssl = Command::new("openssl");
    openssl
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=galley.example.com"])
        .arg("-keyout")
        .arg(temp.path().join("privkey.pem"))
        .arg("-out")
        .arg(temp.path().join("fullchain.pem"));
    util::run_captured(&mut openssl, "openssl req (self-signed certificate)")?;

    let site_path = root.join(SITE);
    let site = fs::read_to_string(&site_path)
        .map_err(|e| format!("cannot read {}: {e}", site_path.display()))?;
    let site = rewrite_site(&site, &dir, version)?;
    let write = |name: &str, text: &str| {
        fs::write(temp.path().join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write("galley.conf", &site)?;
    // Everything nginx would otherwise write under /var or /run goes to the temp folder.
    let main = format!(
        "pid {dir}/nginx.pid;\nerror_log {dir}/error.log;\nevents {{}}\nhttp {{\n\
         \x20   client_body_temp_path {dir}/body;\n    proxy_temp_path {dir}/proxy;\n\
         \x20   fastcgi_temp_path {dir}/fastcgi;\n    uwsgi_temp_path {dir}/uwsgi;\n\
         \x20   scgi_temp_path {dir}/scgi;\n    include {dir}/galley.conf;\n}}\n"
    );
    write("nginx.conf", &main)?;

    let mut test = Command::new("nginx");
    test.args(["-t", "-e"])
        .arg(temp.path().join("error.log"))
        .arg("-p")
        .arg(temp.path())
        .arg("-c")
        .arg(temp.path().join("nginx.conf"));
    let out = util::run_captured(&mut test, "nginx -t").map_err(|e| {
        format!(
            "{e}\n    ({SITE} was tested as {dir}/galley.conf with the paths rewritten; its line \
             numbers are the same)"
        )
    })?;
    println!("{}", util::indent(out.trim_end(), "    | "));
    let (major, minor, patch) = version;
    println!("    nginx {major}.{minor}.{patch} accepts {SITE}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_nginx_v() {
        assert_eq!(
            parse_version("nginx version: nginx/1.22.1\n"),
            Some((1, 22, 1))
        );
        assert_eq!(parse_version("nginx version: nginx/1.27"), Some((1, 27, 0)));
        assert_eq!(parse_version("command not found"), None);
    }

    #[test]
    fn the_shipped_site_rewrites_for_old_and_new_nginx_keeping_line_numbers() -> Result<(), String>
    {
        let site =
            fs::read_to_string(crate::workspace_root().join(SITE)).map_err(|e| e.to_string())?;
        let old = rewrite_site(&site, "/tmp/x", (1, 22, 1))?;
        assert_eq!(old.lines().count(), site.lines().count());
        assert!(!old.contains("/etc/nginx/tls") && !old.contains(" resolve "));
        assert!(old.contains("listen 443 ssl http2;") && !old.contains("\n    http2 on;"));
        let new = rewrite_site(&site, "/tmp/x", (1, 28, 0))?;
        assert!(new.contains("server galley:8000 resolve") && new.contains("\n    http2 on;"));
        assert!(rewrite_site("server {}", "/tmp/x", (1, 28, 0)).is_err());
        Ok(())
    }
}
