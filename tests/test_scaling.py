"""Lesson 12's helpers: the seed-CNN unit, the multi-worker launcher (two real workers on loopback, a failing
worker, a stalled one) and the TFLite export round trip."""
import json
import os
import sys
import textwrap
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

from course_utils.cluster import free_ports, make_tf_config, run_workers, train_on_workers
from course_utils.export import export_tflite, load_tflite
from course_utils import training


def test_seed_cnn_epoch_times_the_images_it_is_given_and_scales_to_50000(monkeypatch):
    import course_utils.models as models

    fitted = []
    build = models.build_classic_cnn

    def recording_build(*args, **kwargs):
        model = build(*args, **kwargs)
        fit = model.fit
        model.fit = lambda data, **options: fitted.append(
            (sum(len(labels) for _, labels in data), data.options().autotune.enabled)) or fit(data, **options)
        return model

    monkeypatch.setattr(models, "build_classic_cnn", recording_build)
    seconds = training.measure_seed_cnn_epoch(images=320)
    # warm-up (at most 1,600 photos), then the best of two epochs; never through tf.data's autotuning thread
    assert fitted == [(320, False)] * 3
    assert 0 < seconds < 3600
    with pytest.raises(ValueError, match="images must be a positive int"):
        training.measure_seed_cnn_epoch(images=0)


def test_tf_config_names_the_cluster_and_the_task():
    workers = ["127.0.0.1:2222", "127.0.0.1:2223"]
    assert make_tf_config(workers, 1) == {"cluster": {"worker": workers}, "task": {"type": "worker", "index": 1}}
    with pytest.raises(ValueError, match="index must be 0 to 1"):
        make_tf_config(workers, 2)
    with pytest.raises(ValueError, match="workers must be a non-empty list"):
        make_tf_config([], 0)


def test_free_ports_are_distinct_and_bindable():
    import socket

    ports = free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_two_workers_on_loopback_train_one_model(offline_pack):
    single, = train_on_workers(1, images=640, epochs=1, global_batch=64, timeout_s=300)
    first, second = train_on_workers(2, images=640, epochs=1, global_batch=64, timeout_s=300)
    assert (first["worker"], second["worker"]) == (0, 1)
    assert first["replicas"] == second["replicas"] == 2 and single["replicas"] == 1
    assert first["weights_sha256"] == second["weights_sha256"]  # every weight equal on both workers
    assert len(first["loss"]) == len(single["loss"]) == 10  # 640 photos / global batch 64
    # the same global batches, split in two: the loss matches the one-worker run up to float rounding
    np.testing.assert_allclose(first["loss"], single["loss"], rtol=0.02)


def _script(tmp_path, body):
    """A worker script that knows its index (from TF_CONFIG) and the pid file it may write."""
    path = tmp_path / "worker.py"
    path.write_text(textwrap.dedent(f"""
        import json, os, subprocess, sys, time
        index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
        pids = {str(tmp_path)!r}
    """) + textwrap.dedent(body))
    return [str(path)]


def _gone(pid):
    """True when ``pid`` no longer runs (a zombie, stopped but not yet reaped by its new parent, counts as gone)."""
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _pids(tmp_path):
    return [int(p.read_text()) for p in sorted(tmp_path.glob("*.pid"))]


def test_a_failing_worker_stops_the_others_and_shows_its_stderr(tmp_path):
    argv = _script(tmp_path, """
        if index == 1:
            time.sleep(1)
            print("worker one cannot find its data", file=sys.stderr)
            sys.exit(3)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        for pid, name in ((os.getpid(), "worker"), (child.pid, "child")):
            open(os.path.join(pids, name + ".pid"), "w").write(str(pid))
        time.sleep(120)
    """)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"(?s)worker 1 of 2 failed \(exit code 3\).*cannot find its data"):
        run_workers(argv, count=2, timeout_s=60)
    assert time.monotonic() - start < 30
    pids = _pids(tmp_path)
    assert len(pids) == 2 and all(map(_gone, pids))  # the waiting worker and its own child were stopped


def test_stalled_workers_time_out_and_are_stopped(tmp_path):
    argv = _script(tmp_path, """
        open(os.path.join(pids, f"{index}.pid"), "w").write(str(os.getpid()))
        print("waiting for the others", file=sys.stderr, flush=True)
        time.sleep(120)
    """)
    with pytest.raises(TimeoutError, match=r"(?s)still running after 3 s.*waiting for the others"):
        run_workers(argv, count=2, timeout_s=3)
    pids = _pids(tmp_path)
    assert len(pids) == 2 and all(map(_gone, pids))


