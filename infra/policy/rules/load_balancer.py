"""ALB: drop invalid headers; with a certificate, redirect HTTP and use a modern TLS policy."""

from __future__ import annotations

from infra.plan.inputs import as_bool, as_int, lookup
from infra.plan.model import PlannedResource
from infra.policy.context import LISTENER, LOAD_BALANCER, PlanIndex
from infra.policy.model import Rule

# TLS 1.2 or newer only (ELB security policies; the 2016 default still allows TLS 1.0).
MODERN_TLS_PREFIXES = (
    "ELBSecurityPolicy-TLS13-",
    "ELBSecurityPolicy-TLS-1-2-",
    "ELBSecurityPolicy-FS-1-2-",
)


def alb_drops_invalid_headers(alb: PlannedResource, index: PlanIndex) -> str | None:
    if alb.inputs.get("loadBalancerType", "application") != "application":
        return None
    if as_bool(alb.inputs.get("dropInvalidHeaderFields")):
        return None
    return "dropInvalidHeaderFields is not true: malformed headers reach the app (smuggling)"


def _is_https_redirect(listener: PlannedResource) -> bool:
    for action in listener.inputs.get("defaultActions") or []:
        if isinstance(action, dict) and action.get("type") == "redirect":
            redirect = action.get("redirect") or {}
            return str(redirect.get("protocol", "")).upper() == "HTTPS"
    return False


def http_redirects_to_https(listener: PlannedResource, index: PlanIndex) -> str | None:
    if str(listener.inputs.get("protocol", "")).upper() != "HTTP":
        return None
    alb = index.load_balancer_of(listener)
    if alb is None or alb not in index.tls_load_balancers:
        return None  # no certificate on this load balancer: plain HTTP is all there is
    if _is_https_redirect(listener):
        return None
    port = as_int(listener.inputs.get("port"))
    return f"HTTP listener on port {port} does not redirect to HTTPS though a certificate is set"


def modern_tls_policy(listener: PlannedResource, index: PlanIndex) -> str | None:
    if str(listener.inputs.get("protocol", "")).upper() != "HTTPS":
        return None
    policy = str(lookup(listener.inputs, "sslPolicy") or "")
    if policy.startswith(MODERN_TLS_PREFIXES):
        return None
    shown = policy or "the default ELBSecurityPolicy-2016-08"
    return (
        f"sslPolicy is {shown}; use a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06"
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "GM-ALB-1",
        "ALB drops invalid header fields",
        (LOAD_BALANCER,),
        alb_drops_invalid_headers,
        checkov=("CKV_AWS_131",),
        cdk_nag=("NIST.800.53.R5-ALBHttpDropInvalidHeaderEnabled",),
    ),
    Rule(
        "GM-ALB-2",
        "ALB redirects HTTP to HTTPS when a certificate is set",
        (LISTENER,),
        http_redirects_to_https,
        checkov=("CKV_AWS_2",),
        cdk_nag=("NIST.800.53.R5-ALBHttpToHttpsRedirection",),
    ),
    Rule(
        "GM-ALB-3",
        "HTTPS listeners use a TLS 1.2+ security policy",
        (LISTENER,),
        modern_tls_policy,
        checkov=("CKV_AWS_103",),
        cdk_nag=("NIST.800.53.R5-ELBTlsHTTPSListenersOnly",),
    ),
)
