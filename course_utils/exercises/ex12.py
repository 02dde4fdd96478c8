"""Lesson 12 exercises: global and per-replica batches, a cluster's TF_CONFIG, which input-pipeline step removes
which stall, int8 quantisation by hand, and what fewer bits cost and save (file sizes and 16-bit types)."""
import numpy as np

from ..cluster import make_tf_config
from .core import Array, Choices, Incorrect, Mistake, Question, Value, ____

__all__ = ["DTYPES", "HIGH", "LOW", "MACHINES", "PARAMETERS", "PIPELINES", "SITUATIONS", "STEPS", "VALUES", "____",
           "q1", "q2", "q3", "q4", "q5"]

# q1: a TPU's 8 cores share a global batch of 256; 2 GPUs take 64 photos each; 50,000 photos per epoch
_CORES, _TPU_BATCH, _GPUS, _GPU_SHARE, _PHOTOS = 8, 256, 2, 64, 50_000
_PER_CORE = _TPU_BATCH // _CORES


def _near(value, tolerance=1):
    return lambda c: abs(float(c.got) - value) <= tolerance


_Q1 = {
    "per_replica": Value(_PER_CORE, mistakes=(
        Mistake(like=_TPU_BATCH * _CORES, say="you multiplied: the 8 cores SHARE the global batch of 256, so each "
                                              "gets 256 / 8 photos per step."),
        Mistake(like=_TPU_BATCH, say="256 is the global batch, what one step takes on all 8 cores together; "
                                     "`per_replica` is each core's share of it."),
        Mistake(like=_CORES, say="8 is the number of cores; `per_replica` is how many photos each of them gets per "
                                 "step."),
        Mistake(like=128, say="128 per core is what TPUs like (a global batch of 1,024 on 8 cores); here the global "
                              "batch is 256."),
    ), otherwise="{got:g} is not 256 photos split over 8 cores."),
    "global_batch": Value(_GPU_SHARE * _GPUS, mistakes=(
        Mistake(like=_GPU_SHARE / _GPUS, say="you divided: 64 is already each GPU's share, and the global batch is "
                                             "what the 2 GPUs take together in one step."),
        Mistake(like=_GPU_SHARE, say="64 is each GPU's share; the global batch counts the photos of both GPUs in one "
                                     "step."),
    ), otherwise="{got:g} is not the global batch of 2 GPUs that take 64 photos each."),
    "steps_per_epoch": Value(_PHOTOS // _TPU_BATCH, mistakes=(
        Mistake(like=_PHOTOS // _TPU_BATCH + 1, say="drop_remainder=True drops the last, partial batch of 80 "
                                                    "photos: round down, 50,000 // 256."),
        Mistake(like=_PHOTOS / _TPU_BATCH, say="a number of steps is whole: with drop_remainder=True the last 80 "
                                               "photos make no step. Round down: 50,000 // 256."),
        Mistake(when=_near(_PHOTOS / _PER_CORE),
                say="you divided by the per-replica batch, 32. Each step takes the whole global batch, 32 photos on "
                    "each of the 8 cores: 256 photos per step."),
        Mistake(when=_near(_PHOTOS / _TPU_BATCH / _CORES),
                say="you divided by the 8 cores too. One step runs on all 8 cores at once and takes the global batch, "
                    "so the steps per epoch do not depend on how many replicas share it."),
    ), otherwise="{got:g} is not the number of steps of 256 photos in 50,000 (drop_remainder=True)."),
    "gradient_factor": Value(_CORES, mistakes=(
        Mistake(like=1 / _CORES, say="upside down: the per-replica batch (32) is smaller than the global one (256), "
                                     "so dividing by it makes each replica's loss, and its gradient, larger."),
        Mistake(like=1, say="each replica's mean is right for its 32 photos, but the all-reduce then SUMS the 8 "
                            "replicas' gradients: 8 means added up, 8 times the gradient of the mean over all 256."),
        Mistake(like=_PER_CORE, say="32 is the per-replica batch; what matters is how many replicas' gradients the "
                                    "all-reduce adds up."),
        Mistake(like=_TPU_BATCH, say="256 is the global batch; what matters is how many replicas' gradients the "
                                     "all-reduce adds up, each 256 / 32 times too large."),
    ), otherwise="{got:g} is not the factor: compare the sum of 8 per-replica means with the mean over all 256 "
                 "photos."),
}


