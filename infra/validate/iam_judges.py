"""parliament and cloudsplaining over every IAM policy document a plan declares.

Two outside judges that know IAM's action and resource catalogue (policy_sentry's database):
* **parliament** (Duo Labs) lints each identity and resource policy: unknown actions,
  resources that do not fit an action, condition keys of the wrong type, ``Resource: *``
  where a narrower resource exists.
* **cloudsplaining** (Salesforce) reads each identity policy for what an attacker would
  want: privilege escalation, data exfiltration, credentials exposure, infrastructure
  modification and permissions management without resource constraints.

Besides the plan's documents, both judge the CI preview job's guard policy
(``infra/render/ci_role.py``), which ships in the repository rather than in a stack.
Trust policies (a role's ``assumeRolePolicy``) have no ``Resource`` and neither tool reads
them; ``tests/infra/validate/test_iam_judges.py`` holds them to their conditions.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from infra.plan.model import Plan, PlannedResource
from infra.render.ci_role import guard_policy
from infra.validate.model import ERROR, INFO, WARNING, Finding

PARLIAMENT = "parliament"
CLOUDSPLAINING = "cloudsplaining"

# Where a plan carries policy documents: (type token, input name, identity policy or not).
IDENTITY = "identity"
RESOURCE = "resource"
DOCUMENT_INPUTS: dict[str, tuple[str, str]] = {
    "aws:iam/rolePolicy:RolePolicy": ("policy", IDENTITY),
    "aws:iam/policy:Policy": ("policy", IDENTITY),
    "aws:kms/key:Key": ("policy", RESOURCE),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy", RESOURCE),
    "aws:sns/topic:Topic": ("policy", RESOURCE),
    "aws:sns/topicPolicy:TopicPolicy": ("policy", RESOURCE),
    "aws:secretsmanager/secretPolicy:SecretPolicy": ("policy", RESOURCE),
    "aws:vpclattice/authPolicy:AuthPolicy": ("policy", RESOURCE),
}

# parliament's severities (its config.yaml): MEDIUM and above fail validation.
PARLIAMENT_SEVERITIES = {"CRITICAL": ERROR, "HIGH": ERROR, "MEDIUM": ERROR, "LOW": WARNING}

# cloudsplaining's risk categories (PolicyDocument properties), each with its severity here.
RISKS: tuple[tuple[str, str, str], ...] = (
    ("allows_privilege_escalation", "PrivilegeEscalation", ERROR),
    ("allows_data_exfiltration_actions", "DataExfiltration", ERROR),
    ("credentials_exposure", "CredentialsExposure", ERROR),
    ("permissions_management_without_constraints", "PermissionsManagement", ERROR),
    ("infrastructure_modification", "InfrastructureModification", WARNING),
)


@dataclass(frozen=True)
class Document:
    resource: PlannedResource
    kind: str  # IDENTITY or RESOURCE
    text: str


def documents(plan: Plan) -> Iterator[Document]:
    """Every policy document the plan knows (an unknown one, in a preview, is skipped)."""
    for resource in plan.resources:
        where = DOCUMENT_INPUTS.get(resource.type)
        if where is None:
            continue
        text = resource.inputs.get(where[0])
        if isinstance(text, str) and text.lstrip().startswith("{"):
            yield Document(resource, where[1], text)


CI_ROLE = PlannedResource(
    urn="",
    type="aws:iam/rolePolicy:RolePolicy",
    name="ci/pulumi-preview-guard",
    custom=True,
    parent=None,
    inputs={},
)


def judged_documents(plan: Plan) -> Iterator[Document]:
    """The plan's documents, then the CI preview role's guard policy."""
    yield from documents(plan)
    yield Document(CI_ROLE, IDENTITY, guard_policy())


def documents_fingerprint(plan: Plan) -> str:
    """What the IAM judges' findings depend on: each judged document with its resource's
    identity (the findings cache's key, with the judge's version)."""
    return json.dumps(
        [
            [d.resource.urn, d.resource.name, d.resource.type, d.kind, d.text]
            for d in judged_documents(plan)
        ]
    )


def _finding(tool: str, rule: str, document: Document, severity: str, message: str) -> Finding:
    r = document.resource
    return Finding(tool, rule, r.urn, r.name, r.type, severity, message)


def run_parliament(plan: Plan) -> list[Finding]:
    # imported here: parliament loads IAM's catalogue (about 0.5 s), through pkg_resources,
    # whose deprecation warning would otherwise reach every validate run's output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from parliament import analyze_policy_string, enhance_finding

    findings = []
    for document in judged_documents(plan):
        result = analyze_policy_string(document.text, ignore_private_auditors=True)
        for found in map(enhance_finding, result.findings):
            severity = PARLIAMENT_SEVERITIES.get(found.severity, INFO)
            detail = json.dumps(found.detail, default=str, sort_keys=True)
            findings.append(
                _finding(PARLIAMENT, found.issue, document, severity, f"{found.title}: {detail}")
            )
    return findings


def run_cloudsplaining(plan: Plan) -> list[Finding]:
    from cloudsplaining.scan.policy_document import PolicyDocument

    findings = []
    for document in judged_documents(plan):
        if document.kind != IDENTITY:
            continue  # cloudsplaining reads what a principal may do, not who may use a resource
        scanned = PolicyDocument(json.loads(document.text))
        for attribute, rule, severity in RISKS:
            hits = getattr(scanned, attribute)
            if hits:
                names = sorted(
                    {str(h.get("type", h)) if isinstance(h, dict) else str(h) for h in hits}
                )
                findings.append(
                    _finding(
                        CLOUDSPLAINING,
                        rule,
                        document,
                        severity,
                        f"{rule} without resource constraints: {', '.join(names)}",
                    )
                )
    return findings
