"""Plan diffs: between phases, stacks, plan files or git refs; JSON, text and markdown."""
