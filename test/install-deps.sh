#!/usr/bin/env bash
# Installs, on Debian 12, every package the build and the tests need.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

packages=(
    build-essential pkg-config
    postgresql-15 postgresql-server-dev-15
    postgresql-15-partman postgresql-15-cron
    libpqxx-dev libpq-dev libfmt-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev
    libgtest-dev libhowardhinnant-date-dev
    prometheus prometheus-postgres-exporter docker-compose
    clang libclang-rt-14-dev clang-format
    curl python3 python3-yaml procps iproute2 bc tzdata faketime prometheus-alertmanager
    debhelper dpkg-dev fakeroot lintian postgresql-server-dev-all man-db systemd
)
# test/versions installs PostgreSQL 14, 16, 17 and 18 with npm. Node.js from
# NodeSource (the CI machine's) brings its own npm, and Debian's npm package
# would conflict with it: only where there is no npm at all.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
    # Into a variable first: under pipefail, `dpkg-query | grep -q` could fail
    # on dpkg-query's write error once grep has stopped reading.
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages (${missing[*]}); run as root or install them" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged servers; the tests start their own instances.
for service in prometheus prometheus-postgres-exporter prometheus-node-exporter; do
    systemctl stop "$service" >/dev/null 2>&1 || service "$service" stop >/dev/null 2>&1 || true
done
