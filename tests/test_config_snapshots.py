"""Every config still has the fields its documented numbers were measured with (tests/helpers/config_snapshots)."""

import pytest

from tests.helpers import config_snapshots

UPDATE = "python -m tests.helpers.config_snapshots"


def test_every_config_has_a_snapshot_and_every_snapshot_a_config():
  stored, current = set(config_snapshots.load()), set(config_snapshots.config_names())
  assert stored == current, (f"configs without a snapshot: {sorted(current - stored)}; snapshots without a config: "
                             f"{sorted(stored - current)}; run {UPDATE}")


@pytest.mark.parametrize("name", config_snapshots.config_names())
def test_config_fields_are_those_its_numbers_were_measured_with(name):
  stored = config_snapshots.load().get(name)
  if stored is None:
    pytest.skip(f"{name} has no snapshot yet (the test above fails)")
  changes = config_snapshots.changed_fields(stored, config_snapshots.flat_fields(name))
  assert not changes, (f"configs/{name}.py changed since its snapshot: {'; '.join(changes)}. Re-measure the "
                       f"numbers its docstring and the README state (or say why they hold), then run {UPDATE}")


def test_changed_fields_names_added_removed_and_changed_fields():
  assert config_snapshots.changed_fields({"a": 1, "b": [2], "c": 3}, {"a": 1, "b": [4], "d": None}) == [
      "b: [2] -> [4]", "c: 3 -> '(absent)'", "d: '(absent)' -> None"]
