// Placeholder until the pipeline lands (issue 4).
