"""Modules shipped inside fullfinity-core (found through the same entry points as any other)."""
