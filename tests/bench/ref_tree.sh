# ref_tree.sh — sourced by same_classes.sh and same_dialogs.sh, which
# compare this tree's output with a reference tree's. ref_tree NAME TOOL
# [REF] builds the tree of REF (default: the merge base with main) in
# $TMPDIR/NAME-SHA, with its cancelbot and tests/bench/TOOL.c linked
# against REF's objects (reused while both are there), then builds this
# tree's cancelbot and build/TOOL. Sets ref, sha, top, dir; cd's to top.
ref_tree() {
	ref=${3:-$(git merge-base HEAD main)}
	sha=$(git rev-parse --short "$ref")
	top=$(git rev-parse --show-toplevel)
	dir=${TMPDIR:-/tmp}/$1-$sha
	cd "$top"
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
