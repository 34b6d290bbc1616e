"""The stateless media pipeline of one environment: Lambda functions and their wiring, one
capability per module of :mod:`stacks.pipeline`.

Replaceable at any time: everything it reads or writes lives in the DataStack.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack
from stacks.lambda_assets import dependencies_layer, runtime_code
from stacks.media_objects import MediaObjects
from stacks.pipeline.analysis import Analysis
from stacks.pipeline.deletion import Deletion
from stacks.pipeline.ingest import Ingest
from stacks.pipeline.stuck_media import StuckMedia
from stacks.pipeline.video import Video


class PipelineStack(cdk.Stack):
    """Ingest, transcoding and packaging, analysis, deletion and the stuck-media sweeper."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"SnapStream {config.name}: media pipeline functions",
            **kwargs,
        )
        self.config = config
        self.data = data
        #: function construct id -> its Powertools service name (names its metrics).
        self.services: dict[str, str] = {}
        self.layer = dependencies_layer(self)
        self.code = runtime_code()
        self.objects = MediaObjects.imported_from(data)
        self.ingest = Ingest(self)
        self.video = Video(self)
        self.analysis = Analysis(self)
        self.deletion = Deletion(
            self,
            # Their job output can land after their media was deleted, so they send a sweep.
            sweepers=[
                self.video.transcode_state,
                self.analysis.transcription_state,
                self.video.package,
                self.analysis.analyser,
            ],
        )
        self.stuck_media = StuckMedia(self)
