"""The console's cloud hosting (infra/console.py) in the synthesized templates of every stage, and what
``make deploy`` uploads (infra/console_upload.py, against moto's S3)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import STAGES, Synthesized


def _one(synthesized: Synthesized, stage: str, type_: str) -> tuple[str, dict[str, Any]]:
    (item,) = synthesized.resources(stage, type_).items()
    return item[0], item[1]["Properties"]


def _render(value: Any) -> str:
    """A CloudFormation string expression as text, with ${...} where a reference stands."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return str(sep).join(_render(p) for p in parts)
    if "Ref" in value:
        return f"${{{value['Ref']}}}"
    if "Fn::GetAtt" in value:
        return f"${{{'.'.join(value['Fn::GetAtt'])}}}"
    raise AssertionError(f"unexpected expression {value}")


def _refers_to(value: Any, logical: str) -> bool:
    return logical in json.dumps(value)


@pytest.mark.parametrize("stage", STAGES)
def test_a_private_bucket_behind_cloudfront_with_origin_access_control(synthesized, stage):
    bucket_id, bucket = _one(synthesized, stage, "AWS::S3::Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert "WebsiteConfiguration" not in bucket  # never a public website endpoint
    _, oac = _one(synthesized, stage, "AWS::CloudFront::OriginAccessControl")
    assert oac["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    dist_id, dist = _one(synthesized, stage, "AWS::CloudFront::Distribution")
    config = dist["DistributionConfig"]
    (origin,) = [o for o in config["Origins"] if "S3OriginConfig" in o]  # the other one: the API's
    assert _refers_to(origin["DomainName"], bucket_id) and "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"].get("OriginAccessIdentity", "") == ""  # OAC, not the legacy identity
    _, policy = _one(synthesized, stage, "AWS::S3::BucketPolicy")
    statements = policy["PolicyDocument"]["Statement"]
    reads = [s for s in statements if s["Effect"] == "Allow"]
    assert reads and all(s["Principal"] == {"Service": "cloudfront.amazonaws.com"} for s in reads)
    assert all(_refers_to(s["Condition"], dist_id) for s in reads)  # this distribution only
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements)
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        if behavior.get("PathPattern") == "/api/*":  # the API (tests/infra/test_security_templates.py)
            continue
        assert behavior["TargetOriginId"] == origin["Id"]
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behavior["AllowedMethods"] == ["GET", "HEAD"]


@pytest.mark.parametrize("stage", STAGES)
def test_hashed_assets_are_cached_for_a_year_and_index_and_config_never(synthesized, stage):
    policies = {k: v["Properties"]["CachePolicyConfig"]
                for k, v in synthesized.resources(stage, "AWS::CloudFront::CachePolicy").items()}
    _, dist = _one(synthesized, stage, "AWS::CloudFront::Distribution")
    config = dist["DistributionConfig"]

    def ttl(behavior: dict[str, Any]) -> tuple[int, int, int]:
        p = policies[behavior["CachePolicyId"]["Ref"]]
        return p["MinTTL"], p["DefaultTTL"], p["MaxTTL"]

    by_path = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert ttl(by_path["/assets/*"])[2] == 365 * 24 * 3600 and ttl(by_path["/assets/*"])[0] > 0
    assert ttl(by_path["/index.html"]) == ttl(by_path["/config.json"]) == ttl(config["DefaultCacheBehavior"]) == (
        0, 0, 0)
    assert config["DefaultRootObject"] == "index.html"
    # SPA fallback: a route of the app (a path without a file extension) is answered with index.html, by a
    # function on the default behaviour only; no distribution-wide error page (it would replace the API's 403s
    # and 404s with index.html).
    assert "CustomErrorResponses" not in config
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function_id = association["FunctionARN"]["Fn::GetAtt"][0]
    function = synthesized.templates[stage]["Resources"][function_id]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0" and function["AutoPublish"] is True
    assert all("FunctionAssociations" not in b for b in config["CacheBehaviors"])


