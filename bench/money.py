"""Figure 7, money: what 10,000 completed cases cost at AWS list prices, from the requests counted for one
case (figure 4) and the handler durations measured with it."""
from __future__ import annotations

import math
from typing import Any

# us-east-1 list prices as published in 2024 (DynamoDB on-demand after the November 2024 price cut).
PRICES: dict[str, float] = {
    "api_gateway_rest_per_request": 3.50e-6,
    "api_gateway_http_per_request": 1.00e-6,
    "lambda_per_gb_second": 0.0000166667,
    "lambda_per_request": 0.20e-6,
    "dynamodb_per_wru": 0.625e-6,
    "dynamodb_per_rru": 0.125e-6,
    "sqs_per_request": 0.40e-6,
    "sns_per_publish": 0.50e-6,
}
PRICES_AS_OF = "AWS list prices, us-east-1, 2024 (DynamoDB on-demand after the 2024-11-01 reduction)"
MEMORY_GB = 0.25  # 256 MB, as .chalice/config.json deploys every function
# A 256 MB function gets 256/1769 of a vCPU, so its own compute runs ~6.9x slower than on one core here.
CPU_SCALE = 1769 / 256
AWS_ROUND_TRIP_MS = 8.0  # assumed in-region latency of one DynamoDB/SQS/SNS request seen from Lambda
CASES = 10_000
GOAL_USD = 1.0


def billed_ms(inv: dict[str, Any]) -> int:
    """Lambda bills wall time per 1 ms: the app's own compute (measured time less the raw requests' time,
    scaled to a 256 MB share of a CPU) plus the AWS round trips it waits for."""
    own_ms = max(0.0, inv["seconds"] - inv["aws_seconds"]) * 1000
    return max(1, math.ceil(own_ms * CPU_SCALE + inv["aws_calls"] * AWS_ROUND_TRIP_MS))


def estimate(requests: dict[str, Any]) -> dict[str, Any]:
    invocations = requests["invocations"]
    total = requests["total"]
    http = requests["http_requests"]
    sqs_handler_invocations = sum(1 for i in invocations if not i["http"] and i["function"] != "relay_outbox")
    # Lambda's SQS pollers receive and delete (batch) once per invocation; streams reads by Lambda are free.
    sqs_requests = total["sqs"] + 2 * sqs_handler_invocations
    gb_seconds = sum(billed_ms(i) for i in invocations) / 1000 * MEMORY_GB
    p = PRICES
    per_case = {
        "api_gateway": http * p["api_gateway_rest_per_request"],
        "lambda_requests": len(invocations) * p["lambda_per_request"],
        "lambda_duration": gb_seconds * p["lambda_per_gb_second"],
        "dynamodb_writes": total["wru"] * p["dynamodb_per_wru"],
        "dynamodb_reads": total["rru"] * p["dynamodb_per_rru"],
        "sqs": sqs_requests * p["sqs_per_request"],
        "sns": total["sns"] * p["sns_per_publish"],
    }
    terms = {k: round(v * CASES, 4) for k, v in per_case.items()}
    usd = round(sum(per_case.values()) * CASES, 4)
    floor = round((per_case["api_gateway"] + per_case["lambda_requests"]) * CASES, 4)
    dominant = max(terms, key=lambda k: terms[k])
    with_http_api = round(usd - terms["api_gateway"] + http * p["api_gateway_http_per_request"] * CASES, 4)
    # What would meet the goal: the same case with an HTTP API, and with cheaper index designs.
    scenarios = {"as built (REST API)": usd, "HTTP API": with_http_api}
    for name, wru in requests.get("what_if_wru", {}).items():
        if name != "as built":
            scenarios[f"HTTP API + {name}"] = round(
                with_http_api + (wru - total["wru"]) * p["dynamodb_per_wru"] * CASES, 4)
    return {
        "scenarios_usd": scenarios,
        "cases": CASES, "usd": usd, "floor_usd": floor, "terms_usd": terms, "dominant": dominant,
        "goal_usd": GOAL_USD, "met": usd <= GOAL_USD, "usd_with_http_api": with_http_api,
        "per_case": {"api_requests": http, "lambda_invocations": len(invocations),
                     "lambda_gb_seconds": round(gb_seconds, 5), "wru": total["wru"], "rru": total["rru"],
                     "sqs_requests": sqs_requests, "sns_publishes": total["sns"]},
        "prices": PRICES, "prices_as_of": PRICES_AS_OF,
        "assumptions": {
            "memory_mb": 256, "cpu_scale": round(CPU_SCALE, 2), "aws_round_trip_ms": AWS_ROUND_TRIP_MS,
            "excluded": "SMS delivery charges (per message, by country), CloudWatch logs and metrics, "
                        "idle SQS long polling by Lambda's pollers (a fixed monthly sum per queue), "
                        "cold-start init time, data transfer, WAF and Cognito",
        },
    }
