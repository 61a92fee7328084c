"""Front ends over the scoring core: the `predict` CLI, the HTML page, DataFrames and Spark."""
