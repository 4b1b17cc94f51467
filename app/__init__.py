"""The Green Matchers job-matching app (FastAPI) that the phase stacks deploy."""
