"""Print a local-stage bearer token: python -m tools.token --role staff --office SZ-GOV"""
from __future__ import annotations

import argparse
import os

from chalicelib.api.auth import ROLES, issue_dev_token
from chalicelib.config import DEFAULT_DEV_SECRET


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=ROLES, default="citizen")
    parser.add_argument("--office", help="office_id claim (staff)")
    parser.add_argument("--city", help="city claim (supervisor; 440000 = provincial)")
    parser.add_argument("--sub", help="subject; defaults to a name derived from role and scope")
    parser.add_argument("--name", default="")
    parser.add_argument("--hours", type=int, default=12)
    args = parser.parse_args(argv)
    if args.role == "staff" and not args.office:
        parser.error("--office is required for staff (e.g. SZ-GOV)")
    if args.role == "supervisor" and not args.city:
        parser.error("--city is required for supervisors (e.g. 440300, or 440000 for provincial)")
    sub = args.sub or f"{args.role}-{args.office or args.city or 'demo'}".lower()
    secret = os.environ.get("AUTH_DEV_SECRET", DEFAULT_DEV_SECRET)
    print(issue_dev_token(args.role, sub, args.office, args.city, args.name or sub, args.hours * 3600, secret))


if __name__ == "__main__":
    main()
