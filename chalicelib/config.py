"""Settings from the environment, read once per process.

Resource names follow one convention, ``{RESOURCE_PREFIX}-{logical name}``, used alike by the code, the
local stack and the cloud templates, so nothing has to pass names around.

Authentication fails closed. The identity provider's tokens, verified by API Gateway, are the default
(``gateway``). HS256 tokens signed with the public dev secret are verified here only when ``STAGE=local``
and ``AUTH_MODE=hs256`` are both set explicitly and the process is not a Lambda function. A Lambda function
configured for the local stage or for local tokens refuses to start (:class:`InsecureConfiguration`);
any other contradictory setting outside Lambda answers every request 401 (mode ``refuse``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_DEV_SECRET = "local-dev-secret-change-me-0123456789"
DEFAULT_COURIER_SECRET = "dev-courier-secret"
# The local stack's application key (walk-in subjects, list cursors); the cloud reads its own from Secrets
# Manager (APP_SECRET_ARN) at run time.
DEFAULT_APP_SECRET = "local-app-secret-not-for-any-cloud-stage"
AUTH_MODES = ("gateway", "hs256", "refuse")
# API Gateway hands WAF only the first 16 KB of a body, so the edge can inspect exactly what the app accepts:
# the app refuses larger bodies (413) and WAF blocks them (infra/service.py), and no rule misses a tail.
MAX_BODY_BYTES = 16 * 1024


class InsecureConfiguration(RuntimeError):
    """This process was configured to trust local tokens where it must not: it refuses to start."""


@dataclass(frozen=True)
class Settings:
    stage: str
    resource_prefix: str
    region: str
    # "gateway": API Gateway's Cognito authorizer verified the token; "hs256": verify local tokens here;
    # "refuse": contradictory settings, every request is answered 401.
    auth_mode: str
    auth_dev_secret: str  # empty unless auth_mode is "hs256"
    auth_client_ids: frozenset[str]  # gateway: the app clients whose tokens are accepted (aud / client_id)
    local: bool  # STAGE=local set explicitly, outside Lambda: the local stack, its tools and tests
    courier_webhook_secret: str  # local only; the cloud reads the key from Secrets Manager (below)
    courier_webhook_secret_arn: str  # the Secrets Manager secret holding the courier's HMAC key
    app_secret_arn: str  # Secrets Manager secret of the application key (cloud stages)
    # Secrets Manager secret of the header CloudFront adds to every API request (chalicelib/api/origin.py);
    # empty where there is no CloudFront in front (the local stage, tests): nothing is checked then.
    origin_secret_arn: str
    # While a stage migrates from its REST API (infra/README.md): requests the REST API delivers (which has a
    # regional web ACL of its own and cannot add CloudFront's header) pass the origin check.
    origin_check_exempts_rest: bool
    max_body_bytes: int
    reference_cache_seconds: int
    # Partition keys of the sweeper's sparse ``due`` indexes (cases, legs, review slots, tickets, parcels to
    # seal). Sized for 1,000 applications a second through one office (docs/PERFORMANCE.md, figure 10): the
    # busiest, cases · ``due``, takes ~12,000 entry writes a second at that load (its key moves with every
    # deadline: a delete and a put), so 32 shards keep each under 375, below half a partition's 1,000 WCU/s
    # (16 left it at 0.69 of the limit once the parcels and 秒批 added deadline moves). A sweep queries every
    # shard: 32 queries an index a run. May grow (readers query every shard up to it), never shrink.
    sweep_shards: int
    # "legacy" while a stage moves to the sharded work-queue indexes (infra/README.md): cases also carry the
    # old index keys and the queues are read from the old indexes. Empty otherwise.
    queue_migration: str
    # "legacy" while a stage moves the legs-of-a-case index from ``by_case`` (ALL) to ``by_case_keys`` (keys
    # only, infra/README.md): the legs of a case are read from the old index. Empty otherwise.
    leg_index_migration: str
    queue_shards: int  # partition keys each office's work queue index is spread over (case_repository)
    # Items each consolidated parcel's handover list is kept in (parcel_repository): a case joining writes
    # its sheet alone, so at 1,000 applications a second through one office pair no sheet takes more than
    # ~1/16 of the joins. May grow, never shrink (a parcel's sheets are read up to it).
    parcel_sheets: int
    review_shards: int  # partition keys each office's and city's review listing index is spread over
    stats_shards: int  # partition keys each office's review counters are spread over (review_repository)
    stats_months_from: str  # YYYY-MM: the first month with month totals of review counters ("" = all)
    stats_snapshot_max_age: int  # seconds a statistics snapshot answers for (2 runs of its 5-minute schedule)
    # How long a notification claim holds before a redelivery may take it over: longer than the consumer's
    # handler timeout (30 s: the holder is dead by then), shorter than the queue's visibility timeout (180 s:
    # a redelivery never finds a live claim of a dead holder). Tests, whose queues redeliver at once, set 0.
    notification_claim_seconds: int
    # Where the console is served: the tracking link an SMS carries (DESIGN §9). Empty: a relative link.
    console_url: str
    # 合包: "consolidated" (one parcel per office pair and collection day) or "single" (one parcel per case).
    parcels: str = "consolidated"
    # When parcels are sealed: at each office's cut-off ("cutoff"), or at every run of the sealing schedule
    # ("continuous": the local stack's demo courier collects all the time; honoured on the local stage only).
    parcel_collection: str = "cutoff"

    def name(self, logical: str) -> str:
        return f"{self.resource_prefix}-{logical}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    stage = os.environ.get("STAGE", "local")
    auth_mode = _auth_mode()
    secret = (os.environ.get("AUTH_DEV_SECRET") or DEFAULT_DEV_SECRET) if auth_mode == "hs256" else ""
    clients = frozenset(c.strip() for c in os.environ.get("AUTH_CLIENT_IDS", "").split(",") if c.strip())
    local = os.environ.get("STAGE") == "local" and not os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    return Settings(
        stage=stage,
        resource_prefix=os.environ.get("RESOURCE_PREFIX", f"kc-{stage}"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        auth_mode=auth_mode,
        auth_dev_secret=secret,
        auth_client_ids=clients,
        local=local,
        courier_webhook_secret=os.environ.get("COURIER_WEBHOOK_SECRET", DEFAULT_COURIER_SECRET) if local else "",
        courier_webhook_secret_arn=os.environ.get("COURIER_WEBHOOK_SECRET_ARN", ""),
        max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", str(MAX_BODY_BYTES))),
        app_secret_arn=os.environ.get("APP_SECRET_ARN", ""),
        origin_secret_arn=os.environ.get("ORIGIN_SECRET_ARN", ""),
        origin_check_exempts_rest=os.environ.get("ORIGIN_CHECK_EXEMPTS_REST") == "1",
        reference_cache_seconds=int(os.environ.get("REFERENCE_CACHE_SECONDS", "60")),
        sweep_shards=int(os.environ.get("SWEEP_SHARDS", "32")),
        queue_migration=os.environ.get("QUEUE_MIGRATION", ""),
        leg_index_migration=os.environ.get("LEG_INDEX_MIGRATION", ""),
        queue_shards=int(os.environ.get("QUEUE_SHARDS", "4")),
        parcel_sheets=int(os.environ.get("PARCEL_SHEETS", "16")),
        review_shards=int(os.environ.get("REVIEW_SHARDS", "4")),
        stats_shards=int(os.environ.get("STATS_SHARDS", "8")),
        stats_months_from=os.environ.get("STATS_MONTHS_FROM", ""),
        stats_snapshot_max_age=int(os.environ.get("STATS_SNAPSHOT_MAX_AGE", "600")),
        notification_claim_seconds=int(os.environ.get("NOTIFICATION_CLAIM_SECONDS", "60")),
        console_url=(os.environ.get("CONSOLE_ORIGIN", "http://127.0.0.1:8080" if stage == "local" else "")
                     .split(",")[0].strip().rstrip("/")),
        parcels="single" if os.environ.get("PARCELS") == "single" else "consolidated",
        parcel_collection="continuous" if local and os.environ.get("PARCEL_COLLECTION") == "continuous" else "cutoff",
    )


def _auth_mode() -> str:
    """How tokens are checked in this process; raises InsecureConfiguration in a Lambda function set up for
    local tokens (a deployed `local` stage, or a cloud stage given AUTH_MODE=hs256 or a dev secret)."""
    stage, requested = os.environ.get("STAGE"), os.environ.get("AUTH_MODE", "gateway")
    in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    if in_lambda and (stage in (None, "", "local") or requested != "gateway" or os.environ.get("AUTH_DEV_SECRET")):
        raise InsecureConfiguration(
            f"refusing to start: a Lambda function needs STAGE set to a cloud stage and AUTH_MODE=gateway, "
            f"without AUTH_DEV_SECRET (STAGE={stage!r}, AUTH_MODE={requested!r})")
    if requested == "gateway":
        return "gateway"
    if requested == "hs256" and stage == "local" and not in_lambda:
        return "hs256"
    return "refuse"
