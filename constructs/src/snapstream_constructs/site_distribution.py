"""CloudFront in front of a web site on an internal load balancer: HTTPS without owning a domain."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from snapstream_constructs.compliance import Pack, acknowledge
from snapstream_constructs.delivery import (
    VIDEO_PATH,
    MediaPackageOrigin,
    cloudfront_log_bucket,
    https_distribution_options,
    signed_video_behavior,
    strict_transport_headers,
)

#: The site's static files: fingerprinted URLs (``?v=<content hash>``), cached for a year.
STATIC_PATH = "/static/*"
#: Query parameter that carries a static file's content hash (its cache key).
STATIC_VERSION_PARAMETER = "v"
ORIGIN_HTTP_PORT = 80


class SiteDistribution(Construct):
    """A CloudFront distribution that is the only way in to a site on an internal ALB.

    - Origin: ``load_balancer`` as a CloudFront VPC origin. The load balancer stays internal, in
      private subnets; CloudFront reaches it through network interfaces it places in the VPC, over
      HTTP on ``origin_http_port`` inside the VPC (an HTTPS origin would need a certificate for a
      domain, which CloudFront validates).
    - Viewers: HTTPS only (HTTP is redirected), HTTP/2 and 3, IPv6; the ``*.cloudfront.net`` name,
      or ``domain_name`` with its us-east-1 ACM ``certificate_arn`` (TLSv1.2_2021 or later).
    - ``web_acl_arn``: a CLOUDFRONT-scope WAF web ACL (it lives in us-east-1; see
      :class:`SiteWebAcl`). It stands in for a Regional one on the load balancer, which is
      acknowledged as such (NIST ALBWAFEnabled).
    - Caching: nothing the site answers is cached (managed ``CachingDisabled``; every viewer
      header, cookie and query string reaches the site), except ``/static/*``, cached by path and
      its ``v`` query parameter for up to a year (the site fingerprints static URLs).
    - ``video``: also serve ``/out/*`` from MediaPackage VOD with signed URLs from
      ``video_signers``, so a player on the site fetches its manifests from the site's own origin
      (no CORS).
    - Standard logs to their own SSE-S3 bucket (server access logs into ``access_logs``), and
      HSTS on every answer.

    Args:
        load_balancer: The site's internal application load balancer, created in this app (e.g.
            :attr:`WebHosting.load_balancer`); it becomes a CloudFront VPC origin.
        web_acl_arn: A CLOUDFRONT-scope WAF web ACL (a :class:`SiteWebAcl` made in us-east-1).
        access_logs: The bucket the distribution's log bucket sends its server access logs to.
        log_retention: How long the distribution's standard logs are kept.
        removal_policy: What happens to the log bucket when it leaves the stack.
        price_class: Which edge locations serve viewers; default ``PRICE_CLASS_100``.
        origin_http_port: The load balancer's HTTP listener port; default 80.
        domain_name: A custom domain for the site; goes with ``certificate_arn``.
        certificate_arn: An existing ACM certificate for ``domain_name``, in us-east-1 (another
            Region is refused).
        video: Also serve ``/out/*`` from this MediaPackage VOD origin
            (:meth:`MediaPackageOrigin.of`); goes with ``video_signers``.
        video_signers: The key group whose signatures ``/out/*`` requires.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        load_balancer: elbv2.IApplicationLoadBalancer,
        web_acl_arn: str,
        access_logs: s3.IBucket,
        log_retention: cdk.Duration,
        removal_policy: cdk.RemovalPolicy,
        price_class: cloudfront.PriceClass = cloudfront.PriceClass.PRICE_CLASS_100,
        origin_http_port: int = ORIGIN_HTTP_PORT,
        domain_name: str | None = None,
        certificate_arn: str | None = None,
        video: MediaPackageOrigin | None = None,
        video_signers: cloudfront.IKeyGroup | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if (domain_name is None) != (certificate_arn is None):
            raise ValueError("domain_name and certificate_arn go together")
        if (
            certificate_arn
            and not cdk.Token.is_unresolved(certificate_arn)
            and not certificate_arn.startswith("arn:aws:acm:us-east-1:")
        ):
            raise ValueError("CloudFront needs an ACM certificate in us-east-1")
        if (video is None) != (video_signers is None):
            raise ValueError("video and video_signers go together")
        cfn_balancer = load_balancer.node.default_child
        if not isinstance(cfn_balancer, elbv2.CfnLoadBalancer) or cfn_balancer.scheme != "internal":
            raise ValueError("the load balancer must be an internal one of this app (a VPC origin)")
        self.logs = cloudfront_log_bucket(
            self,
            "Logs",
            access_logs=access_logs,
            retention=log_retention,
            removal_policy=removal_policy,
        )
        headers = self._headers()
        site = origins.VpcOrigin.with_application_load_balancer(
            load_balancer,
            http_port=origin_http_port,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY,
            read_timeout=cdk.Duration.seconds(30),
        )
        behaviors = {STATIC_PATH: self._static_behavior(site, headers)}
        if video is not None and video_signers is not None:
            behaviors[VIDEO_PATH] = signed_video_behavior(
                self, video=video, signers=[video_signers], headers=headers
            )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="SnapStream site (HTTPS; the load balancer behind it is internal)",
            default_behavior=cloudfront.BehaviorOptions(
                origin=site,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_2022,
                response_headers_policy=headers,
                compress=True,
            ),
            additional_behaviors=behaviors,
            **https_distribution_options(
                self,
                logs=self.logs,
                price_class=price_class,
                domain_name=domain_name,
                certificate_arn=certificate_arn,
                web_acl_arn=web_acl_arn,
            ),
        )
        self.domain_name = domain_name or self.distribution.distribution_domain_name
        self.url = f"https://{self.domain_name}"
        self._acknowledge(custom_domain=bool(domain_name))
        acknowledge(
            load_balancer,
            pack=Pack.NIST_800_53_R5,
            rule="ALBWAFEnabled",
            reason="The load balancer is internal and answers only this CloudFront "
            "distribution's VPC origin; every request first passes the CLOUDFRONT-scope WAF web "
            "ACL attached to the distribution, where the viewer's IP is still known.",
        )

    def _headers(self) -> cloudfront.ResponseHeadersPolicy:
        """HSTS on every answer, even CloudFront's own errors; the site sets the rest itself
        (its CSP and a stricter referrer policy than CloudFront offers), which these match."""
        return cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment="The SnapStream site: HSTS, nosniff, no framing",
            security_headers_behavior=strict_transport_headers(),
        )

    def _static_behavior(
        self, site: cloudfront.IOrigin, headers: cloudfront.IResponseHeadersPolicy
    ) -> cloudfront.BehaviorOptions:
        cache = cloudfront.CachePolicy(
            self,
            "StaticCache",
            comment="Fingerprinted static files: path + version, no cookies, up to a year",
            query_string_behavior=cloudfront.CacheQueryStringBehavior.allow_list(
                STATIC_VERSION_PARAMETER
            ),
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
            default_ttl=cdk.Duration.days(1),
            max_ttl=cdk.Duration.days(365),
        )
        return cloudfront.BehaviorOptions(
            origin=site,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cache_policy=cache,
            response_headers_policy=headers,
            compress=True,
        )

    def _acknowledge(self, *, custom_domain: bool) -> None:
        acknowledge(
            self.distribution,
            pack=Pack.AWS_SOLUTIONS,
            rule="CFR1",
            reason="The site serves a newsroom's accounts wherever its journalists travel; "
            "every page but sign-in, registration and the health check needs an account, and "
            "the WAF web ACL blocks known-bad sources and rate-limits each IP. A country block "
            "is an operator's decision.",
        )
        if not custom_domain:
            acknowledge(
                self.distribution,
                pack=Pack.AWS_SOLUTIONS,
                rule="CFR4",
                reason="Without a configured site_domain the distribution serves the default "
                "*.cloudfront.net certificate, whose TLS policy CloudFront fixes; with a domain "
                "and certificate, viewers are held to TLSv1.2_2021.",
            )
