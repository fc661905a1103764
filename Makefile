# fitbot_partman: the PostgreSQL extension (PGXS, C++17), and on their own
# targets the companion program and the tests, which share the pure core in
# src/core/.
#
#   make && make install        the extension; needs only the server headers,
#                               g++ and nlohmann-json (header-only)
#   make companion              build/fitbot-partman (libpqxx, cpp-httplib, ...)
#   make install-companion      installs it into $(PREFIX)/bin
#   make unit-tests             build/unit-tests (GoogleTest)
#   make sanitized-unit-tests   the same under ASan + UBSan
#   make WERROR=1 ...           warnings are errors (the test command does this)

EXTENSION = fitbot_partman
# The version lives in the control file only.
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)
MODULE_big = fitbot_partman

# ------------------------------------------------------------------ SQL
# Sources by feature, in install order (see sql/README.md). portable/ is plain
# SQL and PL/pgSQL that a managed service could run; native/ needs our shared
# library. Released versions' scripts are frozen in sql/ (DATA); the current
# version's install script and the upgrades into it are built (DATA_built).
SQL_UPGRADE_SUPPORT = \
	sql/src/portable/00_citus_guard.sql \
	sql/src/native/00_adopt_agentless.sql \
	sql/src/portable/00_schemas.sql \
	sql/src/portable/01_upgrade_support.sql
SQL_FEATURES = \
	sql/src/native/10_cron_schedules.sql \
	sql/src/portable/20_schedules.sql \
	sql/src/portable/25_maintenance_ledger.sql \
	sql/src/portable/26_wide_partitions.sql \
	sql/src/portable/27_maintenance_driver.sql \
	sql/src/native/27_attempt_deadline.sql \
	sql/src/portable/28_job_name.sql \
	sql/src/portable/30_locations.sql \
	sql/src/portable/40_registration.sql \
	sql/src/portable/41_registration_names.sql \
	sql/src/portable/42_registration_existing.sql \
	sql/src/portable/45_adoption_checks.sql \
	sql/src/portable/46_adoption.sql \
	sql/src/portable/47_adoption_swap.sql \
	sql/src/portable/50_scheduling.sql \
	sql/src/portable/55_cron_history.sql \
	sql/src/portable/60_setup.sql \
	sql/src/portable/70_teardown.sql \
	sql/src/portable/80_rescue.sql \
	sql/src/portable/85_preflight.sql \
	sql/src/portable/88_citus_node_answers.sql \
	sql/src/native/90_health.sql \
	sql/src/native/92_cron_facts_from_elsewhere.sql \
	sql/src/portable/95_privileges.sql \
	sql/src/native/97_health_privileges.sql \
	sql/src/native/98_ledger_dump.sql
SQL_SOURCES = $(SQL_UPGRADE_SUPPORT) $(SQL_FEATURES)
# The refusal of schemas another role controls (issue 19): the install script,
# the agentless install and the readers run the one check before anything else.
SCHEMA_GUARD = sql/src/shared/schema_guard.sql
INSTALL_GUARD = $(SCHEMA_GUARD) sql/src/native/00_safe_schemas.sql
CURRENT_VERSION_SCRIPT = sql/$(EXTENSION)--$(EXTVERSION).sql
UPGRADE_SCRIPTS = sql/$(EXTENSION)--1.0--$(EXTVERSION).sql
DATA = sql/$(EXTENSION)--1.0.sql
DATA_built = $(CURRENT_VERSION_SCRIPT) $(UPGRADE_SCRIPTS)

