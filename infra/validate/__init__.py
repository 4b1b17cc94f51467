"""Outside judges of a plan: cfn-lint, checkov and our own AWS limits, with waivers."""
