"""Pick the ``tf.distribute`` strategy for this machine (introduced in lesson 04).

Training cells run inside ``choose_strategy().scope()``, so the same cell trains on a laptop CPU,
on a Colab GPU, or on all the GPUs of a bigger machine without changes.
"""
import os


def choose_strategy():
    """Return a TPU strategy if a TPU is attached, a MirroredStrategy for several GPUs, else the default.

    The default strategy is a no-op wrapper: one CPU or one GPU, and ``scope()`` changes nothing.
    """
    import tensorflow as tf

    if tf.config.list_logical_devices("TPU") or os.environ.get("TPU_NAME"):
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        strategy = tf.distribute.TPUStrategy(resolver)
    elif len(tf.config.list_logical_devices("GPU")) > 1:
        strategy = tf.distribute.MirroredStrategy()
    else:
        strategy = tf.distribute.get_strategy()
    devices = {"TPUStrategy": "TPU cores", "MirroredStrategy": "GPUs"}.get(type(strategy).__name__, "device")
    print(f"tf.distribute: {type(strategy).__name__}, {strategy.num_replicas_in_sync} {devices} in sync")
    return strategy
