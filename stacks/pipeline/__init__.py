"""The Pipeline stack's capabilities, one module each (ingest, video, analysis, deletion, the
stuck-media sweeper), and the function and route helpers they share;
:mod:`stacks.pipeline_stack` wires them into the stack."""
