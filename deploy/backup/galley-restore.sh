#!/usr/bin/env bash
# galley-restore.sh: restore a Galley backup into the target database (destructive).
#
# Usage: galley-restore.sh [--yes] [--target-url URL] BACKUP
#   BACKUP        a galley-*.dump (PostgreSQL) or galley-*.sqlite3 file, or "latest" for
#                 the newest one in BACKUP_DIR. Decrypt an off-site copy first:
#                 gpg --decrypt galley-....dump.gpg > galley-....dump
#   --target-url  database to overwrite (default: DATABASE_URL)
#   --yes         do not ask for confirmation
#
# Runbook:
#   1. Stop every Galley instance (systemctl stop galley on each host, or
#      docker compose stop galley). The script refuses while sessions are open on the
#      target database.
#   2. Run this script. PostgreSQL: the target database is dropped and created again
#      (owner: the role in the target URL, template0, UTF8), then pg_restore --no-owner
#      --single-transaction loads the dump as that role. SQLite: the file is replaced
#      (the old file is kept as <file>.before-restore-<UTC>).
#   3. Start Galley again (systemctl start galley, or docker compose up -d). Starting a
#      newer release than the backup applies its migrations on top (galley migrate).
#
# Environment:
#   DATABASE_URL          default target
#   BACKUP_DIR            where "latest" looks, default /var/backups/galley
#   GALLEY_PG_ADMIN_URL   URL of a role allowed to drop and create the target database,
#                         connected to another database on the same server
#                         (default: the target URL's role, database "postgres")
#
# Exit status: 0 when the restore finished and the restored data passed a sanity check.

set -euo pipefail

# shellcheck source=SCRIPTDIR/galley-backup-lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/galley-backup-lib.sh"

usage() { sed -n '2,/^# Exit status/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

assume_yes=0
target=${DATABASE_URL:-}
backup=''
while (($# > 0)); do
    case "$1" in
        -y | --yes) assume_yes=1 ;;
        --target-url) (($# >= 2)) || die "--target-url needs a value"; target=$2; shift ;;
        --target-url=*) target=${1#*=} ;;
        -h | --help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [[ -z $backup ]] || die "only one backup file, please"; backup=$1 ;;
    esac
    shift
done
[[ -n $backup ]] || { usage >&2; exit 2; }
[[ -n $target ]] || die "no target: set DATABASE_URL or pass --target-url"

kind=$(db_kind "$target")
if [[ $backup == latest ]]; then
    BACKUP_DIR=${BACKUP_DIR:-/var/backups/galley}
    case "$kind" in
        postgres) backup=$(newest_file "$BACKUP_DIR" 'galley-*.dump') ;;
        sqlite) backup=$(newest_file "$BACKUP_DIR" 'galley-*.sqlite3') ;;
    esac
    [[ -n $backup ]] || die "no backup found in $BACKUP_DIR"
fi
[[ -f $backup ]] || die "backup file $backup does not exist"
case "$backup" in
    *.gpg) die "$backup is encrypted; decrypt it first: gpg --decrypt '$backup' > '${backup%.gpg}'" ;;
esac

# confirm WHAT: asks the operator to type WHAT back.
confirm() {
    local answer
    if ((assume_yes)); then
        return 0
    fi
    [[ -t 0 ]] || die "not a terminal: pass --yes to restore without confirmation"
    read -r -p "Type '$1' to overwrite it, anything else to stop: " answer
    [[ $answer == "$1" ]] || die "not confirmed; nothing was changed"
}

started=$SECONDS

