"""Checker tests for lesson 12's exercises: right answers pass, wrong ones say what is wrong."""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

from course_utils.cluster import make_tf_config
from course_utils.exercises import ex12
from course_utils.exercises.core import ____
from tests.conftest import check, message, status

# q1: global and per-replica batches

BATCHES = {"per_replica": 32, "global_batch": 128, "steps_per_epoch": 195, "gradient_factor": 8}


def test_q1_steps_are_what_tf_data_counts():
    import tensorflow as tf

    steps = tf.data.Dataset.range(50_000).batch(256, drop_remainder=True).cardinality()
    assert int(steps) == BATCHES["steps_per_epoch"]


def test_q1_gradient_factor_is_what_the_two_divisions_give():
    """8 replicas of 32 photos: the sum of the replicas' means over the mean of all 256 losses."""
    import tensorflow as tf

    losses = np.random.default_rng(0).uniform(0, 3, 256).astype("float32")
    shares = np.split(losses, 8)
    wrong = sum(float(tf.reduce_mean(share)) for share in shares)
    right = sum(float(tf.nn.compute_average_loss(share, global_batch_size=256)) for share in shares)
    assert right == pytest.approx(losses.mean(), rel=1e-5)
    assert wrong / right == pytest.approx(BATCHES["gradient_factor"], rel=1e-5)


def test_q1_right():
    assert status(ex12.q1, **BATCHES) == "correct"
    assert status(ex12.q1, per_replica=256 / 8, global_batch=np.int64(128), steps_per_epoch=50_000 // 256,
                  gradient_factor=256 / 32) == "correct"


