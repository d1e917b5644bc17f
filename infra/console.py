"""The web console in the cloud: the built single-page app (web/dist) in a private S3 bucket behind CloudFront
(origin access control), the console's Cognito app client (authorization code + PKCE), and the API told to
accept that client and the distribution's origin (CORS) only.

The same distribution serves the API under ``/api/*`` (the HTTP API's stage of that name): never cached, every
method, every viewer header but ``Host`` (so the ``Authorization`` header too) and the query string forwarded,
and the origin secret header added (``X-Origin-Verify``, chalicelib/api/origin.py). The distribution's WAF web
ACL (CLOUDFRONT scope, made in us-east-1 by infra/edge.py) is the stack parameter ``EdgeWebAclArn``. The
console and the API share one origin, so the console's calls need no CORS.

Caching: ``/assets/*`` are content-hashed by Vite and cached for a year (``immutable``, set on upload by
infra/console_upload.py); ``index.html`` and ``config.json`` are never cached, so a deploy is live at once.
Any other path without a file extension is a route of the app: a CloudFront Function on the default behaviour
answers it with ``index.html`` (SPA fallback; distribution-wide error pages would also replace the API's own
403 and 404 answers).
Security headers on every answer: a CSP without inline scripts, HSTS, frame denial, nosniff.

``make deploy`` uploads the build and writes ``config.json`` (the API URL, the issuer and the client id) from
the stack's outputs (infra/console_upload.py): the stack itself needs no custom resource for it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import (
    Acknowledgment,
    Aws,
    CfnOutput,
    CfnParameter,
    Duration,
    RemovalPolicy,
    SecretValue,
    Stack,
    Validations,
)
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .config import StageConfig

if TYPE_CHECKING:
    from .service import ServiceConstruct

CALLBACK_PATH = "/auth/callback"  # web/src/lib/auth/OidcAuthProvider.tsx: redirect_uri
ASSETS_PATH = "/assets/*"  # Vite's content-hashed output
NOT_CACHED = ("/index.html", "/config.json")
ORIGIN_HEADER = "X-Origin-Verify"  # chalicelib/api/origin.py: HEADER
WEB_ACL_PARAMETER = "EdgeWebAclArn"
# Only a global (CLOUDFRONT-scope) web ACL can be attached to a distribution, in any partition.
WEB_ACL_PATTERN = r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:global/webacl/[A-Za-z0-9_-]+/[a-f0-9-]+$"
# The SPA fallback: a path without a file extension (an app route: /track, /me/cases) gets index.html. Only
# on the default behaviour: the API, the assets, index.html and config.json have behaviours of their own.
SPA_ROUTES = """function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.lastIndexOf('.') <= uri.lastIndexOf('/')) {
    request.uri = '/index.html';
  }
  return request;
}"""
# API Gateway's own refusals (before the app runs) must carry the origin too, or the console cannot read them.
GATEWAY_RESPONSES_WITH_CORS = ("UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED",
                               "WAF_FILTERED", "REQUEST_TOO_LARGE", "DEFAULT_4XX", "DEFAULT_5XX")


def content_security_policy(auth_origin: str) -> str:
    """No inline or foreign script; styles may be inline (Ant Design writes its CSS-in-JS into <style>
    elements); the browser talks to the API (this origin, /api/) and to Cognito."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        f"connect-src 'self' https://cognito-idp.{Aws.REGION}.{Aws.URL_SUFFIX} {auth_origin}",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action 'self' {auth_origin}",
        "frame-ancestors 'none'",
        "upgrade-insecure-requests",
    ])


class ConsoleConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig,
                 service: ServiceConstruct) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        production = config.production
        self.bucket = s3.Bucket(
            self, "Bucket", block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=production,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY,
        )
        self.auth_domain = service.user_pool.add_domain("ConsoleSignIn", cognito_domain=cognito.CognitoDomainOptions(
            # Unique per region across all accounts: `-c consoleAuthDomainPrefix=...` picks another.
            domain_prefix=self.node.try_get_context("consoleAuthDomainPrefix") or config.name("console")))
        auth_origin = self.auth_domain.base_url()
        headers = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders", response_headers_policy_name=config.name("console-headers"),
            comment="CSP without inline scripts, HSTS, frame denial, nosniff",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(auth_origin), override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True),
            ),
        )
        # Own cache policies rather than AWS-managed ones: the same template then works in every partition.
        no_cache = cloudfront.CachePolicy(
            self, "NoCache", cache_policy_name=config.name("console-no-cache"),
            comment="index.html, config.json and app routes: always from the bucket",
            default_ttl=Duration.seconds(0), min_ttl=Duration.seconds(0), max_ttl=Duration.seconds(0))
        immutable = cloudfront.CachePolicy(
            self, "Immutable", cache_policy_name=config.name("console-immutable"),
            comment="content-hashed assets: a year, as their Cache-Control says",
            default_ttl=Duration.days(365), min_ttl=Duration.days(1), max_ttl=Duration.days(365),
            enable_accept_encoding_gzip=True, enable_accept_encoding_brotli=True)
        origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)

        spa_routes = cloudfront.Function(
            self, "SpaRoutes", function_name=config.name("console-routes"), runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="app routes (no file extension) are answered with index.html",
            code=cloudfront.FunctionCode.from_inline(SPA_ROUTES))

        def behavior(cache: cloudfront.ICachePolicy, *, routes: bool = False) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=origin, cache_policy=cache, response_headers_policy=headers, compress=True,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                function_associations=[cloudfront.FunctionAssociation(
                    function=spa_routes, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)] if routes else None)

        # A domain of one's own (``-c consoleDomain=console.example.gov.cn``) with its certificate: from ACM
        # (``consoleCertificateArn``, in us-east-1) or, in aws-cn where CloudFront has no ACM and no default
        # domain may serve content, from the IAM certificate store (``consoleIamCertificateId``).
        domain = self.node.try_get_context("consoleDomain") or None
        acm_arn = self.node.try_get_context("consoleCertificateArn") or None
        iam_certificate = self.node.try_get_context("consoleIamCertificateId") or None
        if domain and not (acm_arn or iam_certificate):
            raise ValueError("consoleDomain needs consoleCertificateArn (ACM) or consoleIamCertificateId (aws-cn)")
        self.web_acl_arn = CfnParameter(
            Stack.of(self), WEB_ACL_PARAMETER, type="String", allowed_pattern=WEB_ACL_PATTERN,
            description="ARN of the stage's CloudFront web ACL (stack <prefix>-edge, infra/edge.py); "
                        "make deploy passes it",
            constraint_description="a global (CLOUDFRONT-scope) WAF web ACL: the distribution must not run without")
        api_path = f"/{config.api_stage_name}/*"
        self.distribution = cloudfront.Distribution(
            self, "Distribution", comment=f"{config.stack_name} web console and API",
            domain_names=[domain] if domain and acm_arn else None,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", acm_arn) if domain and acm_arn
            else None,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if domain else None,
            default_root_object="index.html", default_behavior=behavior(no_cache, routes=True),
            additional_behaviors={api_path: self._api_behavior(config, service, headers),
                                  ASSETS_PATH: behavior(immutable),
                                  **{path: behavior(no_cache) for path in NOT_CACHED}},
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
            web_acl_id=self.web_acl_arn.value_as_string,
        )
        if domain and iam_certificate and not acm_arn:
            cfn = self.distribution.node.default_child
            assert isinstance(cfn, cloudfront.CfnDistribution)
            cfn.add_property_override("DistributionConfig.Aliases", [domain])
            cfn.add_property_override("DistributionConfig.ViewerCertificate", {
                "IamCertificateId": iam_certificate, "SslSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021"})
        self.origin = f"https://{domain or self.distribution.distribution_domain_name}"
        self.client = service.user_pool.add_client(
            "ConsoleClient", user_pool_client_name=config.name("console"), generate_secret=False,
            auth_flows=cognito.AuthFlow(),  # the hosted sign-in only: no password ever reaches the console
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),  # with PKCE (oidc-client-ts)
                scopes=[cognito.OAuthScope.OPENID],
                callback_urls=[f"{self.origin}{CALLBACK_PATH}"], logout_urls=[f"{self.origin}/"]),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            read_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True)
            .with_custom_attributes("role", "office_id", "city"),
            write_attributes=cognito.ClientAttributes(),
            id_token_validity=Duration.hours(1), access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(12), enable_token_revocation=True,
        )
        service.accept_client(self.client.user_pool_client_id)
        self._api_allows_the_console(service)
        # In the service's scope (ServiceApiUrl…), where make deploy and config.json look for it.
        CfnOutput(service, "ApiUrl", value=f"{self.origin}/{config.api_stage_name}/",
                  description="base URL of the API (through CloudFront and its web ACL)")
        self.issuer = f"https://cognito-idp.{Aws.REGION}.{Aws.URL_SUFFIX}/{service.user_pool.user_pool_id}"
        for name, value, description in (
                ("Url", f"{self.origin}/", "the web console"),
                ("BucketName", self.bucket.bucket_name, "where make deploy uploads web/dist"),
                ("DistributionId", self.distribution.distribution_id, "the console's CloudFront distribution"),
                ("ClientId", self.client.user_pool_client_id, "config.json auth.clientId"),
                ("Issuer", self.issuer, "config.json auth.authority (OIDC issuer)"),
                ("LogoutUrl", f"{auth_origin}/logout", "config.json auth.logoutUrl")):
            CfnOutput(self, name, value=value, description=description)
        self._acknowledge()

    def _api_behavior(self, config: StageConfig, service: ServiceConstruct,
                      headers: cloudfront.IResponseHeadersPolicy) -> cloudfront.BehaviorOptions:
        """``/api/*`` to the HTTP API: nothing cached (answers are per caller and carry personal data), every
        method, the query string and every viewer header but Host forwarded (API Gateway answers 403 to a
        Host that is not its own; an origin request policy may not name Authorization, but forwarding all
        headers includes it), no cookies (bearer tokens only), and CloudFront's secret header added. The
        secret is resolved by CloudFormation at deploy time; ``-c originSecretVersion=<version id>`` pins a
        version, which changes the template and so makes a rotation reach the distribution."""
        no_cache = cloudfront.CachePolicy(
            self, "ApiNoCache", cache_policy_name=config.name("api-no-cache"),
            comment="the API: never cached", default_ttl=Duration.seconds(0), min_ttl=Duration.seconds(0),
            max_ttl=Duration.seconds(0))
        forwarded = cloudfront.OriginRequestPolicy(
            self, "ApiRequests", origin_request_policy_name=config.name("api-requests"),
            comment="the API: every viewer header but Host, the query string, no cookies",
            header_behavior=cloudfront.OriginRequestHeaderBehavior.deny_list("Host"),
            query_string_behavior=cloudfront.OriginRequestQueryStringBehavior.all(),
            cookie_behavior=cloudfront.OriginRequestCookieBehavior.none())
        version = self.node.try_get_context("originSecretVersion") or None
        secret = SecretValue.secrets_manager(service.origin_secret.secret_arn, version_id=version)
        origin = origins.HttpOrigin(
            service.http_api_domain, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            read_timeout=Duration.seconds(min(30, config.lambda_timeout_seconds)),
            custom_headers={ORIGIN_HEADER: secret.unsafe_unwrap()})
        return cloudfront.BehaviorOptions(
            origin=origin, cache_policy=no_cache, origin_request_policy=forwarded, response_headers_policy=headers,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL, compress=True)

    def _api_allows_the_console(self, service: ServiceConstruct) -> None:
        """CORS on the API for the distribution's origin only: the app reads CONSOLE_ORIGIN
        (chalicelib/api/cors.py). Through CloudFront the console calls its own origin and needs none; a REST
        API kept for a migration (its own origin) names the same origin on API Gateway's own error answers."""
        service.app.get_resource("APIHandler").add_override(
            "Properties.Environment.Variables.CONSOLE_ORIGIN", self.origin)
        if not service.app.keeps_rest:
            return
        api = service.app.get_resource("RestAPI")
        for kind in GATEWAY_RESPONSES_WITH_CORS:
            api.add_override(
                f"Properties.DefinitionBody.x-amazon-apigateway-gateway-responses.{kind}.responseParameters."
                "gatewayresponse\\.header\\.Access-Control-Allow-Origin", f"'{self.origin}'")
            api.add_override(
                f"Properties.DefinitionBody.x-amazon-apigateway-gateway-responses.{kind}.responseParameters."
                "gatewayresponse\\.header\\.Vary", "'Origin'")

    def _acknowledge(self) -> None:
        findings = {
            "AwsSolutions-S1": "The bucket holds only the public build of the console, uploaded by make deploy; "
                               "who changed it is in CloudTrail, and readers reach it only through CloudFront.",
            "AwsSolutions-CFR1": "The console serves residents wherever they are (Hong Kong, Macao, abroad); no "
                                 "country is excluded by law, so no geographic restriction applies.",
            "AwsSolutions-CFR3": "Access logging to a bucket needs ACLs that this stack disables; the API's "
                                 "requests are logged by its stage (access logs) and by the web ACL (WAF logs), "
                                 "and the static files carry no personal data.",
            "AwsSolutions-CFR4": "The default cloudfront.net certificate allows older TLS for viewers; a custom "
                                 "domain with its own certificate (infra/README.md) enforces TLS 1.2.",
        }
        Validations.of(self).acknowledge(*(Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason)
                                           for rule, reason in findings.items()))
        # The same findings as checkov names them (tests/infra/test_checkov.py), skipped in the template.
        bucket_skips = [("CKV_AWS_18", findings["AwsSolutions-S1"])]
        if not self.bucket.node.default_child.versioning_configuration:  # type: ignore[union-attr]
            bucket_skips.append(("CKV_AWS_21", "Only dev's bucket is unversioned: it holds a build that make "
                                               "deploy uploads again each time, and it is torn down with dev."))
        distribution_skips = [("CKV_AWS_86", findings["AwsSolutions-CFR3"]),
                              ("CKV_AWS_174", findings["AwsSolutions-CFR4"])]
        for resource, skips in ((self.bucket, bucket_skips), (self.distribution, distribution_skips)):
            resource.node.default_child.add_metadata(  # type: ignore[union-attr]
                "checkov", {"skip": [{"id": check, "comment": reason} for check, reason in skips]})