case "$kind" in
    postgres)
        require_cmd pg_restore psql createdb dropdb
        pg_restore --list "$backup" >/dev/null || die "$backup is not a readable pg_dump custom-format archive"

        pg_split_url "$target"
        target_url=$PG_URL
        target_pass=$PG_PASS
        db=$(pg_url_db "$target_url")
        [[ -n $db ]] || die "the target URL names no database"

        if [[ -n ${GALLEY_PG_ADMIN_URL:-} ]]; then
            pg_split_url "$GALLEY_PG_ADMIN_URL"
            admin_url=$PG_URL
            admin_pass=$PG_PASS
        else
            admin_url=$(pg_url_with_db "$target_url" postgres)
            admin_pass=$target_pass
        fi
        [[ $(pg_url_db "$admin_url") != "$db" ]] ||
            die "GALLEY_PG_ADMIN_URL must connect to a database other than the target"

        admin_sql() {
            pg_run "$admin_pass" psql --no-psqlrc --quiet --tuples-only --no-align \
                --set=ON_ERROR_STOP=1 --dbname="$admin_url" --set=db="$db"
        }
        # Owner of the new database: the role Galley connects as (asked through the target
        # database, or through "postgres" if the target is gone).
        whoami() {
            pg_run "$target_pass" psql --no-psqlrc --quiet --tuples-only --no-align \
                --dbname="$1" --command='select current_user' 2>/dev/null
        }
        owner=$(whoami "$target_url") || owner=$(whoami "$(pg_url_with_db "$target_url" postgres)") ||
            die "cannot connect as the target role to learn its name"

        sessions=$(admin_sql <<<"select count(*) from pg_stat_activity where datname = :'db' and pid <> pg_backend_pid();") ||
            die "cannot connect with the admin URL $admin_url"
        if ((sessions > 0)); then
            die "$sessions session(s) are connected to $db: stop every Galley instance first (systemctl stop galley / docker compose stop galley)"
        fi

        cat <<MSG
About to restore
  backup:   $backup ($(human_size "$backup"), $(date -u -r "$backup" +%Y-%m-%dT%H:%M:%SZ))
  into:     $target_url
  steps:    DROP DATABASE $db; CREATE DATABASE $db OWNER $owner; pg_restore
Everything now in $db is lost. Run galley-backup.sh first if any of it may be needed.
MSG
        confirm "$db"

        pg_run "$admin_pass" dropdb --if-exists --maintenance-db="$admin_url" "$db"
        log "dropped database $db"
        pg_run "$admin_pass" createdb --maintenance-db="$admin_url" --template=template0 \
            --encoding=UTF8 --owner="$owner" "$db"
        log "created database $db (owner $owner)"
        pg_run "$target_pass" pg_restore --no-owner --no-privileges --exit-on-error \
            --single-transaction --dbname="$target_url" "$backup"
        n=$(pg_run "$target_pass" psql --no-psqlrc --quiet --tuples-only --no-align \
            --set=ON_ERROR_STOP=1 --dbname="$target_url" \
            --command='select count(*) from __diesel_schema_migrations') ||
            die "restored, but __diesel_schema_migrations cannot be read"
        log "restored $backup into $db: $n migration(s) recorded"
        ;;
    sqlite)
        require_cmd sqlite3
        db=$(sqlite_path "$target")
        check=$(sqlite3 "$backup" 'PRAGMA integrity_check;')
        [[ $check == ok ]] || die "$backup fails its integrity check: $check"
        cat <<MSG
About to restore
  backup:   $backup ($(human_size "$backup"))
  into:     $db (the current file is kept as $db.before-restore-<UTC>)
Galley must be stopped: a running instance would keep writing to the old file.
MSG
        confirm "$db"
        stamp=$(date -u +%Y%m%dT%H%M%SZ)
        tmp="$db.restore-$stamp.partial"
        trap 'rm -f -- "$tmp"' EXIT
        cp -- "$backup" "$tmp"
        if [[ -f $db ]]; then
            mv -- "$db" "$db.before-restore-$stamp"
            log "kept the previous database as $db.before-restore-$stamp"
        fi
        # A WAL or shared-memory file left from the old database would corrupt the new one.
        rm -f -- "$db-wal" "$db-shm"
        mv -- "$tmp" "$db"
        log "restored $backup into $db"
        ;;
esac

log "done in $((SECONDS - started)) s. Now start Galley again (systemctl start galley / docker compose up -d) and check GET /ready."
