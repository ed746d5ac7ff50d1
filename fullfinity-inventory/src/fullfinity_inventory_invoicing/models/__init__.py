"""The glue module's models."""
