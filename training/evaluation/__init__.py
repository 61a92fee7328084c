"""Honest figures: out-of-fold metrics, the behavioural suite, and the rendered reports."""