@pytest.mark.parametrize("name, answer, clue", [
    ("per_replica", 2048, "you multiplied"),
    ("per_replica", 256, "256 is the global batch"),
    ("per_replica", 8, "8 is the number of cores"),
    ("per_replica", 128, "what TPUs like"),
    ("per_replica", 30, "30 is not 256 photos split over 8 cores"),
    ("global_batch", 32, "you divided"),
    ("global_batch", 64, "64 is each GPU's share"),
    ("global_batch", 100, "100 is not the global batch"),
    ("steps_per_epoch", 196, "drops the last, partial batch"),
    ("steps_per_epoch", 50_000 / 256, "a number of steps is whole"),
    ("steps_per_epoch", 1562, "divided by the per-replica batch"),
    ("steps_per_epoch", 1563, "divided by the per-replica batch"),
    ("steps_per_epoch", 24, "divided by the 8 cores too"),
    ("steps_per_epoch", 200, "200 is not the number of steps"),
    ("gradient_factor", 1 / 8, "upside down"),
    ("gradient_factor", 1, "SUMS the 8 replicas' gradients"),
    ("gradient_factor", 32, "32 is the per-replica batch"),
    ("gradient_factor", 256, "256 is the global batch"),
    ("gradient_factor", 2, "2 is not the factor"),
    ("per_replica", "thirty-two", "numeric"),
    ("global_batch", [64, 64], "shape ()"),
])
def test_q1_wrong(name, answer, clue):
    result = ex12.q1.evaluate({**BATCHES, name: answer})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q1_placeholder():
    assert status(ex12.q1, **{name: ____ for name in BATCHES}) == "not attempted"
    assert status(ex12.q1, **{**BATCHES, "steps_per_epoch": 50_000 // ____}) == "not attempted"


# q2: a cluster's TF_CONFIG

def config(workers=ex12.MACHINES, kind="worker", index=2):
    return {"cluster": {"worker": list(workers)}, "task": {"type": kind, "index": index}}


def test_q2_answer_is_make_tf_config():
    assert config() == make_tf_config(list(ex12.MACHINES), 2) == ex12._TF_CONFIG


def test_q2_tensorflow_reads_the_answer(monkeypatch):
    """TensorFlow's own reader of TF_CONFIG finds node-c as worker 2, and node-a as worker 0."""
    import tensorflow as tf

    monkeypatch.setenv("TF_CONFIG", json.dumps(config()))
    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    assert (resolver.task_type, resolver.task_id) == ("worker", 2)
    assert resolver.cluster_spec().task_address("worker", 0) == ex12.MACHINES[0]
    assert resolver.cluster_spec().task_address("worker", 2) == "node-c:2222"


def test_q2_right():
    assert status(ex12.q2, tf_config=config(), chief="node-a:2222") == "correct"
    assert status(ex12.q2, tf_config=make_tf_config(list(ex12.MACHINES), 2), chief=ex12.MACHINES[0]) == "correct"
    assert status(ex12.q2, tf_config=config(index=np.int64(2)), chief="node-a:2222") == "correct"
    tuple_workers = {"cluster": {"worker": ex12.MACHINES}, "task": {"type": "worker", "index": 2}}
    assert status(ex12.q2, tf_config=tuple_workers, chief="node-a:2222") == "correct"


@pytest.mark.parametrize("tf_config, clue", [
    (json.dumps(config()), "JSON string"),
    ([ex12.MACHINES, 2], "should be a dict"),
    ({"cluster": config()["cluster"]}, 'two entries, "cluster" and "task"; yours has \'cluster\''),
    ({**config(), "environment": "cloud"}, "two entries"),
    ({"cluster": ex12.MACHINES, "task": config()["task"]}, '{"worker": [...]}'),
    ({"cluster": {"chief": ["node-a:2222"], "worker": ["node-b:2222", "node-c:2222"]}, "task": config()["task"]},
     "TensorFlow's other layout"),
    ({"cluster": {"workers": list(ex12.MACHINES)}, "task": config()["task"]}, 'one entry, "worker"'),
    ({"cluster": {"worker": "node-a:2222,node-b:2222,node-c:2222"}, "task": config()["task"]}, "a list of addresses"),
    (config(workers=["node-a", "node-b", "node-c"]), "needs its port"),
    (config(workers=["node-c:2222"], index=0), "ALL the machines"),
    (config(workers=["node-c:2222", "node-a:2222", "node-b:2222"], index=0), "MACHINES' order"),
    (config(workers=ex12.MACHINES[::-1], index=0), "MACHINES' order"),
    (config(workers=["node-a:2222", "node-b:2222", "node-c:2223"]), "as they are written"),
    ({"cluster": config()["cluster"], "task": {"type": "worker"}}, '{"type": ..., "index": ...}'),
    ({"cluster": config()["cluster"], "task": ("worker", 2)}, '{"type": ..., "index": ...}'),
    (config(kind="chief"), "node-c is not the chief"),
    (config(kind="ps"), "got 'ps'"),
    (config(index="node-c:2222"), "not its address"),
    (config(index=3), "indices count from 0"),
    (config(index=0), "index 0 is node-a, the chief"),
    (config(index=1), "index 1 is node-b"),
    (config(index=5), "5 is not node-c's position"),
    (config(index=None), "None is not node-c's position"),
    (config(index=np.array([2, 2])), "shape ()"),
])
def test_q2_wrong_tf_config(tf_config, clue):
    result = ex12.q2.evaluate({"tf_config": tf_config, "chief": "node-a:2222"})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("chief, clue", [
    ("node-c:2222", "whichever machine you are configuring"),
    ("node-a", "with its port"),
    ("node-b:2222", "'node-b:2222' is not the chief"),
    (0, "should be a string"),
])
def test_q2_wrong_chief(chief, clue):
    result = ex12.q2.evaluate({"tf_config": config(), "chief": chief})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q2_placeholder():
    skeleton = {"cluster": {"worker": ____}, "task": {"type": ____, "index": ____}}
    assert status(ex12.q2, tf_config=skeleton, chief=____) == "not attempted"
    assert status(ex12.q2, tf_config=config(index=____), chief="node-a:2222") == "not attempted"
    assert status(ex12.q2, tf_config=config(), chief=____) == "not attempted"


# q3: which step removes which stall

FIXES = {1: "cache", 2: "parallel map", 3: "prefetch", 4: "nothing"}


def test_q3_every_wrong_step_has_its_reason():
    for n, step in FIXES.items():
        assert {m.like for m in ex12._FIXES[n].mistakes} == set(ex12.STEPS) - {step}
    assert set(ex12.SITUATIONS) == set(ex12._FIXES) and set(ex12.PIPELINES) == set(ex12._ABOUT_PIPELINES)


def test_q3_cache_after_random_flip_repeats_the_flips():
    """Pipeline A flips anew every epoch; B, cached after the flip, repeats the first epoch's flips."""
    import tensorflow as tf

    coin = tf.random.Generator.from_seed(0)  # its state carries over from one epoch's iterator to the next
    photos = tf.data.Dataset.range(1, 41)
    flip = lambda x: tf.where(coin.uniform([]) < 0.5, -x, x)  # a sign flip stands for a mirrored photo
    epochs = {name: [list(pipeline.as_numpy_iterator()) for _ in range(2)]
              for name, pipeline in (("A", photos.cache().map(flip)), ("B", photos.map(flip).cache()))}
    assert epochs["A"][0] != epochs["A"][1] and epochs["B"][0] == epochs["B"][1]


def test_q3_right():
    assert status(ex12.q3, fixes=FIXES, pipeline="A") == "correct"
    assert status(ex12.q3, fixes={str(n): step.upper() + " " for n, step in FIXES.items()}, pipeline={"a"}) == \
        "correct"


@pytest.mark.parametrize("n, step, clue", [
    (1, "parallel map", "still decodes every photo again"),
    (1, "prefetch", "repeats the same decoding every epoch"),
    (1, "nothing", "the input IS the bottleneck"),
    (2, "cache", "far too many to keep decoded"),
    (2, "prefetch", "the GPU would still wait"),
    (2, "nothing", "gets 300"),
    (3, "cache", "the two take turns"),
    (3, "parallel map", "still take turns"),
    (3, "nothing", "idle part of every step"),
    (4, "cache", "already arrays in memory"),
    (4, "parallel map", "no per-photo work"),
    (4, "prefetch", "only on a free core"),
])
def test_q3_wrong_step(n, step, clue):
    result = ex12.q3.evaluate({"fixes": {**FIXES, n: step}, "pipeline": "A"})
    assert result.status == "incorrect" and result.message.startswith(f"fixes[{n}]: ") and clue in result.message, \
        result.message


@pytest.mark.parametrize("fixes, clue", [
    (["cache", "parallel map", "prefetch", "nothing"], "should be a dict"),
    ({**FIXES, 5: "cache"}, "an entry '5'"),
    ({1: "cache", 2: "parallel map", 3: "prefetch"}, "no entry for situation 4"),
    ({**FIXES, 2: "interleave"}, "fixes[2] is 'interleave': give one of STEPS"),
    ({**FIXES, 4: None}, "fixes[4] is None"),
    ({**FIXES, 1: {"cache"}}, "give one of STEPS"),
])
def test_q3_wrong_form(fixes, clue):
    result = ex12.q3.evaluate({"fixes": fixes, "pipeline": "A"})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("pipeline, clue", [
    ("B", "keeps the first epoch's flips"),
    ("C", "only what `files` holds, the file names"),
    ("D", "at the very end"),
    ({"A", "B"}, "keeps the first epoch's flips"),
    ("E", "not one of PIPELINES"),
    (1, "should be a set of letters"),
])
def test_q3_wrong_pipeline(pipeline, clue):
    result = ex12.q3.evaluate({"fixes": FIXES, "pipeline": pipeline})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q3_wrong_pipeline_reads_as_a_sentence():
    assert message(ex12.q3, fixes=FIXES, pipeline="B").startswith("B caches after random_flip:")


def test_q3_placeholder():
    assert status(ex12.q3, fixes={n: ____ for n in ex12.SITUATIONS}, pipeline=____) == "not attempted"
    assert status(ex12.q3, fixes=FIXES, pipeline=____) == "not attempted"


# q4: int8 quantisation by hand

SCALE, ZERO = 8 / 255, -64
LEVELS = [-64, -32, 16, -128, 127, 127]
RESTORED = [SCALE * (q - ZERO) for q in LEVELS]
RIGHT = {"scale": SCALE, "zero_point": ZERO, "quantised": LEVELS, "restored": RESTORED}


def test_q4_answers_are_tensorflows_quantisation():
    """TensorFlow's fake quantisation to 8 bits over [LOW, HIGH] restores VALUES to the same numbers; its levels,
    0 to 255, are the int8 levels plus 128."""
    import tensorflow as tf

    fake = tf.quantization.fake_quant_with_min_max_args(ex12.VALUES.astype("float32"), min=ex12.LOW, max=ex12.HIGH,
                                                        num_bits=8)
    np.testing.assert_allclose(fake.numpy(), RESTORED, atol=1e-5)
    np.testing.assert_allclose(ex12._RESTORED, RESTORED, atol=1e-12)
    assert (ex12._SCALE, ex12._ZERO, ex12._LEVELS.tolist()) == (pytest.approx(SCALE), ZERO, LEVELS)


def test_q4_catalogued_answers_are_all_different():
    for name in ("quantised", "restored"):
        likes = [np.asarray(m.like, "float64") for m in ex12._Q4[name].mistakes] + [np.asarray(RIGHT[name], "float64")]
        assert all(not np.allclose(a, b) for i, a in enumerate(likes) for b in likes[i + 1:]), name


def test_q4_right():
    assert status(ex12.q4, **RIGHT) == "correct"
    levels = np.clip(np.round(ex12.VALUES / SCALE) + ZERO, -128, 127).astype(np.int8)
    assert status(ex12.q4, scale=np.float32(SCALE), zero_point=np.float64(-64.0), quantised=levels,
                  restored=SCALE * (levels.astype(int) - ZERO)) == "correct"


@pytest.mark.parametrize("scale, clue", [
    (8 / 256, "255 steps between them"),
    (8 / 127, "255 steps from end to end"),
    (6 / 127, "symmetric quantisation"),
    (255 / 8, "upside down"),
    (4 / 255, "8 wide"),
    (0.0314, "keep all the decimals"),
    (0.05, "0.05 is not the scale"),
    ("8/255", "numeric"),
])
def test_q4_wrong_scale(scale, clue):
    result = ex12.q4.evaluate({**RIGHT, "scale": scale})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("zero_point, clue", [
    (-64.25, "round it"),
    (64, "uint8's zero point"),
    (-192, "mind the sign"),
    (0, "centred on 0"),
    (-128, "LOW's level"),
    (-63, "-63 is not the zero point"),
])
def test_q4_wrong_zero_point(zero_point, clue):
    result = ex12.q4.evaluate({**RIGHT, "zero_point": zero_point})
    assert result.status == "incorrect" and clue in result.message, result.message


UNCLIPPED = np.round(ex12.VALUES / SCALE) + ZERO


@pytest.mark.parametrize("quantised, clue", [
    (UNCLIPPED, "does not exist in int8"),
    (UNCLIPPED.astype(np.int8), "wraps 175 around to -81"),
    (np.clip(np.floor(ex12.VALUES / SCALE) + ZERO, -128, 127), "NEAREST level"),
    (np.clip(np.trunc(ex12.VALUES / SCALE) + ZERO, -128, 127), "NEAREST level"),  # int() truncates
    (np.clip(ex12.VALUES / SCALE + ZERO, -128, 127).astype(int), "NEAREST level"),
    (np.clip(ex12.VALUES / SCALE + ZERO, -128, 127), "levels are whole numbers"),
    (np.clip(np.round(ex12.VALUES / SCALE) - ZERO, -128, 127), "add the zero point"),
    (np.clip(np.round(ex12.VALUES / SCALE), -128, 127), "left out the zero point"),
    (np.clip(np.round(ex12.VALUES / SCALE) + 64, 0, 255), "uint8 levels"),
    (np.clip(np.round(ex12.VALUES * SCALE) + ZERO, -128, 127), "divide by the scale"),
    (RESTORED, "those are the restored values"),
    ([-64, -32, 16, -128, 127, 126], "are not the int8 levels of VALUES"),
    (LEVELS[:5], "shape (6,)"),
    ("levels", "numeric"),
])
def test_q4_wrong_quantised(quantised, clue):
    result = ex12.q4.evaluate({**RIGHT, "quantised": quantised})
    assert result.status == "incorrect" and clue in result.message, result.message


@pytest.mark.parametrize("restored, clue", [
    (ex12.VALUES, "those are VALUES themselves"),
    (SCALE * (UNCLIPPED - ZERO), "7.5 was outside the range"),
    (SCALE * np.array(LEVELS), "subtract the zero point first"),
    (SCALE * np.array(LEVELS) + ZERO, "subtract the zero point before multiplying"),
    (SCALE * (np.array(LEVELS) + ZERO), "don't add it"),
    ((np.array(LEVELS) - ZERO) / SCALE, "multiply by the scale"),
    (np.round(RESTORED, 2), "are not the restored values"),
    (RESTORED[:3], "shape (6,)"),
])
def test_q4_wrong_restored(restored, clue):
    result = ex12.q4.evaluate({**RIGHT, "restored": restored})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q4_placeholder():
    assert status(ex12.q4, scale=____, zero_point=____, quantised=____, restored=____) == "not attempted"
    assert status(ex12.q4, **{**RIGHT, "quantised": ex12.VALUES / ____ + ZERO}) == "not attempted"


# q5: fewer bits

SIZES = {"float32_mb": 1.184008, "int8_mb": 0.296002}
TYPES = {"overflows": "float16", "logits_dtype": "float32"}


def test_q5_parameters_are_the_improved_cnns():
    from course_utils.models import build_improved_cnn

    assert build_improved_cnn().count_params() == ex12.PARAMETERS


def test_q5_types_are_what_tensorflow_and_keras_say():
    import keras
    import tensorflow as tf

    overflowing = [name for name in ex12.DTYPES
                   if np.isinf(tf.cast(tf.cast(70_000.0, getattr(tf, name)), tf.float32).numpy())]
    assert overflowing == [TYPES["overflows"]]
    for policy in ("mixed_bfloat16", "mixed_float16"):
        assert keras.mixed_precision.Policy(policy).variable_dtype == "float32"
    logits = keras.layers.Activation("linear", dtype=TYPES["logits_dtype"])
    assert logits.compute_dtype == "float32"


def test_q5_right():
    import keras
    import tensorflow as tf

    assert status(ex12.q5, **SIZES, **TYPES) == "correct"
    assert status(ex12.q5, float32_mb=1.184, int8_mb=0.296, overflows=tf.float16,
                  logits_dtype=keras.mixed_precision.Policy("float32")) == "correct"
    assert status(ex12.q5, float32_mb=1.184, int8_mb=0.296, overflows=np.float16, logits_dtype=" Float32") == \
        "correct"


@pytest.mark.parametrize("name, answer, clue", [
    ("float32_mb", 296_002 * 4 / 2**20, "MiB"),
    ("float32_mb", 296_002 * 32 / 1e6, "counts bits"),
    ("float32_mb", 296_002 * 4, "in bytes"),
    ("float32_mb", 0.296002, "float32 takes 4 bytes per weight; you counted 1"),
    ("float32_mb", 1.18, "close: give three decimals"),
    ("float32_mb", 2.0, "2 MB is not the size of 296,002 weights in float32"),
    ("int8_mb", 1.184008, "int8 takes 1 byte per weight; you counted 4"),
    ("int8_mb", 296_002 * 8 / 1e6, "counts bits"),
    ("int8_mb", 296_002 / 2**20, "MiB"),
    ("int8_mb", 0.3, "close"),
    ("int8_mb", "0.3 MB", "numeric"),
    ("overflows", "bfloat16", "8 exponent bits"),
    ("overflows", "float32", "holds 70,000 exactly"),
    ("overflows", "int8", "'int8' is not one of DTYPES"),
    ("overflows", 16, "should be a string"),
    ("logits_dtype", "bfloat16", "loses the small differences"),
    ("logits_dtype", "float16", "less stable"),
    ("logits_dtype", "mixed_bfloat16", "that is a policy"),
    ("logits_dtype", "float64", "'float64' is not one of DTYPES"),
])
def test_q5_wrong(name, answer, clue):
    result = ex12.q5.evaluate({**SIZES, **TYPES, name: answer})
    assert result.status == "incorrect" and clue in result.message, result.message


def test_q5_wrong_types_as_tensorflow_names_them():
    import keras
    import tensorflow as tf

    assert "8 exponent bits" in message(ex12.q5, **SIZES, **{**TYPES, "overflows": tf.bfloat16})
    policy = keras.mixed_precision.Policy("mixed_float16")
    assert "that is a policy" in message(ex12.q5, **SIZES, **{**TYPES, "logits_dtype": policy})


def test_q5_placeholder():
    assert status(ex12.q5, float32_mb=____, int8_mb=____, overflows=____, logits_dtype=____) == "not attempted"
    assert status(ex12.q5, **SIZES, **{**TYPES, "overflows": ____}) == "not attempted"


def test_questions_exported():
    assert set(ex12.__all__) == {"q1", "q2", "q3", "q4", "q5", "____", "MACHINES", "SITUATIONS", "STEPS",
                                 "PIPELINES", "LOW", "HIGH", "VALUES", "PARAMETERS", "DTYPES"}
    for q in (ex12.q1, ex12.q2, ex12.q3, ex12.q4, ex12.q5):
        assert len(q.hints) == 3 and q.answer.strip() and q.praise
