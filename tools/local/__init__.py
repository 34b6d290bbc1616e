"""SnapStream on one machine (``make dev``, ``python -m tools.local``): what each module stands in
for. The handlers and the site are the real code; only what exists on AWS alone is replaced.

- ``moto_server``: the AWS endpoint itself, a moto server on loopback, with boto3 pointed at it.
- ``aws``: CloudFormation's deployment: creates in moto the keys, queues, topics, tables, buses,
  buckets (with their S3 -> SQS notifications) and SES identities a synthesized template defines.
- ``lambdas``: the Lambda service around a handler: its context object, and the SQS event source
  mapping's poller (batches, partial batch failures, redelivery).
- ``eventbridge``: EventBridge: the template's rules, their event patterns and their schedules.
- ``pipeline``: the Pipeline stack's wiring: bus events and MediaConvert state changes routed to
  the real handlers with each function's synthesized environment; the deletion queue; the
  stuck-media schedule.
- ``transcoder``: MediaConvert: the submitted job rendered with ffmpeg to the same output keys,
  reported as a ``MediaConvert Job State Change`` (and ffprobe's facts about a file).
- ``mediapackage``: MediaPackage VOD: ``CreateAsset``/``DescribeAsset``/``DeleteAsset`` answered
  as AWS answers them; an asset is its HLS output, served by the site.
- ``analysis``: the analysis function's AWS services (Rekognition, Transcribe, Comprehend): not
  imitated; local technical facts only, labelled as computed locally.
- ``platform``: everything together (moto, resources, worker thread, Flask site), as
  ``make dev``, the browser tests and the end-to-end tests start it.
- ``__main__``: ``make dev``: synthesizes the app, runs the platform on http://127.0.0.1:8080.
"""
