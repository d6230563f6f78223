"""Helpers shared by the tests: script runners, tiny configs, subprocess workers."""
