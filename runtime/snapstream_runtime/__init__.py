"""SnapStream Lambda runtime: thin handlers, plain logic, small AWS adapters."""
