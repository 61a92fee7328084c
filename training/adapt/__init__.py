"""Adapting the model to a user's own pages: extract, suggest, label, measure."""
