"""CLI: /usr/bin/python3 -m acceptance.driver run <scenario-dir> --provider <binary> [--env K=V ...] [--keep-state FILE]

Exits 0 when every step behaved as expected and no Terraform contract rule was violated,
1 on any violation, 2 on usage errors."""

import argparse
import sys

from .scenario import run_scenario


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m acceptance.driver",
                                 description="Terraform-like protocol driver for provider scenarios")
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run a scenario directory")
    run.add_argument("scenario")
    run.add_argument("--provider", required=True, help="provider plugin binary")
    run.add_argument("--env", action="append", default=[], metavar="K=V",
                     help="extra environment for the provider process (repeatable)")
    run.add_argument("--keep-state", metavar="FILE", help="write the state file here and keep it")
    args = ap.parse_args(argv)
    env = {}
    for kv in args.env:
        if "=" not in kv:
            ap.error("--env needs K=V, got %r" % kv)
        k, v = kv.split("=", 1)
        env[k] = v
    result = run_scenario(args.scenario, args.provider, env=env or None,
                          keep_state=args.keep_state, out=sys.stdout)
    if result.ok:
        print("PASS %s (%d steps)" % (args.scenario, len(result.steps) - 1))
        return 0
    print("FAIL %s" % args.scenario)
    for v in result.violations:
        print("  - " + v)
    return 1


if __name__ == "__main__":
    sys.exit(main())
