# shellcheck shell=bash disable=SC2034  # PG_URL, PG_PASS are read by the sourcing scripts
# Shared helpers for galley-backup.sh, galley-restore-test.sh and galley-restore.sh.
# Sourced, not executed. Keep this file next to the scripts.

# Prints a line prefixed with the script name and a UTC timestamp.
log() {
    printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*"
}

die() {
    printf '%s %s: ERROR: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2
    exit 1
}

require_cmd() {
    local cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed (needed by ${0##*/})"
    done
}

# db_kind URL: prints "postgres" or "sqlite", dies on anything else.
db_kind() {
    case "$1" in
        postgres://* | postgresql://* | postgresql+*://*) echo postgres ;;
        sqlite://*) echo sqlite ;;
        *://*) die "unsupported DATABASE_URL scheme: ${1%%://*}" ;;
        '') die "empty database URL" ;;
        *) echo sqlite ;;  # a plain path
    esac
}

# pg_normalize URL: postgresql+psycopg://... (the seed's SQLAlchemy form) -> postgresql://...
pg_normalize() {
    case "$1" in
        postgresql+*://*) printf 'postgresql://%s\n' "${1#*://}" ;;
        *) printf '%s\n' "$1" ;;
    esac
}

# sqlite_path URL: sqlite:///abs/path -> /abs/path, sqlite://rel -> rel, a path stays a path.
sqlite_path() {
    local p=$1
    p=${p#sqlite://}
    p=${p%%\?*}
    [[ -n $p ]] || die "no file name in SQLite URL"
    printf '%s\n' "$p"
}

urldecode() {
    local s=$1 out='' ch
    while [[ -n $s ]]; do
        if [[ $s =~ ^%([0-9A-Fa-f]{2}) ]]; then
            # shellcheck disable=SC2059  # the format is a \xHH escape built from checked hex
            printf -v ch "\\x${BASH_REMATCH[1]}"
            out+=$ch
            s=${s:3}
        else
            out+=${s:0:1}
            s=${s:1}
        fi
    done
    printf '%s' "$out"
}

# pg_split_url URL: sets PG_URL (the URL without its password, safe to log and to put on
# a command line) and PG_PASS (the decoded password, empty if the URL has none).
# The password is handed to libpq through PGPASSWORD (see pg_run), never through argv,
# where other local users could read it.
PG_URL=''
PG_PASS=''
pg_split_url() {
    local url re userinfo user
    url=$(pg_normalize "$1")
    re='^(postgres(ql)?://)(([^@/?#]*)@)?(.*)$'
    [[ $url =~ $re ]] || die "not a PostgreSQL URL"
    userinfo=${BASH_REMATCH[4]}
    PG_PASS=''
    if [[ -n ${BASH_REMATCH[3]} ]]; then
        user=${userinfo%%:*}
        if [[ $userinfo == *:* ]]; then
            PG_PASS=$(urldecode "${userinfo#*:}")
        fi
        PG_URL="${BASH_REMATCH[1]}${user}@${BASH_REMATCH[5]}"
    else
        PG_URL="${BASH_REMATCH[1]}${BASH_REMATCH[5]}"
    fi
}

# pg_url_with_db URL DBNAME: the same server and credentials, another database.
pg_url_with_db() {
    local url=$1 db=$2 re
    re='^(postgres(ql)?://[^/?#]*)(/[^?#]*)?(\?[^#]*)?$'
    [[ $url =~ $re ]] || die "cannot parse PostgreSQL URL"
    printf '%s/%s%s\n' "${BASH_REMATCH[1]}" "$db" "${BASH_REMATCH[4]}"
}

# pg_url_db URL: the database name in the URL (empty if none).
pg_url_db() {
    local re='^postgres(ql)?://[^/?#]*/([^?#]*)'
    if [[ $1 =~ $re ]]; then
        urldecode "${BASH_REMATCH[2]}"
    fi
}

# pg_run PASSWORD CMD ARGS...: runs a PostgreSQL client with the password in its
# environment only, and never prompting.
pg_run() {
    local pass=$1
    shift
    if [[ -n $pass ]]; then
        PGPASSWORD=$pass PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} "$@"
    else
        PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} "$@"
    fi
}

# newest_file DIR GLOB: prints the newest file matching GLOB (names carry a UTC timestamp,
# so the last in sort order is the newest); prints nothing if there is none.
newest_file() {
    local dir=$1 glob=$2 files
    shopt -s nullglob
    # shellcheck disable=SC2206  # the glob is meant to expand here
    files=("$dir"/$glob)
    shopt -u nullglob
    if ((${#files[@]} > 0)); then
        printf '%s\n' "${files[-1]}"
    fi
}

# human_size FILE
human_size() {
    local bytes
    bytes=$(stat -c %s "$1")
    if command -v numfmt >/dev/null 2>&1; then
        numfmt --to=iec-i --suffix=B "$bytes"
    else
        printf '%s bytes\n' "$bytes"
    fi
}