class Batches(Question):
    checks = _Q1
    hints = (
        ("Each step, the GLOBAL batch is split: every replica gets B / R photos. A step is one global batch, however "
         "many replicas share it."),
        ("per_replica = 256 / 8; the global batch of 2 GPUs is 2 x 64. An epoch of 50,000 photos has 50,000 // 256 "
         "full global batches. For the factor: the all-reduce adds the 8 replicas' gradients, each of the loss "
         "divided by 32 instead of by 256."),
        "per_replica 32, global_batch 128, steps_per_epoch 50,000 // 256; each replica's gradient is 256 / 32 times "
        "too large, and so is their sum.",
    )
    answer = """
        per_replica = 256 // 8          # the global batch, shared by the 8 cores
        global_batch = 2 * 64           # both GPUs' shares together
        steps_per_epoch = 50_000 // 256  # one step per global batch; drop_remainder drops the last 80 photos
        gradient_factor = 256 // 32     # each replica divides by 32 instead of 256, and the 8 are summed
    """
    praise = "B / R photos per replica, B per step, and the step count of one device with batch B: data parallelism " \
             "changes where the photos of a step are processed, not what a step is. Dividing by the per-replica " \
             "batch makes the gradient, and the reported loss, 8 times too large: with plain SGD every step is 8 " \
             "times too long; Adam, which divides by the gradients' own size, mostly hides it, until you compare " \
             "losses or change the optimiser. tf.nn.compute_average_loss(per_example, global_batch_size=256) " \
             "divides by the right number."


# q2: a three-machine cluster; the TF_CONFIG of the process on node-c
MACHINES = ("node-a:2222", "node-b:2222", "node-c:2222")
_HOST = MACHINES[2]
_TF_CONFIG = make_tf_config(list(MACHINES), MACHINES.index(_HOST))
_INDEX = Value(_TF_CONFIG["task"]["index"], mistakes=(
    Mistake(like=3, say="indices count from 0: node-a is worker 0, node-b worker 1, node-c worker 2."),
    Mistake(like=0, say="index 0 is node-a, the chief; give node-c's own position in the list."),
    Mistake(like=1, say="index 1 is node-b; give node-c's own position in the list."),
), otherwise="{value!r} is not node-c's position in the list of workers (counted from 0).")
_CHIEF = Value(MACHINES[0], mistakes=(
    Mistake(like=_HOST, say="the chief is worker 0, whichever machine you are configuring: node-c's TF_CONFIG names "
                            "node-a as worker 0, and so does every other machine's."),
    Mistake(like=MACHINES[0].split(":")[0], say="give the chief's address as the list writes it, with its port."),
), otherwise="{value!r} is not the chief: the chief is worker 0.")


def _cluster_problem(cluster):
    """What is wrong with the learner's ``tf_config["cluster"]``, or None."""
    if not isinstance(cluster, dict):
        return 'tf_config["cluster"] should be a dict, {"worker": [...]}.'
    if "chief" in cluster:
        return ('a separate "chief" list is TensorFlow\'s other layout. This course lists every machine under '
                '"worker", and worker 0 acts as the chief, as make_tf_config writes it.')
    if set(cluster) != {"worker"}:
        return 'tf_config["cluster"] should have one entry, "worker": the list of every machine\'s address.'
    workers = cluster["worker"]
    if not isinstance(workers, (list, tuple)):
        return 'tf_config["cluster"]["worker"] should be a list of addresses, "host:port".'
    workers = list(workers)
    if workers == [address.split(":")[0] for address in MACHINES]:
        return 'each address needs its port, "node-a:2222": the workers connect to each other on it.'
    if workers == [_HOST]:
        return ('the cluster lists ALL the machines, the same list on every one of them; only "task" says which '
                'one this process is.')
    if workers == list(MACHINES):
        return None
    if sorted(map(str, workers)) == sorted(MACHINES):
        return ("keep the list in MACHINES' order: every machine gets the same list, and a worker is known by its "
                "place in it. Reordered on one machine, two workers could claim the same index.")
    return 'tf_config["cluster"]["worker"] should be the three addresses of MACHINES, as they are written.'