def test_the_spa_fallback_rewrites_app_routes_and_leaves_files_alone():
    """The CloudFront Function's rule, run by node (the runtime CloudFront Functions mimic)."""
    import shutil
    import subprocess

    from infra.console import SPA_ROUTES

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    uris = ["/", "/track", "/me/cases", "/cases/KC4403002026010100001", "/assets/index-3f2a1b.js", "/robots.txt",
            "/a.b/c"]
    rewrite = "u => handler({request: {uri: u}}).uri"
    script = SPA_ROUTES + f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map({rewrite})));"
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == ["/index.html", "/index.html", "/index.html", "/index.html",
                                       "/assets/index-3f2a1b.js", "/robots.txt", "/index.html"]


@pytest.mark.parametrize("stage", STAGES)
def test_security_headers_on_every_answer(synthesized, stage):
    policy_id, policy = _one(synthesized, stage, "AWS::CloudFront::ResponseHeadersPolicy")
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = _render(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
    assert directives["script-src"] == ["'self'"] and directives["default-src"] == ["'self'"]
    assert "unsafe-inline" not in csp.split("style-src")[0] and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert "*" not in directives["script-src"] and "'self'" in directives["connect-src"]
    assert any(src.startswith("https://cognito-idp.") for src in directives["connect-src"])
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert headers["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    assert all(h["Override"] is True for h in headers.values())
    _, dist = _one(synthesized, stage, "AWS::CloudFront::Distribution")
    config = dist["DistributionConfig"]
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}


def _console_client(synthesized: Synthesized, stage: str) -> tuple[str, dict[str, Any]]:
    clients = synthesized.resources(stage, "AWS::Cognito::UserPoolClient")
    (item,) = [(k, v["Properties"]) for k, v in clients.items() if v["Properties"]["ClientName"].endswith("-console")]
    return item


@pytest.mark.parametrize("stage", STAGES)
def test_the_consoles_app_client_signs_in_with_the_code_flow_at_the_distribution(synthesized, stage):
    client_id, client = _console_client(synthesized, stage)
    dist_id, _ = _one(synthesized, stage, "AWS::CloudFront::Distribution")
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthScopes"] == ["openid"]
    assert client["GenerateSecret"] is False  # a public client: PKCE, no secret in the browser
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert not {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"} & set(client.get("ExplicitAuthFlows", []))
    (callback,) = client["CallbackURLs"]
    (logout,) = client["LogoutURLs"]
    assert callback["Fn::Join"][1][-1] == "/auth/callback" and _refers_to(callback, dist_id)
    assert logout["Fn::Join"][1][-1] == "/" and _refers_to(logout, dist_id)
    assert client["WriteAttributes"] == []  # nobody writes their own role, office or city
    assert {"custom:role", "custom:office_id", "custom:city"} <= set(client["ReadAttributes"])
    domains = synthesized.resources(stage, "AWS::Cognito::UserPoolDomain")
    assert [d["Properties"]["Domain"] for d in domains.values()] == [f"kc-{stage}-console"]
    # The API accepts the console's tokens.
    handler = synthesized.templates[stage]["Resources"]["APIHandler"]["Properties"]
    assert _refers_to(handler["Environment"]["Variables"]["AUTH_CLIENT_IDS"], client_id)


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_allows_the_distributions_origin_only(synthesized, stage):
    resources = synthesized.templates[stage]["Resources"]
    dist_id, _ = _one(synthesized, stage, "AWS::CloudFront::Distribution")
    origin = resources["APIHandler"]["Properties"]["Environment"]["Variables"]["CONSOLE_ORIGIN"]
    assert origin == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [dist_id, "DomainName"]}]]}
    for logical, resource in resources.items():  # no function and no gateway answer allows every origin
        assert "CONSOLE_ORIGIN" not in json.dumps(resource.get("Properties", {}).get("Environment", {})) or \
            logical == "APIHandler"
        assert "Access-Control-Allow-Origin\": \"'*'" not in json.dumps(resource)
        assert resource["Type"] != "AWS::ApiGatewayV2::Api" or "CorsConfiguration" not in resource["Properties"]
    # Every path answers the browser's preflight (through the app, which checks the origin), without a token.
    routes = [r["Properties"] for r in synthesized.resources(stage, "AWS::ApiGatewayV2::Route").values()]
    paths = {r["RouteKey"].split(" ", 1)[1] for r in routes}
    preflights = {r["RouteKey"].split(" ", 1)[1]: r for r in routes if r["RouteKey"].startswith("OPTIONS ")}
    assert paths and set(preflights) == paths
    assert all(r["AuthorizationType"] == "NONE" for r in preflights.values())


