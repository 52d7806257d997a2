"""Single-digit LeNet-5 models: the classic and modern networks in PyTorch, and one written from scratch in NumPy."""
