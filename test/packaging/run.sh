#!/usr/bin/env bash
# The Debian packages, the way PostgreSQL extensions are packaged on Debian
# (debian/ with pg_buildext and debian/pgversions): built from a copy of the
# tree with dpkg-buildpackage, checked with lintian (no errors), their
# contents listed, then installed on this machine with apt, the systemd unit
# verified with systemd-analyze, the demo and a companion check run against
# the installed files, and everything purged again (files that `make install`
# had put where the extension package installs are restored), so that no
# other suite sees the packages. Meant to run last (test/run-all.sh).
set -u
cd "$(dirname "$0")/../.."
source test/lib/suite.sh

if [ "$(id -u)" != 0 ]; then
    not_ok "the package test installs packages: run it as root"
    suite_result; exit 1
fi
tree=$PWD
work=$(mktemp -d /tmp/fitbot-packaging.XXXXXX)
chmod 755 "$work"
packages=(postgresql-15-fitbot-partman fitbot-partman)
extension_files=(/usr/lib/postgresql/15/lib/fitbot_partman.so /usr/share/postgresql/15/extension/fitbot_partman*)
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"; }

# What `make install` put where the extension package installs comes back
# after the purge.
backup=()
for file in "${extension_files[@]}"; do [ -e "$file" ] && backup+=("$file"); done
[ ${#backup[@]} -gt 0 ] && tar -cPf "$work/backup.tar" "${backup[@]}"
cleanup() {
    if dpkg-query -W "${packages[@]}" >/dev/null 2>&1; then
        apt_get purge "${packages[@]}" >/dev/null 2>&1
    fi
    [ -f "$work/backup.tar" ] && tar -xPf "$work/backup.tar"
    rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- build
# From a copy: dpkg-buildpackage cleans its tree (`make clean` between
# PostgreSQL versions), which must not touch the working tree's build/.
mkdir -p "$work/src/fitbot-partman"
git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' file; do
    [ -f "$file" ] && printf '%s\0' "$file"
done | tar --null -T - -cf - | tar -xf - -C "$work/src/fitbot-partman"
started=$(date +%s)
(cd "$work/src/fitbot-partman" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -b -us -uc -j2) >"$work/build.log" 2>&1
code=$?
check "dpkg-buildpackage -b builds both packages (exit $code, $(( $(date +%s) - started )) s)" test "$code" -eq 0
[ "$code" -eq 0 ] || tail -40 "$work/build.log"
extension_deb=$(ls "$work"/src/postgresql-15-fitbot-partman_*.deb 2>/dev/null | head -1)
companion_deb=$(ls "$work"/src/fitbot-partman_*.deb 2>/dev/null | head -1)
if [ -z "$extension_deb" ] || [ -z "$companion_deb" ]; then
    not_ok "both .deb files exist"
    suite_result; exit 1
fi
ok "both .deb files exist: $(basename "$extension_deb"), $(basename "$companion_deb")"

lintian --fail-on error --suppress-tags-from-file /dev/null "$extension_deb" "$companion_deb" >"$work/lintian.txt" 2>&1
code=$?
sed 's/^/# lintian: /' "$work/lintian.txt" | head -40
check "lintian: no errors (exit $code; $(grep -c '^E:' "$work/lintian.txt") errors, $(grep -c '^W:' "$work/lintian.txt") warnings)" \
    bash -c "[ $code -eq 0 ] && ! grep -q '^E:' '$work/lintian.txt'"

dpkg-deb -c "$extension_deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/extension.files"
dpkg-deb -c "$companion_deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/companion.files"
contains() { grep -qx "$2" "$work/$1.files" || { echo "# missing in $1: $2"; return 1; }; }
check "postgresql-15-fitbot-partman holds the extension" bash -c "
    $(declare -f contains); work='$work'
    contains extension /usr/lib/postgresql/15/lib/fitbot_partman.so &&
    contains extension /usr/share/postgresql/15/extension/fitbot_partman.control &&
    contains extension /usr/share/postgresql/15/extension/fitbot_partman--1.0.sql &&
    ! grep -q '/usr/bin/' '$work/extension.files'"
check "fitbot-partman holds the companion, the unit, the settings, the man page and the monitoring assets" bash -c "
    $(declare -f contains); work='$work'
    contains companion /usr/bin/fitbot-partman &&
    contains companion /lib/systemd/system/fitbot-partman.service &&
    contains companion /etc/default/fitbot-partman &&
    contains companion /usr/share/man/man1/fitbot-partman.1.gz &&
    contains companion /usr/share/fitbot-partman/alerts.yml &&
    contains companion /usr/share/fitbot-partman/prometheus.yml &&
    contains companion /usr/share/fitbot-partman/alertmanager.yml &&
    contains companion /usr/share/fitbot-partman/prometheus-alertmanager-secrets.conf &&
    contains companion /usr/share/fitbot-partman/grafana/fitbot_partman.json"
check "the extension package depends on PostgreSQL 15 and pg_partman" \
    bash -c "dpkg-deb -f '$extension_deb' Depends | grep -q 'postgresql-15-partman' && dpkg-deb -f '$extension_deb' Depends | grep -q 'postgresql-15'"

# ---------------------------------------------------------------- install, use, purge
apt_get install --no-install-recommends "$extension_deb" "$companion_deb" >"$work/install.log" 2>&1
code=$?
check "apt-get install ./*.deb (exit $code)" test "$code" -eq 0
[ "$code" -eq 0 ] || tail -20 "$work/install.log"
check "the installed extension library belongs to the package" \
    bash -c "dpkg -S /usr/lib/postgresql/15/lib/fitbot_partman.so | grep -q '^postgresql-15-fitbot-partman:'"
check "/usr/bin/fitbot-partman --version runs" bash -c "/usr/bin/fitbot-partman --version | grep -q '^fitbot-partman '"
check "man fitbot-partman renders" bash -c "man -P cat fitbot-partman 2>/dev/null | grep -q 'fitbot-partman'"
man_flag=()
command -v man >/dev/null || man_flag=(--man=no)
systemd-analyze verify "${man_flag[@]}" /lib/systemd/system/fitbot-partman.service >"$work/verify.txt" 2>&1
code=$?
cat "$work/verify.txt"
check "systemd-analyze verify fitbot-partman.service (exit $code)" \
    bash -c "[ $code -eq 0 ] && ! grep -q 'fitbot-partman' '$work/verify.txt'"
check "the unit runs serve as a dynamic user, hardened, with the password file as a credential" bash -c "
    unit=/lib/systemd/system/fitbot-partman.service
    for line in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes Restart=on-failure \
        EnvironmentFile=/etc/default/fitbot-partman LoadCredential=pgpass:/etc/fitbot-partman/pgpass \
        Environment=PGPASSFILE=%d/pgpass 'CapabilityBoundingSet='; do
        grep -qx \"\$line\" \$unit || { echo \"# missing: \$line\"; exit 1; }
    done"
check "/etc/default/fitbot-partman is a conffile with a DSN without a password" bash -c "
    dpkg-query -W -f='\${Conffiles}' fitbot-partman | grep -q /etc/default/fitbot-partman &&
    grep -q '^FITBOT_PARTMAN_DSN=' /etc/default/fitbot-partman && ! grep -qi '^FITBOT_PARTMAN_DSN=.*password' /etc/default/fitbot-partman"

# The demo against the installed files (it builds nothing with --installed).
(cd "$work/src/fitbot-partman" && FITBOT_PARTMAN=/usr/bin/fitbot-partman demo/run.sh --installed) >"$work/demo.log" 2>&1
code=$?
tail -5 "$work/demo.log" | sed 's/^/# demo: /'
check "the demo runs on the installed packages (exit $code)" \
    bash -c "[ $code -eq 0 ] && grep -q 'public.heart_rate_readings' '$work/demo.log' && grep -q 'FITBOT_PARTMAN OK' '$work/demo.log'"

# One companion check against a cluster using the installed extension.
source test/lib/cluster.sh
cluster_start "$work/pg" fitbot >/dev/null 2>&1
psql -X -q -c "SET client_min_messages = warning; CREATE EXTENSION fitbot_partman CASCADE; CREATE EXTENSION pg_cron;" \
    -c "SELECT count(*) FROM fitbot_partman.setup();" >/dev/null 2>&1
/usr/bin/fitbot-partman check >"$work/check.txt" 2>&1
code=$?
cat "$work/check.txt" | cut -c1-200
check "the installed fitbot-partman check against the installed extension: OK (exit $code)" \
    bash -c "[ $code -eq 0 ] && grep -q '^FITBOT_PARTMAN OK - 1 table healthy' '$work/check.txt'"
cluster_stop "$work/pg"

apt_get purge "${packages[@]}" >"$work/purge.log" 2>&1
code=$?
check "apt-get purge removes both packages (exit $code)" \
    bash -c "[ $code -eq 0 ] && ! dpkg-query -W -f='\${Status}\n' ${packages[*]} 2>/dev/null | grep -q 'installed'"
check "nothing of them is left: binary, unit, settings, man page, monitoring assets" bash -c "
    for path in /usr/bin/fitbot-partman /lib/systemd/system/fitbot-partman.service /etc/default/fitbot-partman \
        /usr/share/man/man1/fitbot-partman.1.gz /usr/share/fitbot-partman; do
        [ -e \$path ] && { echo \"# left: \$path\"; exit 1; }
    done; exit 0"

suite_result