class TfConfig(Question):
    variables = ("tf_config", "chief")
    hints = (
        ("TF_CONFIG has two parts: \"cluster\", the same on every machine ({\"worker\": [every address]}), and "
         "\"task\", this machine's own ({\"type\": \"worker\", \"index\": its position in that list})."),
        ("The lesson printed make_tf_config(workers, 1) for two workers on 127.0.0.1; node-c is the third address of "
         "MACHINES. Worker 0 is the chief."),
        ('tf_config = {"cluster": {"worker": list(MACHINES)}, "task": {"type": "worker", "index": ...}}; the chief '
         "is MACHINES[0]."),
    )
    answer = """
        tf_config = {"cluster": {"worker": list(MACHINES)}, "task": {"type": "worker", "index": 2}}
        chief = MACHINES[0]  # worker 0
    """
    praise = "the same \"cluster\" on all three machines, and on each its own \"task\": make_tf_config(MACHINES, 2) " \
             "writes the same dict, and json.dumps turns it into the string each process finds in its TF_CONFIG. " \
             "node-a, worker 0, also writes the checkpoints."

    def verify(self, tf_config, chief):
        if isinstance(tf_config, str):
            raise Incorrect("TF_CONFIG reaches a worker as a JSON string, but set `tf_config` to the dict itself; "
                            "json.dumps(tf_config) makes the string.")
        if not isinstance(tf_config, dict):
            raise Incorrect('`tf_config` should be a dict, {"cluster": ..., "task": ...}; got a '
                            f"{type(tf_config).__name__}.")
        if set(tf_config) != {"cluster", "task"}:
            raise Incorrect('`tf_config` should have two entries, "cluster" and "task"; yours has '
                            f"{', '.join(map(repr, tf_config)) or 'none'}.")
        problem = _cluster_problem(tf_config["cluster"])
        if problem:
            raise Incorrect(problem)
        task = tf_config["task"]
        if not isinstance(task, dict) or set(task) != {"type", "index"}:
            raise Incorrect('tf_config["task"] should be a dict with two entries, {"type": ..., "index": ...}.')
        if task["type"] == "chief":
            raise Incorrect('node-c is not the chief: worker 0, node-a, is. In this layout every task\'s type is '
                            '"worker".')
        if task["type"] != "worker":
            raise Incorrect(f'the task\'s type should be "worker", the name of the list node-c is in; got '
                            f"{task['type']!r}.")
        if isinstance(task["index"], str) and task["index"].strip() in MACHINES:
            raise Incorrect("the index is node-c's position in the list, counted from 0, not its address.")
        _INDEX(task["index"], 'tf_config["task"]["index"]')
        _CHIEF(chief, "chief")


# q3: which step of a tf.data pipeline removes which stall; where cache goes
STEPS = ("cache", "parallel map", "prefetch", "nothing")
SITUATIONS = {
    1: "A 30-epoch run on 20,000 small JPEGs: the GPU waits for the input in every epoch, as each epoch reads and "
       "decodes the same files again. Decoded, they fit in memory.",
    2: "A million 12-megapixel JPEGs, far too many to keep decoded: each is decoded and resized on one core while 15 "
       "other cores are idle. The input alone delivers 300 photos/s, the GPU could train on 2,000.",
    3: "The input alone delivers 3,000 photos/s and the GPU trains on 2,000, yet the GPU is idle part of every step: "
       "it waits while the processor prepares the next batch, and the processor has cores to spare.",
    4: "A 2-core laptop without a GPU trains on photos already in memory as a NumPy array (lessons 03-07): the input "
       "delivers 80,000 photos/s, the model trains on 2,000, and training keeps both cores busy.",
}


def _stall(step, mistakes):
    """The check of one situation: the right ``step`` and, for each wrong step, why not."""
    return Value(step, mistakes=tuple(Mistake(like=wrong, say="{name}: " + say) for wrong, say in mistakes.items()))


