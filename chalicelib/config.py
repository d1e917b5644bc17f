"""Settings from the environment, read once per process.

Resource names follow one convention, ``{RESOURCE_PREFIX}-{logical name}``, used alike by the code, the
local stack and the cloud templates, so nothing has to pass names around.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_DEV_SECRET = "local-dev-secret-change-me-0123456789"
DEFAULT_COURIER_SECRET = "dev-courier-secret"


@dataclass(frozen=True)
class Settings:
    stage: str
    resource_prefix: str
    region: str
    auth_mode: str  # "hs256": verify tokens here (local); "gateway": API Gateway's JWT authorizer verified them
    auth_dev_secret: str
    courier_webhook_secret: str
    max_body_bytes: int
    reference_cache_seconds: int
    sweep_shards: int

    def name(self, logical: str) -> str:
        return f"{self.resource_prefix}-{logical}"


@lru_cache(maxsize=1)
def settings() -> Settings:
    stage = os.environ.get("STAGE", "local")
    auth_mode = os.environ.get("AUTH_MODE", "hs256" if stage == "local" else "gateway")
    secret = os.environ.get("AUTH_DEV_SECRET", DEFAULT_DEV_SECRET if stage == "local" else "")
    return Settings(
        stage=stage,
        resource_prefix=os.environ.get("RESOURCE_PREFIX", f"kc-{stage}"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        auth_mode=auth_mode,
        auth_dev_secret=secret,
        courier_webhook_secret=os.environ.get(
            "COURIER_WEBHOOK_SECRET", DEFAULT_COURIER_SECRET if stage == "local" else ""
        ),
        max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", "65536")),
        reference_cache_seconds=int(os.environ.get("REFERENCE_CACHE_SECONDS", "60")),
        sweep_shards=int(os.environ.get("SWEEP_SHARDS", "4")),
    )
