"""The op-time profile of gen_jax.bench.profile: categories, records, and a real jax.profiler trace."""

import jax
import numpy as np
import pytest

from gen_jax.bench import profile


@pytest.mark.parametrize("name, category", [
    ("dot.2", "matmul"), ("ynn_fusion.13", "matmul"), ("convolution.4", "convolution"),
    ("all-reduce", "collective"), ("wrapped_all-gather.1", "collective"), ("multiply_add_fusion.6", "elementwise"),
    ("wrapped_is-finite.2", "other"), ("copy.3", "other"),
])
def test_op_category(name, category):
  assert profile.op_category(name) == category


def test_profile_records_shares_sum_to_one_and_rank_ops():
  prof = {"ops": {"dot.1": 3.0, "fusion.1": 1.0, "copy": 0.5, "all-reduce": 0.5},
          "categories": {"matmul": 3.0, "convolution": 0.0, "collective": 0.5, "elementwise": 1.0, "other": 0.5}}
  records = profile.profile_records("w", prof, top=2)
  categories = [r for r in records if r["profile"] == "category"]
  ops = [r for r in records if r["profile"] == "op"]
  assert sum(r["share"] for r in categories) == pytest.approx(1.0)
  assert [r["name"] for r in ops] == ["dot.1", "fusion.1"] and ops[0]["share"] == pytest.approx(0.6)


def test_profile_of_a_matmul_program_is_mostly_matmul(tmp_path):
  a = jax.random.normal(jax.random.key(0), (512, 512))
  f = jax.jit(lambda x: x @ x)
  jax.block_until_ready(f(a))
  result = profile.profile_ops(lambda: [jax.block_until_ready(f(a)) for _ in range(5)], steps=5,
                               log_dir=str(tmp_path))
  assert result["ops"], "no XLA op found in the trace"
  total = sum(result["categories"].values())
  assert result["categories"]["matmul"] / total > 0.5
  # 2 * 512^3 FLOPs per call: at most ~1 TFLOP/s on this CPU, so at least ~0.2 ms per step of op time.
  assert total > 0.2 and np.isfinite(total)
