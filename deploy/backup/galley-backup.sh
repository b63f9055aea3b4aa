#!/usr/bin/env bash
# galley-backup.sh: nightly logical backup of Galley's database.
#
# PostgreSQL: pg_dump --format=custom into BACKUP_DIR/galley-<UTC timestamp>.dump.
# SQLite:     sqlite3 ".backup" into BACKUP_DIR/galley-<UTC timestamp>.sqlite3.
# Files are written under a temporary name and renamed when complete, so a file with the
# final name is always whole. The newest KEEP backups are kept, older ones deleted.
# If BACKUP_GPG_RECIPIENT is set, an encrypted copy goes to BACKUP_OFFSITE_DIR; sync that
# directory off-site with your own tooling (this script makes no network calls besides
# the database connection).
#
# Environment:
#   DATABASE_URL          required; postgresql://, postgres://, postgresql+psycopg://,
#                         sqlite://path or a plain SQLite path
#   BACKUP_DIR            default /var/backups/galley
#   KEEP                  number of backups to keep, default 30
#   BACKUP_GPG_RECIPIENT  optional: a key id / e-mail in the keyring, or the path of an
#                         exported public key file
#   BACKUP_OFFSITE_DIR    default $BACKUP_DIR/offsite (the newest KEEP copies are kept)
#
# Exit status: 0 on success, non-zero on any failure (nothing half-written is left).

set -euo pipefail

# shellcheck source=SCRIPTDIR/galley-backup-lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/galley-backup-lib.sh"

usage() {
    sed -n '2,/^# Exit status/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}
case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    '') ;;
    *) die "unexpected argument: $1 (configuration is read from the environment; see --help)" ;;
esac

: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/galley}
KEEP=${KEEP:-30}
BACKUP_OFFSITE_DIR=${BACKUP_OFFSITE_DIR:-$BACKUP_DIR/offsite}
BACKUP_GPG_RECIPIENT=${BACKUP_GPG_RECIPIENT:-}

[[ $KEEP =~ ^[1-9][0-9]*$ ]] || die "KEEP must be a positive integer (got '$KEEP')"

umask 077
mkdir -p "$BACKUP_DIR"

# One backup at a time.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$BACKUP_DIR/.galley-backup.lock"
    flock -n 9 || die "another backup is running (lock $BACKUP_DIR/.galley-backup.lock)"
fi

tmp_files=()
cleanup() {
    local f
    for f in "${tmp_files[@]}"; do
        rm -f -- "$f"
    done
}
trap cleanup EXIT

stamp=$(date -u +%Y%m%dT%H%M%SZ)
kind=$(db_kind "$DATABASE_URL")
started=$SECONDS

case "$kind" in
    postgres)
        require_cmd pg_dump pg_restore
        pg_split_url "$DATABASE_URL"
        ext=dump
        final="$BACKUP_DIR/galley-$stamp.$ext"
        tmp="$BACKUP_DIR/.galley-$stamp.$ext.partial"
        tmp_files+=("$tmp")
        log "dumping $PG_URL (pg_dump $(pg_dump --version | awk '{print $3}'))"
        pg_run "$PG_PASS" pg_dump --format=custom --no-password --file="$tmp" --dbname="$PG_URL"
        # The archive's table of contents must be readable, or the dump is useless.
        pg_restore --list "$tmp" >/dev/null || die "pg_restore cannot read the new dump"
        ;;
    sqlite)
        command -v sqlite3 >/dev/null 2>&1 ||
            die "DATABASE_URL is SQLite but sqlite3 is not installed; install it (apt-get install sqlite3) - refusing to copy a live database file"
        db=$(sqlite_path "$DATABASE_URL")
        [[ -f $db ]] || die "SQLite database $db does not exist"
        [[ $BACKUP_DIR != *"'"* ]] || die "BACKUP_DIR must not contain a single quote"
        ext=sqlite3
        final="$BACKUP_DIR/galley-$stamp.$ext"
        tmp="$BACKUP_DIR/.galley-$stamp.$ext.partial"
        tmp_files+=("$tmp")
        log "backing up SQLite database $db"
        sqlite3 "$db" ".backup '$tmp'"
        check=$(sqlite3 "$tmp" 'PRAGMA integrity_check;')
        [[ $check == ok ]] || die "integrity check of the new backup failed: $check"
        ;;
esac

sync "$tmp" 2>/dev/null || sync
mv -- "$tmp" "$final"
log "wrote $final ($(human_size "$final"), $((SECONDS - started)) s)"

if [[ -n $BACKUP_GPG_RECIPIENT ]]; then
    require_cmd gpg
    mkdir -p "$BACKUP_OFFSITE_DIR"
    if [[ -f $BACKUP_GPG_RECIPIENT ]]; then
        recipient=(--recipient-file "$BACKUP_GPG_RECIPIENT")
    else
        recipient=(--recipient "$BACKUP_GPG_RECIPIENT")
    fi
    enc_final="$BACKUP_OFFSITE_DIR/${final##*/}.gpg"
    enc_tmp="$BACKUP_OFFSITE_DIR/.${final##*/}.gpg.partial"
    tmp_files+=("$enc_tmp")
    # Local keyring or key file only: never look keys up on the network (WKD, keyservers).
    gpg --batch --yes --quiet --trust-model always --auto-key-locate clear,local \
        --no-auto-key-retrieve "${recipient[@]}" --output "$enc_tmp" --encrypt "$final" ||
        die "encryption failed: $final is complete, but the off-site copy was not written"
    sync "$enc_tmp" 2>/dev/null || sync
    mv -- "$enc_tmp" "$enc_final"
    log "wrote encrypted copy $enc_final ($(human_size "$enc_final")) for off-site sync"
fi

# prune DIR GLOB: keep the newest KEEP files matching GLOB.
prune() {
    local dir=$1 glob=$2 files i
    shopt -s nullglob
    # shellcheck disable=SC2206  # the glob is meant to expand here
    files=("$dir"/$glob)
    shopt -u nullglob
    for ((i = 0; i < ${#files[@]} - KEEP; i++)); do
        rm -f -- "${files[i]}"
        log "deleted old backup ${files[i]}"
    done
}
prune "$BACKUP_DIR" "galley-*.$ext"
if [[ -d $BACKUP_OFFSITE_DIR ]]; then
    prune "$BACKUP_OFFSITE_DIR" "galley-*.$ext.gpg"
fi

shopt -s nullglob
kept=("$BACKUP_DIR"/galley-*."$ext")
shopt -u nullglob
log "done: ${#kept[@]} backup(s) in $BACKUP_DIR (keeping up to $KEEP)"
