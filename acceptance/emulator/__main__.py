"""Command line: /usr/bin/python3 -m acceptance.emulator [--port 0] [--tls-cert PEM --tls-key PEM] ..."""

import argparse
import signal
import ssl
import sys
import threading

from .server import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Emulator, tls_context


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
    ap.add_argument("--tls-cert", metavar="PEM",
                    help="serve HTTPS with this certificate (chain) file; needs --tls-key")
    ap.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    args = ap.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        ap.error("--tls-cert and --tls-key go together")

    emu = Emulator(access_key=args.access_key, secret_key=args.secret_key, region=args.region,
                   settings={"create_delay_s": args.create_delay,
                             "modify_delay_s": args.modify_delay,
                             "delete_delay_s": args.delete_delay},
                   port=args.port, seed=args.seed, host=args.host, verbose=args.verbose,
                   tls_cert=args.tls_cert, tls_key=args.tls_key)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.tls_cert:
        try:
            tls_context(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as e:
            sys.stderr.write(f"emulator: cannot load --tls-cert {args.tls_cert} / --tls-key {args.tls_key}: "
                             f"{getattr(e, 'strerror', None) or e}\n")
            return 1
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
