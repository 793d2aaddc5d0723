"""PyTorch access to nasdata image sets (the `nb201-dataset` HDF5 layout of `build-cifar` and
`build-imagenet16`), with NAS-Bench-201's normalisation and training augmentation.

    from nasdata_torch import NASDataSet
    train = NASDataSet("cifar.h5", "cifar10-valid/train", train=True)
    loader = torch.utils.data.DataLoader(train, batch_size=256, shuffle=True, num_workers=2)

The HDF5 file is opened lazily, once per process: the object the DataLoader pickles into its
workers holds only the path, and each worker opens its own h5py handle on first use (an h5py
handle opened in the parent and shared with forked workers breaks or corrupts reads). A batch
(`__getitems__`, which torch's DataLoader uses when present) is read in increasing index order
through a 32 MiB chunk cache.

Transforms follow NAS-Bench-201's training code (xautodl's `get_datasets`): the image scaled to
0..1, for training a random horizontal flip and a random crop of the original size from the
image zero-padded by 4 pixels (32x32 CIFAR) or 2 (16x16 ImageNet16-120), then normalised with
the per-channel mean/std the data set stores (NB201's own values, written by nasdata).
Only torch, numpy and h5py are needed (no torchvision).
"""
import os

import h5py
import numpy as np
import torch


class NASDataSet(torch.utils.data.Dataset):
    """One set of a nasdata image file, e.g. "cifar10-valid/x-valid" or "ImageNet16-120/train".

    Items are (image float32 [3, H, W], normalised; label int). `train=True` adds NB201's
    augmentation (random flip and padded random crop); `seed` makes it reproducible per worker.
    """

    def __init__(self, path, name, train=False, padding=None, seed=None):
        self.path, self.name, self.train = os.fspath(path), name.strip("/"), train
        dataset = self.name.split("/")[0]
        with h5py.File(self.path, "r") as f:
            if self.name not in f or "images" not in f[self.name]:
                sets = [f"{d}/{s}" for d in f for s in f[d] if isinstance(f[d], h5py.Group) and "images" in f[d][s]]
                raise KeyError(f"{self.path}: no image set {self.name!r} (sets: {', '.join(sets)})")
            images = f[self.name]["images"]
            self.count, self.height, self.width = images.shape[0], images.shape[1], images.shape[2]
            attrs = f[dataset].attrs
            self.mean = torch.tensor(np.asarray(attrs["mean"], dtype=np.float32)).view(3, 1, 1)
            self.std = torch.tensor(np.asarray(attrs["std"], dtype=np.float32)).view(3, 1, 1)
            self.num_classes = int(attrs["num_classes"])
        # NB201: RandomCrop(32, padding=4) for CIFAR, RandomCrop(16, padding=2) for ImageNet16.
        self.padding = padding if padding is not None else max(1, self.height // 8)
        self.seed = seed
        self._file = self._pid = None

    def __len__(self):
        return self.count

    # --- lazily opened file, one per process -------------------------------------------------
    def _open(self):
        if self._file is None or self._pid != os.getpid():
            # A chunk cache of 32 MiB holds several 256-image chunks (CIFAR: 768 KiB each).
            self._file = h5py.File(self.path, "r", rdcc_nbytes=32 << 20)
            self._images = self._file[self.name]["images"]
            self._labels = self._file[self.name]["labels"]
            self._pid = os.getpid()
            self._rng = np.random.default_rng(None if self.seed is None else (self.seed, os.getpid()))
        return self._images, self._labels

    def __getstate__(self):
        state = dict(self.__dict__)
        for k in ("_file", "_images", "_labels", "_rng"):
            state.pop(k, None)
        state["_file"] = state["_pid"] = None
        return state

    # --- items -------------------------------------------------------------------------------
    def _transform(self, image):
        x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div_(255)
        if self.train:
            if self._rng.random() < 0.5:
                x = x.flip(2)
            p = self.padding
            padded = torch.nn.functional.pad(x, (p, p, p, p))          # zeros: black, before normalising
            top, left = self._rng.integers(0, 2 * p + 1, size=2)
            x = padded[:, top:top + self.height, left:left + self.width]
        return (x - self.mean) / self.std

    def __getitem__(self, i):
        images, labels = self._open()
        return self._transform(images[i]), int(labels[i])

    def __getitems__(self, indices):
        """A whole batch, read image by image in increasing index order (neighbours share the
        chunk cache). Measured: h5py's fancy selection `images[sorted_list]` takes ~30x longer
        for a batch of 256 than 256 single-image reads."""
        images, labels = self._open()
        out = [None] * len(indices)
        for pos in np.argsort(indices, kind="stable"):
            i = int(indices[pos])
            out[pos] = (self._transform(images[i]), int(labels[i]))
        return out


def collate(batch):
    """Stacks (image, label) pairs: what the default collate does, named for clarity."""
    return torch.stack([x for x, _ in batch]), torch.tensor([y for _, y in batch], dtype=torch.long)