@pytest.mark.parametrize("stage", STAGES)
def test_the_stack_outputs_what_make_deploy_needs(synthesized, stage):
    outputs = synthesized.templates[stage]["Outputs"]
    for name in ("Url", "BucketName", "DistributionId", "ClientId", "Issuer", "LogoutUrl"):
        assert any(k.startswith(f"Console{name}") for k in outputs), name
    issuer = json.dumps(next(v for k, v in outputs.items() if k.startswith("ConsoleIssuer"))["Value"])
    assert "cognito-idp." in issuer and "AWS::URLSuffix" in issuer  # aws and aws-cn alike


# ---------------------------------------------------------------- make deploy: the upload


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-3f2a1b.js").write_text("console.log(1)")
    (tmp_path / "assets" / "index-9c8d7e.css").write_text("body{}")
    (tmp_path / "index.html").write_text("<!doctype html><script type=module src=/assets/index-3f2a1b.js></script>")
    (tmp_path / "config.json").write_text('{"stage": "local"}')  # a local build's: never uploaded
    (tmp_path / "robots.txt").write_text("User-agent: *")
    return tmp_path


OUTPUTS = {"ServiceApiUrlA1": "https://abc.execute-api.cn-north-1.amazonaws.com.cn/api/",
           "ConsoleUrlB2": "https://d1.cloudfront.net/", "ConsoleBucketNameC3": "console-bucket",
           "ConsoleClientIdD4": "client123", "ConsoleDistributionIdE5": "E123",
           "ConsoleIssuerF6": "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_abc",
           "ConsoleLogoutUrlG7": "https://kc-dev-console.auth.cn-north-1.amazoncognito.com/logout"}


def test_make_deploy_uploads_the_build_with_its_cache_headers_and_the_stages_config(dist, aws):
    import boto3

    from infra.console_upload import IMMUTABLE, NOT_CACHED, output, publish

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="console-bucket")
    calls: list[str] = []
    original = s3.put_object

    def recording(**kwargs: Any) -> Any:
        calls.append(kwargs["Key"])
        return original(**kwargs)

    s3.put_object = recording  # type: ignore[method-assign]
    assert publish(s3, output(OUTPUTS, "BucketName"), "dev", OUTPUTS, dist) == 5
    # Assets first, then the rest, then config.json and index.html last.
    assert calls[:2] == ["assets/index-3f2a1b.js", "assets/index-9c8d7e.css"] and calls[-2:] == [
        "config.json", "index.html"]
    head = {key: s3.head_object(Bucket="console-bucket", Key=key) for key in calls}
    assert head["assets/index-3f2a1b.js"]["CacheControl"] == IMMUTABLE
    assert head["assets/index-3f2a1b.js"]["ContentType"].startswith("text/javascript")
    assert head["assets/index-9c8d7e.css"]["ContentType"].startswith("text/css")
    assert head["index.html"]["CacheControl"] == head["config.json"]["CacheControl"] == NOT_CACHED
    assert head["index.html"]["ContentType"].startswith("text/html")
    config = json.loads(s3.get_object(Bucket="console-bucket", Key="config.json")["Body"].read())
    assert config == {"stage": "dev", "apiUrl": "https://abc.execute-api.cn-north-1.amazonaws.com.cn/api",
                      "auth": {"mode": "oidc", "authority": OUTPUTS["ConsoleIssuerF6"],
                               "clientId": "client123", "scope": "openid",
                               "logoutUrl": OUTPUTS["ConsoleLogoutUrlG7"]}}


def test_make_deploy_refuses_a_missing_build(tmp_path):
    from infra.console_upload import ConsoleNotBuilt, uploads

    with pytest.raises(ConsoleNotBuilt, match="make web"):
        uploads(tmp_path)