# ------------------------------------------------------------------ C++ glue
CORE_SOURCES = $(sort $(wildcard src/core/*.cpp))
GLUE_SOURCES = $(sort $(wildcard src/pg/*.cpp))
OBJS = $(GLUE_SOURCES:.cpp=.o) $(CORE_SOURCES:.cpp=.o)

PG_CONFIG ?= pg_config
# -isystem: the server headers' own warnings are not ours to fix, so that
# -Wextra (and -Werror in the tests) applies to our code only.
PG_CPPFLAGS = -Isrc -isystem $(shell $(PG_CONFIG) --includedir-server) -DFITBOT_PARTMAN_VERSION='"$(EXTVERSION)"'
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-register $(if $(WERROR),-Werror)
SHLIB_LINK = -lstdc++
# Debian's server build enables LLVM JIT bitcode, which would need clang++;
# the extension has no hot expressions worth inlining, so skip the bitcode.
override with_llvm = no

# pg_regress suites (test/sql, test/expected) and isolation specs; they run
# against an existing database (test/regress.sh), since pg_cron's launcher
# stays connected to it.
REGRESS = $(shell cat test/SCHEDULE 2>/dev/null)
REGRESS_OPTS = --inputdir=test --use-existing
ISOLATION = $(shell cat test/isolation/SCHEDULE 2>/dev/null)
ISOLATION_OPTS = --use-existing --inputdir=test/isolation --outputdir=build/isolation

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Objects of the extension depend on the headers they include (-MMD).
override CXXFLAGS += -MMD -MP
-include $(OBJS:.o=.d)

# ------------------------------------------------------------------ SQL build
BUILD = build
EXPAND_SQL = $(BUILD)/tools/expand-sql

$(EXPAND_SQL): src/tools/expand_sql.cpp src/core/shared_facts.h
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O1 -Wall -Wextra $(if $(WERROR),-Werror) -Isrc -o $@ $<

# portable/ must stay runnable without the extension machinery: the companion
# installs it with plain SQL where our library cannot be loaded.
NATIVE_ONLY_SQL = MODULE_PATHNAME|@extschema@|pg_extension_config_dump|LANGUAGE C
$(CURRENT_VERSION_SCRIPT): sql/src/install_header.sql $(INSTALL_GUARD) $(SQL_SOURCES) $(EXPAND_SQL)
	@! grep -nE '$(NATIVE_ONLY_SQL)' sql/src/portable/*.sql || \
		{ echo "sql/src/portable/ may not use $(NATIVE_ONLY_SQL); put that in sql/src/native/" >&2; exit 1; }
	$(EXPAND_SQL) $@ sql/src/install_header.sql $(INSTALL_GUARD) $(SQL_SOURCES)

sql/$(EXTENSION)--%--$(EXTVERSION).sql: sql/upgrade/header.sql sql/upgrade/%--$(EXTVERSION).before.sql \
		sql/upgrade/%--$(EXTVERSION).after.sql $(SQL_SOURCES) $(EXPAND_SQL)
	$(EXPAND_SQL) $@ sql/upgrade/header.sql $(SQL_UPGRADE_SUPPORT) sql/upgrade/$*--$(EXTVERSION).before.sql \
		$(SQL_FEATURES) sql/upgrade/$*--$(EXTVERSION).after.sql

# ------------------------------------------------------------------ companion and tests
PREFIX ?= /usr/local
COMPANION = $(BUILD)/fitbot-partman
UNIT_TESTS = $(BUILD)/unit-tests
SANITIZED_UNIT_TESTS = $(BUILD)/sanitized/unit-tests
APP_CXX = g++
APP_CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra $(if $(WERROR),-Werror) -Isrc -MMD -MP
SANITIZE_FLAGS = -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
COMPANION_LIBS = -lpqxx -lpq -lcpp-httplib -lfmt -ldate-tz -lpthread
TEST_LIBS = -lgtest -lgtest_main

COMPANION_SOURCES = $(sort $(wildcard src/companion/*.cpp))
UNIT_SOURCES = $(sort $(wildcard test/unit/*.cpp))
# The companion's pieces that do no I/O of their own are unit-tested too.
COMPANION_TESTABLE = $(filter-out src/companion/main.cpp,$(COMPANION_SOURCES))
COMPANION_INPUTS = $(COMPANION_SOURCES) $(CORE_SOURCES)
UNIT_INPUTS = $(UNIT_SOURCES) $(CORE_SOURCES) $(COMPANION_TESTABLE)

# objects_in(DIR, SOURCES): where the objects of SOURCES go in variant DIR.
objects_in = $(patsubst %.cpp,$(1)/%.o,$(2))

# One compile rule per variant of objects: DIR holds objects built with the
# application flags plus EXTRA_FLAGS.
define app_objects
$(1)/%.o: %.cpp
	@mkdir -p $$(dir $$@)
	$$(APP_CXX) $$(APP_CXXFLAGS) $(2) -c -o $$@ $$<
-include $$(wildcard $(1)/src/*/*.d $(1)/test/unit/*.d)
endef
$(eval $(call app_objects,$(BUILD)/app,))
$(eval $(call app_objects,$(BUILD)/sanitized,$(SANITIZE_FLAGS)))

# The release's version for the companion (src/companion/version.h), from the
# control file only: a generated header rather than a -D flag, so that the
# objects including it are rebuilt when default_version changes (-MMD tracks
# the header once it exists; the order-only prerequisite makes it exist).
VERSION_HEADER = $(BUILD)/generated/release_version.h
$(VERSION_HEADER): $(EXTENSION).control
	@mkdir -p $(dir $@)
	@test -n "$(EXTVERSION)" || { echo "$(EXTENSION).control has no default_version" >&2; exit 1; }
	{ echo '// Generated from $(EXTENSION).control (default_version) by the Makefile: edit that file.'; \
	  echo '#pragma once'; \
	  echo '#define FITBOT_PARTMAN_RELEASE "$(EXTVERSION)"'; } >$@.tmp && mv $@.tmp $@
$(call objects_in,$(BUILD)/app,$(COMPANION_SOURCES) $(UNIT_SOURCES)): | $(VERSION_HEADER)
$(call objects_in,$(BUILD)/sanitized,$(COMPANION_SOURCES) $(UNIT_SOURCES)): | $(VERSION_HEADER)

$(COMPANION): $(call objects_in,$(BUILD)/app,$(COMPANION_INPUTS))
	$(APP_CXX) -o $@ $^ $(COMPANION_LIBS)

$(UNIT_TESTS): $(call objects_in,$(BUILD)/app,$(UNIT_INPUTS))
	$(APP_CXX) -o $@ $^ $(TEST_LIBS) $(COMPANION_LIBS)

$(SANITIZED_UNIT_TESTS): $(call objects_in,$(BUILD)/sanitized,$(UNIT_INPUTS))
	$(APP_CXX) $(SANITIZE_FLAGS) -o $@ $^ $(TEST_LIBS) $(COMPANION_LIBS)

companion: $(COMPANION)
unit-tests: $(UNIT_TESTS)
sanitized-unit-tests: $(SANITIZED_UNIT_TESTS)

install-companion: $(COMPANION)
	install -D -m 755 $(COMPANION) $(DESTDIR)$(PREFIX)/bin/fitbot-partman

unit-test: $(UNIT_TESTS)
	$(UNIT_TESTS)

# ---- SQL the companion installs outside the extension (issue 9)
# `fitbot-partman setup` runs sql/src/cron_database/ in pg_cron's database
# (cron.database_name) and sql/src/app_database/ in the application's: the
# SECURITY DEFINER readers that let a pg_monitor role see the job and
# pg_partman's config. They are no part of the extension's scripts.
# expand-sql fills in the shared facts, and each result is embedded as a raw
# string literal, so the source stays the only copy.
# embedded_sql(HEADER, SOURCE, CONSTANT, USER): HEADER defines CONSTANT with
# SOURCE expanded; USER (a companion source) includes it.
define embedded_sql
$(1): $(2) $$(EXPAND_SQL)
	@mkdir -p $$(dir $$@)
	$$(EXPAND_SQL) $$@.sql $(2)
	@! grep -q ')fitbot_sql"' $$@.sql || { echo "$(2) may not contain )fitbot_sql\"" >&2; exit 1; }
	{ echo '// Generated from $(2) by the Makefile: edit that file.'; \
	  echo '#pragma once'; \
	  echo 'inline constexpr const char *$(3) = R"fitbot_sql('; \
	  cat $$@.sql; \
	  echo ')fitbot_sql";'; } >$$@.tmp && mv $$@.tmp $$@
$(call objects_in,$(BUILD)/app,$(4)) $(call objects_in,$(BUILD)/sanitized,$(4)): $(1)
endef
$(eval $(call embedded_sql,$(BUILD)/generated/cron_database_sql.h,$(SCHEMA_GUARD) sql/src/cron_database/10_job_reader.sql,kCronDatabaseSql,src/companion/reader_setup.cpp))
$(eval $(call embedded_sql,$(BUILD)/generated/app_database_sql.h,$(SCHEMA_GUARD) sql/src/app_database/10_partman_reader.sql,kAppDatabaseSql,src/companion/reader_setup.cpp))
# What `fitbot-partman setup` installs agentless: the ledger, the settings and
# the driver, from the extension's own portable sources; and adopt_table()
# with the registration it ends with (`fitbot-partman adopt`).
AGENTLESS_ADOPTION_SQL = \
	sql/src/portable/40_registration.sql \
	sql/src/portable/41_registration_names.sql \
	sql/src/portable/42_registration_existing.sql \
	sql/src/portable/45_adoption_checks.sql \
	sql/src/portable/46_adoption.sql \
	sql/src/portable/47_adoption_swap.sql \
	sql/src/portable/80_rescue.sql
AGENTLESS_SQL = \
	$(SCHEMA_GUARD) \
	sql/src/agentless/00_api_schema.sql \
	sql/src/portable/00_schemas.sql \
	sql/src/portable/25_maintenance_ledger.sql \
	sql/src/portable/26_wide_partitions.sql \
	sql/src/portable/27_maintenance_driver.sql \
	sql/src/portable/28_job_name.sql \
	sql/src/portable/30_locations.sql \
	$(AGENTLESS_ADOPTION_SQL) \
	sql/src/portable/95_privileges.sql
$(eval $(call embedded_sql,$(BUILD)/generated/agentless_sql.h,$(AGENTLESS_SQL),kAgentlessSql,src/companion/agentless_install.cpp))
APP_CXXFLAGS += -I$(BUILD)/generated

clean: clean-build
clean-build:
	rm -rf $(BUILD) $(OBJS:.o=.d)

.PHONY: companion unit-tests sanitized-unit-tests install-companion unit-test clean-build
