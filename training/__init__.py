r"""Training claim-risk: labels in, the plain-data model and its reports out (\`make train\`)."""