def test_a_domain_of_its_own_with_an_iam_certificate_as_aws_cn_requires(tmp_path):
    """aws-cn: no default CloudFront domain may serve content and CloudFront has no ACM there, so the console
    gets an ICP-filed domain with a certificate from the IAM store; the sign-in, CORS and the API URL follow that
    origin. The stage uses an existing user pool (``userPoolArn``, ``appClientIds``): the JWT authorizer's issuer
    is that pool's and its audience those clients and the console's, so a token of any other client of the
    pool is refused before the function runs. And it is a stage in migration (``restApi=keep``): the REST API
    stays beside the HTTP API with its Cognito authorizer and its own regional web ACL, its gateway answers
    naming the console's origin, until a deploy without the context removes it (infra/README.md)."""
    import os
    import subprocess
    import sys

    from tests.infra.conftest import ROOT

    pool = "arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_Example1"
    context = {"consoleDomain": "console.example.gov.cn", "consoleIamCertificateId": "ASCACKCEVSQ6C2EXAMPLE",
               "userPoolArn": pool, "appClientIds": "clientA,clientB", "restApi": "keep"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAGE", "RESOURCE_PREFIX", "AUTH_MODE"))}
    done = subprocess.run([sys.executable, "-m", "infra.app", "--stage", "dev", "--outdir", str(tmp_path)],
                          cwd=ROOT, env={**env, "CDK_CONTEXT_JSON": json.dumps(context)}, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    resources = json.loads((tmp_path / "kc-dev.template.json").read_text("utf-8"))["Resources"]
    (dist,) = [r["Properties"]["DistributionConfig"] for r in resources.values()
               if r["Type"] == "AWS::CloudFront::Distribution"]
    assert dist["Aliases"] == ["console.example.gov.cn"]
    assert dist["ViewerCertificate"] == {"IamCertificateId": "ASCACKCEVSQ6C2EXAMPLE", "SslSupportMethod": "sni-only",
                                         "MinimumProtocolVersion": "TLSv1.2_2021"}
    assert resources["APIHandler"]["Properties"]["Environment"]["Variables"]["CONSOLE_ORIGIN"] == (
        "https://console.example.gov.cn")
    (client,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolClient"
                 and r["Properties"]["ClientName"].endswith("-console")]
    assert client["CallbackURLs"] == ["https://console.example.gov.cn/auth/callback"]
    assert client["LogoutURLs"] == ["https://console.example.gov.cn/"]
    (authorizer,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Authorizer"]
    (console_client,) = [k for k, r in resources.items() if r["Type"] == "AWS::Cognito::UserPoolClient"]
    assert authorizer["JwtConfiguration"]["Audience"] == ["clientA", "clientB", {"Ref": console_client}]
    assert "cn-north-1_Example1" in json.dumps(authorizer["JwtConfiguration"]["Issuer"])
    outputs = json.loads((tmp_path / "kc-dev.template.json").read_text("utf-8"))["Outputs"]
    (api_url,) = [v["Value"] for k, v in outputs.items() if k.startswith("ServiceApiUrl")]
    assert api_url == "https://console.example.gov.cn/api/"
    # The migration: both APIs, the REST one as before (authorizer on the protected routes, regional ACL).
    assert [k for k, r in resources.items() if r["Type"] == "AWS::Serverless::Api"] == ["RestAPI"]
    assert len([r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Api"]) == 1
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    assert body["paths"]["/cases"]["post"]["security"] == [{"IdentityProvider": []}]
    assert "security" not in body["paths"]["/health"]["get"]
    assert pool in json.dumps(body["securityDefinitions"])
    (acl,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::WAFv2::WebACL"]
    assert acl["Scope"] == "REGIONAL" and acl["Name"] == "kc-dev-api"
    (association,) = [r for r in resources.values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    assert "restapis" in json.dumps(association["Properties"]["ResourceArn"])
    unauthorized = body["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"]["responseParameters"]
    assert unauthorized["gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://console.example.gov.cn'"
    # The REST API cannot add CloudFront's header: its requests pass the origin check while it exists.
    assert resources["APIHandler"]["Properties"]["Environment"]["Variables"]["ORIGIN_CHECK_EXEMPTS_REST"] == "1"
