"""Resolve CloudFormation intrinsic functions to concrete values across one environment's stacks.

Physical names: a ``physical_name(stack, logical_id, resource_type, properties)`` callback given
by the caller names the resources it returns a name for (a local environment names what it
creates its own way, whatever the template says; ``properties`` are the resource's template
properties, unresolved); it returns None for the rest. Then a name the template sets explicitly
(``RoleName``, a bucket's ``BucketName``, a packaging group's ``Id`` ...) is used, resolved like
any other value, and every other resource gets ``snapstream-<env>-<logical id lowercased>`` (at
most 63 characters).
"""

from __future__ import annotations

import base64
import functools
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from tools.authority.attributes import ATTRIBUTES, NAME_PROPERTY, Named
from tools.authority.model import Unresolvable

PhysicalName = Callable[[str, str, str, Mapping[str, Any]], str | None]
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class _NoValue:
    """``AWS::NoValue``: the property (or list item) is left out."""


NO_VALUE = _NoValue()


def default_physical_name(env_name: str) -> Callable[[str, str, str], str]:
    def physical_name(stack: str, logical_id: str, resource_type: str) -> str:
        return f"snapstream-{env_name}-{logical_id.lower()}"[:63]

    return physical_name


class Resolver:
    """Deep resolution of a value of one stack's template (see module docstring for names)."""

    def __init__(
        self,
        templates: Mapping[str, Mapping[str, Any]],
        *,
        env_name: str,
        account: str,
        region: str,
        physical_name: PhysicalName | None,
    ) -> None:
        self.templates = templates
        self.env_name, self.account, self.region = env_name, account, region
        self._chosen_names = physical_name
        self._default_name = default_physical_name(env_name)
        self._stack_ids = {self.stack_name(stack): stack for stack in templates}

    def stack_name(self, stack: str) -> str:
        return f"SnapStream-{self.env_name}-{stack}"

    def resource(self, stack: str, logical_id: str) -> Mapping[str, Any]:
        try:
            found: Mapping[str, Any] = self.templates[stack]["Resources"][logical_id]
        except KeyError:
            raise Unresolvable(f"{stack} has no resource {logical_id}") from None
        return found

    def resolve(self, value: Any, stack: str) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item, stack) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref" or key.startswith("Fn::"):
                    return self._intrinsic(key, argument, stack)
            resolved = {k: self.resolve(v, stack) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        return value

    def _intrinsic(self, function: str, argument: Any, stack: str) -> Any:
        if function == "Ref":
            return self.ref(stack, argument)
        if function == "Fn::GetAtt":
            logical_id, attribute = (
                argument.split(".", 1) if isinstance(argument, str) else argument
            )
            return self.get_att(stack, logical_id, self.resolve(attribute, stack))
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(self._text(p) for p in self.resolve(parts, stack))
        if function == "Fn::Sub":
            return self._sub(argument, stack)
        if function == "Fn::Select":
            index, items = self.resolve(argument, stack)
            return items[int(index)]
        if function == "Fn::Split":
            separator, text = self.resolve(argument, stack)
            return str(text).split(separator)
        if function == "Fn::ImportValue":
            return self.export(self.resolve(argument, stack))
        if function == "Fn::GetStackOutput":
            return self._stack_output(self.resolve(argument, stack))
        if function == "Fn::Base64":
            return base64.b64encode(self._text(self.resolve(argument, stack)).encode()).decode()
        raise Unresolvable(f"{function} is not supported ({stack}: {argument!r})")

    def _text(self, value: Any) -> str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise Unresolvable(f"cannot join {value!r}")
        return str(value)

    def _sub(self, argument: Any, stack: str) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = self.resolve(variables, stack)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self._text(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._text(self.get_att(stack, logical_id, attribute))
            return self._text(self.ref(stack, name))

        return _SUB_VARIABLE.sub(replace, str(text))

    def ref(self, stack: str, name: str) -> Any:
        if name.startswith("AWS::"):
            return self._pseudo(stack, name)
        if name in self.templates[stack].get("Parameters", {}):
            raise Unresolvable(f"{stack}: Ref to parameter {name} (known only at deploy time)")
        return self._attribute(stack, name, "Ref")

    def get_att(self, stack: str, logical_id: str, attribute: str) -> Any:
        return self._attribute(stack, logical_id, attribute)

    @functools.cache  # noqa: B019 - one resolver per environment, kept as long as its templates
    def _attribute(self, stack: str, logical_id: str, attribute: str) -> Any:
        resource_type = self.resource(stack, logical_id)["Type"]
        attributes = ATTRIBUTES.get(resource_type)
        if attributes is None:
            raise Unresolvable(f"{stack}/{logical_id}: resource type {resource_type} not modeled")
        found = attributes(self.named(stack, logical_id))
        if attribute not in found:
            raise Unresolvable(f"{stack}/{logical_id} ({resource_type}): no {attribute} modeled")
        return found[attribute]()

    def named(self, stack: str, logical_id: str) -> Named:
        resource = self.resource(stack, logical_id)
        properties = resource.get("Properties", {})
        return Named(
            stack=stack,
            logical_id=logical_id,
            resource_type=resource["Type"],
            properties=properties,
            name=self.name(stack, logical_id),
            account=self.account,
            region=self.region,
            resolve=lambda value: self.resolve(value, stack),
        )

    def name(self, stack: str, logical_id: str) -> str:
        resource = self.resource(stack, logical_id)
        resource_type = resource["Type"]
        properties = resource.get("Properties", {})
        explicit = properties.get(NAME_PROPERTY.get(resource_type, ""))
        # a callback's name first (the tests' moto resources), then the template's own name
        chosen = self._chosen_names and self._chosen_names(
            stack, logical_id, resource_type, properties
        )
        if chosen:
            return chosen
        if explicit is not None:
            return str(self.resolve(explicit, stack))
        name = self._default_name(stack, logical_id, resource_type)
        if resource_type == "AWS::SQS::Queue" and properties.get("FifoQueue") in (True, "true"):
            name = f"{name[:75]}.fifo"
        return name

    def _pseudo(self, stack: str, name: str) -> Any:
        stack_name = self.stack_name(stack)
        values = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{self.account}:stack/{stack_name}/"
                f"{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.account}/{self.region}/{stack_name}')}"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if name not in values:
            raise Unresolvable(f"pseudo parameter {name} is not supported")
        return values[name]

    def output(self, stack: str, output: str) -> Any:
        outputs = self.templates[stack].get("Outputs", {})
        if output not in outputs:
            raise Unresolvable(f"{stack} has no output {output}")
        return self.resolve(outputs[output]["Value"], stack)

    def _stack_output(self, argument: Mapping[str, Any]) -> Any:
        stack_name = argument.get("StackName", "")
        if stack_name not in self._stack_ids:
            raise Unresolvable(f"Fn::GetStackOutput of unknown stack {stack_name}")
        if argument.get("Region", self.region) != self.region:
            raise Unresolvable(f"Fn::GetStackOutput from region {argument['Region']}")
        return self.output(self._stack_ids[stack_name], str(argument.get("OutputName")))

    @functools.cached_property
    def exports(self) -> dict[str, tuple[str, str]]:
        """Export name -> (stack, output name), over every stack of the environment."""
        found = {}
        for stack, template in self.templates.items():
            for output_name, output in template.get("Outputs", {}).items():
                if "Export" in output:
                    found[str(self.resolve(output["Export"]["Name"], stack))] = (stack, output_name)
        return found

    def export(self, name: str) -> Any:
        if name not in self.exports:
            raise Unresolvable(f"no stack of {self.env_name} exports {name}")
        return self.output(*self.exports[name])
