"""Monthly cost estimates of a Plan from a versioned price table and a usage profile."""
