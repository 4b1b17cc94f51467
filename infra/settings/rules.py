"""Rules across sections: what a phase allows, and where certificates must live."""

from __future__ import annotations

from infra.errors import SettingsError
from infra.settings.models import PROJECT, StackConfig


def check_phase_rules(phase: int, config: StackConfig) -> None:
    """Rules that tie a setting to the phase it runs in."""
    db = config.database
    if db.shards > 1 and phase < 3:
        raise SettingsError(
            f"{PROJECT}:database.shards", db.shards, "sharding starts in phase 3; use 1 before"
        )
    if db.read_replicas > 0 and phase < 2:
        raise SettingsError(
            f"{PROJECT}:database.readReplicas",
            db.read_replicas,
            "read replicas start in phase 2; use 0 in phase 1",
        )
    if phase >= 2 and config.cache.nodes < 2:
        raise SettingsError(
            f"{PROJECT}:cache.nodes",
            config.cache.nodes,
            "2 or more from phase 2 (automatic failover needs a replica)",
        )
    if phase >= 2 and config.api.min_size < 2:
        raise SettingsError(
            f"{PROJECT}:api.minSize",
            config.api.min_size,
            "2 or more from phase 2 (horizontal scaling keeps two servers up)",
        )


def check_certificates(region: str, config: StackConfig) -> None:
    """Certificates must sit where AWS looks for them and name the domain they serve."""
    if config.certificate_arn is not None:
        if config.domain is None:
            raise SettingsError(
                f"{PROJECT}:certificateArn",
                config.certificate_arn,
                "only with green-matchers:domain (CloudFront reaches the ALB as origin.<domain>)",
            )
        if _arn_region(config.certificate_arn) != region:
            raise SettingsError(
                f"{PROJECT}:certificateArn",
                config.certificate_arn,
                f"an ACM certificate in the stack's region {region} (the ALB's)",
            )
    if config.cdn_certificate_arn is not None:
        if config.domain is None:
            raise SettingsError(
                f"{PROJECT}:cdnCertificateArn",
                config.cdn_certificate_arn,
                "only with green-matchers:domain (the name CloudFront serves)",
            )
        if _arn_region(config.cdn_certificate_arn) != "us-east-1":
            raise SettingsError(
                f"{PROJECT}:cdnCertificateArn",
                config.cdn_certificate_arn,
                "an ACM certificate in us-east-1 (CloudFront only reads certificates there)",
            )


def _arn_region(arn: str) -> str:
    return arn.split(":")[3]
