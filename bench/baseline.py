"""The original's input pipeline, rebuilt as the speed baseline: one sample per __getitem__.

Python `random` picks the digit count and the number, torch picks each digit's image,
then tensor -> PIL -> Resize(32x32) -> ToTensor -> Normalize per sample, batched by a
DataLoader (batch 64, num_workers 0). The index is ignored, as in the original.
"""

import random

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

TRANSFORM = transforms.Compose(
    [
        transforms.ToPILImage(),
        transforms.Resize((32, 32)),
        transforms.ToTensor(),
        transforms.Normalize((0.1307,), (0.3081,)),
    ]
)


class PerSampleNumbers(Dataset):
    def __init__(self, images, labels, dataset, length):
        self.by_digit = [images[labels == d] for d in range(10)]
        self.dataset, self.length = dataset, length

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        n = random.randint(1, 3)
        number = random.randint(0 if n == 1 else 10 ** (n - 1), 10**n - 1)
        digits = [self.by_digit[int(c)][torch.randint(len(self.by_digit[int(c)]), (1,))][0] for c in str(number)]
        if self.dataset == "W":
            image = torch.cat(digits, dim=1)
        else:
            image = torch.stack(digits + [torch.zeros(28, 28, dtype=torch.uint8)] * (3 - n))
        return TRANSFORM(image), number


def loader(images, labels, dataset, length, batch_size=64):
    return DataLoader(PerSampleNumbers(images, labels, dataset, length), batch_size=batch_size, num_workers=0)
