"""Unknown outputs back to intrinsics: a placeholder id in an input becomes ``Ref``/``GetAtt``.

Under the plan's mocks every output is a deterministic placeholder (``infra/plan/mocks.py``:
``gm-network-vpc-id``, ``arn:aws:iam::123456789012:role/...``). An input that holds one of
the outputs of a resource it depends on is, on real AWS, that resource's output; the export
writes it as the intrinsic that yields the output in CloudFormation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.export.cloudformation_types import CFN_TYPES, REF, SUB
from infra.plan.mocks import fake_outputs
from infra.plan.model import PlannedResource

# Free-form values never hold references (and a tag may repeat a name by design).
NOT_REFERENCES = {"tags", "tagSpecifications", "description", "comment", "alarmDescription"}


def intrinsic(logical_id: str, attribute: str) -> dict[str, Any]:
    """``Ref``, ``Fn::GetAtt`` or, for outputs with no attribute, ``Fn::Sub`` (``SUB``)."""
    if attribute == REF:
        return {"Ref": logical_id}
    if attribute.startswith(SUB):
        return {"Fn::Sub": attribute.removeprefix(SUB).replace("${Self}", f"${{{logical_id}}}")}
    return {"Fn::GetAtt": [logical_id, attribute]}


@dataclass(frozen=True)
class OutputIndex:
    """Per exported resource URN: its placeholder output values -> the intrinsic yielding each."""

    by_urn: dict[str, dict[str, dict[str, Any]]]

    @classmethod
    def build(
        cls, resources: list[PlannedResource], logical_ids: dict[str, str], region: str
    ) -> OutputIndex:
        by_urn: dict[str, dict[str, dict[str, Any]]] = {}
        for resource in resources:
            spec = CFN_TYPES.get(resource.type)
            if spec is None or resource.urn not in logical_ids:
                continue
            outputs = fake_outputs(region, resource.type, resource.name, resource.inputs)
            values: dict[str, dict[str, Any]] = {}
            for key, attribute in spec.outputs.items():
                value = outputs.get(key)
                if isinstance(value, str) and value:
                    values.setdefault(value, intrinsic(logical_ids[resource.urn], attribute))
            by_urn[resource.urn] = values
        return cls(by_urn)

    def known_for(self, resource: PlannedResource) -> dict[str, dict[str, Any]]:
        """Placeholder value -> intrinsic, over the resources this one depends on."""
        known: dict[str, dict[str, Any]] = {}
        for dependency in sorted(resource.dependencies):
            for value, expression in self.by_urn.get(dependency, {}).items():
                known.setdefault(value, expression)
        return known

    def resolve(self, resource: PlannedResource) -> dict[str, Any]:
        """The resource's inputs with every dependency's placeholder output as an intrinsic."""
        known = self.known_for(resource)
        return {
            key: value if key in NOT_REFERENCES else substitute(value, known)
            for key, value in resource.inputs.items()
        }


def substitute(value: Any, known: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, str):
        return known.get(value, value)
    if isinstance(value, dict):
        return {k: substitute(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, known) for v in value]
    return value
