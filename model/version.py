"""The package version: one place, read by setuptools, the CLI, the loader and training."""

__version__ = "0.1.0"
