"""The scoring core: the plain-data model, its features, and the one scoring pipeline."""
