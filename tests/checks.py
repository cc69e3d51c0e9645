"""Shared by tests/check_install.py and tests/check_package.py: the project
root, check() that prints one ok/FAIL line and collects the failures, and
run() for a command's exit status and output."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)
