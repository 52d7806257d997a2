"""Shared code for the MNIST-numbers study: the notebooks call this, they hold no loops of their own."""
