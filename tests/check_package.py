#!/usr/bin/env python3
"""The Debian package, end to end (run by .ci/run after make test; needs root,
dpkg-buildpackage, debhelper and lintian): `make deb` builds it with no
lintian error; `dpkg -i` installs it; the installed `cancelbot check` finds
the shipped knowledge base under /usr/share/cancelbot with no flags, and
`check -c` accepts the shipped config;
/etc/cancelbot/config.ini is a conffile, root:cancelbot 0640, and
/etc/cancelbot/kb the package's, owned by the user cancelbot; the installed
unit passes `systemd-analyze verify`; reinstalling keeps an edited config;
an admin's file in /etc/cancelbot/kb survives a reinstall; `dpkg --purge`
removes it all. Usage: tests/check_package.py [--keep]
(--keep leaves the package installed)."""
import glob
import os
import shutil
import sys

from checks import ROOT, check, failures, run

CONF = "/etc/cancelbot/config.ini"


def main():
    os.chdir(ROOT)
    if os.geteuid() != 0:
        print("skip: installing a package needs root")
        return 0
    r = run(["make", "-s", "deb"])
    check(r.returncode == 0, "make deb (dpkg-buildpackage, lintian --fail-on error)" +
          ("" if r.returncode == 0 else " " + (r.stdout + r.stderr)[-900:]))
    debs = [d for d in glob.glob("build/deb/cancelbot_*.deb")]
    if not debs:
        return 1
    deb = debs[0]
    r = run(["dpkg", "-i", deb])
    check(r.returncode == 0, f"dpkg -i {deb}" + ("" if r.returncode == 0 else " " + r.stderr[-300:]))
    env = {k: v for k, v in os.environ.items() if k not in ("CANCELBOT_DATADIR", "CANCELBOT_TOKEN")}
    r = run(["/usr/bin/cancelbot", "check"], cwd="/", env=env)
    check(r.returncode == 0 and "ok:" in r.stdout,
          f"the installed cancelbot check finds /usr/share/cancelbot: {(r.stdout + r.stderr).strip()[:160]}")
    r = run(["/usr/bin/cancelbot", "check", "-c", CONF], cwd="/", env=env)
    check(r.returncode == 0 and "config ok: " + CONF in r.stdout,
          f"cancelbot check -c {CONF} accepts the shipped config: {(r.stdout + r.stderr).strip()[-200:]}")
    r = run(["dpkg-query", "-W", "-f=${Conffiles}", "cancelbot"])
    check(CONF in r.stdout, f"{CONF} is a conffile")
    import grp
    import pwd
    st = os.stat(CONF) if os.path.exists(CONF) else None
    check(st is not None and st.st_mode & 0o777 == 0o640 and st.st_uid == 0 and
          grp.getgrgid(st.st_gid).gr_name == "cancelbot",
          f"{CONF} is root:cancelbot 0640 (the service reads it itself; the token is a credential)")
    conf = open(CONF).read()
    check("state_dir = /var/lib/cancelbot\n" in conf and "admin_kb_dir = /etc/cancelbot/kb\n" in conf,
          "the shipped config keeps the state in /var/lib/cancelbot, the admins' edits in /etc/cancelbot/kb")
    kb = "/etc/cancelbot/kb"
    st = os.stat(kb) if os.path.isdir(kb) else None
    check(st is not None and pwd.getpwuid(st.st_uid).pw_name == "cancelbot" and st.st_mode & 0o777 == 0o750,
          f"{kb} exists, owned by the system user cancelbot, 0750")
    r = run(["dpkg-query", "-S", kb])
    check(r.returncode == 0, f"{kb} belongs to the package")
    unit = "/lib/systemd/system/cancelbot.service"
    check("ExecStart=/usr/bin/cancelbot " in open(unit).read(), "the installed unit runs /usr/bin/cancelbot")
    if shutil.which("systemd-analyze"):
        r = run(["systemd-analyze", "verify", unit])
        problems = [l for l in (r.stdout + r.stderr).splitlines() if "cancelbot.service" in l]
        check(r.returncode == 0 and not problems, "systemd-analyze verify: " + " | ".join(problems)[:300])
    with open(CONF, "a") as f:
        f.write("; edited by the operator\n")
    kb_file = os.path.join(kb, "added-by-an-admin.ini")
    with open(kb_file, "w") as f:
        f.write("[intent x]\n")
    r = run(["dpkg", "-i", "--force-confdef", "--force-confold", deb])
    check(r.returncode == 0 and "; edited by the operator" in open(CONF).read(),
          "reinstalling keeps the operator's edit of the config")
    check(os.path.exists(kb_file) and open(kb_file).read() == "[intent x]\n",
          f"reinstalling keeps what admins put in {kb}")
    os.unlink(kb_file)
    if "--keep" in sys.argv:
        return 1 if failures else 0
    r = run(["dpkg", "--purge", "cancelbot"])
    check(r.returncode == 0 and not os.path.exists("/usr/bin/cancelbot") and not os.path.exists(CONF)
          and not os.path.exists("/usr/share/cancelbot"), "dpkg --purge removes binary, data and config")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
