#!/usr/bin/env python3
"""Keeps the documentation and the installation honest (run by make test):
--help and cancelbot(1) name the same commands and options; exit statuses
are 0/1/2 as documented; every config key
of bot/config.c is in cancelbot.ini(5) and config.example.ini; both man pages
render without warnings; `make install PREFIX=tmp` gives a bot that finds its
data with no flags and a unit that `systemd-analyze verify` accepts; `make
uninstall` removes it all again."""
import os
import re
import shutil
import sys
import tempfile

from checks import ROOT, check, failures, run


def main():
    os.chdir(ROOT)
    man1 = open("docs/cancelbot.1").read()
    man5 = open("docs/cancelbot.ini.5").read()
    example = open("config.example.ini").read()
    help_text = run(["./cancelbot", "--help"]).stdout
    commands = re.findall(r"^  cancelbot (\w+)", help_text, re.M)
    check(len(commands) >= 7, f"--help lists the commands ({', '.join(commands)})")
    for c in commands:
        check(re.search(rf"^\.B(?: cancelbot)? {c}\b", man1, re.M) is not None, f"cancelbot(1) documents '{c}'")
    for opt in sorted(set(re.findall(r"(--?[a-z][a-z-]*)", help_text))):
        check(opt.replace("-", "\\-") in man1, f"cancelbot(1) documents option {opt}")
    keys = re.findall(r'\{"(\w+)", "(\w+)", K_', open("bot/lib/config.c").read())
    check(len(keys) >= 15, f"{len(keys)} config keys found in bot/lib/config.c")
    for section, key in keys:
        check(f"[{section}]" in man5 and re.search(rf"^\.BR {key}\b|\b{key}\b", man5, re.M) is not None,
              f"cancelbot.ini(5) documents [{section}] {key}")
        check(re.search(rf"^;?{key} =", example, re.M) is not None,
              f"config.example.ini documents [{section}] {key}")
    for page in ("docs/cancelbot.1", "docs/cancelbot.ini.5"):
        r = run(["groff", "-man", "-ww", "-z", page])
        check(r.returncode == 0 and not r.stderr.strip(), f"{page} renders without warnings {r.stderr.strip()[:200]}")
    for args, want in ((["--help"], 0), (["--version"], 0), (["frobnicate"], 2), ([], 2),
                       (["run", "--bogus"], 2), (["classify", "extra"], 2), (["check", "--bogus"], 2),
                       (["eval"], 2), (["explain"], 2), (["unmatched", "--top", "x"], 2),
                       (["status", "--events", "x"], 2), (["backup"], 2), (["backup", "a", "b"], 2),
                       (["run", "-c", "/nonexistent/config.ini"], 1),
                       (["check", "/nonexistent"], 1),
                       (["check", "-c", "/nonexistent/config.ini"], 1),
                       (["check", "-c", "config.example.ini"], 0)):
        r = run(["./cancelbot"] + args)
        check(r.returncode == want, f"cancelbot {' '.join(args)} exits {want} (got {r.returncode})")
    prefix = tempfile.mkdtemp(prefix="cancelbot-install-")
    try:
        r = run(["make", "-s", "install", f"PREFIX={prefix}"])
        check(r.returncode == 0, f"make install PREFIX={prefix} {r.stderr[-300:]}")
        env = {k: v for k, v in os.environ.items() if k not in ("CANCELBOT_DATADIR", "CANCELBOT_TOKEN")}
        r = run([f"{prefix}/bin/cancelbot", "check"], cwd="/", env=env)
        check(r.returncode == 0 and "ok:" in r.stdout,
              f"the installed bot finds its data without flags: {r.stdout.strip()[:120]}")
        check(os.path.exists(f"{prefix}/share/man/man1/cancelbot.1") and
              os.path.exists(f"{prefix}/share/man/man5/cancelbot.ini.5"), "man pages installed")
        unit = f"{prefix}/lib/systemd/system/cancelbot.service"
        check(f"ExecStart={prefix}/bin/cancelbot" in open(unit).read(), "the unit runs the installed binary")
        if shutil.which("systemd-analyze"):
            # it also checks that Documentation= man pages exist
            r = run(["systemd-analyze", "verify", unit],
                    env=dict(os.environ, MANPATH=f"{prefix}/share/man:"))
            problems = [l for l in (r.stdout + r.stderr).splitlines()
                        if l.strip() and "cancelbot.service" in l]
            check(r.returncode == 0 and not problems, "systemd-analyze verify: " + " | ".join(problems)[:300])
        else:
            print("skip systemd-analyze is not installed")
        r = run(["make", "-s", "uninstall", f"PREFIX={prefix}"])
        left = [os.path.join(d, f) for d, _, fs in os.walk(prefix) for f in fs]
        check(r.returncode == 0 and not left, f"make uninstall removes everything {left[:3]}")
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    print(f"install and docs: {len(failures) == 0 and 1 or 0} passed, {len(failures) and 1 or 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
