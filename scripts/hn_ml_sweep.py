"""Offline sweep behind the "what mattered" section of book/ml_hatano_nelson.md.

Trains the Hatano--Nelson regression networks of Zhang et al. (PRA 103, 012419, 2021)
under the chapter's protocol and under single changes of it (ReLU vs linear two-neuron
layer over several seeds, training length, near-gap oversampling, batch size, L2, real
instead of complex hopping amplitudes -- then tested on real-amplitude data too), and
writes the test accuracies per signed winding (same data sets as the chapter) to book/data/hn_ml_sweep.json, which the
chapter reads.  Too slow for the chapter itself (30 runs of 0.2-6 minutes each on a
2-core machine); every run is deterministic, so re-running reproduces the file exactly
on the same machine/stack.

Usage (from the repository root):
    OMP_NUM_THREADS=1 .venv/bin/python scripts/hn_ml_sweep.py [--jobs 2] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "book" / "data" / "hn_ml_sweep.json"

# the chapter's protocol (keep in sync with book/ml_hatano_nelson.md)
PROTOCOL = dict(net="cnn", hidden_relu=True, seed=1, epochs=70, batch_size=64, lr=1e-3, weight_decay=1e-4,
                lr_schedule="plateau", near_gap_fraction=0.0, n_train_per_mu=20000, n_val_per_mu=1334,
                phases="uniform", patience=40)
TRAIN_SEED, VAL_SEED, TEST_SEED = 101, 202, 303
TEST_MUS = (1, 2, 3, 4, 5, 6, 7)
N_TEST_PER_SIGN = 4000
STEP_DEFICITS = np.geomspace(1e-3, 1.0, 31)


def runs() -> dict[str, dict]:
    r = {}
    for s in (1, 2, 3, 4):
        r[f"relu_s{s}"] = dict(PROTOCOL, seed=s)
        r[f"linear_s{s}"] = dict(PROTOCOL, seed=s, hidden_relu=False)
    r["relu_s1_200ep"] = dict(PROTOCOL, seed=1, epochs=200)
    lin = dict(PROTOCOL, seed=1, hidden_relu=False)
    r["linear_s1_35ep"] = dict(lin, epochs=35)
    r["linear_s1_200ep"] = dict(lin, epochs=200)
    r["linear_s1_near"] = dict(lin, near_gap_fraction=0.3)
    r["linear_s1_cosine"] = dict(lin, lr_schedule="cosine")
    r["linear_s1_bs256"] = dict(lin, batch_size=256)
    r["linear_s1_wd0"] = dict(lin, weight_decay=0.0)
    r["linear_s1_300cos"] = dict(lin, epochs=300, lr_schedule="cosine")
    r["linear_s1_300cos_near"] = dict(lin, epochs=300, lr_schedule="cosine", near_gap_fraction=0.3)
    r["linear_s1_300cos_wd0"] = dict(lin, epochs=300, lr_schedule="cosine", weight_decay=0.0)
    r["linear_s1_300cos_lr3"] = dict(lin, epochs=300, lr_schedule="cosine", lr=3e-3)
    # the longest run: no early stopping (during the long high-learning-rate phase of a 1000-epoch
    # cosine schedule the validation loss is noisy and a patience of 40 ends the run too soon)
    r["linear_s1_1000cos_lr3"] = dict(lin, epochs=1000, lr_schedule="cosine", lr=3e-3, patience=1000)
    r["relu_s1_300cos_lr3"] = dict(PROTOCOL, seed=1, epochs=300, lr_schedule="cosine", lr=3e-3)
    # real amplitudes of random sign (axis-aligned ellipses starting on the real axis), trained and tested
    r["relu_s1_real"] = dict(PROTOCOL, seed=1, phases="real")
    r["linear_s1_real"] = dict(lin, phases="real")
    fc = dict(PROTOCOL, net="fcnn", seed=1)
    r["fcnn_s1"] = fc
    r["fcnn_s1_200ep"] = dict(fc, epochs=200)
    r["fcnn_s1_near"] = dict(fc, near_gap_fraction=0.3)
    r["fcnn_s1_real"] = dict(fc, phases="real")
    r["fcnn_s1_300cos_lr3"] = dict(fc, epochs=300, lr_schedule="cosine", lr=3e-3)
    r["fcnn_s1_1000cos_lr3"] = dict(fc, epochs=1000, lr_schedule="cosine", lr=3e-3, patience=1000)
    r["fcnn_s1_3000cos_lr3"] = dict(fc, epochs=3000, lr_schedule="cosine", lr=3e-3, patience=3000)
    return r


def one(name: str, cfg: dict) -> dict:
    import torch
    cfg = dict(PROTOCOL, **cfg)          # runs recorded before `phases` existed used "uniform"

    import nhtopo_lib.learning as ml

    torch.set_num_threads(1)
    tr = ml.hatano_nelson_dataset([1, 2, 3], cfg["n_train_per_mu"], seed=TRAIN_SEED,
                                  near_gap_fraction=cfg["near_gap_fraction"], phases=cfg["phases"])
    va = ml.hatano_nelson_dataset([1, 2, 3], cfg["n_val_per_mu"], seed=VAL_SEED,
                                  near_gap_fraction=cfg["near_gap_fraction"], phases=cfg["phases"])
    model = (ml.WindingCNN(hidden_relu=cfg["hidden_relu"]) if cfg["net"] == "cnn" else ml.WindingFCNN())
    res = ml.train(model, tr.x, tr.y, va.x, va.y,
                   ml.TrainingConfig(max_epochs=cfg["epochs"], batch_size=cfg["batch_size"], lr=cfg["lr"],
                                     early_stopping_patience=cfg["patience"],
                                     lr_schedule=cfg["lr_schedule"],
                                     weight_decay=cfg["weight_decay"], seed=cfg["seed"], progress=False))
    acc, acc_far = {}, {}
    for mu in TEST_MUS:
        te = ml.hatano_nelson_dataset([mu], 2 * N_TEST_PER_SIGN, seed=TEST_SEED + mu, phases=cfg["phases"])
        ok = ml.predicted_winding(ml.predict(model, te.x)) == te.y
        far = te.meta["aspect_ratio"] >= 0.05
        for sgn in (1, -1):
            sel = np.sign(te.y) == sgn
            acc[str(sgn * mu)] = float(ok[sel].mean())
            acc_far[str(sgn * mu)] = float(ok[sel & far].mean())
    step = {}
    if cfg["net"] == "cnn" and not cfg["hidden_relu"]:     # sharpness of the learned step rule at +-pi
        step = dict(step_error_deficits=STEP_DEFICITS.tolist(),
                    step_error=ml.antipodal_step_error(model, STEP_DEFICITS).tolist())
    return dict(name=name, config=cfg, accuracy=acc, accuracy_aspect_ge_0p05=acc_far, **step,
                epochs_run=res.epochs_run, best_epoch=res.best_epoch, best_val_loss=res.best_val_loss,
                seconds=res.seconds)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    todo = {k: v for k, v in runs().items() if not args.only or k in args.only}
    todo = dict(sorted(todo.items(), key=lambda kv: -kv[1]["epochs"]))      # longest first: better packing
    old = json.loads(OUT.read_text())["runs"] if OUT.exists() else {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        futs = {k: pool.submit(one, k, v) for k, v in todo.items()}
        for k, f in futs.items():
            old[k] = f.result()
            print(k, {w: round(a, 4) for w, a in old[k]["accuracy"].items()}, flush=True)
            OUT.parent.mkdir(parents=True, exist_ok=True)
            OUT.write_text(json.dumps({"protocol": PROTOCOL, "test": {"mus": TEST_MUS, "per_sign": N_TEST_PER_SIGN,
                                                                       "seeds": [TRAIN_SEED, VAL_SEED, TEST_SEED]},
                                       "machine": platform.platform(), "runs": old}, indent=1))
    print(f"done in {time.perf_counter() - t0:.0f} s -> {OUT}")


if __name__ == "__main__":
    main()
