# PGXS build of the fitbot_partman extension (C++17), plus the companion
# program and the unit tests, which share the pure core in src/core/.

EXTENSION = fitbot_partman
MODULE_big = fitbot_partman
DATA = sql/install/fitbot_partman--1.0.sql

CORE_SOURCES = $(sort $(wildcard src/core/*.cpp))
GLUE_SOURCES = $(sort $(wildcard src/pg/*.cpp))
OBJS = $(GLUE_SOURCES:.cpp=.o) $(CORE_SOURCES:.cpp=.o)

# pg_regress suites, in order; they run against an existing database (see
# test/run-all.sh) because pg_cron's launcher stays connected to it.
REGRESS = $(shell cat sql/SCHEDULE 2>/dev/null)
CONTRIB_TESTDB = fitbot_regress
REGRESS_OPTS = --use-existing
ISOLATION = $(shell cat test/isolation/SCHEDULE 2>/dev/null)
ISOLATION_OPTS = --use-existing --inputdir=test/isolation --outputdir=build/isolation

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -Isrc
PG_CXXFLAGS = -std=c++17 -Wall -Wno-register
SHLIB_LINK = -lstdc++
# Debian's server build enables LLVM JIT bitcode, which would need clang++;
# the extension has no hot expressions worth inlining, so skip the bitcode.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# ---------------------------------------------------------------- companion
PREFIX ?= /usr/local
BUILD = build
COMPANION = $(BUILD)/fitbot-partman
UNIT_TESTS = $(BUILD)/unit-tests
APP_CXX = g++
APP_CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra -Isrc
CORE_APP_OBJS = $(patsubst src/core/%.cpp,$(BUILD)/core/%.o,$(CORE_SOURCES))
COMPANION_SOURCES = $(sort $(wildcard src/companion/*.cpp))
COMPANION_OBJS = $(patsubst src/companion/%.cpp,$(BUILD)/companion/%.o,$(COMPANION_SOURCES))
COMPANION_LIBS = -lpqxx -lpq -lcpp-httplib -lfmt -ldate-tz -lpthread
UNIT_SOURCES = $(sort $(wildcard test/unit/*.cpp))
UNIT_OBJS = $(patsubst test/unit/%.cpp,$(BUILD)/unit/%.o,$(UNIT_SOURCES))
# The companion's pieces that do no I/O of their own are unit-tested too.
COMPANION_TESTABLE_OBJS = $(filter-out $(BUILD)/companion/main.o,$(COMPANION_OBJS))

all: $(COMPANION) $(UNIT_TESTS)

$(BUILD)/core/%.o: src/core/%.cpp $(wildcard src/core/*.h)
	@mkdir -p $(dir $@)
	$(APP_CXX) $(APP_CXXFLAGS) -c -o $@ $<

$(BUILD)/companion/%.o: src/companion/%.cpp $(wildcard src/core/*.h src/companion/*.h)
	@mkdir -p $(dir $@)
	$(APP_CXX) $(APP_CXXFLAGS) -c -o $@ $<

$(BUILD)/unit/%.o: test/unit/%.cpp $(wildcard src/core/*.h src/companion/*.h)
	@mkdir -p $(dir $@)
	$(APP_CXX) $(APP_CXXFLAGS) -c -o $@ $<

$(COMPANION): $(COMPANION_OBJS) $(CORE_APP_OBJS)
	$(APP_CXX) -o $@ $^ $(COMPANION_LIBS)

$(UNIT_TESTS): $(UNIT_OBJS) $(CORE_APP_OBJS) $(COMPANION_TESTABLE_OBJS)
	$(APP_CXX) -o $@ $^ -lgtest -lgtest_main $(COMPANION_LIBS)

# Glue and core objects of the extension depend on every header they may include.
$(OBJS): $(wildcard src/core/*.h src/pg/*.h)

install: install-companion
install-companion: $(COMPANION)
	install -D -m 755 $(COMPANION) $(DESTDIR)$(PREFIX)/bin/fitbot-partman

unit-test: $(UNIT_TESTS)
	$(UNIT_TESTS)

# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer
# (any report fails the run).
SANITIZE_FLAGS = -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SANITIZED_BUILD = $(BUILD)/sanitized
SANITIZED_UNIT_TESTS = $(SANITIZED_BUILD)/unit-tests
SANITIZED_OBJS = $(patsubst $(BUILD)/%,$(SANITIZED_BUILD)/%,$(UNIT_OBJS) $(CORE_APP_OBJS) $(COMPANION_TESTABLE_OBJS))

$(SANITIZED_BUILD)/core/%.o: src/core/%.cpp $(wildcard src/core/*.h)
	@mkdir -p $(dir $@)
	$(APP_CXX) $(APP_CXXFLAGS) $(SANITIZE_FLAGS) -c -o $@ $<

$(SANITIZED_BUILD)/companion/%.o: src/companion/%.cpp $(wildcard src/core/*.h src/companion/*.h)
	@mkdir -p $(dir $@)
	$(APP_CXX) $(APP_CXXFLAGS) $(SANITIZE_FLAGS) -c -o $@ $<

$(SANITIZED_BUILD)/unit/%.o: test/unit/%.cpp $(wildcard src/core/*.h src/companion/*.h)
	@mkdir -p $(dir $@)
	$(APP_CXX) $(APP_CXXFLAGS) $(SANITIZE_FLAGS) -c -o $@ $<

$(SANITIZED_UNIT_TESTS): $(SANITIZED_OBJS)
	$(APP_CXX) $(SANITIZE_FLAGS) -o $@ $^ -lgtest -lgtest_main $(COMPANION_LIBS)

sanitized-unit-tests: $(SANITIZED_UNIT_TESTS)

clean: clean-build
clean-build:
	rm -rf $(BUILD)

.PHONY: install-companion unit-test sanitized-unit-tests clean-build
