"""Train the antisymmetric winding CNN of book/ml_hn_counting.md and save it to book/data/winding_cnn_general.pt.

The page trains the same network itself, with the same library call
(``ml.train_antisymmetric_cnn`` with its default recipe) on the same data (the Hatano--Nelson
training set of book/ml_hatano_nelson.md: |w| = 1, 2, 3, 20 000 configurations per |w|, seed 101;
validation seed 202), and checks that its own result is identical to this file: same recipe, same
weights, and the validation loss stored here is reproduced.  So the committed file *is* the page's
training result; this script only writes it to disk.

Deterministic (one torch thread, fixed seeds): re-running on the same machine and stack reproduces
the file bit for bit.  About one minute of CPU time.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python scripts/hn_counting_train.py [--out book/data/winding_cnn_general.pt]
"""
from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import torch

import nhtopo_lib.learning as ml

OUT = Path(__file__).resolve().parent.parent / "book" / "data" / "winding_cnn_general.pt"
DATA = {"mus": [1, 2, 3], "L": 32, "n_train_per_mu": 20_000, "train_seed": 101, "n_val_per_mu": 1_334,
        "val_seed": 202}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    torch.set_num_threads(1)
    train = ml.hatano_nelson_dataset(DATA["mus"], DATA["n_train_per_mu"], seed=DATA["train_seed"], L=DATA["L"])
    val = ml.hatano_nelson_dataset(DATA["mus"], DATA["n_val_per_mu"], seed=DATA["val_seed"], L=DATA["L"])
    cpu0 = time.process_time()
    model, res, recipe = ml.train_antisymmetric_cnn(train, val, progress=True)
    cpu = time.process_time() - cpu0
    val_mse = float(np.mean((ml.predict(model, val.x) - val.y) ** 2))
    ml.save_model(model, args.out, page="ml_hn_counting", recipe=recipe, data=DATA, val_mse=val_mse,
                  best_epoch=res.best_epoch, epochs_run=res.epochs_run, seconds=round(res.seconds, 1),
                  cpu_seconds=round(cpu, 1), parameters=ml.count_parameters(model),
                  n_val_per_mu=DATA["n_val_per_mu"], val_seed=DATA["val_seed"],
                  torch=str(torch.__version__), machine=platform.machine(), cpu=ml.machine_fingerprint())
    print(f"best epoch {res.best_epoch}/{res.epochs_run}, validation MSE {val_mse:.6g}, {res.seconds:.0f} s wall, "
          f"{cpu:.0f} s CPU -> {args.out}")


if __name__ == "__main__":
    main()
