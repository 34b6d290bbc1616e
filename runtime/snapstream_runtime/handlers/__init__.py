"""Lambda entry points: thin adapters from an event to the logic modules."""
