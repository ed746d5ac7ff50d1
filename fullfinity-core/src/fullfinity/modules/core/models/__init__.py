"""Core's models. Every model file must be imported here (keep the list alphabetical)."""
