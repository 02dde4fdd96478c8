"""Retrain a course checkpoint and its record (maintainers; lesson 04 shows learners how).

    python -m course_utils.tools.train_checkpoint cifar10      # the improved CIFAR-10 model of lesson 04
    python -m course_utils.tools.train_checkpoint mnist        # the classic MNIST CNN of lesson 03
    python -m course_utils.tools.train_checkpoint fashion_mnist  # lesson 06's CAM-ready CNN
    python -m course_utils.tools.train_checkpoint cifar10 --epochs 30 --out /tmp/my-checkpoints
"""
import argparse
from pathlib import Path

from ..checkpoints import CHECKPOINT_DIR, RECIPES, train_checkpoint
from ..environment import quiet_tensorflow_startup
from ..training import measure_seed_cnn_epoch


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train a course reference model and record it.")
    parser.add_argument("name", choices=tuple(RECIPES))
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    parser.add_argument("--out", type=Path, default=CHECKPOINT_DIR, help="folder for the checkpoint and record")
    args = parser.parse_args(argv)
    quiet_tensorflow_startup()
    unit = measure_seed_cnn_epoch()  # so the record gives the training time in seed-CNN epochs too
    print(f"seed-CNN epoch (the unit): {unit:.1f} s")
    train_checkpoint(args.name, args.epochs, args.out, unit=unit)


if __name__ == "__main__":
    main()
