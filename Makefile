# cancelbot — `make` builds ./cancelbot; `make test` runs everything.
PREFIX ?= /usr/local
DESTDIR ?=
DATADIR ?= $(PREFIX)/share/cancelbot
CC ?= cc
PKGS := libcurl libcjson libpcre2-8 inih libutf8proc opencc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
override CFLAGS += -std=c11 -D_DEFAULT_SOURCE $(WARN) $(PKG_CFLAGS) -DDATADIR='"$(DATADIR)"'
LDLIBS := $(PKG_LIBS) -lm

SRC := $(filter-out bot/main.c,$(wildcard bot/*.c))
OBJ := $(SRC:bot/%.c=build/%.o)
ASAN_OBJ := $(SRC:bot/%.c=build/asan/%.o)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

UNIT_SRC := $(wildcard tests/unit/*.c)

.PHONY: all test test-unit test-conv test-eval test-asan clean bench check-kb

all: cancelbot

cancelbot: build/main.o $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/%.o: bot/%.c bot/*.h | build
	$(CC) $(CFLAGS) -c -o $@ $<

build/asan/%.o: bot/%.c bot/*.h | build/asan
	$(CC) $(CFLAGS) $(SAN) -O1 -c -o $@ $<

build build/asan:
	mkdir -p $@

build/cancelbot-asan: build/asan/main.o $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

build/unit: $(UNIT_SRC) $(OBJ)
	$(CC) $(CFLAGS) -Ibot -o $@ $(UNIT_SRC) $(OBJ) $(LDLIBS) -lcriterion

build/unit-asan: $(UNIT_SRC) $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(SAN) -Ibot -o $@ $(UNIT_SRC) $(ASAN_OBJ) $(LDLIBS) -lcriterion

# The one command that runs everything: unit tests, the knowledge-base
# check, accuracy on the labelled set, the conversation tests against the
# fake Bot API server, and the unit and conversation tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
test: cancelbot build/unit build/cancelbot-asan build/unit-asan
	./build/unit --jobs 2
	./cancelbot check
	./cancelbot eval --quiet --min-intent 0.97 --min-carrier 0.98 --min-plan 0.95 \
		--max-false-trigger 0.05 tests/labelled.tsv
	python3 tests/run_conversations.py ./cancelbot tests/data
	ASAN_OPTIONS=detect_leaks=1 ./build/unit-asan --jobs 2
	ASAN_OPTIONS=detect_leaks=1 python3 tests/run_conversations.py ./build/cancelbot-asan tests/data

build/bench_core: tests/bench/bench_core.c $(OBJ)
	$(CC) $(CFLAGS) -Ibot -o $@ $< $(OBJ) $(LDLIBS)

# Performance figures come from here, never from timed tests.
bench: cancelbot build/bench_core
	@echo "| measure | result | target |"
	@echo "|---|---|---|"
	@./build/bench_core tests/labelled.tsv 200000

clean:
	rm -rf build cancelbot
