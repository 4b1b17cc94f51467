"""One ComponentResource per concern, each with its typed Args beside it."""
