"""One deployable unit per environment: ``cdk deploy 'SnapStream-<env>/*'``."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from snapstream_constructs import write_acknowledgments_to_templates
from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack
from stacks.edge_stack import EdgeStack, needs_edge_stack
from stacks.operations_stack import OperationsStack
from stacks.pipeline_stack import PipelineStack
from stacks.web_stack import WebStack


class SnapStreamStage(cdk.Stage):
    """All stacks of one SnapStream environment."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id, env=config.cdk_environment)
        write_acknowledgments_to_templates(self)
        self.config = config
        self.data = DataStack(self, "Data", config=config)
        self.pipeline = PipelineStack(self, "Pipeline", config=config, data=self.data)
        self.edge = EdgeStack(self, "Edge", config=config) if needs_edge_stack(config) else None
        self.web = WebStack(
            self, "Web", config=config, data=self.data, pipeline=self.pipeline, edge=self.edge
        )
        self.operations = OperationsStack(
            self,
            "Operations",
            config=config,
            data=self.data,
            pipeline=self.pipeline,
            web=self.web,
        )
        cdk.Tags.of(self).add("project", "snapstream")
        cdk.Tags.of(self).add("environment", config.name)


def stage_name(config: EnvironmentConfig) -> str:
    return f"SnapStream-{config.name}"
