"""What SnapStream costs, read from the synthesized templates (``make cost`` -> docs/cost.md).

``prices`` is the dated price table, ``inventory`` groups a cloud assembly's templates by
environment, ``idle`` prices what runs with no traffic, ``uploads`` the marginal cost of uploads
by media mix, ``report`` renders docs/cost.md.
"""