_FIXES = {
    1: _stall("cache", {
        "parallel map": "a parallel map decodes faster, but still decodes every photo again in every epoch; cache "
                        "decodes each once and serves the other 29 epochs from memory.",
        "prefetch": "prefetch overlaps the decoding with training, but the input is already too slow, and it still "
                    "repeats the same decoding every epoch; cache does it once.",
        "nothing": "the GPU waits for the input, so the input IS the bottleneck, and it repeats the same work every "
                   "epoch: that is what cache removes.",
    }),
    2: _stall("parallel map", {
        "cache": "a million large photos are far too many to keep decoded, and a cache would help only from the "
                 "second epoch on. The work per photo is heavy and 15 cores idle: decode on them.",
        "prefetch": "prefetch overlaps input with training, but this input is slower than training (300 photos/s "
                    "against 2,000): the GPU would still wait. Spread the heavy decoding over the idle cores.",
        "nothing": "the GPU could train on 2,000 photos/s and gets 300: the input is the bottleneck.",
    }),
    3: _stall("prefetch", {
        "cache": "the input is already faster than training; the stall is that the two take turns. prefetch lets a "
                 "free core prepare the next batch while the GPU trains on this one.",
        "parallel map": "the input is already faster than training: a parallel map would shorten each wait, but the "
                        "GPU and the processor would still take turns. prefetch makes them work at the same time.",
        "nothing": "the GPU is idle part of every step, waiting for its next batch: prefetch prepares it on a free "
                   "core while the GPU trains.",
    }),
    4: _stall("nothing", {
        "cache": "the photos are already arrays in memory: there is no decoding for a cache to save.",
        "parallel map": "there is no per-photo work to spread (the arrays are ready), and both cores already train.",
        "prefetch": "prefetch overlaps input with training only on a free core, and both train; the input, 40 times "
                    "faster than training, is not what limits it anyway.",
    }),
}
PIPELINES = {
    "A": "files.map(decode).cache().map(random_flip).batch(128).prefetch(AUTOTUNE)",
    "B": "files.map(decode).map(random_flip).cache().batch(128).prefetch(AUTOTUNE)",
    "C": "files.cache().map(decode).map(random_flip).batch(128).prefetch(AUTOTUNE)",
    "D": "files.map(decode).map(random_flip).batch(128).prefetch(AUTOTUNE).cache()",
}
_ABOUT_PIPELINES = {
    "A": "A caches the decoded photos before random_flip: every epoch reads them from memory and flips them anew.",
    "B": "B caches after random_flip: the cache keeps the first epoch's flips, and every later epoch repeats them. "
         "The augmentation stops augmenting.",
    "C": "C caches only what `files` holds, the file names: every epoch still reads and decodes each JPEG again.",
    "D": "D caches at the very end, after random_flip: every later epoch repeats the first one's flips, in the same "
         "batches.",
}

_PIPELINE = Choices({"A"}, _ABOUT_PIPELINES, items="letters", where="one of PIPELINES")


def _fixes(value):
    """The learner's ``fixes`` keyed by situation number (1, "1" or " 1 "), each a step of STEPS in lower case."""
    if not isinstance(value, dict):
        raise Incorrect(f"`fixes` should be a dict with one step per situation, {{1: \"cache\", ...}}; got a "
                        f"{type(value).__name__}.")
    given = {str(key).strip(): step for key, step in value.items()}
    unknown = sorted(set(given) - {str(n) for n in SITUATIONS})
    if unknown:
        raise Incorrect(f"`fixes` has an entry {unknown[0]!r}; the situations are numbered 1 to {len(SITUATIONS)}.")
    fixes = {}
    for n in SITUATIONS:
        if str(n) not in given:
            raise Incorrect(f"`fixes` has no entry for situation {n}; give one step for each.")
        step = given[str(n)]
        if not isinstance(step, str) or step.strip().lower() not in STEPS:
            raise Incorrect(f"fixes[{n}] is {step!r}: give one of STEPS, {', '.join(map(repr, STEPS))}.")
        fixes[n] = step.strip().lower()
    return fixes


class Stalls(Question):
    variables = ("fixes", "pipeline")
    hints = (
        ("First ask whether the input is the bottleneck at all: does the processor that trains wait for it? Then: "
         "cache removes work REPEATED every epoch, a parallel map spreads HEAVY per-photo work over idle cores, and "
         "prefetch overlaps input with training when a core is free."),
        ("Situation 3's input is fast enough; it just does not run at the same time as training. Situation 4 has "
         "nothing to decode and no free core. For the pipeline: what would a cache placed after random_flip store?"),
        "1 cache, 2 parallel map, 3 prefetch, 4 nothing; cache right after decoding, before random_flip.",
    )
    answer = """
        fixes = {1: "cache", 2: "parallel map", 3: "prefetch", 4: "nothing"}
        pipeline = "A"  # cache the decoded photos, flip after
    """
    praise = "each step removes one kind of stall: repeated work (cache), heavy work on idle cores (parallel map), " \
             "turn-taking (prefetch). Where the input is not the bottleneck, none of them makes training faster, " \
             "and on a busy 2-core laptop the last two can slow it down. Measure the input alone and the training " \
             "alone first."

    def verify(self, fixes, pipeline):
        for n, step in _fixes(fixes).items():
            _FIXES[n](step, f"fixes[{n}]")
        _PIPELINE(pipeline, "pipeline")


