#!/usr/bin/env python3
"""The obvious Python way to pack FULL files into HDF5, for comparison with pack-archive:
torch.load each file, then one h5py dataset per tensor with gzip + shuffle.

    bench-archive.py OUT.h5 FILE...
"""
import sys

import h5py
import torch


def main():
    out, files = sys.argv[1], sys.argv[2:]
    with h5py.File(out, "w") as f:
        for path in files:
            obj = torch.load(path, weights_only=False)
            index = obj["full"]["arch_index"]
            for hp_key, hp in (("full", 200), ("less", 12)):
                for (dataset, seed), result in obj[hp_key]["all_results"].items():
                    group = f.require_group(f"{index}/{hp}/{dataset}/{seed}")
                    for name, tensor in result["net_state_dict"].items():
                        data = tensor.numpy()
                        if data.ndim == 0:  # h5py refuses filters on scalars (num_batches_tracked)
                            group.create_dataset(name, data=data)
                        else:
                            group.create_dataset(name, data=data, compression="gzip", shuffle=True)


if __name__ == "__main__":
    main()
