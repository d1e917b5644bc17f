"""The stage's WAF web ACL, one definition for both places it can stand: CLOUDFRONT scope on the console's
distribution in front of the HTTP API (infra/edge.py, the default), or REGIONAL scope on the REST API stage
while a live stage migrates (``-c restApi=keep``, infra/service.py).

The rules: a body-size limit equal to the app's, AWS's managed rule groups (common rule set, known bad inputs),
a per-address rate limit, a tighter one on the public /track/* route, and logging without tokens or query codes.
"""
from __future__ import annotations

from collections.abc import Callable

from aws_cdk import Aws
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from .config import StageConfig


def web_acl(scope: Construct, config: StageConfig, *, waf_scope: str, name: str,
            log_group: Callable[[str, str], logs.LogGroup]) -> tuple[wafv2.CfnWebACL, logs.LogGroup]:
    """The web ACL named ``name`` in ``waf_scope`` ("CLOUDFRONT" or "REGIONAL") with its logging to
    ``aws-waf-logs-<name>``, a log group made by ``log_group(construct id, log group name)``."""
    waf = wafv2.CfnWebACL
    # CloudFront and API Gateway forward only the first 16 KB of a body to WAF: the app's limit is at most that
    # size (StageConfig checks it), so WAF inspects the whole of every body the app accepts, and larger bodies
    # are blocked ("MATCH").
    rules = [
        waf.RuleProperty(
            name="body-size", priority=0, action=waf.RuleActionProperty(block={}),
            statement=waf.StatementProperty(size_constraint_statement=waf.SizeConstraintStatementProperty(
                comparison_operator="GT", size=config.max_body_bytes,
                field_to_match=waf.FieldToMatchProperty(body=waf.BodyProperty(oversize_handling="MATCH")),
                text_transformations=[waf.TextTransformationProperty(priority=0, type="NONE")],
            )),
            visibility_config=_visibility("body-size"),
        ),
        waf.RuleProperty(
            name="rate-per-ip", priority=1, action=waf.RuleActionProperty(block={}),
            statement=waf.StatementProperty(rate_based_statement=waf.RateBasedStatementProperty(
                limit=config.waf_requests_per_5min_per_ip, aggregate_key_type="IP")),
            visibility_config=_visibility("rate-per-ip"),
        ),
        # Query-code guessing (docs/RELIABILITY.md, the bound): the public tracking route gets its own, tighter
        # budget per address. The path WAF sees starts with /api/ in both places: the REST stage's name, and
        # the distribution's behaviour that forwards to the HTTP API's stage of the same name.
        waf.RuleProperty(
            name="track-rate-per-ip", priority=2, action=waf.RuleActionProperty(block={}),
            statement=waf.StatementProperty(rate_based_statement=waf.RateBasedStatementProperty(
                limit=config.waf_track_requests_per_5min_per_ip, aggregate_key_type="IP",
                evaluation_window_sec=300,
                scope_down_statement=waf.StatementProperty(byte_match_statement=waf.ByteMatchStatementProperty(
                    field_to_match=waf.FieldToMatchProperty(uri_path={}), positional_constraint="STARTS_WITH",
                    search_string=f"/{config.api_stage_name}/track/",
                    text_transformations=[waf.TextTransformationProperty(priority=0, type="LOWERCASE")],
                )),
            )),
            visibility_config=_visibility("track-rate-per-ip"),
        ),
        _managed_rules("AWSManagedRulesCommonRuleSet", priority=3, count_only=(
            # Bodies: our own rule above refuses over 16 KB; the set's own limit of 8 KB would refuse valid
            # applications between 8 and 16 KB.
            "SizeRestrictions_BODY",
        )),
        _managed_rules("AWSManagedRulesKnownBadInputsRuleSet", priority=4),
    ]
    acl = waf(scope, "WebAcl", name=name, scope=waf_scope, default_action=waf.DefaultActionProperty(allow={}),
              visibility_config=_visibility(name), rules=rules)
    # WAF writes only to log groups named aws-waf-logs-*, in the web ACL's region, and takes their ARN without
    # the trailing ":*".
    log_name = f"aws-waf-logs-{name}"
    group = log_group("WafLogs", log_name)
    logging_config = wafv2.CfnLoggingConfiguration(
        scope, "WafLogging", resource_arn=acl.attr_arn,
        log_destination_configs=[f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{log_name}"],
        # Tokens and query codes (?code=) are never written to the logs.
        redacted_fields=[
            wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"}),
            wafv2.CfnLoggingConfiguration.FieldToMatchProperty(query_string={})],
    )
    logging_config.node.add_dependency(group)
    return acl, group


def _managed_rules(name: str, priority: int, count_only: tuple[str, ...] = ()) -> wafv2.CfnWebACL.RuleProperty:
    """One of AWS's managed rule groups, blocking; the rules named in ``count_only`` only count."""
    waf = wafv2.CfnWebACL
    return waf.RuleProperty(
        name=name, priority=priority, override_action=waf.OverrideActionProperty(none={}),
        statement=waf.StatementProperty(managed_rule_group_statement=waf.ManagedRuleGroupStatementProperty(
            vendor_name="AWS", name=name,
            rule_action_overrides=[waf.RuleActionOverrideProperty(
                name=rule, action_to_use=waf.RuleActionProperty(count={})) for rule in count_only] or None,
        )),
        visibility_config=_visibility(name),
    )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name,
                                                    sampled_requests_enabled=True)