# q4: int8 quantisation of a tensor whose values range from LOW to HIGH
LOW, HIGH = -2.0, 6.0
VALUES = np.array([0.0, 1.0, 2.5, -2.0, 6.0, 7.5])
_INT8 = (-128, 127)
_SCALE = (HIGH - LOW) / 255
_ZERO = round(_INT8[0] - LOW / _SCALE)


def _quantise(values, scale=_SCALE, zero=_ZERO, rounding=np.round, levels=_INT8):
    """The int8 levels of ``values``; the arguments make the catalogued mistakes."""
    return np.clip(rounding(np.asarray(values) / scale) + zero, *levels)


_LEVELS = _quantise(VALUES)
_RESTORED = _SCALE * (_LEVELS - _ZERO)
_UNCLIPPED = _quantise(VALUES, levels=(-np.inf, np.inf))
_FRACTION = "np.floor and int() cut off the fraction; round to the NEAREST level: np.round."
_Q4 = {
    "scale": Value(_SCALE, mistakes=(
        Mistake(like=(HIGH - LOW) / 256, say="int8's 256 levels have 255 steps between them: scale = (HIGH - LOW) / "
                                             "255."),
        Mistake(like=(HIGH - LOW) / 127, say="int8 has 256 levels, -128 to 127: 255 steps from end to end, not 127."),
        Mistake(like=HIGH / 127, say="that is symmetric quantisation (largest |x| / 127, zero point 0), as TFLite "
                                     "uses for weights; this range, -2 to 6, is mapped end to end: (HIGH - LOW) / "
                                     "255."),
        Mistake(like=255 / (HIGH - LOW), say="upside down: the scale is the real value of one level, (HIGH - LOW) / "
                                             "255."),
        Mistake(like=(HIGH + LOW) / 255, say="the range is HIGH - LOW = 6 - (-2) = 8 wide."),
        Mistake(when=_near(_SCALE, 1e-3), say="close: keep all the decimals, (HIGH - LOW) / 255 unrounded."),
    ), otherwise="{got:g} is not the scale: the real width of the range over int8's 255 steps.", tolerance=1e-5),
    "zero_point": Value(_ZERO, mistakes=(
        Mistake(like=_INT8[0] - LOW / _SCALE, say="the zero point is a level, a whole number: round it."),
        Mistake(like=_ZERO - _INT8[0], say="that is uint8's zero point (levels 0 to 255); int8's levels start at "
                                           "-128: round(-128 - LOW / scale)."),
        Mistake(like=round(_INT8[0] + LOW / _SCALE), say="mind the sign: LOW / scale is negative, and real 0 lies "
                                                         "63.75 levels ABOVE LOW's level, -128."),
        Mistake(like=0, say="the zero point is 0 only for a range centred on 0 (symmetric quantisation); in -2 to 6, "
                            "real 0 lies a quarter of the way up, on level round(-128 - LOW / scale)."),
        Mistake(like=_INT8[0], say="-128 is LOW's level; the zero point is the level of real 0.0."),
    ), otherwise="{got:g} is not the zero point: the int8 level that stands for real 0.0."),
    "quantised": Array(_LEVELS, mistakes=(
        Mistake(like=_UNCLIPPED, say="7.5 is above HIGH: its level, 175, does not exist in int8. Clip to [-128, 127] "
                                     "(np.clip): a value outside the range saturates at the nearest end."),
        Mistake(like=(_UNCLIPPED + 128) % 256 - 128, say=".astype(np.int8) wraps 175 around to -81: clip to "
                                                         "[-128, 127] before converting."),
        Mistake(like=_quantise(VALUES, rounding=np.floor), say=_FRACTION),
        Mistake(like=_quantise(VALUES, rounding=np.trunc), say=_FRACTION),
        Mistake(like=np.clip(np.trunc(VALUES / _SCALE + _ZERO), *_INT8), say=_FRACTION),
        Mistake(like=np.clip(VALUES / _SCALE + _ZERO, *_INT8), say="levels are whole numbers: round x / scale to the "
                                                                   "nearest integer, then add the zero point."),
        Mistake(like=_quantise(VALUES, zero=-_ZERO), say="add the zero point, q = round(x / scale) + zero_point, so "
                                                         "that real 0 lands on level zero_point."),
        Mistake(like=_quantise(VALUES, zero=0), say="you left out the zero point: q = round(x / scale) + zero_point."),
        Mistake(like=_quantise(VALUES, zero=_ZERO - _INT8[0], levels=(0, 255)),
                say="those are uint8 levels, 0 to 255; int8's run from -128 to 127, 128 lower."),
        Mistake(like=_quantise(VALUES, scale=1 / _SCALE), say="divide by the scale, x / scale: the scale is the real "
                                                              "value of one level."),
        Mistake(like=_RESTORED, say="those are the restored values; `quantised` holds the int8 levels, whole numbers "
                                    "from -128 to 127."),
    ), otherwise=lambda c: f"{np.round(c.got, 3).tolist()} are not the int8 levels of VALUES: q = round(x / scale) + "
                           "zero_point, clipped to [-128, 127]."),
    "restored": Array(_RESTORED, mistakes=(
        Mistake(like=VALUES, say="those are VALUES themselves. A level stands for one real value, scale x (q - "
                                 "zero_point): restored values differ from the originals by up to half a level, and "
                                 "a clipped one by more."),
        Mistake(like=_SCALE * (_UNCLIPPED - _ZERO), say="7.5 was outside the range: its level is 127, which restores "
                                                        "to the top of the range, not to 7.5."),
        Mistake(like=_SCALE * _LEVELS, say="subtract the zero point first: real = scale x (q - zero_point)."),
        Mistake(like=_SCALE * _LEVELS + _ZERO, say="subtract the zero point before multiplying: real = scale x (q - "
                                                   "zero_point)."),
        Mistake(like=_SCALE * (_LEVELS + _ZERO), say="subtract the zero point, don't add it: real = scale x (q - "
                                                     "zero_point)."),
        Mistake(like=(_LEVELS - _ZERO) / _SCALE, say="multiply by the scale: real = scale x (q - zero_point)."),
    ), otherwise=lambda c: f"{np.round(c.got, 4).tolist()} are not the restored values: scale x (q - zero_point) for "
                           "each level of `quantised`.", tolerance=1e-4),
}


