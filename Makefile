# cancelbot — `make` builds ./cancelbot; `make test` runs everything.
PREFIX ?= /usr/local
DESTDIR ?=
DATADIR ?= $(PREFIX)/share/cancelbot
CC ?= cc
PKGS := libcurl libcjson libpcre2-8 inih libutf8proc opencc libsystemd sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
# The layers (see README, Layout): each folder's headers are found by name.
LAYERS := lib kb core edge cli
INC := $(LAYERS:%=-Ibot/%)
override CFLAGS += -std=c11 -D_DEFAULT_SOURCE -pthread $(WARN) $(PKG_CFLAGS) $(INC) -DDATADIR='"$(DATADIR)"'
LDLIBS := $(PKG_LIBS) -lm -pthread

SRC := $(foreach l,$(LAYERS),$(wildcard bot/$(l)/*.c))
HDR := $(foreach l,$(LAYERS),$(wildcard bot/$(l)/*.h))
OBJ := $(SRC:bot/%.c=build/%.o)
ASAN_OBJ := $(SRC:bot/%.c=build/asan/%.o)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

UNIT_SRC := $(wildcard tests/unit/*.c)

.PHONY: model model-check all test clean bench fuzz fuzz-build install uninstall deb hanmap t2smap FORCE

all: cancelbot

cancelbot: build/main.o $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/%.o: bot/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/asan/%.o: bot/%.c $(HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -O1 -c -o $@ $<

build build/asan:
	mkdir -p $@

build/cancelbot-asan: build/asan/main.o $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

build/unit: $(UNIT_SRC) $(wildcard tests/unit/*.h) $(OBJ)
	$(CC) $(CFLAGS) -o $@ $(UNIT_SRC) $(OBJ) $(LDLIBS) -lcriterion

build/unit-asan: $(UNIT_SRC) $(wildcard tests/unit/*.h) $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $(UNIT_SRC) $(ASAN_OBJ) $(LDLIBS) -lcriterion

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
VALGRIND_CONVS := 001 041 043 047 068

# The one command that runs everything: the layering rule (no include
# from a layer above: lib < kb < core < edge < cli), unit tests, the knowledge-base
# check, the accuracy gates of tests/gates.tsv (every labelled question and
# dialog file of tests/voices and tests/dialogs, each gated at the figures it
# achieves), the conversation tests against the fake Bot API server; the unit and conversation tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer; a few conversations under
# valgrind memcheck (PCRE2's JIT off: valgrind cannot follow JIT code); and
# each fuzz target briefly.
# tests/long (delivery: a 150 s outage, ten kill -9s) runs beside the rest,
# started first and waited for last; its output is shown at the end.
LONG_RC := build/long.rc
test: cancelbot build/unit build/cancelbot-asan build/unit-asan fuzz-build
	rm -f $(LONG_RC)
	(python3 tests/run_conversations.py ./cancelbot tests/long > build/long.log 2>&1; \
		echo $$? > $(LONG_RC)) &
	python3 tests/check_layers.py
	python3 tests/check_layers.py --self-test
	python3 tests/check_directives.py
	python3 tests/gen_labelled.py --check
	$(MAKE) --no-print-directory model-check
	./build/unit --jobs 2
	./cancelbot check
	python3 tests/run_gates.py ./cancelbot tests/gates.tsv -j 2
	python3 tests/run_conversations.py ./cancelbot tests/data
	python3 tests/check_install.py
	ASAN_OPTIONS=detect_leaks=1 ./build/unit-asan --jobs 2
	ASAN_OPTIONS=detect_leaks=1 python3 tests/run_conversations.py ./build/cancelbot-asan tests/data
	CANCELBOT_NO_JIT=1 CANCELBOT_NO_PRECONV=1 CONV_WAIT=90 CONV_WRAPPER="$(VALGRIND)" \
		python3 tests/run_conversations.py ./cancelbot tests/data $(VALGRIND_CONVS)
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	@while [ ! -f $(LONG_RC) ]; do sleep 2; done; cat build/long.log; test "$$(cat $(LONG_RC))" = 0

# libFuzzer targets (clang): `make fuzz FUZZ_SECONDS=600` runs each for that
# long; make test runs each briefly. New inputs that found coverage are kept
# in build/fuzz/corpus-*, the seeds in tests/fuzz/corpus/*.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_TARGETS := update classify render load
FUZZ_OBJ := $(SRC:bot/%.c=build/fuzz/%.o)
FUZZ_SECONDS ?= 60
.SECONDARY: $(FUZZ_OBJ)

build/fuzz/%.o: bot/%.c $(HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_DEFAULT_SOURCE $(WARN) $(PKG_CFLAGS) $(INC) $(FUZZ_FLAGS) -c -o $@ $<

build/fuzz:
	mkdir -p $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) -std=c11 -D_DEFAULT_SOURCE $(WARN) $(PKG_CFLAGS) $(INC) -g -O1 \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJ) $(LDLIBS) -lstdc++

fuzz-build: $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus-$$t; \
		./build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
			-print_final_stats=1 -artifact_prefix=build/fuzz/crash-$$t- \
			build/fuzz/corpus-$$t tests/fuzz/corpus/$$t > build/fuzz/log-$$t 2>&1; \
		rc=$$?; \
		echo "fuzz_$$t: $$(grep -o 'number_of_executed_units: [0-9]*' build/fuzz/log-$$t) in $(FUZZ_SECONDS) s, exit $$rc"; \
		if [ $$rc -ne 0 ]; then grep -A30 -E "ERROR|runtime error" build/fuzz/log-$$t | head -40; exit 1; fi; \
	done

build/bench_core: tests/bench/bench_core.c $(OBJ)
	$(CC) $(CFLAGS) -o $@ $< $(OBJ) $(LDLIBS)

# every field of every classification, for tests/bench/same_classes.sh
build/classify_dump: tests/bench/classify_dump.c $(OBJ)
	$(CC) $(CFLAGS) -o $@ $< $(OBJ) $(LDLIBS)

# every reply of every turn, for tests/bench/same_dialogs.sh
build/dialog_dump: tests/bench/dialog_dump.c $(OBJ)
	$(CC) $(CFLAGS) -o $@ $< $(OBJ) $(LDLIBS)

build/bench_curl: tests/bench/bench_curl.c tests/bench/bench_util.h | build
	$(CC) $(CFLAGS) -o $@ $< -lcurl

# Performance figures come from here, never from timed tests.
# The script bitmaps (bot/core/hanmap.c) from the installed OpenCC data; the
# unit test hanmap/matches_the_installed_opencc says when to rerun this.
hanmap: | build
	$(CC) $(CFLAGS) -o build/gen_hanmap tools/gen_hanmap.c bot/lib/lang.c $(LDLIBS)
	./build/gen_hanmap > build/hanmap.c.tmp && mv build/hanmap.c.tmp bot/core/hanmap.c

# OpenCC's t2s character by character (bot/core/t2smap.c), from the installed
# OpenCC and its phrase dictionary as text (opencc_dict, package opencc); the
# unit test t2smap/matches_the_installed_opencc says when to rerun this.
t2smap: | build
	opencc_dict -i /usr/share/opencc/TSPhrases.ocd2 -o build/TSPhrases.txt -f ocd2 -t text
	$(CC) $(CFLAGS) -o build/gen_t2smap tools/gen_t2smap.c $(LDLIBS)
	./build/gen_t2smap build/TSPhrases.txt > build/t2smap.c.tmp && mv build/t2smap.c.tmp bot/core/t2smap.c

build/bench_floor: tests/bench/bench_floor.c tests/bench/bench_util.h | build
	$(CC) $(CFLAGS) -o $@ $< -lcurl

build/bench_context: tests/bench/bench_context.c $(OBJ)
	$(CC) $(CFLAGS) -o $@ $< $(OBJ) $(LDLIBS)

build/bench_store: tests/bench/bench_store.c $(OBJ)
	$(CC) $(CFLAGS) -o $@ $< $(OBJ) $(LDLIBS)

bench: cancelbot build/bench_core build/bench_curl build/bench_context build/bench_floor build/bench_store
	@echo "| measure | result | target |"
	@echo "|---|---|---|"
	@./build/bench_core tests/labelled.tsv 200000
	@./build/bench_context
	@./build/bench_store 3000
	@python3 tests/bench/bench_e2e.py ./cancelbot 10000 ./build/bench_curl ./build/bench_floor

# Installing: the installed binary has its PREFIX's data directory compiled
# in (only config.o differs from ./cancelbot), so it finds intents/ and
# responses/ without flags; CANCELBOT_DATADIR or the config keys override.
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system

build/install-config.o: bot/lib/config.c $(HDR) FORCE | build
	$(CC) $(CPPFLAGS) $(CFLAGS) -UDATADIR -DDATADIR='"$(DATADIR)"' -c -o $@ $<

build/cancelbot-install: build/main.o $(filter-out build/lib/config.o,$(OBJ)) build/install-config.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

install: build/cancelbot-install
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR)
	install -m 755 build/cancelbot-install $(DESTDIR)$(BINDIR)/cancelbot
	cp -R intents responses $(DESTDIR)$(DATADIR)/
	install -m 644 config.example.ini $(DESTDIR)$(DATADIR)/config.example.ini
	install -m 644 docs/cancelbot.1 $(DESTDIR)$(MANDIR)/man1/cancelbot.1
	install -m 644 docs/cancelbot.ini.5 $(DESTDIR)$(MANDIR)/man5/cancelbot.ini.5
	sed 's|/usr/local/bin/cancelbot|$(BINDIR)/cancelbot|' contrib/cancelbot.service > \
		$(DESTDIR)$(UNITDIR)/cancelbot.service
	chmod 644 $(DESTDIR)$(UNITDIR)/cancelbot.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cancelbot $(DESTDIR)$(MANDIR)/man1/cancelbot.1 \
		$(DESTDIR)$(MANDIR)/man5/cancelbot.ini.5 $(DESTDIR)$(UNITDIR)/cancelbot.service
	rm -rf $(DESTDIR)$(DATADIR)

# The Debian package (debian/, Debian 12): built from a copy of the tree in
# build/deb/ so that dpkg-buildpackage's output (it writes to the parent
# directory) stays inside build/, leaving out a local config.ini (it may hold
# a token) and state/; lintian must find no errors.
# tests/check_package.py installs it and checks the installed bot.
DEB_VERSION := $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
deb:
	rm -rf build/deb && mkdir -p build/deb/cancelbot-$(DEB_VERSION)
	tar --exclude-vcs --exclude=./build --exclude=./cancelbot --exclude=./config.ini \
		--exclude=./state -cf - . | \
		tar -C build/deb/cancelbot-$(DEB_VERSION) -xf -
	cd build/deb/cancelbot-$(DEB_VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error build/deb/cancelbot_$(DEB_VERSION)_*.changes
	@ls build/deb/*.deb

FORCE:

clean:
	rm -rf build cancelbot

# The intent, follow-up, plan and carrier models (docs/model.md): learned
# from every labelled file but the held-back ones, which would no longer
# measure anything once learned. make test fails when intents/model.tsv,
# model_followups.tsv, model_plans.tsv or model_carriers.tsv is not what
# this writes.
MODEL_DATA = tests/labelled.tsv $(filter-out $(shell grep -v '^\#' tests/held_back.txt),$(sort $(wildcard tests/voices/*.tsv tests/dialogs/*.tsv)))
MODEL_DIALOGS = $(filter tests/dialogs/%,$(MODEL_DATA))
MODEL_TRAIN = ./cancelbot train --general cancel --margin 20 --veto 20 --rescue 50
MODEL_FOLLOWUPS = ./cancelbot train --followups --margin 25 --rescue 5
MODEL_PLANS = ./cancelbot train --plans --margin 10
MODEL_CARRIERS = ./cancelbot train --carriers --margin 10
model: cancelbot
	$(MODEL_TRAIN) -o intents/model.tsv $(MODEL_DATA)
	$(MODEL_FOLLOWUPS) -o intents/model_followups.tsv $(MODEL_DIALOGS)
	$(MODEL_PLANS) -o intents/model_plans.tsv $(MODEL_DATA)
	$(MODEL_CARRIERS) -o intents/model_carriers.tsv $(MODEL_DATA)
# $(call model_check,TRAIN,FILE,DATA): FILE is what TRAIN writes from DATA, or the target fails
model_check = @tmp=$$(mktemp) && $(1) -o $$tmp $(3) && if cmp -s $$tmp $(2); then rm -f $$tmp; echo "$(2): up to date"; else rm -f $$tmp; echo "$(2) is stale: the labelled files or the rules changed since it was trained; run make model" >&2; exit 1; fi
model-check: cancelbot
	$(call model_check,$(MODEL_TRAIN),intents/model.tsv,$(MODEL_DATA))
	$(call model_check,$(MODEL_FOLLOWUPS),intents/model_followups.tsv,$(MODEL_DIALOGS))
	$(call model_check,$(MODEL_PLANS),intents/model_plans.tsv,$(MODEL_DATA))
	$(call model_check,$(MODEL_CARRIERS),intents/model_carriers.tsv,$(MODEL_DATA))
