"""Per-stage settings of the cloud stack: what differs between ``dev`` and ``prod``.

The Chalice stage (``.chalice/config.json``) stays the source of the application's own settings
(RESOURCE_PREFIX, AUTH_MODE, memory, timeout); this adds what only the infrastructure needs. Anything here
can be overridden at synth/deploy time with CDK context (``-c key=value``), see infra/README.md.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"
STAGES = ("dev", "prod")
# Where the identity provider's tokens come from, see ServiceConstruct: a Cognito user pool (made here, or
# an existing one by ARN).
ACCOUNT_STACK = "cross-city-account"  # once per account and region (infra/account.py, make bootstrap)
NO_SUBSCRIPTION = ("a production stage needs an alarm subscription: deploy with -c alarmEmail=<address> "
                   '(make deploy STAGE=prod CONTEXT="alarmEmail=ops@example.org")')
WAF_BODY_INSPECTION_BYTES = 16 * 1024  # what CloudFront (and API Gateway) forward of a body to WAF by default
PUBLIC_ROUTES = frozenset({"/health", "/offices", "/matters", "/track/{case_no}", "/webhooks/courier"})


@dataclass(frozen=True)
class StageConfig:
    stage: str
    resource_prefix: str
    lambda_timeout_seconds: int
    lambda_memory_mb: int
    api_stage_name: str
    production: bool  # retain data, deletion protection, customer-managed key on tables
    log_retention_days: int
    api_throttle_rate: float  # steady requests per second for the whole stage
    api_throttle_burst: int
    max_body_bytes: int  # bodies larger than this are refused at the edge (WAF) and by the app
    waf_requests_per_5min_per_ip: int
    waf_track_requests_per_5min_per_ip: int  # GET /track/*: public, guarded by a 6-digit code
    threat_protection: bool  # Cognito threat protection (Plus plan) where the partition offers it
    # Concurrency: the API keeps its own reserve; each queue consumer and the relay are capped, so a flood of
    # messages cannot take the API's capacity and a burst of requests cannot starve the consumers.
    api_reserved_concurrency: int
    consumer_max_concurrency: int  # per SQS consumer (event source maximum = reserved concurrency; >= 2)
    relay_reserved_concurrency: int
    api_p99_latency_ms: int
    api_5xx_rate: float  # share of requests, e.g. 0.01 = 1 %
    user_pool_arn: str | None  # an existing Cognito user pool; None: the stack makes one
    app_client_ids: tuple[str, ...]  # app clients of that pool whose tokens the API accepts, besides its own
    alarm_email: str | None
    service_name: str  # POWERTOOLS_SERVICE_NAME: a dimension of the app's own metrics

    def __post_init__(self) -> None:
        if self.consumer_max_concurrency < 2:
            raise ValueError("an SQS event source's maximum concurrency is at least 2")
        if self.max_body_bytes > WAF_BODY_INSPECTION_BYTES:
            raise ValueError(f"MAX_BODY_BYTES {self.max_body_bytes} exceeds what WAF inspects behind CloudFront "
                             f"({WAF_BODY_INSPECTION_BYTES}): the tail of larger bodies would go unchecked")

    @property
    def stack_name(self) -> str:
        return self.resource_prefix

    def name(self, logical: str) -> str:
        return f"{self.resource_prefix}-{logical}"


def chalice_stage(stage: str) -> dict[str, Any]:
    config = json.loads(CHALICE_CONFIG.read_text("utf-8"))
    if stage not in config["stages"]:
        raise KeyError(f"stage {stage!r} is not in {CHALICE_CONFIG}")
    merged: dict[str, Any] = {k: v for k, v in config.items() if k != "stages"}
    stage_cfg = config["stages"][stage]
    merged.update({k: v for k, v in stage_cfg.items() if k != "environment_variables"})
    merged["environment_variables"] = {**config.get("environment_variables", {}),
                                       **stage_cfg.get("environment_variables", {})}
    return merged


_DEFAULTS: dict[str, dict[str, Any]] = {
    "dev": dict(production=False, log_retention_days=30, api_throttle_rate=50.0, api_throttle_burst=100,
                waf_requests_per_5min_per_ip=2000, waf_track_requests_per_5min_per_ip=100,
                threat_protection=True, api_reserved_concurrency=20, consumer_max_concurrency=2,
                relay_reserved_concurrency=2, api_p99_latency_ms=3000, api_5xx_rate=0.05),
    "prod": dict(production=True, log_retention_days=365, api_throttle_rate=500.0, api_throttle_burst=1000,
                 waf_requests_per_5min_per_ip=2000, waf_track_requests_per_5min_per_ip=100,
                 threat_protection=True, api_reserved_concurrency=200, consumer_max_concurrency=10,
                 relay_reserved_concurrency=5, api_p99_latency_ms=2000, api_5xx_rate=0.01),
}

def _client_ids(text: Any) -> tuple[str, ...]:
    return tuple(c.strip() for c in str(text).split(",") if c.strip())


_CONTEXT_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "userPoolArn": ("user_pool_arn", str),
    "appClientIds": ("app_client_ids", _client_ids),
    "alarmEmail": ("alarm_email", str),
    "threatProtection": ("threat_protection", lambda text: str(text).lower() not in ("off", "false", "0", "no")),
    "logRetentionDays": ("log_retention_days", int),
    "apiThrottleRate": ("api_throttle_rate", float),
    "apiThrottleBurst": ("api_throttle_burst", int),
    "apiReservedConcurrency": ("api_reserved_concurrency", int),
    "consumerMaxConcurrency": ("consumer_max_concurrency", int),
}


def stage_config(stage: str, context: dict[str, Any] | None = None) -> StageConfig:
    """The settings of one stage; ``context`` (CDK context values) overrides the defaults."""
    if stage not in STAGES:
        raise KeyError(f"unknown stage {stage!r}: expected one of {', '.join(STAGES)}")
    chalice = chalice_stage(stage)
    env = chalice["environment_variables"]
    config = StageConfig(
        stage=stage,
        resource_prefix=env["RESOURCE_PREFIX"],
        lambda_timeout_seconds=int(chalice.get("lambda_timeout", 60)),
        lambda_memory_mb=int(chalice.get("lambda_memory_size", 128)),
        api_stage_name=chalice.get("api_gateway_stage", "api"),
        max_body_bytes=int(env["MAX_BODY_BYTES"]),
        user_pool_arn=None,
        app_client_ids=(),
        alarm_email=None,
        service_name=env.get("POWERTOOLS_SERVICE_NAME", "cross-city"),
        **_DEFAULTS[stage],
    )
    overrides = {}
    for key, (attr, kind) in _CONTEXT_KEYS.items():
        value = (context or {}).get(key)
        if value not in (None, ""):
            overrides[attr] = kind(value)
    return replace(config, **overrides)