class QuantiseByHand(Question):
    checks = _Q4
    hints = (
        ("int8 has 256 levels, -128 to 127. The scale spreads the range LOW to HIGH over them: the real value of one "
         "level. The zero point is the level that stands for real 0. Then real = scale x (q - zero_point), and so "
         "q = round(x / scale) + zero_point."),
        ("scale = (HIGH - LOW) / 255. LOW must land on level -128: -128 = LOW / scale + zero_point, so zero_point = "
         "round(-128 - LOW / scale). A value outside LOW..HIGH has no level: clip it to the nearest end."),
        ("quantised = np.clip(np.round(VALUES / scale) + zero_point, -128, 127); restored = scale * (quantised - "
         "zero_point)."),
    )
    answer = """
        scale = (HIGH - LOW) / 255                     # the real value of one level
        zero_point = round(-128 - LOW / scale)         # the level of real 0.0
        quantised = np.clip(np.round(VALUES / scale) + zero_point, -128, 127)
        restored = scale * (quantised - zero_point)    # real = scale x (q - zero_point)
    """
    praise = f"scale {_SCALE:.6f} and zero point {_ZERO}: 0.0 comes back exactly, every value within the range " \
             f"within half a level ({_SCALE / 2:.4f}), and 7.5, beyond HIGH, as {_RESTORED[-1]:.4f}. That is why " \
             "calibration must see real inputs: too narrow a range clips them, too wide a range wastes levels on " \
             "values that never occur."


# q5: lesson 04's improved CNN at its default widths (lesson 12 trains it in mixed precision), and the 16-bit types
PARAMETERS = 296_002
DTYPES = ("float32", "bfloat16", "float16")


