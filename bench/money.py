"""Figure 7, money: what 10,000 completed cases cost at AWS list prices, from the requests counted for one
case (figure 4) and the handler durations measured with it.

Priced as deployed (infra/README.md): every API request passes the console's CloudFront distribution (an HTTPS
request) and then the API Gateway HTTP API. The REST API the stage had before is priced beside it, for the
before/after comparison. Both designs have a WAF web ACL in front of every request (regional on the REST API,
on CloudFront now) at the same price per request, so WAF is left out of both, as the request model always
did, and printed apart (``waf_usd_both_designs``)."""
from __future__ import annotations

import math
from typing import Any

from tools.pump import RELAYS

# us-east-1 list prices as published in 2024 (DynamoDB on-demand after the November 2024 price cut).
PRICES: dict[str, float] = {
    "api_gateway_rest_per_request": 3.50e-6,
    "api_gateway_http_per_request": 1.00e-6,
    # CloudFront's HTTPS requests, US/Mexico/Canada and Europe/Israel: $0.0100 per 10,000 (other edge regions
    # cost more: e.g. $0.0120 in Japan, Hong Kong and Singapore).
    "cloudfront_https_per_request": 0.0100 / 10_000,
    # AWS WAF: $0.60 per million requests inspected (plus $5 per web ACL and $1 per rule a month, fixed).
    "waf_per_request": 0.60e-6,
    "lambda_per_gb_second": 0.0000166667,
    "lambda_per_request": 0.20e-6,
    "dynamodb_per_wru": 0.625e-6,
    "dynamodb_per_rru": 0.125e-6,
    "sqs_per_request": 0.40e-6,
    "sns_per_publish": 0.50e-6,
}
PRICES_AS_OF = ("AWS list prices, us-east-1, 2024 (DynamoDB on-demand after the 2024-11-01 reduction; CloudFront "
                 "HTTPS requests at the US/Europe price)")
MEMORY_GB = 0.25  # 256 MB, as .chalice/config.json deploys every function
# A 256 MB function gets 256/1769 of a vCPU, so its own compute runs ~6.9x slower than on one core here.
CPU_SCALE = 1769 / 256
AWS_ROUND_TRIP_MS = 8.0  # assumed in-region latency of one DynamoDB/SQS/SNS request seen from Lambda
CASES = 10_000
GOAL_USD = 0.90  # issue 15: ≤ US$0.90, leaving room for the second release's SMS and reads


def billed_ms(inv: dict[str, Any]) -> int:
    """Lambda bills wall time per 1 ms: the app's own compute (measured time less the raw requests' time,
    scaled to a 256 MB share of a CPU) plus the AWS round trips it waits for."""
    own_ms = max(0.0, inv["seconds"] - inv["aws_seconds"]) * 1000
    return max(1, math.ceil(own_ms * CPU_SCALE + inv["aws_calls"] * AWS_ROUND_TRIP_MS))


def estimate(requests: dict[str, Any]) -> dict[str, Any]:
    invocations = requests["invocations"]
    total = requests["total"]
    http = requests["http_requests"]
    together = requests.get("cases", 1)  # cases counted together (in one parcel): the counts are theirs
    sqs_handler_invocations = sum(1 for i in invocations if not i["http"] and i["function"] not in RELAYS)
    # Lambda's SQS pollers receive and delete (batch) once per invocation; streams reads by Lambda are free.
    sqs_requests = total["sqs"] + 2 * sqs_handler_invocations
    gb_seconds = sum(billed_ms(i) for i in invocations) / 1000 * MEMORY_GB
    p = PRICES
    per_case = {
        "api_gateway": http * p["api_gateway_http_per_request"],
        "cloudfront": http * p["cloudfront_https_per_request"],
        "lambda_requests": len(invocations) * p["lambda_per_request"],
        "lambda_duration": gb_seconds * p["lambda_per_gb_second"],
        "dynamodb_writes": total["wru"] * p["dynamodb_per_wru"],
        "dynamodb_reads": total["rru"] * p["dynamodb_per_rru"],
        "sqs": sqs_requests * p["sqs_per_request"],
        "sns": total["sns"] * p["sns_per_publish"],
    }
    per_case = {k: v / together for k, v in per_case.items()}
    terms = {k: round(v * CASES, 4) for k, v in per_case.items()}
    usd = round(sum(per_case.values()) * CASES, 4)
    # The price of the requests themselves, whatever the handlers do: the API's, CloudFront's, Lambda's.
    floor = round((per_case["api_gateway"] + per_case["cloudfront"] + per_case["lambda_requests"]) * CASES, 4)
    dominant = max(terms, key=lambda k: terms[k])
    # The design before this release: the REST API, with no CloudFront in the API's path.
    rest_api = round(usd - terms["api_gateway"] - terms["cloudfront"]
                     + http / together * p["api_gateway_rest_per_request"] * CASES, 4)
    scenarios = {"as built (HTTP API behind CloudFront)": usd, "before: REST API (no CloudFront)": rest_api}
    for name, wru in requests.get("what_if_wru", {}).items():
        if name != "as built":
            scenarios[f"as built + {name}"] = round(
                usd + (wru - total["wru"]) / together * p["dynamodb_per_wru"] * CASES, 4)
    # What remains to the goal, term by term: each term's share of the excess over the goal.
    excess = round(max(0.0, usd - GOAL_USD), 4)
    return {
        "scenarios_usd": scenarios,
        "cases": CASES, "usd": usd, "floor_usd": floor, "terms_usd": terms, "dominant": dominant,
        "goal_usd": GOAL_USD, "met": usd <= GOAL_USD, "usd_rest_api": rest_api, "excess_usd": excess,
        "waf_usd_both_designs": round(http / together * p["waf_per_request"] * CASES, 4),
        "counted_together": together,
        "per_case": {"api_requests": round(http / together, 2),
                     "lambda_invocations": round(len(invocations) / together, 2),
                     "lambda_gb_seconds": round(gb_seconds / together, 5), "wru": round(total["wru"] / together, 2),
                     "rru": round(total["rru"] / together, 2), "sqs_requests": round(sqs_requests / together, 2),
                     "sns_publishes": round(total["sns"] / together, 2)},
        "prices": PRICES, "prices_as_of": PRICES_AS_OF,
        "assumptions": {
            "memory_mb": 256, "cpu_scale": round(CPU_SCALE, 2), "aws_round_trip_ms": AWS_ROUND_TRIP_MS,
            "excluded": "SMS delivery charges (per message, by country), CloudWatch logs and metrics, "
                        "idle SQS long polling by Lambda's pollers (a fixed monthly sum per queue), "
                        "cold-start init time, data transfer, Cognito, and WAF (the same per request in both "
                        "designs: waf_usd_both_designs), CloudFront Functions (console page loads only)",
        },
    }
