"""Retrain a course checkpoint and its record (maintainers; lesson 04 shows learners how).

    python -m course_utils.tools.train_checkpoint cifar10      # the improved CIFAR-10 model of lesson 04
    python -m course_utils.tools.train_checkpoint mnist        # the classic MNIST CNN of lesson 03
    python -m course_utils.tools.train_checkpoint fashion_mnist  # lesson 06's CAM-ready CNN
    python -m course_utils.tools.train_checkpoint cifar10 --epochs 30 --out /tmp/my-checkpoints
"""
import argparse
from pathlib import Path

from ..checkpoints import CHECKPOINT_DIR, RECIPES, train_checkpoint


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train a course reference model and record it.")
    parser.add_argument("name", choices=tuple(RECIPES))
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    parser.add_argument("--out", type=Path, default=CHECKPOINT_DIR, help="folder for the checkpoint and record")
    args = parser.parse_args(argv)
    train_checkpoint(args.name, args.epochs, args.out)


if __name__ == "__main__":
    main()