def test_a_worker_must_print_its_result_as_json(tmp_path):
    argv = _script(tmp_path, """print("done, but no JSON")""")
    with pytest.raises(RuntimeError, match="worker 0 exited without printing its result as a JSON line"):
        run_workers(argv, count=1, timeout_s=60)
    argv = _script(tmp_path, """print(json.dumps({"index": index}))""")
    assert run_workers(argv, count=2, timeout_s=60) == [{"index": 0}, {"index": 1}]


def test_launcher_refuses_bad_arguments():
    with pytest.raises(ValueError, match="count must be a positive int"):
        run_workers([sys.executable], count=0)
    with pytest.raises(ValueError, match="global_batch must be a multiple of the 3 workers"):
        train_on_workers(3, global_batch=64)


@pytest.fixture(scope="module")
def cifar_checkpoint():
    from course_utils.checkpoints import load_checkpoint
    from course_utils.datasets import load_dataset

    model, _ = load_checkpoint("cifar10", verbose=False)
    data = load_dataset("cifar10", profile="smoke", verbose=False)
    return model, data


def test_tflite_float_export_gives_the_keras_logits(cifar_checkpoint, tmp_path, offline_pack):
    model, data = cifar_checkpoint
    x = data.x_test[:20].astype("float32")
    exported = load_tflite(export_tflite(model, tmp_path / "float.tflite"))
    logits = np.concatenate([exported(image[None]) for image in x])
    np.testing.assert_allclose(logits, model.predict(x, verbose=0), atol=1e-3)


def test_tflite_int8_export_keeps_the_answers_in_a_quarter_of_the_bytes(cifar_checkpoint, tmp_path, offline_pack):
    model, data = cifar_checkpoint
    float_path = export_tflite(model, tmp_path / "float.tflite")
    int8_path = export_tflite(model, tmp_path / "int8.tflite", calibration=data.x_train[:100])
    assert os.path.getsize(int8_path) < 0.3 * os.path.getsize(float_path)
    quantised = load_tflite(int8_path)
    assert quantised.inputs[0].dtype == "uint8" and quantised.outputs[0].dtype == "int8"
    x = data.x_test[:200]
    agree = np.mean(np.concatenate([quantised(image[None]) for image in x]).argmax(1)
                    == model.predict(x.astype("float32"), verbose=0).argmax(1))
    assert agree >= 0.95  # stated tolerance: int8 may change the top class of at most 1 photo in 20 (measured 99%)


def test_export_refuses_bad_input(cifar_checkpoint, tmp_path):
    model, _ = cifar_checkpoint
    with pytest.raises(ValueError, match="path must be a file name ending in .tflite"):
        export_tflite(model, tmp_path / "model.h5")
    with pytest.raises(ValueError, match=r"calibration must be a non-empty batch of images \(N, H, W, C\)"):
        export_tflite(model, tmp_path / "m.tflite", calibration=np.zeros((32, 32, 3)))
    with pytest.raises(FileNotFoundError, match="No TFLite file at"):
        load_tflite(tmp_path / "missing.tflite")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_cpu_times_give_an_idle_share_between_0_and_1(tmp_path):
    from course_utils.tools.benchmark import idle_share, read_cpu_times

    stat = tmp_path / "stat"
    stat.write_text("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 ...\n")
    assert read_cpu_times(stat) == (850, 1000)
    later = (850 + 30, 1000 + 200)             # 200 ticks passed, 30 of them idle
    assert idle_share((850, 1000), later) == pytest.approx(0.15)
    assert idle_share(None, later) is None and idle_share(later, later) is None
    assert read_cpu_times(tmp_path / "missing") is None
    if os.path.exists("/proc/stat"):           # Linux: the real counters only grow
        before = read_cpu_times()
        sum(i * i for i in range(300_000))
        share = idle_share(before, read_cpu_times())
        assert share is None or 0 <= share <= 1


def test_course_pipelines_run_without_autotuning_and_keep_their_elements(offline_pack):
    from course_utils.datasets import load_dataset

    data = load_dataset("mnist", profile="smoke")
    train, test = training._pipelines(data, batch_size=100)
    assert train.options().autotune.enabled is False and test.options().autotune.enabled is False
    assert sum(len(labels) for _, labels in test) == len(data.x_test)
    assert sum(len(labels) for _, labels in train) == len(data.x_train) // 100 * 100
