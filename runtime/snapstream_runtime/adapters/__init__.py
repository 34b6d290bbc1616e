"""Small adapters around AWS services; clients are created lazily, once per container."""
