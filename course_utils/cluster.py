"""Train one model on several worker processes with ``MultiWorkerMirroredStrategy`` (lesson 12).

A real cluster runs one worker per machine, and each learns the whole cluster from its ``TF_CONFIG``.
``run_workers`` stages that on one machine: it gives each worker process a ``TF_CONFIG`` naming free
ports on 127.0.0.1, starts them all, waits, and returns what each printed last (one JSON line). If a
worker fails or the time runs out, it stops every worker and raises with the failing worker's stderr;
no process outlives the call, even when the learner interrupts it.

``python -m course_utils.cluster`` is the worker ``train_on_workers`` starts: it trains lesson 04's
classic CNN on CIFAR-10 photos under the strategy and prints its losses and a fingerprint of its
final weights, so the workers can be shown to hold the same model.
"""
import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from .validate import check, check_positive_int

WORKER_MODULE = "course_utils.cluster"


def free_ports(count, host="127.0.0.1"):
    """``count`` TCP ports on ``host`` that nothing listens on now (the system picks them)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((host, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def make_tf_config(workers, index):
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of ``workers`` (a list of ``"host:port"``)."""
    check("workers", workers, isinstance(workers, (list, tuple)) and len(workers) > 0, "a non-empty list of host:port")
    check("index", index, isinstance(index, int) and 0 <= index < len(workers), f"0 to {len(workers) - 1}")
    return {"cluster": {"worker": list(workers)}, "task": {"type": "worker", "index": index}}


def run_workers(argv, count=2, timeout_s=600, env=None):
    """Run ``python *argv`` as ``count`` workers of one cluster on 127.0.0.1; return each one's last stdout line (JSON).

    Args:
        argv: the worker's arguments after ``python`` (e.g. ``["-m", "course_utils.cluster", "--epochs", "1"]``).
        count: how many worker processes.
        timeout_s: seconds for all of them together.
        env: environment variables to add for every worker.

    Raises:
        RuntimeError: a worker exited with an error (its stderr is in the message); the others are stopped.
        TimeoutError: the workers were still running after ``timeout_s``; all are stopped.
    """
    check_positive_int("count", count)
    check("timeout_s", timeout_s, isinstance(timeout_s, (int, float)) and timeout_s > 0, "a positive number of seconds")
    workers = [f"127.0.0.1:{port}" for port in free_ports(count)]
    with tempfile.TemporaryDirectory(prefix="course-workers-") as folder:
        logs = [(open(os.path.join(folder, f"{i}.out"), "w+"), open(os.path.join(folder, f"{i}.err"), "w+"))
                for i in range(count)]
        processes = []
        try:
            for i, (out, err) in enumerate(logs):
                worker_env = dict(os.environ, **(env or {}), TF_CONFIG=json.dumps(make_tf_config(workers, i)),
                                  TF_CPP_MIN_LOG_LEVEL="2")
                processes.append(subprocess.Popen([sys.executable, *argv], stdout=out, stderr=err, env=worker_env,
                                                  start_new_session=True))  # its own group: stopped with its children
            _wait(processes, logs, timeout_s)
            return [_last_json(out, i) for i, (out, _) in enumerate(logs)]
        finally:
            _stop(processes)
            for out, err in logs:
                out.close()
                err.close()


def _wait(processes, logs, timeout_s):
    """Poll the workers until all exit 0; raise on the first failure or at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        codes = [p.poll() for p in processes]
        failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
        if failed:
            i = failed[0]
            raise RuntimeError(f"worker {i} of {len(processes)} failed (exit code {codes[i]}); the others were "
                               f"stopped. Its stderr ends:\n{_tail(logs[i][1])}")
        if all(code == 0 for code in codes):
            return
        if time.monotonic() > deadline:
            running = [i for i, code in enumerate(codes) if code is None]
            raise TimeoutError(f"workers {running} were still running after {timeout_s:g} s and were stopped. "
                               f"Give run_workers a larger timeout_s, or fewer steps. Worker {running[0]}'s stderr "
                               f"ends:\n{_tail(logs[running[0]][1])}")
        time.sleep(0.1)


def _stop(processes):
    """Stop every worker and everything it started (its process group), running or not: SIGTERM, then SIGKILL after
    5 s, and return once none of them runs (a stopped process that no one has reaped yet counts as stopped)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in processes:
            try:
                if _group_runs(p.pid):
                    os.killpg(p.pid, sig)  # each worker leads its own process group (start_new_session)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while True:
            for p in processes:
                p.poll()  # reap the workers themselves
            if not any(_group_runs(p.pid) for p in processes):
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)


def _group_runs(group):
    """True while a process of process group ``group`` still runs."""
    import psutil

    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == group and process.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.Error):
            continue
    return False


