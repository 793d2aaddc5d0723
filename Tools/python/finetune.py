#!/usr/bin/env python3
"""Fine-tune a NAS-Bench-201 network exported by `nasdata reload` on a nasdata data set.

    nasdata reload --full-file 013444-FULL.pth --arch 13444 --dataset cifar10-valid \\
        -o net.pth --config net.json --evaluate cifar.h5 --set ori-test
    python3 Tools/python/finetune.py --weights net.pth --config net.json --data cifar.h5 \\
        --dataset cifar10-valid --eval-set ori-test --epochs 10 -o finetuned.pth

1. Builds the network from `net.json` (xautodl's `get_cell_based_tiny_net`, the same dict
   upstream uses) and loads `net.pth` with `load_state_dict(strict=True)`.
2. Evaluates it on `--eval-set` before any training: top-1 accuracy and mean cross-entropy,
   which equal what `nasdata reload --evaluate DATA --set SET` prints for the same weights.
3. Trains on `--train-set` with NAS-Bench-201's recipe: SGD, momentum 0.9, Nesterov, weight
   decay 5e-4, batch 256, initial learning rate 0.1 (`--lr`), cosine schedule over the epochs
   (as xautodl's CosineAnnealingLR: one rate per epoch, lr_e = lr (1 + cos(pi e / epochs)) / 2),
   NB201's augmentation (random flip, padded random crop), `--workers` DataLoader processes.
4. Reports the training loss over the training set before and after (train-mode batch
   statistics, as the optimiser sees it, but no augmentation, no update and the running
   statistics left untouched, so the two numbers are comparable), evaluates again and saves
   the weights (`-o`).

`--json` prints the whole report as one JSON object.
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nasdata_torch import NASDataSet  # noqa: E402


def build_network(config_path, weights_path):
    try:
        from xautodl.models import get_cell_based_tiny_net
    except ImportError:
        sys.exit("finetune: needs xautodl for the network (pip install --no-deps xautodl)")
    with open(config_path) as f:
        config = json.load(f)
    net = get_cell_based_tiny_net(config)
    state = torch.load(weights_path, map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return net, config


def evaluate(net, data, batch_size, workers):
    """Top-1 accuracy (percent), mean cross-entropy and image count, eval mode, no augmentation."""
    loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False, num_workers=workers)
    net.eval()
    correct, loss, n = 0, 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            _, logits = net(x)
            loss += torch.nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            n += len(y)
    return {"images": n, "correct": correct, "accuracy": 100.0 * correct / max(n, 1), "loss": loss / max(n, 1)}


def training_loss(net, data, batch_size, workers):
    """Mean cross-entropy over `data` in train mode (batch statistics), changing nothing: the
    BatchNorm running statistics are restored afterwards."""
    saved = {k: v.clone() for k, v in net.state_dict().items()}
    loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False, num_workers=workers)
    net.train()
    total, n = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            _, logits = net(x)
            total += torch.nn.functional.cross_entropy(logits, y, reduction="sum").item()
            n += len(y)
    net.load_state_dict(saved)
    return total / max(n, 1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", required=True, help="net.pth exported by nasdata reload")
    ap.add_argument("--config", required=True, help="net.json exported by nasdata reload --config")
    ap.add_argument("--data", required=True, help="nasdata data set (build-cifar / build-imagenet16 output)")
    ap.add_argument("--dataset", required=True, help="group in the file: cifar10-valid, cifar10, cifar100, ImageNet16-120")
    ap.add_argument("--train-set", default="train")
    ap.add_argument("--eval-set", default="ori-test")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=0.1, help="initial learning rate (NB201: 0.1)")
    ap.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    ap.add_argument("-o", "--output", help="write the fine-tuned state dict here (.pth)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    net, config = build_network(args.config, args.weights)
    train = NASDataSet(args.data, f"{args.dataset}/{args.train_set}", train=True, seed=args.seed)
    train_plain = NASDataSet(args.data, f"{args.dataset}/{args.train_set}")
    test = NASDataSet(args.data, f"{args.dataset}/{args.eval_set}")
    if train.num_classes != config["num_classes"]:
        sys.exit(f"finetune: {args.data} {args.dataset} has {train.num_classes} classes, the network {config['num_classes']}")

    report = {"weights": args.weights, "data": args.data, "dataset": args.dataset,
              "train_set": args.train_set, "eval_set": args.eval_set,
              "recipe": {"optimizer": "SGD", "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4,
                         "lr": args.lr, "schedule": "cosine per epoch", "batch_size": args.batch_size,
                         "epochs": args.epochs, "workers": args.workers}}
    say = (lambda *a: None) if args.json else print
    report["before"] = evaluate(net, test, args.batch_size, args.workers)
    report["train_loss_before"] = training_loss(net, train_plain, args.batch_size, args.workers)
    b = report["before"]
    say(f"before: {args.dataset}/{args.eval_set} ({b['images']} images): accuracy {b['accuracy']:.2f}%, loss {b['loss']:.4f}")

    optimizer = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    loader = torch.utils.data.DataLoader(train, batch_size=args.batch_size, shuffle=True,
                                         num_workers=args.workers, drop_last=False,
                                         generator=torch.Generator().manual_seed(args.seed))
    steps, epochs = 0, []
    start = time.time()
    for epoch in range(args.epochs):
        lr = args.lr * (1 + math.cos(math.pi * epoch / args.epochs)) / 2
        for group in optimizer.param_groups:
            group["lr"] = lr
        net.train()
        total, n = 0.0, 0
        for x, y in loader:
            _, logits = net(x)
            loss = torch.nn.functional.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            n += len(y)
            steps += 1
        epochs.append({"epoch": epoch, "lr": lr, "train_loss": total / max(n, 1)})
        say(f"epoch {epoch}: lr {lr:.4f}, training loss {total / max(n, 1):.4f} ({n} images)")
    report["epochs"], report["steps"], report["train_seconds"] = epochs, steps, time.time() - start
    report["train_loss_after"] = training_loss(net, train_plain, args.batch_size, args.workers)
    report["after"] = evaluate(net, test, args.batch_size, args.workers)
    a = report["after"]
    say(f"training-set loss {report['train_loss_before']:.4f} -> {report['train_loss_after']:.4f} ({steps} steps)")
    say(f"after: {args.dataset}/{args.eval_set}: accuracy {a['accuracy']:.2f}%, loss {a['loss']:.4f}")
    if args.output:
        torch.save(net.state_dict(), args.output)
        report["output"] = args.output
        say(f"wrote {args.output}")
    if args.json:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
