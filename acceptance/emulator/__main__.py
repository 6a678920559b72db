"""Command line: /usr/bin/python3 -m acceptance.emulator [--port 0] ..."""

import argparse
import signal
import sys
import threading

from .server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m acceptance.emulator",
                                 description="Local AWS emulator (sts, iam, ec2, kms, elasticache, "
                                             "secretsmanager, logs, ssm)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--access-key", default=DEFAULT_ACCESS_KEY)
    ap.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--create-delay", type=float, default=2.0)
    ap.add_argument("--modify-delay", type=float, default=1.0)
    ap.add_argument("--delete-delay", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true", help="log one line per request to stderr")
    args = ap.parse_args(argv)

    emu = Emulator(access_key=args.access_key, secret_key=args.secret_key, region=args.region,
                   settings={"create_delay_s": args.create_delay,
                             "modify_delay_s": args.modify_delay,
                             "delete_delay_s": args.delete_delay},
                   port=args.port, seed=args.seed, host=args.host, verbose=args.verbose)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        emu.start()
    except OSError as e:
        sys.stderr.write(f"emulator: cannot listen on {args.host}:{args.port}: {e.strerror or e}\n")
        return 1
    sys.stdout.write(f"EMULATOR_ENDPOINT={emu.endpoint}\n")
    sys.stdout.flush()
    while not stop.is_set():
        stop.wait(0.5)
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
