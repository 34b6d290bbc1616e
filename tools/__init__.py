"""Repository tooling: reading the synthesized cloud assembly, gates and summaries."""