def _megabytes(bytes_per_weight, name):
    """The check of the weights' size in MB at ``bytes_per_weight``; ``name`` is the type."""
    size = PARAMETERS * bytes_per_weight
    return Value(size / 1e6, mistakes=(
        Mistake(like=size / 2**20, say="that is in MiB (2^20 bytes); give MB, 10^6 bytes, as file sizes are usually "
                                       "given."),
        Mistake(like=size * 8 / 1e6, say=f"that counts bits; a byte is 8 bits, and {name} takes "
                                          f"{bytes_per_weight} byte{'s' if bytes_per_weight > 1 else ''} per weight."),
        Mistake(like=size, say="that is in bytes; divide by 10^6 for MB."),
        Mistake(like=PARAMETERS * (5 - bytes_per_weight) / 1e6,
                say=f"{name} takes {bytes_per_weight} byte{'s' if bytes_per_weight > 1 else ''} per weight; you "
                    f"counted {5 - bytes_per_weight}."),
        Mistake(when=_near(size / 1e6, 0.01), say="close: give three decimals."),
    ), otherwise=f"{{got:g}} MB is not the size of {PARAMETERS:,} weights in {name}.", tolerance=0.0005)


_CHOOSE = Mistake(when=lambda c: c.got not in DTYPES, say=lambda c: f"{c.value!r} is not one of DTYPES: choose from "
                                                                    f"{', '.join(map(repr, DTYPES))}.")
_Q5 = {
    "float32_mb": _megabytes(4, "float32"),
    "int8_mb": _megabytes(1, "int8"),
    "overflows": Value("float16", mistakes=(
        Mistake(like="bfloat16", say="bfloat16 keeps float32's 8 exponent bits, and so its range (up to about "
                                     "3.4e38): 70,000 becomes 70,144, rounded but finite. float16's 5 exponent bits "
                                     "stop at 65,504."),
        Mistake(like="float32", say="float32 holds 70,000 exactly; one of the 16-bit types cannot hold it at all."),
        _CHOOSE,
    )),
    "logits_dtype": Value("float32", mistakes=(
        Mistake(when=lambda c: c.got.startswith("mixed_"), say="that is a policy, which sets every other layer; the "
                                                               "logits layer gets a dtype of its own."),
        Mistake(when=lambda c: c.got in ("bfloat16", "float16"),
                say="a softmax over 16-bit logits loses the small differences between classes, and the loss built on "
                    "it is less stable: under a mixed policy the last layer stays float32, e.g. "
                    "layers.Activation(\"linear\", dtype=\"float32\")."),
        _CHOOSE,
    )),
}


def _type_name(value):
    """A type's name: a string as given (trimmed, lower case), or that of a tf.DType, a NumPy type or a policy."""
    if isinstance(value, type) and issubclass(value, np.generic):
        value = np.dtype(value)
    name = getattr(value, "name", value)
    return name.strip().lower() if isinstance(name, str) else value


class FewerBits(Question):
    checks = _Q5
    hints = (
        ("A float32 takes 4 bytes, an int8 1 byte; 1 MB is 10^6 bytes. float16 has 5 exponent bits, bfloat16 8 "
         "(float32's). Under a mixed policy, one layer must not compute in 16 bits."),
        (f"float32_mb = {PARAMETERS:,} x 4 / 10^6. float16's largest finite value is 65,504. The lesson's model ends "
         "with layers.Activation(\"linear\", dtype=...)."),
        "float32_mb = PARAMETERS * 4 / 1e6, int8_mb = PARAMETERS / 1e6; overflows \"float16\"; logits_dtype "
        "\"float32\".",
    )
    answer = """
        float32_mb = PARAMETERS * 4 / 1e6  # 4 bytes per weight
        int8_mb = PARAMETERS * 1 / 1e6     # 1 byte per weight
        overflows = "float16"              # 5 exponent bits: at most 65,504
        logits_dtype = "float32"           # the last layer stays float32 under a mixed policy
    """
    praise = f"{PARAMETERS * 4 / 1e6:.3f} MB against {PARAMETERS / 1e6:.3f}: a quarter. The lesson's files are a " \
             "little larger than these estimates (the graph, the int32 biases, a scale and a zero point per " \
             "channel), and the int8 one is still about a quarter of the float32 one. Mixed precision computes in " \
             "16 bits but keeps the weights, and the logits, in float32; bfloat16 keeps float32's range, float16 " \
             "needs loss scaling."

    def verify(self, float32_mb, int8_mb, overflows, logits_dtype):
        super().verify(float32_mb=float32_mb, int8_mb=int8_mb, overflows=_type_name(overflows),
                       logits_dtype=_type_name(logits_dtype))


q1 = Batches("q1")
q2 = TfConfig("q2")
q3 = Stalls("q3")
q4 = QuantiseByHand("q4")
q5 = FewerBits("q5")
