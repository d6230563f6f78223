"""Training engine: state, mesh-parallel steps, checkpoints, logging, the loop."""