def _tail(file, chars=3000):
    file.flush()
    file.seek(0)
    return file.read()[-chars:].strip() or "(nothing)"


def _last_json(out, index):
    lines = [line for line in _tail(out, 10**7).splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise RuntimeError(f"worker {index} exited without printing its result as a JSON line; its stdout "
                           f"ends:\n{_tail(out)}") from None


def train_on_workers(count=2, images=8_000, epochs=2, global_batch=64, seed=0, timeout_s=600):
    """Train lesson 04's classic CNN on ``images`` CIFAR-10 photos on ``count`` worker processes (lesson 12).

    Every worker runs ``python -m course_utils.cluster`` with the same arguments; ``global_batch`` is
    the batch of one step over all workers, so each worker takes ``global_batch / count`` photos a step.
    Returns each worker's result: its index, ``replicas``, ``global_batch``, the ``loss`` of every step,
    ``seconds`` of training after the first step (which includes tracing) and ``weights_sha256`` (equal on every
    worker when they hold the same model).
    """
    check_positive_int("global_batch", global_batch)
    check("global_batch", global_batch, global_batch % count == 0, f"a multiple of the {count} workers")
    argv = ["-m", WORKER_MODULE, "--images", str(images), "--epochs", str(epochs),
            "--global-batch", str(global_batch), "--seed", str(seed)]
    # The workers stand for separate machines on this one's CPU: hidden from a GPU, which the first process to start
    # would otherwise claim whole (on Colab, the second would then fail for lack of GPU memory).
    return run_workers(argv, count, timeout_s, env={"CUDA_VISIBLE_DEVICES": "-1"})


def weights_fingerprint(model):
    """sha256 of all the model's weights as float32 bytes: equal only when every weight is equal."""
    import numpy as np

    digest = hashlib.sha256()
    for w in model.get_weights():
        digest.update(np.ascontiguousarray(w, np.float32).tobytes())
    return digest.hexdigest()


def make_train_step(strategy, model, optimizer, global_batch):
    """One distributed training step of ``model`` under ``strategy``, as lesson 12 writes it; returns the mean loss.

    Each replica computes the loss of its share of the global batch divided by the GLOBAL batch size, so the
    all-reduced gradients are those of the mean loss; ``apply_gradients`` all-reduces them, then updates. Build the
    model and the optimizer (``optimizer.build(model.trainable_variables)``) in the strategy's scope first.
    """
    import keras
    import tensorflow as tf

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            per_photo = loss_fn(y, model(x, training=True))
            loss = tf.nn.compute_average_loss(per_photo, global_batch_size=global_batch)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function
    def train_step(batch):
        return strategy.reduce("SUM", strategy.run(replica_step, args=batch), axis=None)
    return train_step


def _train_worker(images, epochs, global_batch, seed):
    """One worker's part of ``train_on_workers``: the strategy first (before any other TensorFlow op), then the loop."""
    from .environment import quiet_tensorflow_startup

    quiet_tensorflow_startup()
    import keras
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG and connects to the other workers
    from .datasets import load_dataset
    from .models import build_classic_cnn

    data = load_dataset("cifar10", profile="full", verbose=False)
    photos = tf.data.Dataset.from_tensor_slices((data.x_train[:images].astype("float32"),
                                                 data.y_train[:images].astype("int32")))
    del data  # the pipeline holds its own copy of the photos it needs: free the rest (a laptop runs several workers)
    keras.utils.set_random_seed(seed)
    train = photos.shuffle(images, seed=seed).batch(global_batch, drop_remainder=True)
    with strategy.scope():
        model = build_classic_cnn((32, 32, 3))
        optimizer = keras.optimizers.Adam(1e-3)
        optimizer.build(model.trainable_variables)
    train_step = make_train_step(strategy, model, optimizer, global_batch)
    losses, start = [], None
    for _ in range(epochs):
        for batch in strategy.experimental_distribute_dataset(train):
            losses.append(train_step(batch))
            if start is None:  # the clock starts once the first step, which traces train_step, has finished
                float(losses[0])
                start = time.perf_counter()
    float(losses[-1])  # steps run asynchronously: wait for the last one
    seconds = time.perf_counter() - start
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    return {"worker": task.get("index", 0), "replicas": strategy.num_replicas_in_sync, "global_batch": global_batch,
            "loss": [round(float(v), 5) for v in losses], "seconds": round(seconds, 2),
            "weights_sha256": weights_fingerprint(model)}


def main(argv=None):
    parser = argparse.ArgumentParser(description="One worker of course_utils.train_on_workers (reads TF_CONFIG).")
    parser.add_argument("--images", type=int, default=8_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--global-batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = _train_worker(args.images, args.epochs, args.global_batch, args.seed)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
