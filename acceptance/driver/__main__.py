"""CLI:
  /usr/bin/python3 -m acceptance.driver run <scenario-dir> --provider <binary> [--env K=V ...] [--keep-state FILE]
      run the scenario with the protocol driver (Terraform core's rules, no terraform needed)
  /usr/bin/python3 -m acceptance.driver terraform <scenario-dir> --provider <binary> [--env K=V ...] [--terraform PATH]
      run the same steps with a real terraform (dev_overrides), for comparison

Exits 0 when every step behaved as expected (and, for `run`, no Terraform contract rule was
violated), 1 otherwise, 2 on usage errors."""

import argparse
import sys

from .scenario import run_scenario, run_with_terraform


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
    run.add_argument("--rpc-timeout", type=float, default=600.0, metavar="SECONDS",
                     help="time allowed for one RPC (default 600)")
    tfr = sub.add_parser("terraform", help="run the scenario's steps with a real terraform")
    tfr.add_argument("scenario")
    tfr.add_argument("--provider", required=True, help="provider plugin binary")
    tfr.add_argument("--env", action="append", default=[], metavar="K=V")
    tfr.add_argument("--terraform", help="terraform binary (default: from PATH)")
    args = ap.parse_args(argv)
    env = {}
    for kv in args.env:
        if "=" not in kv:
            ap.error("--env needs K=V, got %r" % kv)
        k, v = kv.split("=", 1)
        env[k] = v
    if args.cmd == "terraform":
        res = run_with_terraform(args.scenario, args.provider, env=env or None, terraform=args.terraform)
        for st in res.steps:
            print("=== step %s: exit %s%s, %s%s" % (
                st.name, st.rc, " (error expected)" if st.expected_error else "", st.plan or "no plan line",
                "" if st.second_plan_rc is None else ", second plan exit %d" % st.second_plan_rc))
            if not st.ok:
                print(st.output)
        print("=== destroy: exit %s" % res.destroy_rc)
        print(("PASS " if res.ok else "FAIL ") + args.scenario)
        return 0 if res.ok else 1
    result = run_scenario(args.scenario, args.provider, env=env or None,
                          keep_state=args.keep_state, out=sys.stdout, rpc_timeout=args.rpc_timeout)
    if result.ok:
        print("PASS %s (%d steps)" % (args.scenario, len(result.steps) - 1))
        return 0
    print("FAIL %s" % args.scenario)
    for v in result.violations:
        print("  - " + v)
    return 1


if __name__ == "__main__":
    sys.exit(main())
