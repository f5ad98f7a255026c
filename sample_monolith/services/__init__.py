"""Business logic, one module per concern (more or less)."""
