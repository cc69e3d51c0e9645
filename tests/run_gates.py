#!/usr/bin/env python3
"""run_gates.py BOT GATES [-j N] [--list]: the accuracy gates of make test, as data.

Each line of GATES (tests/gates.tsv) is one gate, three tab-separated columns:
    eval     intent=X carrier=X plan=X false=X    FILE...
    dialogs  turns=X convs=X                      FILE...
run as `BOT eval --quiet --min-intent X … FILE…` or `BOT dialogs --min-turns X … FILE…`; each
bar applies to every file of the line (cancelbot(1)). Lines starting with # say why a gate sits
where it does. Every tests/voices/*.tsv and tests/dialogs/*.tsv must be named by a gate, so a
new labelled file cannot stay ungated. Prints one line per gate and, for a failing one, the
command and its output; exits 1 when any gate fails or the file is wrong. --list prints the
commands without running them."""
import concurrent.futures
import glob
import subprocess
import sys

BARS = {
    "eval": {"intent": "--min-intent", "carrier": "--min-carrier", "plan": "--min-plan",
             "false": "--max-false-trigger"},
    "dialogs": {"turns": "--min-turns", "convs": "--min-convs"},
}


def parse(path, bot):
    """Returns [(lineno, argv)] and a list of errors, one per wrong line."""
    gates, errors = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 3 or cols[0] not in BARS:
                errors.append(f"{path}:{n}: want KIND<TAB>BARS<TAB>FILES, KIND eval or dialogs")
                continue
            kind, bars, files = cols[0], cols[1].split(), cols[2].split()
            argv = [bot, kind] + (["--quiet"] if kind == "eval" else [])
            for bar in bars:
                name, _, value = bar.partition("=")
                if name not in BARS[kind] or not value:
                    errors.append(f"{path}:{n}: unknown bar {bar!r} for {kind}")
                    continue
                argv += [BARS[kind][name], value]
            if not files:
                errors.append(f"{path}:{n}: no file")
            gates.append((n, argv + files))
    return gates, errors


def ungated(gates):
    named = {a for _, argv in gates for a in argv if a.endswith(".tsv")}
    present = set(glob.glob("tests/voices/*.tsv")) | set(glob.glob("tests/dialogs/*.tsv"))
    return [f"{f}: not named by any gate" for f in sorted(present - named)] + \
           [f"{f}: named by a gate but missing" for f in sorted(named - present)
            if f.startswith(("tests/voices/", "tests/dialogs/"))]


def run(argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main(args):
    jobs, listing = 1, False
    if "--list" in args:
        listing = True
        args.remove("--list")
    if "-j" in args:
        i = args.index("-j")
        jobs = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    gates, errors = parse(args[1], args[0])
    errors += ungated(gates)
    for e in errors:
        print(e, file=sys.stderr)
    if listing:
        for _, argv in gates:
            print(" ".join(argv))
        return 1 if errors else 0
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(lambda g: run(g[1]), gates)
        for (n, argv), (rc, out) in zip(gates, results):
            if rc == 0:
                print(f"ok   {args[1]}:{n}  {' '.join(argv[1:3])} … {len(argv) - 2} args")
            else:
                failed += 1
                print(f"FAIL {args[1]}:{n}  {' '.join(argv)}\n{out}")
    print(f"gates: {len(gates) - failed} passed, {failed} failed")
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
