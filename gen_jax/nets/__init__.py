"""Flax (linen) networks: pure init/apply, no hidden state."""
