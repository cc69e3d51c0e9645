# ref_tree.sh — sourced by same_classes.sh and same_dialogs.sh, which
# compare this tree's output with a reference tree's. ref_tree NAME TOOL
# [REF] builds the tree of REF (default: the merge base with main) in
# $TMPDIR/NAME-SHA, with its cancelbot and tests/bench/TOOL.c linked
# against REF's objects (reused while both are there), then builds this
# tree's cancelbot and build/TOOL. Sets ref, sha, top, dir; cd's to top.
# The reference tree is under this tree's build/ (not a shared $TMPDIR
# path), so two worktrees on the same REF never delete each other's.
# seen_files GLOB...: the files of GLOB not listed in tests/held_back.txt.
ref_tree() {
	ref=${3:-$(git merge-base HEAD main)}
	sha=$(git rev-parse --short "$ref")
	top=$(git rev-parse --show-toplevel)
	cd "$top"
	dir=$top/build/ref/$1-$sha
	if [ ! -x "$dir/cancelbot" ] || [ ! -x "$dir/$2" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		git archive "$ref" | tar -x -C "$dir"
		make -s -C "$dir" cancelbot >/dev/null
		make -s -C "$dir" build/bench_core >/dev/null	# all of OBJ
		cc -O2 -std=c11 -D_DEFAULT_SOURCE -pthread $(pkg-config --cflags libpcre2-8 opencc) \
			-I"$dir"/bot/lib -I"$dir"/bot/kb -I"$dir"/bot/core -o "$dir/$2" \
			tests/bench/"$2".c $(ls "$dir"/build/*/*.o | grep -v cli/) \
			$(pkg-config --libs libcurl libcjson libpcre2-8 inih libutf8proc opencc libsystemd sqlite3) -lm
	fi
	make -s cancelbot build/"$2" >/dev/null
}

seen_files() {
	for f in "$@"; do
		grep -qxF "$f" tests/held_back.txt || echo "$f"
	done
}
