"""The labelled sentences: loading, validating, authoring and describing them."""
