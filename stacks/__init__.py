"""SnapStream's stacks, the per-environment Stage and the environment configuration."""
