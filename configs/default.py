"""Shared defaults every experiment config starts from (`get_config()` of each file).

Groups: data, model, objective, optim, train, eval. Experiment files override
fields; family-specific fields live in the experiment file (or the family's
`configs/<family>_base.py`). Run any config with
`python scripts/train.py --config=configs/NAME.py --workdir=DIR [--config.x.y=v]`.
"""

import ml_collections


def get_config() -> ml_collections.ConfigDict:
  c = ml_collections.ConfigDict()
  c.seed = 0

  c.data = ml_collections.ConfigDict()
  c.data.name = "ring8"            # see gen_jax.data.dataset_names()
  c.data.batch_size = 256          # global batch, split over all devices
  c.data.num_examples = 100_000    # size of generated 2-D datasets
  c.data.fresh_samples = False     # 2-D: new samples each step instead of a fixed set
  c.data.points_path = ""          # data.name='points': a .npy file of [N, 2] points
  c.data.data_dir = ""             # tfds data_dir ('' = tfds default)
  c.data.split = "train"
  c.data.test_split = "test"
  c.data.split_b = ""              # 'tfds_unpaired:NAME': domain B's training split (data.split: domain A's)
  c.data.test_split_b = ""         # 'tfds_unpaired:NAME': domain B's held-out split
  c.data.attributes = ()           # celeb_a_attributes: the boolean attributes that label the domains
  c.data.image_size = 0            # 0 = native; digits: 8 -> 16/28/32
  c.data.scale = "-1_1"            # '-1_1' or '0_1'
  c.data.binarize = "none"         # 'none', 'static', 'dynamic'
  c.data.num_workers = 2           # streamed data (tfds, folder:, arrayrecord:): grain decoding processes, 0 = none
  c.data.worker_buffer = 2         # streamed data: batches each worker prepares ahead
  c.data.random_flip = False       # streamed data: flip each image horizontally with probability 1/2
  c.data.eval_examples = 10_000    # streamed data: examples of each split kept in memory for evaluation

  c.model = ml_collections.ConfigDict()
  c.model.name = "gan"
  c.model.module = ""              # importable module that registers model.name (your own model); '' = built-in

  c.objective = ml_collections.ConfigDict()

  c.optim = ml_collections.ConfigDict()
  c.optim.learning_rate = 1e-3
  c.optim.b1 = 0.9
  c.optim.b2 = 0.999
  c.optim.eps = 1e-8               # Adam epsilon
  c.optim.grad_clip = 0.0          # 0 = off
  c.optim.schedule = "constant"    # 'constant', 'cosine' (to final_lr_fraction * lr at the last step), 'iwae'
  c.optim.final_lr_fraction = 0.0  # cosine schedule's end point, as a fraction of the learning rate

  c.train = ml_collections.ConfigDict()
  c.train.num_steps = 1000
  c.train.log_every = 100
  c.train.checkpoint_every = 500
  c.train.eval_every = 500         # pictures under DIR/samples/
  c.train.keep_checkpoints = 3
  c.train.steps_per_jit = 1        # k steps per compiled call (lax.scan)
  c.train.ema_decay = 0.0          # 0 = no EMA of parameters
  c.train.num_devices = 0          # 0 = all devices of all processes
  c.train.num_seeds = 1            # N > 1: train seeds seed .. seed + N - 1 in one program (gen_jax/train/seeds.py)
  c.train.on_nonfinite = "stop"    # 'stop' or 'rollback'
  c.train.max_rollbacks = 3
  c.train.allow_config_change = False  # resume a workdir whose stored model/objective/data config differs
  c.train.compute_dtype = "float32"  # or 'bfloat16' (params stay float32)
  c.train.distributed = False      # call jax.distributed.initialize() first
  c.train.coordinator_address = ""  # multi-host by hand: 'HOST:PORT' of process 0 ('' = auto-detect)
  c.train.num_processes = 0        # 0 = auto-detect
  c.train.process_id = -1          # -1 = auto-detect
  c.train.heartbeat_timeout_s = 60  # a process silent this long is lost: all others exit with code 4
  c.train.initialization_timeout_s = 300  # all processes must connect within this time, else exit code 4
  c.train.progress = True

  c.eval = ml_collections.ConfigDict()
  c.eval.num_samples = 2500
  c.eval.seed = 1234
  c.eval.num_image_samples = 0     # images: generated samples for fd/kid/...; 0 = size of the held-out split
  c.eval.image_batch_size = 500    # images: examples per sampling / feature batch (bounds memory)
  c.eval.classifier_cache_dir = ""  # '' = ~/.cache/gen_jax/classifiers (the metric feature networks)
  c.eval.classifier_steps = 400    # training steps of a feature classifier not yet cached
  c.eval.inception_weights = ""    # FID Inception-v3 .npz (see gen_jax/eval/inception.py); '' = no 'fid'
  c.eval.progress = True           # progress bars while evaluating
  return c
