#!/usr/bin/env bash
# galley-restore-test.sh: weekly proof that the newest backup restores.
#
# PostgreSQL: creates a scratch database galley_restore_test_<UTC date-time> on the same
# server, restores the newest BACKUP_DIR/galley-*.dump into it (pg_restore --no-owner),
# runs sanity queries, and drops the scratch database again (also on failure).
# SQLite: checks a copy of the newest galley-*.sqlite3 the same way.
#
# Sanity checks: the backup is not older than MAX_AGE_HOURS; __diesel_schema_migrations
# has rows; `select count(*) from module_flags` works.
#
# Environment:
#   DATABASE_URL          required; selects the backend and the server
#   BACKUP_DIR            default /var/backups/galley
#   GALLEY_PG_ADMIN_URL   optional: URL of a role allowed to create and drop databases on
#                         the same server (default: DATABASE_URL's role, which then needs
#                         CREATEDB)
#   MAX_AGE_HOURS         fail if the newest backup is older; default 48, 0 = no limit
#
# Exit status: 0 if the restore and every check succeeded, non-zero otherwise.

set -euo pipefail

# shellcheck source=SCRIPTDIR/galley-backup-lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/galley-backup-lib.sh"

case "${1:-}" in
    -h | --help) sed -n '2,/^# Exit status/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    '') ;;
    *) die "unexpected argument: $1 (see --help)" ;;
esac

: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/galley}
MAX_AGE_HOURS=${MAX_AGE_HOURS:-48}
[[ $MAX_AGE_HOURS =~ ^[0-9]+$ ]] || die "MAX_AGE_HOURS must be a whole number"

kind=$(db_kind "$DATABASE_URL")
case "$kind" in
    postgres) backup=$(newest_file "$BACKUP_DIR" 'galley-*.dump') ;;
    sqlite) backup=$(newest_file "$BACKUP_DIR" 'galley-*.sqlite3') ;;
esac
[[ -n $backup ]] || die "no backup found in $BACKUP_DIR"

age_hours=$((($(date +%s) - $(stat -c %Y "$backup")) / 3600))
log "newest backup: $backup ($(human_size "$backup"), ${age_hours} h old)"
if ((MAX_AGE_HOURS > 0 && age_hours > MAX_AGE_HOURS)); then
    die "newest backup is ${age_hours} h old (limit ${MAX_AGE_HOURS} h): is the nightly backup running?"
fi

started=$SECONDS

# check_migrations COUNT: the migrations table must have rows.
check_migrations() {
    local n=$1
    [[ $n =~ ^[0-9]+$ ]] || die "unexpected answer counting __diesel_schema_migrations: $n"
    ((n > 0)) || die "__diesel_schema_migrations is empty in the restored copy"
    log "check passed: __diesel_schema_migrations has $n row(s)"
}

case "$kind" in
    postgres)
        require_cmd pg_restore psql createdb dropdb
        pg_split_url "${GALLEY_PG_ADMIN_URL:-$DATABASE_URL}"
        admin_url=$PG_URL
        admin_pass=$PG_PASS
        scratch="galley_restore_test_$(date -u +%Y%m%d_%H%M%S)"
        scratch_url=$(pg_url_with_db "$admin_url" "$scratch")

        created=0
        drop_scratch() {
            if ((created)); then
                if pg_run "$admin_pass" dropdb --if-exists --maintenance-db="$admin_url" "$scratch"; then
                    log "dropped scratch database $scratch"
                else
                    printf '%s: ERROR: could not drop scratch database %s; drop it by hand\n' \
                        "${0##*/}" "$scratch" >&2
                    return 1
                fi
            fi
        }
        trap 'drop_scratch || exit 1' EXIT

        pg_run "$admin_pass" createdb --maintenance-db="$admin_url" --template=template0 \
            --encoding=UTF8 "$scratch"
        created=1
        log "created scratch database $scratch on $(pg_url_with_db "$admin_url" '')"

        pg_run "$admin_pass" pg_restore --no-owner --no-privileges --exit-on-error \
            --dbname="$scratch_url" "$backup"
        log "restored into $scratch"

        sql() {
            pg_run "$admin_pass" psql --no-psqlrc --quiet --tuples-only --no-align \
                --set=ON_ERROR_STOP=1 --dbname="$scratch_url" --command="$1"
        }
        n=$(sql 'select count(*) from __diesel_schema_migrations') ||
            die "cannot read __diesel_schema_migrations in the restored copy"
        check_migrations "$n"
        flags=$(sql 'select count(*) from module_flags') ||
            die "select count(*) from module_flags failed in the restored copy"
        log "check passed: module_flags readable ($flags row(s))"
        ;;
    sqlite)
        require_cmd sqlite3
        work=$(mktemp -d)
        trap 'rm -rf -- "$work"' EXIT
        cp -- "$backup" "$work/restore-test.sqlite3"
        check=$(sqlite3 "$work/restore-test.sqlite3" 'PRAGMA integrity_check;')
        [[ $check == ok ]] || die "integrity check failed: $check"
        log "check passed: PRAGMA integrity_check"
        n=$(sqlite3 -bail "$work/restore-test.sqlite3" 'select count(*) from __diesel_schema_migrations;') ||
            die "cannot read __diesel_schema_migrations in the restored copy"
        check_migrations "$n"
        flags=$(sqlite3 -bail "$work/restore-test.sqlite3" 'select count(*) from module_flags;') ||
            die "select count(*) from module_flags failed in the restored copy"
        log "check passed: module_flags readable ($flags row(s))"
        ;;
esac

log "restore test passed in $((SECONDS - started)) s (a full restore takes about this long: keep it within your RTO)"
