"""Fitting both tiers with scikit-learn and exporting them as the plain-data model."""
